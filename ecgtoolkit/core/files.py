"""Files written whole or not at all, and the checks of an output path.

Every file the toolkit writes goes through :func:`atomic_write`: a temporary file in the
target folder, then a rename, so a reader never sees half a file and a failed write
leaves nothing behind. The rename is not followed by ``fsync``: files are safe from
crashes of the writing process, not from a power cut of the machine.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import shutil
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "atomic_write",
    "check_free_space",
    "check_output",
    "format_bytes",
    "json_default",
    "plain_data",
]


def atomic_write(
    path: str | os.PathLike, data: bytes | memoryview | str, *, overwrite: bool
) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The temporary file ``.NAME.tmp-<pid>-<thread>`` lies in the target folder (a rename
    is atomic only within one file system) and is removed if anything fails, so either
    the complete new file or the previous state is on disk.

    Parameters
    ----------
    path : str or path-like
        Target file.
    data : bytes, memoryview or str
        Content; text is encoded as UTF-8.
    overwrite : bool
        Replace an existing ``path``; otherwise raise :class:`FileExistsError`.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    FileNotFoundError
        If the folder does not exist.
    PermissionError
        If the folder is not writable.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     atomic_write(Path(folder) / "a.txt", "hello", overwrite=False)
    ...     (Path(folder) / "a.txt").read_text()
    'hello'
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


def check_output(
    out: str | os.PathLike, overwrite: bool, suffixes: Sequence[str] | None = None
) -> Path:
    """An output file's path, checked before any work is done.

    Parameters
    ----------
    out : str or path-like
        The file to write.
    overwrite : bool
        Whether an existing file may be replaced.
    suffixes : sequence of str, optional
        The suffixes allowed (e.g. ``(".parquet", ".csv")``), in lower case.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For a suffix not in ``suffixes``.
    FileNotFoundError
        If the folder does not exist.
    FileExistsError
        If the file exists and ``overwrite`` is False.

    Examples
    --------
    >>> check_output("table.csv", overwrite=False, suffixes=(".csv",)).name
    'table.csv'
    """
    path = Path(out)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise ValueError(
            f"cannot tell the format of {str(path)!r}; name it *{' or *'.join(suffixes)}"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(f"folder {str(path.parent)!r} does not exist; create it first")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it")
    return path


def json_default(value: Any) -> Any:
    """Make numpy values, paths and sets JSON-serialisable (``json.dumps(default=...)``).

    Examples
    --------
    >>> import json, numpy as np
    >>> json.dumps({"fs": np.float64(500), "ids": np.arange(2)}, default=json_default)
    '{"fs": 500.0, "ids": [0, 1]}'
    """
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


def plain_data(value: Any) -> Any:
    """``value`` as strict-JSON plain data: dicts (string keys), lists, numbers, strings,
    booleans and None. Numpy and torch scalars become numbers, NaN and infinities None
    (not measured: JSON has no NaN), anything else its ``str``.

    Examples
    --------
    >>> import numpy as np
    >>> plain_data({"auc": np.float64(0.7), "p": float("nan"), 3: (1, "a")})
    {'auc': 0.7, 'p': None, '3': [1, 'a']}
    """
    if isinstance(value, Mapping):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(v) for v in value]
    if hasattr(value, "item") and type(value) not in (bool, int, float, str):
        value = value.item()  # numpy and torch scalars
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def format_bytes(n: float) -> str:
    """A byte count in the largest unit that keeps it at least 1 (decimal units).

    Examples
    --------
    >>> format_bytes(999), format_bytes(78_600_000), format_bytes(1.2e16)
    ('999 B', '78.6 MB', '12 PB')
    """
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000:
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} PB"


def check_free_space(path: str | os.PathLike, needed: float, what: str) -> None:
    """Refuse up front a write of about ``needed`` bytes that the disk cannot hold.

    Parameters
    ----------
    path : str or path-like
        Where the data will go; the nearest existing folder above it is checked.
    needed : float
        Bytes the write is expected to add.
    what : str
        What would be written, for the message (e.g. ``"1,000 ECGs as wfdb"``).

    Raises
    ------
    OSError
        With ``errno.ENOSPC``, if the file system has less free space than ``needed``;
        the message gives both sizes.

    Examples
    --------
    >>> check_free_space(".", 1, "one byte")
    """
    folder = Path(path).absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise OSError(
            errno.ENOSPC,
            f"{what} need about {format_bytes(needed)} but {folder} has only "
            f"{format_bytes(free)} free; free some space, write elsewhere, or ask for fewer",
        )
