"""The writer threads behind generation (ecgtoolkit/store/writers.py)."""

import threading
import time

import pytest

from ecgtoolkit.store.writers import write_behind, writer_threads


@pytest.mark.parametrize("threads", [1, 3])
def test_every_batch_is_written_once_with_bounded_writes_in_flight(threads):
    written, in_flight, most = [], [0], [0]
    lock = threading.Lock()

    def write(k, payload):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.002 * (k % 3))
        with lock:
            written.append((k, payload))
            in_flight[0] -= 1

    write_behind(((k, k * k) for k in range(20)), write, threads=threads)
    assert sorted(written) == [(k, k * k) for k in range(20)]
    assert 1 <= most[0] <= threads


def test_a_writer_error_stops_the_loop_and_is_raised():
    produced = []

    def batches():
        for k in range(100):
            produced.append(k)
            yield (k,)

    def write(k):
        if k == 3:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_behind(batches(), write, threads=2)
    assert len(produced) < 100


def test_writer_threads_grow_with_the_cores(monkeypatch):
    import os

    for cores, cpu, folder_on_gpu, store_on_gpu in [
        (1, 1, 1, 1), (2, 1, 1, 1), (8, 2, 2, 6), (16, 4, 4, 12), (64, 4, 4, 12)
    ]:  # fmt: skip
        monkeypatch.setattr(os, "cpu_count", lambda c=cores: c)
        assert writer_threads() == writer_threads(compresses=True) == cpu
        assert writer_threads(device="cuda") == folder_on_gpu
        assert writer_threads(device="cuda:1", compresses=True) == store_on_gpu
