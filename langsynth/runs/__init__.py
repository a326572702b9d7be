"""The run engine every long job uses: journal, rejections, manifest, resume, lock, signals.

See :mod:`langsynth.runs.engine` for how a run goes, :mod:`langsynth.runs.store` for what
it leaves on disk, and :mod:`langsynth.runs.steps` for the two kinds of step it runs.
"""

from langsynth.runs.engine import RunOptions, run_map, run_source
from langsynth.runs.protocols import (
    Admission,
    AdmitAll,
    Executor,
    KeyAdmission,
    LocalExecutor,
    Verdict,
)
from langsynth.runs.result import RunResult
from langsynth.runs.stats import Budget, RunStats
from langsynth.runs.steps import MapStep, SourceStep, run_blocking
from langsynth.runs.store import (
    RunStore,
    check_output,
    fingerprint,
    read_manifest,
    run_dir_for,
)

__all__ = [
    "Admission",
    "AdmitAll",
    "Budget",
    "Executor",
    "KeyAdmission",
    "LocalExecutor",
    "MapStep",
    "RunOptions",
    "RunResult",
    "RunStats",
    "RunStore",
    "SourceStep",
    "Verdict",
    "check_output",
    "fingerprint",
    "read_manifest",
    "run_blocking",
    "run_dir_for",
    "run_map",
    "run_source",
]
