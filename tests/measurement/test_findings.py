"""Tests of ecgtoolkit.measurement.findings through interpret() and is_normal()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.measurement.findings import FINDING_COLUMNS, lvh, st_t_changes

LEADS = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]


def _row(**amplitudes: float) -> pd.Series:
    """A normal measured row (sinus 70 bpm), amplitudes as ``r_V5=1.2`` (mV)."""
    row = {
        "heart_rate": 70.0, "rr_range_ms": 40.0, "rr_irregularity": 0.03,
        "p_wave_share": 1.0, "pr_variability_ms": 4.0, "pr_ms": 160.0, "qrs_ms": 96.0,
        "qtc_framingham_ms": 410.0, "qrs_axis_deg": 60.0, "status": "ok",
        "n_premature_atrial": 0, "n_premature_ventricular": 0, "n_pauses": 0,
    }  # fmt: skip
    for lead in LEADS:
        row.update({f"{w}_amp_mv_{lead}": v for w, v in
                    (("q", 0.0), ("r", 0.8), ("s", -0.2), ("t", 0.3), ("j", 0.0),
                     ("st60", 0.02))})  # fmt: skip
    for key, value in amplitudes.items():
        wave, lead = key.split("_", 1)
        row[f"{wave}_amp_mv_{lead}"] = value
    return pd.Series(row)


def test_a_plain_row_has_no_findings():
    said = et.interpret(_row())
    assert not said["lvh"] and said["av_block"] == ""
    assert said[["st_elevation", "st_depression", "t_wave_inversion"]].tolist() == ["", "", ""]
    assert bool(et.is_normal(_row())["normal"])
    assert set(FINDING_COLUMNS) <= set(said.index)


@pytest.mark.parametrize(("s_v1", "r_v5", "expected"), [(-1.8, 1.8, True), (-1.6, 1.8, False)])
def test_sokolow_lyon_index(s_v1, r_v5, expected):
    has, why = lvh(_row(s_V1=s_v1, r_V5=r_v5))
    assert has is expected
    assert ("Sokolow" in " ".join(why)) is expected


def test_cornell_voltage_uses_the_sex_when_given():
    row = _row(r_aVL=1.0, s_V3=-1.2)  # 2.2 mV: above the women's 2.0, below the men's 2.8
    assert lvh(row, "F")[0] and not lvh(row, "M")[0] and not lvh(row)[0]
    said = et.interpret(pd.concat([row, pd.Series({"sex": "F"})]))
    assert said["lvh"] and "women" in said["reasons"]


def test_voltage_criteria_are_not_applied_to_a_wide_qrs():
    row = _row(s_V1=-3.0, r_V5=2.5)
    row["qrs_ms"] = 150.0
    assert lvh(row) == (False, [])


def test_st_elevation_needs_two_contiguous_leads_and_the_v2_v3_limit():
    found, _ = st_t_changes(_row(j_V4=0.15, j_V5=0.15), set(LEADS))
    assert found["st_elevation"] == "V4, V5"
    found, _ = st_t_changes(_row(j_V2=0.15, j_V3=0.15), set(LEADS))  # below V2-V3's 0.2
    assert found["st_elevation"] == ""
    found, _ = st_t_changes(_row(j_V4=0.3, j_V6=0.3), set(LEADS))  # not neighbours
    assert found["st_elevation"] == ""
    found, _ = st_t_changes(_row(j_II=0.12, j_aVF=0.12), set(LEADS))
    assert found["st_elevation"] == "II, aVF"


def test_st_depression_must_be_horizontal_or_downsloping():
    flat = _row(j_V5=-0.1, j_V6=-0.1, st60_V5=-0.1, st60_V6=-0.12)
    assert st_t_changes(flat, set(LEADS))[0]["st_depression"] == "V5, V6"
    upsloping = _row(j_V5=-0.1, j_V6=-0.1, st60_V5=0.05, st60_V6=0.04)
    assert st_t_changes(upsloping, set(LEADS))[0]["st_depression"] == ""


def test_t_inversion_only_where_t_is_normally_upright():
    said = et.interpret(_row(t_V4=-0.3, t_V5=-0.25))
    assert said["t_wave_inversion"] == "V4, V5"
    normal_variant = et.interpret(_row(t_III=-0.2, t_aVF=0.05, t_V1=-0.2, t_V2=-0.1))
    assert normal_variant["t_wave_inversion"] == ""


def test_is_normal_fails_on_findings_unless_allowed():
    row = _row(t_V4=-0.3, t_V5=-0.25, s_V1=-1.8, r_V5=1.9)
    verdict = et.is_normal(row)
    assert not verdict["normal"]
    assert "T-wave inversion in V4, V5" in verdict["reasons"]
    assert "left ventricular hypertrophy" in verdict["reasons"]
    allowed = et.NormalCriteria(abnormal_findings=())
    assert bool(et.is_normal(row, allowed)["normal"])
    with pytest.raises(ValueError, match="not statements of interpret"):
        et.is_normal(row, et.NormalCriteria(abnormal_findings=("big heart",)))


def test_findings_are_not_stated_in_atrial_fibrillation_or_when_unmeasured():
    row = _row()
    row.update({"rr_irregularity": 0.3, "p_wave_share": 0.0, "n_premature_atrial": 4})
    said = et.interpret(row)
    assert said["rhythm"] == "atrial fibrillation" and said["premature_atrial"] == 0
    empty = et.interpret(pd.Series({"heart_rate": np.nan, "status": "unusable"}))
    assert empty["av_block"] == "" and empty["premature_ventricular"] == 0


def test_findings_of_real_records_have_their_reasons(data_dir):
    ecg = et.read(data_dir / "ludb" / "1", adc_gain=1000)
    said = et.interpret(et.measure(ecg, progress=False))
    for column in ("st_elevation", "st_depression", "t_wave_inversion"):
        if said[column]:
            assert said[column].split(", ")[0] in said["reasons"]


def test_flat_t_waves_need_a_prominent_r_wave():
    said = et.interpret(_row(t_V5=0.05, t_V6=-0.04))
    assert said["flat_t_waves"] == "V5, V6" and said["t_wave_inversion"] == ""
    small = et.interpret(_row(t_V5=0.05, t_V6=-0.04, r_V5=0.3, r_V6=0.3))
    assert small["flat_t_waves"] == ""
    assert "flat T waves in V5, V6" in et.is_normal(_row(t_V5=0.05, t_V6=-0.04))["reasons"]
