"""``langsynth judge``: LLM-as-a-judge scores and comments, or pairwise with order swap."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from langsynth.cli._app import app, console, err_console
from langsynth.cli._options import default_sidecar, kv_table, progress_bar, schema_for

if TYPE_CHECKING:
    pass


@app.command()
def judge(
    input: Annotated[Path, typer.Option("--input", "-i", help="Rows: .jsonl/.json/.csv/.parquet.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Rows with score/comment columns (.jsonl).")
    ],
    criteria: Annotated[
        str | None,
        typer.Option(help="Criteria, one per line, as text or a file (default: the schema's)."),
    ] = None,
    judge_model: Annotated[
        str | None,
        typer.Option(help="Judge model spec (default: LANGSYNTH_JUDGE_MODEL or local-large)."),
    ] = None,
    language: Annotated[str, typer.Option(help="Language of the comments: ko or en.")] = "ko",
    min_score: Annotated[
        int | None,
        typer.Option(min=1, max=5, help="Also write the rows scoring at least K (--kept)."),
    ] = None,
    kept: Annotated[
        Path | None, typer.Option(help="Where --min-score writes kept rows (OUT.kept.*).")
    ] = None,
    schema: Annotated[
        str | None, typer.Option(help="The rows' schema (default: from the input's run).")
    ] = None,
    generator_model: Annotated[
        str | None,
        typer.Option(
            help="Model that generated the rows (default: from the input's run); "
            "a warning is printed if it is the judge."
        ),
    ] = None,
    prompt_field: Annotated[
        str | None, typer.Option(help="Column holding the prompt of a (prompt, response) pair.")
    ] = None,
    response_field: Annotated[
        str | None, typer.Option(help="Column holding the response of a pair.")
    ] = None,
    samples: Annotated[int, typer.Option(min=1, help="Judgments per row, averaged.")] = 1,
    temperature: Annotated[float, typer.Option(help="Judge temperature.")] = 0.0,
    max_tokens: Annotated[int, typer.Option(help="Max tokens of one verdict.")] = 320,
    concurrency: Annotated[int, typer.Option(min=1, help="Requests in flight.")] = 2,
    limit: Annotated[int | None, typer.Option(help="Judge only the first N rows.")] = None,
    pairwise: Annotated[
        bool,
        typer.Option(
            help="Compare candidates pairwise (row i of --input vs row i of "
            "--against, or rows 2k and 2k+1), twice with the order swapped."
        ),
    ] = False,
    against: Annotated[Path | None, typer.Option(help="Second candidates for --pairwise.")] = None,
    request: Annotated[
        str | None, typer.Option(help="The request both candidates answer (--pairwise).")
    ] = None,
    resume: Annotated[bool, typer.Option(help="Continue a run that wrote OUTPUT.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace OUTPUT.")] = False,
) -> None:
    """Score each row 1-5 with a comment, using an LLM judge with an anchored rubric.

    Rows are records (the schema tells the judge what was asked) or (prompt, response) pairs.
    Output is written as it is produced; --resume continues after an interruption.
    """
    from langsynth.chains.judge import SelfJudgingWarning, parse_criteria
    from langsynth.datafile import read_rows
    from langsynth.errors import ConfigurationError, OutputExistsError
    from langsynth.lineage import read_lineage
    from langsynth.llm import get_judge_model, model_spec_of

    if resume and overwrite:
        raise typer.BadParameter("--resume and --overwrite exclude each other.")
    if output.suffix.lower() not in (".jsonl", ".ndjson"):
        raise ConfigurationError("The judge writes JSONL as it goes; name the output *.jsonl.")
    if output.exists() and not (resume or overwrite):
        raise OutputExistsError(
            f"{output} already exists. Use --resume to continue it or --overwrite to start over."
        )
    rows = read_rows(input, limit=limit)
    lineage = read_lineage(input)
    info = schema_for(schema, lineage)
    generation = lineage.get("generation") or {}
    generator = (
        generator_model or generation.get("model") or (generation.get("params") or {}).get("model")
    )
    chosen_criteria = parse_criteria(criteria) if criteria else None
    llm = get_judge_model(judge_model, temperature=temperature, max_tokens=max_tokens)
    spec = model_spec_of(llm)
    if samples > 1 and temperature == 0:
        err_console.print(
            "[yellow]warning:[/] --samples > 1 at temperature 0 repeats the same verdict; "
            "set --temperature (e.g. 0.7)."
        )

    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SelfJudgingWarning)
        if pairwise:
            _pairwise(
                rows,
                llm,
                spec,
                info,
                chosen_criteria,
                language,
                against,
                request,
                output,
                input,
                concurrency,
                generator,
            )
            judge_obj = None
        else:
            from langsynth.chains.judge import PointwiseJudge

            judge_obj = PointwiseJudge(
                llm,
                schema=info,
                criteria=chosen_criteria,
                language=language,
                samples=samples,
                concurrency=concurrency,
                generator_model=generator,
                prompt_field=prompt_field,
                response_field=response_field,
            )
    for w in caught:
        err_console.print(f"[yellow]warning:[/] {w.message}")
    if judge_obj is None:
        return
    _pointwise(rows, judge_obj, spec, input, output, resume, min_score, kept, generator)


def _pointwise(
    rows: list[dict[str, Any]],
    judge_obj: Any,
    spec: str,
    input: Path,
    output: Path,
    resume: bool,
    min_score: int | None,
    kept: Path | None,
    generator: str | None,
) -> None:
    from langsynth._async import run_sync
    from langsynth.chains.judge import JudgeResult, score_summary
    from langsynth.datafile import JsonlAppender, read_rows, write_rows
    from langsynth.errors import OutputExistsError
    from langsynth.lineage import record_step

    done: list[dict[str, Any]] = []
    if resume and output.exists():
        done = read_rows(output)
        if len(done) > len(rows):
            raise OutputExistsError(
                f"{output} has more rows ({len(done)}) than the input ({len(rows)}); "
                "it was written from another input. Use --overwrite."
            )
    elif output.exists():
        output.unlink()
    todo = rows[len(done) :]
    results: dict[int, JudgeResult] = {}
    next_to_write = 0
    start = time.perf_counter()
    progress = progress_bar("judge")
    task = progress.add_task("judge", total=len(rows), completed=len(done), detail="")
    counts = {"failed": 0, "sum": 0.0, "n": 0}

    with JsonlAppender(output) as out, progress:

        def on_result(i: int, result: JudgeResult) -> None:
            nonlocal next_to_write
            results[i] = result
            if result.score is None:
                counts["failed"] += 1
            else:
                counts["sum"] += result.score
                counts["n"] += 1
            # Write in input order: flush the finished prefix.
            while next_to_write in results:
                row = {**todo[next_to_write], **results[next_to_write].to_columns()}
                out.write(row)
                next_to_write += 1
            mean = counts["sum"] / counts["n"] if counts["n"] else 0.0
            progress.update(task, advance=1, detail=f"mean {mean:.2f} · failed {counts['failed']}")

        run_sync(judge_obj.ajudge(todo, on_result=on_result))

    judged = read_rows(output)
    all_results = [
        JudgeResult(
            r.get("score"), r.get("comment"), r.get("score_expected"), error=r.get("judge_error")
        )
        for r in judged
    ]
    summary = score_summary(all_results)
    step: dict[str, Any] = {
        "model": spec,
        "generator_model": generator,
        "language": judge_obj.language,
        "criteria": list(judge_obj.rubric.criteria),
        "samples": judge_obj.samples,
        "rows": len(judged),
        **summary,
        "elapsed_s": round(time.perf_counter() - start, 1),
    }
    if min_score is not None:
        kept_rows = [
            r for r in judged if isinstance(r.get("score"), int) and r["score"] >= min_score
        ]
        kept_path = kept or default_sidecar(output, "kept")
        write_rows(kept_path, kept_rows)
        step.update(min_score=min_score, below_min_score=len(judged) - len(kept_rows))
        record_step(kept_path, input, "judge", step)
    record_step(output, input, "judge", step)

    dist = "  ".join(f"{k}: {v}" for k, v in summary["distribution"].items())
    table = {
        "judge model": spec,
        "rows": len(judged),
        "judged": summary["judged"],
        "failed": summary["failed"],
        "mean score": summary["mean"],
        "mean probability-weighted score": summary["mean_expected"],
        "distribution": dist,
        "time (this session)": f"{step['elapsed_s']} s",
    }
    if min_score is not None:
        table[f"kept (score ≥ {min_score})"] = len(judged) - step["below_min_score"]
    console.print(kv_table("Judge", table))
    console.print(f"wrote {len(judged)} rows to {output}")
    if min_score is not None:
        console.print(f"kept rows: {kept or default_sidecar(output, 'kept')}")


def _pairwise(
    rows: list[dict[str, Any]],
    llm: Any,
    spec: str,
    info: Any,
    criteria: Any,
    language: str,
    against: Path | None,
    request: str | None,
    output: Path,
    input: Path,
    concurrency: int,
    generator: str | None,
) -> None:
    from langsynth._async import run_sync
    from langsynth.chains.judge import PairwiseJudge, PairwiseResult, agreement_rate
    from langsynth.datafile import read_rows, write_rows
    from langsynth.errors import ConfigurationError
    from langsynth.lineage import record_step

    pj = PairwiseJudge(
        llm,
        schema=info,
        criteria=criteria,
        language=language,
        concurrency=concurrency,
        generator_model=generator,
    )
    if against is not None:
        second = read_rows(against, limit=len(rows))
        pairs = list(zip(rows, second, strict=False))
    else:
        pairs = [(rows[i], rows[i + 1]) for i in range(0, len(rows) - 1, 2)]
    if not pairs:
        raise ConfigurationError("No pairs to compare: give --against or at least two rows.")
    from langsynth.chains.judge import default_rubric, to_item

    rubric = default_rubric(info)
    subject = (info.subject or info.name) if info is not None else "record"
    triples = []
    for first, sec in pairs:
        item_a = to_item(first, rubric=rubric, subject=subject)
        item_b = to_item(sec, rubric=rubric, subject=subject)
        triples.append((request or item_a.request, item_a.response, item_b.response))
    progress = progress_bar("pairwise")
    task = progress.add_task("pairwise", total=len(triples), detail="")
    start = time.perf_counter()

    def on_result(i: int, result: PairwiseResult) -> None:
        progress.update(task, advance=1)

    with progress:
        results = run_sync(pj.ajudge(triples, on_result=on_result))
    out_rows = [
        {"request": t[0], "first": t[1], "second": t[2], **r.to_columns()}
        for t, r in zip(triples, results, strict=True)
    ]
    write_rows(output, out_rows)
    rate = agreement_rate(results)
    kept_verdicts = [r for r in results if r.consistent]
    wins = {w: sum(1 for r in kept_verdicts if r.winner == w) for w in ("first", "second", "tie")}
    summary = {
        "model": spec,
        "pairs": len(results),
        "failed": sum(1 for r in results if r.error),
        "consistent": len(kept_verdicts),
        "agreement_rate": round(rate, 3) if rate is not None else None,
        "wins": wins,
        "elapsed_s": round(time.perf_counter() - start, 1),
    }
    record_step(output, input, "pairwise", summary)
    console.print(
        kv_table(
            "Pairwise (order swapped)",
            {
                "judge model": spec,
                "pairs": summary["pairs"],
                "failed": summary["failed"],
                "verdicts kept (both orders agree)": summary["consistent"],
                "agreement rate": summary["agreement_rate"],
                "first / second / tie": f"{wins['first']} / {wins['second']} / {wins['tie']}",
                "time": f"{summary['elapsed_s']} s",
            },
        )
    )
    console.print(f"wrote {len(out_rows)} comparisons to {output}")
