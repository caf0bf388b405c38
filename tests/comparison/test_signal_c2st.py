"""signal_c2st: a classifier two-sample test on the samples, on real LUDB records."""

from __future__ import annotations

import numpy as np
import pytest

import ecgtoolkit as et
from ecgtoolkit.comparison.signal_c2st import (
    convolution_features,
    prepare_signals,
    signal_batch,
    signal_c2st,
)
from ecgtoolkit.signal.filters import resample

FS = 500.0


@pytest.fixture(scope="module")
def sinus(data_dir) -> np.ndarray:
    """LUDB's records in sinus rhythm, in a random order (record order is not random:
    LUDB's first and second halves by id are told apart, AUC 0.86)."""
    database = et.load_ludb(data_dir / "ludb", annotations=False, progress=False)
    signal = database.ecg.signal[database.meta["sinus"].to_numpy()]
    return signal[np.random.default_rng(0).permutation(len(signal))]


def test_records_of_one_population_are_not_told_apart(sinus):
    """Three random splits of 80 sinus records into halves: mean AUC near 0.5."""
    rng = np.random.default_rng(1)
    aucs = []
    for seed in range(3):
        order = rng.permutation(len(sinus))[:80]
        auc, low, high = signal_c2st(sinus[order[:40]], sinus[order[40:]], FS, seed=seed)
        assert 0 <= low <= auc <= high <= 1
        aucs.append(auc)
    assert abs(np.mean(aucs) - 0.5) < 0.15


def test_shuffled_leads_are_told_apart(sinus):
    rng = np.random.default_rng(2)
    shuffled = np.stack([record[rng.permutation(12)] for record in sinus[40:80]])
    auc, low, _ = signal_c2st(sinus[:40], shuffled, FS)
    assert auc > 0.9 and low > 0.8


def test_a_15_percent_slower_heart_rate_is_detected(sinus):
    half = len(sinus) // 2
    slower = resample(sinus[half:], FS, FS * 1.15)[..., : sinus.shape[-1]]
    auc, low, _ = signal_c2st(sinus[:half], slower, FS)
    assert auc > 0.65 and low > 0.5


def test_deepfakes_are_told_apart_from_real_records(sinus):
    fakes = et.generate(30, seed=3, progress=False)
    auc, low, _ = signal_c2st(sinus[:30], fakes, FS)
    assert auc > 0.9 and low > 0.8


def test_identical_groups_give_half_not_zero(sinus):
    """A copy of a real record shares its fold: identical groups are not anti-predicted."""
    auc, low, high = signal_c2st(sinus[:30], sinus[:30], FS)
    assert auc == pytest.approx(0.5, abs=0.05) and low < 0.5 < high


def test_known_difference_in_rate_and_same_seed_same_answer():
    rng = np.random.default_rng(0)
    t = np.arange(1000) / 100.0

    def records(n: int, hz: float) -> np.ndarray:
        return np.sin(2 * np.pi * hz * t) ** 15 + 0.05 * rng.normal(size=(n, 2, t.size))

    slow, fast = records(30, 1.0), records(30, 1.5)
    first = signal_c2st(slow, fast, fs=100.0, seed=4)
    assert first[0] > 0.9
    assert signal_c2st(slow, fast, fs=100.0, seed=4) == first


def test_missing_samples_are_the_baseline(sinus):
    """NaN runs and a lead with no sample at all neither fail nor leak into the AUC."""
    gappy = sinus[40:70].copy()
    gappy[:, :, 2000:2010] = np.nan
    gappy[5, 3] = np.nan
    auc, low, high = signal_c2st(sinus[:30], gappy, FS)
    assert np.isfinite([auc, low, high]).all()
    prepared = prepare_signals(gappy[:6], FS, 125.0)
    assert prepared.dtype == np.float32 and prepared.shape == (6, 12, 1250)
    assert np.isfinite(prepared).all() and not prepared[5, 3].any()


def test_prepared_signals_are_centred_on_the_median():
    x = np.full((2, 3, 1000), 5.0)
    x[:, :, ::100] = 7.0  # spikes move the mean, not the median
    out = prepare_signals(x, 100.0, 125.0)  # not upsampled
    assert out.shape == (2, 3, 1000) and float(np.median(out)) == 0.0


def test_features_are_proportions_and_maxima():
    x = np.random.default_rng(0).normal(size=(5, 3, 500)).astype(np.float32)
    features = convolution_features(x, np.random.default_rng(0)).reshape(5, -1, 3)
    assert ((features[..., :2] >= 0) & (features[..., :2] <= 1)).all()
    assert (features[..., 2] > 0).all()  # the maximum of a kernel summing to zero


@pytest.mark.parametrize(
    "real, fake, fs, error, message",
    [
        (np.zeros((6, 12, 500)), np.zeros((6, 8, 500)), FS, ValueError, "same leads"),
        (np.zeros((6, 2, 500)), np.zeros((6, 2, 400)), FS, ValueError, "same length"),
        (np.zeros((6, 500)), np.zeros((6, 1, 500)), FS, ValueError, "has 2 dimensions"),
        (np.zeros((4, 1, 500)), np.zeros((6, 1, 500)), FS, ValueError, "at least 5"),
        (np.zeros((6, 1, 500)), np.zeros((6, 1, 500)), -1.0, ValueError, "positive"),
        (np.zeros((6, 1, 500)), np.array([["a"]]), FS, TypeError, "numeric array"),
    ],
)
def test_wrong_inputs_are_refused(real, fake, fs, error, message):
    with pytest.raises(error, match=message):
        signal_c2st(real, fake, fs)


def test_an_ecg_batch_is_taken_as_its_samples():
    batch = et.ECG(np.zeros((2, 3, 100)), fs=100.0, leads=["I", "II", "V1"])
    assert signal_batch(batch, "real").shape == (2, 3, 100)
