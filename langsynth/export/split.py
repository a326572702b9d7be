"""The seeded train/validation split, done after dedup so that no duplicate crosses it.

:func:`dedup_and_split` marks duplicates first (:func:`langsynth.quality.dedup`), drops them
unless asked to keep them, and splits with :func:`split_indices`, where rows still linked by
``duplicate_of`` are one group and always land on the same side. Every export format (files,
fine-tuning examples, a Hugging Face ``DatasetDict``) is written from these parts.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langsynth.errors import ConfigurationError
from langsynth.export.formats import content_only

if TYPE_CHECKING:
    from langsynth.quality.duplicates import DedupHints


def split_indices(
    n: int, *, train_fraction: float, seed: int = 0, groups: Sequence[int] | None = None
) -> tuple[list[int], list[int]]:
    """Seeded train/validation row indices; rows of one group stay on one side.

    ``groups[i]`` is the group of row ``i`` (e.g. its ``duplicate_of``, or ``i``).
    The validation side gets whole groups until it holds ``round((1 - f) * n)`` rows, and at
    least one row (at most ``n - 1``) when ``f < 1`` and there are two rows or more.
    """
    if not 0.0 < train_fraction <= 1.0:
        raise ConfigurationError(f"--split must be in (0, 1], got {train_fraction}.")
    group_of = list(groups) if groups is not None else list(range(n))
    members: dict[int, list[int]] = {}
    for i, g in enumerate(group_of):
        members.setdefault(g, []).append(i)
    order = sorted(members)
    random.Random(seed).shuffle(order)
    target = round((1.0 - train_fraction) * n)
    if train_fraction < 1.0 and n >= 2:
        # A split that leaves one side empty is no split (and an empty file to upload).
        target = min(n - 1, max(1, target))
    validation: list[int] = []
    for g in order:
        if len(validation) >= target:
            break
        validation.extend(members[g])
    chosen = set(validation)
    return [i for i in range(n) if i not in chosen], sorted(validation)


@dataclass
class SplitRows:
    """Rows after dedup, as named parts: ``[("train", rows), ("validation", rows)]`` for a
    split, ``[("all", rows)]`` without one."""

    parts: list[tuple[str, list[dict[str, Any]]]]
    input_rows: int
    dropped: int
    dedup_summary: dict[str, Any]

    @property
    def kept(self) -> list[dict[str, Any]]:
        """All exported rows (the parts together)."""
        return [row for _, rows in self.parts for row in rows]


def dedup_and_split(
    rows: Sequence[Mapping[str, Any]],
    *,
    split: float | None = None,
    seed: int = 0,
    drop_duplicates: bool = True,
    schema: DedupHints | None = None,
    dedup_kwargs: Mapping[str, Any] | None = None,
    include_bookkeeping: bool = False,
) -> SplitRows:
    """Dedup, then split ``rows`` (``split`` is the train fraction; ``None`` or 1: no split).

    ``schema`` and ``dedup_kwargs`` go to :func:`langsynth.quality.dedup`, which resolves
    the defaults (the same as ``langsynth dedup``'s).
    """
    from langsynth.quality.duplicates import dedup

    data = [dict(r) for r in rows]
    if not data:
        raise ConfigurationError("Nothing to export: the input has no rows.")
    # Dedup before the split, so that no duplicate can cross it.
    marked = dedup(data, schema=schema, **dict(dedup_kwargs or {}))
    groups_all = [
        r["duplicate_of"] if r["duplicate_of"] is not None else i for i, r in enumerate(marked.rows)
    ]
    if drop_duplicates:
        keep = [i for i, r in enumerate(marked.rows) if r["duplicate_of"] is None]
    else:
        keep = list(range(len(data)))
    kept_rows = [data[i] for i in keep]
    groups = [groups_all[i] for i in keep]
    if not include_bookkeeping:
        kept_rows = [content_only(r) for r in kept_rows]

    parts: list[tuple[str, list[dict[str, Any]]]]
    if split is not None and split < 1.0:
        if len(kept_rows) < 2:
            raise ConfigurationError(
                f"{len(kept_rows)} row(s) cannot be split into train and validation; export "
                "without --split, or with more rows."
            )
        train_idx, val_idx = split_indices(
            len(kept_rows), train_fraction=split, seed=seed, groups=groups
        )
        parts = [
            ("train", [kept_rows[i] for i in train_idx]),
            ("validation", [kept_rows[i] for i in val_idx]),
        ]
    else:
        parts = [("all", kept_rows)]
    return SplitRows(parts, len(data), len(data) - len(keep), marked.summary())
