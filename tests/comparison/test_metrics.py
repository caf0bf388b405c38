"""Whole-set metrics against their definitions and populations of known answer (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest

from ecgtoolkit.comparison.metrics import (
    inter_lead_corr_error,
    lead_physics_ok,
    lead_physics_residual,
    prdc,
)
from ecgtoolkit.core.leads import STANDARD_LEADS, derive_limb_leads


def prdc_by_definition(real: np.ndarray, fake: np.ndarray, k: int) -> dict[str, float]:
    """Naeem et al. (2020), eqs. 1–4 and 7–8, one record at a time."""

    def radius(x: np.ndarray, i: int) -> float:
        d = np.sqrt(((x - x[i]) ** 2).sum(axis=1))
        return float(np.sort(np.delete(d, i))[k - 1])

    r_real = [radius(real, i) for i in range(len(real))]
    r_fake = [radius(fake, j) for j in range(len(fake))]
    d = np.sqrt(((real[:, None, :] - fake[None, :, :]) ** 2).sum(axis=2))
    precision = np.mean(
        [any(d[i, j] < r_real[i] for i in range(len(real))) for j in range(len(fake))]
    )
    recall = np.mean([any(d[i, j] < r_fake[j] for j in range(len(fake))) for i in range(len(real))])
    density = sum(d[i, j] < r_real[i] for i in range(len(real)) for j in range(len(fake)))
    coverage = np.mean([d[i].min() < r_real[i] for i in range(len(real))])
    return {
        "precision": precision,
        "recall": recall,
        "density": density / (k * len(fake)),
        "coverage": coverage,
    }


# --- precision, recall, density, coverage -------------------------------------------------


@pytest.mark.parametrize(("n_real", "n_fake", "k"), [(60, 45, 5), (40, 70, 3), (30, 30, 1)])
def test_prdc_follows_the_papers_definitions(n_real, n_fake, k):
    rng = np.random.default_rng(n_real + k)
    real = rng.normal(size=(n_real, 4))
    fake = rng.normal(0.3, 0.8, size=(n_fake, 4))
    assert prdc(real, fake, k=k) == pytest.approx(prdc_by_definition(real, fake, k))


@pytest.mark.parametrize("k", [3, 5])
def test_prdc_matches_the_authors_package(k, capsys):
    compute_prdc = pytest.importorskip("prdc").compute_prdc
    rng = np.random.default_rng(k)
    real = rng.normal(size=(300, 10))
    fake = np.vstack([rng.normal(0.2, 0.9, size=(200, 10)), rng.normal(2, 1, size=(50, 10))])
    reference = compute_prdc(real_features=real, fake_features=fake, nearest_k=k)
    capsys.readouterr()  # the package prints the group sizes
    assert prdc(real, fake, k=k) == pytest.approx({key: float(v) for key, v in reference.items()})


def test_prdc_of_one_population_is_near_its_expected_values():
    rng = np.random.default_rng(5)
    n, k = 400, 5
    runs = [prdc(rng.normal(size=(n, 6)), rng.normal(size=(n, 6)), k=k) for _ in range(5)]
    mean = {key: np.mean([r[key] for r in runs]) for key in runs[0]}
    # Naeem et al. 2020, Lemma 1: E[density] = 1, E[coverage] = 1 − ∏ (N − t)/(N + M − t).
    expected_coverage = 1 - np.prod([(n - t) / (2 * n - t) for t in range(1, k + 1)])
    assert mean["density"] == pytest.approx(1.0, abs=0.05)
    assert mean["coverage"] == pytest.approx(expected_coverage, abs=0.02)
    # Precision and recall swap roles when the groups do: equal for equal sizes.
    assert mean["precision"] == pytest.approx(mean["recall"], abs=0.03)
    assert mean["precision"] > 0.75


def test_prdc_of_a_shifted_population_drops_everywhere():
    rng = np.random.default_rng(6)
    real = rng.normal(size=(400, 6))
    same = prdc(real, rng.normal(size=(400, 6)))
    shifted = prdc(real, rng.normal(1.5, 1.0, size=(400, 6)))
    for key in ("precision", "density", "coverage"):
        assert shifted[key] < 0.4 * same[key], key  # measured 0.35, 0.15, 0.19
    # Recall drops least: the shifted records' own balls are as large as real ones'
    # (the weakness of recall that coverage mends, Naeem et al. 2020).
    assert shifted["recall"] < same["recall"] - 0.1  # measured 0.78 against 0.96


def test_prdc_of_a_collapsed_population_loses_recall_and_coverage():
    # Mode collapse: every generated record near the centre, none in the tails.
    rng = np.random.default_rng(7)
    real = rng.normal(size=(400, 6))
    narrow = prdc(real, 0.3 * rng.normal(size=(400, 6)))
    assert narrow["precision"] > 0.95  # all of them plausible ...
    assert narrow["density"] > 1.5  # ... crowded where real records are densest ...
    assert narrow["recall"] < 0.2 and narrow["coverage"] < 0.5  # ... little variety
    # measured: precision 1.0, density 1.88, recall 0.07, coverage 0.42


def test_prdc_of_copies_is_one():
    rng = np.random.default_rng(8)
    real = rng.normal(size=(200, 5))
    assert prdc(real, real.copy()) == {
        "precision": 1.0,
        "recall": 1.0,
        "density": 1.0,
        "coverage": 1.0,
    }
    # Ten copies each of a tenth of the real records: plausible, but little variety,
    # and the copies' own balls have radius 0, so no real record is recalled.
    few = prdc(real, np.repeat(real[:20], 10, axis=0))
    assert few["precision"] == 1.0 and few["recall"] == 0.0 and few["coverage"] < 0.5


@pytest.mark.parametrize(
    ("real", "fake", "kwargs", "error", "match"),
    [
        (np.zeros((5, 3)), np.zeros((9, 3)), {}, ValueError, "at least 6"),
        (np.zeros((9, 3)), np.zeros((9, 2)), {}, ValueError, "same columns"),
        (np.zeros((9, 3)), np.full((9, 3), np.nan), {}, ValueError, "NaN"),
        (np.zeros((9, 3)), np.zeros((9, 3)), {"k": 0}, ValueError, "positive"),
        (np.zeros((9, 3)), np.zeros((9, 3)), {"k": 2.5}, TypeError, "integer"),
    ],
)
def test_prdc_refuses_bad_arguments(real, fake, kwargs, error, match):
    with pytest.raises(error, match=match):
        prdc(real, fake, **kwargs)


# --- inter-lead correlations ----------------------------------------------------------------


@pytest.fixture(scope="module")
def ludb(data_dir) -> np.ndarray:
    """The 150 shared LUDB records, (150, 12, 5000) in mV, leads in STANDARD_LEADS order."""
    from ecgtoolkit.databases.ludb import load_ludb

    ecg = load_ludb(data_dir / "ludb", annotations=False, progress=False).ecg
    assert ecg.leads == STANDARD_LEADS
    return ecg.signal


def correlated_leads(n: int, rho: float, rng: np.random.Generator) -> np.ndarray:
    """Records of 4 leads with correlation ``rho`` between every pair."""
    common = rng.normal(size=(n, 1, 2000))
    own = rng.normal(size=(n, 4, 2000))
    return np.sqrt(rho) * common + np.sqrt(1 - rho) * own


def test_inter_lead_corr_error_of_known_correlations():
    rng = np.random.default_rng(9)
    tight, loose = correlated_leads(30, 0.8, rng), correlated_leads(30, 0.2, rng)
    assert inter_lead_corr_error(tight, loose) == pytest.approx(0.6, abs=0.03)
    assert inter_lead_corr_error(tight, correlated_leads(30, 0.8, rng)) < 0.03
    assert inter_lead_corr_error(tight, tight) == 0.0


def test_real_halves_agree_and_shuffled_leads_do_not(ludb):
    rng = np.random.default_rng(10)
    halves = []
    for _ in range(3):
        order = rng.permutation(len(ludb))
        halves.append(inter_lead_corr_error(ludb[order[:75]], ludb[order[75:]]))
    shuffled = np.stack([record[rng.permutation(12)] for record in ludb[75:]])
    wrong_sign = ludb[75:].copy()
    wrong_sign[:, 3] *= -1  # aVR inverted
    assert max(halves) < 0.1  # measured 0.05
    assert inter_lead_corr_error(ludb[:75], shuffled) > 0.3  # measured 0.4
    assert inter_lead_corr_error(ludb[:75], wrong_sign) > 2 * max(halves)


def test_inter_lead_corr_error_leaves_out_absent_and_flat_leads():
    rng = np.random.default_rng(11)
    real, fake = correlated_leads(20, 0.8, rng), correlated_leads(20, 0.2, rng)
    expected = inter_lead_corr_error(real, fake)
    gappy = fake.copy()
    gappy[:5, 2] = np.nan  # lead 3 absent in five records
    gappy[5:8, :, :100] = np.nan  # a few samples missing in three records
    gappy[8, 1] = 0.25  # a flat lead
    assert np.isfinite(inter_lead_corr_error(real, gappy))
    assert inter_lead_corr_error(real, gappy) == pytest.approx(expected, abs=0.03)
    # A lead absent from every fake record: its pairs are left out, the rest compared.
    without = fake.copy()
    without[:, 3] = np.nan
    assert inter_lead_corr_error(real, without) == pytest.approx(
        inter_lead_corr_error(real[:, :3], fake[:, :3])
    )
    assert np.isnan(inter_lead_corr_error(real[:, :2], np.full((3, 2, 50), np.nan)))


@pytest.mark.parametrize(
    ("real", "fake", "error", "match"),
    [
        (np.zeros((2, 3, 10)), np.zeros((2, 4, 10)), ValueError, "same leads"),
        (np.zeros((2, 1, 10)), np.zeros((2, 1, 10)), ValueError, "at least 2"),
        (np.zeros((3, 10)), np.zeros((2, 3, 10)), ValueError, "n_records, n_leads, n_samples"),
        (np.zeros((0, 3, 10)), np.zeros((2, 3, 10)), ValueError, "no records"),
        (np.array([[["a"]]]), np.zeros((2, 3, 10)), TypeError, "numeric"),
    ],
)
def test_inter_lead_corr_error_refuses_bad_arguments(real, fake, error, match):
    with pytest.raises(error, match=match):
        inter_lead_corr_error(real, fake)


# --- lead physics ---------------------------------------------------------------------------


def test_real_records_obey_the_laws_and_broken_ones_do_not(ludb):
    assert lead_physics_ok(ludb, STANDARD_LEADS).all()
    assert lead_physics_residual(ludb, STANDARD_LEADS).max() < 0.02  # µV rounding
    rng = np.random.default_rng(12)
    broken = ludb[:30].copy()
    broken[:10, 2] = ludb[30:40, 2]  # III from another person
    broken[10:20, 3] *= -1  # aVR inverted
    broken[20:30, :6] = ludb[40:50, rng.permutation(6)]  # limb leads simulated apart
    ok = lead_physics_ok(broken, STANDARD_LEADS)
    assert not ok.any()
    # III scaled by 1.03: within the 5% tolerance; by 1.5: outside.
    for gain, expected in ((1.03, True), (1.5, False)):
        scaled = ludb[:10].copy()
        scaled[:, 2] *= gain
        assert (lead_physics_ok(scaled, STANDARD_LEADS) == expected).all()


def test_lead_physics_agrees_with_check_leads(ludb):
    from ecgtoolkit.measurement.checks import check_leads_signal

    broken = ludb[:6].copy()
    broken[3:, 4] = ludb[10:13, 4]  # aVL from other records
    residual = lead_physics_residual(broken, STANDARD_LEADS)
    for i, record in enumerate(broken):
        checked = check_leads_signal(record, 500.0, STANDARD_LEADS)
        worst = max(checked["einthoven_residual"], checked["goldberger_residual"])
        assert residual[i] == pytest.approx(worst)
        assert bool(checked["einthoven_ok"] and checked["goldberger_ok"]) == (residual[i] <= 0.05)


def test_derived_leads_pass_and_absent_ones_are_not_checked():
    rng = np.random.default_rng(13)
    lead_i, lead_ii = rng.normal(size=(2, 4, 1000)).astype(np.float32)
    derived = derive_limb_leads(lead_i, lead_ii)
    limb = np.stack([lead_i, lead_ii, *(derived[n] for n in ("III", "aVR", "aVL", "aVF"))], axis=1)
    names = ["i", "ii", "iii", "avr", "avl", "avf"]  # any spelling
    assert lead_physics_ok(limb, names).all()
    assert lead_physics_residual(limb, names).max() < 1e-6
    # Lead I absent from record 0: only aVR + aVL + aVF = 0 is checked there.
    gappy = limb.astype(np.float64)
    gappy[0, 0] = np.nan
    gappy[1, 2, :500] = np.nan  # half of III missing: the rest is checked
    assert lead_physics_ok(gappy, names).all()
    # Nothing to check (I and II only, or all of III, aVR, aVL, aVF absent): True, NaN.
    only_two = limb[:, :2]
    assert lead_physics_ok(only_two, ["I", "II"]).all()
    assert np.isnan(lead_physics_residual(only_two, ["I", "II"])).all()
    absent = limb.astype(np.float64)
    absent[:, 2:] = np.nan
    assert lead_physics_ok(absent, names).all()
    assert np.isnan(lead_physics_residual(absent, names)).all()
    assert lead_physics_ok(absent, names, tolerance=0.0).all()


@pytest.mark.parametrize(
    ("signals", "leads", "kwargs", "error", "match"),
    [
        (np.zeros((2, 3, 10)), ["I", "II"], {}, ValueError, "2 lead names given for 3"),
        (np.zeros((2, 2, 10)), ["I", "i"], {}, ValueError, "appears twice"),
        (np.zeros((2, 2, 10)), ["I", "II"], {"tolerance": -1}, ValueError, "tolerance"),
        (np.zeros((2, 10)), ["I", "II"], {}, ValueError, "n_records, n_leads, n_samples"),
    ],
)
def test_lead_physics_refuses_bad_arguments(signals, leads, kwargs, error, match):
    with pytest.raises(error, match=match):
        lead_physics_ok(signals, leads, **kwargs)
