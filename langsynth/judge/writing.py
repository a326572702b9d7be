"""What the checklist judge asks the model to write: its questions and a closed request's answer.

The prompts and worked examples of the question writer (the gate, one question per
criterion) and of the reference writer, and the parsing of what it writes. The asking and
the scoring are in :mod:`langsynth.judge.checklist`.
"""

from __future__ import annotations

import re

WRITER_SYSTEM = "You write precise yes/no questions that check responses to a request."
GATE_PROMPT = (
    "REQUEST:\n{request}\n\n"
    "Write the yes/no questions that check whether a response gives exactly what this request "
    "asks for: first the kind of thing asked for, then the most important other attribute the "
    "request states, if any (for example a topic, an audience, a language, a number or a "
    "format). One short question a line, at most {limit}, in English."
)
CRITERION_PROMPT = (
    "REQUEST:\n{request}\n\nCRITERION:\n{criterion}\n\n"
    "Rewrite the criterion as one yes/no question about a response to this request, made "
    "concrete for this request (yes must mean the criterion is met). Write only the question, "
    "in English."
)
# Worked examples for the writer: a 1.5B writer without them names the wrong thing ("a rainy
# night movie" for a horror request, "comedy" for 공포 영화) or presupposes the answer ("is the
# recommended horror movie ..."). They show the shape only: the kind of thing asked for and
# each stated attribute, checked without assuming it; none is benchmark data.
GATE_SHOTS = (
    ("Recommend a comedy movie for tonight.", "Is the recommended movie a comedy?"),
    (
        "Write a short poem about autumn leaves, in Spanish.",
        "Is the response a poem about autumn leaves?\nIs the poem written in Spanish?",
    ),
    (
        "아이와 함께 볼 만한 동물 다큐멘터리 하나 추천해 줘.",
        "Is the recommended film an animal documentary?\nDoes the documentary suit watching "
        "with a child?",
    ),
    (
        "가죽 지갑 상품 설명을 써 주세요. 카드 여섯 장이 들어간다는 점을 넣어 주세요.",
        "Does the response describe a leather wallet?\nDoes the response say that the wallet "
        "holds six cards?",
    ),
)
# One question per requirement: a compound question ("a horror film to watch alone on a rainy
# night?") is answered by its best-matching part, so a romance "for a rainy night" passed it.
# Two: the third was mostly an attribute the writer made up ("does the movie take place at
# night?"). Only the first caps the score (see ``_written``).
GATE_QUESTIONS = 2
CRITERION_SHOTS = (
    (
        "Recommend a comedy movie for tonight.",
        "the movie fits what was asked",
        "Is the recommended movie a comedy?",
    ),
    (
        "아이와 함께 볼 만한 동물 다큐멘터리 하나 추천해 줘.",
        "추천 이유가 구체적인가",
        "Does the response give a specific reason to watch this documentary with a child?",
    ),
    (
        "Write a short poem about autumn leaves, in Spanish.",
        "correct grammar",
        "Is the poem written in grammatically correct Spanish?",
    ),
)
GENERIC_GATE = "Does the RESPONSE give exactly what the REQUEST asks for?"
# A request with one short correct answer gets it written once (reference-guided grading,
# MT-Bench); open-ended requests get NONE. The examples show the two kinds, not any data.
REFERENCE_SYSTEM = (
    "You solve requests that have one short correct answer. For a request with one short "
    "correct answer (a number, a word, a name, a label, a short translation, a fact) write "
    "only that answer. For an open-ended request (a story, a description, a recommendation, a "
    "record, code, an essay, advice) write only NONE."
)
REFERENCE_SHOTS = (
    ("What is 9 times 8?", "72"),
    ("Recommend one comedy movie for tonight.", "NONE"),
    ("Translate into German.\n\nThank you very much.", "Vielen Dank."),
    ("Write a short poem about the sea.", "NONE"),
    ("Which planet is closest to the sun?", "Mercury"),
)
REFERENCE_QUESTION = "The correct answer is: {answer}. Does the RESPONSE give this answer?"
REFERENCE_MAX_CHARS = 200
# A closed request's answer is short ("102", "Canberra", "negative", a short translation); a
# sentence-long "answer" is the writer solving an open request, and a gate on it marks good
# responses down (measured: it cost products 0.25 and stories 0.25 of gap).
REFERENCE_MAX_WORDS = 6
# Responses that answer nothing: what the model says "yes" to about them is its bias for the
# question, not evidence (used by ``calibrate``).
NULL_RESPONSES = ("", "The weather was mild today and the shops opened at nine.")
QUESTION_MAX_TOKENS = 60
QUESTION_MAX_CHARS = 300


def plain_question(criterion: str) -> str:
    """A criterion asked as it is written."""
    return f"Does the RESPONSE meet this criterion: {criterion.rstrip('.?')}?"


def clean_questions(text: str, limit: int = 1) -> list[str]:
    """The first ``limit`` lines of written questions, each as a question (distinct)."""
    out: list[str] = []
    for line in text.strip().splitlines():
        line = re.sub(r"^\s*(?:question\s*:|[-*•]|\d+[.)])\s*", "", line, flags=re.I).strip()
        line = line.strip('"“”')[:QUESTION_MAX_CHARS]
        if len(line) >= 8:
            line = line if line.endswith("?") else line + "?"
            if line not in out:
                out.append(line)
            if len(out) == limit:
                break
    return out
