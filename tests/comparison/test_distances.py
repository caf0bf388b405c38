"""The Fréchet distance is calibrated: small and stable for real against real (issue 17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ecgtoolkit.comparison.compare import _choose_features
from ecgtoolkit.comparison.distances import frechet, normal_scores, standardise
from ecgtoolkit.comparison.tables import as_float
from ecgtoolkit.databases import load_reference


def plain_frechet(z_real: np.ndarray, z_fake: np.ndarray) -> float:
    """The distance as it was: sample covariances of the standardised features."""
    gap = np.sum((z_real.mean(axis=0) - z_fake.mean(axis=0)) ** 2)
    cov_r, cov_f = np.cov(z_real, rowvar=False), np.cov(z_fake, rowvar=False)
    values, vectors = np.linalg.eigh(cov_r)
    root = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root @ cov_f @ root
    cross = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    return float(gap + np.trace(cov_r) + np.trace(cov_f) - 2 * cross)


def standardised(real: pd.DataFrame, fake: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Both tables as compare() standardises them, on the features it would compare."""
    names, _ = _choose_features(real, fake, None)
    z_real, z_fake, _ = standardise(as_float(real, names), as_float(fake, names))
    return z_real, z_fake


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return load_reference("normal-adults").table.drop(columns=["database"])


def test_gaussians_of_known_distance():
    # N(0, 1) against N(μ, σ²) per feature: μ² + (σ − 1)² each.
    rng = np.random.default_rng(0)
    real = rng.normal(size=(20000, 2))
    shifted = rng.normal(size=(20000, 2)) + [0.5, 0.0]
    wider = 1.5 * rng.normal(size=(20000, 2))
    assert frechet(real, shifted) == pytest.approx(0.25, abs=0.02)
    # Values beyond the real range are held at its edge: a little below 2 × 0.25.
    assert frechet(real, wider) == pytest.approx(0.5, abs=0.05)
    assert frechet(real, real) == pytest.approx(0.0, abs=1e-9)


def test_correlated_gaussians_of_known_distance():
    rng = np.random.default_rng(1)
    real = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], 20000)
    fake = rng.multivariate_normal([0, 0], [[1, -0.8], [-0.8, 1]], 20000)
    # Equal means and variances: tr(Σ_r + Σ_f − 2(Σ_r Σ_f)^½) = 4 − 2·2·0.6 = 1.6.
    assert frechet(real, fake) == pytest.approx(1.6, abs=0.05)


def test_more_features_than_records_stay_small_and_stable():
    # 36 records of 89 correlated features, as the reference against 40 real records.
    rng = np.random.default_rng(2)
    loadings = rng.normal(size=(89, 6)) / np.sqrt(6)
    cov = loadings @ loadings.T * 0.7 + 0.3 * np.eye(89)

    def draw(n: int, shift: float = 0.0) -> np.ndarray:
        x = rng.multivariate_normal(np.zeros(89), cov, n)
        x[:, :20] += shift
        return x

    new, old = [], []
    for _ in range(10):
        z_real, z_fake, _ = standardise(draw(40), draw(36))
        new.append(frechet(z_real, z_fake))
        old.append(plain_frechet(z_real, z_fake))
    assert np.std(new) < 0.15 * np.mean(new)
    assert np.mean(new) < 0.5 * np.mean(old)
    # A shift of 0.5 SD in 20 features stands out from every same-population pair.
    z_real, z_fake, _ = standardise(draw(40), draw(36, shift=0.5))
    assert frechet(z_real, z_fake) > max(new) + 2


def test_a_nearly_constant_real_feature_no_longer_dominates(reference):
    # The reference's Q wave in V1 is 0 to −0.02 mV (SD 5 µV); four records with a
    # 0.2 mV Q wave there are 38 real SDs away. Before: 145 from this one feature.
    deep_q = reference.copy()
    deep_q.loc[deep_q.index[:4], "q_amp_mv_V1"] = -0.2
    z_real, z_fake = standardised(reference, deep_q)
    assert plain_frechet(z_real, z_fake) > 100
    assert frechet(z_real, z_fake) < 1
    assert frechet(*standardised(reference, reference)) == pytest.approx(0.0, abs=1e-9)


def test_real_halves_of_the_reference_are_small_and_stable(reference):
    values = []
    for split in range(10):
        order = np.random.default_rng(split).permutation(len(reference))
        values.append(
            frechet(*standardised(reference.iloc[order[:18]], reference.iloc[order[18:]]))
        )
    # Measured: 25.1 ± 2.8 for 18 against 18 records on 94 features (plain: 83.7 ± 6.8).
    assert np.mean(values) < 35 and np.std(values) < 0.2 * np.mean(values)
    scaled = reference.copy()
    amplitudes = [c for c in reference.columns if "_amp_mv_" in c]
    scaled[amplitudes] *= 1.5
    # Amplitudes × 1.5 (measured 49) stand well out of the real halves' spread.
    shifted = frechet(*standardised(reference.iloc[:18], scaled.iloc[18:]))
    assert shifted > np.mean(values) + 5 * np.std(values)


def test_only_the_ranks_matter():
    # A monotone transform of a feature (a skewed, heavy-tailed measurement) changes
    # nothing: normal scores depend on where values fall among the real ones.
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(60, 4)), rng.normal(0.3, 1.2, size=(50, 4))
    assert frechet(np.exp(3 * real), np.exp(3 * fake)) == pytest.approx(frechet(real, fake))


def test_normal_scores():
    rng = np.random.default_rng(4)
    real = rng.normal(size=(99, 1))
    scores, _ = normal_scores(real, real[:3])
    ranks = stats.rankdata(real[:, 0])
    np.testing.assert_allclose(scores[:, 0], stats.norm.ppf(ranks / 100))
    _, beyond = normal_scores(real, np.array([[-1e9], [1e9]]))
    np.testing.assert_allclose(beyond[:, 0], stats.norm.ppf([0.5 / 100, 99.5 / 100]))
    tied, _ = normal_scores(np.array([[0.0], [0.0], [1.0]]), np.zeros((1, 1)))
    np.testing.assert_allclose(tied[:, 0], stats.norm.ppf([1.5 / 4, 1.5 / 4, 3 / 4]))


@pytest.mark.parametrize(
    ("real", "fake", "error", "match"),
    [
        (np.zeros((1, 3)), np.zeros((5, 3)), ValueError, "at least 2"),
        (np.zeros((5, 3)), np.zeros((5, 4)), ValueError, "same columns"),
        (np.zeros((5, 3)), np.full((5, 3), np.inf), ValueError, "NaN or infinite"),
        (np.zeros(5), np.zeros(5), ValueError, "n_records, n_features"),
        (np.zeros((5, 0)), np.zeros((5, 0)), ValueError, "no feature"),
    ],
)
def test_bad_arguments_are_refused(real, fake, error, match):
    with pytest.raises(error, match=match):
        frechet(real, fake)
