"""ECGs on ECG paper: the clinical printout (:func:`plot_ecg`) and a delineation
(:func:`plot_fiducials`).

Every function takes an optional ``fig`` (and, where one panel suffices, ``ax``), never
calls ``pyplot``, and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.ecg import ECG
from ..core.validation import check_positive
from .layout import inches_to_fraction, margins, one_record
from .paper import (
    CALIBRATION,
    MM_PER_INCH,
    PAPER,
    WAVES,
    add_grid,
    calibration_pulse,
    centred,
    decimate_minmax,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_ecg", "plot_fiducials", "thumbnail_png"]

# Standard printout: three rows of four 2.5 s columns, then a rhythm strip.
_GRID_12 = (("I", "aVR", "V1", "V4"), ("II", "aVL", "V2", "V5"), ("III", "aVF", "V3", "V6"))
# Figure margins around the paper, inches: left, right, bottom (footer), top (title).
_PAPER_MARGINS_IN = (0.25, 0.25, 0.4, 0.45)
_ROW_MV = 3.0  # vertical space per row of leads
_HEADROOM_MV = 2.0  # paper above the first row's baseline
_FOOTROOM_MV = 1.5  # paper below the last row's baseline
# A trace with fewer than two samples per pixel column at print resolution is drawn in full.
_PRINT_DPI = 300.0


def plot_ecg(
    ecg: ECG,
    *,
    layout: str = "auto",
    record: int = 0,
    rhythm_lead: str = "II",
    speed_mm_s: float = 25.0,
    gain_mm_mv: float = 10.0,
    title: str | None = None,
    fig: Figure | None = None,
    ax: Axes | None = None,
    marks: pd.DataFrame | None = None,
    max_width_in: float | None = 60.0,
) -> Figure:
    """Plot one ECG on ECG paper, at true scale.

    Parameters
    ----------
    ecg : ECG
        One record, or a batch (then ``record`` picks which).
    layout : {"auto", "12", "stack"}
        ``"12"``: the clinical 3 × 4 printout (2.5 s per lead: I, aVR, V1, V4 /
        II, aVL, V2, V5 / III, aVF, V3, V6) with a rhythm strip below, over the first
        10 s; needs all 12 leads. ``"stack"``: every lead over the whole record, one
        above the other, whatever the leads are called. ``"auto"``: ``"12"`` when the
        12 leads are there (and no ``ax`` is given), else ``"stack"``.
    record : int
        Record of a batch to plot; must be 0 for a single record.
    rhythm_lead : str
        Lead of the rhythm strip in the ``"12"`` layout.
    speed_mm_s : float
        Paper speed, mm per second (25 is the clinical standard, 50 the fast one).
    gain_mm_mv : float
        Amplitude, mm per mV (10 is the standard; 5 and 20 are common).
    title : str, optional
        Figure title; by default the record's name (if any), shape and sampling rate.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first, its size kept). By default a new figure is
        made at true scale.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (``"stack"`` layout only). The paper keeps its proportions
        (square grid boxes) inside it.
    marks : pandas.DataFrame, optional
        The delineation of this record (:func:`ecgtoolkit.delineate`): the P, QRS and T
        waves are shaded on the leads that it and the ECG share.
    max_width_in : float or None
        Widest new figure, inches (60 in ≈ 1.5 m: one minute at 25 mm/s still fits at
        true scale). A record that would be wider is compressed in time only, and the
        footer gives the actual paper speed. ``None`` never compresses.

    Returns
    -------
    matplotlib.figure.Figure
        One axes holding the paper: time in seconds (the calibration pulses sit at
        negative times, before each row), amplitude in mV with each row's baseline at
        ``-3 mV × row``.

    Raises
    ------
    ValueError
        For an unknown layout, ``"12"`` without the 12 leads (call ``ecg.to_12_lead()``
        first when I, II and V1–V6 are there), a non-positive speed, gain or width,
        marks that do not fit this record, or a ``record`` that does not exist.
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.

    Notes
    -----
    *True scale.* A new figure is sized so that, saved at its natural size
    (``fig.savefig(path)``, not ``bbox_inches="tight"``, which crops) and printed at
    100 %, one second measures ``speed_mm_s`` mm and one mV ``gain_mm_mv`` mm; the paper
    sits at fixed margins in inches (no layout engine rescales it). The grid has 1 mm
    minor and 5 mm major lines (0.04 s / 0.2 s and 0.1 mV / 0.5 mV at the standard
    settings), and each row starts with the standard calibration pulse, 1 mV for 0.2 s.
    The footer states the scale, e.g. "25 mm/s, 10 mm/mV". When the figure is given
    (``fig`` or ``ax``) or the record is compressed to ``max_width_in``, the footer
    gives the scale actually printed instead, and the time grid coarsens by fives
    (0.2 s / 1 s, then 1 s / 5 s) so that its lines stay at least 0.75 mm apart.

    *Speed.* The grid is two line collections, not one artist per line. A trace is
    drawn in full unless it has more than two samples per pixel column even at print
    resolution (300 dpi, or the figure's dpi if higher): e.g. a record compressed to
    ``max_width_in``, or longer than about 75 s at 25 mm/s and 500 Hz. Such a trace is
    drawn as the minimum and maximum of each pixel column at the figure's dpi, in time
    order: the peaks and the envelope stay, the data are not changed. A 10 s record
    is always drawn in full; a 5-minute record at 500 Hz is reduced about 13-fold
    (at 100 dpi).

    The traces are shown around their median (baseline offset removed); amplitudes
    stay in mV. Each trace is clipped to its row's band of paper (rows meet halfway
    between their baselines, 1.5 mV either side at the standard row spacing of 3 mV),
    as electrocardiographs print: a tall V2 or V3 complex is cut flat at the band's
    edge instead of running over the row below or above.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> fig = et.plot_ecg(et.generate(1, seed=0))
    >>> [round(float(v), 2) for v in fig.get_size_inches()]  # 260 mm × 125 mm of paper
    [10.74, 5.77]
    >>> fig.savefig("ecg.pdf")  # doctest: +SKIP
    """
    one = one_record(ecg, record, "plot_ecg")
    check_positive(speed_mm_s, "speed_mm_s")
    check_positive(gain_mm_mv, "gain_mm_mv")
    if max_width_in is not None:
        check_positive(max_width_in, "max_width_in")
    layout = _check_layout(one, layout, ax, rhythm_lead)
    spans = None if marks is None else _wave_spans(marks, one)
    if title is None:
        title = f"{one.n_leads} leads, {one.duration_s:g} s at {one.fs:g} Hz"
        if "record_name" in one.meta:
            title = f"{one.meta['record_name']}: {title}"

    panels, x_end, n_rows = _panels(one, layout, rhythm_lead)
    y_range = (-_ROW_MV * (n_rows - 1) - _FOOTROOM_MV, _HEADROOM_MV)
    own_figure = ax is None
    fig, ax, paper_speed, lead_in_s = _paper_axes(
        fig, ax, x_end, y_range, speed_mm_s, gain_mm_mv, max_width_in
    )
    x_range = (-lead_in_s, x_end)
    printed, minor = _printed_scale(
        fig, ax, x_range, y_range, paper_speed, (speed_mm_s, gain_mm_mv)
    )
    add_grid(ax, x_range, y_range, *minor)
    ax.set_aspect(gain_mm_mv / paper_speed)
    _draw_traces(ax, one, panels, paper_speed, printed[0] / MM_PER_INCH, x_range, y_range)
    if layout == "12":
        _column_separators(ax, x_end / 4, n_rows - 1)
    if spans is not None:
        _shade_panels(ax, spans, panels, one.fs, 0.45 * _ROW_MV, alpha=0.3)
        _wave_legend(ax, loc="upper left", bbox_to_anchor=(0.0, 0.0))
    ax.annotate(
        _scale_text((speed_mm_s, gain_mm_mv), printed, minor),
        xy=(1.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -4),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=8,
    )
    if own_figure:
        fig.suptitle(title, fontsize=11, y=1 - 0.1 / fig.get_figheight(), va="top")
    else:
        ax.set_title(title, fontsize=10)
    return fig


def _check_layout(one: ECG, layout: str, ax: Axes | None, rhythm_lead: str) -> str:
    """The layout to draw, after checking that the record and arguments allow it."""
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
    if layout == "12" and rhythm_lead not in one.leads:
        raise ValueError(f"rhythm_lead {rhythm_lead!r} is not one of {', '.join(one.leads)}")
    return layout


def _lead_in_mm(speed_mm_s: float) -> float:
    """Paper before time 0 of each row, for the calibration pulse: a whole 5 mm box."""
    return 5.0 * math.ceil((CALIBRATION["s"] * speed_mm_s + 2 * CALIBRATION["gap_mm"]) / 5.0)


def _paper_axes(
    fig: Figure | None,
    ax: Axes | None,
    x_end: float,
    y_range: tuple[float, float],
    speed_mm_s: float,
    gain_mm_mv: float,
    max_width_in: float | None,
) -> tuple[Figure, Axes, float, float]:
    """The figure and axes of the paper, the paper speed on the axes and the lead-in (s).

    A new figure is made at true scale (compressed in time only beyond
    ``max_width_in``); a given ``fig`` is cleared and keeps its size; a given ``ax`` is
    drawn into.
    """
    from matplotlib.figure import Figure

    lead_in_mm = _lead_in_mm(speed_mm_s)
    left, right, bottom, top = _PAPER_MARGINS_IN
    paper_speed = speed_mm_s  # mm/s on the axes, before any shrinking by a given fig/ax
    height_in = (y_range[1] - y_range[0]) * gain_mm_mv / MM_PER_INCH
    if fig is None and ax is None:
        width_in = (lead_in_mm + x_end * speed_mm_s) / MM_PER_INCH
        if max_width_in is not None and width_in + left + right > max_width_in:
            room_mm = (max_width_in - left - right) * MM_PER_INCH - lead_in_mm
            narrowest_in = left + right + (lead_in_mm + 10.0) / MM_PER_INCH
            if max_width_in < narrowest_in:
                raise ValueError(
                    f"max_width_in={max_width_in:g} leaves no room for the trace; use at "
                    f"least {narrowest_in:.1f} in, or None for true scale at any width"
                )
            paper_speed = room_mm / x_end
            width_in = max_width_in - left - right
        fig = Figure(figsize=(width_in + left + right, height_in + bottom + top))
        ax = fig.add_axes(inches_to_fraction(fig, left, bottom, width_in, height_in))
    elif ax is None:
        fig.clear()
        ax = fig.add_axes(margins(fig, left, right, bottom, top))
    else:
        fig = ax.figure
    return fig, ax, paper_speed, lead_in_mm / paper_speed


def _printed_scale(
    fig: Figure,
    ax: Axes,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    paper_speed: float,
    asked: tuple[float, float],
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The scale actually printed (mm/s, mm/mV) and the grid's minor steps (s, mV).

    The scale is the one asked for on a new figure, less when the paper shrinks into a
    given fig/ax (``set_aspect`` keeps its proportions); the grid coarsens by fives so
    that its lines stay at least 0.75 mm apart.
    """
    speed_mm_s, gain_mm_mv = asked
    box = ax.get_position()
    width_avail, height_avail = box.width * fig.get_figwidth(), box.height * fig.get_figheight()
    scale = min(
        width_avail * MM_PER_INCH / ((x_range[1] - x_range[0]) * paper_speed),
        height_avail * MM_PER_INCH / ((y_range[1] - y_range[0]) * gain_mm_mv),
    )
    printed_speed, printed_gain = paper_speed * scale, gain_mm_mv * scale
    minor_s, minor_mv = 1.0 / speed_mm_s, 1.0 / gain_mm_mv
    while minor_s * printed_speed < 0.75:
        minor_s *= 5.0
    while minor_mv * printed_gain < 0.75:
        minor_mv *= 5.0
    return (printed_speed, printed_gain), (minor_s, minor_mv)


def _draw_traces(
    ax: Axes,
    one: ECG,
    panels: list,
    paper_speed: float,
    inches_per_s: float,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> None:
    """Each panel's trace (decimated where denser than print, clipped to its row's band),
    label and calibration."""
    from matplotlib.patches import Rectangle

    fig = ax.figure
    label_dx = 1.5 / paper_speed  # labels 1.5 mm right of their segment's start
    bands = _row_bands([p[3] for p in panels], y_range)
    for lead, i0, i1, base in panels:
        segment = one[lead][i0:i1]
        t = (i0 + np.arange(segment.size)) / one.fs
        y = centred(segment)
        width_in = segment.size / one.fs * inches_per_s
        if segment.size > 2 * width_in * max(fig.dpi, _PRINT_DPI):
            keep = decimate_minmax(y, int(width_in * fig.dpi))
            t, y = t[keep], y[keep]
        (line,) = ax.plot(t, y + base, color=PAPER["trace"], lw=0.7, zorder=3)
        low, high = bands[base]
        band = Rectangle(
            (x_range[0], low), x_range[1] - x_range[0], high - low, transform=ax.transData
        )
        line.set_clip_path(band)
        ax.text(i0 / one.fs + label_dx, base + 1.0, lead, fontsize=9, weight="bold", zorder=4)
    for base in sorted({p[3] for p in panels}, reverse=True):
        calibration_pulse(ax, base, paper_speed)


def _row_bands(
    bases: Sequence[float], y_range: tuple[float, float]
) -> dict[float, tuple[float, float]]:
    """Each row's band of paper (mV), ``{baseline: (low, high)}``: rows meet halfway
    between their baselines, and the outer rows reach the paper's edges.

    Examples
    --------
    >>> _row_bands([0.0, -3.0, -6.0], (-7.5, 2.0))
    {0.0: (-1.5, 2.0), -3.0: (-4.5, -1.5), -6.0: (-7.5, -4.5)}
    """
    levels = sorted(set(bases), reverse=True)
    edges = [y_range[1], *((a + b) / 2 for a, b in pairwise(levels)), y_range[0]]
    return {base: (edges[i + 1], edges[i]) for i, base in enumerate(levels)}


def _panels(one: ECG, layout: str, rhythm_lead: str) -> tuple[list, float, int]:
    """(lead, first sample, stop sample, baseline mV) per trace; paper end (s); rows."""
    if layout == "12":
        per_column = int(round(min(2.5, one.duration_s / 4) * one.fs))
        panels = [
            (name, c * per_column, (c + 1) * per_column, -_ROW_MV * r)
            for r, names in enumerate(_GRID_12)
            for c, name in enumerate(names)
        ]
        rows = len(_GRID_12) + 1
        panels.append((rhythm_lead, 0, 4 * per_column, -_ROW_MV * (rows - 1)))
        return panels, 4 * per_column / one.fs, rows
    panels = [(name, 0, one.n_samples, -_ROW_MV * r) for r, name in enumerate(one.leads)]
    return panels, one.duration_s, one.n_leads


def _column_separators(ax: Axes, column_s: float, n_rows: int) -> None:
    from matplotlib.collections import LineCollection

    ticks = [
        ((c * column_s, -_ROW_MV * r - 0.4), (c * column_s, -_ROW_MV * r + 0.4))
        for r in range(n_rows)
        for c in (1, 2, 3)
    ]
    ax.add_collection(
        LineCollection(ticks, colors=PAPER["trace"], linewidths=1.0, zorder=3), autolim=False
    )


def _scale_text(
    asked: tuple[float, float], printed: tuple[float, float], minor: tuple[float, float]
) -> str:
    """Footer: the asked scale, or the printed one (and a coarser grid) where they differ."""
    (speed, gain), (printed_speed, printed_gain), (minor_s, minor_mv) = asked, printed, minor
    text = f"{speed:g} mm/s, {gain:g} mm/mV"
    if abs(printed_speed / speed - 1) < 1e-6 and abs(printed_gain / gain - 1) < 1e-6:
        return text
    text = f"{printed_speed:.3g} mm/s, {printed_gain:.3g} mm/mV at this size (asked: {text})"
    if abs(minor_s * speed - 1) > 1e-9 or abs(minor_mv * gain - 1) > 1e-9:
        text += (
            f"; grid {minor_s:.3g} s / {5 * minor_s:.3g} s, {minor_mv:.3g} / {5 * minor_mv:.3g} mV"
        )
    return text


def _wave_spans(marks: Any, one: ECG) -> dict[str, dict[str, np.ndarray]]:
    """Validated marks as {lead: {wave: (n, 2) onset/offset samples}}, shared leads only."""
    import pandas as pd

    if not isinstance(marks, pd.DataFrame):
        raise TypeError(
            f"marks must be a DataFrame from et.delineate(), got {type(marks).__name__}"
        )
    pairs = [
        (w, on, off) for w, ((on, _, off), _) in WAVES.items() if {on, off} <= set(marks.columns)
    ]
    if "lead" not in marks.columns or not pairs:
        raise ValueError(
            "marks need a 'lead' column and onset/offset columns (P_on/P_off, QRS_on/"
            "QRS_off, T_on/T_off), as et.delineate() returns"
        )
    columns = [c for _, on, off in pairs for c in (on, off)]
    values = marks[columns].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size and (finite.max() >= one.n_samples or finite.min() < 0):
        raise ValueError(
            f"marks reach samples {finite.min():.0f} to {finite.max():.0f} but this record "
            f"has {one.n_samples} samples: pass the delineation of this same record "
            "(et.delineate(ecg[record]))"
        )
    shared = [lead for lead in dict.fromkeys(marks["lead"]) if lead in one.leads]
    if not shared:
        raise ValueError(
            f"marks are for leads {', '.join(map(str, dict.fromkeys(marks['lead'])))}, "
            f"none of which this ECG has ({', '.join(one.leads)})"
        )
    spans: dict[str, dict[str, np.ndarray]] = {}
    for lead in shared:
        rows = marks.loc[marks["lead"] == lead]
        spans[lead] = {}
        for wave, on, off in pairs:
            edges = rows[[on, off]].to_numpy(dtype=float)
            spans[lead][wave] = edges[np.isfinite(edges).all(axis=1)]
    return spans


def _shade(ax: Axes, rectangles: dict[str, list], alpha: float, zorder: float = 1.0) -> None:
    """One PolyCollection per wave from {wave: [(t0, t1, y0, y1), ...]} in data units."""
    from matplotlib.collections import PolyCollection

    colours = {wave: colour for wave, (_, colour) in WAVES.items()}
    for wave, boxes in rectangles.items():
        if not boxes:
            continue
        b = np.asarray(boxes, dtype=float)
        verts = np.stack([b[:, [0, 2]], b[:, [1, 2]], b[:, [1, 3]], b[:, [0, 3]]], axis=1)
        ax.add_collection(
            PolyCollection(
                verts,
                facecolors=colours[wave],
                edgecolors="none",
                alpha=alpha,
                zorder=zorder,
                label=wave,
            ),
            autolim=False,
        )


def _shade_panels(
    ax: Axes, spans: dict, panels: list, fs: float, half_height: float, alpha: float
) -> None:
    """Shade each wave around its lead's baseline, clipped to the time each panel shows."""
    rectangles: dict[str, list] = {wave: [] for wave in WAVES}
    for lead, i0, i1, base in panels:
        for wave, edges in spans.get(lead, {}).items():
            shown = (edges[:, 1] >= i0) & (edges[:, 0] < i1)
            rectangles[wave] += [
                (max(on, i0) / fs, min(off, i1) / fs, base - half_height, base + half_height)
                for on, off in edges[shown]
            ]
    _shade(ax, rectangles, alpha=alpha)


def _wave_legend(ax: Axes, **where: Any) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=colour, alpha=0.45, label=wave) for wave, (_, colour) in WAVES.items()]
    ax.legend(handles=handles, ncols=3, frameon=False, fontsize=8, **where)


def plot_fiducials(
    ecg: ECG,
    marks: pd.DataFrame | None = None,
    leads: Sequence[str] | None = None,
    record: int = 0,
    *,
    window_s: tuple[float, float] | None = None,
    fig: Figure | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Show a delineation: a few leads with their P, QRS and T waves shaded.

    Parameters
    ----------
    ecg : ECG
        One record, or a batch (then ``record`` picks which).
    marks : pandas.DataFrame, optional
        The record's delineation (:func:`ecgtoolkit.delineate`); computed here when not
        given.
    leads : sequence of str, optional
        Leads to show, top to bottom. By default II, V1 and V5 (those of them that the
        ECG and the marks share), else the first three shared leads.
    record : int
        Record of a batch; must be 0 for a single record.
    window_s : (float, float), optional
        Start and end of the part shown, seconds (default: the whole record).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: time (s) against amplitude (mV), each lead around its median and
        offset downwards, its waves shaded (legend top right). A lead the delineation
        found unusable is labelled so, and has no shading.

    Raises
    ------
    ValueError
        For leads the ECG or the marks lack, a window outside the record, or marks that
        do not fit this record.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> from ecgtoolkit import plot_fiducials
    >>> ecg = et.generate(1, seed=0)[0]
    >>> fig = plot_fiducials(ecg, leads=["II", "V2"], window_s=(0.0, 4.0))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['P', 'QRS', 'T']
    """
    from matplotlib.figure import Figure

    one = one_record(ecg, record, "plot_fiducials")
    if marks is None:
        from ..signal.delineation import delineate

        marks = delineate(one)
    spans = _wave_spans(marks, one)
    if leads is None:
        leads = [lead for lead in ("II", "V1", "V5") if lead in spans] or list(spans)[:3]
    leads = list(leads)
    missing = [lead for lead in leads if lead not in spans]
    if missing or not leads:
        raise ValueError(
            f"leads {missing or leads} are not in both the ECG and the marks; "
            f"choose from {', '.join(spans)}"
        )
    start, stop = (0.0, one.duration_s) if window_s is None else map(float, window_s)
    if not 0.0 <= start < stop <= one.duration_s + 1e-9:
        raise ValueError(
            f"window_s=({start:g}, {stop:g}) is not inside the record (0 to {one.duration_s:g} s)"
        )
    i0, i1 = int(round(start * one.fs)), int(round(stop * one.fs))
    traces = {lead: centred(one[lead][i0:i1]) for lead in leads}
    heights = [np.ptp(y[np.isfinite(y)]) if np.isfinite(y).any() else 0.0 for y in traces.values()]
    spacing = max(1.0, 1.2 * max(heights))
    if ax is None:
        if fig is None:
            fig = Figure(figsize=(min(16.0, 2.0 + 1.2 * (stop - start)), 0.9 + 1.3 * len(leads)))
        else:
            fig.clear()
        ax = fig.add_axes(margins(fig, 0.7, 0.2, 0.5, 0.35))
    else:
        fig = ax.figure
    usable = marks.groupby("lead", sort=False)["usable"].any() if "usable" in marks else None
    t = (i0 + np.arange(i1 - i0)) / one.fs
    panels = [(lead, i0, i1, -spacing * row) for row, lead in enumerate(leads)]
    for lead, _, _, base in panels:
        ax.plot(t, traces[lead] + base, color=PAPER["trace"], lw=0.8, zorder=3)
    _shade_panels(ax, spans, panels, one.fs, 0.45 * spacing, alpha=0.35)
    names = [
        lead if usable is None or usable.get(lead, True) else f"{lead}\n(unusable)"
        for lead in leads
    ]
    ax.set_yticks(-spacing * np.arange(len(leads)), names)
    ax.set_xlim(start, stop)
    ax.set_ylim(-spacing * (len(leads) - 0.5), spacing / 2)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(f"mV, leads {spacing:.2g} mV apart")
    ax.grid(axis="x", lw=0.3, alpha=0.5)
    _wave_legend(ax, loc="lower right", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.1)
    return fig


def thumbnail_png(record: ECG, seconds: float = 2.5) -> str:
    """A small stacked-lead plot of a record's first seconds, as base64 PNG (for
    :meth:`ECG._repr_html_`), drawn without pyplot's global state."""
    from matplotlib.figure import Figure

    n_show = min(seconds, record.duration_s)
    stop = max(1, int(n_show * record.fs))
    leads = record.leads
    fig = Figure(figsize=(6, 0.35 * len(leads) + 0.4), dpi=72)
    ax = fig.add_axes((0.08, 0.02, 0.9, 0.96))
    t = record.times[:stop]
    for row, name in enumerate(leads):
        y = centred(record.signal[row, :stop])
        ax.plot(t, y - 2.0 * row, lw=0.7, color=PAPER["trace"])
        ax.text(-0.02 * n_show, -2.0 * row, name, ha="right", va="center", fontsize=8)
    ax.set_axis_off()
    ax.set_xlim(-0.08 * n_show, n_show)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")
