"""Writing a record's files together, and the checks shared by every format.

Every reader checks what a file says as it checks what a user passes: a sampling rate
(:func:`check_fs`, :func:`file_fs`) and the size of a text file (:func:`check_text_size`)
are checked here, once, for all formats.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..core.ecg import ECG
from ..core.files import atomic_write
from ..core.leads import normalize_lead_name, normalize_lead_names

#: Lowest and highest sampling rate (Hz) that a record may have when read. Below 1 Hz a
#: file holds trends (MIMIC's numerics, one value a minute), not waveforms; above 100 kHz
#: no ECG, not even a pacemaker-spike recorder (at most a few tens of kHz), is sampled.
#: A rate outside this range means a damaged file or a value in the wrong unit.
MIN_READ_FS = 1.0
MAX_READ_FS = 100_000.0

#: Largest text file (CSV, ``.asc``, MUSE ``.xml``, WFDB header) that :func:`read`
#: parses: 1 GiB. Parsing text costs about 35 s and twice the file's size in memory per
#: GiB (a 2 GB CSV took 74 s and 4.2 GB before failing). 1 GiB of CSV at ``%.4f`` holds
#: about 130 million values: 24 h of a 3-lead Holter at 500 Hz, or 6 h of a 12-lead ECG
#: at 500 Hz; 24 h of 12 leads at 500 Hz is a 4 GB CSV, a record better kept as WFDB or
#: ``.npz`` (read in seconds). Pass ``max_text_bytes`` to :func:`ecgtoolkit.read` to read
#: a larger text file anyway. MUSE XML exports are about 100 kB, WFDB headers a few kB.
MAX_TEXT_BYTES = 2**30


def check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise FileNotFoundError(
            f"folder {str(folder)!r} does not exist; create it first "
            "(Path(folder).mkdir(parents=True))"
        )


def check_targets(stem: Path, targets: list[Path], overwrite: bool) -> None:
    check_folder(stem.parent)
    if not overwrite:
        for target in targets:
            if target.exists():
                raise FileExistsError(f"{str(target)!r} exists; pass overwrite=True to replace it")


def write_payloads(targets: list[Path], payloads: list[Any], overwrite: bool) -> list[Path]:
    """Write each payload atomically, in order; on failure remove what this call wrote."""
    if overwrite and len(targets) > 1:
        # Remove the completion marker first, so that it never sits next to files of
        # another version of the record.
        targets[-1].unlink(missing_ok=True)
    written: list[Path] = []
    try:
        for target, payload in zip(targets, payloads, strict=True):
            atomic_write(target, payload, overwrite=overwrite)
            written.append(target)
    except BaseException:
        for done in written:
            with contextlib.suppress(OSError):
                done.unlink()
        raise
    return written


def check_given(name: str, given: Any, found: Any, source: Path) -> None:
    if given is not None and given != found:
        raise ValueError(
            f"{name}={given!r} was given but {source.name!r} stores {name}={found!r}; "
            f"leave out {name}= for this file"
        )


def given_fs(fs: float | None) -> float | None:
    return None if fs is None else float(fs)


def _fs_problem(fs: float) -> str | None:
    """What is wrong with a sampling rate in Hz, or None."""
    if not math.isfinite(fs):
        return "not a finite number"
    if fs <= 0:
        return "not positive"
    if fs < MIN_READ_FS:
        return f"below {MIN_READ_FS:g} Hz"
    if fs > MAX_READ_FS:
        return f"above {MAX_READ_FS:g} Hz"
    return None


def check_fs(fs: Any) -> float:
    """A user's ``fs=`` as a float, within :data:`MIN_READ_FS`–:data:`MAX_READ_FS` Hz.

    Raises
    ------
    TypeError
        If ``fs`` is not a real number (a string, a bool).
    ValueError
        If it is not finite, not positive or outside the range.
    """
    if isinstance(fs, bool) or not isinstance(fs, numbers.Real):
        raise TypeError(f"fs must be a number in Hz, got {fs!r} ({type(fs).__name__})")
    problem = _fs_problem(float(fs))
    if problem:
        raise ValueError(
            f"fs={fs!r} is {problem}; read() takes sampling rates from {MIN_READ_FS:g} to "
            f"{MAX_READ_FS:g} Hz: pass the rate at which the record was sampled, in Hz"
        )
    return float(fs)


def file_fs(
    value: Any, source: Path, where: str = "", hint: str = "", *, in_range: bool = True
) -> float:
    """The sampling rate a file states, as a float, refused unless it is a plausible rate.

    ``where`` says where in the file the value is written (``"the record line 'a 1 -1'"``);
    ``hint`` adds the likely cause; ``in_range=False`` checks only that the value is a
    positive number (for a rate that a factor still multiplies). Raises ``ValueError``
    naming the file and the value.
    """
    fs: float | None
    try:
        fs = float(value) if np.ndim(value) == 0 else None
    except (TypeError, ValueError):
        fs = None
    problem = "not a number" if fs is None else _fs_problem(fs)
    if problem and not in_range and problem.startswith(("below", "above")):
        problem = None
    if fs is None or problem:
        at = f" ({where})" if where else ""
        raise ValueError(
            f"{source.name!r} states a sampling rate of {str(value)!r} Hz{at}, which is "
            f"{problem}; "
            f"a record's rate must lie between {MIN_READ_FS:g} and {MAX_READ_FS:g} Hz. "
            + (hint or "The file is damaged or not what its suffix says: fix it at its source")
        )
    return fs


def check_text_size(path: Path, max_bytes: int | None) -> None:
    """Refuse a text file larger than ``max_bytes`` before parsing it (None: no limit)."""
    if max_bytes is None:
        return
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(
            f"{path.name!r} is {_megabytes(size)}, more than the {_megabytes(max_bytes)} of "
            "text that read() parses (about 35 s and twice the size in memory per GiB); "
            "pass max_text_bytes=None (or a larger number of bytes) to read it anyway, or "
            "convert the record to WFDB or .npz"
        )


def _megabytes(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.1f} MiB" if n_bytes >= 2**20 else f"{n_bytes:,} bytes"


def load_numbers(text: IO[str], source: Path, delimiter: str | None = None) -> np.ndarray:
    """The rows of numbers of a text file ``(n_rows, n_columns)``, refused with a message.

    ``text`` is an open text file, positioned after any header line.
    """
    with warnings.catch_warnings():
        # numpy warns (rather than fails) on a file without rows; that is refused below.
        warnings.simplefilter("ignore", UserWarning)
        try:
            table = np.loadtxt(text, delimiter=delimiter, ndmin=2, dtype=np.float64)
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{source.name!r} is not UTF-8 text ({err.reason} at byte {err.start}); "
                "save it as UTF-8 (or plain ASCII)"
            ) from None
        except ValueError as err:
            raise ValueError(
                f"{source.name!r} holds something other than rows of numbers ({err}); each "
                "row must hold the same number of plain numbers"
                + (f", separated by {delimiter!r}" if delimiter else "")
            ) from None
    if table.size == 0:
        raise ValueError(f"{source.name!r} holds no rows of samples")
    return table


def given_leads(leads: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if leads is None else normalize_lead_names(leads)


def unique_names(raw: Sequence[str]) -> tuple[list[str], list[str]]:
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


def lead_rows(names: Sequence[str], leads: Sequence[str] | None, source: Path) -> list[int]:
    """The rows of ``names`` that hold the ``leads`` asked for, in that order (all if None)."""
    if leads is None:
        return list(range(len(names)))
    wanted = normalize_lead_names(leads)
    absent = [name for name in wanted if name not in names]
    if absent:
        raise ValueError(
            f"leads {', '.join(absent)} were asked for but {source.name!r} holds "
            f"{', '.join(names)}; leave out leads= to read them all"
        )
    return [list(names).index(name) for name in wanted]


def select_leads(ecg: ECG, leads: Sequence[str] | None, source: Path) -> ECG:
    """The record with only the ``leads`` asked for, in that order (all if None)."""
    rows = lead_rows(ecg.leads, leads, source)
    return ecg if rows == list(range(ecg.n_leads)) else ecg[[ecg.leads[r] for r in rows]]
