import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ecgtoolkit as et


def make(n_leads=2, n=1000, fs=500.0, batch=None, leads=None):
    rng = np.random.default_rng(0)
    shape = (n_leads, n) if batch is None else (batch, n_leads, n)
    return et.ECG(rng.normal(size=shape), fs=fs, leads=leads or list(et.STANDARD_LEADS[:n_leads]))


def test_single_record_properties():
    ecg = make(3, 2500)
    assert not ecg.is_batch and ecg.n_records == 1
    assert (ecg.n_leads, ecg.n_samples, ecg.duration_s) == (3, 2500, 5.0)
    assert ecg.leads == ("I", "II", "III")
    assert ecg.units == "mV"
    np.testing.assert_allclose(ecg.times[[0, -1]], [0, 2499 / 500])
    assert repr(ecg) == "<ECG | 3 leads × 2500 samples (5 s at 500 Hz), mV>"


def test_units_are_converted_once_to_mv():
    ecg = et.ECG(np.full((1, 4), 1500, dtype=np.int16), fs=250, leads=["II"], units="uV")
    assert ecg.signal.dtype == np.float64
    np.testing.assert_allclose(ecg.signal, 1.5)
    np.testing.assert_allclose(ecg.as_units("µV"), 1500)
    f32 = et.ECG(np.ones((1, 4), dtype=np.float32), fs=250, leads=["II"], units="V")
    assert f32.signal.dtype == np.float32
    np.testing.assert_allclose(f32.signal, 1000)


@given(st.floats(-50, 50, allow_nan=False), st.sampled_from(["mV", "uV", "µV", "V"]))
def test_unit_round_trip(value, units):
    ecg = et.ECG(np.array([[value]]), fs=100, leads=["I"], units=units)
    np.testing.assert_allclose(ecg.as_units(units), [[value]], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"signal": np.zeros(10)}, ValueError, "expected \\(n_leads, n_samples\\)"),
        ({"signal": np.zeros((2, 2, 2, 2))}, ValueError, "4 dimensions"),
        ({"signal": np.zeros((5000, 2))}, ValueError, "pass signal.T"),
        ({"fs": 0}, ValueError, "positive sampling rate"),
        ({"fs": "fast"}, TypeError, "fs must be a number"),
        ({"units": "mmHg"}, ValueError, "unknown units"),
        ({"leads": ["I", " "]}, ValueError, "must not be empty"),
        ({"leads": ["II", "lead ii"]}, ValueError, "appears twice"),
        ({"signal": np.array([["a", "b"], ["c", "d"]])}, TypeError, "numeric"),
        ({"signal": np.zeros((2, 0))}, ValueError, "no samples"),
    ],
)
def test_bad_input_gives_clear_errors(kwargs, error, match):
    args = {"signal": np.zeros((2, 100)), "fs": 500, "leads": ["I", "II"], **kwargs}
    with pytest.raises(error, match=match):
        et.ECG(**args)


def test_fs_is_required():
    with pytest.raises(TypeError):
        et.ECG(np.zeros((1, 10)), leads=["I"])  # type: ignore[call-arg]


def test_batch_indexing_and_lead_access():
    batch = make(2, 100, batch=5)
    assert len(batch) == 5
    rec = batch[3]
    assert not rec.is_batch and rec.leads == ("I", "II")
    np.testing.assert_array_equal(rec.signal, batch.signal[3])
    np.testing.assert_array_equal(batch[-1].signal, batch.signal[4])
    assert len(batch[1:3]) == 2 and len(batch[[0, 4]]) == 2
    np.testing.assert_array_equal(batch["II"], batch.signal[:, 1])
    np.testing.assert_array_equal(rec["lead ii"], rec.signal[1])
    assert batch[["II"]].leads == ("II",)
    assert [r.n_leads for r in batch] == [2] * 5
    with pytest.raises(IndexError):
        batch[5]
    with pytest.raises(KeyError, match="not in this ECG"):
        rec["V1"]
    with pytest.raises(TypeError, match="one record"):
        len(rec)
    with pytest.raises(TypeError, match="indexed by lead name"):
        rec[0]


def test_per_record_meta():
    batch = et.ECG(
        np.zeros((3, 1, 10)),
        fs=10,
        leads=["I"],
        meta={"record_ids": np.array([7, 8, 9]), "age_per_record": [50, 60, 70], "src": "x"},
    )
    one = batch[1]
    assert one.meta == {"record_id": 8, "age": 60, "src": "x"}
    assert isinstance(one.meta["record_id"], int)
    part = batch[1:]
    assert list(part.meta["record_ids"]) == [8, 9] and part.meta["age_per_record"] == [60, 70]
    assert batch[[2, 0]].meta["record_ids"].tolist() == [9, 7]
    assert part[0].meta["record_id"] == 8


def test_derived_ecgs_do_not_share_metadata():
    # ecg[["I"]] used to share its meta dict with its parent: editing one changed both.
    ecg = et.ECG(np.zeros((2, 10)), fs=10, leads=["I", "II"], meta={"notes": ["a"]})
    for child in (ecg[["I"]], ecg.crop(0, 0.5), ecg.copy(), ecg.to_12_lead()):
        child.meta["notes"].append("changed")
        child.meta["new"] = 1
    assert ecg.meta == {"notes": ["a"]}


def test_any_channel_name_is_kept():
    ecg = et.ECG(np.zeros((4, 10)), fs=10, leads=["ECG", "CM5", "EKG 1", "avr"])
    assert ecg.leads == ("ECG", "CM5", "EKG 1", "aVR")
    np.testing.assert_array_equal(ecg["EKG 1"], ecg.signal[2])
    with pytest.raises(KeyError, match="not in this ECG"):
        ecg["ECG2"]


def test_crop():
    ecg = make(1, 5000)
    part = ecg.crop(1.0, 2.5)
    assert part.n_samples == 750
    np.testing.assert_array_equal(part.signal, ecg.signal[:, 500:1250])
    assert ecg.crop(9.0).n_samples == 500
    with pytest.raises(ValueError, match="outside the record"):
        ecg.crop(5, 20)


def test_to_12_lead_derives_missing_limb_leads_in_order():
    rng = np.random.default_rng(1)
    sig = rng.normal(size=(8, 300)).astype(np.float32)
    ecg = et.ECG(sig, fs=500, leads=et.GENERATED_LEADS)
    full = ecg.to_12_lead()
    assert full.leads == et.STANDARD_LEADS
    assert full.signal.dtype == np.float32
    lead_i, lead_ii = sig[0], sig[1]
    np.testing.assert_allclose(full["III"], lead_ii - lead_i, rtol=1e-6)
    np.testing.assert_allclose(full["aVR"], -(lead_i + lead_ii) / 2, rtol=1e-6)
    np.testing.assert_allclose(full["aVL"], lead_i - lead_ii / 2, rtol=1e-6)
    np.testing.assert_allclose(full["aVF"], lead_ii - lead_i / 2, rtol=1e-6)
    np.testing.assert_array_equal(full["V4"], sig[5])
    # a recorded lead III is kept, not replaced by the derived one
    with_iii = et.ECG(np.vstack([sig[:2], np.zeros((1, 300))]), fs=500, leads=["I", "II", "III"])
    np.testing.assert_array_equal(with_iii.to_12_lead()["III"], 0)
    with pytest.raises(KeyError, match="needs leads I; this ECG has II"):
        et.ECG(sig[1:2], fs=500, leads=["II"]).to_12_lead()
    with pytest.raises(KeyError, match="needs leads I, II; this ECG has MLII, V5"):
        et.ECG(sig[:2], fs=500, leads=["MLII", "V5"]).to_12_lead()


def test_to_12_lead_on_batch():
    batch = make(2, 50, batch=3).to_12_lead()
    assert batch.signal.shape == (3, 6, 50)


def test_to_dataframe_wide_and_long():
    ecg = make(2, 10, fs=5)
    df = ecg.to_dataframe()
    assert list(df.columns) == ["time_s", "I", "II"]
    np.testing.assert_array_equal(df["II"], ecg.signal[1])
    batch = make(2, 10, batch=3)
    wide = batch.to_dataframe()
    assert len(wide) == 30 and wide["record_id"].max() == 2
    long = batch.to_dataframe(long=True)
    assert list(long.columns) == ["record_id", "lead", "time_s", "value_mv"]
    assert len(long) == 3 * 2 * 10
    row = long[(long.record_id == 2) & (long.lead == "II")]
    np.testing.assert_array_equal(row.value_mv, batch.signal[2, 1])
    assert isinstance(long.lead.dtype, pd.CategoricalDtype)


def test_repr_html_has_summary_and_image():
    html = make(2, 1000, batch=2)._repr_html_()
    assert "ECG batch | 2 records" in html
    assert "data:image/png;base64," in html
    nan = et.ECG(np.full((1, 100), np.nan), fs=100, leads=["I"])._repr_html_()
    assert "no finite samples" in nan
