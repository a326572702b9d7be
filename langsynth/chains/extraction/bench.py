"""Benchmarking one extraction chain on labelled texts (``langsynth bench-extract``)."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langsynth.chains.extraction.chain import Extraction, ExtractionChain

__all__ = ["bench_strategy", "percentile"]


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated ``q`` quantile (0..1) of ``values``; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def bench_strategy(
    chain: ExtractionChain,
    texts: Sequence[str],
    golds: Sequence[Mapping[str, Any]],
    *,
    match: str = "normalized",
    concurrency: int = 4,
    on_result: Callable[[int, Extraction], None] | None = None,
) -> dict[str, Any]:
    """Run one extraction chain over labelled texts: metrics + latency + tokens + errors.

    What ``langsynth bench-extract`` reports per strategy; ``chain`` is an
    :class:`ExtractionChain`, ``golds`` the gold records in the order of ``texts``.
    """
    from langsynth.metrics import score_dataset

    started = time.perf_counter()
    inputs: list[Any] = list(texts)
    results = chain.run(inputs, concurrency=concurrency, on_result=on_result).results
    elapsed = time.perf_counter() - started
    report = score_dataset([r.prediction for r in results], golds, chain.model, match=match)
    latencies = [r.latency_s for r in results]
    input_tokens = sum(r.usage.input_tokens for r in results)
    output_tokens = sum(r.usage.output_tokens for r in results)
    errors = Counter(r.error.split(":")[0][:80] for r in results if r.error)
    n = len(results)
    counts = {
        k: sum(getattr(f.counts, k) for f in report.fields.values()) for k in ("tp", "fp", "fn")
    }
    return {
        **report.to_dict(),
        "counts": counts,
        "latency": {
            "p50_s": round(percentile(latencies, 0.5), 3),
            "p95_s": round(percentile(latencies, 0.95), 3),
            "mean_s": round(statistics.fmean(latencies), 3) if latencies else 0.0,
        },
        "tokens": {
            "input": input_tokens,
            "output": output_tokens,
            "output_per_row": round(output_tokens / n, 1) if n else 0.0,
        },
        "llm_calls": sum(r.usage.calls for r in results),
        "elapsed_s": round(elapsed, 3),
        "errors": dict(errors),
    }
