"""Measuring every record of a source in parallel (ecgtoolkit/measurement/sources.py)."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.cli import main
from ecgtoolkit.measurement.sources import measure_source
from ecgtoolkit.store import generate_store, open_store

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def batch() -> et.ECG:
    return et.generate(16, seed=7, progress=False)


@pytest.fixture(scope="module")
def expected(batch) -> pd.DataFrame:
    """The reference: every record measured in this process, one chunk per record."""
    return measure_source(batch, n_jobs=1, chunk_size=1, progress=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, batch) -> Path:
    """Six records as .npz files (lossless) and one corrupt file."""
    path = tmp_path_factory.mktemp("records")
    for i in range(6):
        et.write(batch[i], path / f"{i * 5}.npz")  # 0, 5, ..., 25: natural order matters
    (path / "broken.npz").write_bytes(b"this is not a zip file")
    return path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    """A Zarr store of six records in chunks of four (the last chunk holds two)."""
    pytest.importorskip("zarr")
    path = tmp_path_factory.mktemp("store") / "x.zarr"
    return generate_store(path, 6, seed=5, records_per_chunk=4, progress=False)


@pytest.fixture(scope="module")
def store_expected(store_path) -> pd.DataFrame:
    """The reference: the whole store read into memory, measured in this process."""
    return measure_source(open_store(store_path)[:], n_jobs=1, progress=False)


def _interrupt(store: Path, chunk: int) -> None:
    """Unmark a finished chunk, as a generation killed before marking it leaves the store."""
    import zarr

    zarr.open_group(store, mode="r+")["done"][chunk] = False


def test_same_table_for_one_and_two_workers(batch, expected):
    two = measure_source(batch, n_jobs=2, chunk_size=3, progress=False)
    pd.testing.assert_frame_equal(two, expected)
    assert two.index.name == "record_id" and two.index.tolist() == list(range(16))
    assert (two["status"] == "ok").all()
    pd.testing.assert_frame_equal(two, et.measure(batch, n_jobs=1, progress=False))


def test_folder_with_a_corrupt_file(folder, expected):
    one = measure_source(folder, n_jobs=1, chunk_size=4, progress=False)
    two = measure_source(folder, n_jobs=2, chunk_size=4, progress=False)
    pd.testing.assert_frame_equal(one, two)
    names = [f"{i * 5}.npz" for i in range(6)] + ["broken.npz"]
    assert one.index.tolist() == names
    bad = one.iloc[-1]
    assert bad["status"] == "error" and "cannot read" in bad["reason"]
    assert np.isnan(bad["heart_rate"])
    # The files hold the batch's records exactly, so their rows are the batch's rows.
    got = one.iloc[:6].reset_index(drop=True)
    want = expected.iloc[:6].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)  # NaN row: float n_beats


def test_lazy_source_object(batch, expected):
    class Lazy:
        record_ids = [f"r{i:02d}" for i in range(16)]

        def __len__(self):
            return 16

        def __getitem__(self, key):
            return batch[key]

    table = measure_source(Lazy(), n_jobs=2, chunk_size=5, progress=False)
    assert table.index.tolist() == Lazy.record_ids
    pd.testing.assert_frame_equal(table.reset_index(drop=True), expected.reset_index(drop=True))


@pytest.fixture(scope="module")
def dask_client():
    """A local Dask cluster of two worker processes, shared by this module's tests."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.slow
def test_local_dask_cluster(dask_client, batch, folder, expected):
    table = measure_source(batch, client=dask_client, chunk_size=4, progress=False)
    files = measure_source(folder, client=dask_client, chunk_size=4, progress=False)
    pd.testing.assert_frame_equal(table, expected)
    pd.testing.assert_frame_equal(
        files, measure_source(folder, n_jobs=1, chunk_size=4, progress=False)
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def scheduler_address():
    """A dask scheduler and two worker processes on 127.0.0.1, always stopped after."""
    pytest.importorskip("distributed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [
        subprocess.Popen(
            [
                BIN / "dask",
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-dashboard",
            ],
            **common,
        )
    ]
    try:
        procs.append(
            subprocess.Popen(
                [
                    BIN / "dask",
                    "worker",
                    address,
                    "--nworkers",
                    "2",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                **common,
            )
        )
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        deadline = time.monotonic() + 30
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.slow
def test_scheduler_address(scheduler_address, folder):
    table = measure_source(folder, scheduler=scheduler_address, chunk_size=2, progress=False)
    pd.testing.assert_frame_equal(
        table, measure_source(folder, n_jobs=1, chunk_size=2, progress=False)
    )


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_atomic_write_and_refusal_to_overwrite(tmp_path, batch, suffix):
    small = batch[:3]
    out = tmp_path / f"m{suffix}"
    table = measure_source(small, out, n_jobs=1, progress=False)
    back = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    if suffix == ".csv":
        assert back.columns[0] == "record_id"
        back = back.set_index("record_id")
    assert back.index.name == "record_id" and back.index.tolist() == [0, 1, 2]
    np.testing.assert_allclose(back["heart_rate"], table["heart_rate"])
    before = out.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        measure_source(small, out, n_jobs=1, progress=False)
    assert out.read_bytes() == before
    measure_source(small, out, n_jobs=1, progress=False, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary files left


def test_clear_errors(tmp_path, batch):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        measure_source(tmp_path / "missing", progress=False)
    with pytest.raises(ValueError, match="no record files"):
        measure_source(tmp_path, progress=False)
    with pytest.raises(ValueError, match="ECG batch"):
        measure_source(batch[0], progress=False)
    with pytest.raises(TypeError, match="cannot measure a int"):
        measure_source(3, progress=False)
    with pytest.raises(ValueError, match=r"\*.parquet or \*.csv"):
        measure_source(batch, tmp_path / "m.xlsx", progress=False)
    with pytest.raises(ValueError, match="chunk_size"):
        measure_source(batch, chunk_size=0, progress=False)
    with pytest.raises(ValueError, match="n_jobs"):
        measure_source(batch, n_jobs=0, progress=False)
    with pytest.raises(TypeError, match="not both"):
        measure_source(batch, client=object(), scheduler="tcp://127.0.0.1:1")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        measure_source(tmp_path / "data.zarr", progress=False)
    (tmp_path / "data.zarr").mkdir()
    if importlib.util.find_spec("zarr") is not None:
        with pytest.raises(FileExistsError, match="not a Zarr store"):
            measure_source(tmp_path / "data.zarr", progress=False)


def test_zarr_store_without_zarr_says_what_to_install(tmp_path, monkeypatch):
    (tmp_path / "data.zarr").mkdir()
    monkeypatch.setitem(sys.modules, "zarr", None)  # import zarr raises ImportError
    with pytest.raises(ImportError, match=r"ecgtoolkit\[scale\]"):
        measure_source(tmp_path / "data.zarr", progress=False)


def test_command_line(tmp_path, folder, capsys):
    out = tmp_path / "m.parquet"
    args = ["measure", str(folder), "-o", str(out), "--n-jobs", "1", "-q"]
    assert main(args) == 0
    assert len(pd.read_parquet(out)) == 7
    assert main(args) == 1
    assert "overwrite" in capsys.readouterr().err


@pytest.mark.parametrize("workers", [1, 2])
def test_zarr_store_path_gives_the_in_memory_table(store_path, store_expected, workers):
    # Jobs of 3 records over chunks of 4: the second job reads from both chunks.
    table = measure_source(store_path, n_jobs=workers, chunk_size=3, progress=False)
    pd.testing.assert_frame_equal(table, store_expected)
    assert table.index.tolist() == list(range(6))
    assert (table["status"] == "ok").all()


@pytest.mark.slow
def test_zarr_store_on_a_dask_cluster(dask_client, store_path, store_expected):
    table = measure_source(store_path, client=dask_client, chunk_size=3, progress=False)
    pd.testing.assert_frame_equal(table, store_expected)


def test_incomplete_store_is_refused_with_the_command_that_finishes_it(
    tmp_path, store_path, store_expected, capsys
):
    path = tmp_path / "x.zarr"
    shutil.copytree(store_path, path)
    _interrupt(path, 1)
    with pytest.raises(ValueError, match="interrupted") as refusal:
        measure_source(path, tmp_path / "m.parquet", n_jobs=1, progress=False)
    assert not (tmp_path / "m.parquet").exists()  # no partial table either
    command = re.search(r"`(ecgtoolkit generate [^`]+)`", str(refusal.value)).group(1)
    assert command == f"ecgtoolkit generate -n 6 -o {shlex.quote(str(path))} --seed 5"
    out = tmp_path / "cli.parquet"
    assert main(["measure", str(path), "-o", str(out), "--n-jobs", "1", "-q"]) == 1
    assert command in capsys.readouterr().err and not out.exists()
    # The advice works: the same generate command finishes the store, which then measures.
    assert main([*shlex.split(command)[1:], "-q"]) == 0
    table = measure_source(path, n_jobs=1, chunk_size=3, progress=False)
    pd.testing.assert_frame_equal(table, store_expected)


def test_store_replaced_at_the_same_path_is_opened_again(tmp_path, store_expected):
    # Workers keep a store open between calls; a store regenerated at the same path
    # (another length) must not be read through the one opened before.
    path = tmp_path / "x.zarr"
    generate_store(path, 2, seed=5, records_per_chunk=4, progress=False)
    for workers in (1, 2):
        assert len(measure_source(path, n_jobs=workers, chunk_size=1, progress=False)) == 2
    generate_store(path, 6, seed=5, records_per_chunk=4, overwrite=True, progress=False)
    for workers in (1, 2):
        table = measure_source(path, n_jobs=workers, chunk_size=3, progress=False)
        pd.testing.assert_frame_equal(table, store_expected)


def test_command_line_measures_a_zarr_store(tmp_path, store_path, store_expected, capsys):
    out = tmp_path / "m.parquet"
    assert main(["measure", str(store_path), "-o", str(out), "--n-jobs", "1"]) == 0
    assert f"measured 6 records (ok: 6) into {out}" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_parquet(out), store_expected)


def test_measure_source_passes_the_convention_on():
    batch = et.generate(3, seed=2, progress=False)
    default = measure_source(batch, n_jobs=1, chunk_size=2, progress=False)
    spatial = measure_source(
        batch, n_jobs=1, chunk_size=2, progress=False, convention="median-beat"
    )
    assert spatial.attrs["convention"] == "median-beat"
    pd.testing.assert_frame_equal(
        spatial.drop(
            columns=["pr_ms", "qrs_ms", "qt_ms", *[c for c in spatial if c.startswith("qtc_")]]
        ),
        default.drop(
            columns=["pr_ms", "qrs_ms", "qt_ms", *[c for c in default if c.startswith("qtc_")]]
        ),
    )
    expected = et.measure(batch, progress=False, convention="median-beat")
    np.testing.assert_allclose(spatial["qrs_ms"], expected["qrs_ms"])
    with pytest.raises(ValueError, match="convention"):
        measure_source(batch, n_jobs=1, progress=False, convention="12SL")
