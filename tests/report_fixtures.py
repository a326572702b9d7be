"""Run directories and data files built by hand, in the layout of the run engine (ENGINE.md).

``OUT`` and beside it ``OUT.run/`` with ``journal.jsonl`` (``{"i", "row"}``), ``rejected.jsonl``
(``{"i", "error", "raw_output", "kind"}``) and ``manifest.json``; optionally the split files and
data card that ``langsynth export --split`` writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TITLES = [
    ("The Shining", 1980, "horror"),
    ("Spirited Away", 2001, "animation"),
    ("Parasite", 2019, "thriller"),
    ("Alien", 1979, "science fiction"),
    ("Amélie", 2001, "romance"),
    ("Oldboy", 2003, "thriller"),
    ("Get Out", 2017, "horror"),
    ("Paddington 2", 2017, "family"),
    ("Heat", 1995, "crime"),
    ("Arrival", 2016, "science fiction"),
    ("The Host", 2006, "horror"),
    ("Up", 2009, "animation"),
    ("Memories of Murder", 2003, "crime"),
    ("Before Sunrise", 1995, "romance"),
    ("Mad Max: Fury Road", 2015, "action"),
    ("Train to Busan", 2016, "horror"),
    ("Whiplash", 2014, "drama"),
    ("Coco", 2017, "animation"),
]
REASONS = [
    "Kubrick turns an empty hotel into a maze of dread that stays with you for days.",
    "A girl's journey through a spirit world, full of imagination and warmth for all ages.",
    "A sharp story about class that turns from dark comedy into a gripping thriller.",
    "The crew of a cargo ship meets a perfect predator in the cramped corridors of space.",
    "Paris seen through the eyes of a shy waitress who secretly arranges other lives.",
    "A man locked in a room for fifteen years hunts for the reason, with a twist at the end.",
    "Meeting a girlfriend's parents becomes a nightmare in this clever social satire.",
    "A polite bear brings out the best in a whole city; charming and very funny.",
    "Two patient professionals, a detective and a thief, circle each other across Los Angeles.",
    "A linguist learns an alien language and with it a new way of seeing time.",
    "A monster rises from the Han river and a clumsy family fights to save their daughter.",
    "An old man ties balloons to his house and flies away with an unexpected companion.",
    "Detectives in a rural town chase a serial killer with few clues and fewer methods.",
    "Two strangers walk through Vienna for one night and talk about everything.",
    "이 영화는 사막을 가로지르는 추격전으로 처음부터 끝까지 숨 막히는 액션을 보여 줍니다.",
    "부산행 열차 안에서 벌어지는 좀비 사태가 가족애와 공포를 함께 그려 냅니다.",
    "A drummer and his ruthless teacher push each other past every limit.",
    "A boy travels to the Land of the Dead to learn the truth about his family's music.",
]
COMMENTS = {5: "요청에 잘 맞는 추천입니다.", 4: "대체로 좋습니다.", 3: "이유가 조금 막연합니다.",
            2: "장르가 요청과 다릅니다.", 1: "요청과 맞지 않습니다."}  # fmt: skip


def movie_rows(n: int = 18) -> list[dict[str, Any]]:
    """``n`` judged movie recommendations; row 5 repeats row 1's title (an exact duplicate of
    the dedup field) and row 9's reason is row 3's with one word changed (a near duplicate)."""
    rows = []
    for i in range(n):
        title, year, genre = TITLES[i % len(TITLES)]
        reason = REASONS[i % len(REASONS)]
        score = [5, 4, 5, 3, 2, 5, 4, 1, 5, 3][i % 10]
        rows.append(
            {
                "title": title,
                "year": year,
                "genre": genre,
                "reason": reason,
                "score": score,
                "comment": COMMENTS[score],
                "score_expected": float(score),
            }
        )
    if n > 5:
        rows[5]["title"] = rows[1]["title"]
    if n > 9:
        rows[9]["reason"] = rows[3]["reason"].replace("predator", "hunter")
    return rows


REJECTIONS = [
    {"i": 3, "kind": "invalid", "error": "year: Input should be less than or equal to 2027",
     "raw_output": '{"title": "Future Film", "year": 2999, "genre": "horror", "reason": "x"}'},
    {"i": 7, "kind": "invalid", "error": "not valid JSON: Expecting ',' delimiter",
     "raw_output": '{"title": "Heat" "year": 1995'},
    {"i": 11, "kind": "duplicate", "error": "duplicate of record 0 (exact title)",
     "raw_output": '{"title": "The Shining", "year": 1980, "genre": "horror",'
                   ' "reason": "Scary <script>alert(1)</script> hotel."}'},
]  # fmt: skip


def manifest(rows: int, rejected: int, **extra: Any) -> dict[str, Any]:
    """A manifest in the engine's layout."""
    return {
        "job": "generate",
        "schema": "movie_recommendation",
        "model": "openai:gpt-4o-mini",
        "status": "complete",
        "params": {
            "n": rows,
            "temperature": 0.9,
            "seed": 7,
            "prompt": "You are 'CineMaster'. Recommend exactly one movie for: {request}",
        },
        "counts": {"requested": rows, "valid": rows, "rejected": rejected},
        "usage": {
            "input_tokens": 41_000,
            "cached_input_tokens": 12_000,
            "output_tokens": 2_450,
            "llm_calls": rows + rejected,
        },
        "elapsed_s": 37.5,
        "started_at": "2026-11-30T09:00:00+00:00",
        "finished_at": "2026-11-30T09:00:38+00:00",
        **extra,
    }


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def make_run(
    root: Path,
    *,
    name: str = "movies.jsonl",
    rows: list[dict[str, Any]] | None = None,
    output: bool = True,
    split: bool = False,
    **manifest_extra: Any,
) -> Path:
    """Write ``root/name`` and ``root/name.run/``; returns the output path (it may not exist
    when ``output`` is false, as for a run still in progress)."""
    data = movie_rows() if rows is None else rows
    out = root / name
    run = root / f"{name}.run"
    write_jsonl(run / "journal.jsonl", [{"i": i, "row": r} for i, r in enumerate(data)])
    write_jsonl(run / "rejected.jsonl", REJECTIONS)
    (run / "manifest.json").write_text(
        json.dumps(manifest(len(data), len(REJECTIONS), **manifest_extra), indent=2), "utf-8"
    )
    if output:
        write_jsonl(out, data)
    if split:
        cut = int(len(data) * 0.8)
        stem = out.stem
        write_jsonl(root / f"{stem}.train.jsonl", data[:cut])
        write_jsonl(root / f"{stem}.validation.jsonl", data[cut:])
        (root / f"{stem}.card.md").write_text(
            f"# Data card: {name}\n\n| file | part | rows |\n|---|---|---:|\n"
            f"| `{stem}.train.jsonl` | train | {cut} |\n"
            f"| `{stem}.validation.jsonl` | validation | {len(data) - cut} |\n",
            "utf-8",
        )
    return out


def roundtrip_rows() -> list[dict[str, Any]]:
    """Round-trip output rows (``labels`` vs ``prediction``) of ``actor_filmography``."""
    gold = [
        {"Actor": "Mira Sol", "Film": ["Glass Harbor", "Night Orchard"]},
        {"Actor": "Jun Park", "Film": ["Salt Road"]},
        {"Actor": "Ana Vries", "Film": ["The Long Thaw", "Copper Sky", "Low Tide"]},
        {"Actor": "Lee Moon", "Film": ["Paper Lanterns"]},
    ]
    preds: list[dict[str, Any] | None] = [
        {"Actor": "Mira Sol", "Film": ["Glass Harbor", "Night Orchard"]},
        {"Actor": "Jun Park", "Film": ["Salt Road", "Iron Bay"]},
        {"Actor": "Anna Vries", "Film": ["The Long Thaw", "Copper Sky"]},
        None,
    ]
    return [
        {"id": i, "text": f"text {i}", "labels": g, "prediction": p}
        for i, (g, p) in enumerate(zip(gold, preds, strict=True))
    ]
