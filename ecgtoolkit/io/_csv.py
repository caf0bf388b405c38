"""CSV: a ``time_s`` column, then one column per lead in mV."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..core.ecg import ECG
from ._files import check_given, given_fs, select_leads


def payloads(signal_mv: np.ndarray, fs: float, leads: Sequence[str]) -> str:
    """Return the CSV text: ``time_s`` (10 significant digits) and leads in mV."""
    n_samples = signal_mv.shape[1]
    table = np.empty((n_samples, 1 + len(leads)))
    table[:, 0] = np.arange(n_samples) / float(fs)
    table[:, 1:] = signal_mv.T
    row = ",".join(["%.10g"] + ["%.4f"] * len(leads))
    body = "\n".join([row % tuple(values) for values in table.tolist()])
    return "time_s," + ",".join(leads) + "\n" + body + "\n"


def read(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    with open(path, encoding="utf-8") as handle:
        header = [name.strip() for name in handle.readline().split(",")]
    table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64)
    if table.shape[1] != len(header):
        raise ValueError(
            f"{path.name!r}: the header has {len(header)} columns but the rows have "
            f"{table.shape[1]}"
        )
    if header[0].lower() == "time_s":
        times, values, names = table[:, 0], table[:, 1:], header[1:]
        found_fs = _fs_from_times(times, path)
        if found_fs is not None:
            check_given("fs", given_fs(fs), found_fs, path)
            fs = found_fs
    else:
        values, names = table, header
    if fs is None:
        raise ValueError(
            f"{path.name!r} has no time_s column with two or more samples to infer the "
            "sampling rate from; pass fs= in Hz"
        )
    return select_leads(ECG(values.T, fs=fs, leads=names), leads, path)


def _fs_from_times(times: np.ndarray, path: Path) -> float | None:
    """Sampling rate from a column of sample times, snapped to a whole Hz when close."""
    if times.size < 2:
        return None
    span = times[-1] - times[0]
    if not span > 0:
        raise ValueError(f"{path.name!r}: the time_s column does not increase")
    estimate = (times.size - 1) / span
    whole = round(estimate)
    if whole > 0 and abs(estimate - whole) <= 1e-6 * estimate:
        return float(whole)
    return float(f"{estimate:.9g}")
