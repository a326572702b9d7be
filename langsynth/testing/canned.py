"""A record source that needs no model: what the run engine and an executor cost on their own.

:class:`CannedRecords` is a :class:`~langsynth.runs.SourceStep` whose attempts are
schema-valid :class:`~langsynth.testing.fake_records.RecordFaker` records, validated like a
model's answer, with no HTTP call and no LangChain in between. Run through the Ray executor
(``factory = functools.partial(CannedRecords, "medical_billing")``), the record rate it reaches
is the coordinator's ceiling: the driver's engine, journal and pool plus Ray's calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from langsynth.chains.generator import RecordAttempt
from langsynth.normalize import record_key
from langsynth.runs import KeyAdmission, SourceStep
from langsynth.schemas import SchemaInfo, load_schema
from langsynth.testing.fake_records import RecordFaker


class CannedRecords(SourceStep):
    """Attempt ``i`` is the next fake record of ``schema`` (after ``delay_s``), validated.

    ``llm`` is accepted and ignored, so the class is a step factory as it stands. Without a
    ``seed`` every copy draws its own sequence (copies in several actors do not repeat each
    other); dedup on the driver is the schema's, as for the record generator.
    """

    job: ClassVar[str] = "generate"

    def __init__(
        self,
        schema: str | SchemaInfo,
        llm: Any = None,
        *,
        seed: int | None = None,
        delay_s: float = 0.0,
    ) -> None:
        self.info = load_schema(schema)
        self.faker = RecordFaker.for_schema(self.info, seed=seed)
        self.delay_s = delay_s
        self.output_columns = tuple(self.info.fields)

    def input_at(self, index: int) -> dict[str, Any]:
        return {"index": index}

    def admission(self, existing: Sequence[Mapping[str, Any]]) -> KeyAdmission:
        fields = self.info.dedup_fields
        return KeyAdmission(lambda row: record_key(row, fields), existing)

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [result.to_row()]

    async def aprocess(self, input: Any, config: Any = None) -> RecordAttempt:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        record = self.info.model.model_validate(self.faker.make())
        index = int(dict(input or {}).get("index", 0))
        return RecordAttempt(index=index, hints={}, record=record, error=None, raw_output="")
