"""Small HTML helpers shared by the reports (comparison, realism report)."""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;color:#222}"
    "table.ecg{border-collapse:collapse;font-size:12px;margin:1em 0}"
    "table.ecg th,table.ecg td{border:1px solid #ccc;padding:2px 6px;text-align:right}"
    "table.ecg thead th{background:#f0f0f0;position:sticky;top:0}"
    "table.ecg tbody th{text-align:left}"
    "table.ecg td.text{text-align:left}"
    "tr.different{background:#fde2e2}"
    "img{max-width:100%}"
)


__all__ = ["CSS", "cell", "document", "esc", "html_table", "png_tag"]


def esc(text: str) -> str:
    """Text escaped for HTML."""
    return html.escape(str(text))


def cell(value) -> str:
    """One table cell: booleans as "yes"/"", floats with 4 significant digits."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else ""
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:.4g}"
    return esc(value)


def html_table(frame: pd.DataFrame, highlight: np.ndarray | None = None) -> str:
    """A DataFrame as an HTML table; rows where ``highlight`` is True are shaded."""
    head = "".join(f"<th>{esc(c)}</th>" for c in [frame.index.name or "", *frame.columns])
    rows = []
    for i, (label, values) in enumerate(frame.iterrows()):
        mark = ' class="different"' if highlight is not None and highlight[i] else ""
        cells = "".join(
            f'<td class="text">{cell(v)}</td>' if isinstance(v, str) else f"<td>{cell(v)}</td>"
            for v in values
        )
        rows.append(f"<tr{mark}><th>{esc(label)}</th>{cells}</tr>")
    return (
        f'<table class="ecg"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def png_tag(fig: Figure, alt: str, dpi: float = 80) -> str:
    """A figure as an ``<img>`` with the PNG embedded (base64)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'


def document(title: str, body: str) -> str:
    """A complete, self-contained HTML document."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )
