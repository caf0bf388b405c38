"""The one scheduler (ecgtoolkit/core/parallel.py): windows, the calling thread's share,
failures, engines."""

from __future__ import annotations

import os
import threading
import time

import pytest

from ecgtoolkit.core.parallel import InProcess, LocalProcesses, Threads, run_tasks


def _square(x: int) -> int:
    return x * x


def _pid(_: int) -> int:
    time.sleep(0.05)
    return os.getpid()


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise RuntimeError("task 3 failed")
    return x


def test_every_task_once_in_order_of_index():
    results: dict[int, int] = {}
    run_tasks(range(20), _square, results.__setitem__, engine=InProcess())
    assert results == {i: i * i for i in range(20)}


def test_window_bounds_the_tasks_in_flight():
    running, most, lock = [0], [0], threading.Lock()

    def task(x: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return x

    taken = []

    def tasks():
        for i in range(30):
            taken.append(i)
            yield i

    results: dict[int, int] = {}
    with Threads(4) as engine:
        run_tasks(tasks(), task, results.__setitem__, engine=engine, window=2)
    assert sorted(results) == list(range(30)) and taken == list(range(30))
    assert most[0] <= 2


def test_the_calling_thread_takes_tasks_from_the_back():
    where: dict[int, str] = {}

    def task(x: int) -> str:
        time.sleep(0.02)
        return threading.current_thread().name

    with Threads(1, name="worker") as engine:
        run_tasks(list(range(12)), task, where.__setitem__, engine=engine, caller_takes=True)
    mine = sorted(i for i, name in where.items() if name == threading.current_thread().name)
    assert sorted(where) == list(range(12))
    assert mine and mine == list(range(12 - len(mine), 12))  # a block at the back
    assert any(name.startswith("worker") for name in where.values())


def test_a_failure_is_raised_or_replaced():
    with pytest.raises(RuntimeError, match="task 3 failed"):
        run_tasks(range(6), _fail_on_three, lambda i, r: None, engine=InProcess())
    results: dict[int, int] = {}
    run_tasks(
        range(6),
        _fail_on_three,
        results.__setitem__,
        engine=InProcess(),
        on_failure=lambda index, task, error: -task,
    )
    assert results == {0: 0, 1: 1, 2: 2, 3: -3, 4: 4, 5: 5}


def test_worker_processes_and_this_one_share_the_work():
    results: dict[int, int] = {}
    run_tasks(
        list(range(16)),
        _pid,
        results.__setitem__,
        engine=LocalProcesses(1),
        caller_takes=True,
    )
    pids = set(results.values())
    assert os.getpid() in pids and len(pids) == 2


def test_bad_arguments():
    with pytest.raises(TypeError, match="sequence"):
        run_tasks(iter(range(3)), _square, lambda i, r: None, engine=InProcess(), caller_takes=True)
    with pytest.raises(ValueError, match="window"):
        run_tasks(range(3), _square, lambda i, r: None, engine=InProcess(), window=0)
