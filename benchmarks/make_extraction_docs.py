"""Write the messy-document extraction set under ``benchmarks/data/extraction/`` (seeded).

Rule-based synthesis (Faker + templates + injected OCR noise), one JSONL file per kind, rows
``{"id", "kind", "text", "labels"}`` with the gold record in ``labels``:

- ``receipts.jsonl``: scanned shop receipts as OCR lines, as in the SROIE key-information task
  (company, date, address, total), mostly Malaysian, some Singaporean and American: logo and
  owner lines above the company, registration and GST numbers, addresses broken over lines,
  dates beside times and cashiers, the total among subtotals, tax, rounding, cash and change,
  labels split from their values, misread characters and stray marks;
- ``invoices.jsonl``: supplier invoices OCR'd from two-column layouts (bill-to and ship-to run
  together), subtotal/tax/shipping/payments around the total, a due date or only terms;
- ``emails.jsonl``: replies and forwards with quoted earlier messages (other senders, other
  phone numbers), signatures, disclaimers and quoted-printable debris;
- ``clinic_letters.jsonl``: faxed clinic letters with fax headers, dictated/typed dates beside
  the clinic date, numbered diagnoses, current and stopped medicines.

Gold values are what is printed in the text (as SROIE's labels are), with lines that a value
spans joined by one space; a field the document does not give is null. Regenerate with
``python benchmarks/make_extraction_docs.py`` (the default seed reproduces the committed files).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from faker import Faker

OUT_DIR = Path(__file__).resolve().parent / "data" / "extraction"

# ----------------------------------------------------------------------------- OCR noise

CONFUSIONS = {
    "O": "0", "0": "O", "I": "1", "1": "I", "l": "1", "S": "5", "5": "S", "B": "8",
    "8": "B", "E": "F", "G": "6", "Z": "2", "a": "o", "e": "c", "m": "rn", "rn": "m",
    ".": ",", ",": ".", ":": ";", "-": "~",
}  # fmt: skip
JUNK_LINES = ("*", "'", ".", "-" * 32, "*" * 20, "=" * 28, "|", ". ,", "i", "~", "#", "__")


class Noise:
    """Seeded OCR corruption: misread characters, spacing, broken lines, stray marks."""

    def __init__(self, rng: random.Random, level: float) -> None:
        self.rng = rng
        self.level = level

    def misread(self, line: str, n: int = 1) -> str:
        for _ in range(n):
            spots = [k for k in CONFUSIONS if k in line]
            if not spots:
                break
            key = self.rng.choice(spots)
            starts = [i for i in range(len(line)) if line.startswith(key, i)]
            i = self.rng.choice(starts)
            line = line[:i] + CONFUSIONS[key] + line[i + len(key) :]
        return line

    def spacing(self, line: str) -> str:
        """Spaces an OCR engine adds or drops (kept in the gold: they are printed)."""
        r = self.rng.random()
        if r < 0.3 and " " in line:
            i = self.rng.choice([i for i, c in enumerate(line) if c == " "])
            return (
                line[:i] + line[i + 1 :] if self.rng.random() < 0.5 else line[:i] + " " + line[i:]
            )
        if r < 0.45 and "," in line:
            return line.replace(",", " ,", 1)
        return line

    def other_line(self, line: str) -> str:
        """Noise for lines that hold no gold value: misreads are fair game."""
        if self.rng.random() < self.level:
            line = self.misread(line, self.rng.choice((1, 1, 2)))
        if self.rng.random() < self.level / 2:
            line = self.spacing(line)
        return line

    def key_line(self, line: str, *, misread: bool = True) -> str:
        """Noise for a line that holds (part of) a gold value; the gold keeps what is printed."""
        if misread and self.rng.random() < self.level / 3:
            line = self.misread(line)
        if self.rng.random() < self.level / 2:
            line = self.spacing(line)
        return line

    def junk(self, lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            out.append(line)
            if self.rng.random() < self.level / 4:
                out.append(self.rng.choice(JUNK_LINES))
        return out


def split_line(rng: random.Random, text: str, max_len: int = 28) -> list[str]:
    """Break a long printed line at a space, as receipt printers and OCR boxes do."""
    if len(text) <= max_len or " " not in text:
        return [text]
    spaces = [i for i, c in enumerate(text) if c == " " and 8 < i < len(text) - 4]
    if not spaces:
        return [text]
    i = rng.choice(spaces)
    return [text[:i], *split_line(rng, text[i + 1 :], max_len)]


def joined(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


# ----------------------------------------------------------------------------- formats


def fmt_date(rng: random.Random, day: Any, style: str | None = None) -> str:
    styles = {
        "dmy/": "%d/%m/%Y", "dmy-": "%d-%m-%Y", "dmy.": "%d.%m.%Y", "dmy2/": "%d/%m/%y",
        "ymd-": "%Y-%m-%d", "dMy": "%d %b %Y", "dMy-": "%d-%b-%Y", "Mdy": "%b %d, %Y",
        "mdy/": "%m/%d/%Y", "Bdy": "%B %d, %Y", "dBy": "%d %B %Y", "ymd/": "%Y/%m/%d",
    }  # fmt: skip
    chosen = style or rng.choice(list(styles))
    text = day.strftime(styles[chosen])
    return text.upper() if chosen in ("dMy", "dMy-", "Mdy") and rng.random() < 0.7 else text


END = dt.date(2025, 6, 30)  # a fixed calendar: the files do not change with the day they are made


def between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def money(value: float, thousands: bool = False) -> str:
    return f"{value:,.2f}" if thousands else f"{value:.2f}"


def round_05(value: float) -> float:
    return round(round(value * 20) / 20, 2)


# ----------------------------------------------------------------------------- receipts

MY_NAMES = (
    "GIN KEE", "SOON HUAT", "LIAN HUP", "HOCK SENG", "YONG FATT", "MAJU JAYA", "SRI MURUGAN",
    "TEO HENG", "WAN SHENG", "KIM LEONG", "AIK HUAT", "SIN CHEW", "SENG LEE", "BERKAT",
    "ANEKA", "PERMATA", "CAHAYA", "TOH BROTHERS", "UNIHAIKKA", "GOLDEN ARCH", "SAN HO",
    "AH HUAT", "MEI MEI", "SUNRISE", "OCEAN", "MYDIN", "PASAR RAYA NG", "HUP SENG",
)  # fmt: skip
MY_TRADES = (
    "STATIONERY & BOOKS", "HARDWARE", "ELECTRICAL & TRADING", "BAKERY", "MINI MARKET",
    "FOOD INDUSTRIES", "PHARMACY", "AUTO PARTS", "TRADING", "CONFECTIONERY", "MACHINERY",
    "FURNITURE", "FROZEN FOOD", "BOOKSTORE", "PRINTING", "ENTERPRISE",
)  # fmt: skip
ITEMS = (
    ("MILO AIS", 3.5), ("NASI LEMAK BIASA", 4.0), ("TEH TARIK", 2.2), ("ROTI CANAI", 1.5),
    ("A4 PAPER 70GSM 500S", 11.9), ("PILOT G2 PEN BLUE", 6.5), ("KF MODELLING CLAY", 9.0),
    ("SCOTCH TAPE 18MM", 2.8), ("GARDENIA ORIGINAL", 3.9), ("MINERAL WATER 1.5L", 1.8),
    ("CABLE TIE 8 INCH", 4.5), ("PVC PIPE 1/2\"", 7.2), ("WD-40 333ML", 16.9),
    ("PANADOL ACTIVE FAST", 8.4), ("KOPI O KOSONG", 1.8), ("CHICKEN RICE", 7.5),
    ("SPRITZER 600ML", 1.2), ("EXERCISE BOOK 80PG", 1.1), ("BATTERY AA 4PCS", 5.9),
    ("LED BULB 9W", 12.5), ("MEE GORENG MAMAK", 6.0), ("ICE LEMON TEA", 2.5),
    ("CORRECTION TAPE", 3.6), ("GLUE STICK 21G", 2.4), ("MASKING TAPE 24MM", 3.2),
)  # fmt: skip


FOOTERS = (
    "EXCHANGE WITHIN 7 DAYS WITH RECEIPT", "PLEASE KEEP THIS RECEIPT FOR WARRANTY",
    "PRICES ARE INCLUSIVE OF GST", "SERVED BY: COUNTER 2", "WIFI PASSWORD: 12345678",
    "LIKE US ON FACEBOOK", "NO REFUND", "THIS IS A COMPUTER GENERATED RECEIPT",
)  # fmt: skip


def receipt_company(rng: random.Random, country: str) -> str:
    name = rng.choice(MY_NAMES)
    if country == "SG":
        return rng.choice((f"{name} {rng.choice(MY_TRADES)} PTE LTD", f"{name} PTE. LTD."))
    if country == "US":
        fake = Faker("en_US")
        fake.seed_instance(rng.random())
        return rng.choice(
            (fake.company(), f"{fake.last_name()}'s {rng.choice(('Deli', 'Market', 'Hardware'))}")
        )
    pattern = rng.choice(
        (
            "{n} {t} SDN BHD", "{n} {t} SDN. BHD.", "{n} (M) SDN BHD", "{n} ENTERPRISE",
            "SYARIKAT PERNIAGAAN {n}", "RESTORAN {n}", "{n} {t}", "KEDAI UBAT {n}",
            "{n} {t} (M) SDN BHD",
        )
    )  # fmt: skip
    return pattern.format(n=name, t=rng.choice(MY_TRADES))


def receipt_address(rng: random.Random, country: str) -> list[str]:
    if country == "US":
        fake = Faker("en_US")
        fake.seed_instance(rng.random())
        return [fake.street_address(), f"{fake.city()}, {fake.state_abbr()} {fake.zipcode()}"]
    fake = Faker("en_MS")
    fake.seed_instance(rng.random())
    parts = [p.strip() for p in fake.address().upper().split(",")]
    if country == "SG":
        parts = [f"{rng.randint(1, 999)} {rng.choice(('ORCHARD', 'TAMPINES', 'JURONG WEST', 'ANG MO KIO'))} "
                 f"{rng.choice(('ROAD', 'AVENUE 3', 'STREET 21'))}", f"#0{rng.randint(1, 9)}-{rng.randint(10, 99)}",
                 f"SINGAPORE {rng.randint(100000, 829999)}"]  # fmt: skip
    lines: list[str] = []
    group: list[str] = []
    for i, part in enumerate(parts):
        group.append(part)
        last = i == len(parts) - 1
        if last or rng.random() < 0.55:
            line = ", ".join(group) + ("" if last else ",")
            if last and country == "MY" and rng.random() < 0.4:
                line += "."
            lines.append(line)
            group = []
    return lines


def receipt_date_lines(rng: random.Random, date_text: str, fake: Faker) -> list[str]:
    clock = dt.datetime(2000, 1, 1, rng.randint(7, 22), rng.randint(0, 59), rng.randint(0, 59))
    time_text = clock.strftime(rng.choice(("%H:%M", "%H:%M:%S", "%I:%M:%S %p", "%I:%M%p")))
    cashier = fake.first_name().upper()
    return rng.choice(
        (
            [f"DATE: {date_text} TIME: {time_text}"],
            ["DATE:", f"{date_text} {time_text}"],
            [f"{date_text} {time_text}", f"CASHIER: {cashier}"],
            [f"DATE : {date_text}", f"TIME : {time_text}"],
            [f"{date_text} {time_text} CASHIER: {cashier}"],
            [f"DATE {date_text}", f"CASHIER : {cashier}"],
            [f"INV DATE: {date_text}"],
        )
    )


def make_receipt(rng: random.Random, index: int) -> dict[str, Any]:
    country = rng.choices(("MY", "SG", "US"), weights=(8, 1, 1))[0]
    fake = Faker("en_US")
    fake.seed_instance(rng.random())
    noise = Noise(rng, level=rng.uniform(0.15, 0.5))
    company = receipt_company(rng, country)
    company_lines = [noise.key_line(x) for x in split_line(rng, company, 24)]
    address_lines = [noise.key_line(x) for x in receipt_address(rng, country)]
    day = between(rng, dt.date(2016, 1, 1), END)
    style = "mdy/" if country == "US" else None
    date_text = fmt_date(rng, day, style)
    while country != "US" and date_text[:2].isdigit() and "/" in date_text and rng.random() < 0.1:
        date_text = fmt_date(rng, day)  # a few re-draws: SROIE is mostly dd/mm/yyyy
    lines: list[str] = []
    keep: set[int] = set()  # lines that hold a gold value already have their noise
    if rng.random() < 0.35:  # logo text or the owner's name above the legal name
        lines.append(
            rng.choice(
                (fake.name().upper(), company.split()[0] + "!", "~ " + company.split()[0] + " ~")
            )
        )
    keep.update(range(len(lines), len(lines) + len(company_lines)))
    lines += company_lines
    if country == "MY" and rng.random() < 0.8:
        reg = f"({rng.randint(10000, 1299999)}-{rng.choice('AKPHWXTUVD')})"
        lines.append(rng.choice((reg, f"CO. REG NO: {reg.strip('()')}", f"COMPANY NO. {reg}")))
    keep.update(range(len(lines), len(lines) + len(address_lines)))
    lines += address_lines
    phone = f"0{rng.randint(3, 9)}-{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    if rng.random() < 0.8:
        lines.append(
            rng.choice(
                (
                    f"TEL: {phone}",
                    f"TEL/FAX: {phone}",
                    f"TEL NO. {phone}",
                    f"H/P: 01{rng.randint(0, 9)}-{rng.randint(1000000, 9999999)}",
                )
            )
        )
    tax_rate = (
        rng.choice((0.06, 0.06, 0.0, 0.10))
        if country == "MY"
        else (0.07 if country == "SG" else 0.0825)
    )
    if tax_rate and country != "US":
        lines.append(
            rng.choice(("GST REG NO: ", "GST ID NO: ", "GST NO. ", "SST ID: "))
            + str(rng.randint(10**11, 10**12 - 1))
        )
    lines.append(
        rng.choice(
            (
                "TAX INVOICE",
                "SIMPLIFIED TAX INVOICE",
                "CASH BILL",
                "RECEIPT",
                "OFFICIAL RECEIPT",
                "INVOICE",
            )
        )
    )
    lines.append(
        rng.choice(("INVOICE NO: CS", "RECEIPT #: ", "BILL NO: ", "DOC NO.: "))
        + f"{rng.randint(10000, 99999999)}"
    )
    date_lines = receipt_date_lines(rng, date_text, fake)
    date_lines = [noise.key_line(x, misread=False) for x in date_lines]
    keep.update(range(len(lines), len(lines) + len(date_lines)))
    lines += date_lines
    if rng.random() < 0.4:
        lines.append(rng.choice(("TABLE: ", "COUNTER: ", "POS: ")) + str(rng.randint(1, 30)))
    lines.append(
        rng.choice(
            (
                "QTY DESC AMT",
                "ITEM QTY PRICE TOTAL",
                "DESCRIPTION QTY U/P AMOUNT(RM)",
                "CODE/DESC PRICE DISC AMOUNT",
            )
        )
    )
    subtotal = 0.0
    for name, price in rng.sample(ITEMS, rng.randint(1, 8)):
        qty = rng.choice((1, 1, 1, 2, 3, 4))
        price = round(price * rng.uniform(0.8, 1.3), 1)
        amount = round(qty * price, 2)
        subtotal += amount
        layout = rng.random()
        if layout < 0.35:
            item = [name, f"{qty} X {money(price)} {money(amount)}"]
        elif layout < 0.6:
            item = [f"{qty} {name} {money(amount)}"]
        elif layout < 0.8:
            item = [
                f"{rng.randint(10**12, 10**13 - 1)} {name}",
                f"{qty} PC * {money(price)}",
                money(amount),
            ]
        else:
            item = [f"{name} {qty} {money(price)} {money(amount)} {rng.choice(('SR', 'ZR', 'S'))}"]
        lines += item
    subtotal = round(subtotal, 2)
    service = (
        round(subtotal * 0.10, 2) if company.startswith("RESTORAN") and rng.random() < 0.6 else 0.0
    )
    discount = round(subtotal * 0.05, 2) if rng.random() < 0.15 else 0.0
    tax = round((subtotal + service - discount) * tax_rate, 2)
    exact_total = round(subtotal + service - discount + tax, 2)
    rounded = round_05(exact_total) if country == "MY" else exact_total
    amounts: list[tuple[str, float]] = []
    amounts.append(
        (
            rng.choice(("SUB TOTAL", "SUBTOTAL", "TOTAL SALES (EXCLUDING GST)", "SUB-TOTAL")),
            subtotal,
        )
    )
    if discount:
        amounts.append(("DISCOUNT", -discount))
    if service:
        amounts.append(("SERVICE CHARGE 10%", service))
    if tax:
        label = {
            "MY": rng.choice(("GST 6%", "SST 10%" if tax_rate == 0.1 else "GST @6%", "TOTAL GST")),
            "SG": "GST 7%",
            "US": "SALES TAX 8.25%",
        }[country]
        amounts.append((label, tax))
    total_label = rng.choice(
        ("TOTAL", "TOTAL (RM)", "TOTAL AMOUNT", "NET TOTAL", "GRAND TOTAL", "TOTAL INCL. GST")
    )
    if country == "US":
        total_label = rng.choice(("TOTAL", "BALANCE DUE", "TOTAL DUE"))
    if rounded != exact_total or (country == "MY" and rng.random() < 0.3):
        amounts.append((rng.choice(("TOTAL INCLUSIVE GST", "TOTAL SALES", "TOTAL")), exact_total))
        amounts.append(
            (
                rng.choice(("ROUNDING ADJ", "ROUNDING", "ROUNDING ADJUSTMENT")),
                round(rounded - exact_total, 2),
            )
        )
        total_label = rng.choice(
            (
                "ROUNDED TOTAL (RM)",
                "TOTAL ROUNDED",
                "NETT TOTAL",
                "TOTAL PAYABLE",
                "ROUND D TOTAL (RM):",
            )
        )
    currency = {"MY": "RM", "SG": "S$", "US": "$"}[country]
    total_text = money(rounded, thousands=rounded >= 1000)
    printed_total = rng.choice(
        (total_text, total_text, f"{currency}{total_text}", f"{currency} {total_text}")
    )
    amounts.append((total_label, rounded))
    if rng.random() < 0.3:
        lines.append(f"TOTAL QTY: {rng.randint(1, 12)}")
    for label, value in amounts:
        value_text = printed_total if (label, value) == (total_label, rounded) else money(value)
        is_total = (label, value) == (total_label, rounded)
        split = rng.random() < 0.4
        if split:
            parts = [label + ("" if label.endswith(":") else ":"), value_text]
        else:
            parts = [f"{label} {value_text}"]
        if is_total:
            parts = [noise.key_line(x, misread=False) for x in parts]
            keep.update(range(len(lines), len(lines) + len(parts)))
        lines += parts
    paid = round_05(rounded + rng.choice((0, 0.5, 1, 5, 10, 20, 50)))
    if rng.random() < 0.7:
        method = rng.choice(("CASH", "CASH TENDERED", "VISA", "MASTER", "DEBIT CARD", "TOUCH N GO"))
        if method.startswith("CASH"):
            lines += [f"{method} {money(paid)}", f"CHANGE {money(round(paid - rounded, 2))}"]
        else:
            lines += [
                f"{method} {money(rounded)}",
                f"CARD NO: XXXX XXXX XXXX {rng.randint(1000, 9999)}",
            ]
    if tax and country == "MY" and rng.random() < 0.5:
        lines += [
            "GST SUMMARY",
            "CODE AMOUNT(RM) TAX(RM)",
            f"SR @ 6% {money(subtotal)} {money(tax)}",
        ]
    lines.append(
        rng.choice(
            (
                "THANK YOU",
                "THANK YOU. PLEASE COME AGAIN",
                "GOODS SOLD ARE NOT RETURNABLE",
                "*** THANK YOU ***",
                "TERIMA KASIH",
            )
        )
    )
    if rng.random() < 0.5:
        lines += rng.sample(FOOTERS, 2)
    lines = [x if i in keep else noise.other_line(x) for i, x in enumerate(lines)]
    text = "\n".join(noise.junk(lines))
    labels = {
        "company": joined(company_lines),
        "date": date_text,
        "address": joined(address_lines),
        "total": total_text,
    }
    return {"id": f"receipt-{index:03d}", "kind": "receipt", "text": text, "labels": labels}


# ----------------------------------------------------------------------------- invoices


def make_invoice(rng: random.Random, index: int) -> dict[str, Any]:
    locale = rng.choice(("en_US", "en_GB"))
    fake = Faker(locale)
    fake.seed_instance(rng.random())
    noise = Noise(rng, level=rng.uniform(0.1, 0.35))
    vendor = fake.company().upper() if rng.random() < 0.4 else fake.company()
    customer = fake.company()
    style = "mdy/" if locale == "en_US" else rng.choice(("dmy/", "dBy", "dMy-"))
    issued = between(rng, dt.date(2022, 1, 1), END)
    inv_date = fmt_date(rng, issued, rng.choice((style, "Bdy", "ymd-")))
    terms = rng.choice((14, 30, 30, 45, 60))
    due = issued + dt.timedelta(days=terms)
    due_text = fmt_date(rng, due, style) if rng.random() < 0.75 else None
    number = rng.choice(
        (
            f"INV-{issued.year}-{rng.randint(1, 9999):04d}",
            str(rng.randint(10000, 999999)),
            f"{rng.choice('ABCDEFG')}{rng.randint(100000, 999999)}",
        )
    )
    currency = "$" if locale == "en_US" else "£"
    items = []
    for _ in range(rng.randint(2, 5)):
        qty = rng.randint(1, 40)
        price = round(rng.uniform(3, 400), 2)
        desc = rng.choice(
            (
                "Consulting hours",
                "Pallet wrap 500mm",
                "Safety gloves (box)",
                "Server rack rental",
                "Printer toner TN-2420",
                "Delivery & handling",
                "Maintenance visit",
                "Copy paper A4 (case)",
                'Hydraulic hose 3/8"',
                "Software licence (annual)",
            )
        )
        items.append((desc, qty, price, round(qty * price, 2)))
    subtotal = round(sum(i[3] for i in items), 2)
    tax_rate = 0.0825 if locale == "en_US" else 0.20
    tax = round(subtotal * tax_rate, 2)
    shipping = round(rng.uniform(10, 80), 2) if rng.random() < 0.5 else 0.0
    total = round(subtotal + tax + shipping, 2)
    paid = round(total * rng.choice((0.25, 0.5)), 2) if rng.random() < 0.35 else 0.0
    lines = [noise.key_line(vendor, misread=False)]
    lines += [noise.other_line(x) for x in fake.address().split("\n")]
    lines.append(noise.other_line(f"Phone: {fake.phone_number()}   {fake.company_email()}"))
    lines.append(rng.choice(("INVOICE", "TAX INVOICE", "I N V O I C E", "Invoice")))
    bill = [customer, *fake.address().split("\n")]
    ship = [
        customer + rng.choice(("", " - Warehouse 2", " c/o Receiving")),
        *fake.address().split("\n"),
    ]
    if rng.random() < 0.5:  # OCR of two columns read across
        lines.append("BILL TO: SHIP TO:")
        lines += [f"{a}   {b}" for a, b in zip(bill, ship, strict=False)]
        customer_printed = customer
    else:
        lines += ["Bill To:", *bill, "Ship To:", *ship]
        customer_printed = customer
    header = [
        (rng.choice(("Invoice #", "Invoice No.", "INVOICE NUMBER", "Inv. No:")), number),
        (rng.choice(("Invoice Date", "Date", "DATE:", "Date of issue")), inv_date),
        (rng.choice(("P.O. #", "PO Number", "Your ref")), str(rng.randint(1000, 99999))),
    ]
    if due_text:
        header.append((rng.choice(("Due Date", "DUE DATE", "Payment due")), due_text))
    header.append(
        (
            "Terms",
            rng.choice(
                (
                    f"Net {terms}",
                    f"{terms} days",
                    "Due on receipt" if not due_text else f"Net {terms}",
                )
            ),
        )
    )
    rng.shuffle(header)
    for a, b in zip(header[::2], header[1::2], strict=False):
        lines.append(f"{a[0]} {a[1]}      {b[0]} {b[1]}")
    if len(header) % 2:
        lines.append(f"{header[-1][0]} {header[-1][1]}")
    lines.append(rng.choice(("QTY DESCRIPTION UNIT PRICE AMOUNT", "Description Qty Rate Amount")))
    for desc, qty, price, amount in items:
        lines.append(noise.other_line(f"{qty} {desc} {money(price, True)} {money(amount, True)}"))
    lines.append(noise.other_line(f"Subtotal {money(subtotal, True)}"))
    lines.append(
        noise.other_line(
            f"{'Sales Tax 8.25%' if locale == 'en_US' else 'VAT 20%'} {money(tax, True)}"
        )
    )
    if shipping:
        lines.append(noise.other_line(f"Shipping {money(shipping, True)}"))
    lines.append(
        f"{rng.choice(('TOTAL', 'Total', 'Invoice Total', 'TOTAL DUE'))} {currency}{money(total, True)}"
    )
    if paid:
        lines.append(noise.other_line(f"Payments/Credits -{money(paid, True)}"))
        lines.append(f"Balance Due {currency}{money(round(total - paid, 2), True)}")
    lines.append(
        noise.other_line(
            rng.choice(
                (
                    "Thank you for your business!",
                    "Please make checks payable to " + vendor,
                    "Bank: " + fake.iban(),
                )
            )
        )
    )
    if rng.random() < 0.5:
        lines.insert(0, noise.other_line(f"Page 1 of {rng.randint(1, 2)}"))
    labels = {
        "vendor": vendor,
        "invoice_number": number,
        "invoice_date": inv_date,
        "due_date": due_text,
        "customer": customer_printed,
        "total": total,
    }
    return {
        "id": f"invoice-{index:03d}",
        "kind": "invoice",
        "text": "\n".join(noise.junk(lines)),
        "labels": labels,
    }


# ----------------------------------------------------------------------------- e-mails


def make_email(rng: random.Random, index: int) -> dict[str, Any]:
    fake = Faker(rng.choice(("en_US", "en_GB")))
    fake.seed_instance(rng.random())
    first, last = fake.first_name(), fake.last_name()
    company = fake.company()
    domain = "".join(c for c in company.split()[0].lower() if c.isalnum()) + rng.choice(
        (".com", ".co.uk", ".net")
    )
    email = f"{first.lower()}.{last.lower()}@{domain}"
    phone = fake.phone_number() if rng.random() < 0.8 else None
    order = rng.choice(
        (
            f"#{rng.randint(100000, 999999)}",
            f"PO-{rng.randint(1000, 99999)}",
            f"ORD-{rng.randint(10**6, 10**7)}",
            f"{rng.choice('ABC')}-{rng.randint(10000, 99999)}",
        )
    )
    other_first, other_last = fake.first_name(), fake.last_name()
    shop = fake.company()
    when = dt.datetime.combine(
        between(rng, dt.date(2023, 6, 1), END), dt.time(rng.randint(6, 22), rng.randint(0, 59))
    )
    header_name = rng.choice((f"{first} {last}", f'"{first} {last}"'))
    forwarded = rng.random() < 0.3
    subject = rng.choice(
        (
            f"RE: Order {order} - missing items",
            f"Re: your order {order}",
            f"FW: Delivery for {order}",
            f"RE: RE: Invoice query ({order})",
            "Re: delivery date",
        )
    )
    lines = [
        f"From: {header_name} <{email}>" if rng.random() < 0.8 else f"From: {email}",
        f"Sent: {when.strftime('%A, %B %d, %Y %I:%M %p')}",
        f"To: {shop} Orders <orders@{shop.split()[0].lower().strip(',')}.com>",
    ]
    if rng.random() < 0.4:
        lines.append(f"Cc: {other_first} {other_last} <{other_first.lower()}@{domain}>")
    lines += [f"Subject: {subject}", ""]
    greeting = rng.choice(("Hi team,", "Hello,", f"Dear {other_first},", "Good morning,"))
    mentions = order if "order" not in subject.lower() or rng.random() < 0.5 else "the order"
    body = rng.choice(
        (
            f"We received {mentions} yesterday but two cartons were missing. Can you check with the courier and let me know when the rest will arrive?",
            f"Following up on {mentions}: the invoice shows 40 units but we only ordered 24. Please send a corrected invoice.",
            f"Could you confirm the delivery date for {mentions}? Our warehouse is closed on Fridays.",
            f"Please cancel the remaining items on {mentions}; we have sourced them elsewhere.",
        )
    )
    if forwarded:
        body = f"{other_first}, see below - can you deal with this one? {body}"
    lines += [greeting, "", *split_line(rng, body, 76), ""]
    sign = [rng.choice(("Thanks,", "Best regards,", "Kind regards", "Cheers,")), f"{first} {last}"]
    sign.append(rng.choice((f"{fake.job()} | {company}", f"{company}", f"{fake.job()}, {company}")))
    if phone:
        sign.append(
            rng.choice((f"T: {phone}", f"Tel. {phone}", f"Phone: {phone}", f"{phone} (office)"))
        )
    if rng.random() < 0.5:
        sign.append(f"www.{domain}")
    lines += sign
    if rng.random() < 0.5:
        lines += [
            "",
            "This e-mail and any attachments are confidential and intended solely for the addressee. If you have received it in error, please notify the sender and delete it.",
        ]
    quoted_when = when - dt.timedelta(days=rng.randint(1, 6))
    quoted = [
        rng.choice(("-----Original Message-----", "---------- Forwarded message ---------")),
        f"From: {other_first} {other_last} <{other_first.lower()}.{other_last.lower()}@{shop.split()[0].lower().strip(',')}.com>",
        f"Sent: {quoted_when.strftime('%d %B %Y %H:%M')}",
        f"Subject: Order {order} dispatched"
        if rng.random() < 0.6
        else f"Your order #{rng.randint(100000, 999999)}",
        "",
        f"Hi {first},",
        f"Your order {order} was dispatched today with 3 parcels. Tracking: {rng.randint(10**11, 10**12)}.",
        f"{other_first} {other_last}",
        f"Customer Service, {shop}",
        f"Tel: {fake.phone_number()}",
    ]
    prefix = "> " if rng.random() < 0.5 else ""
    lines += ["", *[prefix + q for q in quoted]]
    text = "\n".join(lines)
    if rng.random() < 0.35:  # quoted-printable / HTML-to-text debris
        text = text.replace(" ", "=20\n", 1).replace("&", "&amp;").replace("  ", "&nbsp; ")
        text = "\n".join(
            x if len(x) < 60 or rng.random() < 0.5 else x[:60] + "=\n" + x[60:]
            for x in text.split("\n")
        )
    labels = {
        "sender_name": f"{first} {last}",
        "sender_email": email,
        "sender_phone": phone,
        "company": company,
        "order_number": order,
    }
    return {"id": f"email-{index:03d}", "kind": "email", "text": text, "labels": labels}


# ----------------------------------------------------------------------------- clinic letters

CONDITIONS = (
    "Atrial fibrillation", "Hypertension", "Type 2 diabetes mellitus", "Chronic kidney disease stage 3",
    "Heart failure with reduced ejection fraction", "Asthma", "COPD", "Osteoarthritis of the right knee",
    "Hypothyroidism", "Iron deficiency anaemia", "Migraine without aura", "Gout",
)  # fmt: skip
DRUGS = (
    ("Apixaban", "5mg twice daily"), ("Ramipril", "2.5mg once daily"), ("Metformin", "500mg twice daily"),
    ("Bisoprolol", "2.5mg once daily"), ("Atorvastatin", "20mg at night"), ("Levothyroxine", "75 micrograms each morning"),
    ("Salbutamol inhaler", "2 puffs as required"), ("Allopurinol", "100mg once daily"), ("Furosemide", "40mg each morning"),
    ("Ferrous fumarate", "210mg twice daily"), ("Amlodipine", "5mg once daily"), ("Sumatriptan", "50mg as required"),
)  # fmt: skip


def make_letter(rng: random.Random, index: int) -> dict[str, Any]:
    fake = Faker("en_GB")
    fake.seed_instance(rng.random())
    noise = Noise(rng, level=rng.uniform(0.1, 0.4))
    first, last = fake.first_name(), fake.last_name()
    title = rng.choice(("Mr", "Mrs", "Ms", "Miss"))
    dob = between(rng, dt.date(1935, 1, 1), dt.date(2000, 12, 31))
    clinic = between(rng, dt.date(2023, 6, 1), END)
    typed = clinic + dt.timedelta(days=rng.randint(1, 9))
    style = rng.choice(("dmy/", "dBy", "dMy", "dmy."))
    dob_text, clinic_text = fmt_date(rng, dob, style), fmt_date(rng, clinic, style)
    nhs = f"{rng.randint(400, 799)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    if rng.random() < 0.3:
        nhs = nhs.replace(" ", "")
    gp = f"Dr {fake.first_name()[0]}. {fake.last_name()}"
    consultant = f"Dr {fake.first_name()} {fake.last_name()}"
    hospital = f"{fake.city()} {rng.choice(('General Hospital', 'Royal Infirmary', 'University Hospital'))}"
    diagnoses = rng.sample(CONDITIONS, rng.randint(1, 4))
    drugs = rng.sample(DRUGS, rng.randint(1, 5))
    stopped = rng.choice([d for d in DRUGS if d not in drugs]) if rng.random() < 0.6 else None
    lines = []
    if rng.random() < 0.6:
        lines.append(
            f"{typed.strftime('%d/%m/%Y')} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d} FAX 0{rng.randint(1000, 9999)} {rng.randint(100000, 999999)} {hospital.upper()[:18]} P.00{rng.randint(1, 2)}/002"
        )
    lines += [
        hospital,
        f"Department of {rng.choice(('Cardiology', 'Diabetes & Endocrinology', 'Renal Medicine', 'Respiratory Medicine', 'Rheumatology'))}",
    ]
    lines += [noise.other_line(x) for x in fake.address().split("\n")]
    lines.append(noise.other_line(f"Tel: {fake.phone_number()}  Fax: {fake.phone_number()}"))
    lines += [
        "",
        gp,
        f"{fake.last_name()} Surgery",
        *[noise.other_line(x) for x in fake.address().split("\n")],
        "",
    ]
    dates = [
        f"Date dictated: {fmt_date(rng, clinic, style)}",
        f"Date typed: {fmt_date(rng, typed, style)}",
    ]
    clinic_line = rng.choice(
        (
            f"Clinic date: {clinic_text}",
            f"Seen in clinic on {clinic_text}",
            f"Date of clinic: {clinic_text}",
        )
    )
    lines += [noise.other_line(dates[0]) + "   " + noise.other_line(dates[1]), clinic_line, ""]
    gp_last = gp.split()[-1]
    lines.append(f"Dear Dr {gp_last},")
    name_printed = rng.choice((f"{first} {last.upper()}", f"{first} {last}"))
    re_line = rng.choice(
        (
            [f"Re: {title} {name_printed}   DOB: {dob_text}   NHS No: {nhs}"],
            [
                f"RE: {title} {name_printed}",
                f"D.O.B. {dob_text}",
                f"NHS Number: {nhs}  Hosp No: {rng.choice('KRMT')}{rng.randint(100000, 999999)}",
            ],
            [f"Patient: {name_printed} ({title})", f"Date of birth: {dob_text}  NHS no. {nhs}"],
        )
    )
    lines += re_line
    lines.append(
        noise.other_line(
            f"{rng.randint(1, 99)} {fake.street_name()}, {fake.city()} {fake.postcode()}"
        )
    )
    lines += ["", rng.choice(("Diagnoses:", "Diagnosis:", "Problems:"))]
    lines += [f"{i}. {d}" if rng.random() < 0.7 else f"- {d}" for i, d in enumerate(diagnoses, 1)]
    lines += [
        "",
        rng.choice(("Current medication:", "Medication:", "Medications on discharge from clinic:")),
    ]
    lines += [f"{name} {dose}" for name, dose in drugs]
    if stopped:
        lines.append(f"STOPPED: {stopped[0]} {stopped[1]}")
    pronoun = {"Mr": "him", "Mrs": "her", "Ms": "her", "Miss": "her"}[title]
    body = (
        f"I saw {title} {last} today in clinic. {rng.choice(('Symptoms have improved.', 'There has been no change since the last review.', 'Blood pressure was 142/88.'))} "
        f"{'I have stopped ' + stopped[0] + '. ' if stopped else ''}"
        f"I would be grateful if you could check {pronoun} renal function in {rng.choice(('two', 'four', 'six'))} weeks. "
        f"I will see {pronoun} again in {rng.choice(('3', '6', '12'))} months."
    )
    lines += ["", *[noise.other_line(x) for x in split_line(rng, body, 80)], ""]
    lines += [
        "Yours sincerely,",
        "",
        consultant,
        rng.choice(("Consultant Cardiologist", "Consultant Physician", "Specialist Registrar")),
        f"cc: {title} {last}",
    ]
    labels = {
        "patient_name": name_printed,
        "date_of_birth": dob_text,
        "nhs_number": nhs,
        "clinic_date": clinic_text,
        "diagnoses": diagnoses,
        "medications": [name for name, _ in drugs],
    }
    return {
        "id": f"letter-{index:03d}",
        "kind": "clinic_letter",
        "text": "\n".join(noise.junk(lines)),
        "labels": labels,
    }


# ----------------------------------------------------------------------------- main

KINDS: dict[str, tuple[str, Callable[[random.Random, int], dict[str, Any]]]] = {
    "receipts": ("Receipt", make_receipt),
    "invoices": ("Invoice", make_invoice),
    "emails": ("Email", make_email),
    "clinic_letters": ("ClinicLetter", make_letter),
}
COUNTS = {"receipts": 48, "invoices": 16, "emails": 16, "clinic_letters": 16}
FEW_SHOT = 3


def build(seed: int = 14, counts: dict[str, int] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The documents of each kind, seeded (the same seed gives the same documents)."""
    counts = counts or COUNTS
    out = {}
    for kind, (_, make) in KINDS.items():
        rng = random.Random(f"{seed}:{kind}")
        Faker.seed(seed)
        out[kind] = [make(rng, i) for i in range(1, counts[kind] + 1)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    # Few-shot examples for the benchmark's --examples: another seed, never in the test set.
    shots = build(args.seed + 1000, {kind: FEW_SHOT for kind in KINDS})
    for folder, docs in ((args.out_dir, build(args.seed)), (args.out_dir / "fewshot", shots)):
        folder.mkdir(parents=True, exist_ok=True)
        for kind, rows in docs.items():
            path = folder / f"{kind}.jsonl"
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
            print(f"{path}: {len(rows)} documents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
