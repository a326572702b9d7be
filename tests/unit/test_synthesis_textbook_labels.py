from __future__ import annotations

from collections import Counter

import pytest
from langchain_core.messages import BaseMessage

from langsynth.errors import ConfigurationError
from langsynth.synthesis.labels import (
    LabeledTextGenerator,
    LabelRequest,
    balanced_requests,
    clean_text,
)
from langsynth.synthesis.textbook import (
    AUDIENCES,
    TextbookGenerator,
    TextbookRequest,
    check_excerpt,
    split_excerpt,
    topic_audience_grid,
)
from tests.fakes import FakeChatModel

GOOD = """**Singular matrices**

A matrix is singular when it has no inverse; equivalently its determinant is zero.

Consider [[2, 4], [1, 2]]: the products of the diagonals are equal, so it is singular.

```python
import numpy as np

def is_singular(matrix):
    return abs(np.linalg.det(matrix)) < 1e-9

print(is_singular(np.array([[2, 4], [1, 2]])))
```
"""


def test_a_seed_like_excerpt_passes_the_checks() -> None:
    check = check_excerpt(GOOD)
    assert check.passed, check.failures
    assert len(check.snippets) == 1 and check.max_snippet_lines == 4
    assert check.paragraphs == 2


def test_unfenced_code_like_the_seed_output_is_found() -> None:
    text = (
        "A singular matrix has no inverse.\n\n"
        "import numpy as np\n\ndef f(m):\n    return np.linalg.det(m) == 0\n\nprint(f([[1]]))\n"
    )
    before, snippets, after = split_excerpt(text)
    assert before == "A singular matrix has no inverse." and len(snippets) == 1 and after == ""
    assert check_excerpt(text).passed


@pytest.mark.parametrize(
    ("text", "failure"),
    [
        (GOOD + "\nThat is all you need to know.", "text after the code"),
        (GOOD.replace("    return", "    return ("), "code does not parse as Python"),
        ("Only prose here, no code at all.", "0 code snippets (want 1-2)"),
        (
            "Intro.\n\n```python\n" + "\n".join(f"x{i} = {i}" for i in range(12)) + "\n```",
            "a snippet has 12 lines (want at most 10)",
        ),
        ("Intro.\n\n```python\ndef f():\n    return 1\n```", "does not define a function and call"),
        ("One.\n\nTwo.\n\nThree.\n\n```python\ndef f():\n    pass\nf()\n```", "3 paragraphs"),
    ],
)
def test_each_broken_constraint_is_reported(text: str, failure: str) -> None:
    check = check_excerpt(text)
    assert not check.passed
    assert any(failure in f for f in check.failures), check.failures


def test_grid_balances_audiences_and_spreads_topics() -> None:
    topics = [f"topic {i}" for i in range(5)]
    grid = topic_audience_grid(30, topics=topics, seed=4)
    assert grid == topic_audience_grid(30, topics=topics, seed=4)
    assert set(Counter(r.audience for r in grid).values()) == {10}
    assert set(Counter(r.topic for r in grid).values()) == {6}
    with pytest.raises(ConfigurationError):
        topic_audience_grid(3, topics=[])


def test_textbook_prompt_carries_audience_topic_and_the_seed_constraints() -> None:
    fake = FakeChatModel(answers=[GOOD])
    result = TextbookGenerator(fake).invoke(
        {"topic": "singular matrices", "audience": "PhD student"}
    )
    prompt = str(fake.calls[0][-1].content)
    assert f"for {AUDIENCES['PhD student']}." in prompt
    assert "from the middle of the following topic: singular matrices." in prompt
    assert "Each snippet has no more than 10 rows" in prompt
    assert "There should be no text after code snippets" in prompt
    assert result.ok and result.record is not None
    assert result.record.audience == "PhD student"
    assert TextbookRequest.coerce(("t", "a")) == TextbookRequest("t", "a")


def test_balanced_requests_have_equal_label_counts_and_drawn_topics() -> None:
    requests = balanced_requests(9, ["pos", "neg", "neutral"], topics=["cats", "tea"], seed=1)
    assert Counter(r.label for r in requests) == {"pos": 3, "neg": 3, "neutral": 3}
    assert {r.topic for r in requests} <= {"cats", "tea"}
    assert requests == balanced_requests(
        9, ["pos", "neg", "neutral"], topics=["cats", "tea"], seed=1
    )
    odd = Counter(r.label for r in balanced_requests(5, ["a", "b"], seed=0))
    assert sorted(odd.values()) == [2, 3]
    with pytest.raises(ConfigurationError, match="two distinct labels"):
        balanced_requests(4, ["only"])


def test_label_is_named_in_the_prompt_and_carried_by_the_record() -> None:
    def answer(messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        assert 'whose sentiment is "negative" (unhappy customer).' in prompt
        assert "It is about: kettle." in prompt
        return 'Review: "The kettle broke after a week."'

    gen = LabeledTextGenerator(
        FakeChatModel(answers=[answer]), label_descriptions={"negative": "unhappy customer"}
    )
    result = gen.invoke(LabelRequest("negative", "kettle"))
    assert result.ok and result.record is not None
    assert result.record.label == "negative"
    assert result.record.text == "The kettle broke after a week."
    assert result.to_row() == {
        "text": "The kettle broke after a week.",
        "label": "negative",
        "topic": "kettle",
    }


def test_a_refusal_is_not_a_labeled_example() -> None:
    gen = LabeledTextGenerator(FakeChatModel(answers=["I'm sorry, but I can't assist with that."]))
    result = gen.invoke("negative")
    assert not result.ok and "refused" in (result.error or "")


def test_clean_text_keeps_the_first_paragraph() -> None:
    assert clean_text("Text: Great mug.\n\nI hope this helps!") == "Great mug."
    assert clean_text("\u201cLovely.\u201d") == "Lovely."
