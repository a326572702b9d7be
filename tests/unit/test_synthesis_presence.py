from __future__ import annotations

import pytest

from langsynth.synthesis.presence import (
    contains_sentence,
    contains_word,
    missing_words,
    sentence_match,
    word_forms,
)


@pytest.mark.parametrize(
    ("text", "word", "pos"),
    [
        ("Lily decorated her room.", "decorate", "verb"),
        ("She was decorating the tree.", "decorate", "verb"),
        ("He decorates cakes.", "decorate", "verb"),
        ("The children ran home.", "run", "verb"),
        ("They were running.", "run", "verb"),
        ("The bus stopped.", "stop", "verb"),
        ("The baby cried and cried.", "cry", "verb"),
        ("The dog carries a stick.", "carry", "verb"),
        ("She tied her shoe.", "tie", "verb"),
        ("He is tying his shoe.", "tie", "verb"),
        ("Tom went to the park.", "go", "verb"),
        ("The ice was frozen.", "freeze", "verb"),
        ("I brought a cake.", "bring", "verb"),
        ("Two mice ran.", "mouse", "noun"),
        ("The leaves fell.", "leaf", "noun"),
        ("The berries were red.", "berry", "noun"),
        ("The dog's tail wagged.", "dog", "noun"),
        ("Lots of boxes.", "box", "noun"),
        ("She was happier than ever.", "happy", "adjective"),
        ("The biggest bear.", "big", "adjective"),
        ("A better day.", "good", "adjective"),
        ("An ANCIENT house.", "ancient", "adjective"),
        ("It\u2019s a lovely day.", "lovely", "adjective"),
        ("We ate ice cream.", "ice cream", None),
    ],
)
def test_inflected_forms_count_as_using_the_word(text: str, word: str, pos: str | None) -> None:
    assert contains_word(text, word, pos)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "word", "pos"),
    [
        ("A thunderstorm came.", "thunder", "noun"),  # a compound is another word
        ("He walked quickly.", "quick", "adjective"),  # an adverb is derived, not inflected
        ("The cat sat.", "dog", "noun"),
        ("We ate ice and cream.", "ice cream", None),
        ("Decoration everywhere.", "decorate", "verb"),
    ],
)
def test_other_words_do_not_count(text: str, word: str, pos: str | None) -> None:
    assert not contains_word(text, word, pos)  # type: ignore[arg-type]


def test_part_of_speech_limits_the_forms() -> None:
    assert "decorated" in word_forms("decorate", "verb")
    assert "decorated" not in word_forms("decorate", "noun")
    assert "happier" in word_forms("happy", "adjective")
    assert "happier" not in word_forms("happy", "verb")


def test_missing_words_keeps_the_order_and_reads_part_of_speech() -> None:
    text = "Two big dogs barked at the moon."
    assert missing_words(text, {"verb": "bark", "noun": "dog", "adjective": "small"}) == ["small"]
    assert missing_words(text, ["cat", "moon", "sun"]) == ["cat", "sun"]
    assert missing_words(text, {"verb": "bark", "noun": "moon", "adjective": "big"}) == []


def test_sentence_is_found_despite_case_punctuation_and_spacing() -> None:
    story = "Lily liked the park.  One day, she went to the park and saw a BEAUTIFUL butterfly!"
    sentence = "One day she went to the park and saw a beautiful butterfly."
    assert sentence_match(story, sentence) == 1.0
    assert contains_sentence(story, sentence)


def test_sentence_with_one_changed_word_passes_loose_but_not_verbatim_check() -> None:
    story = "One day, she goes to the park and saw a beautiful butterfly."
    sentence = "One day, she went to the park and saw a beautiful butterfly."
    score = sentence_match(story, sentence)
    assert 0.9 <= score < 1.0
    assert contains_sentence(story, sentence)
    assert not contains_sentence(story, sentence, min_score=1.0)


def test_absent_sentence_scores_low() -> None:
    story = "Tom had a red ball. He kicked it over the fence and his dad laughed."
    assert not contains_sentence(story, "One day, she went to the park and saw a butterfly.")
    assert sentence_match(story, "") == 0.0
