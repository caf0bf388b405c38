"""Small HTML helpers shared by the reports (comparison, realism report)."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core.display import esc, format_value

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The widest the report's column may be (CSS px): the page fits a 1,300 px window.
PAGE_WIDTH_PX = 1240

CSS = (
    f"body{{font-family:system-ui,sans-serif;max-width:{PAGE_WIDTH_PX}px;margin:2em auto;"
    "padding:0 16px;color:#222;line-height:1.45}"
    "table.ecg{border-collapse:collapse;font-size:12px;margin:1em 0;max-width:100%}"
    "table.ecg th,table.ecg td{border:1px solid #ccc;padding:2px 6px;text-align:right;"
    "font-variant-numeric:tabular-nums;white-space:nowrap}"
    "table.ecg thead th{background:#f0f0f0;position:sticky;top:0}"
    "table.ecg tbody th{text-align:left}"
    "table.ecg td.text{text-align:left;white-space:normal;min-width:8em}"
    "tr.different{background:#fde2e2}"
    "img{max-width:100%;height:auto}"
    "div.scroll{overflow-x:auto;max-width:100%}"
    "details{margin:0.5em 0 1em}summary{cursor:pointer;color:#1a4f8b}"
    "div.row{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}"
)


__all__ = [
    "CSS",
    "PAGE_WIDTH_PX",
    "cell",
    "collapsible",
    "csv_link",
    "document",
    "esc",
    "html_table",
    "png_tag",
    "MAX_FIGURE_HEIGHT_IN",
]


def cell(value) -> str:
    """One table cell: booleans as "yes"/"", integers whole, floats in fixed notation
    with 3 significant digits (never an exponent), missing values empty."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else ""
    if isinstance(value, int | np.integer):
        return f"{int(value):,}" if abs(int(value)) >= 10_000 else str(int(value))
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return "" if np.isnan(value) else ("∞" if value > 0 else "−∞")
        if value == int(value) and abs(value) < 1e6:
            return str(int(value))
        return format_value(float(value), digits=3)
    return esc(value)


def collapsible(summary: str, inner_html: str, *, scroll: bool = True) -> str:
    """A ``<details>`` block closed by default; wide content scrolls inside it."""
    content = f'<div class="scroll">{inner_html}</div>' if scroll else inner_html
    return f"<details><summary>{esc(summary)}</summary>{content}</details>"


def csv_link(frame: pd.DataFrame, filename: str, label: str) -> str:
    """A link that downloads ``frame`` as CSV from the page itself (a data: URI)."""
    data = base64.b64encode(frame.to_csv().encode("utf-8")).decode("ascii")
    return f'<a download="{esc(filename)}" href="data:text/csv;base64,{data}">{esc(label)}</a>'


def html_table(
    frame: pd.DataFrame,
    highlight: np.ndarray | None = None,
    *,
    text_columns: tuple | None = None,
) -> str:
    """A DataFrame as an HTML table; rows where ``highlight`` is True are shaded.

    String cells of ``text_columns`` (prose) are left-aligned and wrap; other strings
    (formatted numbers) stay right-aligned on one line. By default (None) every string
    cell is prose; ``()`` makes none of them prose."""
    head = "".join(f"<th>{esc(c)}</th>" for c in [frame.index.name or "", *frame.columns])
    rows = []
    for i, (label, values) in enumerate(frame.iterrows()):
        mark = ' class="different"' if highlight is not None and highlight[i] else ""
        cells = "".join(
            f'<td class="text">{cell(v)}</td>'
            if isinstance(v, str) and (text_columns is None or column in text_columns)
            else f"<td>{cell(v)}</td>"
            for column, v in zip(frame.columns, values, strict=True)
        )
        rows.append(f"<tr{mark}><th>{esc(label)}</th>{cells}</tr>")
    return (
        f'<table class="ecg"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


#: The tallest figure a report holds, inches at its display size (about two screens).
MAX_FIGURE_HEIGHT_IN = 20.0


def png_tag(fig: Figure, alt: str, dpi: float = 80, *, true_size: bool = False) -> str:
    """A figure as an ``<img>`` with the PNG embedded (base64).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    alt : str
        Its text alternative.
    dpi : float
        Pixels per inch of the PNG.
    true_size : bool
        Display it at its size in inches (CSS inches, 96 px each; for ECG paper at
        25 mm/s and 10 mm/mV), shrunk only where the column is narrower.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    style = ""
    if true_size:
        style = f' style="width:{fig.get_size_inches()[0]:.2f}in"'
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}"{style}>'


def document(title: str, body: str) -> str:
    """A complete, self-contained HTML document."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )
