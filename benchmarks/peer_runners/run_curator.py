"""bespokelabs curator: ``curator.LLM`` with ``response_format=Model`` on its OpenAI backend
pointed at the server (``base_url``), ``max_concurrent_requests = concurrency``."""

from __future__ import annotations

from typing import Any

from _runner import Job, main
from pydantic import BaseModel


def build(config: dict[str, Any], model: type[BaseModel]) -> Job:
    from bespokelabs import curator

    prompt = config["prompt"]

    class RecordWriter(curator.LLM):  # type: ignore[misc]
        def prompt(self, input: dict[str, Any]) -> str:
            return prompt

        def parse(self, input: dict[str, Any], response: Any) -> Any:
            return response.model_dump() if isinstance(response, BaseModel) else response

    llm = RecordWriter(
        model_name=config["model"],
        response_format=model,
        backend="openai",
        generation_params={
            "temperature": config["temperature"],
            "max_tokens": config["max_tokens"],
        },
        backend_params={
            "base_url": config["base_url"],
            "api_key": config["api_key"],
            "max_concurrent_requests": config["concurrency"],
        },
    )

    def job() -> tuple[list[Any], dict[str, Any]]:
        response = llm([{"i": i} for i in range(config["n"])])
        dataset = getattr(response, "dataset", response)
        rows = [dict(r) for r in dataset]
        records = [{k: v for k, v in r.items() if k != "i"} for r in rows]
        return records, {"rows": len(rows)}

    return job


if __name__ == "__main__":
    raise SystemExit(main(build))
