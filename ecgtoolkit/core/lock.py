"""One writer at a time: an operating-system lock on a file, with who holds it.

A dataset (a folder of records, a Zarr store) is written by one process at a time:
:class:`WriterLock` takes an exclusive, non-blocking lock on a lock file for the whole
run and writes the holder (pid, host, start time, command) into it. A second writer is
refused at once with a message naming the holder. The lock is the kernel's
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows): it is released when its
process ends, however it ends, so the lock file of a killed run is *stale*, not
locked, and the next writer takes it over with no timeout and no guess. A clean exit
removes the lock file (on POSIX: unlinked while still locked; a writer that locked the
old file then sees that it is no longer the one at the path and starts again).

Which file systems honour it: local ones (ext4, XFS, Btrfs, ZFS, APFS, NTFS, tmpfs).
On network file systems it depends on the server and mount: NFSv4 and recent Linux
clients map ``flock`` to NFS byte-range locks, which work between machines; NFSv3
without ``lockd``, SMB mounts without lease support and object-store mounts (s3fs,
gcsfuse) may grant every process the lock. Do not run two writers on one dataset from
different machines on such mounts.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["DatasetLocked", "WriterLock"]


class DatasetLocked(RuntimeError):
    """Another process is writing this dataset (the message names it)."""


class WriterLock:
    """An exclusive lock on ``path`` held for a ``with`` block, refused when taken.

    Parameters
    ----------
    path : path
        The lock file; created if missing, removed when the lock is released.
    what : str
        What the lock protects, for the message (e.g. ``"the store fakes.zarr"``).

    Raises
    ------
    DatasetLocked
        On entering, if another process (or another open of the file in this
        process) holds the lock: the message gives its pid, host, start time and
        command as it wrote them.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> lock_file = Path(tempfile.mkdtemp()) / ".lock"
    >>> with WriterLock(lock_file, "the demo dataset"):
    ...     try:
    ...         with WriterLock(lock_file, "the demo dataset"):
    ...             pass
    ...     except DatasetLocked as err:
    ...         print(str(err).split(":")[0])
    the demo dataset is being written by another process
    """

    def __init__(self, path: str | os.PathLike, what: str) -> None:
        self.path = Path(path)
        self.what = what
        self._fd: int | None = None
        #: The holder information found in a stale lock file that was taken over.
        self.taken_over: dict[str, Any] | None = None

    def __enter__(self) -> WriterLock:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if not _try_lock(fd):
                    holder = _read_holder(fd)
                    raise DatasetLocked(
                        f"{self.what} is being written by another process: "
                        f"{_describe(holder)}; wait for it to finish (or stop it), then run "
                        "again"
                    )
                if not _still_at(fd, self.path):  # released and removed meanwhile: again
                    os.close(fd)
                    continue
                previous = _read_holder(fd)
                self.taken_over = previous or None
                _write_holder(fd, _holder())
            except BaseException:
                os.close(fd)
                raise
            self._fd = fd
            return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # no holder while nobody holds it
            if os.name != "nt":  # removed while locked (see the module's notes)
                self.path.unlink(missing_ok=True)
        finally:
            _unlock(fd)
            os.close(fd)


def _still_at(fd: int, path: Path) -> bool:
    """Whether the open file ``fd`` is still the file at ``path``."""
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)


def _holder() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": _command_line(),
    }


def _command_line() -> str:
    """This process's command line, shortened for people."""
    program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python"
    if program == "__main__.py":
        program = "python -m " + os.path.basename(os.path.dirname(sys.argv[0]))
    return " ".join([program, *sys.argv[1:]])[:300]


def _describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "holder unknown (it is starting, or the lock file is not ecgtoolkit's)"
    return (
        f"pid {holder.get('pid', '?')} on host {holder.get('host', '?')}, started "
        f"{holder.get('started', '?')} ({holder.get('command') or 'command unknown'})"
    )


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 4096).decode("utf-8", "replace").strip()
        data = json.loads(text) if text else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_holder(fd: int, holder: dict[str, Any]) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(holder) + "\n").encode("utf-8"))


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
