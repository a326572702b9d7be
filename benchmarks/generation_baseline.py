"""The ``--baseline`` half of ``generation_speed.py``: another checkout's RecordGenerator on the
same server (through :mod:`tree_compare`), and the before/after table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common import endpoint_of, md_table
from tree_compare import endpoint_llm, run_in_tree


def child_measure(job: dict[str, Any]) -> dict[str, Any]:
    """:func:`run_langsynth` in a :func:`tree_compare.run_in_tree` child, on the parent's
    server."""
    from generation_speed import run_langsynth

    llm = endpoint_llm(job, temperature=0.9, max_tokens=400)
    return run_langsynth(llm, job["schema"], job["n"], job["parallel"], job["seed"])


def child_prime(job: dict[str, Any]) -> dict[str, Any]:
    """In a child: one record per slot, untimed, so every slot holds the prompt prefix."""
    from langsynth.chains.generator import RecordGenerator

    gen = RecordGenerator(job["schema"], endpoint_llm(job), concurrency=job["parallel"])
    return {"primed": len(gen.generate(job["parallel"], progress=False).records)}


def prime_tree(tree: Path, llm: Any, schema: str, parallel: int) -> None:
    """Run one record per slot with checkout ``tree`` before the pair of measurements, so the
    server has served real records before either tree is timed.

    It does not make the pair fair by itself (measured, benchmarks/results/generation_speed.md):
    the tree timed first on a fresh server still processed the ~480-token prefix again on 3 of
    4 slots and lost ~25% tok/s to the second, in either order. So read a comparison over
    levels of both orders (``--parallel 4 4``): the order alternates between levels.
    """
    base, key, name = endpoint_of(llm)
    job = {"base": base, "key": key, "name": name, "schema": schema, "parallel": parallel}
    run_in_tree(tree, "generation_baseline", "child_prime", job)


def run_tree(tree: Path, llm: Any, schema: str, n: int, parallel: int, seed: int) -> dict[str, Any]:
    """:func:`run_langsynth` with the ``langsynth`` of checkout ``tree`` on ``llm``'s server."""
    base, key, name = endpoint_of(llm)
    job = {"base": base, "key": key, "name": name, "schema": schema, "n": n}
    job.update(parallel=parallel, seed=seed)
    return run_in_tree(tree, "generation_baseline", "child_measure", job)


def _uncached_per_call(measured: dict[str, Any], server: dict[str, Any] | None) -> str:
    if not server or not measured["llm_calls"]:
        return "-"
    return f"{server['prompt_tokens_total'] / measured['llm_calls']:.0f}"


def compare_markdown(result: dict[str, Any]) -> str:
    """The before/after table of a ``--baseline`` run: both trees at every level."""
    rows = []
    for r in result["levels"]:
        ceiling = r["ceiling"]["tokens_per_s"]
        for key, label in (("baseline", "baseline"), ("langsynth", "this tree")):
            m = r[key]
            rows.append(
                (
                    r["parallel"],
                    label,
                    ceiling,
                    m["tokens_per_s"],
                    f"**{m['tokens_per_s'] / ceiling:.2f}**",
                    f"**{m['records_per_s']:.3f}**",
                    f"{m['valid_share']:.0%}",
                    f"{m['unique_share']:.0%}",
                    ", ".join(f"{v:.3f}" for v in m["distinct_2"].values()) or "-",
                    f"{m['records']}/{m['llm_calls']}",
                    m["prompt_tokens_per_call"],
                    _uncached_per_call(m, r.get(f"{key}_server")),
                    m["setup_s"],
                    m["wall_s"],
                )
            )
    headers = [
        "slots",
        "tree",
        "ceiling tok/s",
        "tok/s",
        "ratio to ceiling",
        "valid unique rec/s",
        "valid per attempt",
        "unique",
        "distinct-2",
        "records/calls",
        "prompt tok/call",
        "uncached prompt tok/call",
        "warm-up s",
        "wall s",
    ]
    return (
        f"Before/after in one run: baseline = `{result['baseline']}`, this tree = the checkout "
        "of the script; both on the same server at each level, right after its ceiling (order "
        "alternating between levels, this tree first at the first).\n\n" + md_table(headers, rows)
    )
