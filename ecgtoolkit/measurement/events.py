"""Beat by beat: premature atrial and ventricular beats, and pauses.

The array layer behind :func:`ecgtoolkit.classify_beats` and the beat-event columns of
:func:`ecgtoolkit.measure` (``n_premature_atrial``, ``n_premature_ventricular``,
``n_pauses``, ``pause_pr_change_ms``).

A beat is **premature** when it comes after less than :data:`PREMATURE_FRACTION` of the
local median RR interval (of the :data:`LOCAL_RR_BEATS` intervals around it) and the next
interval is longer (a pause follows it: an ectopic beat resets or skips the sinus cycle),
the 20% rule of ectopic-beat editing (Kamath & Fallen 1995, Crit Rev Biomed Eng 23:245).
A premature beat whose QRS is like the dominant one (its slopes correlate with the median
beat's by more than ``ALIKE_CORR``, :func:`qrs_slope_likeness`) or narrower than
:data:`WIDE_QRS_MS` was conducted through the His–Purkinje system: a premature atrial
(supraventricular) beat. One whose QRS is both unlike and wide is a premature
ventricular beat (Surawicz & Knilans, Chou's Electrocardiography in Clinical Practice,
6th ed. 2008: the ventricular ectopic's QRS is wide and unlike the conducted beats').
Aberrantly conducted atrial beats count as ventricular: the two are told apart by the P
wave before them, which a premature P hidden in the T wave often does not show.

A **pause** is an RR interval longer than :data:`PAUSE_FRACTION` of the local median (not
the one right after a premature beat, its compensatory pause): a beat the sinus node or
the AV node did not deliver. Across a pause ``pause_pr_change_ms`` is the longer PR
interval of the two beats before it minus that of the beat after it: in Mobitz type I
(Wenckebach) second-degree AV block the PR lengthens beat by beat until a P wave is not
conducted, and the first PR after the pause is the shortest, so the change is clearly
positive; in Mobitz type II block and in sinoatrial block the PR stays the same
(Kusumoto et al. 2019, doi:10.1161/CIR.0000000000000628).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..signal.beats import ALIKE_CORR, QRS_LOWPASS_HZ, MedianBeat
from ..signal.filters import lowpass
from ..signal.kernels import nan_median

__all__ = [
    "BEAT_LABELS",
    "EDGE_S",
    "EVENT_COLUMNS",
    "LOCAL_RR_BEATS",
    "PAUSE_FRACTION",
    "PREMATURE_FRACTION",
    "SLOPE_WINDOW_S",
    "WIDE_QRS_MS",
    "BeatEvents",
    "beat_events",
    "qrs_slope_likeness",
    "record_beat_events",
]

#: A beat is premature when its RR interval is below this share of the local median RR ...
PREMATURE_FRACTION = 0.8
#: ... the median of this many RR intervals centred on it (the whole record's when shorter).
LOCAL_RR_BEATS = 11
#: An RR interval above this share of the local median RR is a pause (a beat not delivered).
PAUSE_FRACTION = 1.6
#: A premature beat with a QRS unlike the dominant one is ventricular when its QRS lasts
#: at least this (ms): the premature ventricular complex is wide and unlike the
#: conducted beats (Surawicz & Knilans 2008); a narrow one is an aberrant or noisy
#: supraventricular beat.
WIDE_QRS_MS = 120.0
#: The QRS slopes are compared from this long before to this long after the R peak (s).
SLOPE_WINDOW_S = (0.06, 0.08)
#: Beats whose R peak lies closer than this (s) to a record's end are not classified.
EDGE_S = 0.15
#: The labels of :func:`beat_events`, in order.
BEAT_LABELS: tuple[str, ...] = (
    "normal", "premature atrial", "premature ventricular", "unlike", "not classified",
)  # fmt: skip
#: Columns of :func:`ecgtoolkit.measure` that come from :func:`beat_events`.
EVENT_COLUMNS: tuple[str, ...] = (
    "n_premature_atrial", "n_premature_ventricular", "n_pauses", "pause_pr_change_ms",
)  # fmt: skip


@dataclass(frozen=True)
class BeatEvents:
    """Each beat of a record, labelled (see :func:`beat_events`).

    Attributes
    ----------
    rr_before_ms, pr_ms, qrs_ms : numpy.ndarray
        Per beat: the RR interval ending at it, its PR and QRS (median over the usable
        leads that mark it; ms, NaN where absent).
    premature, pause_before : numpy.ndarray
        Per beat (bool): premature; comes after a pause.
    label : numpy.ndarray
        Per beat, one of :data:`BEAT_LABELS` ("unlike": a QRS unlike the dominant one
        that is not premature, an escape or fusion beat or noise; "not classified":
        beats whose complex the record's ends cut).
    """

    rr_before_ms: np.ndarray
    pr_ms: np.ndarray
    qrs_ms: np.ndarray
    premature: np.ndarray
    pause_before: np.ndarray
    label: np.ndarray

    def counts(self) -> dict[str, float]:
        """The :data:`EVENT_COLUMNS` of :func:`ecgtoolkit.measure`."""
        after = np.flatnonzero(self.pause_before)
        after = after[after >= 1]
        pr_before = np.full(after.size, np.nan)
        for k, i in enumerate(after):  # the longer PR of the (up to) two beats before it
            window = self.pr_ms[max(i - 2, 0) : i]
            if np.isfinite(window).any():
                pr_before[k] = np.nanmax(window)
        change = pr_before - self.pr_ms[after]
        change = change[np.isfinite(change)]
        return {
            "n_premature_atrial": int(np.sum(self.label == "premature atrial")),
            "n_premature_ventricular": int(np.sum(self.label == "premature ventricular")),
            "n_pauses": int(np.sum(self.pause_before)),
            "pause_pr_change_ms": float(np.median(change)) if change.size else np.nan,
        }


def _per_beat(marks: dict[str, np.ndarray], usable: np.ndarray, start: str, end: str):
    values = marks[end][:, usable] - marks[start][:, usable]
    need = max(1, int(np.ceil(usable.sum() / 3)))
    found = np.isfinite(values).sum(axis=1) >= need
    return np.where(found, nan_median(values), np.nan)


def _local_median(values: np.ndarray, size: int) -> np.ndarray:
    """The median of the ``size`` values centred on each, windows cut at the ends (not
    padded, which would weigh the first and last value several times)."""
    half = size // 2
    if values.size <= size:
        return np.full(values.size, np.median(values)) if values.size else values
    out = np.median(np.lib.stride_tricks.sliding_window_view(values, size), axis=1)
    head = [np.median(values[: i + half + 1]) for i in range(half)]
    tail = [np.median(values[i - half :]) for i in range(values.size - half, values.size)]
    return np.r_[head, out, tail]


def beat_events(
    peaks: np.ndarray,
    fs: float,
    marks: dict[str, np.ndarray],
    usable: np.ndarray,
    slopes: np.ndarray,
) -> BeatEvents:
    """Label every beat of one record: normal, premature atrial or ventricular, unlike.

    Parameters
    ----------
    peaks : numpy.ndarray
        The beats' R peaks (samples).
    fs : float
        Sampling rate (Hz).
    marks : dict of str to numpy.ndarray
        Per-beat, per-lead fiducials ``(n_beats, n_leads)`` (samples), as
        :func:`ecgtoolkit.signal.delineation.delineate_signal` gives them.
    usable : numpy.ndarray
        One bool per lead.
    slopes : numpy.ndarray
        Per beat, the correlation of its QRS slopes with the median beat's
        (:func:`qrs_slope_likeness`): above ``ALIKE_CORR`` the QRS is alike; a beat
        without a value (its complex cut by the record's ends) is "not classified".

    Returns
    -------
    BeatEvents

    Examples
    --------
    >>> import numpy as np
    >>> fs = 500.0
    >>> peaks = (np.array([0.5, 1.3, 2.1, 2.6, 3.7, 4.5, 5.3]) * fs).astype(int)
    >>> qrs_ms = np.array([90, 90, 90, 160, 90, 90, 90])  # the fourth beat is wide
    >>> marks = {"P_on": np.full((7, 1), np.nan), "QRS_on": (peaks - 20)[:, None] * 1.0,
    ...          "QRS_off": (peaks - 20 + qrs_ms * fs / 1000)[:, None]}
    >>> slopes = np.array([0.98, 0.97, 0.99, 0.4, 0.98, 0.97, 0.99])  # the fourth is unlike
    >>> events = beat_events(peaks, fs, marks, np.array([True]), slopes)
    >>> list(events.label[2:5])
    ['normal', 'premature ventricular', 'normal']
    >>> events.counts()["n_premature_ventricular"], events.counts()["n_pauses"]
    (1, 0)
    """
    n = peaks.size
    rr = np.diff(peaks) * 1000.0 / fs
    rr_before = np.r_[np.nan, rr]
    rr_after = np.r_[rr, np.nan]
    # The local rhythm: the median of the RR intervals around each one, so that a rate
    # that drifts over a long record does not make its faster part "premature".
    ref = np.r_[np.nan, _local_median(rr, LOCAL_RR_BEATS)]
    with np.errstate(invalid="ignore"):
        early = rr_before < PREMATURE_FRACTION * ref
        followed = ~(rr_after <= rr_before)  # a longer interval follows (or none does)
        premature = early & followed
        # A pause right after a premature beat is its compensatory pause, not a block.
        pause = (rr_before > PAUSE_FRACTION * ref) & ~np.r_[False, premature[:-1]]
    qrs_ms = _per_beat(marks, usable, "QRS_on", "QRS_off") * 1000.0 / fs
    slopes = np.asarray(slopes, dtype=np.float64)
    looked = np.isfinite(slopes)
    with np.errstate(invalid="ignore"):
        alike = slopes > ALIKE_CORR
    label = np.full(n, "normal", dtype=object)
    label[looked & ~alike] = "unlike"
    wide = qrs_ms >= WIDE_QRS_MS
    label[looked & premature & (alike | ~wide)] = "premature atrial"
    label[looked & premature & ~alike & wide] = "premature ventricular"
    label[~looked] = "not classified"
    ms = 1000.0 / fs
    return BeatEvents(
        rr_before_ms=rr_before,
        pr_ms=_per_beat(marks, usable, "P_on", "QRS_on") * ms,
        qrs_ms=qrs_ms,
        premature=premature,
        pause_before=pause,
        label=label,
    )


def qrs_slope_likeness(x: np.ndarray, fs: float, peaks: np.ndarray, beat: MedianBeat) -> np.ndarray:
    """Per beat, how alike its QRS slopes are to the median beat's (correlation, −1…1).

    The first differences of each usable lead, low-passed at 40 Hz like the median
    beat, from 60 ms before to 80 ms after the R peak, over all usable leads at once.
    Slopes, not levels: a premature beat's QRS rides on the previous T wave, whose slow
    rise or fall shifts its levels and lowers a correlation of levels (the median beat's
    ``like``) although the QRS itself is the dominant one. NaN for beats within
    :data:`EDGE_S` of the record's ends.
    """
    before, after = (int(round(s * fs)) for s in SLOPE_WINDOW_S)
    n = x.shape[-1]
    usable = beat.usable
    y = np.diff(lowpass(x[usable], fs, QRS_LOWPASS_HZ), axis=-1)
    ref = np.diff(beat.fast[usable], axis=-1)[:, beat.r0 - before : beat.r0 + after]
    ref = (ref - ref.mean()).ravel()
    out = np.full(peaks.size, np.nan)
    # A complex cut by the record's ends is unlike any whole one: left out (NaN).
    edge = int(round(EDGE_S * fs))
    ok = (peaks >= max(before, edge)) & (peaks <= n - 1 - max(after, edge)) & (ref.size > 0)
    if not ok.any():
        return out
    index = peaks[ok, None] + np.arange(-before, after)[None, :]
    seg = y[:, index].transpose(1, 0, 2).reshape(int(ok.sum()), -1)
    seg = seg - seg.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(seg, axis=1) * np.linalg.norm(ref) + 1e-12
    out[ok] = (seg @ ref) / norm
    return out


def record_beat_events(
    x: np.ndarray, fs: float, peaks: np.ndarray, marks: dict[str, np.ndarray], beat: MedianBeat
) -> BeatEvents:
    """:func:`beat_events` of one analysed record: its signal, beats, marks, median beat."""
    return beat_events(peaks, fs, marks, beat.usable, qrs_slope_likeness(x, fs, peaks, beat))
