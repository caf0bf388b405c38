"""The records of a batch measured in parallel: chunks on worker processes and here."""

from __future__ import annotations

import numpy as np

from ..core.ecg import ECG
from ..core.parallel import InProcess, LocalProcesses, run_tasks
from ..core.progress import progress_bar
from ..core.validation import check_n_jobs
from .record import Result, safe_record

__all__ = ["CHUNK", "PARALLEL_FROM", "measure_chunk", "measure_rows"]

#: Records per task.
CHUNK = 8
#: Batches of at least this many records run in worker processes as well.
PARALLEL_FROM = 48


def measure_chunk(task: tuple[np.ndarray, float, tuple[str, ...], bool, str]) -> list[Result]:
    """Measure records ``(k, n_leads, n_samples)`` on one core (worker or this process).

    ``task`` is ``(signals, fs, leads, physiology, convention)``; one torch thread is used, so that
    worker processes do not compete for the cores.
    """
    import torch

    signals, fs, leads, physiology, convention = task
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return [safe_record(x, fs, leads, physiology, convention) for x in signals]
    finally:
        torch.set_num_threads(threads)


def measure_rows(
    ecg: ECG,
    *,
    n_jobs: int | None,
    progress: bool,
    physiology: bool = False,
    convention: str = "consistent-leads",
) -> list[Result]:
    """The measured rows of every record of a batch, in order.

    The batch is cut into chunks of :data:`CHUNK` records. With more than one core and at
    least :data:`PARALLEL_FROM` records, a reusable loky pool of ``n_jobs − 1`` workers
    takes chunks from the front while this process takes them from the back
    (:func:`ecgtoolkit.core.parallel.run_tasks`), so the workers' start-up is not lost
    time; a chunk whose worker died is measured again here. The rows do not depend on
    ``n_jobs``.
    """
    cores = check_n_jobs(n_jobs)
    n = ecg.n_records
    tasks = [
        (ecg.signal[start : start + CHUNK], ecg.fs, ecg.leads, physiology, convention)
        for start in range(0, n, CHUNK)
    ]
    results: list[list[Result] | None] = [None] * len(tasks)
    with progress_bar(total=n, desc="measure", enabled=progress) as bar:

        def on_result(index: int, rows: list[Result]) -> None:
            results[index] = rows
            bar.update(len(rows))

        if cores == 1 or n < PARALLEL_FROM:
            run_tasks(tasks, measure_chunk, on_result, engine=InProcess())
        else:
            run_tasks(
                tasks,
                measure_chunk,
                on_result,
                engine=LocalProcesses(cores - 1),
                caller_takes=True,
                on_failure=lambda index, task, error: measure_chunk(task),
            )
    return [row for part in results for row in part]  # type: ignore[union-attr]
