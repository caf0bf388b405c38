"""Shared signal-processing helpers for quality, detection, delineation and measurement.

Private module: validation of one record, zero-phase Butterworth and notch filters with
cached designs, fast centred moving averages and medians. All work on the last axis.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np
from scipy import signal as sps

from .ecg import ECG

#: Lowest sampling rate accepted (Hz): below it the QRS is undersampled.
MIN_FS = 100.0
#: Shortest record accepted (s): fewer than two beats give no RR interval.
MIN_DURATION_S = 2.0


def record_problem(n_samples: int, fs: float) -> str | None:
    """Why a record of this length and rate cannot be analysed at all, or None.

    Problems of single leads (flat, noisy, NaN, clipped) are not record problems: see
    :func:`ecgtoolkit.quality.lead_checks`.
    """
    if fs < MIN_FS:
        return f"sampling rate {fs:g} Hz is below the minimum of {MIN_FS:g} Hz"
    if n_samples < MIN_DURATION_S * fs:
        return (
            f"record lasts {n_samples / fs:.2f} s; at least {MIN_DURATION_S:g} s "
            f"({int(np.ceil(MIN_DURATION_S * fs))} samples at {fs:g} Hz) are needed"
        )
    return None


def validate_record(ecg: ECG) -> tuple[np.ndarray, float, tuple[str, ...]]:
    """Check one record and return ``(signal as float64 mV, fs, leads)``.

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        If it is a batch, sampled below 100 Hz or shorter than 2 s.
    """
    if not isinstance(ecg, ECG):
        raise TypeError(
            f"expected an ecgtoolkit.ECG, got {type(ecg).__name__}; wrap arrays with "
            "ECG(signal, fs=..., leads=[...], units='mV')"
        )
    if ecg.is_batch:
        raise ValueError(
            f"this function takes one record, got a batch of {ecg.n_records}; "
            "use batch[i] for one record (measure() accepts batches)"
        )
    x = np.asarray(ecg.signal, dtype=np.float64)
    problem = record_problem(x.shape[-1], float(ecg.fs))
    if problem is not None:
        raise ValueError(problem)
    return x, float(ecg.fs), ecg.leads


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


def _filtfilt(design: tuple[np.ndarray, np.ndarray, int], x: np.ndarray) -> np.ndarray:
    """``scipy.signal.sosfiltfilt(sos, x, axis=-1)`` with the cached initial state."""
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


def bandpass(x: np.ndarray, fs: float, low: float, high: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth band-pass along the last axis."""
    return _filtfilt(_butter("bandpass", (low, high), fs, order), x)


def lowpass(x: np.ndarray, fs: float, cutoff: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth low-pass along the last axis."""
    if cutoff >= 0.95 * fs / 2:
        return np.array(x, dtype=np.float64, copy=True)
    return _filtfilt(_butter("lowpass", (cutoff,), fs, order), x)


def highpass(x: np.ndarray, fs: float, cutoff: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth high-pass along the last axis."""
    return _filtfilt(_butter("highpass", (cutoff,), fs, order), x)


def moving_average(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average of ``width`` samples along the last axis (edge-padded)."""
    width = max(1, int(width))
    x = np.asarray(x, dtype=np.float64)
    if width == 1:
        return x
    half = width // 2
    pad = [(0, 0)] * (x.ndim - 1) + [(half + 1, width - half - 1)]
    c = np.cumsum(np.pad(x, pad, mode="edge"), axis=-1)
    return (c[..., width:] - c[..., :-width]) / width


@lru_cache(maxsize=8)
def _notch_design(
    frequencies: tuple[float, ...], fs: float, quality: float
) -> tuple[np.ndarray, np.ndarray, int]:
    sos = np.vstack([sps.tf2sos(*sps.iirnotch(f0, quality, fs=fs)) for f0 in frequencies])
    return sos, sps.sosfilt_zi(sos), 3 * (2 * sos.shape[0] + 1)


def notch(
    x: np.ndarray, fs: float, frequencies: tuple[float, ...], quality: float = 30.0
) -> np.ndarray:
    """Zero-phase notches at ``frequencies`` Hz (bandwidth f / ``quality``), in one pass."""
    return _filtfilt(_notch_design(tuple(frequencies), fs, quality), x)


def median_over_first_axis(values: np.ndarray) -> np.ndarray:
    """``np.median(values, axis=0)`` for finite values, several times faster.

    Sorting along the first axis of a C-ordered array is much cheaper than numpy's
    median there, which partitions strided lanes. The middle values are averaged as
    numpy does, so the result is the same to the last bit.
    """
    n = values.shape[0]
    ordered = np.sort(values, axis=0)
    half = n // 2
    if n % 2:
        return ordered[half].copy()
    return (ordered[half - 1] + ordered[half]) / 2


def nan_quantiles(values: np.ndarray, percents: tuple[float, ...]) -> list[np.ndarray]:
    """Percentiles over axis 1 of a 2-D array, ignoring NaN, from one sort, no warnings.

    Linear interpolation between the finite values, as ``np.nanpercentile`` does; NaN
    where a row has no finite value.
    """
    count = np.isfinite(values).sum(axis=1)
    ordered = np.sort(values, axis=1)  # NaN last
    last = np.maximum(count - 1, 0)
    rows = np.arange(values.shape[0])
    out = []
    for q in percents:
        pos = last * (q / 100.0)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, last)
        value = ordered[rows, lo] + (pos - lo) * (ordered[rows, hi] - ordered[rows, lo])
        value[count == 0] = np.nan
        out.append(value)
    return out


def nan_median(values: np.ndarray) -> np.ndarray:
    """Median over axis 1 of a 2-D array, ignoring NaN, without warnings (NaN if none)."""
    return nan_quantiles(values, (50.0,))[0]


def resample(x: np.ndarray, fs: float, target: float) -> np.ndarray:
    """``x`` (last axis at ``fs`` Hz) at ``target`` Hz, polyphase with scipy's FIR."""
    if fs == target:
        return np.asarray(x, dtype=np.float64)
    ratio = Fraction(target / fs).limit_denominator(1000)
    return sps.resample_poly(x, ratio.numerator, ratio.denominator, axis=-1)
