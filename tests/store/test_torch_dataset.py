"""ECGDataset: any source as float32 tensors in mV, resampled, with chosen leads and targets."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

import ecgtoolkit as et
from ecgtoolkit.io.folder import FolderSource
from ecgtoolkit.signal.augment import add_gaussian_noise
from ecgtoolkit.store import generate_store, open_store
from ecgtoolkit.store.torch_dataset import ECGDataset


def sine_batch(n: int = 4, fs: float = 500.0, seconds: float = 2.0) -> et.ECG:
    """Record i: lead I a 3 Hz sine of amplitude i + 1 mV, lead II a 5 Hz sine of 2 mV."""
    t = np.arange(int(seconds * fs)) / fs
    lead_i = (np.arange(n)[:, None] + 1.0) * np.sin(2 * np.pi * 3 * t)
    lead_ii = np.broadcast_to(2.0 * np.sin(2 * np.pi * 5 * t), lead_i.shape)
    signal = np.stack([lead_i, lead_ii], axis=1)
    return et.ECG(signal, fs=fs, leads=["I", "II"], meta={"record_ids": [10, 11, 12, 13][:n]})


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Three self-describing records: two at 500 Hz, one at 250 Hz, one longer."""
    path = tmp_path_factory.mktemp("records")
    batch = sine_batch(3)
    et.write(batch[0], path / "2.npz")
    et.write(batch[1], path / "10.npz")
    et.write(batch[2].resample(250.0), path / "a.npz")
    (path / "manifest.json").write_text("{}")  # not a record
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Five generated records in chunks of two (the last chunk holds one)."""
    path = tmp_path_factory.mktemp("store") / "x.zarr"
    generate_store(path, 5, seed=4, n_leads=8, records_per_chunk=2, progress=False)
    return path


def test_a_batch_gives_float32_tensors_in_mv():
    batch = sine_batch()
    data = ECGDataset(batch)
    assert isinstance(data, Dataset) and len(data) == 4 and data.record_ids == [10, 11, 12, 13]
    x = data[2]
    assert isinstance(x, torch.Tensor) and x.dtype == torch.float32 and x.shape == (2, 1000)
    np.testing.assert_allclose(x.numpy(), batch.signal[2], atol=1e-6)
    np.testing.assert_allclose(data[-1].numpy(), batch.signal[3], atol=1e-6)
    assert et.ECGDataset is ECGDataset
    assert "4 records from a batch" in repr(data)


def test_one_record_is_a_batch_of_one():
    record = sine_batch()[1]
    data = ECGDataset(record)
    assert len(data) == 1
    np.testing.assert_allclose(data[0].numpy(), record.signal, atol=1e-6)


def test_resampling_keeps_the_waves():
    data = ECGDataset(sine_batch(), fs=125.0)
    x = data[1].numpy()
    t = np.arange(250) / 125.0
    assert x.shape == (2, 250)
    inner = slice(25, -25)  # the resampler's edges
    np.testing.assert_allclose(x[0, inner], 2.0 * np.sin(2 * np.pi * 3 * t)[inner], atol=0.02)
    np.testing.assert_allclose(x[1, inner], 2.0 * np.sin(2 * np.pi * 5 * t)[inner], atol=0.02)


def test_leads_are_chosen_ordered_and_derived():
    batch = sine_batch()
    data = ECGDataset(batch, leads=["ii", "I", "III", "aVR", "aVF"])
    assert data.leads == ("II", "I", "III", "aVR", "aVF")
    x = data[3].numpy()
    lead_i, lead_ii = batch.signal[3]
    np.testing.assert_allclose(x[0], lead_ii, atol=1e-6)
    np.testing.assert_allclose(x[1], lead_i, atol=1e-6)
    np.testing.assert_allclose(x[2], lead_ii - lead_i, atol=1e-6)  # Einthoven
    np.testing.assert_allclose(x[3], -(lead_i + lead_ii) / 2, atol=1e-6)  # Goldberger
    np.testing.assert_allclose(x[4], lead_ii - lead_i / 2, atol=1e-6)


def test_a_lead_that_cannot_be_derived_is_named():
    with pytest.raises(KeyError, match="needs leads V1; this ECG has I, II"):
        ECGDataset(sine_batch(), leads=["II", "V1"])
    with pytest.raises(TypeError, match="sequence of lead names"):
        ECGDataset(sine_batch(), leads="II")


def test_length_is_cut_or_padded():
    long = ECGDataset(sine_batch(), n_samples=1200)[0].numpy()
    assert long.shape == (2, 1200) and not long[:, 1000:].any()
    short = ECGDataset(sine_batch(), fs=250.0, n_samples=300)[0]
    assert short.shape == (2, 300)
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        ECGDataset(sine_batch(), n_samples=0)


def test_targets_by_index_by_position_and_as_a_series():
    batch = sine_batch()
    table = pd.DataFrame(
        {"heart_rate": [60.0, 70.0, 80.0, np.nan], "qt_ms": [400, 410, 420, 430]},
        index=[13, 12, 11, 10],  # matched by record id, not by position
    )
    x, y = ECGDataset(batch, targets=table)[0]
    assert y.dtype == torch.float32 and y.tolist() == [pytest.approx(np.nan, nan_ok=True), 430.0]
    _, y = ECGDataset(batch, targets=table["qt_ms"])[1]
    assert y.shape == () and float(y) == 420.0
    _, y = ECGDataset(batch, targets=np.arange(8.0).reshape(4, 2))[3]
    assert y.tolist() == [6.0, 7.0]


def test_targets_that_do_not_fit_are_refused():
    batch = sine_batch()
    with pytest.raises(ValueError, match="no row for 2 of the 4 records"):
        ECGDataset(batch, targets=pd.Series([1.0, 2.0], index=[10, 11]))
    with pytest.raises(TypeError, match="columns status are not"):
        ECGDataset(
            batch, targets=pd.DataFrame({"qt_ms": 1.0, "status": "ok"}, index=[10, 11, 12, 13])
        )
    with pytest.raises(ValueError, match="one value or row per record"):
        ECGDataset(batch, targets=np.zeros(3))
    with pytest.raises(TypeError, match="numeric"):
        ECGDataset(batch, targets=np.array(["a"] * 4))


def test_transform_augments_each_record():
    rng = np.random.default_rng(0)
    noisy = ECGDataset(sine_batch(), transform=functools.partial(add_gaussian_noise, rng=rng))
    clean = ECGDataset(sine_batch())
    difference = (noisy[0] - clean[0]).numpy()
    assert difference.std() > 0.01 and noisy[0].dtype == torch.float32
    doubled = ECGDataset(sine_batch(), transform=lambda x: torch.from_numpy(2 * x))
    np.testing.assert_allclose(doubled[1].numpy(), 2 * clean[1].numpy())
    with pytest.raises(TypeError, match="transform must be callable"):
        ECGDataset(sine_batch(), transform=3)


def test_a_folder_by_path_or_source(folder):
    data = ECGDataset(folder, fs=500.0, n_samples=1000)
    assert data.record_ids == ["2.npz", "10.npz", "a.npz"]  # natural order, no manifest
    assert ECGDataset(FolderSource(folder)).record_ids == data.record_ids
    batch = sine_batch(3)
    np.testing.assert_allclose(data[1].numpy(), batch.signal[1], atol=1e-5)
    resampled = data[2].numpy()  # written at 250 Hz, handed out at 500 Hz
    inner = slice(50, -50)
    np.testing.assert_allclose(resampled[:, inner], batch.signal[2][:, inner], atol=0.05)
    table = pd.DataFrame({"hr": [1.0, 2.0, 3.0]}, index=["a.npz", "10.npz", "2.npz"])
    assert float(ECGDataset(folder, targets=table)[0][1][0]) == 3.0
    with pytest.raises(KeyError, match="needs leads V6"):
        ECGDataset(folder, leads=["V6"])[0]  # a folder's leads are known when read


def test_a_zarr_store_by_path_or_object_read_chunk_by_chunk(store):
    opened = open_store(store)
    expected = opened[0:5].signal
    data = ECGDataset(store, leads=["I", "II", "III", "aVL"])
    assert data.record_ids == [0, 1, 2, 3, 4] and "from a store" in repr(data)
    for i in (4, 0, 3, 2, 1):  # out of chunk order
        x = data[i].numpy()
        np.testing.assert_array_equal(x[:2], expected[i, :2])
        np.testing.assert_allclose(x[2], expected[i, 1] - expected[i, 0], atol=1e-6)
    down = ECGDataset(opened, fs=250.0)[2]
    assert down.shape == (8, 2500)


def test_a_dataloader_batches_records_and_targets(store):
    table = pd.DataFrame({"y": np.arange(5.0)}, index=range(5))
    data = ECGDataset(store, fs=100.0, leads=["II", "V5"], targets=table)
    loader = DataLoader(data, batch_size=2, shuffle=False, num_workers=0)
    batches = list(loader)
    assert [tuple(x.shape) for x, _ in batches] == [(2, 2, 1000), (2, 2, 1000), (1, 2, 1000)]
    assert torch.cat([y for _, y in batches]).squeeze(1).tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert all(x.dtype == torch.float32 and torch.isfinite(x).all() for x, _ in batches)


def test_records_of_different_lengths_batch_with_n_samples(folder):
    loader = DataLoader(ECGDataset(folder, fs=100.0, n_samples=150), batch_size=3)
    (x,) = list(loader)
    assert x.shape == (3, 2, 150)


@pytest.mark.parametrize(
    "source, error, message",
    [
        (np.zeros((2, 12, 5000)), TypeError, "wrap samples in ecgtoolkit.ECG"),
        (42, TypeError, "not a int"),
        ({"signal": 1}, TypeError, "a folder of record files"),
    ],
)
def test_an_unknown_source_is_refused_clearly(source, error, message):
    with pytest.raises(error, match=message):
        ECGDataset(source)


def test_a_path_that_is_a_file_or_nothing_is_refused(folder, tmp_path):
    with pytest.raises(ValueError, match="is a file"):
        ECGDataset(folder / "2.npz")
    with pytest.raises(FileNotFoundError, match="no folder or Zarr store"):
        ECGDataset(tmp_path / "missing")
    with pytest.raises(ValueError, match="holds no record files"):
        ECGDataset(tmp_path)


def test_indexing_is_by_int():
    data = ECGDataset(sine_batch())
    with pytest.raises(IndexError):
        data[4]
    with pytest.raises(TypeError, match="with an int"):
        data[0:2]
    with pytest.raises(ValueError, match="fs must be a positive number"):
        ECGDataset(sine_batch(), fs=-1.0)
