"""Shared signal-processing helpers for detection, delineation and measurement.

Private module: input validation of one record, zero-phase Butterworth filters with
cached designs, and fast centred moving averages. All functions work on the last axis.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal as sps

from .ecg import ECG

#: Lowest sampling rate accepted (Hz): below it the QRS is undersampled.
MIN_FS = 100.0
#: Shortest record accepted (s): fewer than two beats give no RR interval.
MIN_DURATION_S = 2.0
#: Largest plausible deflection from baseline (mV); more suggests µV passed as mV.
MAX_PLAUSIBLE_MV = 20.0
#: A lead whose robust peak-to-peak range is below this (mV) is taken as flat.
FLAT_MV = 0.01


def record_problem(x: np.ndarray, fs: float, leads: tuple[str, ...]) -> str | None:
    """Return why one record ``(n_leads, n_samples)`` in mV cannot be analysed, or None."""
    if fs < MIN_FS:
        return f"sampling rate {fs:g} Hz is below the minimum of {MIN_FS:g} Hz"
    n = x.shape[-1]
    if n < MIN_DURATION_S * fs:
        return (
            f"record lasts {n / fs:.2f} s; at least {MIN_DURATION_S:g} s "
            f"({int(np.ceil(MIN_DURATION_S * fs))} samples at {fs:g} Hz) are needed"
        )
    finite = np.isfinite(x)
    if not finite.all():
        bad = [f"{leads[i]} ({int(c)})" for i, c in enumerate((~finite).sum(axis=-1)) if c]
        return f"non-finite samples (NaN or inf) in lead(s) {', '.join(bad)}; fill or drop them"
    # Plausibility on a subsample keeps this cheap for 24 h recordings.
    step = max(1, n // 50_000)
    sub = x[:, ::step]
    lo, med, hi = np.percentile(sub, [0.5, 50.0, 99.5], axis=-1)
    spread = hi - lo
    flat = [leads[i] for i in np.flatnonzero(spread < FLAT_MV)]
    if flat:
        return (
            f"flat lead(s) {', '.join(flat)} (range < {FLAT_MV} mV); drop them, "
            "e.g. ecg[[names of the good leads]]"
        )
    deviation = np.maximum(hi - med, med - lo)
    huge = [
        f"{leads[i]} ({deviation[i]:.3g})" for i in np.flatnonzero(deviation > MAX_PLAUSIBLE_MV)
    ]
    if huge:
        return (
            f"implausible amplitude in lead(s) {', '.join(huge)} mV (> {MAX_PLAUSIBLE_MV:g} mV "
            "from baseline); if the signal is in microvolts create the ECG with units='uV'"
        )
    # Saturation flattens the top (or bottom) of many beats: the extreme value recurs
    # in several separate runs. A single run (flat record start) is not clipping.
    clipped = []
    for i in range(x.shape[0]):
        for rail in (x[i].max(), x[i].min()):
            if abs(rail - med[i]) < 0.5 * spread[i]:
                continue  # an exactly flat baseline (synthetic signals) is not a rail
            at_rail = x[i] == rail
            if np.count_nonzero(at_rail) < max(10, 0.01 * n):
                continue
            starts = np.flatnonzero(np.diff(at_rail.astype(np.int8)) == 1)
            if starts.size >= 3:
                clipped.append(leads[i])
                break
    if clipped:
        return (
            f"clipped (saturated) lead(s) {', '.join(clipped)}: many samples sit at the "
            "extreme value; drop them or re-record with a larger range"
        )
    return None


def validate_record(ecg: ECG) -> tuple[np.ndarray, float, tuple[str, ...]]:
    """Check one record and return ``(signal as float64 mV, fs, leads)``.

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        If it is a batch, or for any problem found by :func:`record_problem`.
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
    problem = record_problem(x, float(ecg.fs), ecg.leads)
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
