from __future__ import annotations

import random

from langchain_core.messages import BaseMessage

from langsynth.pools import render_hints, sample_hints
from langsynth.schemas.credit_card_transaction import CATEGORIES, CreditCardTransaction
from langsynth.synthesis.augment import (
    bias_variants,
    swap_gender,
    swap_names,
    swap_occupations,
)
from langsynth.synthesis.backtranslate import BackTranslator, script_share
from langsynth.synthesis.paraphrase import Paraphraser, parse_list
from langsynth.synthesis.rules import (
    CATEGORY_RULES,
    TRANSACTION_TEMPLATE,
    TemplatePool,
    get_template,
)
from tests.fakes import FakeChatModel

# ---------------------------------------------------------------- rules


def test_transactions_are_reproducible_with_a_seed() -> None:
    assert TRANSACTION_TEMPLATE.rows(50, seed=7) == TRANSACTION_TEMPLATE.rows(50, seed=7)
    assert TRANSACTION_TEMPLATE.rows(50, seed=7) != TRANSACTION_TEMPLATE.rows(50, seed=8)


def test_transactions_are_valid_unique_and_consistent_with_their_category() -> None:
    rows = TRANSACTION_TEMPLATE.rows(500, seed=1)
    assert len({r["transaction_id"] for r in rows}) == 500
    assert {r["category"] for r in rows} == set(CATEGORIES)
    for row in rows:
        CreditCardTransaction.model_validate(row)
        endings, (low, high), descriptions = CATEGORY_RULES[row["category"]]
        assert low <= row["amount"] <= high
        assert row["merchant"].endswith(endings)
        assert row["description"].split(":")[0] in descriptions
        assert row["location"].endswith(", USA")
        if row["payment_method"] == "cash":
            assert row["status"] == "completed"
        assert (row["status"] == "failed") == (
            "declined" in row["description"] or "expired" in row["description"]
        )


def test_transaction_text_follows_the_seed_template() -> None:
    row = TRANSACTION_TEMPLATE.rows(1, seed=2)[0]
    lines = TRANSACTION_TEMPLATE.render(row).splitlines()
    assert [ln.split(":")[0] for ln in lines] == [
        "Transaction ID",
        "Date",
        "Time",
        "Amount",
        "Merchant Name",
        "Merchant Category",
        "Location",
        "Payment Method",
        "Transaction Status",
        "Description",
    ]
    assert lines[3] == f"Amount: ${row['amount']:,.2f}"
    assert lines[7] == f"Payment Method: {row['payment_method'].title()}"
    assert get_template("credit_card_transaction") is TRANSACTION_TEMPLATE


def test_template_pool_gives_consistent_multi_field_hints() -> None:
    pools = {"merchant": TemplatePool(TRANSACTION_TEMPLATE, ("merchant", "category", "amount"))}
    hints = sample_hints(pools, random.Random(3))
    assert hints == sample_hints(pools, random.Random(3))
    value = hints["merchant"]
    assert set(value) == {"merchant", "category", "amount"}
    assert value["merchant"].endswith(CATEGORY_RULES[value["category"]][0])
    assert render_hints(pools, hints).startswith(f"merchant: use merchant {value['merchant']!r}")


# ---------------------------------------------------------------- swaps (Table 8-2)


def test_table_8_2_examples() -> None:
    assert swap_gender("She's a fantastic nurse.") == "He's a fantastic nurse."
    assert swap_occupations("She's a fantastic nurse.") == "She's a fantastic doctor."
    assert (
        swap_gender("The CEO of the firm, Mr. Alex Wang, spoke.")
        == "The CEO of the firm, Ms. Alexa Wang, spoke."
    )
    assert (
        swap_gender("Today, my mom made a casserole for dinner.")
        == "Today, my dad made a casserole for dinner."
    )
    swapped = swap_names(
        "Emily has always loved the violin.", rng=random.Random(0), change_gender=True
    )
    new_name = swapped.split()[0]
    assert new_name != "Emily" and swapped.endswith(" has always loved the violin.")
    from langsynth.synthesis.augment import NAME_GROUPS

    origin = next(k for k, names in NAME_GROUPS.items() if new_name in names)
    assert origin[0] != "english" and origin[1] == "male"


def test_her_becomes_his_before_a_noun_and_him_otherwise() -> None:
    assert swap_gender("I gave her the book.") == "I gave him the book."
    assert swap_gender("Her book is red.") == "His book is red."
    assert swap_gender("I saw her yesterday.") == "I saw him yesterday."
    assert swap_gender("It is his.") == "It is hers."
    assert swap_gender("His dog barked at him.") == "Her dog barked at her."
    assert swap_gender("HE SAID HELLO TO HIS FATHER") == "SHE SAID HELLO TO HER MOTHER"


def test_name_swaps_are_consistent_and_keep_pronouns_in_agreement() -> None:
    text = "Emily met Sarah. Emily thanked her friend."
    swapped = swap_names(text, rng=random.Random(2))
    first, second = swapped.split()[0], swapped.split()[2].rstrip(".")
    assert swapped.count(first) == 2 and first != "Emily" and second != "Sarah"
    assert "her friend" in swapped  # same gender: pronouns untouched
    flipped = swap_names(text, rng=random.Random(2), change_gender=True)
    assert "his friend" in flipped


def test_bias_variants_list_only_changed_texts() -> None:
    variants = bias_variants("She's a fantastic nurse.")
    assert variants == {
        "gender": "He's a fantastic nurse.",
        "occupation": "She's a fantastic doctor.",
    }
    assert bias_variants("The sky is blue.") == {}


# ---------------------------------------------------------------- paraphrase


def test_paraphrases_of_the_password_reset_example() -> None:
    answer = (
        "1. I forgot my password.\n2. How can I change my password?\n"
        "3. Steps to reset passwords.\n4. how to reset my password"
    )
    fake = FakeChatModel(answers=[answer])
    result = Paraphraser(fake, n=3).invoke("How to reset my password?")
    assert "in 3 different ways" in str(fake.calls[0][-1].content)
    assert result.paraphrases == [
        "I forgot my password.",
        "How can I change my password?",
        "Steps to reset passwords.",
    ]
    assert result.dropped == ["how to reset my password"]


def test_parse_list_handles_bullets_and_plain_lines() -> None:
    assert parse_list("- a\n* b\n\u2022 c") == ["a", "b", "c"]
    assert parse_list("first\nsecond") == ["first", "second"]
    assert parse_list('1) "quoted"') == ["quoted"]


# ---------------------------------------------------------------- back-translation


def translator(korean: str, back: str) -> FakeChatModel:
    def answer(messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        return korean if "into Korean" in prompt else back

    return FakeChatModel(answers=[answer], cycle=True)


def test_back_translation_keeps_a_faithful_round_trip() -> None:
    original = "How can I reset my password?"
    result = BackTranslator(
        translator("비밀번호를 어떻게 재설정하나요?", "How do I reset my password?")
    ).invoke(original)
    assert result.kept and result.similarity >= 0.5
    assert result.to_row()["translation"] == "비밀번호를 어떻게 재설정하나요?"


def test_back_translation_drops_a_drifted_round_trip_and_a_fake_translation() -> None:
    drifted = BackTranslator(translator("비밀번호", "The weather is nice today.")).invoke(
        "How can I reset my password?"
    )
    assert not drifted.kept and "too different" in (drifted.error or "")
    copied = BackTranslator(
        translator("How can I reset my password?", "How can I reset my password?")
    ).invoke("How can I reset my password?")
    assert not copied.kept and "not in Korean" in (copied.error or "")


def test_script_share() -> None:
    assert script_share("안녕하세요", "Korean") == 1.0
    assert script_share("hello 안녕", "korean") == 2 / 7
    assert script_share("bonjour", "French") is None
