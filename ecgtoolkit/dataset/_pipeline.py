"""The generate-then-write loop shared by the folder and store writers."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def writer_threads() -> int:
    """Writer threads for this machine: 1 per 4 cores, 1 to 4.

    On a small machine the model needs the cores; on a large one (a GPU machine),
    compressing and flushing batches in one thread would hold the model back.
    """
    return max(1, min(4, (os.cpu_count() or 1) // 4))


def write_behind(
    batches: Iterable[Any], write: Callable[..., None], *, threads: int | None = None
) -> None:
    """Call ``write(*batch)`` for each batch in writer threads behind the producer.

    The writers overlap the file system work of earlier batches with the model's work
    on the next one. At most ``threads`` writes are in flight (default
    :func:`writer_threads`), so at most ``threads + 1`` batches are in memory; the
    first writer error stops the loop and is raised. Each ``write`` must touch only
    its own batch's files (a record's files, a store's chunk).
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    threads = writer_threads() if threads is None else threads
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
