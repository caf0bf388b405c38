import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import ecgtoolkit as et
from ecgtoolkit.store import ECGStore, generate_store, open_store


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    """20 records, batches of 8, chunks of 6 records (the last chunk holds 2)."""
    path = tmp_path_factory.mktemp("store") / "x.zarr"
    generate_store(path, 20, seed=3, batch_size=8, records_per_chunk=6, progress=False)
    return path


def at_1uv(signal_mv: np.ndarray) -> np.ndarray:
    """What an int16 store gives back: the samples rounded to 1 µV, as float32 mV."""
    microvolts = np.rint(signal_mv.astype(np.float32) * np.float32(1000)).astype(np.int16)
    return microvolts.astype(np.float32) / np.float32(1000)


def _chunk_bytes(path: Path) -> dict[str, bytes]:
    root = path / "signals" / "c"
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_round_trip_equals_generate(small_store):
    store = open_store(small_store)
    expected = et.generate(20, seed=3, batch_size=8)
    batch = store[0:20]
    assert isinstance(store, ECGStore) and len(store) == 20 and store.complete
    assert batch.signal.dtype == np.float32
    np.testing.assert_array_equal(batch.signal, at_1uv(expected.signal))
    assert batch.leads == et.STANDARD_LEADS and batch.fs == 500.0
    np.testing.assert_array_equal(store.record_ids, np.arange(20))
    np.testing.assert_array_equal(store[::3].signal, at_1uv(expected.signal[::3]))
    np.testing.assert_array_equal(store[-1].signal, at_1uv(expected.signal[-1]))


def test_record_depends_only_on_seed_and_id(small_store):
    store = open_store(small_store)
    for i in (0, 7, 19):
        one = et.generate(1, seed=3, start_id=i, batch_size=8)
        np.testing.assert_array_equal(store[i].signal, at_1uv(one.signal[0]))
        assert store[i].meta["record_id"] == i and store[i].meta["seed"] == 3


def test_attributes_chunks_and_repr(small_store):
    import zarr

    group = zarr.open_group(small_store, mode="r")
    attrs = group.attrs
    assert attrs["fs"] == 500.0 and attrs["units"] == "mV" and attrs["seed"] == 3
    assert attrs["leads"] == list(et.STANDARD_LEADS)
    assert attrs["ecgtoolkit"] == et.__version__
    assert attrs["generator"]["weights_sha256"] and attrs["batch_size"] == 8
    assert group["signals"].chunks == (6, 12, 5000)
    assert group["signals"].dtype == np.int16 and group["signals"].attrs["units"] == "uV"
    assert group["record_ids"].dtype == np.int64
    assert group["done"][:].tolist() == [True] * 4
    assert repr(open_store(small_store)) == (
        "<ECGStore | 20 records × 12 leads × 5000 samples (10 s at 500 Hz), mV, seed 3, complete>"
    )


def test_iteration_by_chunks_and_records(small_store):
    store = open_store(small_store)
    chunks = list(store.iter_chunks())
    assert [c.meta["record_ids"].tolist() for c in chunks] == [
        list(range(k, min(20, k + 6))) for k in range(0, 20, 6)
    ]
    records = list(store)
    assert len(records) == 20 and records[13].meta["record_id"] == 13
    np.testing.assert_array_equal(records[13].signal, store[13].signal)


def test_to_dask_is_lazy_and_equal(small_store):
    store = open_store(small_store)
    array = store.to_dask()
    assert array.shape == (20, 12, 5000) and array.chunksize == (6, 12, 5000)
    np.testing.assert_array_equal(array[5:9].compute(), store[5:9].signal)


def test_to_dask_without_dask_says_what_to_install(small_store, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.array", None)
    with pytest.raises(ImportError, match=r'pip install "ecgtoolkit\[scale\]"'):
        open_store(small_store).to_dask()


def test_bad_indices(small_store):
    store = open_store(small_store)
    with pytest.raises(IndexError):
        store[20]
    with pytest.raises(IndexError, match="no records"):
        store[5:5]
    with pytest.raises(TypeError, match="int or a slice"):
        store["a"]


def test_rerun_with_same_settings_keeps_finished_chunks(tmp_path):
    path = generate_store(tmp_path / "x.zarr", 10, seed=1, batch_size=8, progress=False)
    before = {p: p.stat().st_mtime_ns for p in (path / "signals").rglob("*") if p.is_file()}
    generate_store(path, 10, seed=1, progress=False)  # batch size taken from the store
    after = {p: p.stat().st_mtime_ns for p in (path / "signals").rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"seed": 2}, "seed=2"),
        ({"n_leads": 8}, "8 leads"),
        ({"n": 11}, "count=11"),
        ({"batch_size": 4}, "batch_size=4"),
        ({"records_per_chunk": 3}, "records_per_chunk"),
    ],
)
def test_resume_with_other_settings_is_refused(tmp_path, change, named):
    path = generate_store(tmp_path / "x.zarr", 10, seed=1, batch_size=8, progress=False)
    before = _chunk_bytes(path)
    kwargs = {"n": 10, "seed": 1, "batch_size": 8, **change}
    with pytest.raises(ValueError, match=f"cannot resume.*{named}.*overwrite=True"):
        generate_store(path, kwargs.pop("n"), progress=False, **kwargs)
    assert _chunk_bytes(path) == before


def test_resume_under_another_version_is_refused(tmp_path, monkeypatch):
    path = generate_store(tmp_path / "x.zarr", 4, seed=1, batch_size=8, progress=False)
    monkeypatch.setattr("ecgtoolkit.store.manifest.__version__", "99.0")
    with pytest.raises(ValueError, match="version=99.0"):
        generate_store(path, 4, seed=1, progress=False)


def test_overwrite_replaces_a_store_but_nothing_else(tmp_path):
    path = generate_store(tmp_path / "x.zarr", 4, seed=1, batch_size=8, progress=False)
    generate_store(path, 3, seed=2, batch_size=8, overwrite=True, progress=False)
    store = open_store(path)
    assert len(store) == 3 and store.seed == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.zarr"]
    other = tmp_path / "data"
    other.mkdir()
    (other / "precious.txt").write_text("x")
    with pytest.raises(FileExistsError, match="not a Zarr store"):
        generate_store(other, 3, seed=2, overwrite=True, progress=False)
    assert (other / "precious.txt").read_text() == "x"


def test_a_chunk_written_but_not_marked_done_is_never_valid(tmp_path, monkeypatch):
    import zarr

    path = tmp_path / "x.zarr"
    expected = et.generate(12, seed=5, batch_size=8)
    real_fsync = os.fsync
    calls = {"n": 0}

    def dying_fsync(fd):  # the data of chunk 1 reached the disk, its marker did not
        calls["n"] += 1
        real_fsync(fd)
        if calls["n"] == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", dying_fsync)
    with pytest.raises(KeyboardInterrupt):
        generate_store(path, 12, seed=5, batch_size=8, records_per_chunk=4, progress=False)
    monkeypatch.undo()
    assert zarr.open_group(path, mode="r")["done"][:].tolist() == [True, False, False]
    with pytest.raises(ValueError, match="incomplete: 1 of 3 chunks"):
        open_store(path)
    with pytest.raises(ValueError, match=r"`ecgtoolkit generate -n 12 -o \S+ --seed 5`"):
        open_store(path)
    partial = open_store(path, allow_incomplete=True)
    assert not partial.complete and "incomplete: 1/3 chunks done" in repr(partial)
    np.testing.assert_array_equal(partial[0:4].signal, at_1uv(expected.signal[:4]))
    with pytest.raises(ValueError, match="not finished"):
        partial[5]
    with pytest.raises(ValueError, match="not finished"):
        partial[2:6]
    assert [b.meta["record_ids"].tolist() for b in partial.iter_chunks()] == [[0, 1, 2, 3]]
    with pytest.raises(ValueError, match="incomplete"):
        partial.to_dask()
    # A torn chunk file and Zarr's temporary file of a killed write: both replaced.
    chunk = path / "signals" / "c" / "1" / "0" / "0"
    chunk.write_bytes(chunk.read_bytes()[:100])
    leftover = chunk.parent / f"0.{'ab' * 16}.partial"
    leftover.write_bytes(b"half")
    generate_store(path, 12, seed=5, batch_size=8, progress=False)
    assert not leftover.exists()
    np.testing.assert_array_equal(open_store(path)[0:12].signal, at_1uv(expected.signal))


def test_missing_and_foreign_stores(tmp_path):
    import zarr

    with pytest.raises(FileNotFoundError, match="generate_store"):
        open_store(tmp_path / "none.zarr")
    zarr.open_group(tmp_path / "other.zarr", mode="w")
    with pytest.raises(FileExistsError, match="not one written by"):
        open_store(tmp_path / "other.zarr")
    with pytest.raises(FileExistsError, match="not one written by"):
        generate_store(tmp_path / "other.zarr", 2, seed=0, overwrite=True, progress=False)


@pytest.mark.slow
def test_sigkill_then_the_same_command_gives_a_straight_runs_bytes(tmp_path):
    command = [
        sys.executable, "-m", "ecgtoolkit", "generate", "-n", "300", "-o", "x.zarr",
        "--seed", "3", "--batch-size", "16", "-q",
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # slower, so the kill lands mid-run
    first_marker = tmp_path / "x.zarr" / "done" / "c" / "0"
    process = subprocess.Popen(command, cwd=tmp_path, env=env)
    try:
        deadline = time.monotonic() + 120
        while not first_marker.exists() and process.poll() is None:
            assert time.monotonic() < deadline, "no chunk was finished within 120 s"
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    with pytest.raises(ValueError, match="incomplete"):
        open_store(tmp_path / "x.zarr")
    assert 1 <= sum(open_store(tmp_path / "x.zarr", allow_incomplete=True)._done) < 5

    subprocess.run(command, cwd=tmp_path, env=env, check=True)
    straight = generate_store(tmp_path / "y.zarr", 300, seed=3, batch_size=16, progress=False)
    resumed = open_store(tmp_path / "x.zarr")
    assert resumed.complete
    assert _chunk_bytes(tmp_path / "x.zarr") == _chunk_bytes(straight)
    assert resumed[0:300].signal.tobytes() == open_store(straight)[0:300].signal.tobytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.zarr", "y.zarr"]


def test_int16_is_within_half_a_microvolt_and_float32_is_exact(tmp_path):
    expected = et.generate(5, seed=8, batch_size=4).signal
    small = open_store(generate_store(tmp_path / "a.zarr", 5, seed=8, batch_size=4, progress=False))
    assert np.abs(small[:].signal - expected).max() <= 0.0005 + 1e-6
    exact = generate_store(
        tmp_path / "b.zarr", 5, seed=8, batch_size=4, encoding="float32", progress=False
    )
    np.testing.assert_array_equal(open_store(exact)[:].signal, expected)
    np.testing.assert_array_equal(open_store(exact).to_dask().compute(), expected)
    with pytest.raises(ValueError, match="encoding=float32; you asked for int16"):
        generate_store(exact, 5, seed=8, batch_size=4, encoding="int16", progress=False)
    with pytest.raises(ValueError, match="encoding must be one of"):
        generate_store(tmp_path / "c.zarr", 5, seed=8, encoding="float16", progress=False)
    generate_store(exact, 5, seed=8, progress=False)  # a resume keeps the store's encoding


def test_chunks_regrouped_from_batches_whole_or_split():
    from ecgtoolkit.store.zarr_store import _whole_chunks

    n, per_chunk = 10, 4
    data = np.arange(n * 2 * 5000, dtype=np.float32).reshape(n, 2, 5000)
    todo = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    sizes = [4, 3, 3]  # chunk 0 whole in one batch; chunks 1 and 2 split across batches
    batches, start = [], 0
    for size in sizes:
        batches.append((todo[start : start + size], data[start : start + size].copy()))
        start += size
    got = list(_whole_chunks(iter(batches), n, per_chunk, 2))
    assert [k for k, _ in got] == [0, 1, 2]
    for k, chunk in got:
        np.testing.assert_array_equal(chunk, data[k * per_chunk : (k + 1) * per_chunk])
    assert np.shares_memory(got[0][1], batches[0][1])  # handed on without a copy
