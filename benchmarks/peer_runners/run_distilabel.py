"""distilabel: a ``Pipeline`` of ``LoadDataFromDicts >> TextGeneration`` on ``OpenAILLM`` with
``structured_output={"schema": Model}`` (its instructor path).

distilabel sends a whole input batch at once; ``input_batch_size = concurrency`` keeps at most
that many requests in flight. The cache is off so a rerun decodes again.
"""

from __future__ import annotations

import json
from typing import Any

from _runner import Job, main
from pydantic import BaseModel


def build(config: dict[str, Any], model: type[BaseModel]) -> Job:
    from distilabel.models.llms import OpenAILLM
    from distilabel.pipeline import Pipeline
    from distilabel.steps import LoadDataFromDicts
    from distilabel.steps.tasks import TextGeneration

    concurrency = config["concurrency"]
    with Pipeline(name="peers-benchmark") as pipeline:
        load = LoadDataFromDicts(
            data=[{"instruction": config["prompt"]} for _ in range(config["n"])],
            batch_size=concurrency,
        )
        generate = TextGeneration(
            llm=OpenAILLM(
                model=config["model"],
                base_url=config["base_url"],
                api_key=config["api_key"],
                structured_output={"schema": model},
                generation_kwargs={
                    "temperature": config["temperature"],
                    "max_new_tokens": config["max_tokens"],
                },
            ),
            input_batch_size=concurrency,
        )
        load >> generate

    def job() -> tuple[list[Any], dict[str, Any]]:
        distiset = pipeline.run(use_cache=False)
        rows = list(distiset["default"]["train"])
        records: list[Any] = []
        empty = 0
        for row in rows:
            text = row.get("generation")
            if text is None:
                empty += 1
                continue
            try:
                records.append(json.loads(text))
            except (TypeError, json.JSONDecodeError):
                records.append(text)
        return records, {"rows": len(rows), "empty_rows": empty}

    return job


if __name__ == "__main__":
    raise SystemExit(main(build))
