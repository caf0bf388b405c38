"""Tests of ecgtoolkit.measurement.events and classify_beats: premature beats, pauses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.measurement.events import BEAT_LABELS, EVENT_COLUMNS, beat_events

SINUS = np.arange(0.5, 9.8, 0.8)
# A premature beat at 4.2 s (coupling 500 ms after 3.7 s), then the sinus rhythm goes on.
EARLY = 4.2
WITH_EARLY = np.r_[np.arange(0.5, 4.0, 0.8), EARLY, np.arange(5.3, 9.8, 0.8)]


def _premature(beats: pd.DataFrame) -> pd.DataFrame:
    return beats[beats["label"].str.startswith("premature")]


def test_sinus_beats_are_all_normal(lay_rhythm):
    beats = et.classify_beats(lay_rhythm(SINUS, SINUS))
    assert list(beats.columns) == [
        "beat", "time_s", "rr_before_ms", "pr_ms", "qrs_ms", "premature", "pause_before",
        "label",
    ]  # fmt: skip
    assert set(beats["label"]) <= {"normal", "not classified"}
    assert (beats["label"] == "normal").sum() >= len(SINUS) - 2
    assert set(beats["label"]) <= set(BEAT_LABELS)


def test_premature_atrial_beat_is_found_where_it_is(lay_rhythm):
    ecg = lay_rhythm(WITH_EARLY, WITH_EARLY)
    early = _premature(et.classify_beats(ecg))
    assert early["label"].tolist() == ["premature atrial"]
    assert early["time_s"].iloc[0] == pytest.approx(EARLY, abs=0.05)
    m = et.measure(ecg, progress=False)
    assert (m["n_premature_atrial"], m["n_premature_ventricular"]) == (1, 0)
    said = et.interpret(m)
    assert said["premature_atrial"] == 1
    assert said["rhythm"] == "sinus rhythm"  # not sinus arrhythmia from the ectopic RR
    verdict = et.is_normal(m)
    assert not verdict["normal"] and "premature atrial" in verdict["reasons"]


def test_premature_ventricular_beat_is_wide_and_unlike(lay_rhythm):
    ventricular = int(np.flatnonzero(WITH_EARLY == EARLY)[0])
    p_waves = np.delete(WITH_EARLY, ventricular)
    ecg = lay_rhythm(p_waves, WITH_EARLY, ventricular=(ventricular,))
    early = _premature(et.classify_beats(ecg))
    assert early["label"].tolist() == ["premature ventricular"]
    assert early["qrs_ms"].iloc[0] >= 120
    said = et.interpret(et.measure(ecg, progress=False))
    assert said["premature_ventricular"] == 1
    assert said["rhythm"] == "sinus rhythm"
    assert "premature ventricular" in said["reasons"]


def test_wenckebach_pauses_reset_the_pr(lay_rhythm):
    # 4:3 Wenckebach: PR grows by 80 then 60 ms, the fourth P wave is blocked.
    p_waves = np.arange(0.5, 9.8, 0.75)
    conducted = [p + (0.0, 0.08, 0.14)[i % 4] for i, p in enumerate(p_waves) if i % 4 < 3]
    m = et.measure(lay_rhythm(p_waves, conducted), progress=False)
    assert m["n_pauses"] >= 2
    assert m["pause_pr_change_ms"] >= 20
    said = et.interpret(m)
    assert said["av_block"] == "second-degree Mobitz I"
    assert "Wenckebach" in said["reasons"]


def test_pause_with_constant_pr_is_not_called_wenckebach(lay_rhythm):
    p_waves = np.arange(0.5, 9.8, 0.7)
    conducted = np.delete(p_waves, [4, 10])  # two P waves blocked, PR unchanged
    said = et.interpret(et.measure(lay_rhythm(p_waves, conducted), progress=False))
    assert said["av_block"] == "second-degree or sinoatrial"
    assert "not looked for" in said["reasons"]


def test_av_dissociation_is_third_degree_block(lay_rhythm):
    p_waves = np.arange(0.3, 9.8, 0.68)  # atria at 88/min
    escape = np.arange(0.9, 9.8, 1.45)  # ventricles at 41/min, unrelated
    said = et.interpret(et.measure(lay_rhythm(p_waves, escape), progress=False))
    assert said["av_block"] == "third-degree"
    regular = et.interpret(et.measure(lay_rhythm(SINUS, SINUS), progress=False))
    assert regular["av_block"] == ""


def test_beats_at_the_record_ends_are_not_classified():
    fs = 500.0
    peaks = (np.array([0.05, 0.8, 1.6, 2.4, 2.9, 3.9]) * fs).astype(int)
    nan = np.full((peaks.size, 1), np.nan)
    marks = {"P_on": nan, "QRS_on": nan, "QRS_off": nan}
    # Slopes as qrs_slope_likeness gives them: NaN where the record's ends cut the complex.
    slopes = np.array([np.nan, 0.98, 0.97, 0.99, 0.4, np.nan])
    events = beat_events(peaks, fs, marks, np.array([True]), slopes)
    assert events.label[0] == "not classified" and events.label[-1] == "not classified"
    assert events.label[4] == "premature atrial"  # unlike, but not wide: not ventricular
    assert set(events.counts()) == set(EVENT_COLUMNS)


def test_classify_beats_refuses_batches_and_other_objects():
    batch = et.generate(2, seed=1, progress=False)
    with pytest.raises(ValueError, match="one record"):
        et.classify_beats(batch)
    with pytest.raises(TypeError, match="ecgtoolkit.ECG"):
        et.classify_beats(np.zeros((12, 5000)))


def test_annotated_premature_atrial_beats_of_mitbih_100(data_dir):
    import wfdb

    record = data_dir / "mitdb" / "100"
    ecg = et.read(record)
    ann = wfdb.rdann(str(record), "atr")
    atrial = ann.sample[np.array(ann.symbol) == "A"] / ecg.fs
    found = 0
    for start in np.floor(atrial[:6] / 10) * 10:  # the windows of the first six A beats
        lo, hi = int(start * ecg.fs), int((start + 10) * ecg.fs)
        window = et.ECG(ecg.signal[:, lo:hi], fs=ecg.fs, leads=list(ecg.leads))
        said = _premature(et.classify_beats(window))["time_s"].to_numpy() + start
        truth = atrial[(atrial >= start) & (atrial < start + 10)]
        found += sum(np.any(np.abs(said - a) < 0.075) for a in truth)
    assert found >= 4  # measured: 6 of the 6 windows' A beats (bench_findings.py: 87%)


def test_complete_block_is_not_called_a_sinus_rhythm(lay_rhythm):
    said = et.interpret(
        et.measure(lay_rhythm(np.arange(0.3, 9.8, 0.68), np.arange(0.9, 9.8, 1.45)), progress=False)
    )
    assert said["rhythm"] == "other" and not said["first_degree_av_block"]
    assert said["reasons"].startswith("other: an escape rhythm")


def test_a_complex_cut_by_the_record_end_is_not_classified(lay_rhythm):
    beats = np.r_[SINUS[SINUS < 9.5], 9.9]  # the last QRS-T is cut 0.1 s after its R peak
    table = et.classify_beats(lay_rhythm(beats, beats))
    last = table.iloc[(table["time_s"] - 9.9).abs().argmin()]
    assert abs(last["time_s"] - 9.9) < 0.05
    assert last["label"] == "not classified"
