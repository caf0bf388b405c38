"""The public filters (ecgtoolkit/signal/filters.py), on arrays and on ECG objects."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal as sps

import ecgtoolkit as et
from ecgtoolkit.signal import filters

FS = 500.0
T = np.arange(int(10 * FS)) / FS


def _tone(hz: float) -> np.ndarray:
    return np.sin(2 * np.pi * hz * T)


def test_zero_phase_filters_equal_scipy():
    x = np.random.default_rng(0).normal(size=(3, T.size))
    sos = sps.butter(2, [5.0, 20.0], "bandpass", fs=FS, output="sos")
    np.testing.assert_array_equal(et.bandpass(x, FS, 5.0, 20.0), sps.sosfiltfilt(sos, x, axis=-1))
    sos = sps.butter(2, 0.5, "highpass", fs=FS, output="sos")
    np.testing.assert_array_equal(et.highpass(x, FS, 0.5), sps.sosfiltfilt(sos, x, axis=-1))
    np.testing.assert_array_equal(et.remove_baseline(x, FS), et.highpass(x, FS, 0.5))


def test_each_filter_keeps_its_band():
    mid = slice(500, -500)
    assert np.abs(et.lowpass(_tone(80), FS, 40.0)[mid]).max() < 0.05
    assert np.abs(et.lowpass(_tone(5), FS, 40.0)[mid] - _tone(5)[mid]).max() < 0.01
    assert np.abs(et.highpass(_tone(0.1), FS, 1.0)[mid]).max() < 0.05
    for mains in (50.0, 60.0):
        hum = 0.3 * _tone(mains)
        assert np.abs(et.notch(hum + _tone(10), FS)[mid] - _tone(10)[mid]).max() < 0.02


def test_an_ecg_in_gives_an_ecg_out():
    ecg = et.ECG(np.stack([_tone(10), _tone(3)]), fs=FS, leads=["I", "II"], meta={"a": 1})
    out = et.bandpass(ecg, low_hz=5.0, high_hz=20.0)
    assert isinstance(out, et.ECG) and out.leads == ecg.leads and out.meta == {"a": 1}
    np.testing.assert_array_equal(out.signal, et.bandpass(ecg.signal, FS, 5.0, 20.0))
    assert ecg.filter(5.0, 20.0).signal.tolist() == out.signal.tolist()
    assert np.array_equal(ecg.filter(high_hz=40).signal, et.lowpass(ecg.signal, FS, 40.0))
    assert np.array_equal(ecg.notch().signal, et.notch(ecg.signal, FS))
    with pytest.raises(ValueError, match="sampled at 500 Hz"):
        et.bandpass(ecg, 250.0, 5.0, 20.0)
    with pytest.raises(ValueError, match="low_hz, high_hz or both"):
        ecg.filter()


def test_resample_keeps_a_tone_and_the_ecg_metadata():
    ecg = et.ECG(_tone(5)[None], fs=FS, leads=["II"], meta={"record_name": "x"})
    low = ecg.resample(250)
    assert low.fs == 250.0 and low.n_samples == 2500 and low.meta["record_name"] == "x"
    t = np.arange(2500) / 250.0
    assert np.abs(low.signal[0, 100:-100] - np.sin(2 * np.pi * 5 * t)[100:-100]).max() < 0.01
    np.testing.assert_array_equal(et.resample(ecg.signal, FS, FS), ecg.signal)
    odd = et.resample(np.zeros(3600), 360.0, target_fs=500.0)
    assert odd.shape == (5000,)


def test_clear_errors():
    with pytest.raises(TypeError, match="fs"):
        et.bandpass(np.zeros(5000))
    with pytest.raises(ValueError, match="below high_hz"):
        et.bandpass(np.zeros(5000), FS, 40.0, 5.0)
    with pytest.raises(ValueError, match="cutoff_hz must be a positive"):
        et.highpass(np.zeros(5000), FS, 0.0)
    with pytest.raises(TypeError, match="target_fs"):
        et.resample(np.zeros(5000), FS)
    with pytest.raises(ValueError, match="too short"):
        filters.filtfilt(filters._butter("lowpass", (40.0,), FS, 2), np.zeros(5))
