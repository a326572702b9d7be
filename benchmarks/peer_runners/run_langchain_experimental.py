"""langchain_experimental's SyntheticDataGenerator, built the way seed 001 builds it.

``create_openai_data_generator`` (OpenAI *functions* structured output) with the seed's
``FewShotPromptTemplate`` (its prefix, suffix and ``OPENAI_TEMPLATE``). The library's own
concurrent path is ``agenerate``; it gathers every run at once, so the script calls it one run at
a time under a semaphore of ``concurrency``: at most that many requests in flight, like every
other tool here. A run that raises (unparsable output) is counted and the job goes on.
"""

from __future__ import annotations

import asyncio
from typing import Any

from _runner import Job, main
from pydantic import BaseModel


def build(config: dict[str, Any], model: type[BaseModel]) -> Job:
    from langchain_core.prompts import FewShotPromptTemplate
    from langchain_experimental.tabular_synthetic_data.openai import (
        OPENAI_TEMPLATE,
        create_openai_data_generator,
    )
    from langchain_experimental.tabular_synthetic_data.prompts import (
        SYNTHETIC_FEW_SHOT_PREFIX,
        SYNTHETIC_FEW_SHOT_SUFFIX,
    )
    from langchain_openai import ChatOpenAI

    # The template is formatted again after the examples are joined in: escape JSON braces.
    examples = [
        {"example": line.replace("{", "{{").replace("}", "}}")} for line in config["examples"]
    ]
    prompt_template = FewShotPromptTemplate(
        prefix=SYNTHETIC_FEW_SHOT_PREFIX,
        examples=examples,
        suffix=SYNTHETIC_FEW_SHOT_SUFFIX,
        input_variables=["subject", "extra"],
        example_prompt=OPENAI_TEMPLATE,
    )
    generator = create_openai_data_generator(
        output_schema=model,
        llm=ChatOpenAI(
            base_url=config["base_url"],
            api_key=config["api_key"],
            model=config["model"],
            temperature=config["temperature"],
            max_tokens=config["max_tokens"],
        ),
        prompt=prompt_template,
    )

    def job() -> tuple[list[Any], dict[str, Any]]:
        errors: list[str] = []
        limit = asyncio.Semaphore(config["concurrency"])

        async def one() -> None:
            async with limit:
                try:
                    await generator.agenerate(
                        subject=config["subject"], runs=1, extra=config["extra"]
                    )
                except Exception as exc:  # the seed's chain raises on unparsable output
                    errors.append(f"{type(exc).__name__}: {exc}"[:500])

        async def run_all() -> None:
            await asyncio.gather(*(one() for _ in range(config["n"])))

        asyncio.run(run_all())
        return list(generator.results), {"attempts": config["n"], "errors": errors}

    return job


if __name__ == "__main__":
    raise SystemExit(main(build))
