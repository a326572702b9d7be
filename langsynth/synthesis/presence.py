"""Does a generated text contain the words and the sentence it was asked to contain?

Vocabulary injection asks for "the verb *decorate*"; a story that says "Lily decorated her
room" used it. :func:`word_forms` lists the inflected forms of a word (plural and possessive
of a noun; -s, -ed, -ing and irregular past forms of a verb; comparative and superlative of an
adjective), and :func:`contains_word` looks for any of them as a whole word, case-insensitively.
Derived words do not count: "thunderstorm" does not contain the noun "thunder", and "quickly"
is not the adjective "quick".

>>> contains_word("Lily decorated the tree.", "decorate", "verb")
True
>>> contains_word("The children ran home.", "run", "verb")
True
>>> contains_word("A thunderstorm came.", "thunder", "noun")
False
>>> missing_words("Two big dogs barked.", {"noun": "dog", "verb": "bark", "adjective": "small"})
['small']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Literal

from langsynth.normalize import strip_accents

PartOfSpeech = Literal["verb", "noun", "adjective"]

_VOWELS = set("aeiou")
_WORD_RE = re.compile(r"[a-z]+")

# Irregular forms of the shipped verbs (and a few common ones users add).
IRREGULAR_VERBS: dict[str, tuple[str, ...]] = {
    "be": ("am", "is", "are", "was", "were", "been", "being"),
    "begin": ("began", "begun"),
    "bend": ("bent",),
    "bite": ("bit", "bitten"),
    "blow": ("blew", "blown"),
    "break": ("broke", "broken"),
    "bring": ("brought",),
    "build": ("built",),
    "burn": ("burnt",),
    "buy": ("bought",),
    "catch": ("caught",),
    "choose": ("chose", "chosen"),
    "come": ("came",),
    "dig": ("dug",),
    "dive": ("dove",),
    "do": ("did", "done", "does"),
    "draw": ("drew", "drawn"),
    "dream": ("dreamt",),
    "drink": ("drank", "drunk"),
    "drive": ("drove", "driven"),
    "eat": ("ate", "eaten"),
    "fall": ("fell", "fallen"),
    "feed": ("fed",),
    "feel": ("felt",),
    "fight": ("fought",),
    "find": ("found",),
    "fly": ("flew", "flown"),
    "forget": ("forgot", "forgotten"),
    "freeze": ("froze", "frozen"),
    "get": ("got", "gotten"),
    "give": ("gave", "given"),
    "go": ("went", "gone", "goes"),
    "grow": ("grew", "grown"),
    "hang": ("hung",),
    "have": ("has", "had"),
    "hear": ("heard",),
    "hide": ("hid", "hidden"),
    "hold": ("held",),
    "keep": ("kept",),
    "kneel": ("knelt",),
    "know": ("knew", "known"),
    "lead": ("led",),
    "leave": ("left",),
    "lend": ("lent",),
    "lie": ("lay", "lain", "lying"),
    "lose": ("lost",),
    "make": ("made",),
    "meet": ("met",),
    "pay": ("paid",),
    "ride": ("rode", "ridden"),
    "ring": ("rang", "rung"),
    "run": ("ran",),
    "say": ("said",),
    "see": ("saw", "seen"),
    "sell": ("sold",),
    "send": ("sent",),
    "sew": ("sewn",),
    "shake": ("shook", "shaken"),
    "shine": ("shone",),
    "show": ("shown",),
    "sing": ("sang", "sung"),
    "sink": ("sank", "sunk"),
    "sit": ("sat",),
    "sleep": ("slept",),
    "slide": ("slid",),
    "speak": ("spoke", "spoken"),
    "spill": ("spilt",),
    "spin": ("spun",),
    "stand": ("stood",),
    "sweep": ("swept",),
    "swim": ("swam", "swum"),
    "swing": ("swung",),
    "take": ("took", "taken"),
    "teach": ("taught",),
    "tear": ("tore", "torn"),
    "tell": ("told",),
    "think": ("thought",),
    "throw": ("threw", "thrown"),
    "understand": ("understood",),
    "wake": ("woke", "woken"),
    "wear": ("wore", "worn"),
    "win": ("won",),
    "write": ("wrote", "written"),
}

IRREGULAR_NOUNS: dict[str, tuple[str, ...]] = {
    "calf": ("calves",),
    "child": ("children",),
    "deer": ("deer",),
    "elf": ("elves",),
    "fish": ("fish",),
    "foot": ("feet",),
    "goose": ("geese",),
    "half": ("halves",),
    "knife": ("knives",),
    "leaf": ("leaves",),
    "life": ("lives",),
    "loaf": ("loaves",),
    "man": ("men",),
    "mouse": ("mice",),
    "person": ("people",),
    "sheep": ("sheep",),
    "shelf": ("shelves",),
    "thief": ("thieves",),
    "tooth": ("teeth",),
    "wife": ("wives",),
    "wolf": ("wolves",),
    "woman": ("women",),
}

IRREGULAR_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "bad": ("worse", "worst"),
    "far": ("farther", "farthest", "further", "furthest"),
    "good": ("better", "best"),
    "little": ("less", "least"),
    "many": ("more", "most"),
    "much": ("more", "most"),
}


def _ends_cvc(word: str) -> bool:
    """Consonant-vowel-consonant ending: the final consonant may double (stop -> stopped)."""
    return (
        len(word) >= 3
        and word[-1] not in _VOWELS
        and word[-1] not in "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )


def _suffixed(word: str, suffix: str) -> set[str]:
    """``word + suffix`` with the English spelling rules, generously (all plausible spellings)."""
    forms = {word + suffix}
    if suffix[0] in "ei":
        if word.endswith("e") and not word.endswith("ee"):
            forms.add(word[:-1] + suffix)  # decorate -> decorated, bake -> baking
        if _ends_cvc(word):
            forms.add(word + word[-1] + suffix)  # stop -> stopped, big -> bigger
        if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS and suffix != "ing":
            forms.add(word[:-1] + "i" + suffix)  # cry -> cried, happy -> happier
        if word.endswith("ie") and suffix == "ing":
            forms.add(word[:-2] + "ying")  # tie -> tying
        if word.endswith("c") and suffix != "ing":
            forms.add(word + "k" + suffix)  # picnic -> picnicked
    return forms


def _plural(word: str) -> set[str]:
    forms = {word + "s", word + "es"}
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        forms.add(word[:-1] + "ies")  # berry -> berries, fly -> flies
    if word.endswith("f"):
        forms.add(word[:-1] + "ves")
    if word.endswith("fe"):
        forms.add(word[:-2] + "ves")
    if _ends_cvc(word):
        forms.add(word + word[-1] + "es")  # quiz -> quizzes
    return forms


@lru_cache(maxsize=4096)
def word_forms(word: str, pos: PartOfSpeech | None = None) -> frozenset[str]:
    """The lower-cased forms that count as using ``word`` (all parts of speech if ``pos`` is None).

    Over-generation is harmless (a misspelling like "visitted" never matches real text);
    missing a form would wrongly reject a story, so the rules err on the generous side.
    """
    base = word.strip().lower()
    forms: set[str] = {base}
    if pos in (None, "noun"):
        forms |= _plural(base)
        forms.update(IRREGULAR_NOUNS.get(base, ()))
    if pos in (None, "verb"):
        forms |= _plural(base)  # third person: jumps, washes, cries
        forms |= _suffixed(base, "ed")
        forms |= _suffixed(base, "ing")
        forms.update(IRREGULAR_VERBS.get(base, ()))
    if pos in (None, "adjective"):
        forms |= _suffixed(base, "er")
        forms |= _suffixed(base, "est")
        forms.update(IRREGULAR_ADJECTIVES.get(base, ()))
    return frozenset(forms)


def words_of(text: str) -> list[str]:
    """Lower-cased alphabetic tokens (``dog's`` gives ``dog`` and ``s``)."""
    return _WORD_RE.findall(strip_accents(text))


def contains_word(text: str, word: str, pos: PartOfSpeech | None = None) -> bool:
    """Whether ``text`` uses ``word`` in any inflected form, as a whole word.

    A multi-word entry ("ice cream") must appear as consecutive words, the last one inflected.
    """
    parts = words_of(word)
    if not parts:
        return False
    tokens = words_of(text)
    last_forms = word_forms(parts[-1], pos)
    if len(parts) == 1:
        return any(t in last_forms for t in tokens)
    head = parts[:-1]
    n = len(parts)
    return any(
        tokens[i : i + n - 1] == head and tokens[i + n - 1] in last_forms
        for i in range(len(tokens) - n + 1)
    )


def missing_words(text: str, words: Mapping[str, str] | Iterable[str]) -> list[str]:
    """The words ``text`` does not use, in the given order.

    ``words`` maps a part of speech (``verb``/``noun``/``adjective``) to a word, or is a plain
    iterable of words (then any part of speech counts).
    """
    if isinstance(words, Mapping):
        pairs: list[tuple[str, PartOfSpeech | None]] = [
            (w, p if p in ("verb", "noun", "adjective") else None)  # type: ignore[misc]
            for p, w in words.items()
            if w
        ]
    else:
        pairs = [(w, None) for w in words if w]
    return [w for w, pos in pairs if not contains_word(text, w, pos)]


def _plain(text: str) -> str:
    """Normalized text with punctuation dropped, for sentence matching."""
    return " ".join(words_of(text))


def sentence_match(text: str, sentence: str) -> float:
    """How well ``sentence`` appears in ``text``: 1.0 verbatim (ignoring case and punctuation),
    else the best partial-alignment score in ``[0, 1]`` (rapidfuzz ``partial_ratio``)."""
    needle, haystack = _plain(sentence), _plain(text)
    if not needle:
        return 0.0
    if needle in haystack:
        return 1.0
    from rapidfuzz import fuzz

    return float(fuzz.partial_ratio(needle, haystack)) / 100.0


def contains_sentence(text: str, sentence: str, *, min_score: float = 0.9) -> bool:
    """Whether ``sentence`` appears in ``text`` (see :func:`sentence_match`).

    The default ``0.9`` tolerates a changed letter or two (a tense, a plural) in a
    sentence-long needle, not a rewrite; use ``1.0`` for verbatim only.
    """
    return sentence_match(text, sentence) >= min_score
