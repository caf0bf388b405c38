"""Read and write ECG records: WFDB, CSV, deepfake-ecg ASCII, NumPy ``.npy``/``.npz``, MATLAB.

:func:`write` stores one :class:`~ecgtoolkit.ECG` record; :func:`read` loads one record
from any of the formats below (and from the CPSC challenges' MATLAB files and GE MUSE
XML exports, which it reads only).

======  ====================  =========================================================
format  files                 content
======  ====================  =========================================================
wfdb    ``.dat``, ``.hea``    WFDB format 16 (little-endian int16, interleaved), gain
                              1000 adu/mV, readable by PhysioNet tools and ``wfdb``
                              (Moody G.B., WFDB Applications Guide; Goldberger et al.,
                              Circulation 101(23), 2000, doi 10.1161/01.CIR.101.23.e215)
csv     ``.csv``              ``time_s`` column then one column per lead, in mV
asc     ``.asc``              deepfake-ecg output: integers in µV, one row per sample,
                              8 columns I, II, V1–V6, 500 Hz (Thambawita et al., Sci Rep
                              11, 21896, 2021, doi 10.1038/s41598-021-01295-2)
npy     ``.npy``              float32 array ``(n_leads, n_samples)`` in mV, nothing else
npz     ``.npz``              signal (float32 mV), fs, leads, units and JSON metadata
xml     ``.xml``              read only: GE MUSE ``RestingECG`` export, base64 int16
                              leads I, II, V1–V6 (rhythm strip and median beats), the
                              machine's measurements and statements
======  ====================  =========================================================

Every file is written atomically: first to a hidden temporary file in the target folder,
then renamed over the target, so a reader never sees a half-written file and a failed
write leaves nothing behind. The rename is not followed by ``fsync``: files are safe from
crashes of the writing process, not from a power cut of the machine.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io as _bytes_io
import json
import os
import re
import threading
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .ecg import ECG, _unit_factor
from .leads import GENERATED_LEADS, STANDARD_LEADS, normalize_lead_name, normalize_lead_names

__all__ = ["read", "write"]

#: Files each format writes, by suffix; the last one is written last, so its presence
#: means that the record is complete.
FORMATS: dict[str, tuple[str, ...]] = {
    "wfdb": (".dat", ".hea"),
    "csv": (".csv",),
    "asc": (".asc",),
    "npy": (".npy",),
    "npz": (".npz",),
}

# WFDB format 16 stores int16; -32768 is reserved for invalid (missing) samples.
_WFDB_GAIN = 1000.0  # adu per mV: a resolution of 1 µV
_WFDB_INVALID = -32768
_WFDB_MAX_ADU = 32767
_WFDB_RECORD_NAME = re.compile(r"[-\w]+", re.ASCII)

# deepfake-ecg writes 10 s at 500 Hz, in µV, leads in this order.
_ASC_FS = 500.0

_SUFFIX_TO_FORMAT = {".hea": "wfdb", ".dat": "wfdb", ".csv": "csv", ".asc": "asc",
                     ".npy": "npy", ".npz": "npz"}  # fmt: skip
_READ_SUFFIXES = (
    "a WFDB record (stem, .hea or .dat), .csv, .asc, .npy, .npz, .mat or .xml (GE MUSE)"
)


# -- writing -----------------------------------------------------------------------------
def write(
    ecg: ECG,
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    overwrite: bool = False,
) -> list[Path]:
    """Write one ECG record to disk.

    Parameters
    ----------
    ecg : ECG
        One record ``(n_leads, n_samples)``, in mV. A batch must be written record by
        record (or with :func:`ecgtoolkit.generate_to`).
    path : str or path-like
        Target file. For WFDB give the record stem (``out/rec001``) or the ``.hea`` name;
        the record name inside the header is the file stem.
    format : {"wfdb", "csv", "asc", "npy", "npz"}, optional
        File format; inferred from the suffix of ``path`` when omitted (``.hea``,
        ``.dat`` or no suffix: ``"wfdb"``).

        - ``"wfdb"``: WFDB format 16 at 1 µV resolution; values must lie within
          ±32.767 mV. NaN samples are stored as WFDB's invalid value and read back as NaN.
        - ``"csv"``: ``time_s`` (s) and one column per lead (mV, 4 decimals).
        - ``"asc"``: deepfake-ecg text format; needs leads I, II, V1–V6 at 500 Hz (other
          leads are left out, as they follow from these).
        - ``"npy"``: the float32 signal only; fs and leads must be given when reading.
        - ``"npz"``: self-describing (signal, fs, leads, units, metadata as JSON).
    overwrite : bool
        Replace existing files. Default ``False``: refuse.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order written (for WFDB: ``.dat`` then ``.hea``).

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        For a batch, an unknown format, a suffix that contradicts ``format``, values that
        the format cannot hold, or (``asc``) missing leads or a rate other than 500 Hz.
    FileExistsError
        If a target exists and ``overwrite`` is false.
    FileNotFoundError
        If the target folder does not exist.
    PermissionError
        If the target folder is not writable.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import ecgtoolkit as et
    >>> t = np.arange(5000) / 500
    >>> ecg = et.ECG(np.sin(2 * np.pi * t) * np.ones((12, 1)), fs=500, leads=et.STANDARD_LEADS)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     files = et.write(ecg, Path(folder) / "rec001")
    ...     back = et.read(Path(folder) / "rec001")
    >>> [f.name for f in files]
    ['rec001.dat', 'rec001.hea']
    >>> back
    <ECG | 12 leads × 5000 samples (10 s at 500 Hz), mV>
    >>> bool(np.abs(back.signal - ecg.signal).max() <= 0.0005)
    True
    """
    if not isinstance(ecg, ECG):
        raise TypeError(
            f"write() takes an ECG, got {type(ecg).__name__}; "
            "wrap an array with et.ECG(signal, fs=..., leads=...)"
        )
    if ecg.is_batch:
        raise ValueError(
            f"write() stores one record, got a batch of {ecg.n_records}; write the records "
            "one by one (for i, rec in enumerate(batch): et.write(rec, f'out/rec{i:05d}')) "
            "or use et.generate_to"
        )
    path = Path(path)
    fmt, stem = _format_and_stem(path, format)
    return _write_signal(
        ecg.signal, ecg.fs, ecg.leads, stem, fmt, overwrite=overwrite, meta=ecg.meta
    )


def _format_and_stem(path: Path, format: str | None) -> tuple[str, Path]:
    """Resolve the format to write and the path without its format suffix."""
    suffix = path.suffix.lower()
    inferred = _SUFFIX_TO_FORMAT.get(suffix)
    if format is None:
        if inferred is None and suffix:
            raise ValueError(
                f"cannot tell the format of {path.name!r} from its suffix {suffix!r}; "
                f"pass format= one of {', '.join(map(repr, FORMATS))}"
            )
        format = inferred or "wfdb"
    elif not isinstance(format, str) or format.lower() not in FORMATS:
        raise ValueError(
            f"unknown format {format!r}; choose one of {', '.join(map(repr, FORMATS))}"
        )
    format = format.lower()
    if inferred is not None and inferred != format:
        raise ValueError(
            f"{path.name!r} has the suffix of format {inferred!r} but format={format!r} was "
            f"given; use the suffix {FORMATS[format][-1]!r} or no suffix"
        )
    stem = path.with_suffix("") if inferred is not None else path
    return format, stem


def _write_signal(
    signal_mv: np.ndarray,
    fs: float,
    leads: tuple[str, ...],
    stem: Path,
    format: str,
    *,
    overwrite: bool,
    meta: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write one record given as a raw array; the engine behind :func:`write`.

    Meant for callers that already hold validated arrays (batch generation), so it checks
    only what the format needs.

    Parameters
    ----------
    signal_mv : numpy.ndarray
        ``(n_leads, n_samples)``, float, in mV.
    fs : float
        Sampling rate in Hz.
    leads : tuple of str
        Standard lead names, one per row.
    stem : pathlib.Path
        Target path without suffix; the format's suffixes (:data:`FORMATS`) are appended.
    format : str
        A key of :data:`FORMATS`.
    overwrite : bool
        Replace existing files.
    meta : mapping, optional
        Metadata: stored as JSON by ``npz``; ``meta["comments"]`` (list of str) becomes
        comment lines of a WFDB header.

    Returns
    -------
    list of pathlib.Path
        The files written, in order; the last one marks a complete record.
    """
    try:
        suffixes = FORMATS[format]
    except KeyError:
        raise ValueError(
            f"unknown format {format!r}; choose one of {', '.join(map(repr, FORMATS))}"
        ) from None
    signal_mv = np.asarray(signal_mv)
    if signal_mv.ndim != 2 or signal_mv.shape[0] != len(leads) or signal_mv.shape[1] < 1:
        raise ValueError(
            f"signal of shape {signal_mv.shape} does not fit {len(leads)} leads; "
            "expected (n_leads, n_samples) with n_samples >= 1"
        )
    targets = [stem.with_name(stem.name + suffix) for suffix in suffixes]
    _check_targets(stem, targets, overwrite)
    if format == "wfdb":
        payloads = _wfdb_payloads(signal_mv, fs, leads, stem.name, meta)
    elif format == "csv":
        payloads = [_csv_text(signal_mv, fs, leads)]
    elif format == "asc":
        payloads = [_asc_text(signal_mv, fs, leads)]
    elif format == "npy":
        payloads = [_npy_bytes(signal_mv)]
    else:
        payloads = [_npz_bytes(signal_mv, fs, leads, meta)]
    return _write_payloads(targets, payloads, overwrite)


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise FileNotFoundError(
            f"folder {str(folder)!r} does not exist; create it first "
            "(Path(folder).mkdir(parents=True))"
        )


def _check_targets(stem: Path, targets: list[Path], overwrite: bool) -> None:
    _check_folder(stem.parent)
    if not overwrite:
        for target in targets:
            if target.exists():
                raise FileExistsError(f"{str(target)!r} exists; pass overwrite=True to replace it")


def _write_payloads(targets: list[Path], payloads: list[Any], overwrite: bool) -> list[Path]:
    """Write each payload atomically, in order; on failure remove what this call wrote."""
    if overwrite and len(targets) > 1:
        # Remove the completion marker first, so that it never sits next to files of
        # another version of the record.
        targets[-1].unlink(missing_ok=True)
    written: list[Path] = []
    try:
        for target, payload in zip(targets, payloads, strict=True):
            _atomic_write(target, payload, overwrite=overwrite)
            written.append(target)
    except BaseException:
        for done in written:
            with contextlib.suppress(OSError):
                done.unlink()
        raise
    return written


def _write_batch(
    signals_mv: np.ndarray,
    fs: float,
    leads: tuple[str, ...],
    stems: Sequence[Path],
    format: str,
    *,
    overwrite: bool,
    metas: Sequence[Mapping[str, Any] | None] | None = None,
) -> None:
    """Write records ``signals_mv[i]`` (``(n_records, n_leads, n_samples)``, mV) to ``stems[i]``.

    Same files as :func:`_write_signal` record by record; for WFDB the conversion to
    16-bit samples, checksums and interleaving run once for the whole batch.
    """
    metas = metas if metas is not None else [None] * len(stems)
    if format != "wfdb":
        for signal, stem, meta in zip(signals_mv, stems, metas, strict=True):
            _write_signal(signal, fs, leads, stem, format, overwrite=overwrite, meta=meta)
        return
    if len(stems) == 0:
        return
    _check_folder(stems[0].parent)  # once per batch; each write checks its own target
    digital = _wfdb_digital_interleaved(signals_mv, leads)  # (records, samples, leads)
    checksums, initial = _wfdb_checks(np.moveaxis(digital, 1, 2))
    n_samples = digital.shape[1]
    for i, (stem, meta) in enumerate(zip(stems, metas, strict=True)):
        name = stem.name
        header = _wfdb_header(name, fs, leads, n_samples, initial[i], checksums[i], meta)
        base = os.fspath(stem)
        targets = [Path(base + suffix) for suffix in FORMATS["wfdb"]]
        _write_payloads(targets, [digital[i].data, header], overwrite)


def _atomic_write(path: Path, data: bytes | memoryview | str, *, overwrite: bool) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The temporary file ``.NAME.tmp-<pid>-<thread>`` lies in the target folder (a rename
    is atomic only within one file system) and is removed if anything fails, so either
    the complete new file or the previous state is on disk.

    Parameters
    ----------
    path : pathlib.Path
        Target file.
    data : bytes, memoryview or str
        Content; text is encoded as UTF-8.
    overwrite : bool
        Replace an existing ``path``; otherwise raise :class:`FileExistsError`.
    """
    path = os.fspath(path)
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(f"{path!r} exists; pass overwrite=True to replace it")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, PermissionError):
            raise PermissionError(
                err.errno,
                f"cannot write {path!r} ({err.strerror}); choose a folder you can write to",
            ) from err
        if isinstance(err, FileNotFoundError) and not os.path.isdir(folder or "."):
            raise FileNotFoundError(
                err.errno,
                f"folder {folder!r} does not exist; create it first "
                "(Path(folder).mkdir(parents=True))",
            ) from err
        raise


def _wfdb_payloads(
    signal_mv: np.ndarray,
    fs: float,
    leads: Sequence[str],
    record_name: str,
    meta: Mapping[str, Any] | None,
) -> list[bytes | str]:
    """Return the ``.dat`` bytes and ``.hea`` text of a format-16 WFDB record."""
    digital = _wfdb_digital(signal_mv, leads)
    checksums, initial = _wfdb_checks(digital)
    header = _wfdb_header(record_name, fs, leads, digital.shape[-1], initial, checksums, meta)
    return [digital.T.tobytes(), header]  # C order of (n_samples, n_leads): interleaved


def _wfdb_digital(
    signal_mv: np.ndarray, leads: Sequence[str], gain: float = _WFDB_GAIN
) -> np.ndarray:
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
    if not (-_WFDB_MAX_ADU <= adu.min() and adu.max() <= _WFDB_MAX_ADU):
        out_of_range = (adu > _WFDB_MAX_ADU) | (adu < -_WFDB_MAX_ADU)
        if out_of_range.any():
            per_lead = out_of_range.reshape(-1, *out_of_range.shape[-2:]).any(axis=(0, 2))
            row = int(np.nonzero(per_lead)[0][0])
            worst = np.nanmax(np.abs(adu[..., row, :][out_of_range[..., row, :]])) / _WFDB_GAIN
            raise ValueError(
                f"lead {leads[row]} reaches {worst:g} mV, outside the ±32.767 mV that WFDB "
                "format 16 holds at 1 µV resolution; use format='npz' instead"
            )
        adu[np.isnan(adu)] = _WFDB_INVALID
    return adu.astype("<i2", order="K")


def _wfdb_digital_interleaved(signals_mv: np.ndarray, leads: Sequence[str]) -> np.ndarray:
    """mV ``(records, n_leads, n_samples)`` -> int16 ``(records, n_samples, n_leads)``.

    The transposition happens in the first pass (strided read, contiguous write), so
    the interleaved file layout costs no extra copy.
    """
    records, n_leads, n_samples = signals_mv.shape
    adu = np.empty((records, n_samples, n_leads), dtype=np.float64)
    np.multiply(np.swapaxes(signals_mv, 1, 2), _WFDB_GAIN, out=adu)
    return _wfdb_digital(np.swapaxes(adu, 1, 2), leads, gain=1.0).swapaxes(1, 2)


def _wfdb_checks(digital: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Header checksums (16-bit two's-complement sums per lead) and first samples."""
    # An int16 accumulator wraps around exactly as the 16-bit checksum does.
    return digital.sum(axis=-1, dtype=np.int16), digital[..., 0]


def _wfdb_header(
    record_name: str,
    fs: float,
    leads: Sequence[str],
    n_samples: int,
    initial: np.ndarray,
    checksums: np.ndarray,
    meta: Mapping[str, Any] | None,
) -> str:
    if not _WFDB_RECORD_NAME.fullmatch(record_name):
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


def _csv_text(signal_mv: np.ndarray, fs: float, leads: Sequence[str]) -> str:
    """Return the CSV text: ``time_s`` (10 significant digits) and leads in mV."""
    n_samples = signal_mv.shape[1]
    table = np.empty((n_samples, 1 + len(leads)))
    table[:, 0] = np.arange(n_samples) / float(fs)
    table[:, 1:] = signal_mv.T
    row = ",".join(["%.10g"] + ["%.4f"] * len(leads))
    body = "\n".join([row % tuple(values) for values in table.tolist()])
    return "time_s," + ",".join(leads) + "\n" + body + "\n"


def _asc_text(signal_mv: np.ndarray, fs: float, leads: Sequence[str]) -> str:
    """Return deepfake-ecg text: rows of 8 integers in µV, leads I, II, V1–V6."""
    missing = [name for name in GENERATED_LEADS if name not in leads]
    if missing or float(fs) != _ASC_FS:
        raise ValueError(
            f"the asc format holds leads {', '.join(GENERATED_LEADS)} at 500 Hz; this record "
            + (f"lacks {', '.join(missing)}" if missing else f"is sampled at {fs:g} Hz")
            + "; use format='npz' (or resample / choose another format)"
        )
    rows = [list(leads).index(name) for name in GENERATED_LEADS]
    microvolts = np.rint(np.multiply(signal_mv[rows], 1000.0, dtype=np.float64))
    if not np.isfinite(microvolts).all():
        raise ValueError("the asc format holds integers only, no NaN or infinity; use format='npz'")
    return _integer_table(microvolts.T.astype(np.int64)).decode("ascii")


def _integer_table(values: np.ndarray) -> bytes:
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


def _npy_bytes(signal_mv: np.ndarray) -> bytes:
    buffer = _bytes_io.BytesIO()
    np.save(buffer, np.asarray(signal_mv, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()


def _npz_bytes(
    signal_mv: np.ndarray, fs: float, leads: Sequence[str], meta: Mapping[str, Any] | None
) -> bytes:
    try:
        meta_json = json.dumps(dict(meta or {}), default=_json_default)
    except TypeError as err:
        raise TypeError(f"npz stores metadata as JSON: {err}") from None
    buffer = _bytes_io.BytesIO()
    np.savez(
        buffer,
        signal=np.asarray(signal_mv, dtype=np.float32),
        fs=np.float64(fs),
        leads=np.array(list(leads), dtype=str),
        units=np.array("mV"),
        meta=np.array(meta_json),
    )
    return buffer.getvalue()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (Path, os.PathLike)):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(
        f"metadata value of type {type(value).__name__} is not JSON-serialisable; "
        "convert it to a number, string, list or dict first"
    )


# -- reading -----------------------------------------------------------------------------
def read(
    path: str | os.PathLike[str],
    *,
    fs: float | None = None,
    leads: Sequence[str] | None = None,
    adc_gain: float | None = None,
) -> ECG:
    """Read one ECG record.

    Parameters
    ----------
    path : str or path-like
        The file. A WFDB record may be named by its stem (``ludb/1``), ``.hea`` or
        ``.dat`` file; a ``.mat`` next to a ``.hea`` of the same name (PhysioNet/CinC
        2021) is read as WFDB. Other suffixes: ``.csv``, ``.asc``, ``.npy``, ``.npz``,
        ``.mat`` (CPSC 2018: struct ``ECG``; CPSC 2019: key ``ecg``), ``.xml`` (GE MUSE
        ``RestingECG`` export).
    fs : float, optional
        Sampling rate in Hz, for files that do not store it (``.npy``, ``.mat``, CSV
        without a ``time_s`` column). For other files, if given it must match the file.
    leads : list of str, optional
        Lead names for files that do not store them (``.npy``, the single lead of a
        CPSC 2019 file; CPSC 2018 files default to the 12 standard leads). For files
        that name their leads, the leads to keep, in this order (all by default).
    adc_gain : float, optional
        WFDB only: digital units per mV for every ECG channel, in place of the header's
        gains. For records whose header normalises each lead on its own (LUDB 1.0.1
        gives every lead a gain equal to its digital range, so that every lead spans
        exactly 1 mV while the digital values, in µV, obey Einthoven's law): read them
        with ``adc_gain=1000``.

    Returns
    -------
    ECG
        The record in mV (converted from the file's units). ``meta`` holds
        ``record_name`` and ``source_path``; WFDB adds ``comments`` (header comment
        lines, e.g. CinC's ``Dx:``) and ``dropped_channels``; CPSC 2018 adds ``age`` and
        ``sex``; ``npz`` restores the metadata it was written with. MUSE XML: the 12
        leads (III, aVR, aVL, aVF derived from the stored I and II; leads of other names
        kept), and in ``meta``: ``age`` (years), ``sex`` (``"M"``/``"F"``),
        ``measurements`` (the machine's: ``heart_rate`` bpm, ``pr_ms``, ``qrs_ms``,
        ``qt_ms``, ``qtc_ms``, ``p_axis_deg``, ``qrs_axis_deg``, ``t_axis_deg``, ...; other
        fields under their MUSE names), ``diagnosis`` (the statements, one line each),
        ``median_beats`` (array ``(n_leads, n_samples)`` in mV, with
        ``median_beats_leads`` and ``median_beats_fs``); names, identifiers and dates of
        the patient are left out.

    Raises
    ------
    FileNotFoundError
        If the file (or a WFDB record's header) does not exist.
    ValueError
        For an unsupported suffix, a file without fs or leads when these are not given,
        a given fs that contradicts the file, leads asked for that the file does not
        hold, a WFDB record without any ECG channel, a WFDB signal file that does
        not match its header (truncated), or an XML file that is not a complete MUSE
        ``RestingECG`` export (another root element, a missing lead or field, a
        truncated or damaged waveform).

    Warns
    -----
    UserWarning
        When WFDB channels that are not ECG are left out (any unit other than a voltage,
        such as blood pressure in mmHg, and EEG, EOG or EMG channels); they are listed,
        with their units, in ``meta["dropped_channels"]``. Every ECG channel is kept
        under its own name (``"MLII"``, ``"CM5"``, ``"ECG"``, the Frank leads ``"vx"``);
        repeated names are numbered (``"ECG"``, ``"ECG (2)"``). When every ECG channel's
        gain equals its own digital range (amplitudes normalised lead by lead, as in
        LUDB 1.0.1): amplitudes, axes and lead relationships would be wrong in mV;
        pass ``adc_gain``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import ecgtoolkit as et
    >>> ecg = et.ECG(np.zeros((2, 1000)), fs=250, leads=["I", "II"], meta={"seed": 7})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = et.write(ecg, Path(folder) / "a.npz")
    ...     _ = et.write(ecg, Path(folder) / "a.npy")
    ...     with_meta = et.read(Path(folder) / "a.npz")
    ...     bare = et.read(Path(folder) / "a.npy", fs=250, leads=["I", "II"])
    >>> with_meta.fs, with_meta.leads, with_meta.meta["seed"]
    (250.0, ('I', 'II'), 7)
    >>> bare.signal.dtype
    dtype('float32')
    """
    path = Path(path)
    format, target = _resolve_read_path(path)
    readers = {
        "wfdb": _read_wfdb,
        "mat": _read_mat,
        "csv": _read_csv,
        "asc": _read_asc,
        "npy": _read_npy,
        "npz": _read_npz,
        "xml": _read_muse_xml,
    }
    if adc_gain is not None and format != "wfdb":
        raise ValueError(f"adc_gain applies to WFDB records only, not to {format} files")
    if adc_gain is not None and not (np.isfinite(adc_gain) and adc_gain > 0):
        raise ValueError(
            f"adc_gain must be a positive number of digital units per mV, got {adc_gain!r}"
        )
    ecg = (
        _read_wfdb(target, fs, leads, adc_gain)
        if format == "wfdb"
        else readers[format](target, fs, leads)
    )
    ecg.meta["record_name"] = target.name if format == "wfdb" else target.stem
    ecg.meta["source_path"] = str(path)
    return ecg


def _resolve_read_path(path: Path) -> tuple[str, Path]:
    """Return the reader to use and the file (or, for WFDB, record stem) to read."""
    suffix = path.suffix.lower()
    if suffix in (".hea", ".dat") or (suffix == ".mat" and path.with_suffix(".hea").is_file()):
        stem = path.with_suffix("")
        header = path.with_suffix(".hea")
        if not header.is_file():
            raise FileNotFoundError(f"WFDB header {str(header)!r} not found")
        return "wfdb", stem
    if suffix in (".mat", ".csv", ".asc", ".npy", ".npz", ".xml"):
        if not path.is_file():
            raise FileNotFoundError(f"{str(path)!r} not found")
        return suffix[1:], path
    header = path.with_name(path.name + ".hea")
    if header.is_file():
        return "wfdb", path
    if suffix and path.is_file():
        raise ValueError(
            f"cannot read {path.name!r}: unknown suffix {suffix!r}; supported: {_READ_SUFFIXES}"
        )
    if suffix:
        raise ValueError(
            f"cannot read {str(path)!r}: no such file, and the suffix {suffix!r} is not "
            f"supported; supported: {_READ_SUFFIXES}"
        )
    raise FileNotFoundError(f"{str(path)!r} not found (nor a WFDB header {str(header)!r})")


def _check_given(name: str, given: Any, found: Any, source: Path) -> None:
    if given is not None and given != found:
        raise ValueError(
            f"{name}={given!r} was given but {source.name!r} stores {name}={found!r}; "
            f"leave out {name}= for this file"
        )


def _given_fs(fs: float | None) -> float | None:
    return None if fs is None else float(fs)


def _given_leads(leads: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if leads is None else normalize_lead_names(leads)


# Channels of PhysioNet records that carry other signals in volts (sleep and EEG
# databases); everything else with a voltage unit is kept as an ECG channel.
_NOT_ECG = re.compile(r"^(eeg|eog|emg|ekg?\s*artifact)|^[a-z]\d-[a-z]\d", re.IGNORECASE)


def _unique_names(raw: Sequence[str]) -> tuple[list[str], list[str]]:
    """Channel names made unique ("ECG", "ECG (2)"); also the renamed originals."""
    names: list[str] = []
    renamed: list[str] = []
    for name in raw:
        kept = normalize_lead_name(name) if name.strip() else f"channel {len(names) + 1}"
        if kept in names:
            k = 2
            while f"{kept} ({k})" in names:
                k += 1
            renamed.append(name)
            kept = f"{kept} ({k})"
        names.append(kept)
    return names, renamed


_WFDB_INVALID = -32768  # the "no sample" value of WFDB's 16-bit formats


def _read_wfdb(
    stem: Path, fs: float | None, leads: Sequence[str] | None, adc_gain: float | None = None
) -> ECG:
    import wfdb

    try:
        record = wfdb.rdrecord(str(stem), physical=False)
    except ValueError as err:
        raise ValueError(
            f"WFDB record {stem.name!r} cannot be read: its signal file does not match its "
            f"header (a truncated or damaged .dat file?); wfdb said: {err}"
        ) from err
    keep: list[int] = []
    dropped: list[str] = []
    factors = []
    for channel, raw in enumerate(record.sig_name):
        unit = record.units[channel] or "mV"  # WFDB's default physical unit
        try:
            factor = _unit_factor(unit)
        except ValueError:
            factor = None
        if factor is None or _NOT_ECG.search(raw.strip()):
            dropped.append(f"{raw} ({unit})")
            continue
        keep.append(channel)
        factors.append(factor)
    if not keep:
        raise ValueError(
            f"WFDB record {stem.name!r} has no ECG channel (a voltage that is not EEG, EOG "
            f"or EMG); channels: {', '.join(record.sig_name)}"
        )
    if dropped:
        warnings.warn(
            f"WFDB record {stem.name!r}: left out channels that are not ECG: "
            f"{', '.join(dropped)} (listed in meta['dropped_channels'])",
            UserWarning,
            stacklevel=3,
        )
    names, renamed = _unique_names([record.sig_name[c] for c in keep])
    if renamed:
        warnings.warn(
            f"WFDB record {stem.name!r}: repeated channel names {', '.join(renamed)} were "
            "numbered to keep them apart",
            UserWarning,
            stacklevel=3,
        )
    digital = record.d_signal[:, keep].T.astype(np.float64)
    baseline = np.asarray(record.baseline, dtype=np.float64)[keep, None]
    gains = np.asarray(record.adc_gain, dtype=np.float64)[keep]
    if adc_gain is not None:
        gains = np.full(len(keep), float(adc_gain))
        factors = [1.0] * len(keep)
    elif len(keep) >= 3 and np.allclose(gains, np.ptp(digital, axis=1), atol=1.0):
        warnings.warn(
            f"WFDB record {stem.name!r}: every lead's gain equals its own digital range, so "
            "each lead was normalised to span 1 unit on its own (as in LUDB 1.0.1): "
            "amplitudes, axes and lead relationships are not physical. If the digital "
            "values share one unit, read with adc_gain (LUDB: adc_gain=1000)",
            UserWarning,
            stacklevel=3,
        )
    digital[digital == _WFDB_INVALID] = np.nan
    signal = (digital - baseline) / gains[:, None] * np.asarray(factors)[:, None]
    _check_given("fs", _given_fs(fs), float(record.fs), stem)
    meta = {
        "record_name": record.record_name,
        "comments": list(record.comments or []),
        "dropped_channels": dropped,
    }
    return _select_leads(ECG(signal, fs=float(record.fs), leads=names, meta=meta), leads, stem)


def _select_leads(ecg: ECG, leads: Sequence[str] | None, source: Path) -> ECG:
    """The record with only the ``leads`` asked for, in that order (all if None)."""
    if leads is None:
        return ecg
    wanted = normalize_lead_names(leads)
    absent = [name for name in wanted if name not in ecg.leads]
    if absent:
        raise ValueError(
            f"leads {', '.join(absent)} were asked for but {source.name!r} holds "
            f"{', '.join(ecg.leads)}; leave out leads= to read them all"
        )
    return ecg if wanted == ecg.leads else ecg[list(wanted)]


def _read_mat(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    import scipy.io

    content = scipy.io.loadmat(path, simplify_cells=True)
    meta: dict[str, Any] = {}
    if isinstance(content.get("ECG"), dict) and "data" in content["ECG"]:  # CPSC 2018
        struct = content["ECG"]
        signal = np.atleast_2d(np.asarray(struct["data"], dtype=np.float64))
        for key in ("age", "sex"):
            if key in struct:
                value = np.asarray(struct[key])
                meta[key] = value.item() if value.size == 1 else value.tolist()
        default_leads: tuple[str, ...] | None = (
            STANDARD_LEADS if signal.shape[0] == len(STANDARD_LEADS) else None
        )
    elif "ecg" in content:  # CPSC 2019: one unnamed lead
        signal = np.asarray(content["ecg"], dtype=np.float64).reshape(1, -1)
        default_leads = None
        if leads is None:
            raise ValueError(
                f"{path.name!r} holds one lead without a name (CPSC 2019); "
                "pass leads=['II'] (or the lead it is)"
            )
    elif "val" in content:
        raise ValueError(
            f"{path.name!r} holds digital WFDB samples (PhysioNet/CinC) without gain or "
            f"sampling rate; read it through its header {path.with_suffix('.hea').name!r}"
        )
    else:
        keys = [k for k in content if not k.startswith("__")]
        raise ValueError(
            f"{path.name!r} is not a known ECG .mat layout (variables: {', '.join(keys)}); "
            "expected struct 'ECG' with field 'data' (CPSC 2018) or 'ecg' (CPSC 2019)"
        )
    if fs is None:
        raise ValueError(
            f"{path.name!r} stores no sampling rate; pass fs= in Hz (500 for CPSC 2018 and 2019)"
        )
    names = _given_leads(leads) or default_leads
    if names is None:
        raise ValueError(
            f"{path.name!r} has {signal.shape[0]} leads without names; pass leads=[...]"
        )
    return ECG(signal, fs=fs, leads=names, meta=meta)


def _read_csv(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
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
            _check_given("fs", _given_fs(fs), found_fs, path)
            fs = found_fs
    else:
        values, names = table, header
    if fs is None:
        raise ValueError(
            f"{path.name!r} has no time_s column with two or more samples to infer the "
            "sampling rate from; pass fs= in Hz"
        )
    return _select_leads(ECG(values.T, fs=fs, leads=names), leads, path)


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


def _read_asc(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    values = np.loadtxt(path, ndmin=2, dtype=np.float64)
    if values.shape[1] != len(GENERATED_LEADS):
        raise ValueError(
            f"{path.name!r} has {values.shape[1]} columns; a deepfake-ecg .asc file has 8 "
            f"({', '.join(GENERATED_LEADS)})"
        )
    _check_given("fs", _given_fs(fs), _ASC_FS, path)
    return _select_leads(ECG(values.T, fs=_ASC_FS, leads=GENERATED_LEADS, units="uV"), leads, path)


def _read_npy(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    signal = np.load(path, allow_pickle=False)
    if fs is None or leads is None:
        manifest = path.parent / "manifest.json"
        if manifest.is_file():
            try:
                described = json.loads(manifest.read_text(encoding="utf-8"))
            except json.JSONDecodeError as err:
                raise ValueError(
                    f"{str(manifest)!r} is not valid JSON ({err}); fix or remove it"
                ) from None
            if not isinstance(described, dict):
                raise ValueError(f"{str(manifest)!r} must hold a JSON object with 'fs' and 'leads'")
            fs = described.get("fs") if fs is None else fs
            leads = described.get("leads") if leads is None else leads
    if fs is None or leads is None:
        raise ValueError(
            f"{path.name!r} holds only samples; pass fs= and leads= (or keep a manifest.json "
            "with 'fs' and 'leads' in the same folder), or write records as .npz, which "
            "stores both"
        )
    return ECG(signal, fs=fs, leads=leads)


def _read_npz(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    with np.load(path, allow_pickle=False) as archive:
        missing = [key for key in ("signal", "fs", "leads") if key not in archive.files]
        if missing:
            raise ValueError(
                f"{path.name!r} lacks {', '.join(missing)}; it was not written by "
                "ecgtoolkit.write (load it with numpy.load)"
            )
        signal = archive["signal"]
        found_fs = float(archive["fs"])
        found_leads = archive["leads"].tolist()
        units = str(archive["units"]) if "units" in archive.files else "mV"
        meta = json.loads(str(archive["meta"])) if "meta" in archive.files else {}
    _check_given("fs", _given_fs(fs), found_fs, path)
    ecg = ECG(signal, fs=found_fs, leads=found_leads, units=units, meta=meta)
    return _select_leads(ecg, leads, path)


# -- GE MUSE XML -------------------------------------------------------------------------
# MUSE stores each lead as base64 of little-endian int16 samples, scaled by
# LeadAmplitudeUnitsPerBit in LeadAmplitudeUnits (GE Healthcare, MUSE XML export;
# the layout of the RestingECG document type, restecg.dtd).
_MUSE_UNITS = {"MICROVOLTS": "uV", "MILLIVOLTS": "mV", "VOLTS": "V"}
_MUSE_AGE_YEARS = {"YEARS": 1.0, "MONTHS": 1 / 12, "WEEKS": 7 / 365.25, "DAYS": 1 / 365.25,
                   "HOURS": 1 / 8766}  # fmt: skip
# The machine's measurements under the toolkit's names (units in the name, as in
# ecgtoolkit.measure); other fields keep their MUSE names.
_MUSE_MEASUREMENTS = {
    "VentricularRate": "heart_rate",
    "AtrialRate": "atrial_rate",
    "PRInterval": "pr_ms",
    "QRSDuration": "qrs_ms",
    "QTInterval": "qt_ms",
    "QTCorrected": "qtc_ms",
    "QTcFrederica": "qtc_fridericia_ms",
    "PAxis": "p_axis_deg",
    "RAxis": "qrs_axis_deg",
    "TAxis": "t_axis_deg",
    "QRSCount": "n_beats",
}


def _read_muse_xml(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    """A GE MUSE ``RestingECG`` XML export: the rhythm strip, median beats and findings."""
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as err:
        raise ValueError(f"{path.name!r} is not well-formed XML ({err})") from None
    if root.tag != "RestingECG":
        raise ValueError(
            f"{path.name!r} is not a GE MUSE resting ECG export: its root element is "
            f"<{root.tag}>, not <RestingECG>; read() reads MUSE XML only (export other "
            "XML formats to WFDB or CSV first)"
        )
    waveforms = {(w.findtext("WaveformType") or "").strip(): w for w in root.iter("Waveform")}
    if "Rhythm" not in waveforms:
        found = ", ".join(repr(t) for t in waveforms) or "none"
        raise ValueError(
            f"{path.name!r} holds no <Waveform> of type 'Rhythm' (found: {found}); "
            "export the ECG from MUSE with its waveforms"
        )
    found_fs, stored = _muse_waveform(waveforms["Rhythm"], path)
    _check_given("fs", _given_fs(fs), found_fs, path)
    derivable = {"III", "aVR", "aVL", "aVF"} if {"I", "II"} <= stored.keys() else set()
    needed = GENERATED_LEADS if leads is None else _given_leads(leads)
    absent = [name for name in needed if name not in stored and name not in derivable]
    if absent:
        raise ValueError(
            f"{path.name!r}: the rhythm waveform lacks lead(s) {', '.join(absent)} (it holds "
            f"{', '.join(stored)}); a MUSE resting ECG stores I, II and V1–V6, so the file "
            "is incomplete; pass leads=[...] to read the leads it holds"
        )
    meta = _muse_findings(root)
    if "Median" in waveforms:
        median_fs, median_leads = _muse_waveform(waveforms["Median"], path)
        median = _muse_ecg(median_fs, median_leads)
        meta["median_beats"] = median.signal
        meta["median_beats_leads"] = list(median.leads)
        meta["median_beats_fs"] = median.fs
    ecg = _muse_ecg(found_fs, stored)
    ecg.meta.update(meta)
    return _select_leads(ecg, leads, path)


def _muse_ecg(fs: float, stored: dict[str, np.ndarray]) -> ECG:
    """The stored leads (mV) as an ECG, with the limb leads derived where I and II exist."""
    ecg = ECG(np.stack(list(stored.values())), fs=fs, leads=list(stored))
    return ecg.to_12_lead() if {"I", "II"} <= set(ecg.leads) else ecg


def _muse_waveform(waveform: Any, path: Path) -> tuple[float, dict[str, np.ndarray]]:
    """Sampling rate (Hz) and leads (mV, by name, in file order) of one <Waveform>."""
    kind = (waveform.findtext("WaveformType") or "").strip()
    where = f"{path.name!r}, {kind} waveform"
    base = _muse_number(waveform, "SampleBase", where)
    fs = base * 10.0 ** _muse_number(waveform, "SampleExponent", where, default=0.0)
    raw_names: list[str] = []
    values: list[np.ndarray] = []
    for lead in waveform.iter("LeadData"):
        name = (lead.findtext("LeadID") or "").strip()
        at = f"{where}, lead {name or '(unnamed)'}"
        units = (lead.findtext("LeadAmplitudeUnits") or "").strip().upper()
        if units not in _MUSE_UNITS:
            raise ValueError(
                f"{at}: LeadAmplitudeUnits {units!r} is missing or unknown; expected one of "
                f"{', '.join(_MUSE_UNITS)}"
            )
        per_bit = _muse_number(lead, "LeadAmplitudeUnitsPerBit", at)
        count = int(_muse_number(lead, "LeadSampleCountTotal", at))
        text = "".join((lead.findtext("WaveFormData") or "").split())
        try:
            payload = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as err:
            raise ValueError(
                f"{at}: WaveFormData is not valid base64 ({err}); the file is truncated or "
                "damaged, export it again"
            ) from None
        if len(payload) != 2 * count:
            raise ValueError(
                f"{at}: WaveFormData holds {len(payload) // 2} samples but "
                f"LeadSampleCountTotal says {count}; the file is truncated or damaged, "
                "export it again"
            )
        scale_mv = per_bit * _unit_factor(_MUSE_UNITS[units])
        raw_names.append(name)
        values.append(np.frombuffer(payload, dtype="<i2").astype(np.float64) * scale_mv)
    if not values:
        raise ValueError(f"{where} holds no <LeadData>; export the ECG with its waveforms")
    lengths = {len(v) for v in values}
    if len(lengths) > 1:
        raise ValueError(
            f"{where}: the leads differ in length ({', '.join(map(str, sorted(lengths)))} "
            "samples); one ECG holds leads of one length"
        )
    names, _ = _unique_names(raw_names)
    return fs, dict(zip(names, values, strict=True))


def _muse_number(element: Any, tag: str, where: str, default: float | None = None) -> float:
    text = (element.findtext(tag) or "").strip()
    if not text and default is not None:
        return default
    try:
        return float(text)
    except ValueError:
        raise ValueError(
            f"{where}: <{tag}> is {'missing' if not text else repr(text)}, expected a number; "
            "the file is incomplete or not a MUSE export"
        ) from None


def _muse_findings(root: Any) -> dict[str, Any]:
    """Age, sex, the machine's measurements and statements: nothing that names the patient."""
    meta: dict[str, Any] = {}
    demographics = root.find("PatientDemographics")
    if demographics is not None:
        age = _muse_value(demographics.findtext("PatientAge"))
        units = (demographics.findtext("AgeUnits") or "YEARS").strip().upper()
        if isinstance(age, (int, float)) and units in _MUSE_AGE_YEARS:
            meta["age"] = age * _MUSE_AGE_YEARS[units]
        gender = (demographics.findtext("Gender") or "").strip().upper()
        meta["sex"] = {"MALE": "M", "FEMALE": "F"}.get(gender)
    device = root.findtext("TestDemographics/AcquisitionDevice")
    if device and device.strip():
        meta["device"] = device.strip()
    measured = root.find("RestingECGMeasurements")
    meta["measurements"] = {
        _MUSE_MEASUREMENTS.get(field.tag, field.tag): _muse_value(field.text)
        for field in (measured if measured is not None else [])
        if len(field) == 0 and field.text and field.text.strip()
    }
    for tag, key in (("Diagnosis", "diagnosis"), ("OriginalDiagnosis", "original_diagnosis")):
        block = root.find(tag)
        if block is not None:
            meta[key] = _muse_statements(block)
    return meta


def _muse_statements(block: Any) -> list[str]:
    """Statement texts joined into lines; a statement flagged ENDSLINE ends its line."""
    lines: list[str] = []
    current: list[str] = []
    for statement in block.iter("DiagnosisStatement"):
        text = (statement.findtext("StmtText") or "").strip()
        if text:
            current.append(text)
        flags = {(flag.text or "").strip().upper() for flag in statement.iter("StmtFlag")}
        if "ENDSLINE" in flags and current:
            lines.append(" ".join(current))
            current = []
    if current:
        lines.append(" ".join(current))
    return lines


def _muse_value(text: str | None) -> Any:
    """A number where the text is one (int if whole), else the stripped text."""
    text = (text or "").strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number
