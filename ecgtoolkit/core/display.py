"""Numbers and summaries as a reader should see them, in a terminal and in Jupyter.

One place decides how a p-value, a share, a count or a missing value reads, so that
every result object, report and notebook says the same thing the same way. Result
objects build their plain text with :func:`wrap` and their Jupyter display with
:func:`summary_html` (``_repr_html_``); the large tables of reports live in
:mod:`ecgtoolkit.report.html`.

Examples
--------
>>> format_p(0.001996, n_permutations=500)
'≤ 0.002 (500 permutations)'
>>> format_share(0.10999), format_count(36.0)
('11.0%', '36')
>>> format_value(float("nan"), "ms", why="no P wave")
'not measurable (no P wave)'
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "NOT_MEASURABLE",
    "esc",
    "format_count",
    "format_p",
    "format_share",
    "format_value",
    "is_missing",
    "summary_html",
    "training_sentence",
    "wrap",
]

#: How a missing measurement reads; the reason follows in brackets where it is known.
NOT_MEASURABLE = "not measurable"

#: Width of plain-text summaries (a terminal, a notebook's text output).
TEXT_WIDTH = 88


def esc(text: Any) -> str:
    """Text escaped for HTML."""
    return html.escape(str(text))


def is_missing(value: Any) -> bool:
    """Whether a value is None, NaN, NA or an empty string."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, str):
        return value.strip() == "" or value.strip().lower() in ("nan", "<na>", "none")
    try:
        return bool(value != value)  # NaN, and pandas' NA through its comparison
    except (TypeError, ValueError):
        return False


def format_p(p: float, *, n_permutations: int | None = None) -> str:
    """A p-value as it should be read.

    Parameters
    ----------
    p : float
        The p-value.
    n_permutations : int, optional
        For a permutation test: its smallest possible p-value is ``1 / (n + 1)``, and a
        p-value at that floor reads "≤ floor (n permutations)", since the true p-value
        may be any smaller.

    Returns
    -------
    str
        ``"n/a"``, ``"< 0.001"``, ``"≤ 0.002 (500 permutations)"`` or three decimals.

    Examples
    --------
    >>> format_p(0.0421), format_p(2e-40), format_p(float("nan"))
    ('0.042', '< 0.001', 'n/a')
    """
    if p is None or not math.isfinite(p):
        return "n/a"
    if n_permutations:
        floor = 1.0 / (int(n_permutations) + 1)
        if p <= floor * (1 + 1e-9):
            return f"≤ {floor:.2g} ({int(n_permutations)} permutations)"
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}"


def format_share(share: float, digits: int = 1) -> str:
    """A share (0–1) as a percentage: ``"11.0%"``; ``"n/a"`` when missing."""
    if is_missing(share) or not math.isfinite(share):
        return "n/a"
    return f"{100 * share:.{digits}f}%"


def format_count(count: float) -> str:
    """A count as an integer with thousands separators: ``"1,234"``."""
    if is_missing(count) or not math.isfinite(count):
        return "n/a"
    return f"{int(round(count)):,}"


def format_value(value: Any, unit: str = "", *, digits: int = 3, why: str = "") -> str:
    """A measured value with its unit, or "not measurable (why)" when it is missing.

    Parameters
    ----------
    value : float
        The value.
    unit : str
        Its unit, appended after a space (``"ms"``, ``"mV"``, ``"°"``: no space).
    digits : int
        Significant digits (integers above ``10**digits`` keep all their digits).
    why : str
        Why a missing value is missing.

    Examples
    --------
    >>> format_value(412.456, "ms"), format_value(-31.2, "°"), format_value(0.0012345)
    ('412 ms', '-31.2°', '0.00123')
    """
    if is_missing(value):
        return f"{NOT_MEASURABLE} ({why})" if why else NOT_MEASURABLE
    value = float(value)
    if not math.isfinite(value):
        return f"{NOT_MEASURABLE} ({why})" if why else NOT_MEASURABLE
    magnitude = 0 if value == 0 else math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{value:.{decimals}f}"
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("°", "%") else f"{text} {unit}"


def wrap(text: str, width: int = TEXT_WIDTH) -> str:
    """Plain text wrapped at word boundaries, paragraph by paragraph, lines kept."""
    out = []
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        prefix = " " * indent
        bullet = line.lstrip().startswith(("- ", "• "))
        out.append(
            textwrap.fill(
                line.strip(),
                width=width,
                initial_indent=prefix,
                subsequent_indent=prefix + ("  " if bullet else ""),
                break_long_words=False,
                break_on_hyphens=False,
            )
            if line.strip()
            else ""
        )
    return "\n".join(out)


def summary_html(
    title: str,
    rows: Iterable[tuple[str, str]] = (),
    *,
    paragraphs: Sequence[str] = (),
    notes: Sequence[str] = (),
    extra_html: str = "",
) -> str:
    """A result object's display in Jupyter: a title, key–value rows, text and notes.

    Parameters
    ----------
    title : str
        What the object is (shown bold).
    rows : iterable of (str, str)
        Labels and already formatted values, in order.
    paragraphs : sequence of str
        Sentences shown under the rows.
    notes : sequence of str
        Shown as a small list at the end.
    extra_html : str
        Trusted HTML (a table or figure made by the toolkit) appended inside the box.

    Returns
    -------
    str
        An HTML fragment that wraps at word boundaries and never exceeds its column.
    """
    body = [f"<div style='font-weight:600;margin-bottom:4px'>{esc(title)}</div>"]
    rows = list(rows)
    if rows:
        cells = "".join(
            f"<tr><th style='text-align:left;padding:1px 12px 1px 0;font-weight:500'>"
            f"{esc(k)}</th><td style='text-align:left;padding:1px 0'>{esc(v)}</td></tr>"
            for k, v in rows
        )
        body.append(f"<table style='border-collapse:collapse;margin:0'>{cells}</table>")
    body += [f"<p style='margin:6px 0'>{esc(p)}</p>" for p in paragraphs]
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        body.append(f"<ul style='margin:4px 0;font-size:90%;color:#555'>{items}</ul>")
    body.append(extra_html)
    return (
        "<div class='ecgtoolkit-summary' style='max-width:1100px;overflow-wrap:normal;"
        "word-break:normal;white-space:normal;line-height:1.4'>" + "".join(body) + "</div>"
    )


def training_sentence(training: Any) -> str:
    """How a generator checkpoint was trained, in one sentence.

    Parameters
    ----------
    training : mapping
        A training checkpoint's provenance (``meta["generator"]["training"]``: see
        :class:`ecgtoolkit.generators.checkpoints.GeneratorCheckpoint`).

    Returns
    -------
    str

    Examples
    --------
    >>> training_sentence({"step": 300, "init": "published", "critic": "small",
    ...     "batch_size": 16, "data": {"source": "database:ludb:sinus",
    ...     "n_records": {"train": 110, "holdout": 28}},
    ...     "held_out": {"c2st_auc": 0.7412, "features_different": 0.032},
    ...     "copy_audit": {"passed": True}})
    'fine-tuned by ecgtoolkit for 300 steps from the published weights on database:ludb:sinus (110 training records, 28 held out), critic small, batch 16; held-out C2ST AUC 0.741, 3.2% of measurements different; copy audit passed'
    """
    if not isinstance(training, dict):
        return str(training)
    init = training.get("init")
    start = {"published": "the published weights", "scratch": "scratch"}.get(
        str(init), f"checkpoint {init}"
    )
    data = training.get("data") or {}
    records = data.get("n_records") or {}
    text = (
        f"fine-tuned by ecgtoolkit for {training.get('step', '?')} steps from {start} on "
        f"{data.get('source') or 'unnamed records'}"
    )
    if records:
        text += (
            f" ({format_count(records.get('train'))} training records, "
            f"{format_count(records.get('holdout'))} held out)"
        )
    text += f", critic {training.get('critic')}, batch {training.get('batch_size')}"
    held = training.get("held_out") or {}
    if not is_missing(held.get("c2st_auc")):
        text += f"; held-out C2ST AUC {format_value(held['c2st_auc'])}"
        if not is_missing(held.get("features_different")):
            text += f", {format_share(held['features_different'])} of measurements different"
    audit = training.get("copy_audit") or {}
    if "passed" in audit:
        text += "; copy audit " + ("passed" if audit["passed"] else "FAILED")
    return text
