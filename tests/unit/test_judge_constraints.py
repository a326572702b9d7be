"""Stated constraints (length, language, quantities) checked by code before the model judges."""

from __future__ import annotations

import pytest

from langsynth.judge.constraints import (
    broken_constraints,
    language_constraint,
    latin_language,
    length_constraints,
    quantities,
    sentence_count,
)
from langsynth.judge.rules import rule_problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Describe the lamp in one sentence.", [("sentence", "exact", 1)]),
        ("Answer with one word: which planet is red?", [("word", "exact", 1)]),
        ("Summarize it in at most 3 sentences.", [("sentence", "max", 3)]),
        ("Give a one-word answer.", [("word", "exact", 1)]),
        ("우산 설명을 두 문장으로 써 주세요.", [("sentence", "exact", 2)]),
        ("세 문장 이내로 요약하세요.", [("sentence", "max", 3)]),
        ("한 단어로 답하세요.", [("word", "exact", 1)]),
        ("Write a story about a dog.", []),
        ("Write a short story (one paragraph of 4 to 6 sentences).", []),
    ],
)
def test_length_constraints_are_read_from_the_wording(text: str, expected: list) -> None:
    assert length_constraints([text]) == expected


def test_sentence_count_ignores_decimals_and_counts_an_unterminated_last_sentence() -> None:
    assert sentence_count("It weighs 1.5 kg. It folds flat") == 2
    assert sentence_count("가볍습니다. 튼튼합니다! 좋아요?") == 3
    assert sentence_count("") == 0


def test_a_length_that_is_kept_passes_one_that_is_not_is_reported() -> None:
    ok = broken_constraints("Describe the lamp in one sentence.", "A brass lamp with a soft glow.")
    assert ok == []
    (broken,) = broken_constraints(
        "Describe the lamp in one sentence.", "A brass lamp. It glows. It is cheap."
    )
    assert broken.kind == "length" and broken.message == "1 sentence(s) asked, 3 given"
    assert broken_constraints("Answer with one word: the color of grass?", "Green.") == []
    fifty = " ".join(["word"] * 46) + "."
    assert broken_constraints("Describe the city in 50 words.", fifty) == []  # about 50
    assert broken_constraints("Describe the city in 50 words.", "Big and loud.")
    assert broken_constraints("Answer with one word: the color of grass?", "It is green.")


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (["Reply in Korean, please."], "korean"),
        (["이 문장을 영어로 번역하세요."], "english"),
        (["요청한 언어(한국어)를 지킨다"], "korean"),
        (["Translate into French."], "french"),
        (["이 문장을 독일어로 번역해 주세요."], "german"),
        (["Recommend a movie in French."], None),  # the movie's language, not the answer's
        (["Translate this Korean poem."], None),
    ],
)
def test_the_requested_language_is_found_in_request_or_criteria(
    texts: list[str], language: str | None
) -> None:
    assert language_constraint(texts) == language


def test_a_response_in_another_script_breaks_the_language_a_criterion_states() -> None:
    criteria = ["제품을 설명한다", "요청한 언어(한국어)를 지킨다"]
    assert broken_constraints("텀블러 설명", "보온이 잘 되는 텀블러입니다.", criteria) == []
    (broken,) = broken_constraints("텀블러 설명", "A tumbler that keeps drinks hot.", criteria)
    assert broken.kind == "language"
    assert broken_constraints("Say hello in English.", "Hello there!") == []
    assert broken_constraints("Say hello in English.", "안녕하세요!")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bonjour, comment allez-vous ?", "french"),
        ("Buenos días, ¿cómo estás?", "spanish"),
        ("Guten Morgen, wie geht es Ihnen?", "german"),
        ("Buongiorno, come stai?", "italian"),
        ("Bom dia, como você está?", "portuguese"),
        ("Good morning, how are you?", "english"),
        ("Paris", None),  # too little to tell
    ],
)
def test_latin_script_languages_are_told_apart(text: str, language: str | None) -> None:
    assert latin_language(text) == language


def test_a_response_in_another_latin_language_breaks_the_requested_one() -> None:
    request = "Translate into French: Good morning, how are you?"
    assert broken_constraints(request, "Bonjour, comment allez-vous ?") == []
    (broken,) = broken_constraints(request, "Buenos días, ¿cómo estás?")
    assert broken.kind == "language" and "French" in broken.message
    assert broken_constraints(request, "Bonjour !") == []  # too short to tell: the model's
    assert broken_constraints("Answer in English.", "The Eiffel Tower is in Paris.") == []


def test_quantities_per_unit() -> None:
    assert quantities("무게 1.2kg, 최대 하중 120kg, 배터리 30시간") == {
        "kg": {"1.2", "120"},
        "시간": {"30"},
    }
    assert quantities("It costs $20 and holds 1,500 ml.") == {"$": {"20"}, "ml": {"1500"}}
    assert quantities("What is 17 multiplied by 6? Born in 1980년, 3명") == {}


def test_a_quantity_stated_differently_or_left_out_when_asked_for_is_reported() -> None:
    request = "Describe the kettle: capacity 1.7 l, 2200 W."
    assert broken_constraints(request, "A 1.7 l kettle with a 2200 W element.") == []
    (broken,) = broken_constraints(request, "A 1.2 l kettle with a 2200 W element.")
    assert broken.message == "1.7l asked, 1.2l given"
    # not asked to include: leaving a number out is for the model to weigh
    assert broken_constraints(request, "A fast kettle with a 2200 W element.") == []
    asked = "Describe the speaker. Mention its 5000 mAh battery."
    (missing,) = broken_constraints(asked, "A loud speaker that floats in the pool.")
    assert (missing.kind, missing.message) == ("quantity", "missing: 5000mah")
    # a conversion answer states another unit: nothing to compare
    assert broken_constraints("Convert 90 min to hours.", "1.5 hours") == []


def test_rule_problems_cap_a_broken_constraint_at_two() -> None:
    problems = rule_problems("두 문장으로 설명해 주세요.", "좋은 컵입니다.", None, None)
    assert [(p.rule, p.cap) for p in problems] == [("length", 2.0)]


def test_a_field_holding_its_own_name_or_a_filler_is_a_placeholder() -> None:
    from langsynth.judge.rules import placeholder_fields

    record = {
        "patient_name": "Patient Name",
        "title": "[Title]",
        "reason": "Lorem ipsum dolor sit amet.",
        "note": "TBD",
        "grade": "A",
        "genre": "Drama",
        "first_name": "Ana",
        "total_charge": 120.0,
    }
    assert placeholder_fields(record) == [
        "patient_name='Patient Name'",
        "title='[Title]'",
        "reason='Lorem ipsum dolor sit amet.'",
        "note='TBD'",
    ]
    request = "Generate a billing record."
    problems = rule_problems(request, "...", {"patient_name": "Your Name"}, None)
    assert [(p.rule, p.cap) for p in problems] == [("placeholder", 2.0)]
    assert rule_problems(request, "...", {"patient_name": "Ana Lee"}, None) == []


def test_one_asked_and_several_listed_caps_at_two() -> None:
    from langsynth.judge.rules import listed_names

    two = {
        "title": "Before Sunrise, The Notebook",
        "reason": "Before Sunrise is a long talk on a train; The Notebook is a lifelong love.",
    }
    problems = rule_problems("Recommend one romance film for a first date.", "...", two, None)
    assert [(p.rule, p.cap) for p in problems] == [("count", 2.0)]
    assert "2 given: Before Sunrise, The Notebook" in problems[0].message
    korean = {"title": "비포 선라이즈, 노트북", "reason": "비포 선라이즈는 설레고 노트북은 감동적."}
    assert [p.rule for p in rule_problems("로맨스 영화 하나.", "...", korean, None)] == ["count"]
    # several asked for, or the listing not talked about part by part: no problem
    assert rule_problems("Recommend two romance films.", "...", two, None) == []
    comma_title = {"title": "Crazy, Stupid, Love", "reason": "Crazy, Stupid, Love is warm."}
    assert rule_problems("Recommend one comedy.", "...", comma_title, None) == []
    assert listed_names({"title": "Amélie", "reason": "Amélie is charming."}) == []


def test_a_story_for_a_young_child_above_a_childs_reading_level_breaks_the_audience() -> None:
    request = 'Write a short story for a 3-year-old that uses the word "share".'
    hard = (
        "Notwithstanding the considerable ambiguity of her circumstances, Eleanor resolved to "
        "share the solitary confection, reasoning that magnanimity was indispensable."
    )
    (broken,) = broken_constraints(request, hard)
    assert broken.kind == "audience"
    easy = "Tom has one cookie. He gives half to Mia. They share and smile."
    assert broken_constraints(request, easy) == []
    # a recommendation for kids is read by the parent: no reading level asked
    assert broken_constraints("Recommend an animated movie for young kids.", hard) == []
