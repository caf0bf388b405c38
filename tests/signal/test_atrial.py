"""Tests of ecgtoolkit.signal.atrial: what is left once the QRS–T is cancelled."""

from __future__ import annotations

import numpy as np
import pytest

import ecgtoolkit as et
from ecgtoolkit.measurement.record import analyse_record
from ecgtoolkit.signal.atrial import atrial_activity, cancel_qrst
from ecgtoolkit.signal.kernels import nan_median
from ecgtoolkit.signal.synthetic import known_beats

FS = 500.0
# known_beats: QRS onsets every 0.8 s from 0.6 s; the R wave 40% into the 90-ms QRS.
PEAKS = np.round((np.arange(0.6, 9.4, 0.8) + 0.036) * FS).astype(int)
T = np.arange(int(10 * FS)) / FS


def fibrillation(rng: np.random.Generator, size_mv: float) -> np.ndarray:
    """Irregular waves of 5–8 Hz whose frequency and size wander (not locked to the beats)."""
    freq = 6.5 + 1.5 * np.sin(2 * np.pi * 0.13 * T + rng.uniform(0, 6))
    phase = 2 * np.pi * np.cumsum(freq) / FS
    return size_mv * (1 + 0.3 * np.sin(2 * np.pi * 0.4 * T)) * np.sin(phase)


def test_cancellation_leaves_little_of_regular_beats():
    x = np.stack([known_beats(FS), -0.5 * known_beats(FS)])
    residual, span = cancel_qrst(x, FS, PEAKS)
    assert np.abs(residual[:, span]).max() < 0.05
    found = atrial_activity(x, FS, PEAKS, ["II", "V1"])
    assert found.amplitude_mv < 0.005


def test_fibrillation_waves_are_measured_under_regular_beats():
    rng = np.random.default_rng(0)
    x = (known_beats(FS) + fibrillation(rng, 0.08))[None]
    found = atrial_activity(x, FS, PEAKS, ["V1"])
    assert 5.0 * 60 <= found.rate_bpm <= 8.0 * 60
    assert 0.03 < found.amplitude_mv < 0.08
    assert found.lead == "V1"


def test_the_lead_with_the_largest_atrial_waves_is_reported():
    rng = np.random.default_rng(1)
    waves = fibrillation(rng, 0.08)
    x = np.stack([known_beats(FS) + 0.1 * waves, known_beats(FS), known_beats(FS) + waves])
    found = atrial_activity(x, FS, PEAKS, ["II", "V5", "V1"])
    assert found.lead == "V1"
    unusable = atrial_activity(x, FS, PEAKS, ["II", "V5", "V1"], usable=np.array([1, 1, 0], bool))
    assert unusable.lead == "II" and unusable.amplitude_mv < found.amplitude_mv


def test_too_few_beats_give_nan():
    found = atrial_activity(known_beats(FS)[None], FS, PEAKS[:3], ["II"])
    assert np.isnan(found.rate_bpm) and np.isnan(found.amplitude_mv) and found.lead == ""


def test_blanking_bridges_the_qrs_complexes():
    x = known_beats(FS)[None]
    on = (np.arange(0.6, 9.4, 0.8) * FS).astype(float)
    residual, _ = cancel_qrst(x, FS, PEAKS, on, on + 0.09 * FS)
    inside = int(on[3]) + np.arange(5, 40)
    assert np.allclose(np.diff(residual[0, inside], 2), 0.0, atol=1e-12), "a straight line"


@pytest.mark.parametrize(("record", "active"), [(93, True), (1, False), (2, False)])
def test_ludb_regular_paced_fibrillation_and_sinus(data_dir, record, active):
    """Record 93: AF under biventricular pacing, regular RR; 1 and 2: sinus rhythm."""
    ecg = et.read(data_dir / "ludb" / str(record), adc_gain=1000)
    analysis = analyse_record(ecg.signal, ecg.fs, tuple(ecg.leads))
    found = atrial_activity(
        analysis.quality.signal, ecg.fs, analysis.peaks, ecg.leads,
        qrs_on=nan_median(analysis.marks["QRS_on"]), qrs_off=nan_median(analysis.marks["QRS_off"]),
        usable=analysis.quality.usable,
    )  # fmt: skip
    assert (found.amplitude_mv >= 0.02 and found.rate_bpm >= 240) is active
