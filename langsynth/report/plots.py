"""Small charts as inline SVG (matplotlib, no GUI backend), safe to put many on one page.

Text stays text (``svg.fonttype: none``): the browser draws it with its own fonts, so Korean
labels render and the SVG stays small. Every chart's ids are prefixed with a chart number,
because the SVGs share one HTML document and matplotlib reuses id names.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BLUE, GREEN, RED, PURPLE = "#4C72B0", "#55A868", "#C44E52", "#8172B2"
_counter = itertools.count(1)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|xlink:href="#|href="#)([^")]+)')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def _short(label: str, width: int = 24) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _svg(fig: Figure, title: str) -> str:
    """Serialize a Figure to an ``<svg>`` element with unique ids and an accessible title."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "langsynth"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]  # drop the XML declaration and DOCTYPE
    text = _METADATA.sub("", text)  # RDF creator/date block: namespaced noise in HTML
    prefix = f"c{next(_counter)}-"
    text = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", text)
    label = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return text.replace("<svg ", f'<svg role="img" aria-label="{label}" class="chart" ', 1)


def _figure(width: float = 4.4, height: float = 2.6) -> tuple[Figure, Any]:
    # A bare Figure, not pyplot: no backend state is touched (as in quality.inspection).
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    return fig, fig.subplots()


def histogram(values: Sequence[float], title: str, xlabel: str, *, bins: int | None = None) -> str:
    """A histogram of ``values`` (rows per bin)."""
    fig, ax = _figure()
    distinct = len(set(values))
    ax.hist(list(values) or [0], bins=bins or min(30, max(5, distinct)), color=BLUE)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("rows")
    fig.tight_layout()
    return _svg(fig, title)


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    xlabel: str,
    *,
    color: str = GREEN,
    xlim: tuple[float, float] | None = None,
) -> str:
    """Horizontal bars, first label on top."""
    fig, ax = _figure(height=max(1.8, 0.9 + 0.28 * len(labels)))
    ax.barh([_short(str(v)) for v in labels][::-1], list(values)[::-1], color=color)
    if xlim is not None:
        ax.set_xlim(*xlim)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return _svg(fig, title)


def columns(
    labels: Sequence[str], values: Sequence[float], title: str, xlabel: str, *, color: str = RED
) -> str:
    """Vertical bars over ordered categories (e.g. judge scores 1..5)."""
    fig, ax = _figure()
    ax.bar([str(v) for v in labels], list(values), color=color)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("rows")
    fig.tight_layout()
    return _svg(fig, title)
