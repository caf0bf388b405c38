"""Teaching figures: one beat's intervals on ECG paper (:func:`plot_beat_intervals`) and
what a swapped electrode cable does to the leads (:func:`plot_lead_reversal`).

Both return a :class:`matplotlib.figure.Figure` and never use ``pyplot``. Their numbers
are the toolkit's own: the global intervals of :func:`ecgtoolkit.measure`, the swap of
:func:`ecgtoolkit.swap_electrodes` and the verdict of :func:`ecgtoolkit.check_leads`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..core.display import format_value, wrap
from ..core.ecg import ECG
from ..core.leads import CHEST_LEADS, ELECTRODES, LIMB_LEAD_WEIGHTS, select_leads
from ..core.validation import check_positive, validate_record
from ..measurement.intervals import global_fiducials, global_intervals, p_wave_share
from ..measurement.record import analyse_record
from ..signal.augment import swap_electrodes
from ..signal.beats import MedianBeat
from ..signal.filters import BASELINE_HZ, highpass
from .ecg import _shade
from .layout import inches_to_fraction, margins, one_record
from .paper import GAIN_MM_MV, MM_PER_INCH, PAPER, SPEED_MM_S, WAVES, add_grid, centred

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_beat_intervals", "plot_lead_reversal"]

#: The brackets: interval, the global fiducials that bound it, why it may be missing.
_BRACKETS = (
    ("PR", "P_on", "QRS_on", "no P wave"),
    ("QRS", "QRS_on", "QRS_off", "no QRS end"),
    ("QT", "QRS_on", "T_off", "no T wave end"),
)
_BRACKET_STEP_MV = 0.3  # vertical distance between brackets (3 mm of paper)
_TICK_MV = 0.06  # half height of a bracket's end ticks
_BEAT_MARGINS_IN = (0.3, 0.3, 0.75, 0.8)  # left, right, bottom (footer), top (title)
_LIMB_LEADS = ("I", "II", "III", "aVR", "aVL", "aVF")
_CHANGED = "#D55E00"  # Okabe–Ito vermillion: a lead the swap changes


@dataclass(frozen=True)
class _Intervals:
    """A record's global intervals (ms) and their fiducials on the median beat (samples)."""

    beat: MedianBeat
    peaks: np.ndarray
    marks: dict[str, np.ndarray]
    signal: np.ndarray
    values: dict[str, float]
    fiducials: dict[str, float]
    why: dict[str, str]


def _measured(one: ECG) -> _Intervals:
    """The analysis of :func:`ecgtoolkit.measure`, kept whole for drawing."""
    x, fs, _ = validate_record(one)
    analysis = analyse_record(x, fs)
    if analysis.problem:
        raise ValueError(f"this record cannot be measured: {analysis.problem}")
    beat = analysis.beat
    if beat is None:
        raise ValueError(
            "no dominant beat morphology (fewer than 3 similar beats): et.measure gives no "
            "intervals to draw"
        )
    pr, qrs, qt = global_intervals(beat, fs)
    fiducials = global_fiducials(beat, fs)
    why = {}
    if not math.isfinite(fiducials["QRS_on"]):
        why = dict.fromkeys(("PR", "QRS", "QT"), "no QRS onset")
    elif p_wave_share(analysis.marks["P_on"], analysis.quality.usable) > 0:
        why["PR"] = "no P-wave onset on the median beat"
    values = {"PR": pr, "QRS": qrs, "QT": qt}
    return _Intervals(
        beat, analysis.peaks, analysis.marks, analysis.quality.signal, values, fiducials, why
    )


def _most_typical(measured: _Intervals, beats: int, reach: tuple[int, int], n: int) -> int:
    """The first of ``beats`` consecutive beats most like the median beat, all inside
    the record with ``reach`` samples before the first and after the last R peak."""
    beat, peaks = measured.beat, measured.peaks
    template = beat.fast[beat.usable].ravel()
    template = template - template.mean()
    segments = beat.segments[:, beat.usable].reshape(beat.chosen.size, -1)
    segments = segments - segments.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(segments, axis=1) * np.linalg.norm(template) + 1e-12
    corr = np.full(peaks.size, -np.inf)
    corr[beat.chosen] = segments @ template / norms
    corr[~beat.like] = -np.inf  # only beats that make up the median beat
    first = np.arange(peaks.size - beats + 1)
    inside = (peaks[first] - reach[0] >= 0) & (peaks[first + beats - 1] + reach[1] <= n)
    score = np.min([corr[first + i] for i in range(beats)], axis=0)
    score[~inside] = -np.inf
    if not np.isfinite(score).any():
        raise ValueError(
            f"no {beats} consecutive beat(s) like the median beat lie wholly inside the "
            "record; try beats=1 or a longer record"
        )
    return int(np.argmax(score))


def _joined(items: Sequence[str], separator: str, width: int) -> list[str]:
    """``items`` joined into lines of at most ``width`` characters, never splitting one."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(separator) + len(item) <= width:
            lines[-1] += separator + item
        else:
            lines.append(item)
    return lines


def _interval_text(name: str, value: float, why: str) -> str:
    if math.isfinite(value):
        return f"{name} {value:.0f} ms"
    return f"{name} {format_value(value, why=why)}"


def plot_beat_intervals(
    ecg: ECG,
    lead: str = "II",
    beats: int = 2,
    *,
    record: int = 0,
    zoom: float = 4.0,
    title: str | None = None,
    fig: Figure | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Zoom into one or two beats on ECG paper, with PR, QRS, QT (and RR) bracketed.

    Parameters
    ----------
    ecg : ECG
        One record (or a batch, then ``record`` picks which), at least 2 s, in mV.
    lead : str
        The lead shown; it must be one the record has and that carries a usable ECG.
    beats : {1, 2}
        One beat, or two consecutive ones with the RR interval between them.
    record : int
        Record of a batch; must be 0 for a single record.
    zoom : float
        How many times true size the paper is printed on a new figure: the grid is the
        standard one (25 mm/s, 10 mm/mV: a 1 mm box is 40 ms by 0.1 mV), each box
        ``zoom`` mm wide on the page. 1 is true size.
    title : str, optional
        First line of the title (default: the lead and where the beat is); the lines
        after it always give the intervals and the heart rate.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first). The paper keeps its square boxes but is
        scaled to fit, so ``zoom`` does not apply.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (as ``fig``).

    Returns
    -------
    matplotlib.figure.Figure
        One axes of ECG paper, time in seconds from the start of the excerpt and
        amplitude in mV from the level just before the QRS. The P wave, QRS and T wave
        that the delineation found in this lead are shaded and labelled on each beat;
        below the first beat, brackets (artists with ``gid`` ``"bracket:PR"``,
        ``"bracket:QRS"``, ``"bracket:QT"``, and ``"bracket:RR"`` above the trace) with
        their labels (``gid`` ``"label:PR"`` …) give the values in whole ms. An interval
        that is not measured has no bracket; the title says why, e.g. "PR not
        measurable (no P wave)".

    Raises
    ------
    ValueError
        For a lead the record lacks or cannot use, ``beats`` other than 1 or 2, a
        non-positive ``zoom``, or a record :func:`ecgtoolkit.measure` cannot measure
        (no usable lead, fewer than 3 alike beats).
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.

    Notes
    -----
    The values are those of :func:`ecgtoolkit.measure` for the same record, and so is
    where the brackets start and end: the global onsets and offsets on the median
    beat, over all usable leads (IEC 60601-2-25; CSE Working Party 1985,
    doi:10.1093/oxfordjournals.eurheartj.a061760), placed on the beat shown at the same
    distance from its R peak. They may lie a little outside the waves of the one lead
    shown: the earliest onset and the latest offset are often in other leads. The beat
    shown is the one (or the consecutive pair) most like the median beat, a real beat
    of the record (high-passed at 0.5 Hz as the median beat is); RR is the interval
    between the two beats shown, the heart rate in the title that of the whole record
    (60 000 / mean RR). The paper is the one of :mod:`ecgtoolkit.plot.paper`
    (Kligfield et al. 2007, doi:10.1161/CIRCULATIONAHA.106.180200).

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> ecg = et.generate(1, seed=0)[0]
    >>> fig = et.plot_beat_intervals(ecg, lead="II", beats=2)
    >>> sorted(t.get_gid() for t in fig.axes[0].texts if t.get_gid())
    ['label:PR', 'label:QRS', 'label:QT', 'label:RR']
    >>> fig.savefig("intervals.png")  # doctest: +SKIP
    """
    one = one_record(ecg, record, "plot_beat_intervals")
    if beats not in (1, 2):
        raise ValueError(f"beats must be 1 or 2, got {beats!r}")
    check_positive(zoom, "zoom")
    if lead not in one.leads:
        raise ValueError(f"lead {lead!r} is not in this ECG; choose from {', '.join(one.leads)}")
    measured = _measured(one)
    row = one.lead_index(lead)
    if not measured.beat.usable[row]:
        usable = [name for name, ok in zip(one.leads, measured.beat.usable, strict=True) if ok]
        raise ValueError(f"lead {lead} carries no usable ECG; usable: {', '.join(usable)}")
    fs, r0 = one.fs, measured.beat.r0
    rel = {k: (v - r0) / fs for k, v in measured.fiducials.items()}  # s from the R peak
    start = (min(-0.3, rel["P_on"]) if math.isfinite(rel["P_on"]) else -0.3) - 0.1
    end = (max(0.5, rel["T_off"]) if math.isfinite(rel["T_off"]) else 0.5) + 0.12
    first = _most_typical(
        measured, beats, (int(math.ceil(-start * fs)), int(math.ceil(end * fs))), one.n_samples
    )
    r_peaks = measured.peaks[first : first + beats]
    stop = r_peaks[-1] + end * fs
    if first + beats < measured.peaks.size:  # end before the next beat's QRS
        stop = max(min(stop, measured.peaks[first + beats] - 0.12 * fs), r_peaks[-1] + 0.3 * fs)
    i0, i1 = int(round(r_peaks[0] + start * fs)), int(round(stop))
    trace = highpass(measured.signal[row], fs, BASELINE_HZ)[i0:i1]
    t = np.arange(trace.size) / fs
    r_at = (r_peaks - i0) / fs
    onset = r_at[0] + rel["QRS_on"] if math.isfinite(rel["QRS_on"]) else r_at[0] - 0.05
    level = trace[(t >= onset - 0.03) & (t <= onset - 0.01)]
    trace = trace - (level.mean() if level.size else np.median(trace))

    low, high = float(trace.min()), float(trace.max())
    drawn = [name for name, *_ in _BRACKETS if math.isfinite(measured.values[name])]
    levels = {name: low - 0.25 - i * _BRACKET_STEP_MV for i, name in enumerate(drawn)}
    bottom = min(levels.values(), default=low) - 0.15
    y_range = (bottom, high + (0.5 if beats == 2 else 0.3))
    x_range = (0.0, float(t[-1]))
    own_figure = fig is None and ax is None
    fig, ax = _paper(fig, ax, x_range, y_range, zoom)
    add_grid(ax, x_range, y_range, 1.0 / SPEED_MM_S, 1.0 / GAIN_MM_MV)
    ax.set_aspect(GAIN_MM_MV / SPEED_MM_S)
    ax.apply_aspect()
    room_in = fig.get_figwidth() * (1.0 - ax.get_position().x0)  # right of the paper's left edge
    ax.plot(t, trace, color=PAPER["trace"], lw=1.3, zorder=3)
    _shade_waves(ax, measured, first, beats, row, i0, (low - 0.08, high + 0.08))
    ax.text(0.02, high + 0.05, lead, fontsize=12, weight="bold", va="bottom", zorder=4)

    texts = _draw_intervals(ax, measured, {k: r_at[0] + v for k, v in rel.items()}, levels, high)
    if beats == 2:
        rr = float(np.diff(r_peaks)[0] * 1000.0 / fs)
        label = f"RR {rr:.0f} ms ({60_000.0 / rr:.0f} bpm)"
        _bracket(ax, r_at[0], r_at[1], high + 0.3, label, "RR")
        texts.append(f"RR {rr:.0f} ms")
    rate = 60_000.0 / float(np.diff(measured.peaks).mean() * 1000.0 / fs)
    texts.append(f"heart rate {rate:.0f} bpm")
    if title is None:
        title = (
            f"Lead {lead}: the {'beat' if beats == 1 else 'two beats'} most like the "
            f"median beat, at {r_peaks[0] / fs:.1f} s"
        )
    per_line = max(30, int(11 * room_in))
    ax.set_title("\n".join([title, *_joined(texts, " · ", per_line)]), fontsize=10, loc="left")
    scale = f", printed {zoom:g}× true size" if own_figure else ""
    ax.annotate(
        wrap(
            "Shaded: the P, QRS and T waves found in this lead. Brackets: the global "
            "intervals of et.measure (earliest onset and latest offset over all usable "
            f"leads). Paper: 25 mm/s, 10 mm/mV (1 mm box = 40 ms × 0.1 mV){scale}.",
            width=max(40, int(13 * room_in)),
        ),
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -6),
        textcoords="offset points",
        va="top",
        fontsize=8,
        color="0.25",
    )
    return fig


def _draw_intervals(
    ax: Axes, measured: _Intervals, at: dict[str, float], levels: dict[str, float], top: float
) -> list[str]:
    """Bracket PR, QRS and QT between the fiducials ``at`` (s), dotted guides up to
    ``top`` (mV); return each interval's text, "not measurable (why)" where missing."""
    texts, guides = [], {}  # guides: the lowest bracket each fiducial bounds
    for name, on, off, why in _BRACKETS:
        value = measured.values[name]
        texts.append(_interval_text(name, value, measured.why.get(name, why)))
        if math.isfinite(value):
            _bracket(ax, at[on], at[off], levels[name], f"{name} {value:.0f} ms", name)
            guides[at[on]] = min(guides.get(at[on], top), levels[name])
            guides[at[off]] = levels[name]
    for x, y in guides.items():
        ax.plot([x, x], [y, top], color="0.35", lw=0.6, ls=(0, (2, 2)), zorder=2)
    return texts


def _paper(
    fig: Figure | None,
    ax: Axes | None,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    zoom: float,
) -> tuple[Figure, Axes]:
    """A new figure sized so that the paper prints at ``zoom`` × true size, or the given one."""
    from matplotlib.figure import Figure

    if ax is not None:
        return ax.figure, ax
    left, right, bottom, top = _BEAT_MARGINS_IN
    width_in = (x_range[1] - x_range[0]) * SPEED_MM_S * zoom / MM_PER_INCH
    height_in = (y_range[1] - y_range[0]) * GAIN_MM_MV * zoom / MM_PER_INCH
    if fig is None:
        fig = Figure(figsize=(width_in + left + right, height_in + bottom + top))
        return fig, fig.add_axes(inches_to_fraction(fig, left, bottom, width_in, height_in))
    fig.clear()
    return fig, fig.add_axes(margins(fig, left, right, bottom, top))


def _shade_waves(
    ax: Axes,
    measured: _Intervals,
    first: int,
    beats: int,
    row: int,
    i0: int,
    y_span: tuple[float, float],
) -> None:
    """Shade and name each shown beat's waves as this lead's delineation found them."""
    fs = measured.beat.fs
    boxes: dict[str, list] = {wave: [] for wave in WAVES}
    for k in range(first, first + beats):
        for wave, ((on, _, off), colour) in WAVES.items():
            a, b = measured.marks[on][k, row], measured.marks[off][k, row]
            if not (np.isfinite(a) and np.isfinite(b)):
                continue
            boxes[wave].append(((a - i0) / fs, (b - i0) / fs, *y_span))
            ax.text(
                ((a + b) / 2 - i0) / fs,
                y_span[1] + 0.02,
                wave,
                color=colour,
                fontsize=10,
                weight="bold",
                ha="center",
                va="bottom",
                zorder=4,
            )
    _shade(ax, boxes, alpha=0.25)


def _bracket(ax: Axes, x0: float, x1: float, y: float, label: str, name: str) -> None:
    """A horizontal bracket from ``x0`` to ``x1`` at height ``y`` with its label above."""
    ax.plot(
        [x0, x0, x0, x1, x1, x1],
        [y + _TICK_MV, y - _TICK_MV, y, y, y + _TICK_MV, y - _TICK_MV],
        color=PAPER["trace"],
        lw=1.1,
        zorder=5,
        gid=f"bracket:{name}",
        solid_joinstyle="miter",
    )
    ax.text(
        (x0 + x1) / 2,
        y + 0.03,
        label,
        ha="center",
        va="bottom",
        fontsize=9,
        zorder=6,
        gid=f"label:{name}",
        bbox={"boxstyle": "square,pad=0.1", "facecolor": PAPER["background"], "lw": 0},
    )


def _swap_effects(pair: tuple[str, str], leads: Sequence[str]) -> dict[str, tuple[str, int]]:
    """For each lead, the lead it shows after the swap and with which sign."""
    if pair[0] in ELECTRODES:
        swap = {pair[0]: pair[1], pair[1]: pair[0]}
        out = {}
        for lead in leads:
            weights = dict(zip(ELECTRODES, LIMB_LEAD_WEIGHTS[lead], strict=True))
            moved = np.array([weights[swap.get(e, e)] for e in ELECTRODES])
            for name, own in LIMB_LEAD_WEIGHTS.items():
                for sign in (1, -1):
                    if np.allclose(moved, sign * np.asarray(own)):
                        out[lead] = (name, sign)
        return out
    swap = {pair[0]: pair[1], pair[1]: pair[0]}
    return {lead: (swap.get(lead, lead), 1) for lead in leads}


def _effect_text(lead: str, shows: str, sign: int) -> str:
    if shows == lead:
        return "unchanged" if sign > 0 else "inverted"
    return f"now {shows}" if sign > 0 else f"now −{shows} (inverted {shows})"


def _summary(effects: dict[str, tuple[str, int]]) -> str:
    """What the swap does, e.g. "I inverted, II ↔ III, aVR ↔ aVL; aVF unchanged"."""
    changed, unchanged, done = [], [], set()
    for lead, (shows, sign) in effects.items():
        if lead in done:
            continue
        if shows == lead:
            (unchanged if sign > 0 else changed).append(lead if sign > 0 else f"{lead} inverted")
        elif sign > 0 and effects.get(shows) == (lead, 1):
            changed.append(f"{lead} ↔ {shows}")
            done.add(shows)
        else:
            changed.append(f"{lead} → {'−' if sign < 0 else ''}{shows}")
    text = ", ".join(changed) or "no lead changes"
    return f"{text}; {', '.join(unchanged)} unchanged" if unchanged else text


def plot_lead_reversal(
    ecg: ECG,
    swap: tuple[str, str] = ("LA", "RA"),
    *,
    window_s: tuple[float, float] = (0.0, 2.0),
    record: int = 0,
    check: bool = True,
    fig: Figure | None = None,
) -> Figure:
    """Show the leads as recorded and with two electrode cables swapped, lead by lead.

    Parameters
    ----------
    ecg : ECG
        One record (or a batch, then ``record`` picks which), in mV, with leads I and
        II or any two limb leads (the others are derived) for a limb swap.
    swap : (str, str)
        The two electrodes swapped: two of RA, LA, LL (the six limb leads are shown), or
        two of V1–V6 (the chest leads are shown), as :func:`ecgtoolkit.swap_electrodes`
        takes them.
    window_s : (float, float)
        Start and end of the excerpt shown, seconds.
    record : int
        Record of a batch; must be 0 for a single record.
    check : bool
        Run :func:`ecgtoolkit.check_leads` on both ECGs and print its verdicts, in full,
        under the panels.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).

    Returns
    -------
    matplotlib.figure.Figure
        Two rows of axes, one column per lead: the leads as recorded above, swapped
        below, all on one amplitude scale (y in mV, x in seconds). Each lower title says
        what the swap did to that lead ("inverted", "now III", "unchanged"), derived
        from the leads' electrode weights; the figure's title sums it up.

    Raises
    ------
    ValueError
        For electrode names :func:`ecgtoolkit.swap_electrodes` rejects, leads that are
        missing and cannot be derived, or a window outside the record.
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.

    Notes
    -----
    A limb-cable swap changes only the limb leads: the chest leads are measured
    against Wilson's central terminal, the mean of the three limb electrodes, which
    any exchange of them leaves as it is (Batchvarov et al. 2007,
    doi:10.1093/europace/eum198). LA/RA inverts lead I and exchanges II with III and
    aVR with aVL; LA/LL exchanges I with II and aVL with aVF and inverts III; RA/LL
    inverts II, turns I into −III and III into −I and exchanges aVR with aVF.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> ecg = et.generate(1, seed=0)[0]
    >>> fig = et.plot_lead_reversal(ecg, ("LA", "RA"), check=False)
    >>> len(fig.axes), fig.axes[6].get_title()
    (12, 'I: inverted')
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MultipleLocator

    one = one_record(ecg, record, "plot_lead_reversal")
    swapped = swap_electrodes(one, *swap)
    pair = swapped.meta["swapped_electrodes"]
    shown = _LIMB_LEADS if pair[0] in ELECTRODES else tuple(CHEST_LEADS)
    if pair[0] not in ELECTRODES:
        shown = tuple(lead for lead in shown if lead in one.leads)
    start, stop = map(float, window_s)
    if not 0.0 <= start < stop <= one.duration_s + 1e-9:
        raise ValueError(
            f"window_s=({start:g}, {stop:g}) is not inside the record (0 to {one.duration_s:g} s)"
        )
    i0, i1 = int(round(start * one.fs)), int(round(stop * one.fs))
    purpose = "plotting a lead reversal"
    try:
        rows = [
            select_leads(e.signal, e.leads, shown, purpose=purpose)[:, i0:i1]
            for e in (one, swapped)
        ]
    except KeyError as err:
        raise ValueError(err.args[0]) from None
    traces = [[centred(y) for y in r] for r in rows]
    effects = _swap_effects(pair, shown)
    finite = np.concatenate([y[np.isfinite(y)] for r in traces for y in r] or [np.zeros(1)])
    pad = 0.1 * max(float(np.ptp(finite)), 0.5)
    y_lim = (float(finite.min()) - pad, float(finite.max()) + pad)

    verdicts = _verdicts(one, swapped, pair) if check else ""
    width_in = max(8.0, 2.1 * len(shown) + 1.2)
    text = wrap(verdicts, width=int(13 * width_in)) if verdicts else ""
    footer_in = 0.55 + 0.17 * (text.count("\n") + 1 if text else 0)
    if fig is None:
        fig = Figure(figsize=(width_in, 4.6 + footer_in))
    else:
        fig.clear()
    left, bottom, width, height = margins(fig, 1.0, 0.15, footer_in, 0.75)
    axes = fig.subplots(2, len(shown), sharex=True, sharey=True, squeeze=False)
    fig.subplots_adjust(
        left=left, right=left + width, bottom=bottom, top=bottom + height, wspace=0.08, hspace=0.35
    )
    t = start + np.arange(i1 - i0) / one.fs
    step = 0.5 if stop - start > 1.5 else 0.2
    # No tick at the right edge, where its label would run into the next panel's first.
    ticks = np.round(np.arange(math.ceil(start / step) * step, stop - 0.3 * step, step), 6)
    names = ("as recorded", f"{pair[0]}/{pair[1]} swapped")
    for r, (row_axes, row_traces) in enumerate(zip(axes, traces, strict=True)):
        for c, (ax, lead, y) in enumerate(zip(row_axes, shown, row_traces, strict=True)):
            ax.set_facecolor(PAPER["background"])
            ax.plot(t, y, color=PAPER["trace"], lw=0.8)
            ax.axhline(0.0, color="0.6", lw=0.5, zorder=1)
            ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
            ax.yaxis.set_major_locator(MultipleLocator(0.5))
            ax.grid(color=PAPER["major"], lw=0.4, alpha=0.6)
            if r == 0:
                ax.set_title(lead, fontsize=11, weight="bold")
            else:
                shows, sign = effects[lead]
                moved = (shows, sign) != (lead, 1)
                ax.set_title(
                    f"{lead}: {_effect_text(lead, shows, sign)}",
                    fontsize=9.5,
                    color=_CHANGED if moved else "0.35",
                    weight="bold" if moved else "normal",
                )
                ax.set_xlabel("time (s)")
            if c == 0:
                ax.set_ylabel(f"{names[r]}\n(mV)")
    axes[0, 0].set_ylim(*y_lim)
    axes[0, 0].set_xlim(start, stop)
    fig.suptitle(
        f"Swapping the {pair[0]} and {pair[1]} cables: {_summary(effects)}",
        x=left,
        y=1.0 - 0.12 / fig.get_figheight(),
        ha="left",
        va="top",
        fontsize=11,
    )
    if text:
        fig.text(left, 0.1 / fig.get_figheight(), text, fontsize=8.5, va="bottom", color="0.2")
    return fig


def _verdicts(one: ECG, swapped: ECG, pair: tuple[str, str]) -> str:
    """What :func:`ecgtoolkit.check_leads` says about both ECGs, reasons in full."""
    from ..measurement.checks import check_leads

    key = {
        frozenset(("LA", "RA")): "la_ra",
        frozenset(("LA", "LL")): "la_ll",
        frozenset(("RA", "LL")): "ra_ll",
    }.get(frozenset(pair), "precordial")
    lines = []
    for name, e in (("as recorded", one), (f"{pair[0]}/{pair[1]} swapped", swapped)):
        result = check_leads(e)
        score = format_value(result[f"{key}_score"], digits=2, why="not checked")
        reasons = str(result["reasons"]).strip() or "no problem found"
        lines.append(f"et.check_leads, {name}: {reasons} ({key}_score {score}).")
    return "\n".join(lines)
