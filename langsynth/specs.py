"""What a chat model was built from: the spec string langsynth records in manifests.

Kept apart from :mod:`langsynth.llm` (which builds models) so that the run engine can name a
step's model without importing the model layer.
"""

from __future__ import annotations

from typing import Any


def model_spec_of(llm: Any) -> str:
    """The spec a chat model was built from, or a description of a model built elsewhere."""
    bound = getattr(llm, "bound", llm)  # RunnableBinding (e.g. llm.bind(...))
    metadata = getattr(bound, "metadata", None) or {}
    if "langsynth_spec" in metadata:
        return str(metadata["langsynth_spec"])
    name = getattr(bound, "model_name", None) or getattr(bound, "model", None)
    return f"{type(bound).__name__}({name})" if name else type(bound).__name__


def is_local_spec(spec: str | None) -> bool:
    """Whether a spec names an embedded model (which costs nothing per token)."""
    return bool(spec) and (spec == "local" or str(spec).startswith(("local-", "local:")))
