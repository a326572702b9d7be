from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from langchain_core.messages import BaseMessage
from pydantic import ValidationError

from langsynth.schemas.children_story import ChildrenStory
from langsynth.synthesis.hierarchical import HierarchicalStoryGenerator, first_sentence
from langsynth.synthesis.stories import (
    STORY_PROMPT,
    StoryGenerator,
    check_features,
    clean_story,
    feature_labels,
    has_dialogue,
    story_uses_its_words,
)
from langsynth.vocabulary import VocabularyDraw, load_vocabulary
from tests.fakes import FakeChatModel

DRAW = VocabularyDraw("decorate", "thunder", "ancient", ("dialogue", "bad_ending"))


def prompt_of(messages: list[BaseMessage]) -> str:
    return str(messages[-1].content)


def story_using(draw_words: dict[str, str]) -> str:
    return (
        f"Lily lived in an {draw_words['adjective']} house. She liked to "
        f"{draw_words['verb']} her room. One night the {draw_words['noun']} was loud. "
        '"Mom, I am scared!" she said. The roof fell down and Lily was sad.'
    )


def echo_story(messages: list[BaseMessage]) -> str:
    """A fake model that obeys: it uses the three quoted words of the prompt."""
    words = prompt_of(messages).split('"')
    verb, noun, adjective = words[1], words[3], words[5]
    return story_using({"verb": verb, "noun": noun, "adjective": adjective})


def test_prompt_injects_words_features_and_reminder() -> None:
    gen = StoryGenerator(FakeChatModel())
    prompt = gen.prompt(DRAW)
    assert prompt.startswith("Write a short story (one paragraph of 4 to 6 sentences)")
    assert 'the verb "decorate", the noun "thunder" and the adjective "ancient"' in prompt
    assert "it has dialogue" in prompt and "it has a bad ending" in prompt
    assert prompt.endswith(
        'Remember to use the words "decorate", "thunder" and "ancient" and only simple words!'
    )


def test_baseline_prompt_is_the_same_prompt_without_injection() -> None:
    baseline = StoryGenerator(FakeChatModel(), inject=False)
    prompt = baseline.prompt(DRAW)
    assert prompt == STORY_PROMPT.format(length=baseline.length, injection="")
    assert "decorate" not in prompt
    plain = StoryGenerator(FakeChatModel(), remind=False).prompt(DRAW)
    assert (
        plain.replace(
            'The story should use the verb "decorate", the noun "thunder" and the adjective '
            '"ancient". The story should have the following features: it has dialogue: a '
            "character says something in quotation marks, it has a bad ending. ",
            "",
        )
        == prompt
    )


def test_story_that_uses_its_words_is_kept_with_its_draw_recorded() -> None:
    gen = StoryGenerator(FakeChatModel(answers=[echo_story]))
    result = gen.invoke(DRAW)
    assert result.ok and result.error is None
    assert isinstance(result.record, ChildrenStory)
    assert (result.record.verb, result.record.noun, result.record.adjective) == (
        "decorate",
        "thunder",
        "ancient",
    )
    assert result.record.features == ["dialogue", "bad_ending"]
    assert result.feature_checks == {"dialogue": True}
    assert result.output_tokens == 20


def test_story_missing_a_word_is_flagged_and_retried_with_the_same_draw() -> None:
    missing = "Lily decorated her old house. She was happy."
    fake = FakeChatModel(answers=[missing, echo_story])
    result = StoryGenerator(fake, max_retries=1).invoke(DRAW)
    assert result.ok and result.attempts == 2
    assert prompt_of(fake.calls[0]) == prompt_of(fake.calls[1])

    once = StoryGenerator(FakeChatModel(answers=[missing])).invoke(DRAW)
    assert not once.ok
    assert once.missing == ["thunder", "ancient"]
    assert once.error == "missing words: thunder, ancient"
    gen = StoryGenerator(FakeChatModel())
    assert gen.rejected_row(0, {}, once)["draw"]["verb"] == "decorate"


def test_a_story_shorter_than_min_words_is_retried_then_rejected() -> None:
    short = "The ancient thunder came. Lily did decorate."  # all three words, 7 words
    fake = FakeChatModel(answers=[short, echo_story])
    result = StoryGenerator(fake, max_retries=1).invoke(DRAW)
    assert result.ok and result.attempts == 2

    once = StoryGenerator(FakeChatModel(answers=[short])).invoke(DRAW)
    assert not once.ok and not once.missing
    assert once.error == "too short: 7 words, fewer than min_words=20"
    assert StoryGenerator(FakeChatModel(answers=[short]), min_words=5).invoke(DRAW).ok
    assert StoryGenerator(FakeChatModel(answers=[short]), strict=False).invoke(DRAW).ok


def test_a_failing_call_becomes_a_row_error_a_bug_stops_the_run() -> None:
    timeout = openai.APITimeoutError(request=httpx.Request("POST", "http://x/v1"))
    fake = FakeChatModel(answers=[timeout, echo_story, "too short"])
    gen = StoryGenerator(fake, concurrency=1, strict=False)
    result = gen.run(gen.draws(3, seed=2))
    results = result.results
    assert len(results) == 3
    assert results[0].error == "the request timed out" and not results[0].ok
    assert results[1].ok
    assert results[2].record is None and "story" in (results[2].error or "")
    with pytest.raises(RuntimeError, match="boom"):
        StoryGenerator(FakeChatModel(answers=[RuntimeError("boom")])).invoke(DRAW)


def test_generate_draws_reproducibly_and_baseline_records_no_words() -> None:
    vocab = load_vocabulary()
    a = StoryGenerator(FakeChatModel(answers=[echo_story], cycle=True), seed=9).generate(4)
    b = StoryGenerator(FakeChatModel(answers=[echo_story], cycle=True), seed=9).generate(4)
    assert [r.draw for r in a.results] == [r.draw for r in b.results] == vocab.draws(4, seed=9)
    assert a.complete and len(a.rows) == 4

    baseline = StoryGenerator(
        FakeChatModel(answers=["Once upon a time a girl played in the sun all day."], cycle=True),
        inject=False,
        seed=9,
    ).generate(2)
    assert baseline.complete
    assert baseline.rows[0]["verb"] is None and baseline.rows[0]["features"] == []


async def test_agenerate_stops_at_n_accepted_and_reports_rejections() -> None:
    answers: list[Any] = ["No words here at all, sorry.", echo_story, echo_story, echo_story]
    gen = StoryGenerator(FakeChatModel(answers=answers), concurrency=1, seed=1)
    seen: list[bool] = []
    result = await gen.agenerate(2, on_result=lambda _i, r: seen.append(r.ok))
    assert seen == [False, True, True] and len(result.rows) == 2
    assert result.rejected[0]["error"].startswith("missing words")


def test_clean_story_drops_a_title_line() -> None:
    assert clean_story("# The Kite\n\nTom had a kite.") == "Tom had a kite."
    assert clean_story("**The Kite**\nTom had a kite.") == "Tom had a kite."
    assert clean_story("Title: The Kite\nTom had a kite.") == "Tom had a kite."
    assert clean_story("Tom had a kite.\nIt flew.") == "Tom had a kite.\nIt flew."
    commented = "Tom had a kite.\n\nThis short story uses the words kite and fly."
    assert clean_story(commented) == "Tom had a kite."
    assert clean_story("This story is about Tom.") == "This story is about Tom."


def test_dialogue_heuristic() -> None:
    assert has_dialogue('"Hi!" said Tom.')
    assert has_dialogue("\u201cHi!\u201d said Tom.")
    assert not has_dialogue("Tom said hi. It's fun.")
    assert check_features("Tom said hi.", ["dialogue", "moral"]) == {"dialogue": False}


def test_features_become_classifier_labels() -> None:
    records = [
        ChildrenStory(story="A long enough story one.", features=["dialogue"]),
        {"story": "A long enough story two.", "features": ["moral", "dialogue"]},
        {"story": "A long enough story three.", "features": []},
    ]
    rows = feature_labels(records)
    assert rows[0] == {"text": "A long enough story one.", "dialogue": 1, "moral": 0}
    assert [r["dialogue"] for r in rows] == [1, 1, 0]
    assert feature_labels(records, ["bad_ending"])[1] == {
        "text": "A long enough story two.",
        "bad_ending": 0,
    }


def hierarchical_model(sentence: str, story_has_sentence: bool) -> FakeChatModel:
    def answer(messages: list[BaseMessage]) -> str:
        prompt = prompt_of(messages)
        if prompt.startswith("Write a one-sentence summary"):
            return "Summary: Lily decorates an ancient house while thunder roars."
        if prompt.startswith("Here is the summary"):
            assert "Lily decorates an ancient house" in prompt
            return f'"{sentence}"'
        assert prompt.endswith("Story:")
        assert f"Sentence: {sentence}" in prompt
        assert "Words: decorate, thunder, ancient" in prompt
        assert "Features: dialogue, bad ending" in prompt
        middle = sentence if story_has_sentence else "Then it rained on the big old town."
        return f"Lily liked to decorate. {middle} The thunder was loud. The ancient roof fell."

    return FakeChatModel(answers=[answer], cycle=True)


def test_hierarchical_steps_feed_each_other_and_sentence_is_verified() -> None:
    sentence = "One day, she found a box of shiny lights."
    result = HierarchicalStoryGenerator(hierarchical_model(sentence, True)).invoke(DRAW)
    assert result.ok, result.error
    assert result.record is not None
    assert result.record.summary == "Lily decorates an ancient house while thunder roars."
    assert result.record.sentence == sentence
    assert result.sentence_score == 1.0

    bad = HierarchicalStoryGenerator(hierarchical_model(sentence, False)).invoke(DRAW)
    assert not bad.ok
    assert "required sentence" in (bad.error or "")


def test_hierarchical_re_asks_the_story_alone_until_the_sentence_is_in() -> None:
    sentence = "One day, she found a box of shiny lights."
    without, with_it = hierarchical_model(sentence, False), hierarchical_model(sentence, True)
    script = [without.answers[0]] * 3 + [with_it.answers[0]]  # summary, sentence, 2 stories
    fake = FakeChatModel(answers=script)
    result = HierarchicalStoryGenerator(fake, max_retries=1).invoke(DRAW)
    assert result.ok and result.attempts == 2, result.error
    assert result.sentence_score == 1.0
    assert [prompt_of(m).split()[0] for m in fake.calls] == ["Write", "Here", "Write", "Write"]
    assert prompt_of(fake.calls[2]) == prompt_of(fake.calls[3])


def seeded_server(seen: list[int], answers: dict[int, str]) -> Any:
    """A ChatOpenAI on a fake server that answers by the request's seed, as a seeded
    llama.cpp or OpenAI server does (the same seed and prompt: the same answer)."""
    import json

    from langchain_openai import ChatOpenAI

    def handle(request: httpx.Request) -> httpx.Response:
        seed = json.loads(request.content)["seed"]
        seen.append(seed)
        message = {"role": "assistant", "content": answers[seed]}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        usage = {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70}
        reply = {"id": "x", "object": "chat.completion", "created": 0, "model": "m"}
        return httpx.Response(200, json={**reply, "choices": [choice], "usage": usage})

    transport = httpx.MockTransport(handle)
    return ChatOpenAI(
        api_key="none",  # type: ignore[arg-type]
        base_url="http://127.0.0.1:9/v1",
        http_client=httpx.Client(transport=transport),
        http_async_client=httpx.AsyncClient(transport=transport),
        max_retries=0,
        seed=7,
    )


def test_a_re_ask_samples_with_a_new_seed() -> None:
    seen: list[int] = []
    short = "The ancient thunder came. Lily did decorate."
    llm = seeded_server(seen, {7: short, 8: story_using(DRAW.words)})
    result = StoryGenerator(llm, max_retries=1).invoke(DRAW)
    assert result.ok and result.attempts == 2, result.error
    assert seen == [7, 8]


def test_first_sentence_strips_labels_quotes_and_the_rest() -> None:
    assert first_sentence('Sentence: "She ran home." Then she slept.') == "She ran home."
    assert first_sentence("\n\nThe cat sat! It was happy.") == "The cat sat!"


async def test_generators_are_runnables_that_batch_and_compose() -> None:
    draws = load_vocabulary().draws(3, seed=1)
    gen = StoryGenerator(FakeChatModel(answers=[echo_story], cycle=True))
    assert [r.ok for r in gen.batch(draws)] == [True, True, True]
    batched = await gen.abatch(draws, config={"max_concurrency": 2})
    assert [r.draw for r in batched] == draws
    chain = gen | (lambda r: r.record.verb)
    assert chain.invoke(draws[0]) == draws[0].verb


def test_record_validator_rejects_a_story_that_misses_its_recorded_words() -> None:
    good = ChildrenStory(
        story="Tom liked to kick his shiny ball into the pond.",
        verb="kick",
        noun="pond",
        adjective="shiny",
    )
    story_uses_its_words(good)
    bad = good.model_copy(update={"adjective": "ancient"})
    with pytest.raises(ValueError, match="'ancient'"):
        story_uses_its_words(bad)
    story_uses_its_words(ChildrenStory(story="A story recorded without any drawn words."))


def test_feature_names_are_constrained_to_label_like_words() -> None:
    with pytest.raises(ValidationError):
        ChildrenStory(story="A long enough story for the check.", features=["],"])
    assert ChildrenStory(story="A long enough story for the check.", features=["rhyme"]).features
