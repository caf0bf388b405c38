import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ecgtoolkit.core.leads import (
    GENERATED_LEADS,
    STANDARD_LEADS,
    derive_limb_leads,
    missing_leads,
    normalize_lead_name,
    normalize_lead_names,
    order_leads,
    standard_lead_name,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("i", "I"),
        ("II", "II"),
        ("avr", "aVR"),
        ("AVL", "aVL"),
        ("aVF", "aVF"),
        ("v1", "V1"),
        ("V6", "V6"),
        ("lead III", "III"),
        (" v3 ", "V3"),
        ("D2", "II"),
        ("DIII", "III"),
    ],
)
def test_standard_leads_are_recognised_in_their_usual_spellings(given, expected):
    assert normalize_lead_name(given) == expected
    assert standard_lead_name(given) == expected


@pytest.mark.parametrize(
    "name", ["ECG", "ECG1", "ECG2", "CM5", "ML5", "V", "MLII", "EKG 1", "vx", "-aVR", "V7"]
)
def test_any_other_channel_name_is_kept_as_given(name):
    # Holter, wearable and many PhysioNet databases name channels this way; a modified
    # lead (MLII, CM5) is a different signal from the standard lead and keeps its name.
    assert normalize_lead_name(f" {name} ") == name
    assert standard_lead_name(name) is None


@pytest.mark.parametrize("bad", ["", "   "])
def test_empty_names_are_refused(bad):
    with pytest.raises(ValueError, match="must not be empty"):
        normalize_lead_name(bad)
    with pytest.raises(TypeError, match="strings"):
        normalize_lead_name(2)  # type: ignore[arg-type]


def test_normalize_lead_names_rejects_duplicates_and_strings():
    with pytest.raises(ValueError, match="appears twice"):
        normalize_lead_names(["II", "lead ii"])
    with pytest.raises(TypeError, match="sequence of names"):
        normalize_lead_names("II")
    assert normalize_lead_names(n.lower() for n in GENERATED_LEADS) == GENERATED_LEADS
    assert normalize_lead_names(["MLII", "V5"]) == ("MLII", "V5")


def test_missing_leads_names_what_is_needed_and_what_is_there():
    assert missing_leads(["I", "II", "V1"], ["I", "II"], "x") is None
    message = missing_leads(["MLII", "V5"], ["I", "II"], "the axes")
    assert message == "the axes needs leads I, II; this ECG has MLII, V5"


def test_order_leads():
    assert order_leads(["V1", "aVF", "I"]) == ["I", "aVF", "V1"]
    assert order_leads(["vx", "V1", "ECG", "I"]) == ["I", "V1", "vx", "ECG"]
    assert tuple(order_leads(list(reversed(STANDARD_LEADS)))) == STANDARD_LEADS


finite = st.floats(-10, 10, allow_nan=False, width=32)


@given(arrays(np.float64, 50, elements=finite), arrays(np.float64, 50, elements=finite))
def test_derived_leads_obey_einthoven_and_goldberger(lead_i, lead_ii):
    d = derive_limb_leads(lead_i, lead_ii)
    lead_iii = d["III"]
    # Einthoven: I + III = II; Goldberger: aVR + aVL + aVF = 0 and the textbook forms.
    np.testing.assert_allclose(lead_i + lead_iii, lead_ii, atol=1e-9)
    np.testing.assert_allclose(d["aVR"] + d["aVL"] + d["aVF"], 0, atol=1e-9)
    np.testing.assert_allclose(d["aVR"], -(lead_i + lead_ii) / 2, atol=1e-12)
    np.testing.assert_allclose(d["aVL"], (lead_i - lead_iii) / 2, atol=1e-9)
    np.testing.assert_allclose(d["aVF"], (lead_ii + lead_iii) / 2, atol=1e-9)


def test_derive_limb_leads_shape_mismatch():
    with pytest.raises(ValueError, match="differ in shape"):
        derive_limb_leads(np.zeros(3), np.zeros(4))


def test_select_leads_derives_keeps_recorded_and_fills_or_raises():
    from ecgtoolkit.core.leads import select_leads

    rng = np.random.default_rng(0)
    i, ii = rng.normal(size=(2, 3, 50))  # a batch of three records
    signal = np.stack([ii - i, i, np.ones_like(i)], axis=-2)  # III, I, V1
    out = select_leads(signal, ["III", "I", "V1"], ["I", "II", "aVR", "V1", "V2"], missing="nan")
    assert out.shape == (3, 5, 50)
    np.testing.assert_allclose(out[:, 1], ii)
    np.testing.assert_allclose(out[:, 2], -(i + ii) / 2)
    np.testing.assert_array_equal(out[:, 3], 1.0)
    assert np.isnan(out[:, 4]).all()
    recorded = signal.copy()
    recorded[..., 0, :] += 1.0  # a recorded III that breaks Einthoven is kept as recorded
    kept = select_leads(recorded, ["III", "I", "V1"], ["III"])
    np.testing.assert_array_equal(kept[:, 0], recorded[:, 0])
    with pytest.raises(KeyError, match="V2"):
        select_leads(signal, ["III", "I", "V1"], ["V2"], purpose="this test")
    with pytest.raises(ValueError, match="one row per lead"):
        select_leads(signal, ["III", "I"], ["I"])
    with pytest.raises(ValueError, match="missing"):
        select_leads(signal, ["III", "I", "V1"], ["I"], missing="zero")
