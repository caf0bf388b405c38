"""Tests of ecgtoolkit.signal.pacing: stimuli found, bridged, and not invented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.measurement.record import analyse_record
from ecgtoolkit.signal.augment import add_mains_hum, add_muscle_noise
from ecgtoolkit.signal.pacing import find_pacing, narrow_deflections, remove_spikes
from ecgtoolkit.signal.synthetic import known_beats

FS = 500.0
LEADS = ("I", "II", "V1", "V5")
# known_beats puts a QRS onset every 0.8 s from 0.6 s.
ONSETS = np.arange(0.6, 9.4, 0.8) * FS


def paced_record(spike_mv: float = 2.0, before_ms: float = 10.0, atrial_ms: float | None = None):
    """Four leads of known beats with a one-sample stimulus before every QRS onset."""
    x = np.stack([g * known_beats(FS) for g in (1.0, 0.6, -0.8, 1.2)])
    for onset in ONSETS:
        x[:, int(onset - before_ms * FS / 1000)] += spike_mv
        if atrial_ms is not None:
            x[:, int(onset - atrial_ms * FS / 1000)] += spike_mv
    return x


def marks_of(n_leads: int) -> tuple[np.ndarray, np.ndarray]:
    on = np.repeat(ONSETS[:, None], n_leads, axis=1)
    return on, on + 0.09 * FS


def test_ventricular_stimuli_are_found_in_every_beat():
    on, off = marks_of(len(LEADS))
    found = find_pacing(paced_record(), FS, on, off, LEADS)
    assert found.paced and found.chamber == "ventricular"
    assert found.share == 1.0
    assert found.spikes.size == ONSETS.size
    assert found.describe().startswith("paced (ventricular)")


def test_atrial_and_ventricular_stimuli_make_dual_chamber():
    on, off = marks_of(len(LEADS))
    found = find_pacing(paced_record(atrial_ms=180.0), FS, on, off, LEADS)
    assert found.paced and found.chamber == "dual chamber"


def test_unpaced_beats_noise_and_hum_are_not_paced():
    x = np.stack([g * known_beats(FS) for g in (1.0, 0.6, -0.8, 1.2)])
    rng = np.random.default_rng(1)
    noisy = add_mains_hum(add_muscle_noise(x, FS, rng=rng, level=0.3), FS, rng=rng, level=0.2)
    on, off = marks_of(len(LEADS))
    for signal in (x, noisy):
        found = find_pacing(signal, FS, on, off, LEADS)
        assert found.paced is False and found.describe() == ""


def test_an_artefact_in_one_lead_is_not_a_stimulus():
    """A stimulus reaches every lead at once; a steep artefact of one electrode does not."""
    x = paced_record(spike_mv=0.0)
    x[0, (ONSETS - 5).astype(int)] += 2.0  # the same spikes, one lead only
    on, off = marks_of(len(LEADS))
    assert find_pacing(x, FS, on, off, LEADS).paced is False
    x[1, (ONSETS - 5).astype(int)] += 2.0  # the positive control: a second lead shows them
    assert find_pacing(x, FS, on, off, LEADS).paced is True


def test_stimuli_are_not_assessed_below_500_hz():
    on, off = marks_of(len(LEADS))
    found = find_pacing(paced_record(), 250.0, on / 2, off / 2, LEADS)
    assert found.paced is None
    assert "not assessed" in found.describe()


def test_narrow_deflections_ignore_a_sustained_slope():
    ramp = np.concatenate([np.zeros(100), np.linspace(0, 3, 10), np.full(100, 3.0)])
    assert narrow_deflections(ramp[None], FS, minimum=0.2)[0].size == 0
    spike = np.zeros(210)
    spike[100] = 3.0
    assert narrow_deflections(spike[None], FS, minimum=0.2)[0].tolist() == [99]


def test_remove_spikes_bridges_only_the_stimulus():
    x = paced_record()
    on, off = marks_of(len(LEADS))
    found = find_pacing(x, FS, on, off, LEADS)
    bridged = remove_spikes(x, found.spikes, FS)
    clean = paced_record(spike_mv=0.0)
    assert np.abs(bridged - clean).max() < 0.1
    far = np.ones(x.shape[-1], bool)
    for s in found.spikes:
        far[s - 2 : s + 8] = False
    np.testing.assert_array_equal(bridged[:, far], x[:, far])


def test_measure_reports_pacing_and_measures_the_bridged_record():
    ecg = et.ECG(paced_record(spike_mv=3.0, before_ms=4.0), fs=FS, leads=list(LEADS))
    row = et.measure(ecg, progress=False)
    assert row["pacing"].startswith("paced (ventricular)")
    said = et.interpret(row)
    assert said["rhythm"] == "paced rhythm" and said["paced"]
    normal = et.is_normal(row)
    assert not normal["normal"] and "paced (ventricular)" in normal["reasons"]


@pytest.mark.parametrize(("record", "paced"), [(34, True), (111, True), (1, False), (2, False)])
def test_ludb_paced_records(data_dir, record, paced):
    ecg = et.read(data_dir / "ludb" / str(record), adc_gain=1000)
    found = analyse_record(ecg.signal, ecg.fs, tuple(ecg.leads)).pacing
    assert found.paced is paced


@pytest.mark.parametrize("record", [1, 2, 3])
def test_muscle_noise_is_not_pacing(data_dir, record):
    """Muscle noise is as steep as a stimulus, but as steep on either side of each step."""
    ecg = et.read(data_dir / "ludb" / str(record), adc_gain=1000)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        noisy = add_muscle_noise(ecg.signal[None], ecg.fs, rng=rng, level=0.6, share=1.0)[0]
        found = analyse_record(noisy, ecg.fs, tuple(ecg.leads)).pacing
        assert found.paced is False, (seed, found)


def test_paced_record_with_muscle_noise_stays_paced(data_dir):
    ecg = et.read(data_dir / "ludb" / "34", adc_gain=1000)
    noisy = add_muscle_noise(ecg.signal[None], ecg.fs, rng=np.random.default_rng(1), level=0.3)[0]
    assert analyse_record(noisy, ecg.fs, tuple(ecg.leads)).pacing.paced is True


def test_one_lead_is_not_assessed():
    on, off = marks_of(1)
    found = find_pacing(paced_record()[:1], FS, on, off, LEADS[:1])
    assert found.paced is None and "two usable leads" in found.note


def test_delineate_marks_the_heart_not_the_stimulus(data_dir):
    """et.delineate bridges the stimuli as et.measure does: the marks of a paced record
    are those of the record with its stimuli removed."""
    ecg = et.read(data_dir / "ludb" / "34", adc_gain=1000)
    found = analyse_record(ecg.signal, ecg.fs, tuple(ecg.leads)).pacing
    assert found.paced
    bridged = ecg.replace(remove_spikes(ecg.signal, found.spikes, ecg.fs))
    pd.testing.assert_frame_equal(et.delineate(ecg), et.delineate(bridged))
