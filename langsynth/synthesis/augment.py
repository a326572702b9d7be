"""Augmentation (seed 004): paraphrase, bias-mitigation swaps, back-translation verification.

- :class:`Paraphraser` (LLM): "How to reset my password?" -> "I forgot my password.",
  "How can I change my password?", ... (the seed's example).
- Swaps (no LLM, Table 8-2 of seed 004): :func:`swap_gender` ("She's a fantastic nurse." ->
  "He's a fantastic nurse."; "Mr. Alex Wang" -> "Ms. Alexa Wang"; "my mom" -> "my dad"),
  :func:`swap_occupations` ("nurse" -> "doctor"), :func:`swap_names` ("Emily" -> "Mohammed").
- :class:`BackTranslator` (LLM): translate (English -> Korean), translate back, and keep the
  item only if the round trip stays similar enough to the original (ROUGE-L).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from langsynth.quality.diversity import rouge_l, tokens
from langsynth.synthesis.task import LLMTask, acomplete, is_fatal, is_refusal, row_error

# ---------------------------------------------------------------- swaps (no LLM)

# (male, female) pairs; both directions are swapped. "her" and "his" are handled apart.
GENDER_PAIRS: tuple[tuple[str, str], ...] = (
    ("he", "she"),
    ("himself", "herself"),
    ("man", "woman"),
    ("men", "women"),
    ("boy", "girl"),
    ("boys", "girls"),
    ("father", "mother"),
    ("fathers", "mothers"),
    ("dad", "mom"),
    ("dads", "moms"),
    ("daddy", "mommy"),
    ("son", "daughter"),
    ("sons", "daughters"),
    ("brother", "sister"),
    ("brothers", "sisters"),
    ("husband", "wife"),
    ("husbands", "wives"),
    ("king", "queen"),
    ("kings", "queens"),
    ("prince", "princess"),
    ("uncle", "aunt"),
    ("uncles", "aunts"),
    ("nephew", "niece"),
    ("grandfather", "grandmother"),
    ("grandpa", "grandma"),
    ("grandson", "granddaughter"),
    ("gentleman", "lady"),
    ("gentlemen", "ladies"),
    ("sir", "madam"),
    ("mr", "ms"),
    ("boyfriend", "girlfriend"),
    ("actor", "actress"),
    ("waiter", "waitress"),
    ("male", "female"),
    ("groom", "bride"),
    ("hero", "heroine"),
    ("businessman", "businesswoman"),
    ("chairman", "chairwoman"),
    ("spokesman", "spokeswoman"),
    ("policeman", "policewoman"),
)
# One-way mappings (no unique inverse).
GENDER_ONE_WAY: dict[str, str] = {"mrs": "mr", "mum": "dad", "mama": "papa", "papa": "mama"}

# Occupations often stereotyped by gender; swapped both ways by :func:`swap_occupations`.
OCCUPATION_PAIRS: tuple[tuple[str, str], ...] = (
    ("nurse", "doctor"),
    ("nurses", "doctors"),
    ("secretary", "manager"),
    ("secretaries", "managers"),
    ("receptionist", "engineer"),
    ("receptionists", "engineers"),
    ("nanny", "pilot"),
    ("nannies", "pilots"),
)

# Names with a gendered counterpart (Table 8-2: Alex -> Alexa).
NAME_COUNTERPARTS: tuple[tuple[str, str], ...] = (
    ("Alex", "Alexa"),
    ("Daniel", "Danielle"),
    ("Michael", "Michelle"),
    ("Paul", "Paula"),
    ("Robert", "Roberta"),
    ("Eric", "Erica"),
    ("Louis", "Louise"),
    ("Patrick", "Patricia"),
    ("Joseph", "Josephine"),
    ("Charles", "Charlotte"),
    ("George", "Georgia"),
    ("Julian", "Julia"),
    ("Victor", "Victoria"),
    ("Carl", "Carla"),
    ("Justin", "Justine"),
    ("Gabriel", "Gabriela"),
    ("Antonio", "Antonia"),
    ("Stephen", "Stephanie"),
    ("Nicholas", "Nicole"),
    ("Samuel", "Samantha"),
)

# First names by (origin, gender), for name swaps across origins (Table 8-2: Emily -> Mohammed).
NAME_GROUPS: dict[tuple[str, str], tuple[str, ...]] = {
    ("english", "female"): ("Emily", "Sarah", "Jessica", "Olivia", "Emma", "Hannah", "Grace"),
    ("english", "male"): ("James", "John", "David", "William", "Thomas", "Henry", "Jack"),
    ("arabic", "female"): ("Fatima", "Aisha", "Layla", "Mariam", "Noor", "Zainab"),
    ("arabic", "male"): ("Mohammed", "Ahmed", "Omar", "Yusuf", "Khalid", "Hassan"),
    ("chinese", "female"): ("Mei", "Ying", "Jing", "Lan", "Xiu", "Hui"),
    ("chinese", "male"): ("Wei", "Jun", "Hao", "Ming", "Tao", "Lei"),
    ("indian", "female"): ("Priya", "Ananya", "Divya", "Kavya", "Meera", "Anjali"),
    ("indian", "male"): ("Arjun", "Rahul", "Vikram", "Rohan", "Amit", "Sanjay"),
    ("hispanic", "female"): ("Sofia", "Lucia", "Camila", "Valentina", "Elena", "Isabel"),
    ("hispanic", "male"): ("Carlos", "Diego", "Luis", "Javier", "Mateo", "Pablo"),
    ("korean", "female"): ("Jiwoo", "Seoyeon", "Minji", "Soyeon", "Yuna", "Hana"),
    ("korean", "male"): ("Minjun", "Jihoon", "Hyunwoo", "Seojun", "Dohyun", "Jiho"),
    ("african", "female"): ("Amara", "Ngozi", "Zuri", "Ayodele", "Nia", "Imani"),
    ("african", "male"): ("Kwame", "Chidi", "Tunde", "Jabari", "Kofi", "Sekou"),
}

# After an object pronoun comes one of these (or punctuation): "gave her the", "saw her today".
_NOT_A_NOUN_AFTER = frozenset(
    (
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "and",
        "or",
        "but",
        "nor",
        "so",
        "yet",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "about",
        "as",
        "into",
        "onto",
        "over",
        "under",
        "up",
        "down",
        "out",
        "off",
        "back",
        "away",
        "again",
        "too",
        "very",
        "now",
        "then",
        "when",
        "while",
        "because",
        "if",
        "is",
        "was",
        "be",
        "been",
        "before",
        "after",
        "until",
        "there",
        "here",
        "today",
        "tonight",
        "yesterday",
        "tomorrow",
        "once",
        "twice",
        "already",
        "home",
        "anymore",
        "alone",
        "first",
        "last",
        "more",
        "less",
        "enough",
        "all",
        "some",
    )
)
_WORD = re.compile(r"[A-Za-z]+")


def _match_case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _next_word(text: str, end: int) -> str | None:
    """The word right after position ``end`` (``None`` if punctuation or the end comes first)."""
    m = re.match(r"[ \t]+([A-Za-z]+)", text[end:])
    return m.group(1).lower() if m else None


def _gender_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for male, female in GENDER_PAIRS:
        mapping[male], mapping[female] = female, male
    mapping.update(GENDER_ONE_WAY)
    return mapping


_GENDER = _gender_map()
_COUNTERPART = {a: b for pair in NAME_COUNTERPARTS for a, b in (pair, pair[::-1])}
_NAME_INDEX = {name: key for key, names in NAME_GROUPS.items() for name in names}


def _swap_her_his(word: str, text: str, end: int) -> str:
    low, nxt = word.lower(), _next_word(text, end)
    determiner = nxt is not None and nxt not in _NOT_A_NOUN_AFTER
    if low == "her":  # possessive "her book" -> "his book"; object "saw her." -> "him"
        return "his" if determiner else "him"
    if low == "his":  # "his book" -> "her book"; "it is his." -> "hers"
        return "her" if determiner else "hers"
    return "his"  # hers


def swap_gender(text: str, *, rng: random.Random | None = None, names: bool = True) -> str:
    """Swap gendered words, titles and (with ``names``) first names to the other gender.

    "her" becomes "his" before a noun and "him" otherwise; a first name becomes its
    counterpart (Alex -> Alexa) or, failing that, a name of the other gender from the same
    origin (drawn with ``rng``, default ``random.Random(0)``), the same one each time it occurs.

    >>> swap_gender("She's a fantastic nurse.")
    "He's a fantastic nurse."
    >>> swap_gender("The CEO of the firm, Mr. Alex Wang, met her.")
    'The CEO of the firm, Ms. Alexa Wang, met him.'
    """
    rng = rng or random.Random(0)
    chosen: dict[str, str] = {}

    def replace(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if low == "him":
            return _match_case("her", word)
        if low in ("her", "his", "hers"):
            return _match_case(_swap_her_his(word, text, m.end()), word)
        if low in _GENDER:
            return _match_case(_GENDER[low], word)
        if names and word in _COUNTERPART:
            return _COUNTERPART[word]
        if names and word in _NAME_INDEX:
            if word not in chosen:
                origin, gender = _NAME_INDEX[word]
                other = "male" if gender == "female" else "female"
                chosen[word] = rng.choice(NAME_GROUPS[(origin, other)])
            return chosen[word]
        return word

    return _WORD.sub(replace, text)


def swap_occupations(text: str, pairs: Sequence[tuple[str, str]] = OCCUPATION_PAIRS) -> str:
    """Swap gender-stereotyped occupations both ways ("a great nurse" -> "a great doctor")."""
    mapping = {a: b for pair in pairs for a, b in (pair, pair[::-1])}

    def replace(m: re.Match[str]) -> str:
        word = m.group(0)
        return _match_case(mapping[word.lower()], word) if word.lower() in mapping else word

    return _WORD.sub(replace, text)


def swap_names(text: str, *, rng: random.Random | None = None, change_gender: bool = False) -> str:
    """Replace known first names with names of another origin (the same name, the same new name).

    With ``change_gender`` the new names are of the other gender and gendered words are
    swapped too, so pronouns stay consistent ("Emily ... her violin" -> "Mohammed ... his violin").
    """
    rng = rng or random.Random(0)
    if change_gender:
        text = swap_gender(text, names=False)
    chosen: dict[str, str] = {}

    def replace(m: re.Match[str]) -> str:
        word = m.group(0)
        key = _NAME_INDEX.get(word)
        if key is None:
            return word
        if word not in chosen:
            origin, gender = key
            if change_gender:
                gender = "male" if gender == "female" else "female"
            groups = [k for k in NAME_GROUPS if k[0] != origin and k[1] == gender]
            chosen[word] = rng.choice(NAME_GROUPS[rng.choice(groups)])
        return chosen[word]

    return _WORD.sub(replace, text)


SWAP_KINDS = ("gender", "occupation", "name")


def has_known_name(text: str) -> bool:
    """Whether ``text`` contains a first name of :data:`NAME_GROUPS`."""
    return any(word in _NAME_INDEX for word in _WORD.findall(text))


def bias_variants(
    text: str, *, kinds: Sequence[str] = SWAP_KINDS, rng: random.Random | None = None
) -> dict[str, str]:
    """The Table 8-2 variants of ``text`` that differ from it: kind -> swapped text.

    ``gender`` (words, titles, names), ``occupation`` (nurse <-> doctor, ...), ``name``
    (another origin and gender, pronouns kept consistent).
    """
    rng = rng or random.Random(0)
    unknown = set(kinds) - set(SWAP_KINDS)
    if unknown:
        from langsynth.errors import ConfigurationError

        raise ConfigurationError(
            f"Unknown swap kind(s) {', '.join(sorted(unknown))}; use {', '.join(SWAP_KINDS)}."
        )
    out: dict[str, str] = {}
    for kind in kinds:
        if kind == "gender":
            swapped = swap_gender(text, rng=rng)
        elif kind == "occupation":
            swapped = swap_occupations(text)
        elif has_known_name(text):
            swapped = swap_names(text, rng=rng, change_gender=True)
        else:
            continue
        if swapped != text:
            out[kind] = swapped
    return out


# ---------------------------------------------------------------- paraphrase (LLM)

PARAPHRASE_PROMPT = (
    "Rewrite the following {kind} in {n} different ways. Keep the meaning, change the "
    "wording. Write one per line, numbered 1 to {n}, and nothing else.\n\n{text}"
)
_NUMBERED = re.compile(r"^\s*(?:\d+[.):]|[-*\u2022])\s*(.+?)\s*$")


def parse_list(text: str) -> list[str]:
    """Items of a numbered or bulleted list (or the non-empty lines if there is no list)."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    items = [m.group(1) for ln in lines if (m := _NUMBERED.match(ln))]
    items = items or [ln.strip() for ln in lines]
    return [i.strip().strip('"\u201c\u201d').strip() for i in items if i.strip()]


@dataclass
class ParaphraseResult:
    """The paraphrases of one text (near-copies and duplicates removed)."""

    original: str
    paraphrases: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    output_tokens: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.paraphrases)


class Paraphraser(LLMTask[str, ParaphraseResult]):
    """A Runnable: a text -> up to ``n`` paraphrases.

    ``kind`` names what is paraphrased in the prompt ("user request", "sentence", ...).
    A paraphrase is dropped if it is a duplicate or differs from the original only in case
    and punctuation.
    """

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        n: int = 3,
        kind: str = "user request",
        concurrency: int = 4,
    ) -> None:
        self.llm = llm
        self.n = n
        self.kind = kind
        self.concurrency = concurrency

    def prompt(self, text: str) -> str:
        return PARAPHRASE_PROMPT.format(kind=self.kind, n=self.n, text=text.strip())

    async def _arun(self, input: str, config: RunnableConfig | None) -> ParaphraseResult:
        result = ParaphraseResult(original=input)
        try:
            completion = await acomplete(self.llm, self.prompt(input), config=config)
        except Exception as exc:
            if is_fatal(exc):
                raise
            result.error = row_error(exc)
            return result
        result.output_tokens = completion.output_tokens
        seen = {" ".join(tokens(input))}
        for item in parse_list(completion.text):
            key = " ".join(tokens(item))
            if not key or key in seen or is_refusal(item) or len(result.paraphrases) >= self.n:
                result.dropped.append(item)
                continue
            seen.add(key)
            result.paraphrases.append(item)
        return result


# ---------------------------------------------------------------- back-translation (LLM)

TRANSLATE_PROMPT = (
    "Translate the following text into {language}. Write only the translation.\n\n{text}"
)

# Scripts a pivot language must be written in, to catch a "translation" that is a copy.
_SCRIPTS: dict[str, str] = {
    "korean": "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f",
    "japanese": "\u3040-\u30ff\u4e00-\u9fff",
    "chinese": "\u4e00-\u9fff",
    "russian": "\u0400-\u04ff",
    "ukrainian": "\u0400-\u04ff",
    "greek": "\u0370-\u03ff",
    "arabic": "\u0600-\u06ff",
    "hebrew": "\u0590-\u05ff",
    "hindi": "\u0900-\u097f",
    "thai": "\u0e00-\u0e7f",
}


def script_share(text: str, language: str) -> float | None:
    """Share of the letters of ``text`` in ``language``'s script (``None``: a Latin script)."""
    chars = _SCRIPTS.get(language.strip().lower())
    if chars is None:
        return None
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(bool(re.match(f"[{chars}]", c)) for c in letters) / len(letters)


def round_trip_similarity(original: str, round_trip: str) -> float:
    """How close the back-translation is to the original: ROUGE-L F1 on lower-cased words."""
    return rouge_l(original, round_trip)


@dataclass
class BackTranslationResult:
    """One item's round trip: the pivot translation, the way back, their similarity, the verdict."""

    original: str
    translation: str = ""
    round_trip: str = ""
    similarity: float = 0.0
    kept: bool = False
    reason: str | None = None
    output_tokens: int = 0

    @property
    def ok(self) -> bool:
        return self.kept

    def to_dict(self) -> dict[str, Any]:
        return {
            "translation": self.translation,
            "round_trip": self.round_trip,
            "round_trip_similarity": round(self.similarity, 3),
            "kept": self.kept,
            "reason": self.reason,
        }


class BackTranslator(LLMTask[str, BackTranslationResult]):
    """A Runnable: text -> translation into ``pivot`` -> back to ``source``, kept if similar enough.

    ``back_llm`` translates back (seed 004: ideally another model; default the same).
    An item is kept when the round trip's :func:`round_trip_similarity` is at least
    ``threshold``, and, for a pivot in a non-Latin script, the translation is really in it.
    """

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        pivot: str = "Korean",
        source: str = "English",
        threshold: float = 0.5,
        back_llm: BaseChatModel | None = None,
        min_script_share: float = 0.5,
        concurrency: int = 4,
    ) -> None:
        self.llm = llm
        self.back_llm = back_llm or llm
        self.pivot = pivot
        self.source = source
        self.threshold = threshold
        self.min_script_share = min_script_share
        self.concurrency = concurrency

    @staticmethod
    def prompt(text: str, language: str) -> str:
        return TRANSLATE_PROMPT.format(language=language, text=text.strip())

    async def _arun(self, input: str, config: RunnableConfig | None) -> BackTranslationResult:
        result = BackTranslationResult(original=input)
        try:
            there = await acomplete(self.llm, self.prompt(input, self.pivot), config=config)
            result.translation = there.text
            back = await acomplete(
                self.back_llm, self.prompt(there.text, self.source), config=config
            )
            result.round_trip = back.text
            result.output_tokens = there.output_tokens + back.output_tokens
        except Exception as exc:
            if is_fatal(exc):
                raise
            result.reason = row_error(exc)
            return result
        share = script_share(result.translation, self.pivot)
        result.similarity = round_trip_similarity(input, result.round_trip)
        if share is not None and share < self.min_script_share:
            result.reason = f"the translation is not in {self.pivot} ({share:.0%} of its letters)"
        elif share is None and rouge_l(input, result.translation) >= 0.9:
            result.reason = f"the translation is a copy of the original, not {self.pivot}"
        elif result.similarity < self.threshold:
            result.reason = (
                f"round trip too different (similarity {result.similarity:.2f} < "
                f"{self.threshold:.2f})"
            )
        result.kept = result.reason is None
        return result


def rows_with(row: Mapping[str, Any], field_name: str, text: str, **extra: Any) -> dict[str, Any]:
    """A copy of ``row`` with ``field_name`` replaced by ``text`` and ``extra`` columns added."""
    return {**dict(row), field_name: text, **extra}
