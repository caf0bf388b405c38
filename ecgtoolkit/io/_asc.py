"""deepfake-ecg's ASCII files: integers in µV, 8 columns I, II, V1–V6, 500 Hz."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..core.ecg import ECG
from ..core.leads import GENERATED_LEADS
from ._files import check_given, given_fs, load_numbers, select_leads

# deepfake-ecg writes 10 s at 500 Hz, in µV, leads in this order.
FS = 500.0


def payloads(signal_mv: np.ndarray, fs: float, leads: Sequence[str]) -> str:
    """Return deepfake-ecg text: rows of 8 integers in µV, leads I, II, V1–V6."""
    missing = [name for name in GENERATED_LEADS if name not in leads]
    if missing or float(fs) != FS:
        raise ValueError(
            f"the asc format holds leads {', '.join(GENERATED_LEADS)} at 500 Hz; this record "
            + (f"lacks {', '.join(missing)}" if missing else f"is sampled at {fs:g} Hz")
            + "; use format='npz' (or resample / choose another format)"
        )
    rows = [list(leads).index(name) for name in GENERATED_LEADS]
    microvolts = np.rint(np.multiply(signal_mv[rows], 1000.0, dtype=np.float64))
    if not np.isfinite(microvolts).all():
        raise ValueError("the asc format holds integers only, no NaN or infinity; use format='npz'")
    return integer_table(microvolts.T.astype(np.int64)).decode("ascii")


def integer_table(values: np.ndarray) -> bytes:
    """Rows of integers as text: ``" "`` between columns, ``"\\n"`` after each row.

    The same bytes as joining ``str(v)``, built with array operations: every number is
    laid out right-aligned in a fixed-width grid (sign, digits, separator) and the
    unused cells are dropped, several times faster than formatting numbers one by one.
    """
    flat = values.reshape(-1).astype(np.int64)
    if flat.size == 0:
        return b""
    magnitude = np.abs(flat)
    n_digits = int(len(str(int(magnitude.max()))))
    digits = 1 + sum((magnitude >= 10**k).astype(np.int64) for k in range(1, n_digits))
    negative = flat < 0
    width = n_digits + 2  # sign, digits, separator
    grid = np.zeros((flat.size, width), dtype=np.uint8)
    remaining = magnitude.copy()
    for column in range(width - 2, 0, -1):  # least significant digit last but one
        grid[:, column] = remaining % 10 + ord("0")
        remaining //= 10
    first = width - 1 - digits  # column of the leading digit
    grid[np.arange(flat.size), first - 1] = np.where(negative, ord("-"), 0)
    separators = np.full(values.shape, ord(" "), dtype=np.uint8)
    separators[..., -1] = ord("\n")
    grid[:, -1] = separators.reshape(-1)
    keep = np.arange(width) >= (first - negative)[:, None]
    return grid[keep].tobytes()


def read(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    with open(path, encoding="utf-8-sig") as handle:
        values = load_numbers(handle, path)
    if values.shape[1] != len(GENERATED_LEADS):
        raise ValueError(
            f"{path.name!r} has {values.shape[1]} columns; a deepfake-ecg .asc file has 8 "
            f"({', '.join(GENERATED_LEADS)})"
        )
    check_given("fs", given_fs(fs), FS, path)
    return select_leads(ECG(values.T, fs=FS, leads=GENERATED_LEADS, units="uV"), leads, path)
