import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ecgtoolkit.leads import (
    GENERATED_LEADS,
    STANDARD_LEADS,
    derive_limb_leads,
    normalize_lead_name,
    normalize_lead_names,
    order_leads,
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
        ("MLII", "II"),
        ("lead III", "III"),
        (" v3 ", "V3"),
        ("D2", "II"),
    ],
)
def test_normalize_lead_name_maps_variants(given, expected):
    assert normalize_lead_name(given) == expected


@pytest.mark.parametrize("bad", ["vx", "V7", "aVX", "", "-aVR", "lead"])
def test_normalize_lead_name_rejects_unknown(bad):
    with pytest.raises(ValueError, match="unknown lead name"):
        normalize_lead_name(bad)


def test_normalize_lead_names_rejects_duplicates_and_strings():
    with pytest.raises(ValueError, match="appears twice"):
        normalize_lead_names(["II", "MLII"])
    with pytest.raises(TypeError, match="sequence of names"):
        normalize_lead_names("II")
    assert normalize_lead_names(n.lower() for n in GENERATED_LEADS) == GENERATED_LEADS


def test_order_leads():
    assert order_leads(["V1", "aVF", "I"]) == ["I", "aVF", "V1"]
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
