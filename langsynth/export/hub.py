"""The Hugging Face Hub: the dataset card's YAML metadata, and pushing an export folder.

An ``export --format hf`` folder is what the Hub shows as a dataset: ``README.md`` is the
langsynth data card under a YAML header the Hub reads (license, task categories, size
category, languages, ``configs`` pointing each split at its Arrow files, the features), and
``datasets.load_dataset(folder)`` as well as ``load_from_disk(folder)`` read it.

:func:`push_to_hub` uploads such a folder with ``huggingface_hub``. The token comes from
``HF_TOKEN`` only (the environment, or a ``.env`` file in the working directory), never from
the Hub client's own login cache, and is never printed or logged.
"""

from __future__ import annotations

import importlib
import os
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from langsynth._version import __version__
from langsynth.errors import HubError
from langsynth.hf_disk import require_datasets, require_hub, saved_kind, saved_splits
from langsynth.quality.fields import long_text_fields

TOKEN_VARIABLE = "HF_TOKEN"
# langsynth cannot know the license of generated data; the user says it (--license).
DEFAULT_LICENSE = "unknown"
LABEL_COLUMNS = ("label", "labels", "class", "category")
# The Hub's size categories: (upper bound, name).
SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
)
# Unicode script (first word of a character's name) -> ISO 639-1 language it implies.
SCRIPT_LANGUAGES = {
    "HANGUL": "ko",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "CJK": "zh",
    "CYRILLIC": "ru",
    "GREEK": "el",
    "ARABIC": "ar",
    "HEBREW": "he",
    "THAI": "th",
    "DEVANAGARI": "hi",
    "LATIN": "en",
}
MIN_SCRIPT_SHARE = 0.1


@dataclass(frozen=True)
class CardMetadata:
    """What the Hub reads from a dataset card; ``None`` parts are derived from the data."""

    license: str | None = None
    languages: Sequence[str] | None = None
    task_categories: Sequence[str] | None = None
    pretty_name: str | None = None
    tags: Sequence[str] = field(default=("synthetic", "langsynth"))


def size_category(n: int) -> str:
    """The Hub's size category of ``n`` rows, e.g. ``"n<1K"``."""
    for bound, name in SIZE_CATEGORIES:
        if n < bound:
            return name
    return "n>1B"


def guess_languages(rows: Sequence[Mapping[str, Any]], *, sample: int = 500) -> list[str]:
    """Languages implied by the scripts of the text (a guess: Latin script is taken as
    English, Han without kana as Chinese); each script must hold 10% of the letters."""
    counts: dict[str, int] = {}
    for row in rows[:sample]:
        for value in row.values():
            for text in value if isinstance(value, list) else [value]:
                if not isinstance(text, str):
                    continue
                for char in text:
                    if char.isalpha():
                        script = unicodedata.name(char, "").split(" ", 1)[0]
                        counts[script] = counts.get(script, 0) + 1
    letters = sum(counts.values())
    if not letters:
        return []
    if counts.get("HIRAGANA", 0) + counts.get("KATAKANA", 0):
        counts["HIRAGANA"] = counts.get("HIRAGANA", 0) + counts.pop("CJK", 0)  # kanji of Japanese
    found: dict[str, int] = {}
    for script, n in counts.items():
        language = SCRIPT_LANGUAGES.get(script)
        if language is not None:
            found[language] = found.get(language, 0) + n
    return sorted(lang for lang, n in found.items() if n / letters >= MIN_SCRIPT_SHARE)


def guess_task_categories(
    rows: Sequence[Mapping[str, Any]], features: Mapping[str, Any]
) -> list[str]:
    """The Hub task category the rows serve: prompt/response pairs -> ``text-generation``;
    a text with a class label -> ``text-classification``; other long text ->
    ``text-generation``; records of short fields -> ``tabular-to-text``."""
    from langsynth.export.formats import PairSpec

    datasets = require_datasets()
    if PairSpec().resolve(rows).user_field is not None:
        return ["text-generation"]
    texts = long_text_fields(rows)
    has_label = any(
        isinstance(f, datasets.ClassLabel) or name.lower() in LABEL_COLUMNS
        for name, f in features.items()
    )
    if texts and has_label:
        return ["text-classification"]
    return ["text-generation"] if texts else ["tabular-to-text"]


def card_data(
    parts: Mapping[str, Sequence[Mapping[str, Any]]],
    features: Any,
    *,
    metadata: CardMetadata | None = None,
    title: str,
    num_bytes: Mapping[str, int] | None = None,
) -> Any:
    """The ``huggingface_hub.DatasetCardData`` of an export folder of ``parts`` (splits);
    ``num_bytes`` per split when known."""
    hub = require_hub()
    datasets = require_datasets()
    meta = metadata or CardMetadata()
    rows = [row for part in parts.values() for row in part]
    data = hub.DatasetCardData(
        license=meta.license or DEFAULT_LICENSE,
        language=list(meta.languages) if meta.languages else guess_languages(rows) or None,
        task_categories=list(meta.task_categories or guess_task_categories(rows, features)),
        size_categories=[size_category(len(rows))],
        pretty_name=meta.pretty_name or title,
        annotations_creators=["machine-generated"],
        language_creators=["machine-generated"],
        source_datasets=["original"],
        tags=list(meta.tags),
        configs=[
            {
                "config_name": "default",
                "data_files": [{"split": name, "path": f"{name}/*.arrow"} for name in parts],
            }
        ],
    )
    splits = datasets.SplitDict()
    for name, part in parts.items():
        size = (num_bytes or {}).get(name, 0)
        splits.add(datasets.SplitInfo(name=name, num_examples=len(part), num_bytes=size))
    info = datasets.DatasetInfo(features=features, splits=splits)
    datasets.info.DatasetInfosDict({"default": info}).to_dataset_card_data(data)
    return data


def dataset_card(data: Any, body: str) -> str:
    """``README.md`` text: the YAML metadata, then the Markdown card."""
    return f"---\n{data.to_yaml()}\n---\n\n{body}"


class HubApi(Protocol):
    """What :func:`push_to_hub` calls (``huggingface_hub.HfApi`` has it; tests pass a fake)."""

    def create_repo(self, repo_id: str, **kwargs: Any) -> Any: ...

    def upload_folder(self, **kwargs: Any) -> Any: ...


def hub_token() -> str:
    """``HF_TOKEN`` from the environment or ``.env``; :class:`HubError` if it is not set."""
    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        from dotenv import dotenv_values, find_dotenv

        path = find_dotenv(usecwd=True)
        token = (dotenv_values(path).get(TOKEN_VARIABLE) if path else None) or None
    if not token:
        raise HubError(
            f"Pushing to the Hugging Face Hub needs a token: set {TOKEN_VARIABLE} in the "
            "environment or in a .env file (a write token from your Hub settings)."
        )
    return token


def _transport_errors() -> tuple[type[BaseException], ...]:
    """The HTTP client's own errors (httpx for huggingface_hub 1.x, httpx2 for 2.x)."""
    errors: list[type[BaseException]] = [OSError]
    for name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        errors.append(module.HTTPError)
    return tuple(errors)


def check_export_folder(folder: str | Path) -> Any:
    """The parsed dataset card of an ``export --format hf`` folder, or :class:`HubError`."""
    hub = require_hub()
    p = Path(folder)
    if saved_kind(p) != "dict" or not (p / "README.md").is_file():
        raise HubError(
            f"{p} is not a folder written by `langsynth export --format hf` (it needs "
            "dataset_dict.json and README.md); export it first."
        )
    card = hub.DatasetCard.load(p / "README.md")
    configs = card.data.to_dict().get("configs") or []
    listed = {f.get("split") for c in configs for f in c.get("data_files", [])}
    missing = sorted(set(saved_splits(p)) - listed)
    if missing:
        raise HubError(f"{p / 'README.md'}: its configs do not list the split(s) {missing}.")
    return card


def push_to_hub(
    folder: str | Path,
    repo_id: str,
    *,
    private: bool = False,
    api: HubApi | None = None,
    commit_message: str | None = None,
) -> str:
    """Upload an export folder as the dataset repo ``repo_id`` (created if needed); returns
    the repo's URL. The token is ``HF_TOKEN``; ``api`` defaults to ``huggingface_hub.HfApi``.

    ``private`` applies when the repo is created; an existing repo keeps its visibility.
    """
    hub = require_hub("push_to_hub")
    check_export_folder(folder)
    try:
        hub.utils.validate_repo_id(repo_id)
    except hub.errors.HFValidationError as exc:
        raise HubError(
            f"{repo_id!r} is not a Hub repo id ({exc}); use NAME or OWNER/NAME."
        ) from None
    token = hub_token()
    client = (
        api
        if api is not None
        else hub.HfApi(token=token, library_name="langsynth", library_version=__version__)
    )
    try:
        repo = client.create_repo(
            repo_id, repo_type="dataset", private=private, exist_ok=True, token=token
        )
        target = str(getattr(repo, "repo_id", None) or repo_id)
        client.upload_folder(
            repo_id=target,
            folder_path=str(folder),
            repo_type="dataset",
            commit_message=commit_message or f"Upload dataset made with langsynth {__version__}",
            token=token,
        )
    except _transport_errors() as exc:
        message = str(exc).replace(token, "***")  # never echo the token
        raise HubError(f"Uploading {folder} to {repo_id} failed: {message}") from None
    return str(repo)  # huggingface_hub's RepoUrl is the URL as a str
