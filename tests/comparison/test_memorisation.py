"""Memorisation flags copies, and independent records at its nominal rate (issue 17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ecgtoolkit.comparison.distances import standardise
from ecgtoolkit.comparison.memorisation import chance_share, memorisation_table


def _shares(pairs, quantile: float) -> tuple[np.ndarray, np.ndarray, dict]:
    """Flagged share per (ref, query) pair, whether each lies in its 95% range."""
    shares, inside = [], []
    for ref, query in pairs:
        table = memorisation_table(ref, query, quantile=quantile)
        shares.append(table.attrs["share_flagged"])
        inside.append(table.attrs["chance_low"] <= shares[-1] <= table.attrs["chance_high"])
    return np.array(shares), np.array(inside), table.attrs


def test_independent_gaussian_records_are_flagged_at_the_nominal_rate():
    # 300 splits of 2 × 150 records of one population; q(n_ref + 1) = 7.55, so the
    # conformal rule flags 7/151 = 4.64% in expectation.
    rng = np.random.default_rng(0)
    n, quantile, n_splits = 150, 0.05, 300
    pairs = []
    for _ in range(n_splits):
        x = rng.standard_t(5, size=(2 * n, 5))  # heavy-tailed, not only Gaussian
        pairs.append((x[:n], x[n:]))
    shares, inside, attrs = _shares(pairs, quantile)
    expected = attrs["chance_share"]
    assert expected == pytest.approx(7 / 151) and expected <= quantile
    # Each split's count is beta-binomial (one shared reference per split); the mean of
    # independent splits lies within 3 of its standard errors of the expectation.
    law = stats.betabinom(n, 7, 151 - 7)
    se = law.std() / n / np.sqrt(n_splits)
    assert abs(shares.mean() - expected) < 3 * se, (shares.mean(), expected, se)
    # The 95% range holds the share of (at least) 95% of the splits, up to sampling.
    assert inside.mean() >= 0.95 - 3 * np.sqrt(0.05 * 0.95 / n_splits)


def test_the_old_quantile_rule_flagged_more_than_its_nominal_rate():
    # The bug: ratio ≤ np.quantile(reference ratios, q) flagged 1.4–1.7% at q = 1%.
    from ecgtoolkit.comparison.memorisation import _nearest, _ratio

    rng = np.random.default_rng(1)
    old, new = [], []
    for _ in range(200):
        x = rng.normal(size=(600, 3))
        ref, query = x[:300], x[300:]
        table = memorisation_table(ref, query, quantile=0.01)
        first, second, _ = _nearest(ref, ref, exclude_self=True)
        old.append(np.mean(table["nn_ratio"] <= np.quantile(_ratio(first, second), 0.01)))
        new.append(table.attrs["share_flagged"])
    assert np.mean(old) > 0.0125
    assert np.mean(new) == pytest.approx(3 / 301, abs=0.002)


def test_real_ludb_halves_are_flagged_at_the_nominal_rate(data_dir):
    from ecgtoolkit.databases.ludb import load_ludb

    signal = load_ludb(data_dir / "ludb", annotations=False, progress=False).ecg.signal
    # Real records summarised by per-lead amplitude percentiles and the SD of the slope:
    # skewed, correlated, not Gaussian.
    percentiles = np.percentile(signal, [1, 50, 99], axis=2)
    slope_sd = np.std(np.diff(signal, axis=2), axis=2)
    features = np.concatenate([*percentiles, slope_sd], axis=1)
    half = len(features) // 2
    pairs = []
    for split in range(200):
        order = np.random.default_rng(split).permutation(len(features))
        z_real, z_fake, _ = standardise(features[order[:half]], features[order[half:]])
        pairs.append((z_real, z_fake))
    shares, inside, attrs = _shares(pairs, 0.05)
    # Splits of one set of 150 records are not independent: their mean estimates this
    # set's own rate, which varies around the expectation like one split's share.
    assert attrs["chance_low"] <= shares.mean() <= attrs["chance_high"]
    assert shares.mean() == pytest.approx(attrs["chance_share"], abs=0.015)  # measured 0.041
    assert inside.mean() >= 0.9  # measured 0.97


def test_exact_and_near_copies_are_flagged():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(300, 8))
    exact = real[:10]
    near = real[10:20] + 1e-3 * rng.normal(size=(10, 8))
    independent = rng.normal(size=(100, 8))
    table = memorisation_table(
        real, np.vstack([exact, near, independent]), ref_index=pd.RangeIndex(1000, 1300)
    )
    assert table["flag"].iloc[:20].all()
    assert (table["nn_distance"].iloc[:10] == 0).all()
    assert (table["nn_real"].iloc[:20] == np.arange(1000, 1020)).all()
    assert (table["p_value"].iloc[10:20] <= 2 / 301).all()  # the twin may rank with it
    assert table["flag"].iloc[20:].mean() <= table.attrs["chance_high"]
    assert list(table.columns) == ["nn_distance", "nn_ratio", "nn_real", "p_value", "flag"]


def test_exact_copies_are_flagged_even_with_too_few_real_records():
    rng = np.random.default_rng(3)
    real = rng.normal(size=(36, 5))
    fake = np.vstack([real[:2], rng.normal(size=(38, 5))])
    table = memorisation_table(real, fake, quantile=0.01)
    assert table.attrs["chance_share"] == 0.0  # 37 < 1 / 0.01: nothing else flaggable
    assert table["flag"].tolist() == [True, True] + [False] * 38


def test_p_values_are_full_conformal():
    # Brute force: add the query to the reference, every record's leave-one-out ratio,
    # the query's rank among them.
    rng = np.random.default_rng(4)
    ref, query = rng.normal(size=(40, 3)), rng.normal(size=(25, 3))
    table = memorisation_table(ref, query, quantile=0.2)
    for i, q in enumerate(query):
        pool = np.vstack([ref, q])
        d = np.sqrt(((pool[:, None] - pool[None]) ** 2).sum(axis=2))
        np.fill_diagonal(d, np.inf)
        two = np.sort(d, axis=1)[:, :2]
        ratio = two[:, 0] / two[:, 1]
        assert table["p_value"].iloc[i] == pytest.approx(np.mean(ratio <= ratio[-1]))
        assert table["nn_ratio"].iloc[i] == pytest.approx(ratio[-1])


def test_chance_share_and_its_range():
    assert chance_share(299, 300, 0.01)[0] == 0.01
    assert chance_share(36, 40, 0.01) == (0.0, 0.0, 0.0)
    expected, low, high = chance_share(150, 150, 0.05)
    assert expected == 7 / 151 and low < expected < high
    # Wider than the binomial range: the reference is shared by all queries.
    binomial = stats.binom(150, expected).ppf([0.025, 0.975]) / 150
    assert low <= binomial[0] and high >= binomial[1] and (high - low) > np.ptp(binomial)


@pytest.mark.parametrize(
    ("ref", "query", "kwargs", "error", "match"),
    [
        (np.zeros((2, 3)), np.zeros((5, 3)), {}, ValueError, "at least 3"),
        (np.zeros((5, 3)), np.zeros((5, 2)), {}, ValueError, "same columns"),
        (np.full((5, 3), np.nan), np.zeros((5, 3)), {}, ValueError, "NaN"),
        (np.zeros((5, 3)), np.zeros(5), {}, ValueError, "n_records, n_features"),
        (np.zeros((5, 3)), np.zeros((5, 3)), {"quantile": 1.0}, ValueError, "quantile"),
        (np.zeros((5, 3)), np.zeros((5, 3)), {"quantile": "1%"}, TypeError, "quantile"),
        (np.zeros((5, 3)), np.zeros((5, 3)), {"query_index": [1]}, ValueError, "1 ids"),
        (np.array([["a"] * 3] * 5), np.zeros((5, 3)), {}, TypeError, "numeric"),
    ],
)
def test_bad_arguments_are_refused(ref, query, kwargs, error, match):
    with pytest.raises(error, match=match):
        memorisation_table(ref, query, **kwargs)


def test_copies_p_value_is_calibrated_and_catches_excess():
    from scipy import stats

    from ecgtoolkit.comparison.memorisation import copies_p_value

    # Under the null the count is beta-binomial: P(p <= 0.05) must be at most about 5%.
    law = stats.betabinom(300, 3, 300 - 3)
    counts = np.arange(0, 301)
    p = np.array([copies_p_value(int(c), 299, 300, 0.01) for c in counts])
    assert law.pmf(counts)[p <= 0.05].sum() <= 0.05
    assert copies_p_value(0, 299, 300, 0.01) == 1.0
    assert copies_p_value(30, 299, 300, 0.01) < 1e-6
    assert copies_p_value(1, 36, 40, 0.01) == 0.0  # nothing flags by chance at this size
