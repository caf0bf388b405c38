"""CSV: a ``time_s`` column, then one column per lead in mV."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..core.ecg import ECG
from ._channels import ecg_channels, no_ecg_error, warn_dropped
from ._files import MIN_READ_FS, check_given, file_fs, given_fs, load_numbers, select_leads


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
    """A CSV record: a header line of column names, then rows of numbers.

    A UTF-8 byte-order mark (as Excel writes) is skipped. A first column ``time_s`` gives
    the sampling rate and must step uniformly; columns that are not ECG (``RESP``,
    ``ABP``, ...) are left out with a warning.
    """
    with open(path, encoding="utf-8-sig") as handle:
        try:
            first = handle.readline()
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{path.name!r} is not UTF-8 text ({err.reason} at byte {err.start}); save "
                "it as UTF-8 (or plain ASCII)"
            ) from None
        header = [name.strip().strip('"').strip() for name in first.split(",")]
        if not first.strip():
            raise ValueError(
                f"{path.name!r} is empty or starts with a blank line; a CSV record starts "
                "with a line of column names (time_s,I,II,...)"
            )
        if all(_is_number(name) for name in header):
            raise ValueError(
                f"{path.name!r} starts with a row of numbers, not of column names; add a "
                "first line naming the columns (time_s,I,II,... or the lead names)"
            )
        table = load_numbers(handle, path, delimiter=",")
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
    keep, dropped = ecg_channels(names)
    if not keep:
        raise no_ecg_error(repr(path.name), names, dropped)
    warn_dropped(repr(path.name), dropped, stacklevel=3)
    if fs is None:
        raise ValueError(
            f"{path.name!r} has no time_s column with two or more samples to infer the "
            "sampling rate from; pass fs= in Hz"
        )
    ecg = ECG(values[:, keep].T, fs=fs, leads=[names[c] for c in keep])
    ecg.meta["dropped_channels"] = dropped
    return select_leads(ecg, leads, path)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _fs_from_times(times: np.ndarray, path: Path) -> float | None:
    """Sampling rate from a column of sample times, snapped to a whole Hz when close.

    The times must step uniformly: each step within half a sampling period of the
    median step. That finds any missing row (a step of two periods or more) while it
    allows times written to fewer digits than the period needs (``%.10g``, as
    :func:`payloads` writes, is exact to 1e-9 relative; times in whole ms at 360 Hz
    step by 2 or 3 ms, within 28 % of the period).
    """
    if times.size < 2:
        return None
    if not np.isfinite(times).all():
        row = int(np.flatnonzero(~np.isfinite(times))[0])
        raise ValueError(
            f"{path.name!r}: the time_s column holds {times[row]} at data row {row + 1}; "
            "every row needs its time in seconds"
        )
    steps = np.diff(times)
    period = float(np.median(steps))
    if not period > 0:
        raise ValueError(f"{path.name!r}: the time_s column does not increase")
    off = np.flatnonzero(np.abs(steps - period) > 0.5 * period)
    if off.size:
        row = int(off[0])
        raise ValueError(
            f"{path.name!r}: the time_s column is not uniform: it steps from "
            f"{times[row]:.10g} s (data row {row + 1}) to {times[row + 1]:.10g} s (data row "
            f"{row + 2}), {steps[row] / period:.4g} sampling periods of {period:.6g} s; rows "
            "are missing or out of order. A record needs every sample: repair the file, or "
            "delete the time_s column and pass fs= to read the rows as consecutive samples"
        )
    estimate = (times.size - 1) / (times[-1] - times[0])
    whole = round(estimate)
    if whole > 0 and abs(estimate - whole) <= 1e-6 * estimate:
        estimate = float(whole)
    else:
        estimate = float(f"{estimate:.9g}")
    hint = "Is time_s in milliseconds? It must be in seconds" if estimate < MIN_READ_FS else ""
    return file_fs(estimate, path, "from its time_s column", hint)
