"""Tests of ecgtoolkit.training.data: real ECGs as 10 s training windows in model units."""

from __future__ import annotations

import json

import numpy as np
import pytest

import ecgtoolkit as et
from ecgtoolkit.core.leads import GENERATED_LEADS
from ecgtoolkit.generators.checkpoints import OUTPUT_SCALE_MV
from ecgtoolkit.training.data import TRAIN_FS, WINDOW_S, TrainingData, prepare_training_data

WINDOW = int(TRAIN_FS * WINDOW_S)


def _batch(n_records: int, seconds: float, fs: float = 500.0, ids=None) -> et.ECG:
    """Records whose lead k is a 1.1 Hz sine of (k + 1) × 0.25 mV on a 0.3 mV offset."""
    t = np.arange(int(seconds * fs)) / fs
    amplitude = 0.25 * np.arange(1, 9)[:, None]
    x = 0.3 + amplitude * np.sin(2 * np.pi * 1.1 * t) * np.ones((n_records, 1, 1))
    meta = {"record_ids": ids} if ids is not None else None
    return et.ECG(x, fs=fs, leads=GENERATED_LEADS, meta=meta)


def _prepare(real, **kwargs) -> TrainingData:
    return prepare_training_data(real, progress=False, **kwargs)


def test_shapes_dtype_and_scale_of_a_signal_of_known_amplitude():
    # Lead k: a 0.7 mV baseline with rectangular pulses of (k + 1) × 0.5 mV on 10 % of
    # the samples; the median is the baseline, so the windows are the pulses ÷ 6.
    pulses = (np.arange(2 * WINDOW) % 500 < 50).astype(float)
    height = 0.5 * np.arange(1, 9)[:, None]
    x = 0.7 + height * pulses * np.ones((5, 1, 1))
    data = _prepare(et.ECG(x, fs=500, leads=GENERATED_LEADS))
    assert data.train.shape == (8, 8, WINDOW) and data.holdout.shape == (2, 8, WINDOW)
    assert data.train.dtype == np.float32 and data.holdout.dtype == np.float32
    expected = (height * pulses[:WINDOW] / OUTPUT_SCALE_MV).astype(np.float32)
    for window in (*data.train, *data.holdout):
        np.testing.assert_allclose(window, expected, atol=1e-6)
    assert len(data.train_ids) == 8 and len(data.holdout_ids) == 2
    assert data.description["scale"]["output_scale_mv"] == OUTPUT_SCALE_MV
    assert data.description["leads"] == list(GENERATED_LEADS)


def test_records_not_windows_are_split():
    ids = [f"rec{i}" for i in range(6)]
    data = _prepare(_batch(6, 30.0, ids=ids), holdout=0.2)
    assert not set(data.train_ids) & set(data.holdout_ids)
    assert data.train_records == sorted(set(data.train_ids))
    assert data.holdout_records == sorted(set(data.holdout_ids))
    assert len(data.holdout_records) == 1 and len(data.train_records) == 5  # round(1.2)
    for record in ids:  # a 30 s record gives 3 windows, all on one side
        sides = [record in data.train_ids, record in data.holdout_ids]
        assert sides.count(True) == 1
        assert (data.train_ids + data.holdout_ids).count(record) == 3
    assert data.description["n_records"] == {"train": 5, "holdout": 1}
    assert data.description["n_windows"] == {"train": 15, "holdout": 3}


def test_the_split_is_deterministic_per_seed_and_differs_across_seeds():
    batch = _batch(20, 10.0, ids=[f"r{i:02d}" for i in range(20)])
    first, again = _prepare(batch, seed=3), _prepare(batch, seed=3)
    assert first.holdout_records == again.holdout_records
    np.testing.assert_array_equal(first.train, again.train)
    np.testing.assert_array_equal(first.holdout, again.holdout)
    others = {tuple(_prepare(batch, seed=s).holdout_records) for s in (0, 1, 2)}
    assert len(others | {tuple(first.holdout_records)}) > 1
    assert len(first.holdout_records) == 4


def test_a_250_hz_record_is_resampled_to_5000_samples():
    data = _prepare(_batch(2, 10.0, fs=250.0), holdout=0.5)
    assert data.train.shape == (1, 8, WINDOW) and data.holdout.shape == (1, 8, WINDOW)
    assert data.description["original_fs_hz"] == [250.0]
    # The 1.1 Hz sine of lead V6 (2 mV) keeps its amplitude away from the edges.
    peak = np.abs(data.train[0, 7, 500:-500]).max() * OUTPUT_SCALE_MV
    assert peak == pytest.approx(2.0, abs=0.01)


def test_short_records_and_records_without_chest_leads_are_left_out(tmp_path):
    long = _batch(3, 20.0)
    for i in range(3):
        et.write(long[i], tmp_path / f"long{i}.npz")
    et.write(_batch(1, 4.0)[0], tmp_path / "short.npz")
    et.write(long[0][["I", "II", "V1"]], tmp_path / "limbs.npz")
    data = _prepare(tmp_path, holdout=0.34)
    assert sorted(data.train_records + data.holdout_records) == [
        "long0.npz", "long1.npz", "long2.npz"
    ]  # fmt: skip
    assert len(data.train) + len(data.holdout) == 6
    notes = " | ".join(data.notes)
    assert "shorter than one 10 s window" in notes and "short.npz (4.00 s)" in notes
    assert "limbs.npz (no V2, V3, V4, V5, V6)" in notes


def test_a_record_with_only_v1_is_refused_clearly():
    ecg = et.ECG(np.zeros((1, WINDOW)), fs=500, leads=["V1"])
    with pytest.raises(ValueError, match=r"lack lead I, II or a V lead.*0 \(no I, II, V2"):
        _prepare(ecg, holdout=0)


def test_limb_leads_are_derived_from_any_two():
    batch = _batch(1, 10.0)
    leads = ["II", "III", *GENERATED_LEADS[2:]]
    signal = batch.signal.copy()
    signal[:, 1] = batch.signal[:, 1] - batch.signal[:, 0]  # III = II − I
    signal[:, 0] = batch.signal[:, 1]
    derived = _prepare(et.ECG(signal, fs=500, leads=leads), holdout=0)
    recorded = _prepare(batch, holdout=0)
    np.testing.assert_allclose(derived.train, recorded.train, atol=1e-6)


def test_clipped_samples_are_counted_and_windows_beyond_the_scale_left_out():
    x = _batch(3, 20.0).signal.copy()
    x[0, 0, 100:110] = 9.0  # 10 samples beyond 6 mV: clipped, the window kept
    x[1, 2, :WINDOW] = 20.0 * (np.arange(WINDOW) % 10 == 0)  # 10 % beyond: left out
    x[2, 3, WINDOW + 50] = np.nan  # the second window has a gap: left out
    meta = {"record_ids": ["spike", "loud", "gap"]}
    data = _prepare(et.ECG(x, fs=500, leads=GENERATED_LEADS, meta=meta), holdout=0)
    assert sorted(data.train_ids) == ["gap", "loud", "spike", "spike"]
    assert data.train.min() >= -1.0 and data.train.max() <= 1.0
    notes = " | ".join(data.notes)
    assert "10 samples beyond ±6 mV clipped" in notes
    assert "1 windows have more than 1% of their samples beyond ±6 mV" in notes
    assert "1 windows hold NaN" in notes and "gap" in notes
    assert data.holdout.shape == (0, 8, WINDOW) and data.holdout_records == []


def test_max_windows_per_record_keeps_the_first_ones():
    data = _prepare(_batch(2, 40.0, ids=["a", "b"]), holdout=0, max_windows_per_record=2)
    assert data.train_ids == ["a", "a", "b", "b"]
    assert data.description["max_windows_per_record"] == 2


def test_the_description_is_plain_json_and_the_repr_reads():
    data = _prepare(_batch(5, 10.0))
    described = json.loads(json.dumps(data.description))
    assert described["source"] == "ECG" and described["seed"] == 0
    assert described["holdout_fraction"] == 0.2 and described["fs_hz"] == 500.0
    text = repr(data)
    assert text.startswith("TrainingData(train=4 windows of 4 records, holdout=1 windows")


@pytest.mark.slow
def test_ludb_sinus_records_give_one_window_each(data_dir):
    data = _prepare("database:ludb:sinus")
    n_records = len(data.train_records) + len(data.holdout_records)
    assert n_records > 100
    assert len(data.train) == len(data.train_records)  # 10 s at 500 Hz: one window each
    assert len(data.holdout_records) == round(0.2 * n_records)
    assert data.train.shape[1:] == (8, WINDOW) and np.isfinite(data.train).all()
    assert data.description["source"] == "database:ludb:sinus"
    assert data.description["original_fs_hz"] == [500.0]
    assert 0.05 < np.abs(data.train).max(axis=-1).mean() < 1.0  # mV-scale ECGs ÷ 6


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"holdout": 1.0}, ValueError, r"holdout must be in \[0, 1\)"),
     ({"holdout": -0.1}, ValueError, r"holdout must be in \[0, 1\)"),
     ({"holdout": float("nan")}, ValueError, r"holdout must be in \[0, 1\)"),
     ({"holdout": "0.2"}, TypeError, "holdout must be a number"),
     ({"holdout": True}, TypeError, "holdout must be a number"),
     ({"seed": 1.5}, TypeError, "seed must be an integer"),
     ({"seed": -1}, ValueError, "seed must be zero or positive"),
     ({"max_windows_per_record": 0}, ValueError, "max_windows_per_record must be a positive"),
     ({"max_windows_per_record": 2.0}, TypeError, "max_windows_per_record must be an integer")],
)  # fmt: skip
def test_bad_arguments_are_refused_clearly(kwargs, error, match):
    with pytest.raises(error, match=match):
        _prepare(_batch(3, 10.0), **kwargs)


def test_one_record_trains_only_without_holdout():
    with pytest.raises(ValueError, match="needs at least 2 records.*holdout=0"):
        _prepare(_batch(1, 20.0))
    data = _prepare(_batch(1, 20.0), holdout=0)
    assert data.train.shape == (2, 8, WINDOW) and data.holdout.shape == (0, 8, WINDOW)


def test_bad_sources_and_short_sources_are_refused():
    with pytest.raises(TypeError, match="a source is"):
        _prepare(3.5)
    with pytest.raises(ValueError, match="shorter than one 10 s window"):
        _prepare(_batch(3, 5.0))


def test_several_sources_pool_and_their_record_ids_never_merge():
    first, second = et.generate(4, seed=1, progress=False), et.generate(3, seed=2, progress=False)
    data = prepare_training_data([first, second], holdout=0.3, progress=False)
    records = data.train_records + data.holdout_records
    # Both batches number their records from 0: prefixes keep the seven records apart.
    assert len(records) == 7 and len(set(records)) == 7
    assert {r.split(":")[0] for r in records} == {"ecg-1", "ecg-2"}
    assert len(data.train) + len(data.holdout) == 7
    assert data.description["source"] == "ECG; ECG"
    with pytest.raises(ValueError, match="empty list"):
        prepare_training_data([], progress=False)


def test_the_shared_ludb_and_cinc_sinus_records_pool(data_dir):
    data = prepare_training_data(
        ["database:ludb:sinus", "database:cinc2021:sinus_rhythm"], holdout=0.25, progress=False
    )
    records = data.train_records + data.holdout_records
    assert any(r.startswith("ludb:") for r in records)
    assert any(r.startswith("cinc2021:") for r in records)
    assert not set(data.train_records) & set(data.holdout_records)
