"""Filters and resampling on arrays ``(..., n_samples)`` or on :class:`~ecgtoolkit.ECG` objects.

The filters the measurement pipeline uses, as public functions: zero-phase Butterworth
band-, low- and high-pass (:func:`bandpass`, :func:`lowpass`, :func:`highpass`), baseline
removal (:func:`remove_baseline`), mains notches (:func:`notch`) and polyphase resampling
(:func:`resample`). Each takes an array with its sampling rate ``fs`` (time on the last
axis, as ``scipy.signal``), returning a float64 array, or an ECG (``fs`` from the object),
returning a new ECG with the same leads and metadata.

Filter designs are cached, and the zero-phase filter reuses the cached initial state of
:func:`scipy.signal.sosfiltfilt` (``benchmarks/bench_kernels.py``: the same output, 1.2-1.5
times faster on 10 s records, which the pipeline filters a dozen times each).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
from scipy import signal as sps

from ..core.ecg import ECG
from ..core.validation import check_positive

__all__ = ["bandpass", "bridge", "highpass", "lowpass", "notch", "remove_baseline", "resample"]

Signal = TypeVar("Signal", np.ndarray, ECG)

#: Cut-off of :func:`remove_baseline` (Hz): 0.5 Hz keeps wave timing (AHA: 0.05 Hz for
#: ST-segment levels, Kligfield et al. 2007, doi:10.1161/CIRCULATIONAHA.106.180200).
BASELINE_HZ = 0.5


def bridge(x: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """A copy of ``x`` ``(..., n_samples)`` with the samples where ``gaps`` is True replaced
    by straight lines joining the samples on either side of each gap.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 9.0, 9.0, 3.0, 4.0])
    >>> bridge(x, np.array([False, True, True, False, False])).tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0]
    """
    out = np.array(x, dtype=np.float64, copy=True)
    gaps = np.asarray(gaps, dtype=bool)
    keep = np.flatnonzero(~gaps)
    if keep.size < 2 or not gaps.any():
        return out
    missing = np.flatnonzero(gaps)
    flat = out.reshape(-1, out.shape[-1])
    for row in flat:
        row[missing] = np.interp(missing, keep, row[keep])
    return flat.reshape(out.shape)


def _apply(x: Any, fs: float | None, work: Any) -> Any:
    """Run ``work(array, fs)`` on an array or on an ECG's signal (a new ECG then)."""
    if isinstance(x, ECG):
        if fs is not None and float(fs) != x.fs:
            raise ValueError(
                f"fs={fs} was given but the ECG is sampled at {x.fs:g} Hz; leave it out"
            )
        return x.replace(work(x.signal, x.fs))
    if fs is None:
        raise TypeError("fs (Hz) is required for an array; an ECG brings its own")
    return work(x, fs)


@lru_cache(maxsize=64)
def _butter(
    btype: str, cutoff: tuple[float, ...], fs: float, order: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Second-order sections, their step-response initial state and the pad length.

    Cached together because ``scipy.signal.sosfiltfilt`` recomputes the initial state
    (a small linear solve per section) on every call, a large share of its time on
    10-s records.
    """
    nyq = fs / 2.0
    wn = [min(c, 0.95 * nyq) for c in cutoff]
    sos = sps.butter(order, wn if len(wn) > 1 else wn[0], btype=btype, fs=fs, output="sos")
    # Pad length and initial state exactly as sosfiltfilt(padtype="odd") sets them.
    n_taps = 2 * sos.shape[0] + 1
    n_taps -= min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return sos, sps.sosfilt_zi(sos), 3 * n_taps


def filtfilt(design: tuple[np.ndarray, np.ndarray, int], x: np.ndarray) -> np.ndarray:
    """``scipy.signal.sosfiltfilt(sos, x, axis=-1)`` with a cached initial state.

    ``design`` is ``(sos, sosfilt_zi(sos), pad length)``; the result equals
    ``sosfiltfilt`` to the last bit (``benchmarks/bench_kernels.py``).
    """
    sos, zi, edge = design
    x = np.asarray(x, dtype=np.float64)
    if x.shape[-1] <= edge:
        raise ValueError(
            f"signal of {x.shape[-1]} samples is too short for zero-phase filtering; "
            f"more than {edge} are needed"
        )
    # Odd extension at both ends, as sosfiltfilt(padtype="odd") does.
    ext = np.concatenate(
        (
            2 * x[..., :1] - x[..., edge:0:-1],
            x,
            2 * x[..., -1:] - x[..., -2 : -(edge + 2) : -1],
        ),
        axis=-1,
    )
    zi = zi.reshape((sos.shape[0],) + (1,) * (x.ndim - 1) + (2,))
    y, _ = sps.sosfilt(sos, ext, axis=-1, zi=zi * ext[..., :1])
    y, _ = sps.sosfilt(sos, y[..., ::-1], axis=-1, zi=zi * y[..., -1:])
    return y[..., ::-1][..., edge:-edge]


def bandpass(
    x: Signal, fs: float | None = None, low_hz: float = 0.5, high_hz: float = 40.0, order: int = 2
) -> Signal:
    """Zero-phase Butterworth band-pass along the last axis.

    Parameters
    ----------
    x : numpy.ndarray or ECG
        Samples ``(..., n_samples)``, or an ECG.
    fs : float, optional
        Sampling rate in Hz; required for an array.
    low_hz, high_hz : float
        Pass band in Hz (the upper edge is kept below 0.95 of the Nyquist frequency).
    order : int
        Butterworth order (each pass; the zero-phase filter doubles it).

    Returns
    -------
    numpy.ndarray or ECG
        Float64 samples, or a new ECG.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(5000) / 500
    >>> x = np.sin(2 * np.pi * 10 * t) + np.sin(2 * np.pi * 0.1 * t)
    >>> y = bandpass(x, 500, 5.0, 20.0)
    >>> bool(np.abs(y[500:-500] - np.sin(2 * np.pi * 10 * t[500:-500])).max() < 0.05)
    True
    """
    check_positive(low_hz, "low_hz")
    check_positive(high_hz, "high_hz")
    if low_hz >= high_hz:
        raise ValueError(f"low_hz ({low_hz}) must be below high_hz ({high_hz})")
    return _apply(
        x, fs, lambda a, rate: filtfilt(_butter("bandpass", (low_hz, high_hz), rate, order), a)
    )


def lowpass(x: Signal, fs: float | None = None, cutoff_hz: float = 40.0, order: int = 2) -> Signal:
    """Zero-phase Butterworth low-pass along the last axis (see :func:`bandpass`).

    A cut-off at or above 0.95 of the Nyquist frequency returns the samples unchanged.
    """
    check_positive(cutoff_hz, "cutoff_hz")

    def work(a: np.ndarray, rate: float) -> np.ndarray:
        if cutoff_hz >= 0.95 * rate / 2:
            return np.array(a, dtype=np.float64, copy=True)
        return filtfilt(_butter("lowpass", (cutoff_hz,), rate, order), a)

    return _apply(x, fs, work)


def highpass(x: Signal, fs: float | None = None, cutoff_hz: float = 0.5, order: int = 2) -> Signal:
    """Zero-phase Butterworth high-pass along the last axis (see :func:`bandpass`)."""
    check_positive(cutoff_hz, "cutoff_hz")
    return _apply(
        x, fs, lambda a, rate: filtfilt(_butter("highpass", (cutoff_hz,), rate, order), a)
    )


def remove_baseline(x: Signal, fs: float | None = None, cutoff_hz: float = BASELINE_HZ) -> Signal:
    """Remove baseline wander: a zero-phase high-pass at ``cutoff_hz`` (default 0.5 Hz).

    Examples
    --------
    >>> import numpy as np, ecgtoolkit as et
    >>> t = np.arange(5000) / 500
    >>> ecg = et.ECG(np.sin(2 * np.pi * 0.05 * t)[None] + 1.0, fs=500, leads=["II"])
    >>> bool(np.abs(et.remove_baseline(ecg).signal[0, 1000:-1000]).max() < 0.1)
    True
    """
    return highpass(x, fs, cutoff_hz)


@lru_cache(maxsize=8)
def _notch_design(
    frequencies: tuple[float, ...], fs: float, quality: float
) -> tuple[np.ndarray, np.ndarray, int]:
    sos = np.vstack([sps.tf2sos(*sps.iirnotch(f0, quality, fs=fs)) for f0 in frequencies])
    return sos, sps.sosfilt_zi(sos), 3 * (2 * sos.shape[0] + 1)


def notch(
    x: Signal,
    fs: float | None = None,
    frequencies_hz: tuple[float, ...] = (50.0, 60.0),
    quality: float = 30.0,
) -> Signal:
    """Zero-phase notches at ``frequencies_hz`` (bandwidth f / ``quality``), in one pass.

    Frequencies at or above 0.45 ``fs`` are left out (they cannot be in the record).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(5000) / 500
    >>> hum = 0.2 * np.sin(2 * np.pi * 50 * t)
    >>> bool(np.abs(notch(hum, 500)[500:-500]).max() < 0.01)
    True
    """
    check_positive(quality, "quality")
    wanted = tuple(float(check_positive(f, "frequencies_hz")) for f in frequencies_hz)

    def work(a: np.ndarray, rate: float) -> np.ndarray:
        below = tuple(f for f in wanted if f < 0.45 * rate)
        if not below:
            return np.array(a, dtype=np.float64, copy=True)
        return filtfilt(_notch_design(below, rate, quality), a)

    return _apply(x, fs, work)


def resample(x: Signal, fs: float | None = None, target_fs: float | None = None) -> Signal:
    """Resample to ``target_fs`` Hz along the last axis (polyphase, scipy's FIR).

    Parameters
    ----------
    x : numpy.ndarray or ECG
        Samples ``(..., n_samples)``, or an ECG.
    fs : float, optional
        Sampling rate of ``x`` in Hz; required for an array.
    target_fs : float
        The new rate in Hz (the ratio is approximated by a fraction with a denominator
        of at most 1000).

    Returns
    -------
    numpy.ndarray or ECG
        Float64 samples, or a new ECG at ``target_fs``.

    Examples
    --------
    >>> import numpy as np
    >>> resample(np.zeros((2, 5000)), 500, 250).shape
    (2, 2500)
    """
    if target_fs is None:
        raise TypeError("target_fs (Hz) is required")
    target = check_positive(target_fs, "target_fs")
    if isinstance(x, ECG):
        if fs is not None and float(fs) != x.fs:
            raise ValueError(
                f"fs={fs} was given but the ECG is sampled at {x.fs:g} Hz; leave it out"
            )
        return x.replace(_resampled(x.signal, x.fs, target), fs=target)
    return _apply(x, fs, lambda a, rate: _resampled(a, rate, target))


def _resampled(x: np.ndarray, fs: float, target: float) -> np.ndarray:
    if fs == target:
        return np.asarray(x, dtype=np.float64)
    ratio = Fraction(target / fs).limit_denominator(1000)
    return sps.resample_poly(x, ratio.numerator, ratio.denominator, axis=-1)
