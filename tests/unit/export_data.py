"""Rows the export tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GENRES = ["horror", "comedy", "drama", "romance", "western"]


def movies(n: int) -> list[dict[str, Any]]:
    """``n`` distinct movie recommendations with judge columns (score, comment)."""
    return [
        {
            "title": f"Film number {i}",
            "year": 1960 + i,
            "genre": GENRES[i % len(GENRES)],
            "reason": f"Reason {i}: a distinct story about topic {i} with its own characters {i}.",
            "score": 1 + i % 5,
            "comment": "ok",
        }
        for i in range(n)
    ]


def read_jsonl(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines()]
