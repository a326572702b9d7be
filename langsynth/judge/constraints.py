"""Verifiable constraints a request states, checked by code (IFEval's idea, for the judge).

A request often states requirements that code checks exactly and a 1.5B judge does not: "in
one sentence", "answer with one word", "in Korean", "capacity 500ml". The judge reads them
from the request and from the user's criteria ("keeps the requested language (Korean)") and
caps the score of a response that breaks one, as it does for a missing required word:

- **length**: "in one sentence", "two sentences", "at most 3 sentences", "한 문장으로",
  "두 문장", "한 단어로", "answer with one word" -> the response's sentence / word count;
- **language**: "in Korean", "into English", "한국어로", "(한국어)", "영어로" -> the script
  of the response (Korean, Japanese, Chinese, Russian against each other and English); a
  Latin-script language ("translate into French", "answer in Spanish", "독일어로 번역") -> its
  commonest words and letters: a response clearly in another one ("Buenos días, ¿cómo
  estás?" for French) breaks it (a 1.5B judge says yes to "is it in French?" for Spanish);
- **quantities**: a number with a unit in the request ("1.2kg", "500ml", "30시간", "$20")
  that the response states differently (the same unit, another number, the requested one
  absent); and, where the sentence asks to include it ("include", "mention", "넣어",
  "포함", "강조"), one the response leaves out.

- **audience**: a request to write for a young child ("a story for a 3-year-old", "for young
  kids", "for toddlers") and an English response far above a child's reading level
  (Flesch-Kincaid grade above 8: "Notwithstanding the considerable ambiguity of her ...").

Only what is stated is checked: a request without such words has no constraints.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from langsynth.normalize import words
from langsynth.synthesis.backtranslate import script_share

_NUMBER_WORDS = {
    "one": 1, "a single": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "한": 1, "하나의": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7,
    "여덟": 8, "아홉": 9, "열": 10,
}  # fmt: skip
_ENGLISH_NUMBERS = [w for w in _NUMBER_WORDS if w.isascii()]
_NUMBER = rf"(\d{{1,2}}|{'|'.join(_ENGLISH_NUMBERS)})"
_KO_NUMBER = rf"(\d{{1,2}}|{'|'.join(w for w in _NUMBER_WORDS if not w.isascii())})"
_AT_MOST = r"(?:at most|no more than|up to|not more than|under)"

# (pattern, unit, bound): bound "exact" or "max"
_LENGTH_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(rf"\b{_AT_MOST}\s+{_NUMBER}\s+sentences?\b", re.I), "sentence", "max"),
    (re.compile(rf"\b{_AT_MOST}\s+{_NUMBER}\s+words?\b", re.I), "word", "max"),
    (re.compile(rf"\b(?:in|with|using|of)\s+(?:exactly\s+)?{_NUMBER}\s+sentences?\b", re.I),
     "sentence", "exact"),
    (re.compile(rf"\b(?:in|with|using)\s+(?:exactly\s+)?{_NUMBER}\s+words?\b", re.I),
     "word", "exact"),
    (re.compile(rf"\b{_NUMBER}[- ]sentence\b", re.I), "sentence", "exact"),
    (re.compile(rf"\b{_NUMBER}[- ]word (?:answer|reply|response)\b", re.I), "word", "exact"),
    (re.compile(rf"{_KO_NUMBER}\s*문장\s*이내"), "sentence", "max"),
    (re.compile(rf"{_KO_NUMBER}\s*문장(?:으로|로|만)"), "sentence", "exact"),
    (re.compile(rf"{_KO_NUMBER}\s*단어\s*이내"), "word", "max"),
    (re.compile(rf"{_KO_NUMBER}\s*단어(?:로|만)"), "word", "exact"),
)  # fmt: skip

# Languages with their own script (English is the Latin one), and their Korean names: a
# request names one as "in Korean" / "into Korean", "한국어로", "한국어만" or "(한국어)".
_LANGUAGE_NAMES = {
    "korean": "한국어",
    "english": "영어",
    "japanese": "일본어",
    "chinese": "중국어",
    "russian": "러시아어",
}
_LANGUAGES = {
    language: re.compile(
        rf"\b(?:in|into)\s+{language}\b|{korean}(?:로|만|\)|\s*\))"
        + ("|한글로" if language == "korean" else ""),
        re.I,
    )
    for language, korean in _LANGUAGE_NAMES.items()
}
# Latin-script languages, named where the response is meant to be in them (not "a film in
# French"): "translate ... into French", "answer in Spanish", "독일어로 번역해".
_LATIN_NAMES = {
    "french": "프랑스어",
    "spanish": "스페인어",
    "german": "독일어",
    "italian": "이탈리아어",
    "portuguese": "포르투갈어",
}
_LATIN_LANGUAGES = {
    language: re.compile(
        r"\b(?:translat\w*|write|written|answer|reply|respond|say|rewrite)\b[^.?!\n]{0,60}?"
        rf"\b(?:in|into|to)\s+{language}\b|{korean}로\s*(?:번역|써|작성|답|말|바꿔|옮겨)",
        re.I,
    )
    for language, korean in _LATIN_NAMES.items()
}
_ALL_LANGUAGES = _LANGUAGES | _LATIN_LANGUAGES
# Their commonest words, and letters only they use: how a text is told apart.
_LATIN_WORDS = {
    language: frozenset(common.split())
    for language, common in {
        "english": "the and of to is are was it this that with for you your we not have be on "
        "hello good morning how what",
        "french": "le la les des du une est et je tu il elle nous vous pas ce qui que dans "
        "pour avec sur au aux bonjour merci comment oui très allez",
        "spanish": "el la los las del una es y yo tú usted no que en por para con como cómo "
        "está estás hola gracias muy pero buenos buenas días",
        "german": "der die das und ist ich du sie wir nicht ein eine mit für auf den dem zu "
        "wie guten morgen danke ja geht es ihnen",
        "italian": "il lo gli le di che è un una non sono per con come sei buongiorno grazie "
        "ciao sta stai molto",
        "portuguese": "o os as do da dos das um uma é não que em para com como você olá "
        "obrigado bom dia está tudo",
    }.items()
}
_LATIN_LETTERS = {"french": "çœèêëâîïûù", "spanish": "ñ¿¡", "german": "ßäöü", "portuguese": "ãõ"}
# A number and its unit: "1.2kg", "500 ml", "30시간", "10,000mAh", "$20", "20%".
_QUANTITY_RE = re.compile(
    r"(?<![\w.])(\$|€|£|₩)?\s?(\d+(?:[.,]\d+)*)\s?"
    r"(%|[a-zA-Z]{1,4}(?![a-zA-Z])|[가-힣]{1,2}(?=[\s,.)을를이가와과의에도은는만]|$))?"
)
# Korean counters and words that follow numbers without being units of a spec.
_NOT_UNITS = {
    "년", "월", "일", "번", "개", "명", "가지", "문장", "단어", "살", "위", "등", "차", "세",
    "x", "st", "nd", "rd", "th", "s", "am", "pm", "to", "or", "and", "by", "times",
    "of", "in", "is", "a", "the", "for", "on", "at", "per", "more", "less", "than", "each",
    "with", "from", "that", "this", "are", "was", "be", "it", "as", "an", "if", "so",
}  # fmt: skip
_INCLUDE_CUE = re.compile(
    r"\b(?:include|includes|including|mention|mentions|state|stating|highlight|emphasi[sz]e)\b"
    r"|넣어|포함|강조|언급|밝혀|적어",
    re.I,
)
# A young reader: "for a 3-year-old" (up to 8), "for young kids", "for toddlers", "preschool".
_CHILD_RE = re.compile(
    r"\bfor (?:an? )?([1-8])[- ]year[- ]olds?\b|\b(?:young|little|small) (?:kids|children)\b"
    r"|\btoddlers?\b|\bpre-?school(?:ers)?\b|\bkindergarten\b",
    re.I,
)
# ... when the response is the text the child reads or hears (a story, not a movie tip)
_WRITE_FOR_RE = re.compile(r"\b(?:write|tell|explain|story|stories|poem|rhyme|lullaby)\b", re.I)
CHILD_GRADE_LIMIT = 8.0  # far above any picture book (grade 0-3), below adult prose (10+)
_SENTENCE_END = re.compile(r"[.!?。！？]+(?=\s|$|[\"'”’)])")
_CLOSING = re.compile(r"[\"'”’)]*")


@dataclass(frozen=True)
class Broken:
    """A stated constraint the response breaks."""

    kind: str  # "length", "language", "quantity", "audience"
    message: str


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, each with its end mark and closing quote (the last one may
    lack its mark; the "." of "1.5" ends none)."""
    out: list[str] = []
    start = 0
    for mark in _SENTENCE_END.finditer(text):
        end = _CLOSING.match(text, mark.end())
        assert end is not None  # the pattern matches the empty string
        out.append(text[start : end.end()])
        start = end.end()
    out.append(text[start:])
    return [p.strip() for p in out if re.search(r"\w", p)]


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with a sentence mark (a closing quote may follow it)."""
    return text.rstrip("\"'”’)").endswith((".", "!", "?", "。", "！", "？"))


def sentence_count(text: str) -> int:
    """Sentences in ``text``: runs ended by . ! ? (the last one may lack its mark)."""
    return len(sentences(re.sub(r"\d+\.\d+", "0", text.strip())))  # 1.5 is not two


def word_count(text: str) -> int:
    return len(words(text))


def _syllables(word: str) -> int:
    word = word.lower()
    groups = len(re.findall(r"[aeiouy]+", word))
    silent_e = word.endswith("e") and not word.endswith(("le", "ee"))
    return max(1, groups - (silent_e and groups > 1))


def reading_grade(text: str) -> float | None:
    """The Flesch-Kincaid grade of an English ``text`` (``None`` without English words)."""
    tokens = [w for w in words(text) if w.isascii() and w.isalpha()]
    if not tokens:
        return None
    per_sentence = len(tokens) / max(1, sentence_count(text))
    per_word = sum(map(_syllables, tokens)) / len(tokens)
    return 0.39 * per_sentence + 11.8 * per_word - 15.59


def _allowed(unit: str, bound: str, n: int) -> tuple[float, float]:
    """The counts that keep "``n`` ``unit``s" (``bound`` "exact" or "max").

    A few sentences or words are meant exactly ("one word" allows a second word of a name,
    "New York"); larger counts ("in 50 words", "in 5 sentences") approximately.
    """
    if unit == "word":
        high = n + 1 if n <= 2 else n * 1.2
        low = n if n <= 2 else n * 0.8
    else:
        high = n if n <= 3 else n + 1
        low = n if n <= 3 else n - 1
    return (0, high) if bound == "max" else (low, high)


def length_constraints(texts: Iterable[str]) -> list[tuple[str, str, int]]:
    """``(unit, bound, n)`` for each length the texts state (first statement per unit)."""
    found: dict[str, tuple[str, str, int]] = {}
    for text in texts:
        for pattern, unit, bound in _LENGTH_PATTERNS:
            match = pattern.search(text)
            if match and unit not in found:
                found[unit] = (unit, bound, _count(match.group(1)))
    return list(found.values())


def language_constraint(texts: Iterable[str]) -> str | None:
    """The language the texts ask the response to be written in."""
    for text in texts:
        for language, pattern in _ALL_LANGUAGES.items():
            if pattern.search(text):
                return language
    return None


def latin_language(text: str) -> str | None:
    """The Latin-script language ``text`` is clearly in (its common words and own letters
    count; ``None`` when no language is well ahead of the others)."""
    tokens = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
    scores = {
        language: sum(t in common for t in tokens)
        + 2 * sum(c in _LATIN_LETTERS.get(language, "") for c in text.lower())
        for language, common in _LATIN_WORDS.items()
    }
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top >= 2 and top >= 2 * second else None


def written_in(text: str, language: str) -> bool:
    """Whether ``text`` is mostly in ``language``'s script; for a Latin-script language (and
    English), not clearly in another one."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    if language == "english" or language in _LATIN_NAMES:
        latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
        return latin / len(letters) >= 0.7 and latin_language(text) in (None, language)
    share = script_share(text, language)
    return share is not None and share >= 0.3


def quantities(text: str) -> dict[str, set[str]]:
    """Numbers per unit that ``text`` states (``{"kg": {"1.2", "120"}}``)."""
    out: dict[str, set[str]] = {}
    for match in _QUANTITY_RE.finditer(text):
        currency, number, unit = match.groups()
        unit = (currency or unit or "").lower()
        if not unit or unit in _NOT_UNITS:
            continue
        out.setdefault(unit, set()).add(number.replace(",", ""))
    return out


def request_sentences(request: str) -> list[str]:
    """The sentences and lines of a request (each states its own requirements)."""
    return re.split(r"(?<=[.!?。])\s+|\n", request)


def _required_quantities(request: str) -> dict[str, set[str]]:
    required: dict[str, set[str]] = {}
    for sentence in request_sentences(request):
        if _INCLUDE_CUE.search(sentence):
            for unit, numbers in quantities(sentence).items():
                required.setdefault(unit, set()).update(numbers)
    return required


def broken_constraints(request: str, response: str, criteria: Sequence[str] = ()) -> list[Broken]:
    """The constraints stated by ``request`` (and ``criteria``) that ``response`` breaks."""
    out: list[Broken] = []
    for unit, bound, n in length_constraints([request, *criteria]):
        have = sentence_count(response) if unit == "sentence" else word_count(response)
        low, high = _allowed(unit, bound, n)
        if not low <= have <= high:
            wanted = f"at most {n}" if bound == "max" else str(n)
            out.append(Broken("length", f"{wanted} {unit}(s) asked, {have} given"))
    language = language_constraint([request, *criteria])
    if language and response.strip() and not written_in(response, language):
        out.append(Broken("language", f"not written in {language.capitalize()}"))
    for_child = _CHILD_RE.search(request) and _WRITE_FOR_RE.search(request)
    if for_child and written_in(response, "english"):
        grade = reading_grade(response)
        if grade is not None and grade > CHILD_GRADE_LIMIT:
            out.append(Broken("audience", f"reading grade {grade:.0f}, asked for a young child"))
    asked, given = quantities(request), quantities(response)
    required = _required_quantities(request)
    for unit, numbers in asked.items():
        stated = given.get(unit, set())
        absent, other = numbers - stated, stated - numbers
        if absent and other:
            want = ", ".join(f"{x}{unit}" for x in sorted(absent))
            wrong = ", ".join(f"{x}{unit}" for x in sorted(other))
            out.append(Broken("quantity", f"{want} asked, {wrong} given"))
        elif required.get(unit, set()) - stated:
            missing = ", ".join(f"{x}{unit}" for x in sorted(required[unit] - stated))
            out.append(Broken("quantity", f"missing: {missing}"))
    return out
