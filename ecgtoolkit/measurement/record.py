"""One record measured: the global row and the per-lead rows of :func:`ecgtoolkit.measure`."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.leads import leads_i_ii
from ..core.validation import record_problem
from ..signal.atrial import atrial_activity
from ..signal.beats import MedianBeat, median_beat
from ..signal.delineation import delineate_record
from ..signal.kernels import nan_median
from ..signal.pacing import Pacing
from .events import EVENT_COLUMNS, record_beat_events
from .intervals import (
    AMPLITUDE_WAVES,
    BEAT_LEADS,
    PHYSIOLOGY_COLUMNS,
    amplitudes_on_beat,
    axes,
    global_intervals,
    p_wave_share,
    physiology_values,
    pr_variability,
    qtc,
    rr_irregularity,
)

__all__ = [
    "Analysis",
    "BEAT_FS",
    "BEAT_WINDOW_S",
    "GLOBAL_COLUMNS",
    "LEAD_COLUMNS",
    "Result",
    "TEXT_COLUMNS",
    "analyse_record",
    "beat_array",
    "row_columns",
    "empty_result",
    "measure_record",
    "safe_record",
]

#: Record-level columns of :func:`ecgtoolkit.measure`, in order (per-lead amplitudes
#: follow).
GLOBAL_COLUMNS: tuple[str, ...] = (
    "heart_rate", "rr_mean_ms", "rr_sd_ms", "n_beats", "rr_range_ms", "rr_irregularity",
    "p_wave_share", "pr_variability_ms", "atrial_rate_bpm", "atrial_amplitude_mv",
    "atrial_organisation", *EVENT_COLUMNS, "pr_ms", "qrs_ms", "qt_ms",
    "qtc_bazett_ms", "qtc_fridericia_ms", "qtc_framingham_ms", "qtc_hodges_ms",
    "p_axis_deg", "qrs_axis_deg", "t_axis_deg", "qrs_t_angle_deg",
    "qrs_azimuth_deg", "qrs_elevation_deg",
)  # fmt: skip

#: Text columns that close every row of :func:`ecgtoolkit.measure`, in order.
TEXT_COLUMNS: tuple[str, ...] = ("unusable_leads", "pacing", "status", "reason")

#: Sampling rate (Hz) and window around the R peak (s) of the median beats that
#: ``measure(..., return_beats=True)`` returns (leads :data:`BEAT_LEADS`).
BEAT_FS = 250.0
BEAT_WINDOW_S: tuple[float, float] = (-0.3, 0.6)

#: Columns of :func:`ecgtoolkit.measure_leads` after ``record_id`` (batches) and ``lead``.
LEAD_COLUMNS: tuple[str, ...] = ("usable", "p_ms", "pr_ms", "qrs_ms", "qt_ms")

# Where warnings issued again after a record was measured are remembered, so that a
# warning shown once per place ("default" action) is not shown again for every record.
_WARNED: dict = {}

#: A measured record: its row (with the median beat under "_beat") and its per-lead rows.
Result = tuple[dict[str, Any], list[dict[str, Any]]]


def row_columns(leads: tuple[str, ...], physiology: bool = False) -> list[str]:
    amps = [f"{w}_amp_mv_{lead}" for w in AMPLITUDE_WAVES for lead in leads]
    extra = PHYSIOLOGY_COLUMNS if physiology else ()
    return [*GLOBAL_COLUMNS, *extra, *amps, *TEXT_COLUMNS]


def beat_times() -> np.ndarray:
    """Times (s, relative to the R peak) of the returned median beats' samples."""
    start, stop = BEAT_WINDOW_S
    return start + np.arange(int(round((stop - start) * BEAT_FS))) / BEAT_FS


def empty_result(
    leads: tuple[str, ...], status: str, reason: str, usable: np.ndarray | None = None
) -> Result:
    """A row without values, and per-lead rows without intervals.

    ``usable``: the leads' quality verdicts, None where the record was not judged.
    """
    judged = usable is not None
    usable = usable if judged else np.zeros(len(leads), dtype=bool)
    row: dict[str, Any] = dict.fromkeys(row_columns(leads, physiology=True), np.nan)
    row["_beat"] = np.full((len(BEAT_LEADS), beat_times().size), np.nan, dtype=np.float32)
    unusable = ", ".join(n for n, ok in zip(leads, usable, strict=True) if judged and not ok)
    row.update(status=status, reason=reason, unusable_leads=unusable, pacing="")
    per_lead = [
        {"lead": lead, "usable": bool(ok), **dict.fromkeys(LEAD_COLUMNS[1:], np.nan)}
        for lead, ok in zip(leads, usable, strict=True)
    ]
    return row, per_lead


@dataclass(frozen=True)
class Analysis:
    """One record analysed up to its median beat: the first steps of :func:`measure`.

    Attributes
    ----------
    quality : SignalQuality
        :func:`ecgtoolkit.signal.quality.assess` of the record (cleaned signal, usable
        leads, R peaks).
    peaks : numpy.ndarray
        The delineated beats' R peaks (samples).
    marks : dict of str to numpy.ndarray
        Every beat's fiducials per lead (:func:`ecgtoolkit.signal.delineation.delineate_signal`).
    beat : MedianBeat or None
        The median beat; None without a dominant morphology.
    problem : str
        Why the record cannot be measured at all ("" when it can).
    pacing : Pacing
        Pacemaker stimuli found (:func:`ecgtoolkit.signal.pacing.find_pacing`); when
        the record is paced, everything above was found with the stimuli bridged.
    """

    quality: Any
    peaks: np.ndarray
    marks: dict[str, np.ndarray]
    beat: MedianBeat | None
    problem: str = ""
    pacing: Pacing = Pacing(False)


def analyse_record(x: np.ndarray, fs: float, leads: tuple[str, ...] | None = None) -> Analysis:
    """Assess, delineate and take the median beat of one record ``(n_leads, n_samples)``.

    Pacemaker stimuli are looked for before the delineated QRS complexes; in a paced
    record they are bridged (:func:`ecgtoolkit.signal.pacing.remove_spikes`) and the
    record assessed and delineated again, so that QRS onsets are the heart's.
    """
    quality, peaks, marks, pacing = delineate_record(x, fs, leads)
    if quality.problem is not None:
        return Analysis(quality, peaks, marks, None, quality.problem, pacing)
    if peaks.size < 2:
        return Analysis(quality, peaks, marks, None, f"only {peaks.size} beat(s) found", pacing)
    beat = median_beat(quality.signal, fs, peaks, quality.usable, marks=marks)
    return Analysis(quality, peaks, marks, beat, "", pacing)


def measure_record(
    x: np.ndarray,
    fs: float,
    leads: tuple[str, ...],
    physiology: bool = False,
    convention: str = "consistent-leads",
) -> Result:
    """Measurements of one record ``(n_leads, n_samples)`` in mV: global row, per-lead rows.

    The array layer of :func:`ecgtoolkit.measure` (which documents every value). The row
    holds the median beat under ``"_beat"`` (see :func:`beat_array`).
    """
    analysis = analyse_record(x, fs, leads)
    quality, peaks, marks, beat = (
        analysis.quality, analysis.peaks, analysis.marks, analysis.beat
    )  # fmt: skip
    if analysis.problem:
        row, per_lead = empty_result(leads, "unusable", analysis.problem, quality.usable)
        row["pacing"] = analysis.pacing.describe()
        return row, per_lead
    row, per_lead = empty_result(leads, "ok", "", quality.usable)
    row["pacing"] = analysis.pacing.describe()
    rr = np.diff(peaks) / fs
    rr_mean = float(rr.mean())
    heart_rate = 60.0 / rr_mean
    row.update(
        heart_rate=heart_rate,
        rr_mean_ms=1000 * rr_mean,
        rr_sd_ms=1000 * float(rr.std()),
        n_beats=int(peaks.size),
        rr_range_ms=1000 * float(rr.max() - rr.min()),
        rr_irregularity=rr_irregularity(rr),
        p_wave_share=p_wave_share(marks["P_on"], quality.usable),
        pr_variability_ms=pr_variability(marks, quality.usable) * 1000.0 / fs,
    )
    atria = atrial_activity(
        quality.signal, fs, peaks, leads, qrs_on=nan_median(marks["QRS_on"]),
        qrs_off=nan_median(marks["QRS_off"]), usable=quality.usable,
    )  # fmt: skip
    row.update(
        atrial_rate_bpm=atria.rate_bpm,
        atrial_amplitude_mv=atria.amplitude_mv,
        atrial_organisation=atria.organisation,
    )
    if beat is None:
        row["reason"] = (
            "no dominant beat morphology (fewer than 3 similar beats): intervals not measured"
        )
        return row, per_lead
    row.update(record_beat_events(quality.signal, fs, peaks, marks, beat).counts())
    pr, qrs, qt = global_intervals(beat, fs, convention)
    row.update(pr_ms=pr, qrs_ms=qrs, qt_ms=qt)
    row.update(qtc(qt, rr_mean, heart_rate))
    row.update(axes(beat, leads))
    usable_leads = [lead for lead, ok in zip(leads, quality.usable, strict=True) if ok]
    if leads_i_ii(dict.fromkeys(usable_leads, 0.0)) is None:
        row["reason"] = (
            "axes need two usable limb leads (I, II, III, aVL or aVF); usable leads: "
            + ", ".join(usable_leads)
        )
    row.update(amplitudes_on_beat(beat, leads, fs))
    row["_beat"] = beat_array(beat, leads, fs)
    if physiology:
        row.update(physiology_values(quality.signal, fs, peaks, beat, leads))
    ms = 1000.0 / fs
    m = beat.marks
    for i, item in enumerate(per_lead):
        item["p_ms"] = (m["P_off"][i] - m["P_on"][i]) * ms
        item["pr_ms"] = (m["QRS_on"][i] - m["P_on"][i]) * ms
        item["qrs_ms"] = (m["QRS_off"][i] - m["QRS_on"][i]) * ms
        item["qt_ms"] = (m["T_off"][i] - m["QRS_on"][i]) * ms
    return row, per_lead


def beat_array(beat: MedianBeat, leads: tuple[str, ...], fs: float) -> np.ndarray:
    """The median beat of :data:`BEAT_LEADS` on the :data:`BEAT_FS` grid (NaN if absent)."""
    times = beat_times()
    out = np.full((len(BEAT_LEADS), times.size), np.nan, dtype=np.float32)
    own = (np.arange(beat.fast.shape[1]) - beat.r0) / fs
    onset = np.nanmin(np.where(beat.usable, beat.marks["QRS_on"], np.nan))
    ref = onset - 0.02 * fs if np.isfinite(onset) else beat.r0 - 0.08 * fs
    lo, hi = int(max(ref - 0.01 * fs, 0)), int(max(ref + 0.01 * fs, 1))
    for k, name in enumerate(BEAT_LEADS):
        if name in leads and beat.usable[leads.index(name)]:
            y = beat.fast[leads.index(name)]
            out[k] = np.interp(times, own, y - y[lo:hi].mean(), left=np.nan, right=np.nan)
    return out


def safe_record(
    x: np.ndarray,
    fs: float,
    leads: tuple[str, ...],
    physiology: bool = False,
    convention: str = "consistent-leads",
) -> Result:
    """Measure one record of a batch; any problem becomes a reason, never an exception.

    Warnings are not problems of the record: they are held back while it is measured,
    so that a filter that turns them into errors (``-W error``, pytest's
    ``filterwarnings = error``) cannot make them its reason, and issued again after.
    """
    x = np.asarray(x, dtype=np.float64)
    problem = record_problem(x.shape[-1], fs)
    if problem is not None:
        return empty_result(leads, "error", problem)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = measure_record(x, fs, leads, physiology, convention)
        except Exception as err:  # noqa: BLE001 - a batch must go on; the reason is kept
            result = empty_result(leads, "error", f"{type(err).__name__}: {err}")
    for w in caught:
        warnings.warn_explicit(
            w.message, w.category, w.filename, w.lineno, registry=_WARNED, source=w.source
        )
    return result
