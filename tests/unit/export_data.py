"""Rows the export tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GENRES = ["horror", "comedy", "drama", "romance", "western"]
# Titles far apart (no typo-like pairs such as "Film 1"/"Film 2", which dedup's fuzzy
# check on the schema's title field rightly calls duplicates).
TITLES = (
    "Amber Harbor", "Broken Compass", "Crimson Tide Pool", "Desert Lanterns", "Echo Valley",
    "Falling Orchard", "Glass Mountain", "Hollow Crown Inn", "Iron Meadow", "Jade Kingdom",
    "Kite Runner's Bay", "Lost Cartographer", "Midnight Ferry", "Northern Quarry",
    "Opal Streetcar", "Paper Lighthouse", "Quiet Volcano", "River of Clocks", "Silver Oak",
    "Thunder Pantry", "Umbrella Parade", "Velvet Glacier", "Winter Apiary", "Xylophone Hills",
    "Yellow Submarine Dock", "Zero Gravity Diner", "Autumn Telegraph", "Brass Nightingale",
    "Copper Fields", "Dandelion Code",
)  # fmt: skip


def movies(n: int) -> list[dict[str, Any]]:
    """``n`` distinct movie recommendations with judge columns (score, comment)."""
    return [
        {
            "title": TITLES[i],
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
