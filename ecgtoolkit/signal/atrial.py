"""Atrial activity left when the ventricles' QRS–T is cancelled: its rate, size and order.

In atrial fibrillation and flutter the atria keep firing between, and under, the QRS
complexes, faster than any sinus rhythm: fibrillatory waves at about 4–9 Hz (240–540 per
minute; Bollmann et al. 2006, doi:10.1093/europace/eul169) and flutter waves at 240–340
per minute (Brugada et al. 2020, ESC SVT guideline, doi:10.1093/eurheartj/ehz467). In
sinus rhythm the only atrial wave, the P wave, is locked to the QRS. Subtracting each
beat's average QRS–T (average beat subtraction, Slocum et al. 1992,
doi:10.1109/10.141394) therefore leaves little in sinus rhythm, and the atrial waves in
fibrillation and flutter, whether the ventricles beat regularly or not.
:func:`atrial_activity` measures what is left, in the leads where the atria show best
(II, III, aVF and V1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.signal as sps

from .filters import bandpass, bridge

__all__ = [
    "ATRIAL_BAND_HZ",
    "ATRIAL_LEADS",
    "AtrialActivity",
    "atrial_activity",
    "cancel_qrst",
]

#: Leads searched for atrial activity, where it is largest (Bollmann et al. 2006).
ATRIAL_LEADS: tuple[str, ...] = ("II", "III", "aVF", "V1")
#: Band (Hz) where the atrial rate is looked for: 210–720 per minute, above the sinus
#: P waves' harmonics that survive an imperfect cancellation and around the 4–9 Hz of
#: fibrillation and the 4–5.7 Hz of flutter.
ATRIAL_BAND_HZ: tuple[float, float] = (3.5, 12.0)
# The residual is band-passed so that neither baseline wander nor muscle noise counts.
_PASS_HZ = (2.0, 40.0)
# Each beat's template spans at most this before and after its R peak (s), and at most
# these shares of the median RR interval, so that neighbouring beats do not overlap.
_PRE_S, _POST_S = 0.25, 0.6
_PRE_RR, _POST_RR = 0.3, 0.65
# Template edges are tapered over this long (s); QRS complexes blanked with this margin.
_TAPER_S = 0.03
_BLANK_MARGIN_S = 0.01
_MIN_BEATS = 4
_SPECTRUM_FS = 100.0
_MIN_RESIDUAL_S = 4.0


@dataclass(frozen=True)
class AtrialActivity:
    """What is left of one record once its QRS–T complexes are cancelled.

    Attributes
    ----------
    rate_bpm : float
        The dominant frequency of the residual in :data:`ATRIAL_BAND_HZ`, per minute.
    amplitude_mv : float
        The residual's RMS in that band (mV).
    organisation : float
        The share of the residual's 2–30 Hz power within 0.5 Hz of the dominant
        frequency and its first harmonic (Everett et al. 2001,
        doi:10.1109/10.915704): near 1 for regular flutter waves, lower for
        fibrillation.
    lead : str
        The lead with the largest residual, where the other values come from.
    """

    rate_bpm: float = np.nan
    amplitude_mv: float = np.nan
    organisation: float = np.nan
    lead: str = ""


def cancel_qrst(
    x: np.ndarray,
    fs: float,
    peaks: np.ndarray,
    qrs_on: np.ndarray | None = None,
    qrs_off: np.ndarray | None = None,
) -> tuple[np.ndarray, slice]:
    """The residual of ``x`` ``(n_leads, n_samples)`` once every beat's average QRS–T is removed.

    The record is band-passed at 2–40 Hz; each lead's template is the median over the
    beats of the window around their R peaks (``peaks``), tapered at its ends and
    subtracted at every beat. Where QRS onsets and offsets are given (per beat, samples),
    the QRS complexes, whose small misalignments leave the largest errors, are bridged by
    straight lines. Returns the residual and the span between the first and last
    complete window (outside it nothing was cancelled).

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit.signal.synthetic import known_beats
    >>> fs = 500.0
    >>> x = known_beats(fs)[None]
    >>> peaks = np.round((np.arange(0.6, 9.4, 0.8) + 0.05) * fs).astype(int)
    >>> residual, span = cancel_qrst(x, fs, peaks)
    >>> bool(np.abs(residual[:, span]).max() < 0.05 * np.abs(x).max())
    True
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    peaks = np.asarray(peaks, dtype=np.int64)
    rr = float(np.median(np.diff(peaks))) if peaks.size > 1 else fs
    pre = int(min(_PRE_S * fs, _PRE_RR * rr))
    post = int(min(_POST_S * fs, _POST_RR * rr))
    inside = (peaks - pre >= 0) & (peaks + post <= x.shape[-1])
    y = bandpass(x, fs, *_PASS_HZ)
    if inside.sum() < 2:
        return y, slice(0, 0)
    index = peaks[inside, None] + np.arange(-pre, post)
    template = np.median(y[:, index], axis=1)
    n = max(1, int(_TAPER_S * fs))
    taper = np.ones(pre + post)
    taper[:n], taper[-n:] = np.linspace(0, 1, n), np.linspace(1, 0, n)
    residual = y.copy()
    # One beat at a time: neighbouring windows may overlap (numpy's ufunc.at would do it
    # in one call, but gives NaN for some strided inputs in numpy 2.4).
    for window in index:
        residual[:, window] -= taper * template
    if qrs_on is not None and qrs_off is not None:
        margin = int(_BLANK_MARGIN_S * fs)
        on, off = np.asarray(qrs_on, float)[inside], np.asarray(qrs_off, float)[inside]
        ok = np.isfinite(on) & np.isfinite(off)
        blank = np.zeros(x.shape[-1], dtype=bool)
        for a, b in zip(on[ok].astype(int) - margin, off[ok].astype(int) + margin, strict=True):
            blank[max(a, 0) : min(b, x.shape[-1] - 1) + 1] = True
        residual = bridge(residual, blank)
    return residual, slice(int(index[0, 0]), int(index[-1, -1]) + 1)


def atrial_activity(
    x: np.ndarray,
    fs: float,
    peaks: np.ndarray,
    leads: tuple[str, ...] | list[str],
    *,
    qrs_on: np.ndarray | None = None,
    qrs_off: np.ndarray | None = None,
    usable: np.ndarray | None = None,
) -> AtrialActivity:
    """Rate, size and organisation of the atrial activity of one record ``(n_leads, n_samples)``.

    Parameters
    ----------
    x : numpy.ndarray
        The record in mV.
    fs : float
        Sampling rate (Hz).
    peaks : numpy.ndarray
        The beats' R peaks (samples).
    leads : sequence of str
        The leads' names; :data:`ATRIAL_LEADS` are searched (every usable lead when the
        record has none of them).
    qrs_on, qrs_off : numpy.ndarray, optional
        Each beat's QRS onset and offset (samples, one per beat, NaN where unknown).
    usable : numpy.ndarray, optional
        One bool per lead (default: all).

    Returns
    -------
    AtrialActivity
        NaN values with fewer than 4 beats or 4 s between the first and last complete
        beat.

    Notes
    -----
    :func:`cancel_qrst` leaves the residual; its Welch spectrum (4-s Hann segments)
    gives the dominant frequency in :data:`ATRIAL_BAND_HZ`, the in-band RMS and the
    organisation index. The lead with the largest in-band RMS is reported: the atrial
    waves are largest where they show at all. Beats of another morphology (ectopic
    beats) are cancelled with the dominant template and leave a residual of their own.
    Atrial waves locked to the QRS complexes are cancelled with them: the P waves of
    sinus rhythm, as intended, but also the flutter waves of a flutter whose conduction
    is fixed (4:1 with a constant flutter cycle), which this measure therefore misses.

    Examples
    --------
    Atrial waves at 320 per minute, not locked to the regular beats:

    >>> import numpy as np
    >>> from ecgtoolkit.signal.synthetic import known_beats
    >>> fs = 500.0
    >>> t = np.arange(5000) / fs
    >>> x = (known_beats(fs) + 0.1 * np.sin(2 * np.pi * 5.333 * t))[None]
    >>> peaks = np.round((np.arange(0.6, 9.4, 0.8) + 0.05) * fs).astype(int)
    >>> found = atrial_activity(x, fs, peaks, ["II"])
    >>> round(found.rate_bpm, -1), round(found.amplitude_mv, 2)
    (320.0, 0.07)
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    leads = tuple(leads)
    usable = np.ones(len(leads), bool) if usable is None else np.asarray(usable, bool)
    chosen = [i for i, name in enumerate(leads) if name in ATRIAL_LEADS and usable[i]]
    chosen = chosen or list(np.flatnonzero(usable))
    peaks = np.asarray(peaks, dtype=np.int64)
    if not chosen or peaks.size < _MIN_BEATS:
        return AtrialActivity()
    residual, span = cancel_qrst(x[chosen], fs, peaks, qrs_on, qrs_off)
    residual = residual[:, span]
    if residual.shape[-1] < _MIN_RESIDUAL_S * fs:
        return AtrialActivity()
    # The residual holds nothing above 40 Hz: every few samples (at ≥ 100 Hz) suffice.
    step = max(1, int(fs // _SPECTRUM_FS))
    rate = fs / step
    f, power = sps.welch(
        residual[:, ::step], fs=rate, nperseg=int(4 * rate), nfft=int(16 * rate),
        detrend="linear", axis=-1,
    )  # fmt: skip
    band = (f >= ATRIAL_BAND_HZ[0]) & (f <= ATRIAL_BAND_HZ[1])
    amplitude = np.sqrt(power[:, band].sum(axis=-1) * (f[1] - f[0]))
    best = int(np.argmax(amplitude))
    dominant = float(f[band][np.argmax(power[best, band])])
    near = (np.abs(f - dominant) <= 0.5) | (np.abs(f - 2 * dominant) <= 0.5)
    wide = (f >= 2.0) & (f <= 30.0)
    total = power[best, wide].sum()
    organisation = float(power[best, near & wide].sum() / total) if total > 0 else np.nan
    return AtrialActivity(
        60.0 * dominant, float(amplitude[best]), organisation, leads[chosen[best]]
    )
