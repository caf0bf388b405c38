"""Run many tasks with a bounded number in flight, on a pluggable engine.

One scheduler serves every parallel loop of the toolkit: batches of :func:`ecgtoolkit.measure`
(worker processes, the calling process taking work too), :func:`ecgtoolkit.measure_source`
(worker processes or a Dask cluster) and the writers of generated datasets (threads
behind the generator). :func:`run_tasks` keeps at most ``window`` tasks in flight, so
memory holds a few tasks' data whatever the number of tasks, and hands each result to
``on_result`` in the calling thread as it comes.

Engines:

- :class:`InProcess`: runs each task when it is submitted (one core, no start-up cost);
- :class:`Threads`: a thread pool, for work that releases the GIL (compression, file
  system calls);
- :class:`LocalProcesses`: a reusable `loky <https://github.com/joblib/loky>`_ process
  pool, which needs no ``if __name__ == "__main__":`` guard in scripts;
- :class:`DaskCluster`: a ``dask.distributed`` client, for several machines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "DaskCluster",
    "Engine",
    "InProcess",
    "LocalProcesses",
    "Scatter",
    "Threads",
    "run_tasks",
]


@dataclass(frozen=True)
class Scatter:
    """A task whose ``data`` a cluster sends to its workers once, as data.

    Local engines pass the task as it is; :class:`DaskCluster` scatters ``data`` first,
    so that large arrays do not travel inside the task graph.
    """

    data: Any
    rest: Any = None


def _with_data(function: Callable[[Any], Any], data: Any, rest: Any) -> Any:
    return function(Scatter(data, rest))


class Engine(Protocol):
    """What :func:`run_tasks` needs of an engine."""

    #: Tasks the engine runs at the same time.
    workers: int

    def submit(self, function: Callable[[Any], Any], task: Any) -> Any:
        """Start ``function(task)``; return a future."""

    def wait_first(self, futures: list[Any]) -> set[Any]:
        """Block until at least one of ``futures`` is done; return the done ones."""


class InProcess:
    """Run each task in the calling thread, when it is submitted."""

    workers = 1

    def submit(self, function: Callable[[Any], Any], task: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(function(task))
        except Exception as err:  # noqa: BLE001 - handed to run_tasks as a failed task
            future.set_exception(err)
        return future

    def wait_first(self, futures: list[Any]) -> set[Any]:
        return set(futures)


class Threads:
    """A pool of ``workers`` threads; use it as a context manager."""

    def __init__(self, workers: int, name: str = "ecgtoolkit") -> None:
        self.workers = int(workers)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=name)

    def __enter__(self) -> Threads:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, function: Callable[[Any], Any], task: Any) -> Future:
        return self._pool.submit(function, task)

    def wait_first(self, futures: list[Any]) -> set[Any]:
        return wait(futures, return_when=FIRST_COMPLETED).done


class LocalProcesses:
    """A reusable loky pool of ``workers`` processes (kept 5 minutes after its last task)."""

    def __init__(self, workers: int) -> None:
        from loky import get_reusable_executor

        self.workers = int(workers)
        self._pool = get_reusable_executor(max_workers=self.workers, timeout=300)

    def submit(self, function: Callable[[Any], Any], task: Any) -> Future:
        return self._pool.submit(function, task)

    def wait_first(self, futures: list[Any]) -> set[Any]:
        return wait(futures, return_when=FIRST_COMPLETED).done


class DaskCluster:
    """Tasks on a Dask cluster through ``client`` (retried once if a worker dies).

    A :class:`Scatter` task's ``data`` goes to the cluster once, as data, not inside the
    task graph.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.workers = sum(client.nthreads().values()) or 1

    def submit(self, function: Callable[[Any], Any], task: Any) -> Any:
        if isinstance(task, Scatter):
            data = self.client.scatter(task.data, hash=False)
            return self.client.submit(_with_data, function, data, task.rest, pure=False, retries=1)
        return self.client.submit(function, task, pure=False, retries=1)

    def wait_first(self, futures: list[Any]) -> set[Any]:
        from distributed import wait as dask_wait

        return set(dask_wait(futures, return_when="FIRST_COMPLETED").done)


def run_tasks(
    tasks: Iterable[Any],
    function: Callable[[Any], Any],
    on_result: Callable[[int, Any], None],
    *,
    engine: Engine,
    window: int | None = None,
    caller_takes: bool = False,
    on_failure: Callable[[int, Any, BaseException], Any] | None = None,
) -> None:
    """Run ``function(task)`` for every task, at most ``window`` in flight.

    Parameters
    ----------
    tasks : iterable
        The tasks, consumed lazily (a generator is fine), each one when it is submitted.
        With ``caller_takes`` a sequence.
    function : callable
        ``function(task) -> result``; picklable for process and cluster engines.
    on_result : callable
        ``on_result(index, result)``, called in the calling thread as results come (in
        any order; ``index`` is the task's position).
    engine : Engine
        Where the tasks run.
    window : int, optional
        Most tasks submitted and not yet collected (default: twice the engine's workers).
    caller_takes : bool
        The calling thread runs tasks too, from the back of ``tasks``, while the engine's
        workers take them from the front; so the workers' start-up is not lost time.
    on_failure : callable, optional
        ``on_failure(index, task, error) -> result`` for a task whose run raised (or
        whose worker died): its result stands in. By default the error is raised, and
        the tasks still in flight are cancelled.

    Examples
    --------
    >>> results = {}
    >>> run_tasks(range(5), lambda x: x * x, results.__setitem__, engine=InProcess())
    >>> [results[i] for i in range(5)]
    [0, 1, 4, 9, 16]
    >>> with Threads(2) as engine:
    ...     run_tasks([1, 2, 3], abs, results.__setitem__, engine=engine, caller_takes=True)
    >>> [results[i] for i in range(3)]
    [1, 2, 3]
    """
    if caller_takes and not isinstance(tasks, Sequence):
        raise TypeError("caller_takes needs the tasks as a sequence (it takes them from the back)")
    window = 2 * engine.workers if window is None else int(window)
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    if caller_takes:
        todo = tasks
        front, back = 0, len(todo)

        def take_front() -> tuple[int, Any] | None:
            nonlocal front
            if front >= back:
                return None
            front += 1
            return front - 1, todo[front - 1]
    else:
        numbered = enumerate(tasks)

        def take_front() -> tuple[int, Any] | None:
            return next(numbered, None)

    pending: dict[Any, tuple[int, Any]] = {}
    exhausted = False

    def keep(task: Any) -> Any:
        return task if on_failure is not None else None

    def settle(index: int, task: Any, outcome: Callable[[], Any]) -> None:
        try:
            result = outcome()
        except Exception as err:  # noqa: BLE001 - on_failure decides, or it is raised
            if on_failure is None:
                raise
            result = on_failure(index, task, err)
        on_result(index, result)

    def collect(future: Any) -> None:
        index, task = pending.pop(future)
        settle(index, task, future.result)

    try:
        while True:
            while not exhausted and len(pending) < window:
                item = take_front()
                if item is None:
                    exhausted = True
                    break
                # Only a failure handler needs the task back: otherwise it is freed as
                # soon as the engine is done with it.
                pending[engine.submit(function, item[1])] = (item[0], keep(item[1]))
                del item
            if caller_takes and front < back:
                back -= 1
                settle(back, todo[back], lambda task=todo[back]: function(task))
                for future in [f for f in pending if f.done()]:
                    collect(future)
                continue
            if not pending:
                return
            for future in engine.wait_first(list(pending)):
                collect(future)
    finally:
        for future in pending:
            future.cancel()
