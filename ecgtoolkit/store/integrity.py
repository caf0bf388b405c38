"""Checksums of generated datasets: what each file or chunk held when it was written.

- A **Zarr store** ends each chunk with Zarr v3's ``crc32c`` codec (the CRC-32C of the
  compressed bytes, 4 bytes little-endian; Castagnoli et al., IEEE Trans Commun 41(6),
  1993): :func:`check_chunk` recomputes it from the file without decompressing it.
- A **folder** keeps the CRC-32C of every record file in ``checksums.crc32c``, a line
  ``<8 hex digits>  <file name>`` each (the layout of ``sha256sum`` files). Lines are
  appended as records are written (:class:`ChecksumLog`) and the file is rewritten
  sorted at the end of each run.

One checksum for both: CRC-32C finds every burst of damage up to 32 bits and any other
damage but for a chance of 2⁻³², and runs at about 10 GB/s on one core with the CPU's
CRC instruction (``google-crc32c``, which Zarr uses), so writing and checking cost
next to nothing; SHA-256 (0.7–1.5 GB/s) would cost the folder writer several percent on
a GPU machine that writes 2,500 ECGs/s. Neither protects against deliberate tampering
(whoever can edit a record can edit its checksum).

:func:`ecgtoolkit.store.verify` checks a whole dataset with these; a resumed run uses
them to find the records it must write again.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ..core.files import atomic_write
from ..core.progress import progress_bar

__all__ = [
    "CHECKSUMS",
    "LOCK",
    "DamagedRecordError",
    "ChecksumLog",
    "check_chunk",
    "chunk_file",
    "file_checksum",
    "has_checksums",
    "parallel_map",
]

#: The file of a folder dataset that holds the CRC-32C of each record file.
CHECKSUMS = "checksums.crc32c"
#: The lock file a writer holds (inside a folder; next to a store, as ``.<name>.lock``).
LOCK = ".ecgtoolkit.lock"
_LINE = re.compile(r"([0-9a-f]{8}) [ *](.+)")
T = TypeVar("T")
R = TypeVar("R")


class DamagedRecordError(ValueError):
    """A record of a dataset cannot be read as written: its file or chunk is missing or
    does not match its checksum. The message names the file and how to repair it."""


def file_checksum(path: str | os.PathLike) -> str:
    """The CRC-32C of a file's bytes, as 8 hex digits.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "a"
    >>> _ = path.write_bytes(b"123456789")
    >>> file_checksum(path)  # the check value of CRC-32C
    'e3069283'
    """
    import google_crc32c

    with open(path, "rb") as handle:
        return f"{google_crc32c.value(handle.read()):08x}"


class ChecksumLog:
    """The ``checksums.crc32c`` file of a folder dataset.

    Parameters
    ----------
    folder : path
        The dataset's folder.

    Notes
    -----
    :meth:`append` adds lines as records are written (thread-safe within a process;
    one process writes at a time, under the dataset's lock). A run killed in the middle
    of a line leaves a torn last line, which :meth:`read` skips and :meth:`rewrite`
    drops; a record whose line is missing is written again by a resumed run.
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        self.path = Path(folder) / CHECKSUMS
        self._lock = threading.Lock()

    def read(self) -> dict[str, str]:
        """File name → checksum (the last line wins); empty if there is no file."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return {}
        checksums = {}
        for line in text.splitlines():
            match = _LINE.fullmatch(line.strip("\r"))
            if match:
                checksums[match.group(2)] = match.group(1)
        return checksums

    def append(self, checksums: Mapping[str, str]) -> None:
        """Append a line per file."""
        lines = "".join(f"{checksum}  {name}\n" for name, checksum in checksums.items())
        with self._lock, open(self.path, "a+b") as handle:
            if handle.tell() > 0:  # after a torn line, start a new one
                handle.seek(handle.tell() - 1)
                if handle.read(1) != b"\n":
                    lines = "\n" + lines
            handle.write(lines.encode("utf-8"))

    def rewrite(self, checksums: Mapping[str, str], order: Callable[[str], Any]) -> None:
        """Replace the file (atomically) by ``checksums``, sorted by ``order(name)``."""
        names = sorted(checksums, key=order)
        text = "".join(f"{checksums[name]}  {name}\n" for name in names)
        with self._lock:
            atomic_write(self.path, text, overwrite=True)


def chunk_file(path: Path, array: str, k: int, ndim: int) -> Path:
    """The file of chunk ``k`` (along axis 0) in Zarr v3's default chunk key encoding."""
    return path.joinpath(array, "c", str(k), *(["0"] * (ndim - 1)))


def has_checksums(array: Any) -> bool:
    """Whether a Zarr array's chunks end with a ``crc32c`` checksum."""
    codecs = array.metadata.to_dict().get("codecs", [])
    return any(isinstance(c, dict) and c.get("name") == "crc32c" for c in codecs)


def check_chunk(file: Path) -> str | None:
    """What is wrong with a checksummed chunk file (``"missing"``, ...), or None.

    The CRC-32C of all bytes but the last 4 must equal those 4 (little-endian), as
    Zarr's ``crc32c`` codec writes them; the file is not decompressed.
    """
    import google_crc32c

    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return "missing"
    except OSError as err:
        return f"unreadable ({err.strerror or err})"
    if len(data) < 5:
        return f"damaged: only {len(data)} bytes"
    if google_crc32c.value(data[:-4]) != int.from_bytes(data[-4:], "little"):
        return f"damaged: checksum mismatch ({len(data):,} bytes)"
    return None


def parallel_map(
    function: Callable[[T], R], items: Iterable[T], *, total: int, desc: str, progress: bool
) -> list[R]:
    """``[function(item) for item in items]`` on a few threads, with a progress bar.

    For checks that read files: the reads and the hashing release the GIL, so threads
    overlap them.
    """
    threads = min(8, (os.cpu_count() or 1) + 2)
    results = []
    with (
        progress_bar(total=total, desc=desc, unit="file", enabled=progress) as bar,
        ThreadPoolExecutor(threads, thread_name_prefix="ecgtoolkit-verify") as pool,
    ):
        for result in pool.map(function, items):
            results.append(result)
            bar.update(1)
    return results
