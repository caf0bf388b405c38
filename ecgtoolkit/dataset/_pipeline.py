"""The generate-then-write loop shared by the folder and store writers."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def writer_threads(*, device: str = "cpu", compresses: bool = False) -> int:
    """Writer threads for this machine and writer.

    With the model on the CPU, it needs the cores: 1 writer per 4 cores, 1 to 4. With
    the model on a GPU the cores are free: a writer that compresses (the Zarr store)
    then gets 3 of every 4 cores, up to 12, while one that writes many small files
    (a folder) stays at 1 per 4 cores, because more threads only contend there.
    Measured on an H200 machine with 16 cores (``benchmarks/bench_store.py``, 8,192
    ECGs): the store wrote 2,100, 2,300 and 2,500 ECG/s with 4, 8 and 12 threads, the
    WFDB writer 2,500, 1,800 and 1,350 ECG/s.
    """
    cores = os.cpu_count() or 1
    if device.startswith("cuda") and compresses:
        return max(1, min(12, cores * 3 // 4))
    return max(1, min(4, cores // 4))


def write_behind(batches: Iterable[Any], write: Callable[..., None], *, threads: int) -> None:
    """Call ``write(*batch)`` for each batch in writer threads behind the producer.

    The writers overlap the file system work of earlier batches with the model's work
    on the next one. At most ``threads`` writes are in flight (see
    :func:`writer_threads`), so at most ``threads + 1`` batches are in memory; the
    first writer error stops the loop and is raised. Each ``write`` must touch only
    its own batch's files (a record's files, a store's chunk).
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pending: set = set()
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ecgtoolkit-writer") as pool:
        try:
            for batch in batches:
                while len(pending) >= threads:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()
                pending.add(pool.submit(write, *batch))
            for future in pending:
                future.result()
        finally:
            for future in pending:
                future.cancel()


@contextlib.contextmanager
def progress_bar(total: int, done: int, desc: str, enabled: bool) -> Iterator[Callable[[int], Any]]:
    """A tqdm bar in ECG/s from ``done`` of ``total`` (a no-op when not ``enabled``)."""
    if not enabled:
        yield lambda n: None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=done, unit="ECG", desc=desc)
    try:
        yield bar.update
    finally:
        bar.close()
