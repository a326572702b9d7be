"""``langsynth judge``: scores and comments on the run engine, or pairwise with order swap.

Parse the options, build :class:`~langsynth.judge.PointwiseJudge` or
:class:`~langsynth.judge.PairwiseJudge`, call ``run(rows, output=..., resume=...)``, print.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Any

import typer

from langsynth.cli._app import app, console, err_console
from langsynth.cli._options import default_sidecar, kv_table, schema_for


@app.command()
def judge(
    input: Annotated[Path, typer.Option("--input", "-i", help="Rows: .jsonl/.json/.csv/.parquet.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Rows with score/comment columns (.jsonl).")
    ],
    criteria: Annotated[
        str | None,
        typer.Option(
            help='Criteria on one line separated by ";" ("fits the request; is correct"), '
            "one per line, or a file (default: the schema's)."
        ),
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
    samples: Annotated[
        int, typer.Option(min=1, help="Answers per check, averaged (models without logprobs).")
    ] = 1,
    temperature: Annotated[float, typer.Option(help="Judge temperature.")] = 0.0,
    max_tokens: Annotated[int, typer.Option(help="Max tokens of one comment.")] = 120,
    comment: Annotated[
        str,
        typer.Option(
            help="model: the judge writes each comment; checks: composed from its checks (faster)."
        ),
    ] = "model",
    concurrency: Annotated[int, typer.Option(min=1, help="Requests in flight.")] = 2,
    limit: Annotated[int | None, typer.Option(help="Judge only the first N rows.")] = None,
    pairwise: Annotated[
        bool,
        typer.Option(
            help="Compare candidates pairwise (row i of --input vs row i of "
            "--against, or rows 2k and 2k+1), twice with the order swapped."
        ),
    ] = False,
    pairwise_mode: Annotated[
        str,
        typer.Option(
            help="separate: judge each candidate on its own and compare the scores (the order "
            "cannot matter); together: show both, ask about each side, in both orders."
        ),
    ] = "separate",
    against: Annotated[Path | None, typer.Option(help="Second candidates for --pairwise.")] = None,
    request: Annotated[
        str | None, typer.Option(help="The request both candidates answer (--pairwise).")
    ] = None,
    resume: Annotated[bool, typer.Option(help="Continue a run that wrote OUTPUT.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace OUTPUT.")] = False,
) -> None:
    """Score each row 1-5 with a comment: a checklist judge with a request gate.

    Rows are records (the schema tells the judge what was asked) or rows with a request /
    prompt column and a response or the record's fields. Each criterion is one yes/no check;
    a response that does not give what was asked scores at most 2; a record that breaks a
    schema rule scores 1. Output is journalled as it is produced; --resume continues.
    """
    from langsynth.datafile import read_rows
    from langsynth.judge import PairwiseJudge, PointwiseJudge, SelfJudgingWarning
    from langsynth.lineage import read_lineage
    from langsynth.llm import get_judge_model
    from langsynth.runs import check_output

    check_output(output, resume=resume, overwrite=overwrite)
    rows = read_rows(input, limit=limit)
    lineage = read_lineage(input)
    info = schema_for(schema, lineage)
    generation = lineage.get("generation") or {}
    generator = (
        generator_model or generation.get("model") or (generation.get("params") or {}).get("model")
    )
    if samples > 1 and temperature == 0:
        err_console.print(
            "[yellow]warning:[/] --samples > 1 at temperature 0 repeats the same verdict; "
            "set --temperature (e.g. 0.7)."
        )
    llm = get_judge_model(judge_model, temperature=temperature, max_tokens=max_tokens)
    options: dict[str, Any] = dict(
        schema=info, criteria=criteria, language=language, concurrency=concurrency
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SelfJudgingWarning)
        step: PointwiseJudge | PairwiseJudge
        if pairwise:
            step = PairwiseJudge(llm, mode=pairwise_mode, generator_model=generator, **options)
        else:
            step = PointwiseJudge(
                llm,
                samples=samples,
                comment=comment,
                max_tokens=max_tokens,
                generator_model=generator,
                prompt_field=prompt_field,
                response_field=response_field,
                **options,
            )
    for w in caught:
        err_console.print(f"[yellow]warning:[/] {w.message}")
    inputs: list[dict[str, Any]] = rows
    if isinstance(step, PairwiseJudge):
        second = read_rows(against, limit=len(rows)) if against is not None else None
        inputs = step.pairs(rows, second, request=request)
    result = step.run(inputs, output=output, resume=resume, overwrite=overwrite, progress=True)
    if isinstance(step, PairwiseJudge):
        _print_pairwise(step, result.rows, output)
    else:
        _print_pointwise(step, result.rows, input, output, min_score, kept)


def _print_pointwise(
    step: Any,
    rows: list[dict[str, Any]],
    input: Path,
    output: Path,
    min_score: int | None,
    kept: Path | None,
) -> None:
    from langsynth.datafile import write_rows
    from langsynth.judge import JudgeResult, rows_scoring_at_least, score_summary, spread_warning
    from langsynth.lineage import record_step

    results = [JudgeResult.from_row(r) for r in rows]
    summary = score_summary(results)
    table = {
        "judge model": step.model_spec(),
        "rows": len(rows),
        "judged": summary["judged"],
        "failed": summary["failed"],
        "mean score": summary["mean"],
        "mean probability-weighted score": summary["mean_expected"],
        "distribution": "  ".join(f"{k}: {v}" for k, v in summary["distribution"].items()),
    }
    kept_path = None
    if min_score is not None:
        kept_rows = rows_scoring_at_least(rows, min_score)
        kept_path = kept or default_sidecar(output, "kept")
        write_rows(kept_path, kept_rows)
        record_step(kept_path, input, "judge", {**summary, "min_score": min_score})
        table[f"kept (score ≥ {min_score})"] = len(kept_rows)
    console.print(kv_table("Judge", table))
    warning = spread_warning(results)
    if warning:
        err_console.print(f"[yellow]warning:[/] {warning}")
    console.print(f"wrote {len(rows)} rows to {output}")
    if kept_path is not None:
        console.print(f"kept rows: {kept_path}")


def _print_pairwise(step: Any, rows: list[dict[str, Any]], output: Path) -> None:
    from langsynth.judge import PairwiseResult, pairwise_summary

    summary = pairwise_summary([PairwiseResult.from_row(r) for r in rows])
    wins = summary["wins"]
    console.print(
        kv_table(
            "Pairwise (order swapped)",
            {
                "judge model": step.model_spec(),
                "pairs": summary["pairs"],
                "failed": summary["failed"],
                "verdicts kept (both orders agree)": summary["consistent"],
                "agreement rate": summary["agreement_rate"],
                "first / second / tie": f"{wins['first']} / {wins['second']} / {wins['tie']}",
            },
        )
    )
    console.print(f"wrote {len(rows)} comparisons to {output}")
