from __future__ import annotations

import random
from pathlib import Path

import pytest

from langsynth.errors import ConfigurationError
from langsynth.pools import render_hints, sample_hints
from langsynth.vocabulary import (
    FEATURE_NAMES,
    STORY_FEATURES,
    StoryFeature,
    VocabularyDraw,
    VocabularyPool,
    load_vocabulary,
    vocabulary_instruction,
    vocabulary_pools,
)


def test_shipped_lists_have_a_few_hundred_simple_words_each() -> None:
    vocab = load_vocabulary()
    for words in (vocab.verbs, vocab.nouns, vocab.adjectives):
        assert 150 <= len(words) <= 1500
        assert len(set(words)) == len(words)
        assert all(w.isalpha() and w.islower() for w in words)
    assert "decorate" in vocab.verbs and "thunder" in vocab.nouns and "ancient" in vocab.adjectives
    assert {"dialogue", "plot_twist", "bad_ending", "moral", "foreshadowing"} <= set(FEATURE_NAMES)


def test_draws_are_reproducible_with_a_seed_and_vary_without() -> None:
    vocab = load_vocabulary()
    assert vocab.draws(20, seed=3) == vocab.draws(20, seed=3)
    assert vocab.draws(20, seed=3) != vocab.draws(20, seed=4)
    assert [vocab.draw_at(3, i) for i in (19, 0, 7)] == [
        vocab.draws(20, seed=3)[i] for i in (19, 0, 7)
    ]


def test_each_draw_has_one_word_of_each_kind_and_a_feature_subset_in_bounds() -> None:
    vocab = load_vocabulary(min_features=0, max_features=3)
    draws = vocab.draws(300, seed=1)
    sizes = {len(d.features) for d in draws}
    assert sizes == {0, 1, 2, 3}
    for d in draws:
        assert d.verb in vocab.verbs and d.noun in vocab.nouns and d.adjective in vocab.adjectives
        assert len(set(d.features)) == len(d.features)
        order = [FEATURE_NAMES.index(f) for f in d.features]
        assert order == sorted(order)
    # every feature gets drawn: the labels are not degenerate
    assert {f for d in draws for f in d.features} == set(FEATURE_NAMES)


def test_custom_lists_from_files_and_sequences(tmp_path: Path) -> None:
    verbs = tmp_path / "verbs.txt"
    verbs.write_text("# my verbs\njump\n\nhop\njump\n", encoding="utf-8")
    vocab = load_vocabulary(verbs=verbs, nouns=["frog"], features=["dialogue"])
    assert vocab.verbs == ("jump", "hop")
    assert vocab.nouns == ("frog",)
    assert [f.name for f in vocab.features] == ["dialogue"]
    assert vocab.max_features == 1
    draw = vocab.draw(random.Random(0))
    assert draw.noun == "frog" and draw.features == ("dialogue",)


def test_bad_lists_raise_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_vocabulary(verbs=tmp_path / "nope.txt")
    with pytest.raises(ConfigurationError, match="empty"):
        load_vocabulary(nouns=["# only a comment"])
    with pytest.raises(ConfigurationError, match="Unknown story feature"):
        load_vocabulary(features=["sarcasm"])
    custom = load_vocabulary(features=[StoryFeature("rhyme", "it rhymes")])
    assert custom.feature("rhyme").instruction == "it rhymes"


def test_instruction_follows_the_seed_prompt() -> None:
    draw = VocabularyDraw("decorate", "thunder", "ancient", ("dialogue", "bad_ending"))
    text = vocabulary_instruction(draw)
    assert text.startswith(
        'The story should use the verb "decorate", the noun "thunder" and the adjective '
        '"ancient". The story should have the following features: '
    )
    for name in draw.features:
        assert next(f.instruction for f in STORY_FEATURES if f.name == name) in text
    assert "features" not in vocabulary_instruction(VocabularyDraw("hop", "frog", "green"))


def test_vocabulary_pool_plugs_into_generator_hints() -> None:
    pools = {"story": VocabularyPool()}
    hints = sample_hints(pools, random.Random(5))
    assert hints == sample_hints(pools, random.Random(5))
    draw = VocabularyDraw.from_dict(hints["story"])
    line = render_hints(pools, hints)
    assert line.startswith("story: it should use the verb")
    for word in draw.words.values():
        assert f'"{word}"' in line


def test_a_schema_that_records_the_draw_gets_it_as_field_values() -> None:
    # ChildrenStory has verb/noun/adjective/features fields: the draw is rendered as their
    # values (the instruction sentence is what the small model copied into the story).
    pool = vocabulary_pools(("story",), ("story", "verb", "noun", "adjective", "features"))
    assert pool["story"].as_fields
    draw = VocabularyDraw("ride", "pizza", "spotted", ("plot_twist", "moral"))
    line = render_hints(pool, {"story": draw.to_dict()})
    assert line == "verb=ride; noun=pizza; adjective=spotted; features=plot_twist, moral"
    assert render_hints(pool, {"story": VocabularyDraw("hop", "frog", "green").to_dict()}) == (
        "verb=hop; noun=frog; adjective=green"
    )
    # a schema without those fields keeps the instruction, attached to its text field
    other = vocabulary_pools(("reason",), ("title", "reason"))
    assert not other["reason"].as_fields
    assert render_hints(other, {"reason": draw.to_dict()}).startswith(
        'reason: it should use the verb "ride"'
    )


def test_the_builtin_story_generator_hints_the_words_as_its_fields() -> None:
    from langsynth.schemas import load_schema

    info = load_schema("children_story")
    line = render_hints(info.pools, sample_hints(info.pools, random.Random(3)))
    assert line.startswith("verb=") and "; noun=" in line and "should use" not in line


def test_draw_round_trips_through_a_dict() -> None:
    draw = VocabularyDraw("hop", "frog", "green", ("moral",))
    assert VocabularyDraw.from_dict(draw.to_dict()) == draw
    with pytest.raises(ConfigurationError, match="noun"):
        VocabularyDraw.from_dict({"verb": "hop", "adjective": "green"})
