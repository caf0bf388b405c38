"""The median beat: the representative beat of a record, used by every measurement.

One implementation serves the global intervals, axes and amplitudes of
:func:`ecgtoolkit.measure`, its physiology columns, the lead checks of
:func:`ecgtoolkit.check_leads` and the median beats that :func:`ecgtoolkit.compare` and
:func:`ecgtoolkit.plot_median_beats` use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .filters import BASELINE_HZ, highpass, lowpass
from .kernels import median_over_first_axis, nan_quantiles

__all__ = ["MedianBeat", "median_beat", "PRE_S", "POST_S"]

#: Window of the median beat before the R peak (s): a long PR plus the P wave ...
PRE_S = 0.55
#: ... and after it (s): a long QT at slow rates.
POST_S = 0.80
#: Low-pass of the median beat for the QRS complex (Hz) ...
QRS_LOWPASS_HZ = 40.0
#: ... and for the P and T waves, which have little content above it (Hz).
PT_LOWPASS_HZ = 12.0
#: Beats whose QRS correlates with the median of all beats above this are "alike".
ALIKE_CORR = 0.9
#: Half width (s) of the QRS window that decides which beats are alike.
ALIKE_HALF_S = 0.1
#: Most beats that enter the median, spread evenly over the record.
MAX_BEATS = 300


@dataclass(frozen=True)
class MedianBeat:
    """The representative beat of a record: the median over the beats like the dominant one.

    Attributes
    ----------
    fast, slow : numpy.ndarray
        ``(n_leads, n_times)`` in mV, low-passed at 40 Hz and 12 Hz, the R peak at ``r0``.
    r0 : int
        Index of the R peak on the median beat (the window's start, 0.55 s × fs by
        default).
    fs : float
        Sampling rate in Hz.
    like : numpy.ndarray
        One bool per beat of the record: whether it is part of the median beat.
    usable : numpy.ndarray
        One bool per lead (see :func:`ecgtoolkit.signal_quality`).
    chosen : numpy.ndarray
        Indices (into the record's beats) of the beats looked at, at most
        :data:`MAX_BEATS`, spread over the record.
    segments : numpy.ndarray
        ``(len(chosen), n_leads, n_times)``: those beats, high-passed at 0.5 Hz, in mV
        (samples beyond the record's ends repeat its first or last sample).
    marks : dict of str to numpy.ndarray
        Each fiducial's position on the median beat per lead ``(n_leads,)``: the median
        of that lead's marks over the beats that make up the median beat (empty when no
        marks were given).
    spread : dict of str to numpy.ndarray
        Per fiducial and lead, the interquartile range of those marks (samples): how
        consistently the lead places it from beat to beat.
    found : dict of str to numpy.ndarray
        Per fiducial and lead, the share of those beats where the lead has the mark.
    """

    fast: np.ndarray
    slow: np.ndarray
    r0: int
    fs: float
    like: np.ndarray
    usable: np.ndarray
    chosen: np.ndarray
    segments: np.ndarray
    marks: dict[str, np.ndarray] = field(default_factory=dict)
    spread: dict[str, np.ndarray] = field(default_factory=dict)
    found: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_beats(self) -> int:
        """Number of beats in the median."""
        return int(self.like.sum())

    @property
    def times(self) -> np.ndarray:
        """Time of each sample of the median beat relative to the R peak, s."""
        return (np.arange(self.fast.shape[-1]) - self.r0) / self.fs


def median_beat(
    x: np.ndarray,
    fs: float,
    peaks: np.ndarray,
    usable: np.ndarray | None = None,
    *,
    marks: dict[str, np.ndarray] | None = None,
    alike_only: bool = True,
    window_s: tuple[float, float] = (PRE_S, POST_S),
    whole_only: bool = False,
) -> MedianBeat | None:
    """The median of the beats like the dominant one, with their median marks.

    Parameters
    ----------
    x : numpy.ndarray
        One record ``(n_leads, n_samples)`` in mV.
    fs : float
        Sampling rate in Hz.
    peaks : numpy.ndarray
        R-peak sample indices.
    usable : numpy.ndarray, optional
        One bool per lead: the leads that decide which beats are alike (default: all).
    marks : dict of str to numpy.ndarray, optional
        Fiducials ``(n_beats, n_leads)`` of every beat (from
        :func:`ecgtoolkit.signal.delineation.delineate_signal`), for the median marks.
    alike_only : bool
        The median of the beats alike (default), or of all beats looked at (where a
        record's beats need not share one morphology, as in comparing its leads).
    window_s : (float, float)
        Seconds before and after the R peak (default 0.55 and 0.80).
    whole_only : bool
        Look only at beats whose window lies inside the record (default: all beats,
        the record's first or last sample repeated beyond its ends).

    Returns
    -------
    MedianBeat or None
        None when fewer than 3 beats are alike (with ``alike_only``), or fewer than 3
        beats or no usable lead at all.

    Notes
    -----
    Of at most 300 beats spread over the record, the beats whose QRS (±100 ms, high-passed
    at 0.5 Hz) correlates with the sample-wise median of all of them by r > 0.9 over the
    usable leads are "alike", as 12SL-style programs build their representative beat; the
    median beat is their sample-wise median, from 0.55 s before to 0.80 s after the R
    peak, low-passed afterwards (the same as low-passing the record, up to the filters'
    edge effects far from the waves, at a fraction of the cost).

    Examples
    --------
    >>> import numpy as np
    >>> fs = 500
    >>> t = np.arange(10 * fs) / fs
    >>> beats = np.arange(0.6, 9.6, 0.8)
    >>> x = sum(np.exp(-0.5 * ((t - b) / 0.012) ** 2) for b in beats)[None]
    >>> beat = median_beat(x, fs, np.round(beats * fs).astype(int))
    >>> beat.n_beats, round(float(beat.fast[0, beat.r0]), 2)
    (12, 0.93)
    """
    n_leads, n = x.shape
    usable = np.ones(n_leads, dtype=bool) if usable is None else np.asarray(usable, bool)
    peaks = np.asarray(peaks, dtype=np.int64)
    pre, post = (int(round(s * fs)) for s in window_s)
    candidates = np.arange(peaks.size)
    if whole_only:
        candidates = candidates[(peaks >= pre) & (peaks + post <= n)]
    if candidates.size < 3 or not usable.any():
        return None
    # At most MAX_BEATS beats, evenly spread, keep memory bounded on long records.
    spread_out = np.linspace(0, candidates.size - 1, min(candidates.size, MAX_BEATS)).round()
    chosen = candidates[np.unique(spread_out).astype(np.int64)]
    base = highpass(x, fs, BASELINE_HZ)
    idx = np.clip(peaks[chosen, None] + np.arange(-pre, post)[None, :], 0, n - 1)
    segments = base[:, idx].transpose(1, 0, 2)  # (beats, leads, time)
    half = int(round(ALIKE_HALF_S * fs))
    qrs = segments[:, usable, pre - half : pre + half]
    template = median_over_first_axis(qrs)
    a = qrs.reshape(chosen.size, -1)
    a = a - a.mean(axis=1, keepdims=True)
    b = template.reshape(-1) - template.mean()
    corr = (a @ b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b) + 1e-12)
    alike = corr > ALIKE_CORR
    if not alike_only:
        alike = np.ones_like(alike)
    if alike.sum() < 3:
        return None
    median = median_over_first_axis(segments[alike])
    like = np.zeros(peaks.size, dtype=bool)
    like[chosen[alike]] = True
    median_marks: dict[str, np.ndarray] = {}
    spread: dict[str, np.ndarray] = {}
    found: dict[str, np.ndarray] = {}
    if marks is not None:
        offset = (peaks[like] - pre)[:, None]
        rel = {c: (v[like] - offset).T for c, v in marks.items()}  # (leads, beats)
        quartiles = {c: nan_quantiles(v, (25.0, 50.0, 75.0)) for c, v in rel.items()}
        median_marks = {c: q[1] for c, q in quartiles.items()}
        spread = {c: q[2] - q[0] for c, q in quartiles.items()}
        found = {c: np.isfinite(v).mean(axis=1) for c, v in rel.items()}
    return MedianBeat(
        fast=lowpass(median, fs, QRS_LOWPASS_HZ),
        slow=lowpass(median, fs, PT_LOWPASS_HZ),
        r0=pre,
        fs=float(fs),
        like=like,
        usable=usable,
        chosen=chosen,
        segments=segments,
        marks=median_marks,
        spread=spread,
        found=found,
    )
