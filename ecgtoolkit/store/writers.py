"""The generate-then-write loop shared by the folder and store writers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from ..core.parallel import Threads, run_tasks

__all__ = ["write_behind", "writer_threads"]


def writer_threads(*, device: str = "cpu", compresses: bool = False) -> int:
    """Writer threads for this machine and writer.

    With the model on the CPU, it needs the cores: 1 writer per 4 cores, 1 to 4. With
    the model on a GPU the cores are free: a writer that compresses (the Zarr store)
    then gets 3 of every 4 cores, up to 12, while one that writes many small files
    (a folder) stays at 1 per 4 cores, because more threads only contend there.
    Measured on an H200 machine with 16 cores (``benchmarks/bench_store.py``, 8,192
    ECGs): the store wrote 2,100, 2,300 and 2,500 ECG/s with 4, 8 and 12 threads, the
    WFDB writer 2,500, 1,800 and 1,350 ECG/s.

    Examples
    --------
    >>> writer_threads(device="cpu") >= 1
    True
    """
    cores = os.cpu_count() or 1
    if device.startswith("cuda") and compresses:
        return max(1, min(12, cores * 3 // 4))
    return max(1, min(4, cores // 4))


def write_behind(batches: Iterable[Any], write: Callable[..., None], *, threads: int) -> None:
    """Call ``write(*batch)`` for each batch in writer threads behind the producer.

    The writers overlap the file system work of earlier batches with the model's work
    on the next one: the next batch is made while ``threads`` writes run (see
    :func:`writer_threads`), so at most ``threads + 1`` batches are in memory; the
    first writer error stops the loop and is raised. Each ``write`` must touch only
    its own batch's files (a record's files, a store's chunk).

    Examples
    --------
    >>> written = []
    >>> write_behind([(1, "a"), (2, "b")], lambda i, s: written.append(s), threads=2)
    >>> sorted(written)
    ['a', 'b']
    """
    with Threads(threads, name="ecgtoolkit-writer") as engine:
        run_tasks(
            batches,
            lambda batch: write(*batch),
            lambda index, result: None,
            engine=engine,
            window=threads + 1,
        )
