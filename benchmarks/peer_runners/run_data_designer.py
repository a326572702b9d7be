"""NVIDIA NeMo Data Designer: one ``LLMStructuredColumnConfig`` with the Pydantic model.

The OpenAI-compatible server is a custom ``ModelProvider``; ``max_parallel_requests`` is the
concurrency (its default is 4 too). Data Designer asks for the schema in the prompt and validates
the JSON it gets back; rows it could not fill are dropped or left empty, as it does by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _runner import Job, main
from pydantic import BaseModel


def build(config: dict[str, Any], model: type[BaseModel]) -> Job:
    import data_designer.config as dd
    from data_designer.interface import DataDesigner

    provider = dd.ModelProvider(
        name="langsynth-local",
        endpoint=config["base_url"],
        provider_type="openai",
        api_key=config["api_key"],
    )
    model_config = dd.ModelConfig(
        alias="local",
        model=config["model"],
        provider="langsynth-local",
        inference_parameters=dd.ChatCompletionInferenceParams(
            temperature=config["temperature"],
            max_tokens=config["max_tokens"],
            max_parallel_requests=config["concurrency"],
        ),
    )
    designer = DataDesigner(
        artifact_path=Path(config["work_dir"]) / "artifacts", model_providers=[provider]
    )
    builder = dd.DataDesignerConfigBuilder(model_configs=[model_config])
    builder.add_column(
        dd.LLMStructuredColumnConfig(
            name="record", prompt=config["prompt"], output_format=model, model_alias="local"
        )
    )

    def job() -> tuple[list[Any], dict[str, Any]]:
        results = designer.create(builder, num_records=config["n"], dataset_name="peers")
        frame = results.load_dataset()
        rows = frame["record"].tolist() if "record" in frame.columns else []
        returned = [r for r in rows if isinstance(r, dict)]
        return returned, {"rows": len(frame), "empty_rows": len(rows) - len(returned)}

    return job


if __name__ == "__main__":
    raise SystemExit(main(build))
