"""Tests of ecgtoolkit.interpretation: interpret() and is_normal()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.measurement.interpretation import AXIS_CATEGORIES, NormalCriteria

NORMAL = {
    "heart_rate": 70.0,
    "rr_range_ms": 40.0,
    "rr_irregularity": 0.03,
    "p_wave_share": 1.0,
    "pr_variability_ms": 4.0,
    "pr_ms": 150.0,
    "qrs_ms": 96.0,
    "qt_ms": 390.0,
    "qtc_framingham_ms": 404.0,
    "qrs_axis_deg": 45.0,
    "status": "ok",
    "reason": "",
}


def record(**changes) -> pd.Series:
    return pd.Series({**NORMAL, **changes})


@pytest.mark.parametrize(
    ("changes", "rhythm"),
    [
        ({}, "sinus rhythm"),
        ({"heart_rate": 45.0}, "sinus bradycardia"),
        ({"heart_rate": 120.0}, "sinus tachycardia"),
        ({"rr_range_ms": 220.0, "rr_irregularity": 0.08}, "sinus arrhythmia"),
        ({"rr_irregularity": 0.25, "p_wave_share": 0.0, "pr_variability_ms": np.nan}, "atrial fibrillation"),
        ({"rr_irregularity": 0.25, "p_wave_share": 0.8, "pr_variability_ms": 30.0}, "atrial fibrillation"),
        ({"rr_irregularity": 0.25, "rr_range_ms": 400.0, "p_wave_share": 1.0}, "sinus arrhythmia"),
        ({"p_wave_share": 0.0, "pr_variability_ms": np.nan}, "other"),
    ],
)  # fmt: skip
def test_rhythm_rules(changes, rhythm):
    said = et.interpret(record(**changes))
    assert said["rhythm"] == rhythm
    if rhythm != "sinus rhythm":
        assert said["reasons"], "every statement other than the default names its rule"


_VENTRICULAR = "paced (ventricular): stimuli before 100% of the beats in I"
_DUAL = "paced (dual chamber): stimuli before 90% of the beats in II"
_FIBRILLATING = {"atrial_rate_bpm": 420.0, "atrial_amplitude_mv": 0.05}
_IRREGULAR_NO_P = {"rr_irregularity": 0.25, "p_wave_share": 0.0, "pr_variability_ms": np.nan}


@pytest.mark.parametrize(
    ("changes", "rhythm", "said"),
    [
        ({"pacing": _VENTRICULAR, "p_wave_share": 0.0}, "paced rhythm", "paced rhythm: paced"),
        ({"pacing": _VENTRICULAR}, "paced rhythm", "paced rhythm: paced"),
        ({"pacing": _DUAL, **_IRREGULAR_NO_P}, "paced rhythm", "paced rhythm: paced"),
        ({"pacing": _VENTRICULAR, **_IRREGULAR_NO_P}, "paced rhythm", "paced rhythm: paced"),
        ({"pacing": _VENTRICULAR, "p_wave_share": 0.0, **_FIBRILLATING}, "atrial fibrillation", "with ventricular pacing"),
        ({"pacing": _DUAL, "p_wave_share": 0.0, **_FIBRILLATING}, "paced rhythm", "paced rhythm: paced"),
        ({"pacing": "", **_IRREGULAR_NO_P}, "atrial fibrillation", "atrial fibrillation:"),
        ({"pacing": "pacing not assessed: 250 Hz < 500 Hz hides stimuli"}, "sinus rhythm", ""),
    ],
)  # fmt: skip
def test_paced_rhythms(changes, rhythm, said):
    out = et.interpret(record(**changes))
    assert out["rhythm"] == rhythm
    assert said in out["reasons"]
    assert bool(out["paced"]) is changes["pacing"].startswith("paced")
    normal = et.is_normal(record(**changes))
    if out["paced"]:
        assert not normal["normal"] and changes["pacing"] in normal["reasons"]


@pytest.mark.parametrize(
    ("changes", "rhythm"),
    [
        ({"atrial_rate_bpm": 300.0, "atrial_amplitude_mv": 0.05}, "atrial flutter"),
        ({"atrial_rate_bpm": 420.0, "atrial_amplitude_mv": 0.05}, "atrial fibrillation"),
        ({"atrial_rate_bpm": 300.0, "atrial_amplitude_mv": 0.01}, "other"),
        ({"atrial_rate_bpm": 200.0, "atrial_amplitude_mv": 0.05}, "other"),
        ({"atrial_rate_bpm": np.nan, "atrial_amplitude_mv": np.nan}, "other"),
    ],
)  # fmt: skip
def test_regular_rhythm_without_p_waves_is_told_by_its_atrial_activity(changes, rhythm):
    said = et.interpret(record(p_wave_share=0.0, pr_variability_ms=np.nan, **changes))
    assert said["rhythm"] == rhythm
    if rhythm != "other":
        assert "once the QRS–T is cancelled" in said["reasons"]


@pytest.mark.parametrize(
    ("size_mv", "rhythm"),
    [(0.005, "sinus arrhythmia"), (0.05, "atrial fibrillation"), (np.nan, "atrial fibrillation")],
)
def test_p_waves_with_varying_pr_are_fibrillation_only_with_atrial_activity(size_mv, rhythm):
    """Irregular RR, P waves before 80% of beats with a PR varying by 30 ms: premature
    beats when nothing fibrillatory is left once the QRS-T is cancelled."""
    row = record(rr_irregularity=0.25, rr_range_ms=400.0, p_wave_share=0.8,
                 pr_variability_ms=30.0, atrial_rate_bpm=420.0, atrial_amplitude_mv=size_mv)  # fmt: skip
    said = et.interpret(row)
    assert said["rhythm"] == rhythm
    if rhythm != "atrial fibrillation":
        assert "not atrial fibrillation" in said["reasons"]


def test_atrial_activity_does_not_overrule_conducted_p_waves():
    said = et.interpret(record(atrial_rate_bpm=300.0, atrial_amplitude_mv=0.05))
    assert said["rhythm"] == "sinus rhythm"


@pytest.mark.parametrize(
    ("axis", "category"),
    [(-30.0, "normal"), (90.0, "normal"), (-31.0, "left axis deviation"),
     (91.0, "right axis deviation"), (180.0, "right axis deviation"),
     (-100.0, "extreme axis deviation"), (np.nan, "not measurable")],
)  # fmt: skip
def test_axis_categories_follow_aha_boundaries(axis, category):
    assert et.interpret(record(qrs_axis_deg=axis))["axis"] == category


def test_first_degree_av_block_only_in_sinus_rhythm():
    assert et.interpret(record(pr_ms=230.0))["first_degree_av_block"]
    assert not et.interpret(record(pr_ms=200.0))["first_degree_av_block"]
    af = record(pr_ms=230.0, rr_irregularity=0.3, p_wave_share=0.9, pr_variability_ms=40.0)
    assert not et.interpret(af)["first_degree_av_block"]


def amplitudes(**values) -> dict[str, float]:
    base = {f"{w}_amp_mv_{lead}": 0.0 for w in "qrs" for lead in ("I", "V1", "V6")}
    base.update(values)
    return base


def test_bundle_branch_block_patterns():
    rbbb = record(qrs_ms=140.0, **amplitudes(r_amp_mv_V1=0.7, s_amp_mv_I=-0.3, r_amp_mv_I=0.6))
    lbbb = record(qrs_ms=160.0, **amplitudes(r_amp_mv_V1=0.05, s_amp_mv_V1=-1.2, r_amp_mv_V6=1.1))
    ivcd = record(qrs_ms=130.0, **amplitudes(r_amp_mv_V1=0.2, s_amp_mv_V1=-0.9, q_amp_mv_V6=-0.4))
    narrow = record(qrs_ms=100.0, **amplitudes(r_amp_mv_V1=0.7, s_amp_mv_I=-0.3))
    said = et.interpret(pd.DataFrame([rbbb, lbbb, ivcd, narrow]))
    assert said["wide_qrs"].tolist() == [True, True, True, False]
    assert said["conduction"].tolist() == [
        "right bundle branch block pattern",
        "left bundle branch block pattern",
        "nonspecific intraventricular conduction delay",
        "",
    ]


def test_is_normal_gives_every_failed_criterion():
    assert et.is_normal(record())["normal"]
    out = et.is_normal(record(heart_rate=120.0, pr_ms=230.0, qrs_ms=130.0))
    assert not out["normal"]
    for part in ("sinus tachycardia", "heart rate 120 bpm", "PR 230 ms", "QRS 130 ms"):
        assert part in out["reasons"]
    assert "QTc" in et.is_normal(record(qtc_framingham_ms=480.0))["reasons"]
    assert "QRS axis" in et.is_normal(record(qrs_axis_deg=-60.0))["reasons"]
    assert "P wave" in et.is_normal(record(p_wave_share=0.7))["reasons"]


def test_missing_value_fails_its_criterion():
    out = et.is_normal(record(pr_ms=np.nan))
    assert not out["normal"]
    assert out["reasons"] == "PR not measurable (no P-wave onset on the median beat)"


def test_missing_values_read_not_measurable_never_nan():
    # Before: "PR nan ms outside 120–200; QTc nan ms outside 340–460".
    table = pd.DataFrame(
        [
            record(pr_ms=np.nan, qt_ms=np.nan, qtc_framingham_ms=np.nan),
            record(pr_ms=np.nan, p_wave_share=0.0, pr_variability_ms=np.nan),
            record(qrs_axis_deg=np.nan, reason="axes need two usable limb leads (I, II, III, "
                   "aVL or aVF); usable leads: V1, V2"),
            record(heart_rate=np.nan, p_wave_share=np.nan, qrs_ms=np.nan),
        ]
    )  # fmt: skip
    out = et.is_normal(table)
    assert not out["normal"].any()
    for reasons in out["reasons"]:
        assert "nan" not in reasons.lower() and "not measurable" in reasons
    assert out.loc[0, "reasons"] == (
        "PR not measurable (no P-wave onset on the median beat); "
        "QTc not measurable (no T-wave end on the median beat)"
    )
    assert "PR not measurable (no P wave found)" in out.loc[1, "reasons"]
    assert out.loc[2, "reasons"] == "QRS axis not measurable (fewer than two usable limb leads)"
    assert "rhythm not measurable (fewer than two beats found)" in out.loc[3, "reasons"]
    said = et.interpret(table)
    assert (said["axis"] != "").all() and said.loc[2, "axis"] == "not measurable"
    assert set(said["axis"]) <= set(AXIS_CATEGORIES)
    assert not said["reasons"].str.contains("nan", case=False).any()


def test_the_normal_filter_decides_as_before_on_missing_values():
    # A value that cannot be checked fails its criterion (documented): only the text changed.
    for column in ("pr_ms", "qrs_ms", "qtc_framingham_ms", "qrs_axis_deg", "heart_rate"):
        assert not et.is_normal(record(**{column: np.nan}))["normal"], column
    assert et.is_normal(record(qt_ms=np.nan))["normal"]  # QT itself is not a criterion


def test_criteria_are_editable():
    strict = NormalCriteria(heart_rate_bpm=(60.0, 65.0), extra={"qt_ms": (300.0, 380.0)})
    out = et.is_normal(record(), strict)
    assert not out["normal"]
    assert "heart rate 70 bpm outside 60–65" in out["reasons"]
    assert "qt_ms 390 outside 300–380" in out["reasons"]
    assert et.is_normal(record(heart_rate=62.0, qt_ms=370.0), strict)["normal"]


def test_table_in_table_out_and_unmeasured_records():
    table = pd.DataFrame(
        [record(), record(status="unusable", reason="no usable lead", heart_rate=np.nan)],
        index=pd.Index([10, 11], name="record_id"),
    )
    said = et.interpret(table)
    assert said.index.tolist() == [10, 11]
    assert said.loc[11, "rhythm"] == "" and "unusable" in said.loc[11, "reasons"]
    normal = et.is_normal(table)
    assert normal["normal"].tolist() == [True, False]


def test_bad_inputs_say_what_to_do():
    with pytest.raises(TypeError, match="measure"):
        et.interpret(np.zeros(3))
    with pytest.raises(ValueError, match="lack the columns"):
        et.interpret(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(TypeError, match="NormalCriteria"):
        et.is_normal(record(), criteria={"heart_rate_bpm": (50, 100)})


def beats_record(fs: float, beat_times: np.ndarray, with_p: bool, seed: int) -> et.ECG:
    """12 leads of simple beats at ``beat_times`` (s); P waves 160 ms before each or none."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(10 * fs)) / fs
    x = np.zeros_like(t)
    for b in beat_times:
        x += 1.1 * np.exp(-0.5 * ((t - b) / 0.011) ** 2)
        x += 0.3 * np.exp(-0.5 * ((t - b - 0.28) / 0.045) ** 2)
        if with_p:
            x += 0.15 * np.exp(-0.5 * ((t - b + 0.16) / 0.022) ** 2)
    gains = rng.uniform(0.5, 1.3, 12)
    noise = rng.normal(0, 0.01, (12, t.size))
    return et.ECG(gains[:, None] * x[None] + noise, fs=fs, leads=et.STANDARD_LEADS)


def test_measured_rhythms_of_built_signals():
    fs = 500.0
    regular = np.arange(0.7, 9.5, 0.85)
    irregular = 0.7 + np.cumsum(np.random.default_rng(3).uniform(0.45, 1.1, 20))
    irregular = irregular[irregular < 9.4]
    sinus = et.interpret(et.measure(beats_record(fs, regular, True, 0)))
    assert sinus["rhythm"] == "sinus rhythm"
    af = et.interpret(et.measure(beats_record(fs, irregular, False, 1)))
    assert af["rhythm"] == "atrial fibrillation"


def test_ludb_atrial_fibrillation_and_normal_record(data_dir):
    # A smoke test on real records (the shipped network saw LUDB; accuracy figures are
    # cross-validated in benchmarks/bench_interpret.py).
    ludb = data_dir / "ludb"
    af = et.interpret(et.measure(et.read(ludb / "51", adc_gain=1000)))
    assert af["rhythm"] == "atrial fibrillation"
    normal = et.measure(et.read(ludb / "1", adc_gain=1000))
    assert et.interpret(normal)["rhythm"].startswith("sinus")


def test_generate_accept_normal_is_reproducible_and_reports_the_rate():
    big = et.generate(6, seed=4, accept="normal")
    small = et.generate(3, seed=4, accept="normal")
    np.testing.assert_array_equal(small.signal, big.signal[:3])
    np.testing.assert_array_equal(small.meta["record_ids"], big.meta["record_ids"][:3])
    acceptance = big.meta["acceptance"]
    assert 0 < acceptance["rate"] <= 1 and acceptance["candidates"] >= 6
    tried, passed = acceptance["candidates"], acceptance["passed"]
    assert type(tried) is int and type(passed) is int
    assert acceptance["rate"] == round(passed / tried, 4)  # not 0.9166666666666666
    assert acceptance["check"] == "is_normal(NormalCriteria())"
    shown = f"{100 * passed / tried:.1f}% ({passed} of {tried} tried)"
    assert f">{shown}<" in big._repr_html_()
    assert et.is_normal(et.measure(big, progress=False))["normal"].all()
    ids = big.meta["record_ids"]
    plain = et.generate(1, seed=4, start_id=int(ids[-1]))
    np.testing.assert_array_equal(plain.signal[0], big.signal[-1])


@pytest.mark.slow
def test_generate_accept_criteria_callable_and_failure():
    fast = et.generate(2, seed=5, n_leads=8, accept=lambda m: m["heart_rate"] > 60)
    assert fast.n_leads == 8
    assert (et.measure(fast, progress=False)["heart_rate"] > 60).all()
    impossible = NormalCriteria(heart_rate_bpm=(300.0, 400.0))
    with pytest.raises(RuntimeError, match=r"passed is_normal\(NormalCriteria\(heart_rate_bpm="
                       r"\(300.0, 400.0\)\)\) \(acceptance rate 0.0%"):  # fmt: skip
        et.generate(2, seed=5, accept=impossible, max_candidates=20)
    with pytest.raises(ValueError, match="accept must be"):
        et.generate(2, seed=5, accept="healthy")
    with pytest.raises(ValueError, match="one bool per row"):
        et.generate(2, seed=5, accept=lambda m: [True])
