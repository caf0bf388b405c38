import json
import os
import threading

import pytest

from ecgtoolkit.core.lock import DatasetLocked, WriterLock


def test_the_holder_is_written_while_held_and_the_file_removed_after(tmp_path):
    path = tmp_path / ".lock"
    with WriterLock(path, "the dataset") as lock:
        holder = json.loads(path.read_text())
        assert holder["pid"] == os.getpid()
        assert {"host", "started", "command"} <= set(holder)
        assert lock.taken_over is None
    assert not path.exists()


def test_a_second_holder_is_refused_at_once_with_the_first_ones_details(tmp_path):
    path = tmp_path / ".lock"
    with WriterLock(path, "the dataset"):
        with pytest.raises(
            DatasetLocked, match=rf"the dataset is being written .*pid {os.getpid()}"
        ):
            WriterLock(path, "the dataset").__enter__()
        assert json.loads(path.read_text())["pid"] == os.getpid()  # the refusal wiped nothing


def test_a_stale_lock_file_is_taken_over_and_reported(tmp_path):
    path = tmp_path / ".lock"
    stale = {"pid": 999999, "host": "elsewhere", "started": "2026-01-01T00:00:00+00:00"}
    path.write_text(json.dumps(stale))
    with WriterLock(path, "the dataset") as lock:
        assert lock.taken_over == stale
        assert json.loads(path.read_text())["pid"] == os.getpid()


def test_threads_racing_for_the_lock_get_it_one_at_a_time(tmp_path):
    path = tmp_path / ".lock"
    inside, most, refused = [0], [0], [0]
    guard = threading.Lock()

    def writer():
        for _ in range(50):
            try:
                with WriterLock(path, "x"):
                    with guard:
                        inside[0] += 1
                        most[0] = max(most[0], inside[0])
                    with guard:
                        inside[0] -= 1
            except DatasetLocked:
                with guard:
                    refused[0] += 1

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1
    assert not path.exists()


def test_an_unreadable_holder_still_gives_a_clear_refusal(tmp_path):
    path = tmp_path / ".lock"
    with WriterLock(path, "the store x.zarr"):
        path.write_bytes(b"\xff\xfe garbage")
        with pytest.raises(DatasetLocked, match="holder unknown"):
            with WriterLock(path, "the store x.zarr"):
                pass
