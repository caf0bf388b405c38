"""Pacemaker spikes: found before the QRS complexes and P waves, and bridged before delineation.

A pacemaker's stimulus is a deflection of a fraction of a millisecond to a few
milliseconds, far steeper than any slope the heart makes (Kossmann et al. 1967; the AHA
recommendations for recording pacemaker pulses ask for ≥ 500 Hz and no smoothing of
pulses of 0.5–2 ms, Kligfield et al. 2007, doi:10.1161/CIRCULATIONAHA.106.180200).
:func:`find_pacing` looks for such deflections just before the delineated QRS onsets
(ventricular pacing) and where atrial stimuli stand, a paced AV delay before them (atrial
pacing); :func:`remove_spikes` bridges them so that the delineation measures the heart's
waves, not the stimulus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .filters import bridge
from .kernels import nan_median

__all__ = [
    "ATRIAL_WINDOW_MS",
    "MIN_PACING_FS",
    "MIN_SPIKE_SHARE",
    "Pacing",
    "SPIKE_LOCAL_RATIO",
    "SPIKE_MAX_WIDTH_MS",
    "SPIKE_SLOPE_RATIO",
    "SPIKE_WINDOW_MS",
    "find_pacing",
    "narrow_deflections",
    "remove_spikes",
]

#: A stimulus is at least this many times steeper than the record's sustained QRS slope
#: (the median over leads and beats of the steepest slope the QRS holds for 6 ms).
SPIKE_SLOPE_RATIO = 3.0
#: A stimulus returns below half its height within this time (ms): a stimulus of 0.5–2 ms
#: (Kligfield et al. 2007) with the recorder's own smoothing.
SPIKE_MAX_WIDTH_MS = 4.0
#: A stimulus's step is at least this many times the 90th percentile of the steps around
#: it (within 20 ms): muscle noise, steep as it may be, is as steep on either side.
SPIKE_LOCAL_RATIO = 4.0
#: Ventricular stimuli stand in this window around the QRS onset (ms): the onset the
#: delineation marks may fall on the stimulus, on the first ventricular deflection, or
#: before the stimulus, on the stimulus's own smear through the network's filters (up
#: to about 20 ms at 250 Hz).
SPIKE_WINDOW_MS: tuple[float, float] = (-40.0, 25.0)
#: Atrial stimuli stand this long before the QRS onset (ms): the paced AV delay of dual
#: chamber pacemakers (programmable, about 100–300 ms) with the window's margin.
ATRIAL_WINDOW_MS: tuple[float, float] = (-350.0, -60.0)
#: A record is paced when stimuli precede at least this share of its beats in one lead:
#: intermittent pacing counts, a stray artefact does not.
MIN_SPIKE_SHARE = 0.3
#: Below this sampling rate stimuli are too narrow to be seen (Kligfield et al. 2007).
MIN_PACING_FS = 500.0
# The QRS slope that counts must hold this long (ms): a stimulus's does not.
_HOLD_MS = 6.0
# The steps a stimulus is compared with: within this of it (ms), outside its own width.
_AROUND_MS = 20.0


@dataclass(frozen=True)
class Pacing:
    """Pacemaker stimuli found in one record.

    Attributes
    ----------
    paced : bool or None
        Stimuli precede at least :data:`MIN_SPIKE_SHARE` of the beats; None when it
        could not be assessed (sampling rate below :data:`MIN_PACING_FS`, fewer than
        two usable leads).
    chamber : str
        "ventricular", "atrial" or "dual chamber" ("" when not paced).
    lead : str
        The lead where stimuli were seen before the most beats.
    share : float
        The share of the beats with a stimulus before them in ``lead`` (either chamber).
    spikes : numpy.ndarray
        Sample indices of every confirmed stimulus (whatever beat it precedes).
    note : str
        Why the record was not assessed ("" when it was).
    """

    paced: bool | None
    chamber: str = ""
    lead: str = ""
    share: float = 0.0
    spikes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    note: str = ""

    def describe(self) -> str:
        """One line for a table: "" when not paced, else where the stimuli are."""
        if self.paced is None:
            return self.note
        if not self.paced:
            return ""
        return (
            f"paced ({self.chamber}): stimuli before {self.share:.0%} of the beats in {self.lead}"
        )


def narrow_deflections(x: np.ndarray, fs: float, minimum: float) -> list[np.ndarray]:
    """Sample indices of steep, narrow deflections in each lead of ``(n_leads, n_samples)``.

    A deflection is a peak of the first difference's magnitude of at least ``minimum``
    (mV per sample) that stays above half its height for at most
    :data:`SPIKE_MAX_WIDTH_MS`: the signal jumps, and the jump does not last, whatever
    the signal does after it (a stimulus may decay slowly). The index is the sample
    before the steepest step; peaks closer than that width count once.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((1, 1000)); x[0, 400] = 3.0
    >>> narrow_deflections(x, 500.0, minimum=1.0)[0].tolist()
    [399]
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    width = max(1, int(round(SPIKE_MAX_WIDTH_MS * 1e-3 * fs)))
    d = np.diff(x, axis=-1)
    out = []
    for steps in d:
        size = np.abs(steps)
        peak = np.flatnonzero(size >= minimum)
        peak = peak[(peak > width) & (peak < size.size - width - 1)]
        # A local maximum (the first of equal neighbours) of the step size.
        peak = peak[(size[peak] > size[peak - 1]) & (size[peak] >= size[peak + 1])]
        if peak.size == 0:
            out.append(peak.astype(np.int64))
            continue
        around = peak[:, None] + np.arange(-width, width + 1)
        same = steps[around] * np.sign(steps[peak])[:, None] > size[peak, None] / 2.0
        # Samples above half height on either side of the peak, contiguous with it.
        left = np.cumprod(same[:, width - 1 :: -1], axis=1).sum(axis=1)
        right = np.cumprod(same[:, width + 1 :], axis=1).sum(axis=1)
        found = peak[1 + left + right <= width]
        keep = np.r_[True, np.diff(found) > width] if found.size else np.zeros(0, bool)
        out.append(found[keep].astype(np.int64))
    return out


def _sustained_slope(x: np.ndarray, fs: float, qrs_on: np.ndarray, qrs_off: np.ndarray) -> float:
    """Median over leads (of the median over beats) of the steepest 6-ms-held QRS slope."""
    hold = max(2, int(round(_HOLD_MS * 1e-3 * fs)))
    d = np.abs(np.diff(x, axis=-1))
    n = d.shape[-1] - hold + 1
    held = d[:, :n].copy()
    for shift in range(1, hold):
        np.minimum(held, d[:, shift : shift + n], out=held)
    per_lead = []
    for i in range(x.shape[0]):
        ok = np.isfinite(qrs_on[:, i]) & np.isfinite(qrs_off[:, i])
        slopes = [
            held[i, int(a) : max(int(a) + 1, int(b) - hold + 1)].max()
            for a, b in zip(qrs_on[ok, i], qrs_off[ok, i], strict=True)
            if 0 <= a < held.shape[-1]
        ]
        if slopes:
            per_lead.append(np.median(slopes))
    return float(np.median(per_lead)) if per_lead else np.nan


def _isolated(x: np.ndarray, fs: float, found: list[np.ndarray]) -> list[np.ndarray]:
    """Keep the deflections whose step stands :data:`SPIKE_LOCAL_RATIO` above those around."""
    d = np.abs(np.diff(x, axis=-1))
    near = max(2, int(round(_AROUND_MS * 1e-3 * fs)))
    own = max(1, int(round(SPIKE_MAX_WIDTH_MS * 1e-3 * fs))) + 1
    offsets = np.r_[np.arange(-near, -own + 1), np.arange(own, near + 1)]
    out = []
    for lead, spikes in zip(d, found, strict=True):
        spikes = spikes[(spikes >= near) & (spikes < lead.size - near)]
        if spikes.size == 0:
            out.append(spikes)
            continue
        level = np.percentile(lead[spikes[:, None] + offsets], 90.0, axis=1)
        out.append(spikes[lead[spikes] >= SPIKE_LOCAL_RATIO * level])
    return out


def _confirmed(found: list[np.ndarray], support: list[np.ndarray]) -> list[np.ndarray]:
    """Keep the deflections of each lead that a second lead shows within one sample."""
    out = []
    for i, spikes in enumerate(found):
        others = [s for j, s in enumerate(support) if j != i and s.size]
        if not others or spikes.size == 0:
            out.append(spikes[:0])
            continue
        pool = np.sort(np.concatenate(others))
        pos = np.searchsorted(pool, spikes)
        before = np.abs(pool[np.clip(pos - 1, 0, pool.size - 1)] - spikes)
        after = np.abs(pool[np.clip(pos, 0, pool.size - 1)] - spikes)
        out.append(spikes[np.minimum(before, after) <= 1])
    return out


def _within(spikes: np.ndarray, onsets: np.ndarray, window: np.ndarray) -> np.ndarray:
    """``(n_spikes, n_beats)``: is each spike within ``window`` of each beat's onset (NaN:
    never)?"""
    gap = spikes[:, None] - onsets[None, :]
    return (gap >= window[0]) & (gap <= window[1])


def find_pacing(
    x: np.ndarray,
    fs: float,
    qrs_on: np.ndarray,
    qrs_off: np.ndarray,
    leads: tuple[str, ...] | list[str],
    usable: np.ndarray | None = None,
) -> Pacing:
    """Find pacemaker stimuli in one record ``(n_leads, n_samples)`` in mV.

    Parameters
    ----------
    x : numpy.ndarray
        The record, ``(n_leads, n_samples)`` in mV, not low-pass filtered.
    fs : float
        Sampling rate (Hz).
    qrs_on, qrs_off : numpy.ndarray
        Every beat's QRS onset and offset per lead, ``(n_beats, n_leads)`` samples (NaN
        where absent), as :func:`ecgtoolkit.signal.delineation.delineate_signal` marks.
    leads : sequence of str
        The leads' names.
    usable : numpy.ndarray, optional
        One bool per lead; only usable leads are searched (default: all).

    Returns
    -------
    Pacing

    Notes
    -----
    A stimulus is a deflection (:func:`narrow_deflections`) at least
    :data:`SPIKE_SLOPE_RATIO` times steeper than the record's sustained QRS slope and
    :data:`SPIKE_LOCAL_RATIO` times the steps around it (muscle noise is steep, but as
    steep on either side), confirmed by a deflection of at least half that steepness in a second lead within
    one sample (a stimulus reaches every lead at once; an artefact of one electrode does
    not). Ventricular stimuli stand within :data:`SPIKE_WINDOW_MS` of a beat's QRS onset,
    atrial ones within :data:`ATRIAL_WINDOW_MS`; the record is paced when stimuli precede
    at least :data:`MIN_SPIKE_SHARE` of the beats in one lead, dual chamber when both
    kinds do. Bipolar stimuli may be too small to see even at 500 Hz; they are missed.

    Examples
    --------
    Beats every 0.8 s from 0.6 s, a 2-mV stimulus 10 ms before each QRS onset:

    >>> import numpy as np
    >>> from ecgtoolkit.signal.synthetic import known_beats
    >>> fs = 500.0
    >>> x = np.stack([known_beats(fs), 0.5 * known_beats(fs)])
    >>> onsets = np.arange(0.6, 9.4, 0.8) * fs
    >>> x[:, (onsets - 5).astype(int)] += 2.0
    >>> on = np.stack([onsets, onsets], axis=1)
    >>> find_pacing(x, fs, on, on + 45, ["II", "V5"]).describe()
    'paced (ventricular): stimuli before 100% of the beats in II'
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    leads = tuple(leads)
    if fs < MIN_PACING_FS:
        return Pacing(
            None, note=f"pacing not assessed: {fs:g} Hz < {MIN_PACING_FS:g} Hz hides stimuli"
        )
    usable = np.ones(x.shape[0], bool) if usable is None else np.asarray(usable, bool)
    qrs_on = np.asarray(qrs_on, dtype=np.float64)
    if usable.sum() < 2:
        return Pacing(None, note="pacing not assessed: a stimulus must show in two usable leads")
    if qrs_on.shape[0] == 0:
        return Pacing(False)
    slope = _sustained_slope(x, fs, qrs_on, np.asarray(qrs_off, dtype=np.float64))
    if not np.isfinite(slope) or slope <= 0:
        return Pacing(False)
    threshold = SPIKE_SLOPE_RATIO * slope
    work = np.where(usable[:, None], x, 0.0)
    found = _confirmed(
        _isolated(work, fs, narrow_deflections(work, fs, threshold)),
        narrow_deflections(work, fs, threshold / 2.0),
    )
    beat_onset = nan_median(qrs_on)
    per_ms = fs / 1000.0
    ventricular = np.zeros(len(leads))
    atrial = np.zeros(len(leads))
    v_window = np.asarray(SPIKE_WINDOW_MS) * per_ms
    a_window = np.asarray(ATRIAL_WINDOW_MS) * per_ms
    for i, spikes in enumerate(found):
        own = np.where(np.isfinite(qrs_on[:, i]), qrs_on[:, i], beat_onset)
        v = (_within(spikes, own, v_window) | _within(spikes, beat_onset, v_window)).any(0)
        # An atrial stimulus precedes the earliest onset the leads give the beat, so that
        # a ventricular stimulus before a lead's late onset is not taken for one.
        earliest = np.fmin(own, beat_onset)
        atrial_only = ~_within(spikes, earliest, v_window).any(1)
        a = _within(spikes[atrial_only], earliest, a_window).any(0)
        ventricular[i], atrial[i] = v.mean(), a.mean()
    best = int(np.argmax(np.maximum(ventricular, atrial)))
    v_paced = ventricular.max() >= MIN_SPIKE_SHARE
    a_paced = atrial.max() >= MIN_SPIKE_SHARE
    spikes = np.unique(np.concatenate(found)).astype(np.int64)
    if not (v_paced or a_paced):
        return Pacing(False, spikes=spikes)
    chamber = "dual chamber" if v_paced and a_paced else "ventricular" if v_paced else "atrial"
    share = float(max(ventricular[best], atrial[best]))
    return Pacing(True, chamber, leads[best], share, spikes)


def remove_spikes(x: np.ndarray, spikes: np.ndarray, fs: float) -> np.ndarray:
    """Bridge each stimulus by a straight line over :data:`SPIKE_MAX_WIDTH_MS` + 2 ms.

    Returns a copy of ``x`` ``(n_leads, n_samples)``; the line joins the samples just
    before and after each stimulus in every lead.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((1, 100)); x[0, 50] = 3.0
    >>> float(remove_spikes(x, np.array([49]), 500.0).max())
    0.0
    """
    x = np.asarray(x, dtype=np.float64)
    span = max(2, int(round((SPIKE_MAX_WIDTH_MS + 2.0) * 1e-3 * fs)))
    gaps = np.zeros(x.shape[-1], dtype=bool)
    for s in np.asarray(spikes, dtype=np.int64):
        gaps[max(int(s), 0) : min(int(s) + span, x.shape[-1] - 1)] = True
    return bridge(x, gaps)
