from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import BaseMessage

from langsynth.errors import ExamplesError
from langsynth.schemas.instruction_example import InstructionExample
from langsynth.synthesis.instructions import (
    SelfInstruct,
    SelfInstructFilter,
    load_seed_tasks,
    parse_task,
)
from langsynth.synthesis.reverse import ReverseInstruction
from tests.fakes import FakeChatModel

EXISTING = ["Give three tips for staying healthy.", "Translate the sentence into French."]


def test_shipped_seed_tasks_are_varied_instruction_examples() -> None:
    seeds = load_seed_tasks()
    assert len(seeds) >= 20
    assert len({s.instruction for s in seeds}) == len(seeds)
    assert any(s.input for s in seeds) and any(not s.input for s in seeds)


def test_seed_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "seeds.jsonl"
    bad.write_text('{"instruction": "Say hi.", "response": "hi"}\n{"instruction": "x"}\n')
    with pytest.raises(ExamplesError, match="line 2"):
        load_seed_tasks(bad)


@pytest.mark.parametrize(
    ("instruction", "reason"),
    [
        ("Hi there", "too short"),
        (" ".join(["word"] * 151), "too long"),
        ("Describe the picture of a cat.", "'picture'"),
        ("Draw a house.", "'draw'"),
        ("- List some fruits please.", "starts with punctuation"),
        ("Écris un poème sur la mer.", "non-English"),
        ("Give three tips for staying healthy.", "same instruction"),
        ("Give three tips for staying healthy today.", "too similar"),
        ("a new task about careers, different from all of these.", "echoes the prompt"),
    ],
)
def test_self_instruct_filters_drop_what_the_paper_drops(instruction: str, reason: str) -> None:
    got = SelfInstructFilter().check_instruction(instruction, EXISTING)
    assert got is not None and reason in got


def test_a_new_different_instruction_passes() -> None:
    assert SelfInstructFilter().check_instruction("Write a limerick about a cat.", EXISTING) is None


def test_response_checks() -> None:
    f = SelfInstructFilter()
    echo = InstructionExample(instruction="Repeat the word.", input="banana", response="Banana.")
    assert f.check_response(echo) == "response repeats the input"
    loop = InstructionExample(
        instruction="Plan a trip.", response=" ".join(["Morning: get dressed and relax."] * 8)
    )
    assert f.check_response(loop) == "response repeats itself (a generation loop)"
    refusal = InstructionExample(
        instruction="Name famous landmarks.",
        response="As an AI language model, I cannot discuss topics related to politics.",
    )
    assert f.check_response(refusal) == "response is a refusal"
    fine = InstructionExample(
        instruction="Spell the word backwards.", input="banana", response="ananab"
    )
    assert f.check_response(fine) is None


def test_parse_task_reads_task_and_input_lines() -> None:
    assert parse_task("Task 4: Name a color.\nInput: none") == ("Name a color.", "")
    assert parse_task("**Task 4:** Sort the list.\n**Input:** 3, 1, 2") == (
        "Sort the list.",
        "3, 1, 2",
    )
    assert parse_task("Task 4: A.\nInput: x\nTask 5: B.\nInput: y") == ("A.", "x")
    assert parse_task("Explain tides.") == ("Explain tides.", "")
    assert parse_task("Task 4: Solve the equation. Input: 2x + 3 = 4") == (
        "Solve the equation.",
        "2x + 3 = 4",
    )


def scripted(new_tasks: list[str]) -> FakeChatModel:
    tasks = iter(new_tasks)

    def answer(messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        if prompt.startswith("Come up with a new task"):
            return next(tasks)
        return f"An answer to: {prompt.splitlines()[0]}"

    return FakeChatModel(answers=[answer], cycle=True)


async def test_self_instruct_grows_its_pool_and_rejects_near_duplicates() -> None:
    seeds = [InstructionExample(instruction=i, response="ok") for i in EXISTING]
    fake = scripted(
        [
            "Task 3: Write a limerick about a cat.\nInput: none",
            "Task 3: Write a limerick about a cat please.\nInput: none",
            "Task 3: Sort the numbers in ascending order.\nInput: 3, 1, 2",
        ]
    )
    gen = SelfInstruct(fake, seeds, seed=1, concurrency=1)
    run = await gen.agenerate(2)
    assert len(run.rows) == 2 and run.stats.attempts == 3
    assert "too similar" in run.rejected[0]["error"]
    assert [e.instruction for e in gen.generated] == [
        "Write a limerick about a cat.",
        "Sort the numbers in ascending order.",
    ]
    assert gen.generated[1].input == "3, 1, 2"
    assert gen.generated[1].response.startswith("An answer to: Sort the numbers")
    prompt = str(fake.calls[-2][-1].content)
    assert "Write a limerick about a cat." in prompt  # accepted tasks become demonstrations
    assert "Task 4:" in prompt
    assert any(f"Now write one new task about {t}." in prompt for t in gen.topics)
    assert prompt.endswith('then "Input:" followed by the text the task works on, or "none".')


def test_task_prompt_without_a_topic() -> None:
    demos = [InstructionExample(instruction=i, response="ok") for i in EXISTING]
    prompt = SelfInstruct.task_prompt(demos)
    assert "Now write one new task. It must be different" in prompt
    assert "Task 1: Give three tips for staying healthy.\nInput: none" in prompt


def test_demos_are_reproducible_with_a_seed() -> None:
    a = SelfInstruct(FakeChatModel(), seed=3).input_at(5)
    b = SelfInstruct(FakeChatModel(), seed=3).input_at(5)
    assert a == b and len(a["demos"]) == 3
    assert SelfInstruct(FakeChatModel(), seed=3).input_at(6) != a


def test_reverse_instruction_keeps_the_human_text_as_response() -> None:
    text = "Bees pollinate crops such as apples and almonds. Without them food would cost more."
    fake = FakeChatModel(answers=["Why are bees important for food?"])
    result = ReverseInstruction(fake).invoke({"text": text})
    assert result.ok
    assert result.record == InstructionExample(
        instruction="Why are bees important for food?", input="", response=text
    )
    prefixed = ReverseInstruction(FakeChatModel(answers=['Request: "Why do bees matter?"\nMore.']))
    assert prefixed.invoke(text).record.instruction == "Why do bees matter?"  # type: ignore[union-attr]
    generic = ReverseInstruction(FakeChatModel(answers=["What is the main idea of the text?"]))
    assert "generic" in (generic.invoke(text).error or "")
    copy = ReverseInstruction(FakeChatModel(answers=[text])).invoke(text)
    assert not copy.ok and "copies the text" in (copy.error or "")
