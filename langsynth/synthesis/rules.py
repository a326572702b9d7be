"""Rule-based synthesis without an LLM (seed 004): templates whose fields Faker and rules fill.

Fast (tens of thousands of rows a second), reproducible with a seed, and valid by
construction: a baseline to compare LLM data with, and a source of real-looking, mutually
consistent field values to mix into LLM prompts (:class:`TemplatePool`).

The shipped template is seed 004's credit-card transaction::

    Transaction ID: [unique id]        Merchant Name: [merchant]
    Date: [MM/DD/YYYY]                 Merchant Category: [category]
    Time: [HH:MM:SS]                   Location: [City, State, Country]
    Amount: [amount]                   Payment Method / Transaction Status / Description

>>> rows = TRANSACTION_TEMPLATE.rows(2, seed=3)
>>> rows == TRANSACTION_TEMPLATE.rows(2, seed=3)
True
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel

from langsynth.errors import ConfigurationError
from langsynth.runs import KeyAdmission, SourceStep
from langsynth.schemas.credit_card_transaction import (
    CATEGORIES,
    PAYMENT_METHODS,
    STATUSES,
    CreditCardTransaction,
)

FieldRule = Callable[["RuleContext"], Any]


@dataclass
class RuleContext:
    """What a field rule sees: Faker and an RNG (both seeded) and the fields filled so far."""

    fake: Any
    rng: random.Random
    row: dict[str, Any]
    used: dict[str, set[Any]]

    def unique(self, name: str, make: Callable[[], Any], tries: int = 100) -> Any:
        """A value from ``make`` not yet used for ``name`` in this run."""
        seen = self.used.setdefault(name, set())
        for _ in range(tries):
            value = make()
            if value not in seen:
                seen.add(value)
                return value
        raise ConfigurationError(f"Could not draw a unique {name!r} in {tries} tries.")


@dataclass(frozen=True)
class RuleTemplate:
    """A record template: an ordered mapping field -> rule, an optional text form and schema.

    Rules run in order, so a rule can depend on fields filled before it (the merchant on
    the category). ``text`` is a ``str.format`` template over the row (see :meth:`render`);
    ``model`` validates each row when given.
    """

    name: str
    fields: Mapping[str, FieldRule]
    model: type[BaseModel] | None = None
    text: str | None = None
    locale: str = "en_US"
    text_values: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    unique_fields: tuple[str, ...] = ()  # fields filled with ``ctx.unique``: no repeats

    def row_at(self, seed: int | None, index: int, fake: Any = None) -> dict[str, Any]:
        """Row ``index`` of ``seed``, reproducible on its own (values that must be unique are
        unique within the row only: a run drops repeats, see :class:`RuleSynthesis`)."""
        from faker import Faker

        rng = random.Random(f"{seed}:{index}") if seed is not None else random.Random()
        fake = fake or Faker(self.locale)
        fake.seed_instance(rng.getrandbits(64))
        row: dict[str, Any] = {}
        ctx = RuleContext(fake, rng, row, {})
        for name, rule in self.fields.items():
            row[name] = rule(ctx)
        if self.model is not None:
            row = self.model.model_validate(row).model_dump(mode="json")
        return row

    def iter_rows(self, n: int, seed: int | None = None) -> Iterator[dict[str, Any]]:
        """Yield ``n`` rows; the same ``seed`` gives the same rows."""
        from faker import Faker

        fake = Faker(self.locale)
        rng = random.Random(seed)
        fake.seed_instance(rng.getrandbits(64))
        used: dict[str, set[Any]] = {}
        for _ in range(n):
            row: dict[str, Any] = {}
            ctx = RuleContext(fake, rng, row, used)
            for name, rule in self.fields.items():
                row[name] = rule(ctx)
            if self.model is not None:
                row = self.model.model_validate(row).model_dump(mode="json")
            yield row

    def rows(self, n: int, seed: int | None = None) -> list[dict[str, Any]]:
        """``n`` rows as dicts."""
        return list(self.iter_rows(n, seed))

    def records(self, n: int, seed: int | None = None) -> list[BaseModel]:
        """``n`` rows as validated model instances (needs ``model``)."""
        if self.model is None:
            raise ConfigurationError(f"Template {self.name!r} has no model to build records.")
        return [self.model.model_validate(r) for r in self.iter_rows(n, seed)]

    def render(self, row: Mapping[str, Any]) -> str:
        """The row in the template's text form (e.g. the seed's transaction slip)."""
        if self.text is None:
            return "\n".join(f"{k}: {v}" for k, v in row.items())
        values = {k: self.text_values.get(k, str)(v) for k, v in row.items()}
        return self.text.format(**values)


# Per category: merchant name endings, amount range in dollars, descriptions.
CATEGORY_RULES: dict[str, tuple[tuple[str, ...], tuple[float, float], tuple[str, ...]]] = {
    "groceries": (
        ("Market", "Grocers", "Foods", "Fresh Mart"),
        (4, 260),
        (
            "Weekly groceries",
            "Produce, dairy and bread",
            "Household groceries",
            "Snacks and drinks",
        ),
    ),
    "restaurants": (
        ("Grill", "Bistro", "Kitchen", "Diner", "Cafe"),
        (6, 180),
        ("Dinner for two", "Lunch", "Takeout order", "Coffee and pastry", "Brunch"),
    ),
    "travel": (
        ("Airlines", "Travel", "Hotels", "Rail"),
        (45, 2400),
        ("Round-trip economy ticket", "Hotel stay, 2 nights", "Train ticket", "Car rental"),
    ),
    "fuel": (
        ("Gas", "Fuel Stop", "Petroleum"),
        (15, 130),
        ("Fuel purchase", "Gas station fill-up", "Diesel fill-up"),
    ),
    "electronics": (
        ("Electronics", "Tech", "Digital"),
        (12, 3000),
        ("Wireless headphones", "Laptop", "Phone charger", "27-inch monitor", "Smartwatch"),
    ),
    "clothing": (
        ("Apparel", "Outfitters", "Boutique"),
        (9, 420),
        ("Jeans and t-shirts", "Winter jacket", "Running shoes", "Work shirts"),
    ),
    "health": (
        ("Pharmacy", "Clinic", "Health"),
        (5, 650),
        ("Prescription refill", "Doctor visit copay", "Vitamins", "Dental cleaning"),
    ),
    "entertainment": (
        ("Cinemas", "Tickets", "Games"),
        (5, 320),
        ("Movie tickets", "Concert tickets", "Video game", "Bowling night"),
    ),
    "utilities": (
        ("Energy", "Water Co", "Power & Light", "Telecom"),
        (25, 420),
        ("Monthly electricity bill", "Water bill", "Internet service", "Phone bill"),
    ),
    "online services": (
        ("Online", "Cloud", "Stream", "Apps"),
        (1, 90),
        ("Monthly streaming subscription", "Cloud storage plan", "App purchase"),
    ),
}

PAYMENT_WEIGHTS = (0.55, 0.3, 0.05, 0.1)
STATUS_WEIGHTS = (0.85, 0.1, 0.05)
# Busier by day than by night.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 7, 8, 9, 8, 7, 7, 8, 9, 9, 8, 6, 4, 3, 2)
DATE_RANGE = (datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))


def _category(ctx: RuleContext) -> str:
    return ctx.rng.choice(CATEGORIES)


def _transaction_id(ctx: RuleContext) -> str:
    return str(ctx.unique("transaction_id", lambda: f"TX{ctx.rng.randrange(10**10):010d}"))


def _date(ctx: RuleContext) -> str:
    start, end = DATE_RANGE
    day = start + datetime.timedelta(days=ctx.rng.randrange((end - start).days + 1))
    return day.strftime("%m/%d/%Y")


def _time(ctx: RuleContext) -> str:
    hour = ctx.rng.choices(range(24), weights=HOUR_WEIGHTS, k=1)[0]
    return f"{hour:02d}:{ctx.rng.randrange(60):02d}:{ctx.rng.randrange(60):02d}"


def _amount(ctx: RuleContext) -> float:
    low, high = CATEGORY_RULES[ctx.row["category"]][1]
    # Log-uniform: many small purchases, a few large ones.
    return round(math.exp(ctx.rng.uniform(math.log(low), math.log(high))), 2)


def _merchant(ctx: RuleContext) -> str:
    endings = CATEGORY_RULES[ctx.row["category"]][0]
    return f"{ctx.fake.last_name()} {ctx.rng.choice(endings)}"


def _location(ctx: RuleContext) -> str:
    return f"{ctx.fake.city()}, {ctx.fake.state_abbr(include_territories=False)}, USA"


def _payment_method(ctx: RuleContext) -> str:
    if ctx.row["category"] == "online services":
        return ctx.rng.choice(("credit card", "online payment"))
    return str(ctx.rng.choices(PAYMENT_METHODS, weights=PAYMENT_WEIGHTS, k=1)[0])


def _status(ctx: RuleContext) -> str:
    if ctx.row["payment_method"] == "cash":
        return "completed"
    return str(ctx.rng.choices(STATUSES, weights=STATUS_WEIGHTS, k=1)[0])


def _description(ctx: RuleContext) -> str:
    text = ctx.rng.choice(CATEGORY_RULES[ctx.row["category"]][2])
    if ctx.row["status"] == "failed":
        text += ctx.rng.choice(
            (": declined, card limit exceeded", ": declined, suspected fraud", ": card expired")
        )
    return text


TRANSACTION_TEXT = (
    "Transaction ID: {transaction_id}\n"
    "Date: {date}\n"
    "Time: {time}\n"
    "Amount: {amount}\n"
    "Merchant Name: {merchant}\n"
    "Merchant Category: {category}\n"
    "Location: {location}\n"
    "Payment Method: {payment_method}\n"
    "Transaction Status: {status}\n"
    "Description: {description}"
)

TRANSACTION_TEMPLATE = RuleTemplate(
    name="credit_card_transaction",
    fields={
        "category": _category,
        "transaction_id": _transaction_id,
        "date": _date,
        "time": _time,
        "amount": _amount,
        "merchant": _merchant,
        "location": _location,
        "payment_method": _payment_method,
        "status": _status,
        "description": _description,
    },
    model=CreditCardTransaction,
    text=TRANSACTION_TEXT,
    text_values={
        "amount": lambda v: f"${v:,.2f}",
        "category": lambda v: str(v).title(),
        "payment_method": lambda v: str(v).title(),
        "status": lambda v: str(v).title(),
    },
    unique_fields=("transaction_id",),
)

RULE_TEMPLATES: dict[str, RuleTemplate] = {TRANSACTION_TEMPLATE.name: TRANSACTION_TEMPLATE}


def get_template(name: str | RuleTemplate) -> RuleTemplate:
    """A rule template by name (``credit_card_transaction``), or the template itself."""
    if isinstance(name, RuleTemplate):
        return name
    try:
        return RULE_TEMPLATES[name]
    except KeyError:
        raise ConfigurationError(
            f"No rule template {name!r}; available: {', '.join(sorted(RULE_TEMPLATES))}."
        ) from None


@dataclass(frozen=True)
class TemplatePool:
    """A :class:`langsynth.pools.Pool` that draws several consistent fields from a rule template.

    For mixing real-looking values into LLM prompts: the merchant, category and amount of
    one hint fit together, which independent per-field pools cannot promise::

        RecordGenerator(schema, llm, pools={"merchant": TemplatePool(TRANSACTION_TEMPLATE,
                                                                     ("merchant", "category"))})
    """

    template: RuleTemplate
    fields: Sequence[str] = ()
    render_template: str = "{field}: use {values}"

    def sample(self, rng: random.Random) -> dict[str, Any]:
        row = next(self.template.iter_rows(1, seed=rng.getrandbits(64)))
        wanted = list(self.fields) or list(row)
        return {k: row[k] for k in wanted}

    def render(self, field: str, value: Any) -> str:
        values = ", ".join(f"{k} {v!r}" for k, v in dict(value).items())
        return self.render_template.format(field=field, values=values)


@dataclass
class RuleRow:
    """One row made by a rule template (rules cannot fail: the schema validated it)."""

    row: dict[str, Any]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_row(self) -> dict[str, Any]:
        return self.row


class RuleSynthesis(SourceStep):
    """A rule template as a step of the run engine: ``generate(n, output=...)`` writes ``n``
    rows (journalled, resumable), row ``i`` made from ``seed`` and ``i`` alone; a repeat of a
    value the template keeps unique (``unique_fields``) is dropped and topped up.
    ``with_text`` adds a ``text`` column: the row in the template's text form.
    """

    job: ClassVar[str] = "rules"

    def __init__(
        self, template: str | RuleTemplate, *, seed: int | None = None, with_text: bool = False
    ) -> None:
        from faker import Faker

        self.template = get_template(template)
        self.seed = seed
        self.with_text = with_text
        self.concurrency = 1  # pure CPU work: no point in overlapping it
        self.output_columns = (*self.template.fields, *(("text",) if with_text else ()))
        self._fake = Faker(self.template.locale)

    def input_at(self, index: int) -> dict[str, Any]:
        return {"index": index}

    async def aprocess(self, input: Any, config: RunnableConfig | None = None) -> RuleRow:
        row = self.template.row_at(self.seed, int(input["index"]), self._fake)
        if self.with_text:
            row["text"] = self.template.render(row)
        return RuleRow(row)

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [result.to_row()]

    def admission(self, existing: Sequence[Mapping[str, Any]]) -> KeyAdmission:
        fields = self.template.unique_fields
        return KeyAdmission(lambda row: tuple(row.get(f) for f in fields), existing)

    def manifest_params(self) -> dict[str, Any]:
        return {"template": self.template.name, "seed": self.seed, "with_text": self.with_text}

    def identity(self) -> dict[str, Any]:
        return {"template": self.template.name, "seed": self.seed}

    def model_spec(self) -> str | None:
        return "rules (no model)"
