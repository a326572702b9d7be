"""The table of jobs on the run engine, for tests/unit/test_jobs_on_engine.py.

Each :class:`Job` names a job, builds its real step on a fake chat model, and gives the
model's answers (computed from the prompt, valid for that step's parsing) and the step's
inputs: ``rows`` for map steps, ``n`` for sources. To cover a new job, write its factory and
answer function here and append a :class:`Job` to :data:`JOBS`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

# An answer function: the chat messages of one call -> what the model says (see fakes.py).
Answer = Callable[[list[BaseMessage]], Any]


@dataclass(frozen=True)
class Job:
    """One job of the run engine, as the table holds it.

    ``build(llm)`` makes the real step calling ``llm``. ``answers()`` makes a fresh answer
    function (it may keep state, e.g. a counter that makes every record new; the dying and
    the working model of one test share one). Map steps have ``rows``; source steps ``n``.
    ``calls`` is the model calls one input or attempt makes when everything goes well
    (where the endpoint is made to die). ``model`` is False for steps that call no model.
    """

    name: str
    build: Callable[[BaseChatModel], Any]
    answers: Callable[[], Answer]
    rows: Sequence[Mapping[str, Any]] | None = None
    n: int | None = None
    calls: int = 1
    model: bool = True

    def __str__(self) -> str:  # the test id
        return self.name


def prompt_of(messages: list[BaseMessage]) -> str:
    return str(messages[-1].content)


def system_of(messages: list[BaseMessage]) -> str:
    return str(messages[0].content) if len(messages) > 1 else ""


def quoted_document(messages: list[BaseMessage]) -> str:
    """The text between the triple quotes of a prompt (extraction, reverse instruction)."""
    match = re.search(r'"""\n(.*?)\n"""', prompt_of(messages), re.DOTALL)
    assert match is not None, f"no quoted document in {prompt_of(messages)[:200]!r}"
    return match.group(1)


def counted(make: Callable[[int, list[BaseMessage]], Any]) -> Callable[[], Answer]:
    """Answers that carry a call counter: every answer is new (sources dedup their rows)."""

    def factory() -> Answer:
        counter = itertools.count()

        def answer(messages: list[BaseMessage]) -> Any:
            return make(next(counter), messages)

        return answer

    return factory


def stateless(answer: Answer) -> Callable[[], Answer]:
    return lambda: answer


# --------------------------------------------------------------------------- generate


def billing(k: int, messages: list[BaseMessage]) -> dict[str, Any]:
    return {
        "patient_id": 200000 + k,
        "patient_name": f"Person Number{k}",
        "diagnosis_code": "J20.9",
        "procedure_code": "99213",
        "total_charge": 200.0 + k,
        "insurance_claim_amount": 100.0,
    }


def build_generate(llm: BaseChatModel) -> Any:
    from langsynth.chains.generator import RecordGenerator

    return RecordGenerator("medical_billing", llm, seed=7, max_retries=0)


# --------------------------------------------------------------------------- text, extract,
# roundtrip: actors whose texts say "<Actor> starred in <film> and <film>."

ACTORS = [
    {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]},
    {"Actor": "Tom Hardy", "Film": ["Dunkirk", "Locke"]},
    {"Actor": "Meryl Streep", "Film": ["Doubt", "Julia"]},
    {"Actor": "Viola Davis", "Film": ["Fences", "Widows"]},
    {"Actor": "Emma Stone", "Film": ["Easy A", "Zombieland"]},
    {"Actor": "Denzel Washington", "Film": ["Glory", "Flight"]},
]
SENTENCE = re.compile(r"^(?P<actor>.+?) starred in (?P<films>.+?)\.$")


def sentence_of(record: Mapping[str, Any]) -> str:
    return f"{record['Actor']} starred in {' and '.join(record['Film'])}."


def writer(messages: list[BaseMessage]) -> str:
    """The text model: the sentence of the one actor named in the prompt."""
    prompt = prompt_of(messages)
    named = [a for a in ACTORS if f"Actor: {a['Actor']}" in prompt]
    assert len(named) == 1, f"expected one actor in the prompt: {prompt[:300]!r}"
    return sentence_of(named[0])


def reader(messages: list[BaseMessage]) -> dict[str, Any]:
    """The extraction model: reads the record back from the document's sentence."""
    match = SENTENCE.match(quoted_document(messages).strip())
    assert match is not None, quoted_document(messages)
    return {"Actor": match["actor"], "Film": match["films"].split(" and ")}


def writer_or_reader(messages: list[BaseMessage]) -> Any:
    from langsynth.chains.text import DATA_GENERATION_SYSTEM

    return writer(messages) if system_of(messages) == DATA_GENERATION_SYSTEM else reader(messages)


def build_text(llm: BaseChatModel) -> Any:
    from langsynth.chains.text import DatasetGenerator
    from langsynth.schemas import load_schema

    return DatasetGenerator(llm, schema=load_schema("actor_filmography"))


def build_extract(llm: BaseChatModel) -> Any:
    from langsynth.chains.extraction import ExtractionChain

    return ExtractionChain("actor_filmography", llm)


def build_roundtrip(llm: BaseChatModel) -> Any:
    from langsynth.chains.roundtrip import RoundTrip

    return RoundTrip("actor_filmography", llm)


# --------------------------------------------------------------------------- stories


def story(k: int, messages: list[BaseMessage]) -> str:
    """Uses the three quoted words of the prompt (the reminder at its end)."""
    match = re.search(r'use the words "([^"]+)", "([^"]+)" and "([^"]+)"', prompt_of(messages))
    assert match is not None, prompt_of(messages)
    verb, noun, adjective = match.groups()
    return (
        f"Kid number {k} lived in an {adjective} house. She liked to {verb} all day. "
        f'One night the {noun} was loud. "Mom, I am scared!" she said.'
    )


def hierarchical(k: int, messages: list[BaseMessage]) -> str:
    prompt = prompt_of(messages)
    if prompt.startswith("Write a one-sentence summary"):
        return f"Summary: Kid number {k} has a big day."
    if prompt.startswith("Here is the summary"):
        return f'"Kid number {k} found a shiny box."'
    assert prompt.endswith("Story:"), prompt
    sentence = re.search(r"^Sentence: (.+)$", prompt, re.MULTILINE)
    words = re.search(r"^Words: (.+), (.+), (.+)$", prompt, re.MULTILINE)
    assert sentence is not None and words is not None, prompt
    verb, noun, adjective = words.groups()
    return (
        f"A kid liked to {verb}. {sentence[1]} The {noun} was {adjective}. "
        '"Look!" she said. Then she went to bed.'
    )


def build_stories(llm: BaseChatModel) -> Any:
    from langsynth.synthesis.stories import StoryGenerator

    return StoryGenerator(llm, seed=3)


def build_hierarchical(llm: BaseChatModel) -> Any:
    from langsynth.synthesis.hierarchical import HierarchicalStoryGenerator

    return HierarchicalStoryGenerator(llm, seed=3)


# --------------------------------------------------------------------------- textbook


def excerpt(k: int, messages: list[BaseMessage]) -> str:
    """Passes the seed's checks: two paragraphs, one short snippet that defines and calls."""
    return (
        f"A matrix is singular when it has no inverse (lesson {k}).\n\n"
        "Its determinant is zero, so the rows depend on each other.\n\n"
        "```python\n"
        "def is_singular(det):\n"
        "    return abs(det) < 1e-9\n\n"
        "print(is_singular(0.0))\n"
        "```\n"
    )


def build_textbook(llm: BaseChatModel) -> Any:
    from langsynth.synthesis.textbook import TextbookGenerator

    return TextbookGenerator(llm, seed=5)


# --------------------------------------------------------------------------- labeled


def review(messages: list[BaseMessage]) -> str:
    prompt = prompt_of(messages)
    label = re.search(r'whose sentiment is "([^"]+)"', prompt)
    topic = re.search(r"It is about: ([^.]+)\.", prompt)
    assert label is not None, prompt
    return f'Review: "My {topic[1] if topic else "order"} made me feel {label[1]} this week."'


# Requests with and without a topic (``balanced_requests`` draws one only when given topics).
LABEL_ROWS = [
    {"label": label, "topic": topic}
    for label, topic in itertools.product(("positive", "negative"), ("kettle", "lamp", None))
]


def build_labeled(llm: BaseChatModel) -> Any:
    from langsynth.synthesis.labels import LabeledTextGenerator

    return LabeledTextGenerator(llm)


# --------------------------------------------------------------------------- instructions


def self_instruct(k: int, messages: list[BaseMessage]) -> str:
    prompt = prompt_of(messages)
    if prompt.startswith("Come up with a new task"):
        # Words of their own per task: no ROUGE-L overlap with the pool beyond two words.
        return f"Task 4: Explain alpha{k} beta{k} gamma{k} delta{k} together.\nInput: none"
    return f"Here is a short answer about {prompt.split()[1]} and its friends."


def build_self_instruct(llm: BaseChatModel) -> Any:
    from langsynth.synthesis.instructions import SelfInstruct

    return SelfInstruct(llm, seed=2)


ESSAYS = [
    {
        "text": f"Honeybees of hive {i} carry pollen between apple blossoms, so the orchard "
        f"sets fruit in spring and the farmer {i} has a harvest in autumn."
    }
    for i in range(6)
]


def reverse(messages: list[BaseMessage]) -> str:
    hive = re.search(r"hive (\d+)", quoted_document(messages))
    assert hive is not None
    return f"Request: How do honeybees of hive {hive[1]} help apple orchards?"


def build_reverse(llm: BaseChatModel) -> Any:
    from langsynth.synthesis.reverse import ReverseInstruction

    return ReverseInstruction(llm)


# --------------------------------------------------------------------------- augmentation

REQUESTS = [
    {"text": text, "user": i}
    for i, text in enumerate(
        [
            "How do I reset my password?",
            "Where is my parcel?",
            "Can I change my delivery address?",
            "Why was my card declined?",
            "How do I close my account?",
            "Is there a student discount?",
        ]
    )
]


def paraphrases(messages: list[BaseMessage]) -> str:
    text = prompt_of(messages).rsplit("\n\n", 1)[-1]
    return f"1. Please tell me: {text}\n2. I would like to know: {text}"


def build_paraphrase(llm: BaseChatModel) -> Any:
    from langsynth.synthesis.paraphrase import Paraphraser

    return Paraphraser(llm, n=2)


def build_swap(llm: BaseChatModel) -> Any:
    from langsynth.synthesis.augment import BiasSwapper

    return BiasSwapper(seed=1)


SWAP_ROWS = [
    {"text": "She is a fantastic nurse and her son loves her.", "user": 0},
    {"text": "My dad works as a doctor.", "user": 1},
    {"text": "Emily said he was late.", "user": 2},
    {"text": "The weather is nice today.", "user": 3},
]

# A reversible "Korean": each ASCII letter becomes a Hangul syllable (so the pivot's script
# check passes) and back.
HANGUL = 0xAC00


def to_korean(text: str) -> str:
    return "".join(chr(HANGUL + ord(c)) if c.isascii() and c.isalpha() else c for c in text)


def from_korean(text: str) -> str:
    return "".join(chr(ord(c) - HANGUL) if HANGUL <= ord(c) < HANGUL + 128 else c for c in text)


def translator(messages: list[BaseMessage]) -> str:
    prompt = prompt_of(messages)
    text = prompt.split("\n\n", 1)[1]
    return to_korean(text) if "into Korean" in prompt else from_korean(text)


def build_backtranslate(llm: BaseChatModel) -> Any:
    from langsynth.synthesis.backtranslate import BackTranslator

    return BackTranslator(llm)


# --------------------------------------------------------------------------- rules


def build_rules(llm: BaseChatModel) -> Any:
    from langsynth.synthesis.rules import RuleSynthesis

    return RuleSynthesis("credit_card_transaction", seed=11, with_text=True)


def no_model(messages: list[BaseMessage]) -> Any:
    raise AssertionError("this step calls no model")


# --------------------------------------------------------------------------- the table


# --------------------------------------------------------------------------- judge


JUDGE_REQUEST = "Recommend one horror movie."
JUDGED_ROWS = [
    {"request": JUDGE_REQUEST, "title": t, "year": 1980 + i, "reason": "A fine pick."}
    for i, t in enumerate(["Alien", "Up", "Heat", "Jaws", "Big"])
]
PAIRS = [
    {"request": JUDGE_REQUEST, "first": f"Film {i}", "second": f"Other film {i}"} for i in range(4)
]


def checks(messages: list[BaseMessage]) -> Any:
    """The checklist judge: no reference (an open request), a written question, then yes (0.9)
    to every check."""
    from langsynth.judge.writing import REFERENCE_SYSTEM, WRITER_SYSTEM
    from tests.fakes import yes_no_reply

    if system_of(messages) == REFERENCE_SYSTEM:
        return "NONE"
    if system_of(messages) == WRITER_SYSTEM:
        return "Is the movie a horror film?"
    return yes_no_reply(0.9)


def build_judge(llm: BaseChatModel) -> Any:
    from langsynth.judge import PointwiseJudge

    return PointwiseJudge(llm, criteria="fits the request", language="en", comment="checks")


def build_pairwise(llm: BaseChatModel) -> Any:
    from langsynth.judge import PairwiseJudge

    return PairwiseJudge(llm, criteria="fits the request", language="en")


TEXT_ROWS = [{"id": f"a{i}", "labels": record} for i, record in enumerate(ACTORS)]
DOCUMENTS = [{"id": f"d{i}", "text": sentence_of(record)} for i, record in enumerate(ACTORS)]

JOBS: list[Job] = [
    Job("generate", build_generate, counted(billing), n=6),
    Job("text", build_text, stateless(writer), rows=TEXT_ROWS),
    Job("extract", build_extract, stateless(reader), rows=DOCUMENTS),
    Job("roundtrip", build_roundtrip, stateless(writer_or_reader), rows=ACTORS, calls=2),
    Job("stories", build_stories, counted(story), n=6),
    Job("stories-hierarchical", build_hierarchical, counted(hierarchical), n=5, calls=3),
    Job("textbook", build_textbook, counted(excerpt), n=6),
    Job("labeled", build_labeled, stateless(review), rows=LABEL_ROWS),
    Job("self-instruct", build_self_instruct, counted(self_instruct), n=5, calls=2),
    Job("reverse-instruction", build_reverse, stateless(reverse), rows=ESSAYS),
    Job("paraphrase", build_paraphrase, stateless(paraphrases), rows=REQUESTS),
    Job("swap", build_swap, stateless(no_model), rows=SWAP_ROWS, model=False),
    Job("backtranslate", build_backtranslate, stateless(translator), rows=REQUESTS, calls=2),
    Job("rules", build_rules, stateless(no_model), n=8, model=False),
    # the questions of a request are written once (2 calls), then 2 one-token checks per
    # row (a pair: both candidates checked on their own, 4)
    Job("judge", build_judge, stateless(checks), rows=JUDGED_ROWS, calls=3),
    Job("pairwise", build_pairwise, stateless(checks), rows=PAIRS, calls=6),
]

# Jobs that are known to be on their way onto the engine and not in the table yet.
PENDING: dict[str, str] = {}

MODEL_JOBS = [job for job in JOBS if job.model]
