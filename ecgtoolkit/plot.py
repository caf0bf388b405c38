"""Plot ECGs the way clinicians read them: on ECG paper, 25 mm/s, 10 mm/mV."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .ecg import ECG

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_ecg"]

# Standard printout: three rows of four 2.5 s columns, then a rhythm strip.
_GRID_12 = (("I", "aVR", "V1", "V4"), ("II", "aVL", "V2", "V5"), ("III", "aVF", "V3", "V6"))
_PAPER_MINOR = "#f6c6c6"
_PAPER_MAJOR = "#e88f8f"
_SPEED_MM_S = 25.0  # paper speed, mm per second
_GAIN_MM_MV = 10.0  # amplitude, mm per mV


def _paper_grid(ax: Axes, x_max_s: float, y_min_mv: float, y_max_mv: float) -> None:
    """Draw 1 mm (0.04 s × 0.1 mV) and 5 mm (0.2 s × 0.5 mV) ECG paper lines."""
    for step, color, width in ((0.04, _PAPER_MINOR, 0.3), (0.2, _PAPER_MAJOR, 0.6)):
        for x in np.arange(0.0, x_max_s + 1e-9, step):
            ax.axvline(x, color=color, lw=width, zorder=0)
        start = np.floor(y_min_mv / (step * 2.5)) * step * 2.5
        for y in np.arange(start, y_max_mv + 1e-9, step * 2.5):
            ax.axhline(y, color=color, lw=width, zorder=0)
    ax.set_xlim(0, x_max_s)
    ax.set_ylim(y_min_mv, y_max_mv)
    # 1 mV is 10 mm high and 1 s is 25 mm wide: square 1 mm boxes.
    ax.set_aspect(_GAIN_MM_MV / _SPEED_MM_S)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def plot_ecg(
    ecg: ECG,
    *,
    layout: str = "auto",
    record: int = 0,
    rhythm_lead: str = "II",
    title: str | None = None,
    fig: Figure | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot one ECG on ECG paper (25 mm/s, 10 mm/mV, 1 mm and 5 mm grid).

    Parameters
    ----------
    ecg : ECG
        One record, or a batch (then ``record`` picks which).
    layout : {"auto", "12", "stack"}
        ``"12"``: the clinical 3 × 4 printout (2.5 s per lead: I, aVR, V1, V4 /
        II, aVL, V2, V5 / III, aVF, V3, V6) with a full-length rhythm strip below;
        needs all 12 leads. ``"stack"``: every lead over the whole record, one above
        the other. ``"auto"``: ``"12"`` when the 12 leads are there, else ``"stack"``.
    record : int
        Record of a batch to plot.
    rhythm_lead : str
        Lead of the rhythm strip in the ``"12"`` layout.
    title : str, optional
        Figure title; by default the record's shape and sampling rate.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first). A new one is made if neither ``fig``
        nor ``ax`` is given.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (``"stack"`` layout only).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        For an unknown layout, or ``"12"`` without the 12 leads (call
        ``ecg.to_12_lead()`` first when I, II and V1–V6 are there).

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> fig = et.plot_ecg(et.generate(1, seed=0))
    >>> fig.savefig("ecg.png")  # doctest: +SKIP
    """
    from matplotlib.figure import Figure

    if not isinstance(ecg, ECG):
        raise TypeError(f"plot_ecg expects an ecgtoolkit.ECG, got {type(ecg).__name__}")
    one = ecg[record] if ecg.is_batch else ecg
    has_12 = all(name in one.leads for row in _GRID_12 for name in row)
    if layout == "auto":
        layout = "12" if has_12 and ax is None else "stack"
    if layout not in ("12", "stack"):
        raise ValueError(f"unknown layout {layout!r}; use 'auto', '12' or 'stack'")
    if layout == "12" and not has_12:
        raise ValueError(
            "the '12' layout needs all 12 leads; this ECG has "
            f"{', '.join(one.leads)} (use ecg.to_12_lead() or layout='stack')"
        )
    if layout == "12" and ax is not None:
        raise ValueError("the '12' layout draws its own axes; pass fig=, not ax=")
    if title is None:
        title = f"{one.n_leads} leads, {one.duration_s:g} s at {one.fs:g} Hz"
        if "record_name" in one.meta:
            title = f"{one.meta['record_name']}: {title}"
    if ax is not None:
        fig = ax.figure
    elif fig is None:
        fig = Figure(figsize=(14, 8) if layout == "12" else (14, 1.1 * one.n_leads + 1))
    else:
        fig.clear()
    if layout == "12":
        _plot_12(one, fig, rhythm_lead)
    else:
        _plot_stack(one, fig, ax)
    fig.suptitle(title, fontsize=11)
    return fig


def _centred(y: np.ndarray) -> np.ndarray:
    finite = y[np.isfinite(y)]
    return y - np.median(finite) if finite.size else y


def _plot_12(one: ECG, fig: Figure, rhythm_lead: str) -> None:
    column_s = min(2.5, one.duration_s / 4)
    row_mv = 3.0  # vertical space per row
    rows = len(_GRID_12) + 1
    ax = fig.add_axes((0.02, 0.03, 0.96, 0.9))
    width_s = 4 * column_s
    strip_s = min(one.duration_s, width_s)
    _paper_grid(ax, width_s, -row_mv * (rows - 0.5), row_mv * 0.5)
    per_column = int(round(column_s * one.fs))
    t = np.arange(per_column) / one.fs
    for r, names in enumerate(_GRID_12):
        base = -row_mv * r
        for c, name in enumerate(names):
            segment = one[name][c * per_column : (c + 1) * per_column]
            ax.plot(t[: segment.size] + c * column_s, _centred(segment) + base, color="k", lw=0.7)
            ax.text(c * column_s + 0.05, base + 1.0, name, fontsize=9, weight="bold")
            if c:
                ax.plot([c * column_s] * 2, [base - 0.4, base + 0.4], color="k", lw=1)
    base = -row_mv * (rows - 1)
    strip = one[rhythm_lead][: int(round(strip_s * one.fs))]
    ax.plot(np.arange(strip.size) / one.fs, _centred(strip) + base, color="k", lw=0.7)
    ax.text(0.05, base + 1.0, rhythm_lead, fontsize=9, weight="bold")
    ax.text(
        width_s, -row_mv * (rows - 0.5) - 0.3, "25 mm/s, 10 mm/mV", ha="right", va="top", fontsize=8
    )


def _plot_stack(one: ECG, fig: Figure, ax: Axes | None) -> None:
    spacing = 3.0
    if ax is None:
        ax = fig.add_axes((0.05, 0.03, 0.93, 0.9))
    n = one.n_leads
    _paper_grid(ax, one.duration_s, -spacing * (n - 0.5), spacing * 0.5)
    for row, name in enumerate(one.leads):
        ax.plot(one.times, _centred(one.signal[row]) - spacing * row, color="k", lw=0.6)
        ax.text(
            -0.01 * one.duration_s,
            -spacing * row,
            name,
            ha="right",
            va="center",
            fontsize=9,
            weight="bold",
        )
