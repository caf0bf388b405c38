"""Read and write ECG records, one module per format behind one ``read`` and ``write``: WFDB, CSV, deepfake-ecg ASCII, NumPy ``.npy``/``.npz``, MATLAB.

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

Each format lives in its own module (``_wfdb`` writes WFDB, ``_wfdb_header`` parses and
checks WFDB headers, ``_wfdb_read`` reads single- and multi-segment records; ``_csv``,
``_asc``, ``_numpy``, ``_mat``, ``_muse``); the checks they share are in ``_files``
(sampling rates within :data:`MIN_READ_FS`–:data:`MAX_READ_FS`, text files up to
:data:`MAX_TEXT_BYTES`), which channels are ECG in ``_channels``, atomic writing in
:mod:`ecgtoolkit.core.files`. :mod:`ecgtoolkit.io.folder` lists the records of a folder
(:func:`list_records`, :class:`FolderSource`).

Readers refuse what no ECG is: a sampling rate that is not finite or outside 1 Hz–100 kHz,
whether a file states it or a user passes it; an empty, truncated or garbled header; a CSV
whose time column skips rows; a text file too large to parse. Each error names the file,
the value and what to do.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.ecg import ECG
from ..core.validation import check_int
from . import _asc, _csv, _mat, _muse, _numpy, _wfdb, _wfdb_read
from ._files import (
    MAX_READ_FS,
    MAX_TEXT_BYTES,
    MIN_READ_FS,
    check_folder,
    check_fs,
    check_targets,
    check_text_size,
    write_payloads,
)
from .folder import RECORD_SUFFIXES, FolderSource, list_records

__all__ = [
    "FORMATS",
    "MAX_READ_FS",
    "MAX_TEXT_BYTES",
    "MIN_READ_FS",
    "RECORD_SUFFIXES",
    "FolderSource",
    "list_records",
    "read",
    "write",
    "write_batch",
]

#: Files each format writes, by suffix; the last one is written last, so its presence
#: means that the record is complete.
FORMATS: dict[str, tuple[str, ...]] = {
    "wfdb": (".dat", ".hea"),
    "csv": (".csv",),
    "asc": (".asc",),
    "npy": (".npy",),
    "npz": (".npz",),
}

_SUFFIX_TO_FORMAT = {".hea": "wfdb", ".dat": "wfdb", ".csv": "csv", ".asc": "asc",
                     ".npy": "npy", ".npz": "npz"}  # fmt: skip

_READ_SUFFIXES = (
    "a WFDB record (stem, .hea or .dat), .csv, .asc, .npy, .npz, .mat or .xml (GE MUSE)"
)

#: Each writable format's payloads (bytes or text, one per file of FORMATS) of one record.
_PAYLOADS: dict[str, Callable[..., list[Any]]] = {
    "wfdb": _wfdb.payloads,
    "csv": lambda signal, fs, leads, name, meta: [_csv.payloads(signal, fs, leads)],
    "asc": lambda signal, fs, leads, name, meta: [_asc.payloads(signal, fs, leads)],
    "npy": lambda signal, fs, leads, name, meta: [_numpy.npy_bytes(signal)],
    "npz": lambda signal, fs, leads, name, meta: [_numpy.npz_bytes(signal, fs, leads, meta)],
}

#: Each readable format's reader ``(path, fs, leads) -> ECG`` (WFDB also takes adc_gain).
_READERS: dict[str, Callable[..., ECG]] = {
    "wfdb": _wfdb_read.read,
    "mat": _mat.read,
    "csv": _csv.read,
    "asc": _asc.read,
    "npy": _numpy.read_npy,
    "npz": _numpy.read_npz,
    "xml": _muse.read,
}

#: Formats stored as text, whose size :func:`read` checks before parsing.
_TEXT_FORMATS = ("csv", "asc", "xml")


# -- writing -----------------------------------------------------------------------------
def write(
    ecg: ECG,
    out: str | os.PathLike[str],
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
    out : str or path-like
        Target file. For WFDB give the record stem (``out/rec001``) or the ``.hea`` name;
        the record name inside the header is the file stem.
    format : {"wfdb", "csv", "asc", "npy", "npz"}, optional
        File format; inferred from the suffix of ``out`` when omitted (``.hea``,
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
    fmt, stem = _format_and_stem(Path(out), format)
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
    check_targets(stem, targets, overwrite)
    payloads = _PAYLOADS[format](signal_mv, fs, leads, stem.name, meta)
    return write_payloads(targets, payloads, overwrite)


def write_batch(
    signals_mv: np.ndarray,
    fs: float,
    leads: Sequence[str],
    stems: Sequence[str | os.PathLike[str]],
    format: str,
    *,
    overwrite: bool = False,
    metas: Sequence[Mapping[str, Any] | None] | None = None,
) -> None:
    """Write the records of an array, ``signals_mv[i]`` to ``stems[i]``, each atomically.

    The array layer under :func:`write` for code that holds many records at once (a
    generated batch): the same files as writing record by record, faster for WFDB, where
    the conversion to 16-bit samples, the checksums and the interleaving run once for the
    whole batch.

    Parameters
    ----------
    signals_mv : numpy.ndarray
        ``(n_records, n_leads, n_samples)``, in mV.
    fs : float
        Sampling rate in Hz.
    leads : sequence of str
        Standard lead names, one per row of a record.
    stems : sequence of path-like
        One target per record, without suffix (the format's suffixes are appended).
    format : {"wfdb", "csv", "asc", "npy", "npz"}
        File format (see :func:`write`).
    overwrite : bool
        Replace existing files. Default ``False``: refuse.
    metas : sequence of mapping, optional
        Metadata per record, as ``ECG.meta`` in :func:`write`.

    Raises
    ------
    ValueError
        For an unknown format, a shape that does not fit ``leads`` and ``stems``, or
        values the format cannot hold.
    FileExistsError
        If a target exists and ``overwrite`` is false. Records written before it stay.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from ecgtoolkit.io import read, write_batch
    >>> signals = np.zeros((2, 2, 500), dtype=np.float32)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_batch(signals, 500, ["I", "II"], [Path(folder) / "a", Path(folder) / "b"], "wfdb")
    ...     back = read(Path(folder) / "b")
    >>> back.leads
    ('I', 'II')
    """
    if format not in FORMATS:
        raise ValueError(
            f"unknown format {format!r}; choose one of {', '.join(map(repr, FORMATS))}"
        )
    signals_mv = np.asarray(signals_mv)
    leads = tuple(leads)
    stems = [Path(stem) for stem in stems]
    if signals_mv.ndim != 3 or signals_mv.shape[:2] != (len(stems), len(leads)):
        raise ValueError(
            f"signals of shape {signals_mv.shape} do not fit {len(stems)} targets of "
            f"{len(leads)} leads; expected (n_records, n_leads, n_samples)"
        )
    metas = metas if metas is not None else [None] * len(stems)
    if format != "wfdb":
        for signal, stem, meta in zip(signals_mv, stems, metas, strict=True):
            _write_signal(signal, fs, leads, stem, format, overwrite=overwrite, meta=meta)
        return
    if len(stems) == 0:
        return
    check_folder(stems[0].parent)  # once per batch; each write checks its own target
    _wfdb.write_batch(signals_mv, fs, leads, stems, overwrite=overwrite, metas=metas)


# -- reading -----------------------------------------------------------------------------
def read(
    path: str | os.PathLike[str],
    *,
    fs: float | None = None,
    leads: Sequence[str] | None = None,
    adc_gain: float | None = None,
    max_text_bytes: int | None = MAX_TEXT_BYTES,
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
        without a ``time_s`` column, a WFDB header without one). For other files, if
        given it must match the file. Whether given or read from a file, a rate must be
        finite and lie between :data:`MIN_READ_FS` (1 Hz) and :data:`MAX_READ_FS`
        (100 kHz).
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
    max_text_bytes : int or None
        Largest text file (CSV, ``.asc``, MUSE ``.xml``, a WFDB header) to parse, in
        bytes; default :data:`MAX_TEXT_BYTES` (1 GiB: a text file is parsed into
        several times its size in memory). ``None`` reads a text file of any size.
        Binary files (WFDB signal files, ``.npy``, ``.npz``, ``.mat``) are read whatever
        their size.

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
        If the file (or a WFDB record's header, segment or signal file) does not exist.
    TypeError
        If ``fs``, ``adc_gain`` or ``max_text_bytes`` is not a number.
    ValueError
        For an unsupported suffix, a file without fs or leads when these are not given,
        a sampling rate (given or stored) that is not finite or outside 1 Hz–100 kHz, a
        given fs that contradicts the file, leads asked for that the file does not
        hold, a file without any ECG channel, a text file larger than
        ``max_text_bytes``; a WFDB header that is empty, holds only comments or cannot
        be parsed (an unreadable record or signal line, fewer signal or segment lines
        than it states), a WFDB signal file that does not match its header
        (truncated), a multi-segment record whose segments contradict it; a CSV file
        whose ``time_s`` column is not uniform (rows missing: the error names the first
        gap) or that holds anything but numbers under its header line; or an XML file
        that is not a complete MUSE ``RestingECG`` export (another root element, a
        missing lead or field, a truncated or damaged waveform).

    Warns
    -----
    UserWarning
        When channels of a WFDB record or columns of a CSV file that are not ECG are
        left out: any unit other than a voltage (blood pressure in mmHg, SpO2 in %,
        ``NU``, ``degC``) and any name of another signal (respiration ``RESP``, uterine
        contraction ``UC``/``TOCO``, pressures ``ABP``/``ART``/``PAP``/``CVP``/``ICP``,
        ``PLETH``, ``SpO2``, EEG, EOG, EMG and 10-20 derivations such as ``C3-A2``,
        temperature, markers, ...); they are listed, with their units, in
        ``meta["dropped_channels"]``. Every other channel in a voltage is kept as ECG
        under its own name (``"MLII"``, ``"CM5"``, ``"ECG"``, the Frank leads ``"vx"``,
        a name it does not know); repeated names are numbered (``"ECG"``, ``"ECG (2)"``).
        When every ECG channel's gain equals its own digital range (amplitudes
        normalised lead by lead, as in LUDB 1.0.1): amplitudes, axes and lead
        relationships would be wrong in mV; pass ``adc_gain``. When a WFDB header
        states no sampling frequency (read at the WFDB default of 250 Hz unless ``fs``
        is given), and when the leads of a WFDB record have different numbers of samples
        per frame (read averaged to one sample per frame).

    Notes
    -----
    WFDB records are read from their header as the WFDB specification writes it (the
    ``wfdb`` package decodes the samples only): what the header states is checked, not
    replaced by a default. Multi-segment records of either layout are read whole: in
    MIMIC's variable layout, the union of the segments' channels, NaN where a segment
    lacks a channel and over gaps (``~``), each segment converted with its own gains.
    Invalid samples of every storage format are NaN. Signals with several samples per
    frame (``16x4``) are read at their full rate, ``fs × samples per frame``.

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
    if fs is not None:
        fs = check_fs(fs)
    if max_text_bytes is not None:
        max_text_bytes = check_int(max_text_bytes, "max_text_bytes", minimum=1)
    format, target = _resolve_read_path(path)
    if adc_gain is not None and format != "wfdb":
        raise ValueError(f"adc_gain applies to WFDB records only, not to {format} files")
    if adc_gain is not None:
        if isinstance(adc_gain, bool) or not isinstance(adc_gain, (int, float, np.number)):
            raise TypeError(f"adc_gain must be a number of digital units per mV, got {adc_gain!r}")
        if not (np.isfinite(adc_gain) and adc_gain > 0):
            raise ValueError(
                f"adc_gain must be a positive number of digital units per mV, got {adc_gain!r}"
            )
    text = target.with_name(target.name + ".hea") if format == "wfdb" else target
    if format in (*_TEXT_FORMATS, "wfdb") and text.is_file():
        check_text_size(text, max_text_bytes)
    extra = {"adc_gain": adc_gain} if format == "wfdb" else {}
    ecg = _READERS[format](target, fs, leads, **extra)
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
