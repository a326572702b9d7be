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
from dataclasses import dataclass
from typing import Any, ClassVar

from langchain_core.runnables import RunnableConfig

from langsynth.runs import MapStep

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


def rows_with(row: Mapping[str, Any], field_name: str, text: str, **extra: Any) -> dict[str, Any]:
    """A copy of ``row`` with ``field_name`` replaced by ``text`` and ``extra`` columns added."""
    return {**dict(row), field_name: text, **extra}


@dataclass
class SwapResult:
    """The bias-swap variants of one text (kind -> swapped text); no model involved."""

    text: str
    variants: dict[str, str]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return True

    def to_row(self) -> dict[str, Any]:
        return {"variants": self.variants}


class BiasSwapper(MapStep):
    """Table 8-2 swaps as a step: each input row -> its variants, one output row each
    (``augmentation="swap:<kind>"``, ``source_index``), plus the original when
    ``include_original``. Variants are reproducible with ``seed`` (row ``i`` uses its own RNG).
    """

    job: ClassVar[str] = "swap"

    def __init__(
        self,
        *,
        kinds: Sequence[str] = SWAP_KINDS,
        text_field: str = "text",
        include_original: bool = True,
        seed: int | None = None,
    ) -> None:
        bias_variants("", kinds=kinds)  # unknown kinds fail here, before any row
        self.kinds = tuple(kinds)
        self.text_field = text_field
        self.include_original = include_original
        self.seed = seed
        self.concurrency = 1
        self.input_columns = (text_field,)
        self.output_columns = (text_field, "augmentation", "source_index")

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        return [{self.text_field: x} if isinstance(x, str) else x for x in inputs]

    def input_of(self, row: Mapping[str, Any]) -> Any:
        return row

    async def aprocess(self, input: Any, config: RunnableConfig | None = None) -> SwapResult:
        text = str(input[self.text_field]) if isinstance(input, Mapping) else str(input)
        rng = random.Random(f"{self.seed}:{text}")
        return SwapResult(text, bias_variants(text, kinds=self.kinds, rng=rng))

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        texts = [("original", result.text)] if self.include_original else []
        texts += [(f"swap:{kind}", swapped) for kind, swapped in result.variants.items()]
        return [
            rows_with(row, self.text_field, text, augmentation=kind, source_index=index)
            for kind, text in texts
        ]

    def manifest_params(self) -> dict[str, Any]:
        return {
            "kinds": list(self.kinds),
            "seed": self.seed,
            "include_original": self.include_original,
        }

    def model_spec(self) -> str | None:
        return "swaps (no model)"
