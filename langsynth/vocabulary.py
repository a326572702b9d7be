"""Vocabulary injection (TinyStories, seed 002): random words and story features per prompt.

High temperature alone leaves a small model telling the same story about "a little girl
named Lily". TinyStories (Eldan & Li, 2023) drew one verb, one noun and one adjective from a
child's vocabulary, plus a random subset of story features (dialogue, plot twist, bad ending,
moral, ...), and asked for a story that uses them. langsynth ships such word lists
(a few hundred words each, package data in ``langsynth/words/``) and the features.

The drawn features are labels: a story drawn with ``dialogue`` is a positive example for a
"does this story have dialogue?" classifier (see :func:`langsynth.synthesis.feature_labels`).

>>> import random
>>> vocab = load_vocabulary()
>>> draw = vocab.draw(random.Random(7))
>>> draw == vocab.draw(random.Random(7))
True
>>> sorted(draw.words)
['adjective', 'noun', 'verb']
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from langsynth.errors import ConfigurationError


@dataclass(frozen=True)
class StoryFeature:
    """A story feature: ``name`` is the label, ``instruction`` the clause put in the prompt."""

    name: str
    instruction: str


# The features of TinyStories, worded short and concrete for small models.
STORY_FEATURES: tuple[StoryFeature, ...] = (
    StoryFeature("dialogue", "it has dialogue: a character says something in quotation marks"),
    StoryFeature("plot_twist", "it has a plot twist: something unexpected happens"),
    StoryFeature("bad_ending", "it has a bad ending"),
    StoryFeature("moral", "it teaches a lesson (a moral)"),
    StoryFeature("foreshadowing", "it uses foreshadowing: an early hint of what happens later"),
    StoryFeature("conflict", "it has a conflict: a problem or an argument"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in STORY_FEATURES)


@dataclass(frozen=True)
class VocabularyDraw:
    """One draw: the words a story must use and the features it must have."""

    verb: str
    noun: str
    adjective: str
    features: tuple[str, ...] = ()

    @property
    def words(self) -> dict[str, str]:
        """Part of speech -> word, as :func:`langsynth.synthesis.missing_words` takes it."""
        return {"verb": self.verb, "noun": self.noun, "adjective": self.adjective}

    def to_dict(self) -> dict[str, Any]:
        return {**self.words, "features": list(self.features)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VocabularyDraw:
        """Build a draw from ``{"verb", "noun", "adjective", "features"}`` (a record or a hint)."""
        try:
            return cls(
                verb=str(data["verb"]),
                noun=str(data["noun"]),
                adjective=str(data["adjective"]),
                features=tuple(str(f) for f in data.get("features") or ()),
            )
        except KeyError as exc:
            raise ConfigurationError(
                f"A vocabulary draw needs verb, noun and adjective; {exc.args[0]!r} is missing."
            ) from None


def _read_words(source: str | Path | Iterable[str], what: str) -> tuple[str, ...]:
    """Words from a file (one a line, ``#`` comments) or an iterable; order kept, duplicates out."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            lines: Iterable[str] = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise ConfigurationError(f"Word list {path} does not exist.") from None
    else:
        lines = source
    words = dict.fromkeys(w.strip() for w in lines if w.strip() and not w.strip().startswith("#"))
    if not words:
        raise ConfigurationError(f"The {what} list is empty; give at least one word.")
    return tuple(words)


@cache
def _shipped(name: str) -> tuple[str, ...]:
    ref = resources.files("langsynth.words") / f"{name}.txt"
    return _read_words(ref.read_text(encoding="utf-8").splitlines(), name)


@dataclass(frozen=True)
class Vocabulary:
    """Word lists and story features to draw from.

    Each draw takes one verb, one noun, one adjective and between ``min_features`` and
    ``max_features`` distinct features (a random subset, listed in :data:`STORY_FEATURES` order).
    """

    verbs: tuple[str, ...]
    nouns: tuple[str, ...]
    adjectives: tuple[str, ...]
    features: tuple[StoryFeature, ...] = STORY_FEATURES
    min_features: int = 1
    max_features: int = 2

    def __post_init__(self) -> None:
        for what in ("verbs", "nouns", "adjectives"):
            if not getattr(self, what):
                raise ConfigurationError(f"The vocabulary has no {what}.")
        if not 0 <= self.min_features <= self.max_features <= len(self.features):
            raise ConfigurationError(
                f"Features per story must satisfy 0 <= min ({self.min_features}) <= max "
                f"({self.max_features}) <= number of features ({len(self.features)})."
            )

    def __repr__(self) -> str:
        return (
            f"Vocabulary({len(self.verbs)} verbs, {len(self.nouns)} nouns, "
            f"{len(self.adjectives)} adjectives, features={[f.name for f in self.features]}, "
            f"{self.min_features}-{self.max_features} per draw)"
        )

    def draw(self, rng: random.Random) -> VocabularyDraw:
        """One verb, noun, adjective and a random subset of features (reproducible with ``rng``)."""
        verb = rng.choice(self.verbs)
        noun = rng.choice(self.nouns)
        adjective = rng.choice(self.adjectives)
        k = rng.randint(self.min_features, self.max_features)
        chosen = set(rng.sample(range(len(self.features)), k))
        names = tuple(f.name for i, f in enumerate(self.features) if i in chosen)
        return VocabularyDraw(verb, noun, adjective, names)

    def draw_at(self, seed: int | None, index: int) -> VocabularyDraw:
        """Draw ``index`` of ``seed``: reproducible on its own, whatever was drawn before
        (``None``: a fresh random draw)."""
        rng = random.Random(f"{seed}:{index}") if seed is not None else random.Random()
        return self.draw(rng)

    def draws(self, n: int, seed: int | None = None) -> list[VocabularyDraw]:
        """Draws ``0 .. n-1`` of ``seed`` (see :meth:`draw_at`)."""
        return [self.draw_at(seed, i) for i in range(n)]

    def feature(self, name: str) -> StoryFeature:
        for f in self.features:
            if f.name == name:
                return f
        raise ConfigurationError(
            f"Unknown story feature {name!r}; known: {', '.join(f.name for f in self.features)}."
        )

    @property
    def pools(self) -> dict[str, tuple[str, ...]]:
        """The value pools per attribute, for coverage metrics (``verb``/``noun``/...)."""
        return {
            "verb": self.verbs,
            "noun": self.nouns,
            "adjective": self.adjectives,
            "features": tuple(f.name for f in self.features),
        }


def load_vocabulary(
    *,
    verbs: str | Path | Sequence[str] | None = None,
    nouns: str | Path | Sequence[str] | None = None,
    adjectives: str | Path | Sequence[str] | None = None,
    features: Sequence[StoryFeature] | Sequence[str] | None = None,
    min_features: int = 1,
    max_features: int = 2,
) -> Vocabulary:
    """The shipped vocabulary, with any list replaced by a file (one word a line) or a sequence.

    ``features`` may be a subset of the shipped feature names or new :class:`StoryFeature`\\ s.
    """
    chosen: tuple[StoryFeature, ...] = STORY_FEATURES
    if features is not None:
        by_name = {f.name: f for f in STORY_FEATURES}
        items: list[StoryFeature] = []
        for f in features:
            if isinstance(f, StoryFeature):
                items.append(f)
            elif f in by_name:
                items.append(by_name[f])
            else:
                raise ConfigurationError(
                    f"Unknown story feature {f!r}; known: {', '.join(FEATURE_NAMES)}, "
                    "or pass StoryFeature(name, instruction)."
                )
        chosen = tuple(items)
    return Vocabulary(
        verbs=_read_words(verbs, "verb") if verbs is not None else _shipped("verbs"),
        nouns=_read_words(nouns, "noun") if nouns is not None else _shipped("nouns"),
        adjectives=(
            _read_words(adjectives, "adjective")
            if adjectives is not None
            else _shipped("adjectives")
        ),
        features=chosen,
        min_features=min(min_features, len(chosen)),
        max_features=min(max_features, len(chosen)),
    )


def vocabulary_instruction(draw: VocabularyDraw, vocabulary: Vocabulary | None = None) -> str:
    """The injected sentence(s) of the seed 002 prompt for one draw.

    >>> vocabulary_instruction(VocabularyDraw("decorate", "thunder", "ancient", ("bad_ending",)))
    'The story should use the verb "decorate", the noun "thunder" and the adjective "ancient". \
The story should have the following features: it has a bad ending.'
    """
    vocab = vocabulary or load_vocabulary()
    text = (
        f'The story should use the verb "{draw.verb}", the noun "{draw.noun}" '
        f'and the adjective "{draw.adjective}".'
    )
    if draw.features:
        clauses = ", ".join(vocab.feature(name).instruction for name in draw.features)
        text += f" The story should have the following features: {clauses}."
    return text


@dataclass(frozen=True)
class VocabularyPool:
    """A :class:`langsynth.pools.Pool` that injects vocabulary into any record generator.

    ``sample`` returns the draw as a dict (``verb``, ``noun``, ``adjective``, ``features``);
    ``render`` turns it into the seed 002 instruction for the field it is attached to::

        RecordGenerator(schema, llm, pools={"story": VocabularyPool()})

    ``as_fields=True`` is for a schema that records the draw in fields of its own
    (``ChildrenStory``: ``verb``, ``noun``, ``adjective``, ``features``): the draw is rendered
    like any other hint, ``verb=ride; noun=pizza; adjective=spotted; features=plot_twist``.
    Next to ``field=value`` hints the instruction sentence reads as the story field's value,
    and a small model copies it (``"story": "It should use the verb "``); as values of the
    fields it fills, the words are copied where they belong and the story is written around
    them (measured in ``benchmarks/results/generation_speed.md``). The line is also half as long.
    """

    vocabulary: Vocabulary = field(default_factory=load_vocabulary)
    template: str = "{field}: {instruction}"
    as_fields: bool = False

    def __repr__(self) -> str:
        return f"VocabularyPool({self.vocabulary!r})"

    def coverage_pools(self) -> dict[str, tuple[str, ...]]:
        """Record fields this pool's draws end up in, with their value pools (for coverage)."""
        return self.vocabulary.pools

    def sample(self, rng: random.Random) -> dict[str, Any]:
        return self.vocabulary.draw(rng).to_dict()

    def render(self, field: str, value: Any) -> str:
        draw = value if isinstance(value, VocabularyDraw) else VocabularyDraw.from_dict(value)
        if self.as_fields:
            parts = [f"{role}={word}" for role, word in draw.words.items()]
            if draw.features:
                parts.append("features=" + ", ".join(draw.features))
            return "; ".join(parts)
        instruction = vocabulary_instruction(draw, self.vocabulary).replace("The story", "it")
        return self.template.format(field=field, instruction=instruction)


def vocabulary_field(text_fields: Sequence[str], fields: Sequence[str]) -> str:
    """The field a :class:`VocabularyPool` hint is attached to: the schema's first text field,
    else its first field named like a text (``story``, ``text``, ...), else ``"text"``."""
    if text_fields:
        return text_fields[0]
    for name in ("story", "text", "content", "body", "description", "response"):
        if name in fields:
            return name
    return "text"


def vocabulary_pools(
    text_fields: Sequence[str] = (),
    fields: Sequence[str] = (),
    vocabulary: Vocabulary | None = None,
) -> dict[str, VocabularyPool]:
    """``{field: VocabularyPool()}`` for a schema, to merge into a record generator's pools
    (rendered as field values when the schema has ``verb``, ``noun`` and ``adjective`` fields).

    >>> list(vocabulary_pools(("story",), ("story", "verb")))
    ['story']
    """
    as_fields = {"verb", "noun", "adjective"} <= set(fields)
    pool = VocabularyPool(
        vocabulary if vocabulary is not None else load_vocabulary(), as_fields=as_fields
    )
    return {vocabulary_field(text_fields, fields): pool}
