"""Tests of ecgtoolkit.signal.synthetic: records of known timing."""

from __future__ import annotations

import numpy as np

from ecgtoolkit.signal.synthetic import rhythm_from_beat

FS = 250.0
TIMES = np.arange(-0.3, 0.6, 1 / FS)


def _bump(centre: float, width: float, height: float) -> np.ndarray:
    return height * np.exp(-0.5 * ((TIMES - centre) / width) ** 2)


def _beat() -> np.ndarray:
    """Two leads: a P bump at -0.16 s, an R spike at 0, a T bump at 0.3 s (mV)."""
    lead = _bump(-0.16, 0.02, 0.15) + _bump(0.0, 0.008, 1.0) + _bump(0.3, 0.04, 0.3)
    return np.stack([lead, 0.5 * lead])


def test_p_waves_and_complexes_go_where_they_are_told():
    p_times, qrs_times = [1.0, 2.0, 3.0], [1.0, 3.0]  # the second P wave is blocked
    ecg = rhythm_from_beat(_beat(), TIMES, p_times, qrs_times, fs=500.0, leads=["I", "II"])
    assert ecg.signal.shape == (2, 5000) and list(ecg.leads) == ["I", "II"]
    x = ecg.signal[0]
    for q in qrs_times:
        assert x[int(q * 500)] > 0.9  # the R spike
    assert x[int(2.0 * 500)] < 0.05  # no QRS where the P wave was not conducted
    assert x[int((2.0 - 0.16) * 500)] > 0.1  # but its P wave is there
    assert np.allclose(ecg.signal[1], 0.5 * x)


def test_ventricular_complexes_are_inverted_and_wider():
    ecg = rhythm_from_beat(_beat(), TIMES, [], [1.0, 2.0], fs=500.0, leads=["I", "II"],
                           ventricular=(1,))  # fmt: skip
    x = ecg.signal[0]
    normal, ventricular = x[400:600], x[900:1100]
    assert ventricular.min() < -0.5 * normal.max()
    assert np.sum(np.abs(ventricular) > 0.5) > np.sum(np.abs(normal) > 0.5)
