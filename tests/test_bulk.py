"""Parallel measurement of datasets (ecgtoolkit/bulk.py)."""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.bulk import FolderSource, add_measure_command, measure_dataset, run_measure

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def batch() -> et.ECG:
    return et.generate(16, seed=7)


@pytest.fixture(scope="module")
def expected(batch) -> pd.DataFrame:
    """The reference: every record measured in this process, one chunk per record."""
    return measure_dataset(batch, workers=1, chunk_size=1, progress=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, batch) -> Path:
    """Six records as .npz files (lossless) and one corrupt file."""
    path = tmp_path_factory.mktemp("records")
    for i in range(6):
        et.write(batch[i], path / f"{i * 5}.npz")  # 0, 5, ..., 25: natural order matters
    (path / "broken.npz").write_bytes(b"this is not a zip file")
    return path


def test_same_table_for_one_and_two_workers(batch, expected):
    two = measure_dataset(batch, workers=2, chunk_size=3, progress=False)
    pd.testing.assert_frame_equal(two, expected)
    assert two["record_id"].tolist() == list(range(16))
    assert (two["status"] == "ok").all()
    direct = et.measure(batch, n_jobs=1, progress=False).reset_index(drop=True)
    pd.testing.assert_frame_equal(two.drop(columns="record_id"), direct)


def test_folder_with_a_corrupt_file(folder, expected):
    one = measure_dataset(folder, workers=1, chunk_size=4, progress=False)
    two = measure_dataset(folder, workers=2, chunk_size=4, progress=False)
    pd.testing.assert_frame_equal(one, two)
    names = [f"{i * 5}.npz" for i in range(6)] + ["broken.npz"]
    assert one["record_id"].tolist() == names
    bad = one.iloc[-1]
    assert bad["status"] == "error" and "cannot read" in bad["reason"]
    assert np.isnan(bad["heart_rate"])
    # The files hold the batch's records exactly, so their rows are the batch's rows.
    got = one.iloc[:6].drop(columns="record_id").reset_index(drop=True)
    want = expected.iloc[:6].drop(columns="record_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)  # NaN row: float n_beats


def test_lazy_source_object(batch, expected):
    class Lazy:
        record_ids = [f"r{i:02d}" for i in range(16)]

        def __len__(self):
            return 16

        def __getitem__(self, key):
            return batch[key]

    table = measure_dataset(Lazy(), workers=2, chunk_size=5, progress=False)
    assert table["record_id"].tolist() == Lazy.record_ids
    pd.testing.assert_frame_equal(
        table.drop(columns="record_id"), expected.drop(columns="record_id")
    )


def test_local_dask_cluster(batch, folder, expected):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        table = measure_dataset(batch, client=client, chunk_size=4, progress=False)
        files = measure_dataset(folder, client=client, chunk_size=4, progress=False)
    pd.testing.assert_frame_equal(table, expected)
    pd.testing.assert_frame_equal(
        files, measure_dataset(folder, workers=1, chunk_size=4, progress=False)
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


def test_scheduler_address(scheduler_address, folder):
    table = measure_dataset(folder, scheduler=scheduler_address, chunk_size=2, progress=False)
    pd.testing.assert_frame_equal(
        table, measure_dataset(folder, workers=1, chunk_size=2, progress=False)
    )


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_atomic_write_and_refusal_to_overwrite(tmp_path, batch, suffix):
    small = batch[:3]
    out = tmp_path / f"m{suffix}"
    table = measure_dataset(small, out, workers=1, progress=False)
    back = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert back["record_id"].tolist() == [0, 1, 2]
    np.testing.assert_allclose(back["heart_rate"], table["heart_rate"])
    before = out.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        measure_dataset(small, out, workers=1, progress=False)
    assert out.read_bytes() == before
    measure_dataset(small, out, workers=1, progress=False, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary files left


def test_clear_errors(tmp_path, batch):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        measure_dataset(tmp_path / "missing", progress=False)
    with pytest.raises(ValueError, match="no record files"):
        measure_dataset(tmp_path, progress=False)
    with pytest.raises(ValueError, match="ECG batch"):
        measure_dataset(batch[0], progress=False)
    with pytest.raises(TypeError, match="cannot measure a int"):
        measure_dataset(3, progress=False)
    with pytest.raises(ValueError, match=r"\*.parquet or \*.csv"):
        measure_dataset(batch, tmp_path / "m.xlsx", progress=False)
    with pytest.raises(ValueError, match="chunk_size"):
        measure_dataset(batch, chunk_size=0, progress=False)
    with pytest.raises(ValueError, match="workers"):
        measure_dataset(batch, workers=0, progress=False)
    with pytest.raises(TypeError, match="not both"):
        measure_dataset(batch, client=object(), scheduler="tcp://127.0.0.1:1")
    (tmp_path / "data.zarr").mkdir()
    try:
        import ecgtoolkit.store  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="Zarr store"):
            measure_dataset(tmp_path / "data.zarr", progress=False)


def test_folder_source_ignores_companions(tmp_path, batch):
    et.write(batch[0], tmp_path / "10.hea")
    et.write(batch[1], tmp_path / "2.npz")
    (tmp_path / "manifest.json").write_text("{}")
    source = FolderSource(tmp_path)
    assert source.record_ids == ["2.npz", "10.hea"]
    assert source[0:2].n_records == 2


def test_command_line(tmp_path, folder, capsys):
    parser = argparse.ArgumentParser()
    add_measure_command(parser.add_subparsers(dest="command"))
    out = tmp_path / "m.parquet"
    args = parser.parse_args(["measure", str(folder), "-o", str(out), "--workers", "1", "-q"])
    assert run_measure(args) == 0
    assert len(pd.read_parquet(out)) == 7
    assert run_measure(args) == 1
    assert "overwrite" in capsys.readouterr().err
