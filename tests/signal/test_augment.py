"""Simulated recording artefacts (ecgtoolkit/signal/augment.py)."""

from __future__ import annotations

import numpy as np
import pytest

import ecgtoolkit as et
from ecgtoolkit.signal import augment
from ecgtoolkit.signal.synthetic import known_beats

FS = 250.0


def _windows(n: int = 4) -> np.ndarray:
    lead = known_beats(FS, duration_s=4.0)
    return np.stack([np.stack([g * lead for g in np.linspace(0.5, 1.5, 12)])] * n)


def test_each_artefact_changes_the_signal_by_its_kind():
    x = _windows()
    rng = np.random.default_rng(0)
    gauss = augment.add_gaussian_noise(x, rng, level=0.1)
    assert gauss.shape == x.shape and 0 < np.std(gauss - x) < 0.2
    wander = augment.add_baseline_wander(x, FS, rng=rng, level=1.0) - x
    assert np.abs(np.diff(wander, axis=-1)).max() < 0.05  # slow: 0.05-0.6 Hz
    hum = augment.add_mains_hum(x, FS, rng=rng, level=0.3, frequencies_hz=(50.0,)) - x
    spectrum = np.abs(np.fft.rfft(hum[0, 0]))
    assert np.argmax(spectrum) == round(50.0 * hum.shape[-1] / FS)
    muscle = augment.add_muscle_noise(x, FS, rng=rng, level=0.25) - x
    assert np.abs(np.fft.rfft(muscle[0, 0]))[:10].sum() < np.abs(np.fft.rfft(muscle[0, 0])).sum()
    motion = augment.add_electrode_motion(x, FS, rng=rng, level=0.6) - x
    assert np.abs(motion).max() > 0
    low = augment.lowpass_recording(x, FS, rng=rng)
    assert np.abs(np.fft.rfft(low[0, 0]))[-50:].max() < np.abs(np.fft.rfft(x[0, 0]))[-50:].max()


def test_share_zero_adds_nothing_and_inversion_is_per_lead():
    x = _windows()
    rng = np.random.default_rng(1)
    np.testing.assert_array_equal(augment.add_gaussian_noise(x, rng, share=0.0), x)
    flipped = augment.invert_polarity(x, rng=rng, share=0.5)
    signs = np.sign((flipped * x).sum(-1))  # -1 where a lead was inverted
    assert set(np.unique(signs)) == {-1.0, 1.0}


def test_the_training_recipe_is_reproducible_and_takes_records_and_ecgs():
    x = _windows(8)
    a = augment.simulate_recording(x, FS, rng=np.random.default_rng(3))
    b = augment.simulate_recording(x, FS, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, x)
    ecg = et.ECG(x[0], fs=FS, leads=et.STANDARD_LEADS)
    out = augment.simulate_recording(ecg, rng=np.random.default_rng(3))
    assert isinstance(out, et.ECG) and out.signal.shape == x[0].shape
    with pytest.raises(TypeError, match="fs"):
        augment.add_mains_hum(x, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_windows"):
        augment.add_gaussian_noise(np.zeros(10), np.random.default_rng(0))


def test_a_noisy_record_still_measures():
    ecg = et.ECG(np.stack([known_beats(500.0)] * 12), fs=500.0, leads=et.STANDARD_LEADS)
    noisy = augment.add_gaussian_noise(ecg, np.random.default_rng(5), level=0.05)
    assert et.measure(noisy)["status"] == "ok"
