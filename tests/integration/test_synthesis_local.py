"""Diversity techniques on the embedded 0.5B model: few, short generations.

The tests use the sync API (which runs on langsynth's one background event loop): the chat
models cache async HTTP clients bound to the loop that first used them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.language_models import BaseChatModel

from langsynth.synthesis.backtranslate import BackTranslator, script_share
from langsynth.synthesis.hierarchical import HierarchicalStoryGenerator
from langsynth.synthesis.labels import LabeledTextGenerator, balanced_requests
from langsynth.synthesis.presence import contains_word
from langsynth.synthesis.stories import StoryGenerator, StoryResult
from langsynth.vocabulary import load_vocabulary

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def story_llm(local_llm: BaseChatModel) -> Iterator[BaseChatModel]:
    """The shared embedded server, with a story-sized token cap (``local_llm`` owns the server)."""
    from langsynth.llm import get_chat_model

    yield get_chat_model("local", temperature=0.8, max_tokens=220, seed=7)


def test_stories_on_the_embedded_model_contain_their_drawn_words(
    story_llm: BaseChatModel,
) -> None:
    gen = StoryGenerator(story_llm, max_retries=1, seed=11)
    run = gen.generate(2, max_attempts=6)
    attempts = run.stats.attempts
    assert not [r for r in run.rejected if r["kind"] != "invalid"], run.rejected
    accepted: list[StoryResult] = run.results
    # about half the stories use all three words at once; with one retry, two of six is sure
    assert len(accepted) == 2, f"only {len(accepted)} of {attempts} stories used their words"
    for result in accepted:
        record, draw = result.record, result.draw
        assert record is not None and draw is not None
        assert (record.verb, record.noun, record.adjective) == (
            draw.verb,
            draw.noun,
            draw.adjective,
        )
        assert list(draw.features) == record.features
        for pos, word in draw.words.items():
            assert contains_word(record.story, word, pos)  # type: ignore[arg-type]
        assert len(record.story.split()) >= 20


def test_hierarchical_generation_runs_its_three_steps(story_llm: BaseChatModel) -> None:
    draws = load_vocabulary().draws(2, seed=4)
    # strict=False: this checks the three steps and the re-ask; whether the words and the
    # sentence made it is measured (result.missing, .sentence_score), and generate(n) is what
    # goes on until n stories pass.
    gen = HierarchicalStoryGenerator(story_llm, strict=False, max_retries=1)
    results = gen.run(draws).results
    for result in results:
        assert result.error is None, result.error
        assert result.record is not None
        assert result.record.summary and result.record.sentence and result.record.story
        assert result.sentence_score is not None and 0.0 <= result.sentence_score <= 1.0
        # a story that missed its sentence, a word or the length was asked for once more
        assert result.passed or result.attempts == 2, (result.attempts, result.sentence_score)


def test_label_seeded_texts_carry_their_labels(story_llm: BaseChatModel) -> None:
    requests = balanced_requests(2, ["positive", "negative"], topics=["umbrella", "kettle"], seed=1)
    results = LabeledTextGenerator(story_llm).run(requests).results
    assert sorted(r.record.label for r in results if r.record) == ["negative", "positive"]
    for result in results:
        assert result.record is not None and len(result.record.text.split()) >= 4


def test_back_translation_through_korean(story_llm: BaseChatModel) -> None:
    from langsynth.llm import get_chat_model

    llm = get_chat_model("local", temperature=0.2, max_tokens=120, seed=7)
    result = BackTranslator(llm).invoke("How can I reset my password?")
    assert (script_share(result.translation, "Korean") or 0.0) > 0.5, result.translation
    assert result.round_trip
    assert "password" in result.round_trip.lower()
    assert result.kept == (result.similarity >= 0.5)
