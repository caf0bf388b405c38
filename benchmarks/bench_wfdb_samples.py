"""``et.read`` against the WFDB package's own sample records, sample for sample.

The corpus is the ``sample-data`` folder of the public repository MIT-LCP/wfdb-python
(every storage format, FLAC, skew, frames, byte offsets, fixed- and variable-layout
multi-segment records, MIMIC numerics, EEG, sleep and fetal records). It is not kept
in this repository; fetch it once, for example::

    git clone --depth 1 https://github.com/MIT-LCP/wfdb-python /tmp/wfdb-python
    export WFDB_SAMPLE_DATA=/tmp/wfdb-python/sample-data

Each record (every header that is not a segment of another record) is read twice:
with :func:`ecgtoolkit.read` and with ``wfdb.rdrecord`` (physical values; for a record
that ``et.read`` returns at its full rate of several samples per frame, the expanded
``e_p_signal``). The table gives one of:

* ``match``: every kept ECG channel equals wfdb's, converted to mV, sample for sample
  (relative difference at most 1e-9; NaN where wfdb has NaN). Where a lead with several
  samples per frame is averaged to one per frame, within one digital unit: wfdb
  truncates the mean to an integer, ``et.read`` keeps it exact;
* ``refused``: a ``ValueError`` or ``FileNotFoundError`` raised by ecgtoolkit itself,
  with its message;
* ``mismatch``: read, but the rate, length or values differ from wfdb's;
* ``crash``: any other exception, or one raised inside a third-party package.

Run: ``PYTHONPATH=. python benchmarks/bench_wfdb_samples.py [FOLDER]`` (or set
``WFDB_SAMPLE_DATA``). Exits with status 1 if any record crashes or mismatches.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import wfdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.core.leads import normalize_lead_name  # noqa: E402
from ecgtoolkit.core.units import unit_factor  # noqa: E402

RTOL = 1e-9
MESSAGE_WIDTH = 150


def record_headers(folder: Path) -> list[Path]:
    """Every header of a record that is not a segment (or layout) of another header."""
    headers = sorted(folder.rglob("*.hea"))
    segments: set[Path] = set()
    for header in headers:
        lines = [
            line.split()
            for line in header.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if lines and "/" in lines[0][0]:  # a multi-segment record: name/n_segments
            segments.update(header.parent / f"{line[0]}.hea" for line in lines[1:] if line)
    return [header for header in headers if header not in segments]


def storage(stem: Path) -> str:
    """The storage formats of a record, as the table shows them."""
    try:
        header = wfdb.rdheader(str(stem))
    except Exception as err:  # the table reports whatever wfdb makes of the header
        return f"? ({type(err).__name__})"
    if isinstance(header, wfdb.MultiRecord):
        return f"multi-segment, {header.layout} layout"
    formats = sorted(set(header.fmt or []), key=lambda f: int(f) if f.isdigit() else 0)
    return ",".join(formats) or "-"


def reference(
    stem: Path, ecg: et.ECG
) -> tuple[np.ndarray, list[str], list[str], float, np.ndarray]:
    """wfdb's physical signal ``(n_channels, n_samples)``, names, units, rate, tolerance.

    The tolerance (in each channel's units) is 0, or one digital unit for a channel whose
    frames wfdb averages (it truncates each mean to an integer).
    """
    record = wfdb.rdrecord(str(stem))
    spf = np.asarray(record.samps_per_frame or [1] * record.n_sig)
    if spf.max() > 1 and not np.isclose(ecg.fs, record.fs):
        expanded = wfdb.rdrecord(str(stem), smooth_frames=False)
        rate = record.fs * spf
        signals = [
            expanded.e_p_signal[c] if np.isclose(rate[c], ecg.fs) else np.array([])
            for c in range(record.n_sig)
        ]
        length = max(len(s) for s in signals)
        table = np.full((record.n_sig, length), np.nan)
        for c, values in enumerate(signals):
            table[c, : len(values)] = values
        return table, list(record.sig_name), list(record.units), ecg.fs, np.zeros(record.n_sig)
    averaged = np.where(spf > 1, 1.0 / np.abs(np.asarray(record.adc_gain, dtype=float)), 0.0)
    names, units = list(record.sig_name), list(record.units)
    return record.p_signal.T, names, units, float(record.fs), averaged


def compare(stem: Path, ecg: et.ECG) -> str:
    """``""`` if every lead equals wfdb's channel of the same name, else what differs."""
    values, names, units, fs, tolerance = reference(stem, ecg)
    if not np.isclose(fs, ecg.fs):
        return f"fs {ecg.fs:g} Hz, wfdb {fs:g} Hz"
    seen: Counter[str] = Counter()
    channel_of: dict[str, int] = {}
    for channel, name in enumerate(names):
        kept = normalize_lead_name(name) if name.strip() else f"channel {channel + 1}"
        seen[kept] += 1
        channel_of[kept if seen[kept] == 1 else f"{kept} ({seen[kept]})"] = channel
    for lead, row in zip(ecg.leads, ecg.signal, strict=True):
        numbered = re.fullmatch(r"channel (\d+)", lead)
        channel = int(numbered.group(1)) - 1 if numbered else channel_of.get(lead)
        if channel is None:
            return f"lead {lead!r} is no wfdb channel"
        factor = unit_factor(units[channel] or "mV")
        expected = values[channel] * factor
        if expected.shape != row.shape:
            return f"{lead}: {row.size} samples, wfdb {expected.size}"
        if not np.array_equal(np.isnan(expected), np.isnan(row)):
            return f"{lead}: NaN where wfdb has values (or the reverse)"
        atol = tolerance[channel] * factor * (1 + RTOL)
        if not np.allclose(row, expected, rtol=RTOL, atol=atol, equal_nan=True):
            worst = np.nanmax(np.abs(row - expected))
            return f"{lead}: differs from wfdb by up to {worst:.3g} mV"
    return ""


def raised_by_toolkit(err: BaseException) -> bool:
    """Whether the innermost frame of the traceback lies in ecgtoolkit."""
    frames = traceback.extract_tb(err.__traceback__)
    return bool(frames) and f"{os.sep}ecgtoolkit{os.sep}" in frames[-1].filename


def check(header: Path) -> dict[str, str]:
    stem = header.with_suffix("")
    row = {"record": str(stem), "format": storage(stem), "dropped": "", "note": ""}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ecg = et.read(stem)
    except Exception as err:  # every outcome is a row of the table
        clear = isinstance(err, (ValueError, FileNotFoundError)) and raised_by_toolkit(err)
        row["result"] = "refused" if clear else "crash"
        row["note"] = f"{type(err).__name__}: {err}"
        return row
    row["dropped"] = ", ".join(ecg.meta.get("dropped_channels", []))
    row["note"] = " | ".join(str(w.message) for w in caught)
    try:
        problem = compare(stem, ecg)
    except Exception as err:  # wfdb cannot read what et.read read
        row["result"] = "mismatch"
        row["note"] = f"wfdb fails: {type(err).__name__}: {err}"
        return row
    row["result"] = "mismatch" if problem else "match"
    row["note"] = problem or f"{ecg.n_leads} leads at {ecg.fs:g} Hz; " + row["note"]
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", nargs="?", default=os.environ.get("WFDB_SAMPLE_DATA"), type=Path,
        help="the sample-data folder of wfdb-python (default: $WFDB_SAMPLE_DATA)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.folder is None or not args.folder.is_dir():
        parser.error("give the sample-data folder of wfdb-python (or set WFDB_SAMPLE_DATA)")
    rows = [check(header) for header in record_headers(args.folder)]
    print(f"{'record':44} {'format':32} {'result':9} dropped | note")
    for row in rows:
        record = str(Path(row["record"]).relative_to(args.folder))
        note = " ".join(row["note"].split())[:MESSAGE_WIDTH]
        dropped = f"[{row['dropped']}] " if row["dropped"] else ""
        print(f"{record:44} {row['format'][:32]:32} {row['result']:9} {dropped}{note}")
    counts = Counter(row["result"] for row in rows)
    print()
    print(
        f"{len(rows)} records: "
        + ", ".join(f"{counts[k]} {k}" for k in ("match", "refused", "mismatch", "crash"))
    )
    return 1 if counts["mismatch"] or counts["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
