"""One self-contained HTML page about a run or a data file: ``langsynth report OUT``.

The page shows the run's manifest (model, prompt, parameters, tokens, cost, time), the
accepted records in a sortable, filterable table, the rejections with their raw output,
per-field length and value distributions, duplicates, judge scores with the lowest-scored
rows, round-trip per-field F1, diversity (distinct-n, similarity, coverage) and the export
split. What the input cannot tell is listed at the top instead of failing. No network: CSS,
script and charts (inline SVG) are in the file.

>>> from langsynth.report import build_report
>>> build_report("out/bills.csv")  # doctest: +SKIP
PosixPath('out/bills.report.html')
"""

from langsynth.report.build import Report, build_report, default_report_path, make_report
from langsynth.report.source import ReportSource, load_source

__all__ = [
    "Report",
    "ReportSource",
    "build_report",
    "default_report_path",
    "load_source",
    "make_report",
]
