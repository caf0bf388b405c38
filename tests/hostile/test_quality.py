"""Hostile inputs to signal quality (ecgtoolkit/signal/quality.py): periodic waves that
are not ECGs must leave no usable lead, real and generated ECGs must keep theirs.

The waves vary as a test signal or a simulator would: rate 0.5-3.5 Hz, 0.1-5 mV, 250,
500 or 1000 Hz, baseline wander up to half the wave's amplitude, white noise (1 % of it
and 5 µV), the same wave on every lead or with per-lead gains and sign flips.
``benchmarks/bench_periodic.py`` gives the cross-validated rates over a wider range
(more noise and wander, more shapes), where a few records keep a lead or two.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal as sps

import ecgtoolkit as et
from ecgtoolkit.signal.quality import MAX_STEEP_FRACTION, MAX_STEP_RATIO, assess

FAMILIES = ("sawtooth", "square", "triangle", "rectified sine", "clipped sine",
            "exponential decays", "sine")  # fmt: skip


def _wave(family: str, phase: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cycle = np.mod(phase, 1.0)
    if family == "sawtooth":
        wave = sps.sawtooth(2 * np.pi * phase, rng.choice([0.0, 1.0]))
    elif family == "square":
        wave = sps.square(2 * np.pi * phase, rng.uniform(0.4, 0.6))
    elif family == "triangle":
        wave = sps.sawtooth(2 * np.pi * phase, rng.uniform(0.3, 0.7))
    elif family == "rectified sine":
        wave = np.abs(np.sin(np.pi * phase))
    elif family == "clipped sine":
        wave = np.clip(np.sin(2 * np.pi * phase), -0.5, 0.5)
    elif family == "exponential decays":
        wave = np.exp(-cycle / rng.uniform(0.3, 0.5))
    else:
        wave = np.sin(2 * np.pi * phase)
    return (wave - wave.mean()) / np.ptp(wave)


def _periodic_record(family: str, seed: int) -> et.ECG:
    """Ten seconds of one family's wave on 12 leads, in mV."""
    rng = np.random.default_rng(seed)
    fs = float(rng.choice([250.0, 500.0, 1000.0]))
    t = np.arange(int(10 * fs)) / fs
    amplitude = np.exp(rng.uniform(np.log(0.1), np.log(5.0)))
    gains = np.ones((12, 1))
    if seed % 2:
        gains = rng.uniform(0.5, 1.5, (12, 1)) * rng.choice([-1.0, 1.0], (12, 1))
    x = amplitude * gains * _wave(family, rng.uniform(0.5, 3.5) * t + rng.uniform(), rng)
    wander_mv = rng.uniform(0, 0.5) * amplitude
    phase = 2 * np.pi * rng.uniform(0.05, 0.4) * t + rng.uniform(0, 2 * np.pi, (12, 1))
    wander = wander_mv * np.sin(phase)
    noise = rng.normal(0, 0.01 * amplitude + 0.005, x.shape)
    return et.ECG(x + wander + noise, fs=fs, leads=et.STANDARD_LEADS)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("family", FAMILIES)
def test_periodic_waves_leave_no_usable_lead(family, seed):
    ecg = _periodic_record(family, 100 * FAMILIES.index(family) + seed)
    result = assess(ecg.signal, ecg.fs)
    assert not result.usable.any(), [
        r for r, ok in zip(result.reasons, result.usable, strict=True) if ok
    ]
    assert result.problem.startswith("no usable lead")


@pytest.mark.parametrize("family", ["sawtooth", "square", "triangle"])
def test_measure_reports_periodic_waves_unusable(family):
    m = et.measure(_periodic_record(family, 7))
    assert m["status"] == "unusable"
    assert "without QRS complexes" in m["reason"]


def _shape_rule_keeps_every_lead(ecg: et.ECG) -> None:
    """No lead is rejected by the shape indices (other defects may still reject one)."""
    indices = assess(ecg.signal, ecg.fs).indices
    step, steep = indices["step_ratio"], indices["steep_fraction"]
    assert np.isfinite(step).all() and np.isfinite(steep).all()
    assert (step <= MAX_STEP_RATIO).all(), dict(zip(ecg.leads, step.round(2), strict=True))
    assert (steep <= MAX_STEEP_FRACTION).all(), dict(zip(ecg.leads, steep.round(2), strict=True))


@pytest.mark.parametrize(
    "record",
    [
        "ludb/1",
        "ludb/45",  # atrial and ventricular pacing
        "ludb/111",  # bipolar ventricular pacing
        "cinc2021/E07500",
        "cinc2021/JS20000",
        "cpsc2018/A1980.mat",
        "ptbdb/s0010_re",
        "mitdb/100",
    ],
)
def test_real_records_keep_their_leads(data_dir, record):
    path = data_dir / record
    if record.startswith("ludb"):
        ecg = et.read(path, adc_gain=1000)
    elif record.endswith(".mat"):
        ecg = et.read(path, fs=500.0)
    else:
        ecg = et.read(path)
    if ecg.duration_s > 400:
        ecg = ecg.crop(0, 400)  # past 5 minutes: the full-rate path of the indices
    _shape_rule_keeps_every_lead(ecg)
    assert et.signal_quality(ecg).usable.all()


def test_generated_ecgs_keep_their_leads():
    # Generated beats are very uniform: uniformity alone must not condemn them.
    fakes = et.generate(4, seed=11, progress=False)
    for i in range(len(fakes)):
        _shape_rule_keeps_every_lead(fakes[i])
    assert et.signal_quality(fakes).usable.all()
