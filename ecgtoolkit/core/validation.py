"""Argument checks shared by every public entry point: one message, one exception type each.

The convention: an argument of the wrong type raises :class:`TypeError`, one of the right
type with a wrong value :class:`ValueError`. Checks run once, at the public entry point.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ecg import ECG

__all__ = [
    "MIN_DURATION_S",
    "MIN_FS",
    "check_int",
    "check_n_jobs",
    "check_positive",
    "count",
    "record_id",
    "record_problem",
    "validate_record",
]

#: Lowest sampling rate accepted for analysis (Hz): below it the QRS is undersampled.
MIN_FS = 100.0
#: Shortest record accepted for analysis (s): fewer than two beats give no RR interval.
MIN_DURATION_S = 2.0


def check_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """``value`` as an int, checked against ``minimum``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (``bool`` is not).
    ValueError
        If it is below ``minimum``.

    Examples
    --------
    >>> check_int(3, "n", minimum=1)
    3
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        limit = {0: "zero or positive", 1: "a positive integer"}.get(minimum, f"at least {minimum}")
        raise ValueError(f"{name} must be {limit}, got {value}")
    return int(value)


def count(value: Any, name: str = "n") -> int:
    """``value`` as a positive number of ECGs (TypeError for a non-integer, ValueError ≤ 0)."""
    return check_int(value, name, minimum=1)


def record_id(value: Any, name: str = "start_id") -> int:
    """``value`` as a non-negative int (a record id)."""
    return check_int(value, name, minimum=0)


def check_n_jobs(n_jobs: Any) -> int:
    """The number of CPU cores to use: ``None`` means all of them.

    Examples
    --------
    >>> check_n_jobs(1)
    1
    """
    if n_jobs is None:
        from loky import cpu_count

        return int(cpu_count())
    return check_int(n_jobs, "n_jobs", minimum=1)


def check_positive(value: Any, name: str) -> float:
    """``value`` as a finite positive float.

    Raises
    ------
    TypeError
        If ``value`` is not a number.
    ValueError
        If it is not finite or not positive.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def record_problem(n_samples: int, fs: float) -> str | None:
    """Why a record of this length and rate cannot be analysed at all, or None.

    Problems of single leads (flat, noisy, NaN, clipped) are not record problems: see
    :func:`ecgtoolkit.signal.quality.lead_checks`.

    Examples
    --------
    >>> record_problem(5000, 500.0) is None, record_problem(5000, 50.0)
    (True, 'sampling rate 50 Hz is below the minimum of 100 Hz')
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
    """Check one record for analysis and return ``(signal as float64 mV, fs, leads)``.

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
