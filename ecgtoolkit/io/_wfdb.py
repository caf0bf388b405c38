"""WFDB format 16: writing (``.dat`` + ``.hea``); reading is in ``_wfdb_read``."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._files import write_payloads

# WFDB format 16 stores int16; -32768 is reserved for invalid (missing) samples.
GAIN = 1000.0  # adu per mV: a resolution of 1 µV


INVALID = -32768  # the "no sample" value of WFDB's 16-bit formats


MAX_ADU = 32767


RECORD_NAME = re.compile(r"[-\w]+", re.ASCII)


def payloads(
    signal_mv: np.ndarray,
    fs: float,
    leads: Sequence[str],
    record_name: str,
    meta: Mapping[str, Any] | None,
) -> list[bytes | str]:
    """Return the ``.dat`` bytes and ``.hea`` text of a format-16 WFDB record."""
    digital = to_adu(signal_mv, leads)
    checksums, initial = checks(digital)
    header = header_text(record_name, fs, leads, digital.shape[-1], initial, checksums, meta)
    return [digital.T.tobytes(), header]  # C order of (n_samples, n_leads): interleaved


def write_batch(
    signals_mv: np.ndarray,
    fs: float,
    leads: Sequence[str],
    stems: Sequence[Path],
    *,
    overwrite: bool,
    metas: Sequence[Mapping[str, Any] | None],
) -> None:
    """Write records ``signals_mv[i]`` to ``stems[i]``, converting the batch at once."""
    digital = to_adu_interleaved(signals_mv, leads)  # (records, samples, leads)
    checksums, initial = checks(np.moveaxis(digital, 1, 2))
    n_samples = digital.shape[1]
    for i, (stem, meta) in enumerate(zip(stems, metas, strict=True)):
        text = header_text(stem.name, fs, leads, n_samples, initial[i], checksums[i], meta)
        base = os.fspath(stem)
        targets = [Path(base + suffix) for suffix in (".dat", ".hea")]
        write_payloads(targets, [digital[i].data, text], overwrite)


def to_adu(signal_mv: np.ndarray, leads: Sequence[str], gain: float = GAIN) -> np.ndarray:
    """mV ``(..., n_leads, n_samples)`` -> int16 samples at 1000 adu/mV, NaN -> invalid.

    ``gain=1.0`` marks input already scaled to adu in a float64 array (it is then
    rounded in place). The result keeps the input's memory layout.
    """
    # float64 keeps the rounding exact (float32 has ~0.002 adu error near full scale).
    if gain == 1.0 and signal_mv.dtype == np.float64:
        adu = signal_mv
    else:
        adu = np.multiply(signal_mv, gain, dtype=np.float64)
    np.rint(adu, out=adu)
    # max/min are NaN if any sample is; only then is the slower, masked check needed.
    if not (-MAX_ADU <= adu.min() and adu.max() <= MAX_ADU):
        out_of_range = (adu > MAX_ADU) | (adu < -MAX_ADU)
        if out_of_range.any():
            per_lead = out_of_range.reshape(-1, *out_of_range.shape[-2:]).any(axis=(0, 2))
            row = int(np.nonzero(per_lead)[0][0])
            worst = np.nanmax(np.abs(adu[..., row, :][out_of_range[..., row, :]])) / GAIN
            raise ValueError(
                f"lead {leads[row]} reaches {worst:g} mV, outside the ±32.767 mV that WFDB "
                "format 16 holds at 1 µV resolution; use format='npz' instead"
            )
        adu[np.isnan(adu)] = INVALID
    return adu.astype("<i2", order="K")


def to_adu_interleaved(signals_mv: np.ndarray, leads: Sequence[str]) -> np.ndarray:
    """mV ``(records, n_leads, n_samples)`` -> int16 ``(records, n_samples, n_leads)``.

    The transposition happens in the first pass (strided read, contiguous write), so
    the interleaved file layout costs no extra copy.
    """
    records, n_leads, n_samples = signals_mv.shape
    adu = np.empty((records, n_samples, n_leads), dtype=np.float64)
    np.multiply(np.swapaxes(signals_mv, 1, 2), GAIN, out=adu)
    return to_adu(np.swapaxes(adu, 1, 2), leads, gain=1.0).swapaxes(1, 2)


def checks(digital: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Header checksums (16-bit two's-complement sums per lead) and first samples."""
    # An int16 accumulator wraps around exactly as the 16-bit checksum does.
    return digital.sum(axis=-1, dtype=np.int16), digital[..., 0]


def header_text(
    record_name: str,
    fs: float,
    leads: Sequence[str],
    n_samples: int,
    initial: np.ndarray,
    checksums: np.ndarray,
    meta: Mapping[str, Any] | None,
) -> str:
    if not RECORD_NAME.fullmatch(record_name):
        raise ValueError(
            f"WFDB record name {record_name!r} may hold only letters, digits, '_' and '-'; "
            "rename the file"
        )
    file_name = f"{record_name}.dat"
    rate = np.format_float_positional(float(fs), trim="-")  # shortest exact, no exponent
    lines = [f"{record_name} {len(leads)} {rate} {n_samples}"]
    lines += [
        f"{file_name} 16 1000(0)/mV 16 0 {first} {check} 0 {lead}"
        for first, check, lead in zip(initial.tolist(), checksums.tolist(), leads, strict=True)
    ]
    comments = (meta or {}).get("comments")
    if isinstance(comments, (list, tuple)):
        lines += ["# " + line for c in comments for line in str(c).splitlines()]
    return "\n".join(lines) + "\n"
