"""Plot ECGs the way clinicians read them, and the statistics that compare them.

:func:`plot_ecg` draws one record on ECG paper at true scale (25 mm/s, 10 mm/mV by
default); :func:`plot_fiducials` shows a delineation; :func:`plot_median_beats`,
:func:`plot_qt_rr` and :func:`plot_bland_altman` compare groups of records or two
methods. Every function takes an optional ``fig`` (and, where one panel suffices,
``ax``), never calls ``pyplot``, and returns the :class:`matplotlib.figure.Figure`.
Histograms of real against generated features are :meth:`ecgtoolkit.Comparison.plot`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .ecg import ECG

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_bland_altman",
    "plot_ecg",
    "plot_fiducials",
    "plot_median_beats",
    "plot_qt_rr",
]

# Standard printout: three rows of four 2.5 s columns, then a rhythm strip.
_GRID_12 = (("I", "aVR", "V1", "V4"), ("II", "aVL", "V2", "V5"), ("III", "aVF", "V3", "V6"))
_PAPER_MINOR = "#f6c6c6"
_PAPER_MAJOR = "#e88f8f"
_MM_PER_INCH = 25.4
# Figure margins around the paper, inches: left, right, bottom (footer), top (title).
_PAPER_MARGINS_IN = (0.25, 0.25, 0.4, 0.45)
_ROW_MV = 3.0  # vertical space per row of leads
_HEADROOM_MV = 2.0  # paper above the first row's baseline
_FOOTROOM_MV = 1.5  # paper below the last row's baseline
_CAL_MV, _CAL_S = 1.0, 0.2  # standard calibration pulse: 1 mV for 0.2 s
_CAL_GAP_MM = 2.5  # baseline on either side of the pulse
# A trace with fewer than two samples per pixel column at print resolution is drawn in full.
_PRINT_DPI = 300.0
# Okabe & Ito (2008), colour-blind safe; the first two match Comparison.plot.
_OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
_WAVES = (
    ("P", "P_on", "P_off", "#009E73"),
    ("QRS", "QRS_on", "QRS_off", "#0072B2"),
    ("T", "T_on", "T_off", "#E69F00"),
)


# --- ECG paper ---------------------------------------------------------------------------


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
    stay in mV.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> fig = et.plot_ecg(et.generate(1, seed=0))
    >>> [round(float(v), 2) for v in fig.get_size_inches()]  # 260 mm × 125 mm of paper
    [10.74, 5.77]
    >>> fig.savefig("ecg.pdf")  # doctest: +SKIP
    """
    from matplotlib.figure import Figure

    one = _one_record(ecg, record, "plot_ecg")
    _check_positive(speed_mm_s=speed_mm_s, gain_mm_mv=gain_mm_mv)
    if max_width_in is not None:
        _check_positive(max_width_in=max_width_in)
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
    spans = None if marks is None else _wave_spans(marks, one)
    if title is None:
        title = f"{one.n_leads} leads, {one.duration_s:g} s at {one.fs:g} Hz"
        if "record_name" in one.meta:
            title = f"{one.meta['record_name']}: {title}"

    panels, x_end, n_rows = _panels(one, layout, rhythm_lead)
    y_top, y_bottom = _HEADROOM_MV, -_ROW_MV * (n_rows - 1) - _FOOTROOM_MV
    lead_in_mm = 5.0 * math.ceil((_CAL_S * speed_mm_s + 2 * _CAL_GAP_MM) / 5.0)
    left, right, bottom, top = _PAPER_MARGINS_IN
    paper_speed = speed_mm_s  # mm/s on the axes, before any shrinking by a given fig/ax
    height_in = (y_top - y_bottom) * gain_mm_mv / _MM_PER_INCH
    own_figure = ax is None
    if fig is None and ax is None:
        width_in = (lead_in_mm + x_end * speed_mm_s) / _MM_PER_INCH
        if max_width_in is not None and width_in + left + right > max_width_in:
            room_mm = (max_width_in - left - right) * _MM_PER_INCH - lead_in_mm
            narrowest_in = left + right + (lead_in_mm + 10.0) / _MM_PER_INCH
            if max_width_in < narrowest_in:
                raise ValueError(
                    f"max_width_in={max_width_in:g} leaves no room for the trace; use at "
                    f"least {narrowest_in:.1f} in, or None for true scale at any width"
                )
            paper_speed = room_mm / x_end
            width_in = max_width_in - left - right
        fig = Figure(figsize=(width_in + left + right, height_in + bottom + top))
        ax = fig.add_axes(_inches_to_fraction(fig, left, bottom, width_in, height_in))
    elif ax is None:
        fig.clear()
        ax = fig.add_axes(_margins(fig, left, right, bottom, top))
    else:
        fig = ax.figure
    lead_in_s = lead_in_mm / paper_speed
    x_start = -lead_in_s

    # Scale actually printed: 1 for a new figure, less when the paper shrinks into a
    # given fig/ax (set_aspect keeps its proportions).
    box = ax.get_position()
    width_avail, height_avail = box.width * fig.get_figwidth(), box.height * fig.get_figheight()
    scale = min(
        width_avail * _MM_PER_INCH / ((x_end - x_start) * paper_speed),
        height_avail * _MM_PER_INCH / ((y_top - y_bottom) * gain_mm_mv),
    )
    printed_speed, printed_gain = paper_speed * scale, gain_mm_mv * scale
    minor_s, minor_mv = 1.0 / speed_mm_s, 1.0 / gain_mm_mv
    while minor_s * printed_speed < 0.75:  # keep grid lines at least 0.75 mm apart
        minor_s *= 5.0
    while minor_mv * printed_gain < 0.75:
        minor_mv *= 5.0
    _paper_grid(ax, (x_start, x_end), (y_bottom, y_top), minor_s, minor_mv)
    ax.set_aspect(gain_mm_mv / paper_speed)

    inches_per_s = printed_speed / _MM_PER_INCH
    label_dx = 1.5 / paper_speed  # labels 1.5 mm right of their segment's start
    for panel in panels:
        lead, i0, i1, base = panel
        segment = one[lead][i0:i1]
        t = (i0 + np.arange(segment.size)) / one.fs
        y = _centred(segment)
        width_in = segment.size / one.fs * inches_per_s
        if segment.size > 2 * width_in * max(fig.dpi, _PRINT_DPI):
            t, y = _minmax_decimate(t, y, int(width_in * fig.dpi))
        ax.plot(t, y + base, color="k", lw=0.7, zorder=3)
        ax.text(i0 / one.fs + label_dx, base + 1.0, lead, fontsize=9, weight="bold", zorder=4)
    for base in sorted({p[3] for p in panels}, reverse=True):
        _calibration_pulse(ax, base, paper_speed)
    if layout == "12":
        _column_separators(ax, x_end / 4, n_rows - 1)
    if spans is not None:
        _shade_panels(ax, spans, panels, one.fs, 0.45 * _ROW_MV, alpha=0.3)
        _wave_legend(ax, loc="upper left", bbox_to_anchor=(0.0, 0.0))

    ax.annotate(
        _scale_text((speed_mm_s, gain_mm_mv), (printed_speed, printed_gain), (minor_s, minor_mv)),
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


def _paper_grid(
    ax: Axes, x_range: tuple[float, float], y_range: tuple[float, float], dx: float, dy: float
) -> None:
    """1 mm and 5 mm ECG paper as two line collections (minor lines, major lines)."""
    from matplotlib.collections import LineCollection

    (x0, x1), (y0, y1) = x_range, y_range
    minor, major = [], []
    for step, lo, hi, vertical in ((dx, x0, x1, True), (dy, y0, y1, False)):
        k = np.arange(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1)
        at = k * step
        ends = np.empty((at.size, 2, 2))
        if vertical:
            ends[:, :, 0] = at[:, None]
            ends[:, :, 1] = (y0, y1)
        else:
            ends[:, :, 0] = (x0, x1)
            ends[:, :, 1] = at[:, None]
        is_major = k % 5 == 0
        minor.append(ends[~is_major])
        major.append(ends[is_major])
    # Without antialiasing, axis-parallel lines stay crisp and draw twice as fast.
    for lines, colour, width in ((minor, _PAPER_MINOR, 0.4), (major, _PAPER_MAJOR, 0.8)):
        ax.add_collection(
            LineCollection(
                np.concatenate(lines),
                colors=colour,
                linewidths=width,
                antialiaseds=False,
                zorder=0,
            ),
            autolim=False,
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _calibration_pulse(ax: Axes, base: float, paper_speed: float) -> None:
    """1 mV for 0.2 s, ending 2.5 mm before the row's first sample."""
    gap_s = _CAL_GAP_MM / paper_speed
    end = -gap_s
    start = end - _CAL_S
    x = [start - gap_s, start, start, end, end, end + gap_s / 2]
    y = np.array([0.0, 0.0, _CAL_MV, _CAL_MV, 0.0, 0.0]) + base
    ax.plot(x, y, color="k", lw=0.9, zorder=3, solid_joinstyle="miter")


def _column_separators(ax: Axes, column_s: float, n_rows: int) -> None:
    from matplotlib.collections import LineCollection

    ticks = [
        ((c * column_s, -_ROW_MV * r - 0.4), (c * column_s, -_ROW_MV * r + 0.4))
        for r in range(n_rows)
        for c in (1, 2, 3)
    ]
    ax.add_collection(LineCollection(ticks, colors="k", linewidths=1.0, zorder=3), autolim=False)


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


def _minmax_decimate(t: np.ndarray, y: np.ndarray, n_columns: int) -> tuple[np.ndarray, ...]:
    """Keep the minimum and maximum of each of ``n_columns`` bins, in time order."""
    if y.size <= 2 * n_columns:
        return t, y
    per = int(math.ceil(y.size / n_columns))
    n_bins = -(-y.size // per)
    padded = np.full(n_bins * per, np.nan)
    padded[: y.size] = y
    bins = padded.reshape(n_bins, per)
    # An all-NaN bin keeps its first sample (NaN): the gap stays a gap.
    low = np.where(np.isnan(bins), np.inf, bins).argmin(axis=1)
    high = np.where(np.isnan(bins), -np.inf, bins).argmax(axis=1)
    first = np.arange(n_bins) * per
    keep = np.sort(np.column_stack([low, high]), axis=1).ravel() + np.repeat(first, 2)
    keep = keep[keep < y.size]
    return t[keep], y[keep]


def _centred(y: np.ndarray) -> np.ndarray:
    finite = y[np.isfinite(y)]
    return y - np.median(finite) if finite.size else y


# --- delineation overlays ----------------------------------------------------------------


def _wave_spans(marks: Any, one: ECG) -> dict[str, dict[str, np.ndarray]]:
    """Validated marks as {lead: {wave: (n, 2) onset/offset samples}}, shared leads only."""
    import pandas as pd

    if not isinstance(marks, pd.DataFrame):
        raise TypeError(
            f"marks must be a DataFrame from et.delineate(), got {type(marks).__name__}"
        )
    pairs = [(w, on, off) for w, on, off, _ in _WAVES if {on, off} <= set(marks.columns)]
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

    colours = {wave: colour for wave, _, _, colour in _WAVES}
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
    rectangles: dict[str, list] = {wave: [] for wave, *_ in _WAVES}
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

    handles = [Patch(color=colour, alpha=0.45, label=wave) for wave, _, _, colour in _WAVES]
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
    >>> from ecgtoolkit.plot import plot_fiducials
    >>> ecg = et.generate(1, seed=0)[0]
    >>> fig = plot_fiducials(ecg, leads=["II", "V2"], window_s=(0.0, 4.0))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['P', 'QRS', 'T']
    """
    from matplotlib.figure import Figure

    one = _one_record(ecg, record, "plot_fiducials")
    if marks is None:
        from .delineation import delineate

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
    traces = {lead: _centred(one[lead][i0:i1]) for lead in leads}
    heights = [np.ptp(y[np.isfinite(y)]) if np.isfinite(y).any() else 0.0 for y in traces.values()]
    spacing = max(1.0, 1.2 * max(heights))
    if ax is None:
        if fig is None:
            fig = Figure(figsize=(min(16.0, 2.0 + 1.2 * (stop - start)), 0.9 + 1.3 * len(leads)))
        else:
            fig.clear()
        ax = fig.add_axes(_margins(fig, 0.7, 0.2, 0.5, 0.35))
    else:
        fig = ax.figure
    usable = marks.groupby("lead", sort=False)["usable"].any() if "usable" in marks else None
    t = (i0 + np.arange(i1 - i0)) / one.fs
    panels = [(lead, i0, i1, -spacing * row) for row, lead in enumerate(leads)]
    for lead, _, _, base in panels:
        ax.plot(t, traces[lead] + base, color="k", lw=0.8, zorder=3)
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


# --- statistics ---------------------------------------------------------------------------


def plot_median_beats(
    beats: np.ndarray | Sequence[np.ndarray],
    *,
    leads: Sequence[str] | None = None,
    fs: float | None = None,
    start_s: float | None = None,
    labels: Sequence[str] | None = None,
    ncols: int = 4,
    fig: Figure | None = None,
) -> Figure:
    """Median beats per lead: each group's median over its records, with a 25–75 % band.

    Parameters
    ----------
    beats : numpy.ndarray or sequence of numpy.ndarray
        One group ``(n_records, n_leads, n_times)`` (or one record ``(n_leads,
        n_times)``) of median beats in mV, as ``measure(..., return_beats=True)``
        returns them; or a list of groups, e.g. ``[real_beats, fake_beats]``. Records
        that are all NaN (not measured) are left out.
    leads : sequence of str, optional
        Lead names, one per row of ``n_leads``; default
        :data:`ecgtoolkit.measurement.BEAT_LEADS` (I, II, V1–V6).
    fs : float, optional
        Sampling rate of the beats, Hz; default :data:`~ecgtoolkit.measurement.BEAT_FS`
        (250 Hz).
    start_s : float, optional
        Time of the first sample relative to the R peak, seconds; default the start of
        :data:`~ecgtoolkit.measurement.BEAT_WINDOW_S` (-0.3 s).
    labels : sequence of str, optional
        One name per group for the legend (default "group 1", "group 2", ...; no legend
        for a single unnamed group).
    ncols : int
        Panels per row.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per lead (shared axes, mV against ms from the R peak), in each one
        line per group (its median) over a shaded 25–75 % band, groups in Okabe–Ito
        colours (blue, orange, ...).

    Raises
    ------
    ValueError
        For beats that are not 2-D or 3-D, a lead count that does not match ``leads``,
        an empty group, or a number of labels other than the number of groups.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> from ecgtoolkit.plot import plot_median_beats
    >>> _, beats = et.measure(et.generate(4, seed=1), return_beats=True, progress=False)
    >>> fig = plot_median_beats([beats[:2], beats[2:]], labels=["first two", "last two"])
    >>> len(fig.axes), len(fig.axes[0].lines)
    (8, 2)
    """
    from matplotlib.figure import Figure

    from .measurement import BEAT_FS, BEAT_LEADS, BEAT_WINDOW_S

    leads = list(BEAT_LEADS if leads is None else leads)
    fs = float(BEAT_FS if fs is None else fs)
    start_s = float(BEAT_WINDOW_S[0] if start_s is None else start_s)
    _check_positive(fs=fs)
    groups = [beats] if isinstance(beats, np.ndarray) else list(beats)
    if not groups:
        raise ValueError("no beats given")
    arrays = []
    for g, group in enumerate(groups):
        arr = np.asarray(group, dtype=float)
        if arr.ndim == 2:
            arr = arr[np.newaxis]
        if arr.ndim != 3 or arr.shape[1] != len(leads) or arr.shape[0] == 0 or arr.shape[2] < 2:
            raise ValueError(
                f"beats group {g} has shape {arr.shape}; expected (n_records, {len(leads)}, "
                f"n_times) with n_records ≥ 1 for leads {', '.join(leads)} "
                "(pass leads= for another lead set)"
            )
        arrays.append(arr)
    if labels is not None and len(labels) != len(arrays):
        raise ValueError(f"{len(labels)} labels for {len(arrays)} groups of beats")
    if int(ncols) < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    ncols = min(int(ncols), len(leads))
    nrows = -(-len(leads) // ncols)
    panel_in, legend_in = (2.3, 1.8), 0.35
    if fig is None:
        fig = Figure(figsize=(0.7 + panel_in[0] * ncols, 0.6 + legend_in + panel_in[1] * nrows))
    else:
        fig.clear()
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=0.6 / width,
        right=1 - 0.15 / width,
        bottom=0.55 / height,
        top=1 - (legend_in + 0.3) / height,
        wspace=0.1,
        hspace=0.45,
    )
    first = None
    for i, lead in enumerate(leads):
        ax = fig.add_subplot(nrows, ncols, i + 1, sharex=first, sharey=first)
        if first is None:
            first = ax
        for g, arr in enumerate(arrays):
            colour = _OKABE_ITO[g % len(_OKABE_ITO)]
            x_ms = 1000.0 * (start_s + np.arange(arr.shape[2]) / fs)
            lead_beats = arr[:, i]
            lead_beats = lead_beats[np.isfinite(lead_beats).any(axis=1)]
            if lead_beats.size == 0:
                lead_beats = np.full((1, arr.shape[2]), np.nan)
            with warnings.catch_warnings():  # a time with no finite value stays a gap
                warnings.simplefilter("ignore", RuntimeWarning)
                q25, median, q75 = np.nanquantile(lead_beats, [0.25, 0.5, 0.75], axis=0)
            ax.fill_between(x_ms, q25, q75, color=colour, alpha=0.25, lw=0)
            label = labels[g] if labels is not None else f"group {g + 1}"
            ax.plot(x_ms, median, color=colour, lw=1.3, label=f"{label} (n = {len(lead_beats)})")
        ax.set_title(lead, fontsize=10, weight="bold")
        ax.grid(lw=0.3, alpha=0.6)
        ax.tick_params(labelsize=7)
        if i % ncols:
            ax.tick_params(labelleft=False)
        else:
            ax.set_ylabel("mV", fontsize=8)
        if i >= len(leads) - ncols:
            ax.set_xlabel("ms from R peak", fontsize=8)
        else:
            ax.tick_params(labelbottom=False)
    if labels is not None or len(arrays) > 1:
        fig.legend(
            handles=first.lines,
            loc="upper center",
            bbox_to_anchor=(0.5, 1 - 0.05 / height),
            ncols=len(arrays),
            frameon=False,
            fontsize=9,
        )
    return fig


def plot_qt_rr(
    tables: pd.DataFrame | Sequence[pd.DataFrame],
    labels: Sequence[str] | None = None,
    *,
    fig: Figure | None = None,
    ax: Axes | None = None,
) -> Figure:
    """QT against RR per group, with each group's least-squares line.

    Parameters
    ----------
    tables : pandas.DataFrame or sequence of pandas.DataFrame
        Measurements as :func:`ecgtoolkit.measure` returns them, one table per group,
        with columns ``rr_mean_ms`` and ``qt_ms``; only rows with ``status == "ok"``
        count (all rows when there is no ``status`` column), and rows where either
        value is NaN are left out.
    labels : sequence of str, optional
        One name per group (default "group 1", "group 2", ...).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: the records as points and, per group with at least 3 records and
        some spread of RR, the fitted line over that group's RR range; the legend gives
        each line's equation and the group size.

    Raises
    ------
    ValueError
        For a table without ``rr_mean_ms`` or ``qt_ms``, no tables, or a number of
        labels other than the number of tables.

    Notes
    -----
    The line is the ordinary least-squares fit ``QT = a + b · RR`` (ms). How steeply
    QT follows RR is a physiological signature that a generator should reproduce; the
    plot follows Figure 3 of Thambawita et al. (2021), and
    :func:`ecgtoolkit.compare` tests the difference of the slopes.

    References
    ----------
    .. [1] Thambawita V, Isaksen JL, Hicks SA, et al. DeepFake electrocardiograms using
       generative adversarial networks are the beginning of the end for privacy issues
       in medicine. Sci Rep 2021;11:21896. doi:10.1038/s41598-021-01295-2

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ecgtoolkit.plot import plot_qt_rr
    >>> rr = np.linspace(600, 1200, 20)
    >>> fig = plot_qt_rr(pd.DataFrame({"rr_mean_ms": rr, "qt_ms": 250 + 0.16 * rr}))
    >>> x, y = fig.axes[0].lines[0].get_data()
    >>> round(float((y[1] - y[0]) / (x[1] - x[0])), 3)
    0.16
    """
    import pandas as pd

    groups = [tables] if isinstance(tables, pd.DataFrame) else list(tables)
    if not groups:
        raise ValueError("no tables given")
    if labels is not None and len(labels) != len(groups):
        raise ValueError(f"{len(labels)} labels for {len(groups)} tables")
    pairs = []
    for g, table in enumerate(groups):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(f"table {g} is a {type(table).__name__}, expected a DataFrame")
        missing = [c for c in ("rr_mean_ms", "qt_ms") if c not in table.columns]
        if missing:
            raise ValueError(f"table {g} lacks {', '.join(missing)}; use et.measure() tables")
        if "status" in table.columns:
            table = table.loc[table["status"] == "ok"]
        rr = pd.to_numeric(table["rr_mean_ms"], errors="coerce").to_numpy(dtype=float)
        qt = pd.to_numeric(table["qt_ms"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(rr) & np.isfinite(qt)
        pairs.append((rr[ok], qt[ok]))
    fig, ax = _single_axes(fig, ax, (5.5, 4.2))
    for g, (rr, qt) in enumerate(pairs):
        colour = _OKABE_ITO[g % len(_OKABE_ITO)]
        label = labels[g] if labels is not None else f"group {g + 1}"
        ax.scatter(rr, qt, s=10, color=colour, alpha=0.45, lw=0)
        if rr.size >= 3 and np.ptp(rr) > 0:
            slope, intercept = _least_squares(rr, qt)
            x = np.array([rr.min(), rr.max()])
            ax.plot(
                x,
                intercept + slope * x,
                color=colour,
                lw=2,
                label=f"{label}: QT = {intercept:.0f} + {slope:.3f} · RR (n = {rr.size})",
            )
        else:
            ax.plot([], [], color=colour, lw=2, label=f"{label}: no fit (n = {rr.size})")
    ax.set_xlabel("RR interval (ms)")
    ax.set_ylabel("QT interval (ms)")
    ax.grid(lw=0.3, alpha=0.6)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return fig


def _least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the ordinary least-squares line of y on x."""
    xc = x - x.mean()
    slope = float(np.dot(xc, y - y.mean()) / np.dot(xc, xc))
    return slope, float(y.mean() - slope * x.mean())


def plot_bland_altman(
    a: Any,
    b: Any,
    *,
    labels: tuple[str, str] = ("method A", "method B"),
    unit: str = "ms",
    fig: Figure | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Bland–Altman plot: agreement of two methods measuring the same quantity.

    Parameters
    ----------
    a, b : array_like or pandas.Series
        Paired measurements, one per record or beat, in ``unit``. Pairs where either
        value is NaN are left out. Two Series must share their index (align them first,
        e.g. ``a, b = a.align(b, join="inner")``).
    labels : (str, str)
        Names of the two methods.
    unit : str
        Unit of the values, for the axis labels and annotations ("" for none).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: the mean of each pair against its difference ``a − b``, with the bias
        (mean difference, solid line, label ``"bias"``) and the 95 % limits of agreement
        (bias ± 1.96 SD, dashed, labels ``"+1.96 SD"`` and ``"-1.96 SD"``), each
        annotated with its value.

    Raises
    ------
    ValueError
        For inputs that are not 1-D, of different lengths or indexes, or with fewer
        than 2 complete pairs.

    Notes
    -----
    The SD is that of the differences (``ddof=1``); the limits assume roughly normal
    differences whose size does not depend on the magnitude (check the plot for a
    trend or a funnel).

    References
    ----------
    .. [1] Bland JM, Altman DG. Statistical methods for assessing agreement between two
       methods of clinical measurement. Lancet 1986;1(8476):307–310.
       doi:10.1016/S0140-6736(86)90837-8

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit.plot import plot_bland_altman
    >>> qt_manual = np.array([400.0, 410, 380, 420, 395])
    >>> qt_auto = qt_manual - np.array([4.0, 6, 2, 4, 4])
    >>> fig = plot_bland_altman(qt_manual, qt_auto, labels=("manual", "automatic"))
    >>> [(ln.get_label(), round(float(ln.get_ydata()[0]), 2)) for ln in fig.axes[0].lines]
    [('bias', 4.0), ('+1.96 SD', 6.77), ('-1.96 SD', 1.23)]
    """
    import pandas as pd

    if isinstance(a, pd.Series) and isinstance(b, pd.Series) and not a.index.equals(b.index):
        raise ValueError(
            "a and b have different indexes; align them first "
            "(a, b = a.align(b, join='inner')) or pass arrays paired by position"
        )
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.ndim != 1 or y.ndim != 1 or x.size != y.size:
        raise ValueError(f"a and b must be 1-D and paired, got shapes {x.shape} and {y.shape}")
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        raise ValueError(f"need at least 2 pairs without NaN, got {int(ok.sum())}")
    x, y = x[ok], y[ok]
    mean, diff = (x + y) / 2, x - y
    bias = float(diff.mean())
    sd = float(diff.std(ddof=1))
    limits = (bias + 1.96 * sd, bias - 1.96 * sd)
    fig, ax = _single_axes(fig, ax, (5.5, 4.2))
    ax.scatter(mean, diff, s=12, color=_OKABE_ITO[0], alpha=0.6, lw=0)
    suffix = f" {unit}" if unit else ""
    digits = max(0, 2 - math.floor(math.log10(sd))) if sd > 0 else 2
    for value, name, style in (
        (bias, "bias", "-"),
        (limits[0], "+1.96 SD", "--"),
        (limits[1], "-1.96 SD", "--"),
    ):
        colour = _OKABE_ITO[5] if name == "bias" else "0.3"
        ax.axhline(value, color=colour, ls=style, lw=1.2, label=name)
        ax.annotate(
            f"{name} {value:.{digits}f}{suffix}",
            xy=(1.0, value),
            xycoords=ax.get_yaxis_transform(),
            xytext=(-3, 2),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=8,
        )
    unit_text = f" ({unit})" if unit else ""
    name_a, name_b = labels
    ax.set_xlabel(f"mean of {name_a} and {name_b}{unit_text}")
    ax.set_ylabel(f"{name_a} − {name_b}{unit_text}")
    ax.set_title(f"Bland–Altman, n = {x.size} pairs", fontsize=10)
    ax.grid(lw=0.3, alpha=0.6)
    return fig


# --- helpers -----------------------------------------------------------------------------


def _one_record(ecg: Any, record: int, caller: str) -> ECG:
    if not isinstance(ecg, ECG):
        raise TypeError(f"{caller} expects an ecgtoolkit.ECG, got {type(ecg).__name__}")
    if ecg.is_batch:
        return ecg[record]
    if record != 0:
        raise ValueError(f"record={record} but this ECG is one record, not a batch; use 0")
    return ecg


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not (isinstance(value, (int, float, np.number)) and np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value!r}")


def _inches_to_fraction(
    fig: Figure, left: float, bottom: float, width: float, height: float
) -> tuple[float, float, float, float]:
    fw, fh = fig.get_size_inches()
    return left / fw, bottom / fh, width / fw, height / fh


def _margins(
    fig: Figure, left: float, right: float, bottom: float, top: float
) -> tuple[float, float, float, float]:
    """Axes rectangle (figure fraction) leaving fixed margins in inches, where they fit."""
    fw, fh = fig.get_size_inches()
    fx = min(1.0, 0.5 * fw / (left + right))  # shrink margins on a tiny figure
    fy = min(1.0, 0.5 * fh / (bottom + top))
    return _inches_to_fraction(
        fig, left * fx, bottom * fy, fw - (left + right) * fx, fh - (bottom + top) * fy
    )


def _single_axes(
    fig: Figure | None, ax: Axes | None, size_in: tuple[float, float]
) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    if ax is not None:
        return ax.figure, ax
    if fig is None:
        fig = Figure(figsize=size_in)
    else:
        fig.clear()
    return fig, fig.add_axes(_margins(fig, 0.75, 0.2, 0.6, 0.4))
