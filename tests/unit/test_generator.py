from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any, ClassVar

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel

from langsynth.chains.generator import RecordGenerator, few_shot_prompt
from langsynth.errors import ConfigurationError, ExamplesError, GenerationError
from langsynth.normalize import record_key
from langsynth.pools import ChoicePool, sample_hints
from langsynth.schemas import MedicalBilling
from tests.fakes import FakeChatModel


def billing(i: int, **over: object) -> dict[str, object]:
    row: dict[str, object] = {
        "patient_id": 100000 + i,
        "patient_name": f"Person Number{i}",
        "diagnosis_code": "J20.9",
        "procedure_code": "99213",
        "total_charge": 200.0 + i,
        "insurance_claim_amount": 100.0,
    }
    row.update(over)
    return row


def test_prompt_is_the_seed_few_shot_template_with_hints_last() -> None:
    gen = RecordGenerator("medical_billing", FakeChatModel(), seed=3)
    system, human = gen.messages({"patient_name": "Zed Q"}, ["patient_name: Ann Lee"])
    assert isinstance(system, SystemMessage) and isinstance(human, HumanMessage)
    text = str(human.content)
    assert text.startswith(
        "This is a test about generating synthetic data about medical_billing. Examples below:"
    )
    assert '{"patient_id": 123456, "patient_name": "John Doe"' in text  # seed example, braces kept
    assert "Now you generate synthetic data about medical_billing. Make sure to the name" in text
    assert text.index("This record: ") < text.index("Already generated, do not repeat")
    assert "\n\nThis record: patient_name=Zed Q\n" in text  # the hints: one compact line
    assert "- patient_name: Ann Lee" in text
    assert "diagnosis_code (string): ICD-10-CM" in str(system.content)


def test_static_prefix_is_identical_across_requests() -> None:
    gen = RecordGenerator("medical_billing", FakeChatModel(), seed=3)
    a = gen.messages({"patient_name": "A B"})
    b = gen.messages({"patient_name": "C D"})
    assert a[0].content == b[0].content
    prefix = str(a[1].content).split("This record: ")[0]
    assert str(b[1].content).startswith(prefix)


def test_user_prompt_and_persona_are_used() -> None:
    prompt = few_shot_prompt([{"x": 1}], prefix="Data about {subject}:", suffix="More, {extra}.")
    gen = RecordGenerator(
        "movie_recommendation",
        FakeChatModel(),
        prompt=prompt,
        persona="You are CineMaster.",
        subject="horror movies",
        extra="be scary",
        default_pools=False,
    )
    system, human = gen.messages()
    assert str(system.content).startswith("You are CineMaster.")
    assert str(human.content) == 'Data about horror movies:\n\n{"x": 1}\n\nMore, be scary.'


def test_generates_exactly_n_valid_records() -> None:
    llm = FakeChatModel(answers=[billing(i) for i in range(5)])
    result = RecordGenerator("medical_billing", llm, concurrency=2, seed=1).generate(5)
    assert result.complete and len(result.records) == 5
    assert all(isinstance(r, MedicalBilling) for r in result.records)
    assert result.stats.valid == 5 and result.stats.rejected == 0
    assert result.stats.usage.output_tokens == 5 * 20
    assert list(result.to_dataframe().columns) == list(MedicalBilling.model_fields)


def test_invalid_record_is_retried_with_the_error_fed_back() -> None:
    bad = billing(1, insurance_claim_amount=999.0)  # claim above charge
    llm = FakeChatModel(answers=[bad, billing(1)])
    result = RecordGenerator("medical_billing", llm, concurrency=1).generate(1)
    assert len(result.records) == 1 and result.stats.retries == 1
    retry_prompt = llm.calls[1]
    assert "must not exceed total_charge" in str(retry_prompt[-1].content)
    assert json.loads(str(retry_prompt[-2].content))["insurance_claim_amount"] == 999.0


def test_exhausted_retries_record_a_rejection_and_the_batch_goes_on() -> None:
    answers = ["not json at all", {"patient_id": 5}, billing(9, diagnosis_code="bad"), billing(2)]
    llm = FakeChatModel(answers=answers)
    result = RecordGenerator("medical_billing", llm, concurrency=1, max_retries=2).generate(1)
    assert len(result.records) == 1
    assert result.stats.rejected == 1
    rejection = result.rejected[0]
    assert "diagnosis_code" in rejection["error"] and rejection["kind"] == "invalid"
    assert json.loads(rejection["raw_output"])["diagnosis_code"] == "bad"


def test_duplicates_are_dropped_and_topped_up() -> None:
    same = billing(1)
    # same record with another id and casing is a duplicate (dedup ignores patient_id)
    dup = billing(1, patient_id=999999, patient_name="PERSON  number1")
    llm = FakeChatModel(answers=[same, dup, billing(2)])
    result = RecordGenerator("medical_billing", llm, concurrency=1, max_retries=0).generate(2)
    assert [r.patient_name for r in result.records] == ["Person Number1", "Person Number2"]
    assert result.stats.duplicates == 1 and result.rejected[0]["kind"] == "duplicate"


def test_a_copy_of_a_few_shot_example_is_a_duplicate() -> None:
    from langsynth.schemas import load_schema

    copy = dict(load_schema("medical_billing").load_examples()[0])
    llm = FakeChatModel(answers=[copy, billing(5)])
    result = RecordGenerator("medical_billing", llm, concurrency=1, max_retries=0).generate(1)
    assert [r.patient_name for r in result.records] == ["Person Number5"]
    assert result.rejected[0]["error"] == "copy of a few-shot example"
    assert result.stats.duplicates == 1


class SeededFake(FakeChatModel):
    """A fake with a fixed sampling seed that records the seed of every call."""

    seed: int | None = 100

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
        SEEDS.append(self.seed)
        return super()._generate(messages, stop, run_manager, **kw)


SEEDS: list[int | None] = []


def test_a_seeded_model_samples_each_record_with_its_own_seed() -> None:
    runs = []
    for _ in range(2):
        SEEDS.clear()
        llm = SeededFake(answers=[billing(1), billing(2), billing(3)])
        llm._script = iter(llm.answers)  # one script shared by the per-record copies
        RecordGenerator("medical_billing", llm, concurrency=1, max_retries=0).generate(3)
        runs.append(list(SEEDS))
    assert runs[0] == [100, 101, 102]  # distinct per record ...
    assert runs[1] == runs[0]  # ... and reproducible


def test_kept_records_count_and_seed_the_duplicate_check_on_resume(tmp_path: Path) -> None:
    out = tmp_path / "bills.jsonl"
    first = FakeChatModel(answers=[billing(1)])
    RecordGenerator("medical_billing", first, concurrency=1).generate(1, output=out)
    llm = FakeChatModel(answers=[billing(1), billing(3)])
    result = RecordGenerator("medical_billing", llm, concurrency=1, max_retries=0).generate(
        2, output=out, resume=True
    )
    assert [r.patient_name for r in result.records] == ["Person Number1", "Person Number3"]
    assert result.stats.valid == 2 and result.stats.duplicates == 1


def test_attempt_cap_ends_with_a_clear_message_and_what_was_kept() -> None:
    llm = FakeChatModel(answers=[billing(1)], cycle=True)
    result = RecordGenerator("medical_billing", llm, concurrency=2, max_retries=0).generate(
        3, max_attempts=6
    )
    assert not result.complete and len(result.records) == 1
    assert "Stopped with 1 of 3:" in result.message and "cap (6)" in result.message
    assert result.stats.attempts == 6


def test_garbage_model_fails_fast() -> None:
    llm = FakeChatModel(answers=["I cannot do that"], cycle=True)
    result = RecordGenerator("medical_billing", llm, concurrency=3, max_retries=1).generate(
        50, fail_fast_after=5
    )
    assert not result.complete and result.records == []
    assert "5 attempts in a row" in result.message
    assert result.stats.attempts < 10


def test_hints_are_reproducible_with_a_seed() -> None:
    def hints(seed: int) -> list[str]:
        llm = FakeChatModel(answers=[billing(i) for i in range(4)])
        RecordGenerator("medical_billing", llm, concurrency=1, seed=seed).generate(4)
        return [str(call[1].content).split("This record: ")[1] for call in llm.calls]

    assert hints(7) == hints(7)
    assert hints(7) != hints(8)


def test_hint_pools_vary_attributes() -> None:
    llm = FakeChatModel(answers=[billing(i) for i in range(20)])
    RecordGenerator("medical_billing", llm, concurrency=1, seed=1).generate(20)
    names = {str(c[1].content).split("patient_name=")[1].split(";")[0] for c in llm.calls}
    assert len(names) == 20


def test_hints_are_one_line_of_field_values_the_schema_accepts() -> None:
    gen = RecordGenerator("medical_billing", FakeChatModel(), seed=2)
    for index in range(5):
        hints = gen.hints(index)
        line = str(gen.messages(hints)[1].content).split("\n\nThis record: ")[1]
        assert "\n" not in line
        parts = dict(part.split("=", 1) for part in line.split("; "))
        assert parts["patient_name"] == hints["patient_name"]
        # bare codes and plain amounts: the hint line alone is a valid record
        assert MedicalBilling.model_validate(parts).model_dump().keys() == parts.keys()


def test_custom_pools_override_defaults_and_can_add_free_hints() -> None:
    pools = {"diagnosis_code": ChoicePool(("E11.9",)), "tone": ChoicePool(("terse",))}
    gen = RecordGenerator("medical_billing", FakeChatModel(), pools=pools, seed=1)
    text = str(gen.messages(sample_hints(gen.pools, random.Random(1)))[1].content)
    assert "diagnosis_code=E11.9; " in text and "tone=terse" in text
    assert "; patient_name=" in text  # defaults still there


def test_zero_shot_and_user_examples(tmp_path: Path) -> None:
    gen = RecordGenerator("medical_billing", FakeChatModel(), examples=[])
    assert "Examples below:\n\nNow you generate" in str(gen.messages()[1].content)
    bad = tmp_path / "ex.jsonl"
    bad.write_text(
        json.dumps(billing(1)) + "\n" + json.dumps(billing(2, procedure_code="12")) + "\n"
    )
    with pytest.raises(ExamplesError, match=r"ex.jsonl, line 2, field 'procedure_code'"):
        RecordGenerator("medical_billing", FakeChatModel(), examples=bad)


def test_invoke_returns_one_record_or_raises_with_raw_output() -> None:
    gen = RecordGenerator("medical_billing", FakeChatModel(answers=[billing(4)]))
    assert gen.invoke({}).patient_id == 100004
    failing = RecordGenerator(
        "medical_billing", FakeChatModel(answers=["nope"], cycle=True), max_retries=1
    )
    with pytest.raises(GenerationError) as info:
        failing.invoke(None)
    assert info.value.raw_output == "nope"


def test_batch_works_as_a_runnable() -> None:
    gen = RecordGenerator("medical_billing", FakeChatModel(answers=[billing(i) for i in range(3)]))
    out = gen.batch([{}, {}, {}], config={"max_concurrency": 1})
    assert len(out) == 3


def test_sync_generate_works_inside_a_running_loop() -> None:
    async def inside() -> int:
        llm = FakeChatModel(answers=[billing(i) for i in range(2)])
        return len(RecordGenerator("medical_billing", llm).generate(2).records)

    assert asyncio.run(inside()) == 2


def test_user_validators_reject() -> None:
    def no_zeros(record: BaseModel) -> None:
        if "0" in str(record.model_dump()["patient_id"])[-1]:
            raise ValueError("patient_id must not end in 0")

    llm = FakeChatModel(answers=[billing(0), billing(1)])
    result = RecordGenerator(
        "medical_billing", llm, concurrency=1, max_retries=0, validators=[no_zeros]
    ).generate(1)
    assert result.records[0].patient_id == 100001
    assert result.rejected[0]["error"] == "patient_id must not end in 0"


def test_record_key_normalizes() -> None:
    assert record_key({"a": " Foo  Bar", "b": 1.001}, ["a", "b"]) == record_key(
        {"a": "foo bar", "b": 1.0}, ["a", "b"]
    )


def test_do_not_repeat_window_slides_when_enabled() -> None:
    llm = FakeChatModel(answers=[billing(i) for i in range(4)])
    RecordGenerator("medical_billing", llm, concurrency=1, avoid_recent=2).generate(4)
    prompts = [str(call[1].content) for call in llm.calls]
    assert "do not repeat" not in prompts[0]
    assert "Person Number0" in prompts[1]
    assert "Person Number0" in prompts[2] and "Person Number1" in prompts[2]
    assert "Person Number0" not in prompts[3] and "Person Number2" in prompts[3]


def test_do_not_repeat_is_off_by_default_even_on_resume(tmp_path: Path) -> None:
    out = tmp_path / "bills.jsonl"
    RecordGenerator("medical_billing", FakeChatModel(answers=[billing(1)])).generate(1, output=out)
    llm = FakeChatModel(answers=[billing(2)])
    RecordGenerator("medical_billing", llm).generate(2, output=out, resume=True)
    assert "do not repeat" not in str(llm.calls[0][1].content)


def test_a_run_converts_to_a_hugging_face_dataset_with_schema_features() -> None:
    pytest.importorskip("datasets")
    import datasets

    from langsynth.schemas import load_schema

    rows = load_schema("credit_card_transaction").load_examples()[:3]
    llm = FakeChatModel(answers=rows)
    gen = RecordGenerator("credit_card_transaction", llm, examples=[], concurrency=1)
    ds = gen.generate(3).to_hf_dataset()
    assert len(ds) == 3 and ds[0]["transaction_id"] == rows[0]["transaction_id"]
    status = ds.features["status"]
    assert isinstance(status, datasets.ClassLabel)
    assert status.int2str(ds[0]["status"]) == rows[0]["status"]


def test_run_makes_one_record_per_row_of_given_attributes() -> None:
    llm = FakeChatModel(answers=[billing(1), billing(2)])
    gen = RecordGenerator("medical_billing", llm, concurrency=1, default_pools=False)
    result = gen.run([{"patient_name": "Ada Obi"}, {"diagnosis_code": "E11.9"}])
    assert len(result.rows) == 2
    prompts = [str(call[1].content) for call in llm.calls]
    assert prompts[0].endswith("This record: patient_name=Ada Obi")
    assert prompts[1].endswith("This record: diagnosis_code=E11.9")


class LlamaCppFake(FakeChatModel):
    """A fake that looks like the embedded llama.cpp server (spec ``local``, an ``n`` field)."""

    n: int | None = None
    max_tokens: int | None = None
    extra_body: dict[str, Any] | None = None
    openai_api_base: str | None = None
    seen: ClassVar[list[tuple[int | None, int | None]]] = []  # shared by the model's copies
    slots_asked: ClassVar[list[Any]] = []

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
        self.seen.append((self.n, self.max_tokens))
        self.slots_asked.append((self.extra_body or {}).get("id_slot"))
        return super()._generate(messages, stop, run_manager, **kw)

    async def _agenerate(
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> Any:
        return self._generate(messages, stop, None, **kw)


def test_a_burst_on_llama_cpp_starts_by_warming_every_slot_with_the_shared_prefix() -> None:
    LlamaCppFake.seen, LlamaCppFake.slots_asked = [], []
    warm_reply = "x"
    llm = LlamaCppFake(answers=[warm_reply, warm_reply, *[billing(i) for i in range(4)]])
    llm._script = iter(llm.answers)  # one script shared by the model copies
    llm.metadata = {"langsynth_spec": "local"}
    gen = RecordGenerator("medical_billing", llm, concurrency=2, method="function_calling")
    result = gen.generate(4)
    assert len(result.rows) == 4
    # the prefix into slot 0, then (no slot files to copy it with) one request with n = slots
    assert LlamaCppFake.seen[:2] == [(None, 1), (2, 1)]
    assert LlamaCppFake.slots_asked[0] == 0
    warm_prompt = llm.calls[0]
    assert "This record: " not in str(warm_prompt[-1].content)  # the shared part only
    assert str(llm.calls[2][1].content).startswith(str(warm_prompt[-1].content))
    assert all(seen == (None, None) for seen in LlamaCppFake.seen[2:])


def test_where_the_server_copies_slots_the_prefix_is_processed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import langsynth.local

    copies: list[tuple[str, int, list[int]]] = []

    async def copy(base: str, key: str | None, source: int, targets: Any) -> int:
        copies.append((base, source, list(targets)))
        return len(copies[-1][2])

    monkeypatch.setattr(langsynth.local, "acopy_slot", copy)
    LlamaCppFake.seen, LlamaCppFake.slots_asked = [], []
    llm = LlamaCppFake(answers=["x", *[billing(i) for i in range(3)]])
    llm._script = iter(llm.answers)
    llm.metadata = {"langsynth_spec": "local"}
    llm.openai_api_base = "http://127.0.0.1:9/v1"
    RecordGenerator("medical_billing", llm, concurrency=3, method="function_calling").generate(3)
    assert copies == [("http://127.0.0.1:9", 0, [1, 2])]
    assert LlamaCppFake.seen[0] == (None, 1) and (3, 1) not in LlamaCppFake.seen


class GrammarFake(FakeChatModel):
    """Answers like the embedded server and keeps the grammar each request was sent with."""

    grammars: ClassVar[list[str]] = []

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
        GrammarFake.grammars.append((kw.get("extra_body") or {}).get("grammar", ""))
        return super()._generate(messages, stop, run_manager, **kw)


def grammar_schema(grammar: str) -> dict[str, Any]:
    """The JSON schema inside a compact llguidance grammar (``start: %json {...}``)."""
    return dict(json.loads(grammar.split("%json", 1)[1]))


def test_hints_that_are_field_values_are_fixed_in_the_grammar_not_written_in_the_prompt() -> None:
    pytest.importorskip("xllamacpp")  # builds the grammar (the `local` extra)
    GrammarFake.grammars = []
    llm = GrammarFake(answers=[json.dumps(billing(i)) for i in range(3)])
    gen = RecordGenerator("medical_billing", llm, seed=4, concurrency=1, method="llama_grammar")
    assert gen.pin_hints is None  # auto: the grammar is built here, the draw fixes every field
    gen.generate(3)
    prompts = {str(call[1].content) for call in llm.calls}
    assert len(prompts) == 1 and "This record: " not in prompts.pop()  # one cached prompt
    for index, grammar in enumerate(GrammarFake.grammars):
        hints = gen.hints(index)
        properties = grammar_schema(grammar)["properties"]
        assert properties["patient_name"] == {"const": hints["patient_name"]}
        assert properties["patient_id"] == {"const": hints["patient_id"]}
        assert properties["total_charge"] == {"const": hints["amounts"]["total_charge"]}
        assert list(properties)[:2] == ["patient_id", "patient_name"]  # the schema's order
    assert len(set(GrammarFake.grammars)) == 3


def test_hints_that_are_not_field_values_stay_in_the_prompt_and_free_fields_come_after() -> None:
    pytest.importorskip("xllamacpp")
    GrammarFake.grammars = []
    pools = {"tone": ChoicePool(("terse",)), "diagnosis_code": ChoicePool(("E11.9",))}
    llm = GrammarFake(answers=[json.dumps(billing(1))])
    gen = RecordGenerator(
        "medical_billing",
        llm,
        pools=pools,
        default_pools=False,
        method="llama_grammar",
        pin_hints=True,  # also when the model still writes fields of its own
    )
    gen.run([{"tone": "terse", "diagnosis_code": "E11.9", "patient_name": "x"}])
    prompt = str(llm.calls[0][1].content)
    # "x" is shorter than patient_name's 3 characters: a value the field rejects stays a hint
    assert prompt.endswith("This record: tone=terse; patient_name=x")
    properties = list(grammar_schema(GrammarFake.grammars[0])["properties"].items())
    assert properties[0] == ("diagnosis_code", {"const": "E11.9"})
    assert properties[1][0] == "patient_id" and "const" not in properties[1][1]


def test_without_pinning_every_hint_is_in_the_prompt_and_the_grammar_is_shared() -> None:
    pytest.importorskip("xllamacpp")
    GrammarFake.grammars = []
    llm = GrammarFake(answers=[json.dumps(billing(i)) for i in range(2)])
    gen = RecordGenerator(
        "medical_billing", llm, seed=4, concurrency=1, method="llama_grammar", pin_hints=False
    )
    gen.generate(2)
    assert all("This record: " in str(call[1].content) for call in llm.calls)
    assert len(set(GrammarFake.grammars)) == 1
    assert "const" not in GrammarFake.grammars[0]
    assert gen.manifest_params()["pin_hints"] is False


def test_pinning_is_off_where_the_schema_would_be_sent_to_openai_per_record() -> None:
    gen = RecordGenerator("medical_billing", FakeChatModel(), method="function_calling")
    assert not gen.pin_hints
    assert gen.split({"patient_name": "Ann Lee"}) == ({}, {"patient_name": "Ann Lee"})


def test_asking_to_pin_hints_without_a_schema_method_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="pin_hints needs a JSON-schema or grammar"):
        RecordGenerator(
            "medical_billing", FakeChatModel(), method="function_calling", pin_hints=True
        )


def test_by_default_a_draw_that_leaves_fields_to_the_model_stays_in_the_prompt() -> None:
    # A story is written from what the prompt asks: the words fixed before it went unused.
    gen = RecordGenerator("children_story", FakeChatModel(), method="llama_grammar", seed=1)
    hints = gen.hints(0)
    assert gen.split(hints) == ({}, hints)
    assert "This record: verb=" in str(gen.messages(hints)[1].content)
    pinned, shown = RecordGenerator(
        "children_story", FakeChatModel(), method="llama_grammar", pin_hints=True
    ).split(hints)
    assert set(pinned) == {"verb", "noun", "adjective", "features"} and shown == {}


def test_a_draw_that_would_make_an_invalid_record_is_not_pinned_so_the_model_can_mend_it() -> None:
    gen = RecordGenerator("medical_billing", FakeChatModel(), method="llama_grammar")
    hints = {**billing(1), "insurance_claim_amount": 900.0}  # claim above the 201.0 charge
    assert gen.split(hints) == ({}, hints)
    assert gen.split(billing(1))[0] == billing(1)


def test_by_default_json_schema_keeps_hints_in_the_prompt() -> None:
    import httpx
    from langchain_openai import ChatOpenAI

    nowhere = httpx.MockTransport(lambda request: httpx.Response(500))  # never called
    llm = ChatOpenAI(
        model="m",
        api_key="k",  # type: ignore[arg-type]
        base_url="http://127.0.0.1:9/v1",
        http_client=httpx.Client(transport=nowhere),
        http_async_client=httpx.AsyncClient(transport=nowhere),
    )
    gen = RecordGenerator("medical_billing", llm)
    assert gen.method == "json_schema" and gen.pin_hints is False
    assert gen.split(billing(1)) == ({}, billing(1))
    pinned = RecordGenerator("medical_billing", llm, pin_hints=True)
    assert pinned.split(billing(1)) == (billing(1), {})
