"""The synthesis commands end to end with a fake model (and ``rules``/``swap`` with none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage
from typer.testing import CliRunner

from langsynth.cli import app
from langsynth.datafile import read_rows
from langsynth.errors import OutputExistsError
from langsynth.schemas.children_story import ChildrenStory
from langsynth.schemas.credit_card_transaction import CreditCardTransaction
from tests.fakes import FakeChatModel
from tests.unit.test_synthesis_stories import echo_story
from tests.unit.test_synthesis_textbook_labels import GOOD

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=True)


def test_rules_writes_valid_reproducible_rows_fast(tmp_path: Path) -> None:
    out = tmp_path / "tx.jsonl"
    result = run("rules", "-n", "50", "-o", str(out), "--seed", "1", "--text")
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert len(rows) == 50 and "rows/s" in result.output
    for row in rows:
        CreditCardTransaction.model_validate({k: v for k, v in row.items() if k != "text"})
        assert row["text"].startswith(f"Transaction ID: {row['transaction_id']}\n")
    again = run("rules", "-n", "50", "-o", str(out), "--seed", "1", "--text")
    assert isinstance(again.exception, OutputExistsError)
    assert (
        run("rules", "-n", "50", "-o", str(out), "--seed", "1", "--text", "--overwrite").exit_code
        == 0
    )
    assert read_rows(out) == rows


def test_augment_swap_writes_the_table_8_2_variants(tmp_path: Path) -> None:
    out = tmp_path / "swapped.jsonl"
    result = run("augment", "swap", "--text", "She's a fantastic nurse.", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert [(r["augmentation"], r["text"]) for r in rows] == [
        ("original", "She's a fantastic nurse."),
        ("swap:gender", "He's a fantastic nurse."),
        ("swap:occupation", "She's a fantastic doctor."),
    ]


def test_stories_keeps_verified_stories_rejects_the_rest_and_resumes(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    out = tmp_path / "stories.jsonl"
    use_fake.append(FakeChatModel(answers=[echo_story, "A story with none of the words in it."]))
    result = run(
        "stories",
        "-n",
        "2",
        "-o",
        str(out),
        "--seed",
        "3",
        "--concurrency",
        "1",
        "--max-attempts",
        "2",
    )
    assert result.exit_code == 1, result.output  # fewer kept than asked
    assert "--max-attempts" in result.output
    kept = read_rows(out)
    assert len(kept) == 1  # one attempt per missing story: 2 asked, the 2nd missed its words
    ChildrenStory.model_validate(kept[0])
    rejected = read_rows(tmp_path / "stories.jsonl.run" / "rejected.jsonl")
    assert rejected[0]["error"].startswith("missing words")
    assert "stories kept" in result.output and "1 / 2" in result.output

    use_fake.append(FakeChatModel(answers=[echo_story], cycle=True))
    result = run("stories", "-n", "3", "-o", str(out), "--seed", "3", "--resume")
    assert result.exit_code == 0, result.output
    assert len(read_rows(out)) == 3


def test_stories_baseline_keeps_every_story_without_words(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    out = tmp_path / "plain.jsonl"
    use_fake.append(
        FakeChatModel(answers=["Once upon a time a girl named Lily played."], cycle=True)
    )
    result = run("stories", "-n", "2", "-o", str(out), "--no-inject")
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert len(rows) == 2 and rows[0]["verb"] is None


def test_labeled_is_balanced(use_fake: list[FakeChatModel], tmp_path: Path) -> None:
    out = tmp_path / "labeled.jsonl"
    use_fake.append(FakeChatModel(answers=["It was fine I guess, really."], cycle=True))
    result = run("labeled", "-n", "4", "--labels", "pos,neg", "-o", str(out), "--seed", "2")
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert sorted(r["label"] for r in rows) == ["neg", "neg", "pos", "pos"]
    assert all(r["topic"] for r in rows)


def test_textbook_and_instructions(use_fake: list[FakeChatModel], tmp_path: Path) -> None:
    use_fake.append(FakeChatModel(answers=[GOOD], cycle=True))
    out = tmp_path / "tb.jsonl"
    assert run("textbook", "-n", "2", "-o", str(out), "--seed", "1").exit_code == 0
    assert {r["audience"] for r in read_rows(out)} <= {
        "high-school student",
        "CS undergraduate",
        "PhD student",
    }

    def answer(messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        if prompt.startswith("Come up with"):
            return "Task 4: Name three rivers in Africa.\nInput: none"
        if prompt.startswith("Here is a text"):
            return "What do bees do for crops?"
        return "The Nile, the Congo and the Niger."

    use_fake.append(FakeChatModel(answers=[answer], cycle=True))
    out = tmp_path / "si.jsonl"
    result = run("instructions", "self-instruct", "-n", "1", "-o", str(out), "--seed", "1")
    assert result.exit_code == 0, result.output
    assert read_rows(out) == [
        {
            "instruction": "Name three rivers in Africa.",
            "input": "",
            "response": "The Nile, the Congo and the Niger.",
        }
    ]
    use_fake.append(FakeChatModel(answers=[answer], cycle=True))
    out = tmp_path / "rev.jsonl"
    text = "Bees carry pollen from flower to flower, so apple and almond crops can grow."
    result = run("instructions", "reverse", "--text", text, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert read_rows(out)[0]["response"] == text


def test_augment_paraphrase_and_backtranslate(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    use_fake.append(FakeChatModel(answers=["1. I forgot my password.\n2. Change my password?"]))
    out = tmp_path / "para.jsonl"
    result = run(
        "augment", "paraphrase", "--text", "How to reset my password?", "-n", "2", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    assert [r["text"] for r in read_rows(out)] == ["I forgot my password.", "Change my password?"]

    def answer(messages: list[BaseMessage]) -> str:
        return (
            "비밀번호를 재설정하는 방법"
            if "into Korean" in str(messages[-1].content)
            else "How to reset a password"
        )

    use_fake.append(FakeChatModel(answers=[answer], cycle=True))
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"text": "How to reset my password?", "id": 1}\n', encoding="utf-8")
    out = tmp_path / "bt.jsonl"
    result = run("augment", "backtranslate", str(inp), "-o", str(out), "--keep-all")
    assert result.exit_code == 0, result.output
    row = read_rows(out)[0]
    assert row["id"] == 1 and row["kept"] is True and row["round_trip"] == "How to reset a password"


def test_generate_vocabulary_injects_words_into_the_record_prompt(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    movie = {
        "title": "Paddington",
        "year": 2014,
        "genre": "comedy",
        "reason": "A polite bear tries to fit into a busy city; warm and funny.",
    }
    for flag, expected in (("--vocabulary", True), ("--no-vocabulary", False)):
        fake = FakeChatModel(answers=[movie])
        use_fake.append(fake)
        out = tmp_path / f"movies{flag}.jsonl"
        args = ["movie_recommendation", "-n", "1", "-o", str(out), "--seed", "1", "--preview", "0"]
        result = run("generate", *args, flag)
        assert result.exit_code == 0, result.output
        prompt = str(fake.calls[0][1].content)
        assert ("reason: it should use the verb" in prompt) is expected
        hint_parts = prompt.split("This record: ")[1].split("; ")
        # the schema's own pool (the user's request) stays; vocabulary adds one hint
        assert any(part.startswith("the user asks for ") for part in hint_parts)
        assert len(hint_parts) == 1 + expected


def test_stories_hierarchical_writes_summary_and_sentence(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    def answer(messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        if prompt.startswith("Write a one-sentence summary"):
            return "A child has a small adventure."
        if prompt.startswith("Here is the summary"):
            return "Then the child ran home."
        verb, noun, adjective = prompt.split("Words: ")[1].splitlines()[0].split(", ")
        return (
            f"A child liked to {verb} near the {noun}. It was {adjective}. The sky was "
            "grey and the wind was cold. Then the child ran home."
        )

    use_fake.append(FakeChatModel(answers=[answer], cycle=True))
    out = tmp_path / "hier.jsonl"
    result = run("stories", "--hierarchical", "-n", "2", "-o", str(out), "--seed", "1")
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert len(rows) == 2
    assert rows[0]["sentence"] == "Then the child ran home."
    assert rows[0]["summary"] == "A child has a small adventure."
    bad = run("stories", "--hierarchical", "--no-inject", "-o", str(tmp_path / "x.jsonl"))
    assert "drop --no-inject" in str(bad.exception)
