"""The pipeline's own cost per record, without a model: where time goes besides decoding.

Measures, in microseconds per record: drawing hints and rendering the prompt, parsing and
validating a record, the duplicate key, writing the journal line, and a whole
``RecordGenerator.generate`` run against an instant fake model (async scheduling, retries
bookkeeping, callbacks). Compare with a model's seconds per record: the overhead is noise.

    python benchmarks/overhead.py --records 2000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def per_call_us(fn: Any, number: int) -> float:
    return round(min(timeit.repeat(fn, number=number, repeat=3)) / number * 1e6, 1)


def run(records: int) -> dict[str, float]:
    from langsynth.chains.generator import RecordGenerator, record_key
    from langsynth.datafile import JsonlAppender
    from langsynth.pools import sample_hints
    from langsynth.schemas import load_schema
    from tests.fakes import FakeChatModel

    info = load_schema("medical_billing")
    example = info.load_examples()[-1]
    raw = json.dumps(example)
    gen = RecordGenerator(info, FakeChatModel(), seed=1)
    rng = random.Random(1)
    record = info.model.model_validate(example)
    out: dict[str, float] = {}
    out["hints + prompt rendering"] = per_call_us(
        lambda: gen.messages(sample_hints(gen.pools, rng)), 300
    )
    out["parse + validate"] = per_call_us(lambda: info.model.model_validate(json.loads(raw)), 3000)
    out["duplicate key"] = per_call_us(lambda: record_key(record, info.dedup_fields), 3000)
    with tempfile.TemporaryDirectory() as tmp:
        appender = JsonlAppender(Path(tmp) / "journal.jsonl")
        row = record.model_dump(mode="json")
        out["journal write"] = per_call_us(lambda: appender.write(row), 1000)
        appender.close()

    answers = []
    for i in range(records):
        row = dict(example)
        row["patient_id"] = 100000 + i
        row["patient_name"] = f"Person {i} Example"
        answers.append(row)
    fast = RecordGenerator(info, FakeChatModel(answers=answers), seed=1, concurrency=4)
    start = time.perf_counter()
    result = fast.generate(records)
    wall = time.perf_counter() - start
    assert len(result.records) == records
    out["whole generate() per record (fake model)"] = round(wall / records * 1e6, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args(argv)
    result = run(args.records)
    width = max(map(len, result))
    for name, us in result.items():
        print(f"{name:<{width}}  {us:>10.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
