"""HTML pieces of the report: escaped cells, tables (sortable and filterable), notes, sections.

Everything that comes from data goes through :func:`esc`; the page's script finds tables by
their classes (``sortable``, and a ``filter`` input naming the table), so no markup here
carries code.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CLIP_CHARS = 400  # longer cell values are shown in full in a scrollable box


def esc(value: Any) -> str:
    """``value`` as HTML-escaped text (``None`` as an empty string)."""
    return html.escape("" if value is None else str(value), quote=True)


def plain(value: Any) -> str:
    """A value as the text a cell shows: lists and objects as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _sort_key(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        return f' data-v="{value!r}"'
    return ""


def cell(value: Any, tag: str = "td") -> str:
    """One table cell; numbers carry ``data-v`` so that the page sorts them as numbers."""
    text = plain(value)
    body = esc(text)
    if len(text) > CLIP_CHARS or "\n" in text:
        body = f'<div class="clip">{body}</div>'
    css = ' class="num"' if _sort_key(value) else ""
    return f"<{tag}{css}{_sort_key(value)}>{body}</{tag}>"


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    table_id: str | None = None,
    sortable: bool = True,
    caption: str | None = None,
    header: bool = True,
) -> str:
    """A table of ``rows`` (each a sequence aligned with ``columns``)."""
    classes = "data sortable" if sortable else "data"
    ident = f' id="{esc(table_id)}"' if table_id else ""
    cols = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    head = f"<thead><tr>{cols}</tr></thead>" if header else ""
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap"><table class="{classes}"{ident}>{cap}'
        f"{head}<tbody>{body}</tbody></table></div>"
    )


def filter_box(table_id: str, total: int, placeholder: str = "Filter rows…") -> str:
    """A text input that hides rows of table ``table_id`` not containing what is typed."""
    tid = esc(table_id)
    return (
        f'<div class="filter-bar"><input type="search" class="filter" data-table="{tid}" '
        f'placeholder="{esc(placeholder)}" aria-label="Filter the rows of {tid}">'
        f'<span class="count" data-count-for="{tid}">{total} of {total} rows</span></div>'
    )


def row_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    table_id: str,
    *,
    index: Sequence[Any] | None = None,
) -> str:
    """A filterable, sortable table of dict rows; ``index`` adds a leading ``#`` column."""
    cols = ["#", *columns] if index is not None else list(columns)
    data = (
        [idx, *(r.get(c) for c in columns)] if index is not None else [r.get(c) for c in columns]
        for idx, r in zip(index if index is not None else [None] * len(rows), rows, strict=True)
    )
    return filter_box(table_id, len(rows)) + table(cols, data, table_id=table_id)


def kv(values: Mapping[str, Any], *, caption: str | None = None) -> str:
    """A two-column key/value table (not sortable); ``None`` values are left out."""
    shown = [(k, v) for k, v in values.items() if v is not None]
    return table(["key", "value"], shown, sortable=False, caption=caption, header=False)


def note(text: str, kind: str = "missing") -> str:
    """A boxed remark; ``missing`` notes are also listed at the top of the page."""
    return f'<p class="note {esc(kind)}">{esc(text)}</p>'


def pre(text: str, *, summary: str | None = None) -> str:
    """Preformatted text, folded under ``summary`` when one is given."""
    body = f"<pre>{esc(text)}</pre>"
    return f"<details><summary>{esc(summary)}</summary>{body}</details>" if summary else body


def figure(svg: str, caption: str) -> str:
    """An inline SVG plot with its caption."""
    return f'<figure class="plot">{svg}<figcaption>{esc(caption)}</figcaption></figure>'


@dataclass
class Section:
    """One part of the report: its anchor, title, HTML blocks, and what it could not show."""

    id: str
    title: str
    blocks: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    badge: str | None = None  # a short figure for the summary bar, e.g. "12 duplicates"

    def add(self, *blocks: str) -> Section:
        self.blocks.extend(blocks)
        return self

    def lack(self, text: str) -> Section:
        """Record (and show) something this section cannot show."""
        self.missing.append(text)
        self.blocks.append(note(text))
        return self

    def to_html(self) -> str:
        return (
            f'<section id="{esc(self.id)}"><h2>{esc(self.title)}</h2>'
            + "".join(self.blocks)
            + "</section>"
        )
