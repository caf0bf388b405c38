"""Tests of ecgtoolkit.compare against populations built with known differences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats
from sklearn.metrics import roc_auc_score

from ecgtoolkit.comparison.compare import Comparison, compare

AMPLITUDES = [
    "p_amp_mv_II",
    "r_amp_mv_II",
    "r_amp_mv_V5",
    "s_amp_mv_V1",
    "t_amp_mv_II",
    "st60_amp_mv_V2",
]
# Correlated latent factors: one for rate and repolarisation, one for amplitudes
# (body habitus), one for the axes; the rest is each feature's own variation.
_LOADINGS = {
    "heart_rate": (0.0, 0.0, 0.0),
    "rr_sd_ms": (-0.4, 0.0, 0.0),
    "pr_ms": (0.2, 0.0, 0.0),
    "qrs_ms": (0.3, 0.3, 0.0),
    "qt_resid": (0.3, 0.0, 0.0),
    "p_axis_deg": (0.0, 0.0, 0.6),
    "qrs_axis_deg": (0.0, -0.3, 0.7),
    "t_axis_deg": (0.0, 0.0, 0.5),
    **dict.fromkeys(AMPLITUDES, (0.0, 0.6, 0.0)),
}


def population(n: int, seed: int, n_failed: int = 0) -> pd.DataFrame:
    """A measure()-like table of plausible adult ECG measurements, correlated."""
    rng = np.random.default_rng(seed)
    loadings = np.array(list(_LOADINGS.values()))
    z = rng.normal(size=(n, 3)) @ loadings.T
    z += rng.normal(size=z.shape) * np.sqrt(1 - np.sum(loadings**2, axis=1))
    z = dict(zip(_LOADINGS, z.T, strict=True))
    heart_rate = 70 * np.exp(0.15 * z["heart_rate"])
    rr = 60000 / heart_rate
    qt = 250 + 0.16 * rr + 12 * z["qt_resid"]
    table = pd.DataFrame(
        {
            "heart_rate": heart_rate,
            "rr_mean_ms": rr,
            "rr_sd_ms": 30 * np.exp(0.5 * z["rr_sd_ms"]),
            "n_beats": np.round(10000 / rr),
            "pr_ms": 160 + 20 * z["pr_ms"],
            "qrs_ms": 95 + 10 * z["qrs_ms"],
            "qt_ms": qt,
            "qtc_bazett_ms": qt / np.sqrt(rr / 1000),
            "qtc_fridericia_ms": qt / np.cbrt(rr / 1000),
            "p_axis_deg": 50 + 20 * z["p_axis_deg"],
            "qrs_axis_deg": 45 + 30 * z["qrs_axis_deg"],
            "t_axis_deg": 40 + 20 * z["t_axis_deg"],
            "p_amp_mv_II": 0.12 + 0.04 * z["p_amp_mv_II"],
            "r_amp_mv_II": 1.0 * np.exp(0.35 * z["r_amp_mv_II"]),
            "r_amp_mv_V5": 1.4 * np.exp(0.35 * z["r_amp_mv_V5"]),
            "s_amp_mv_V1": -0.9 * np.exp(0.4 * z["s_amp_mv_V1"]),
            "t_amp_mv_II": 0.3 + 0.1 * z["t_amp_mv_II"],
            "st60_amp_mv_V2": 0.05 + 0.04 * z["st60_amp_mv_V2"],
            "unusable_leads": "",
            "status": "ok",
            "reason": "",
        }
    )
    table.loc[rng.random(n) < 0.03, "pr_ms"] = np.nan  # no P wave found
    if n_failed:
        failed = rng.choice(n, n_failed, replace=False)
        numeric = table.select_dtypes("number").columns
        table.loc[table.index[failed], numeric] = 1e6  # garbage that must be ignored
        table.loc[table.index[failed], ["status", "reason"]] = ["failed", "no beats"]
    table.index.name = "record_id"
    return table


def beats(n: int, seed: int, qrs_width: float = 1.0) -> np.ndarray:
    """Median beats (n, 8 leads, 200 samples at 250 Hz, R peak at 0.3 s), mV."""
    rng = np.random.default_rng(seed)
    t = np.arange(200) / 250 - 0.3
    lead_gain = np.array([0.6, 1.0, 0.4, -0.5, 0.8, 1.2, 1.4, 1.1])[:, None]
    scale = np.exp(0.25 * rng.normal(size=(n, 1, 1)))
    width = 0.012 * qrs_width * np.exp(0.08 * rng.normal(size=(n, 1, 1)))
    t_peak = 0.28 + 0.02 * rng.normal(size=(n, 1, 1))
    qrs = np.exp(-(t**2) / (2 * width**2))
    wave_p = 0.12 * np.exp(-((t + 0.16) ** 2) / (2 * 0.02**2))
    wave_t = 0.3 * np.exp(-((t - t_peak) ** 2) / (2 * 0.04**2))
    signal = scale * lead_gain * (qrs + wave_t) + wave_p
    return signal + 0.01 * rng.normal(size=signal.shape)


@pytest.fixture(scope="module")
def shifted() -> Comparison:
    real = population(300, seed=1)
    fake = population(300, seed=2)
    fake["heart_rate"] *= 1.15
    fake["rr_mean_ms"] /= 1.15
    fake["qt_ms"] *= 1.15
    fake["qtc_bazett_ms"] = fake["qt_ms"] / np.sqrt(fake["rr_mean_ms"] / 1000)
    fake["qtc_fridericia_ms"] = fake["qt_ms"] / np.cbrt(fake["rr_mean_ms"] / 1000)
    return compare(real, fake, labels=("ludb", "gan"))


# --- statistics -------------------------------------------------------------------------


def test_real_against_real_is_rarely_different():
    whole = population(300, seed=0)
    shares, aucs, half_widths, covered = [], [], [], []
    for split in range(20):
        order = np.random.default_rng(100 + split).permutation(len(whole))
        result = compare(whole.iloc[order[:150]], whole.iloc[order[150:]], seed=split)
        shares.append(result.table["different"].mean())
        d = result.distances
        aucs.append(d["c2st_auc"])
        half_widths.append((d["c2st_ci_high"] - d["c2st_ci_low"]) / 2)
        covered.append(d["c2st_ci_low"] <= 0.5 <= d["c2st_ci_high"])
    assert np.mean(shares) <= 0.10
    assert abs(np.mean(aucs) - 0.5) <= 0.07
    # Below the nominal 95% (test_c2st_interval_has_its_nominal_coverage measures 89%
    # over independent populations); these 20 splits of one set of 300 records are
    # correlated and hold 0.5 in 13 (65%).
    assert np.mean(covered) >= 0.6
    # DeLong's interval leaves out the variation of the fitted models (see Notes), so
    # it is somewhat narrower than the spread of the AUC over splits, but not by much.
    assert np.std(aucs) <= 2 * np.mean(half_widths) / 1.96


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="DeLong's interval treats the out-of-fold scores as those of one classifier and "
    "leaves out the variation of the fitted models: measured coverage 89% over 200 random "
    "splits of 300 records of one population (nominal 95%)",
)
def test_c2st_interval_has_its_nominal_coverage():
    covered = []
    for split in range(100):  # fixed seeds: the outcome does not vary from run to run
        whole = population(300, seed=1000 + split)
        order = np.random.default_rng(5000 + split).permutation(len(whole))
        d = compare(whole.iloc[order[:150]], whole.iloc[order[150:]], seed=split).distances
        covered.append(d["c2st_ci_low"] <= 0.5 <= d["c2st_ci_high"])
    assert np.mean(covered) >= 0.93  # 95% less its binomial slack for 100 splits


def test_rate_and_qt_shift_is_found_where_it_is(shifted):
    table = shifted.table
    for name in ("heart_rate", "qt_ms", "rr_mean_ms"):
        assert table.at[name, "different"], name
    assert table.at["heart_rate", "verdict"].startswith("fake higher")
    assert table.at["qt_ms", "verdict"].startswith("fake higher")
    assert table.at["rr_mean_ms", "verdict"].startswith("fake lower")
    assert table.at["qt_ms", "smd"] > 1.5  # +15 % of ~400 ms against an SD of ~20 ms
    unrelated = [*AMPLITUDES, "pr_ms", "qrs_ms", "rr_sd_ms", "p_axis_deg", "t_axis_deg"]
    assert table.loc[unrelated, "different"].sum() <= 1
    assert "n_beats" not in table.index  # bookkeeping, not a measurement
    assert shifted.distances["c2st_auc"] > 0.8


def test_scaled_amplitudes_are_flagged():
    real, fake = population(300, seed=3), population(300, seed=4)
    fake[AMPLITUDES] *= 1.3
    table = compare(real, fake).table
    assert table.loc[AMPLITUDES, "different"].all()
    assert table.at["r_amp_mv_V5", "verdict"].startswith("fake higher")
    assert table.at["s_amp_mv_V1", "verdict"].startswith("fake lower")  # more negative
    assert table.loc[["r_amp_mv_II", "r_amp_mv_V5"], "sd_ratio"].between(1.1, 1.5).all()
    others = table.index.difference(AMPLITUDES)
    assert table.loc[others, "different"].sum() <= 1


def test_halved_spread_is_found_by_the_dispersion_test():
    real, fake = population(300, seed=5), population(300, seed=6)
    collapsed = ["heart_rate", "qrs_ms", "r_amp_mv_II", "t_axis_deg", "p_amp_mv_II"]
    fake[collapsed] = fake[collapsed].mean() + 0.5 * (fake[collapsed] - fake[collapsed].mean())
    result = compare(real, fake)
    table = result.table
    assert (table.loc[collapsed, "dispersion_p_adj"] < 0.05).all()
    assert table.loc[collapsed, "sd_ratio"].between(0.4, 0.6).all()
    assert table.loc[collapsed, "verdict"].str.contains("fake less spread").all()
    assert table.loc[collapsed, "location_p_adj"].gt(0.05).sum() >= 4  # means unchanged
    # The classifier sees spread through the squared features.
    assert result.distances["c2st_ci_low"] > 0.5
    assert "too little diversity" in result.summary().lower()


def test_mmd_separates_beat_shapes_only_when_they_differ():
    real, fake = population(150, seed=7), population(150, seed=8)
    same = compare(
        real, fake, real_beats=beats(150, 1), fake_beats=beats(150, 2), n_permutations=200
    )
    wide = compare(
        real,
        fake,
        real_beats=beats(150, 1),
        fake_beats=beats(150, 3, qrs_width=1.4),
        n_permutations=200,
    )
    assert same.distances["mmd_p"] > 0.05
    assert wide.distances["mmd_p"] < 0.01
    assert wide.distances["mmd2"] > 10 * abs(same.distances["mmd2"])
    assert wide.distances["mmd_p"] >= 1 / 201  # a permutation p-value is never 0


def test_classifier_auc_near_one_for_separated_groups():
    real, fake = population(200, seed=9), population(120, seed=10)
    for name in ("qrs_ms", "pr_ms", "r_amp_mv_V5"):
        fake[name] += 3 * real[name].std()
    d = compare(real, fake).distances
    assert d["c2st_auc"] > 0.97
    assert d["c2st_ci_low"] > 0.9
    assert d["n_real"] == 200 and d["n_fake"] == 120


def test_frechet_distance_of_a_known_shift():
    rng = np.random.default_rng(11)
    cov = [[1.0, 0.5, 0.2], [0.5, 1.0, 0.3], [0.2, 0.3, 1.0]]
    real = pd.DataFrame(rng.multivariate_normal([0, 0, 0], cov, 4000), columns=["a", "b", "c"])
    fake = pd.DataFrame(rng.multivariate_normal([1, 0, 0], cov, 4000), columns=["a", "b", "c"])
    # Same covariance: the distance is the squared shift in real SDs, here 1.
    assert compare(real, fake).distances["frechet"] == pytest.approx(1.0, abs=0.1)
    assert compare(real, real).distances["frechet"] == pytest.approx(0.0, abs=1e-9)


def test_per_feature_tests_match_their_textbook_definitions():
    rng = np.random.default_rng(12)
    real = pd.DataFrame({"x": rng.gamma(3, 2, 80), "y": rng.normal(0, 1, 80)})
    fake = pd.DataFrame({"x": rng.gamma(3, 2.6, 50), "y": rng.normal(0.3, 2, 50)})
    fake.loc[[3, 7], "x"] = np.nan
    table = compare(real, fake).table
    for name in ("x", "y"):
        a, b = real[name].dropna(), fake[name].dropna()
        row = table.loc[name]
        assert row["n_fake"] == len(b)
        assert row["location_p"] == pytest.approx(stats.ttest_ind(b, a, equal_var=False).pvalue)
        assert row["dispersion_p"] == pytest.approx(stats.levene(a, b, center="median").pvalue)
        assert row["ks_p"] == pytest.approx(stats.ks_2samp(a, b).pvalue)
        assert row["wasserstein"] == pytest.approx(stats.wasserstein_distance(a, b))
        pooled = np.sqrt(((len(a) - 1) * a.var() + (len(b) - 1) * b.var()) / (len(a) + len(b) - 2))
        assert row["smd"] == pytest.approx((b.mean() - a.mean()) / pooled)
        assert row["sd_ratio"] == pytest.approx(b.std() / a.std())
        assert row["q95_fake"] == pytest.approx(np.quantile(b, 0.95))
    raw = table[["location_p", "dispersion_p", "ks_p"]].to_numpy().T.ravel()
    adjusted = table[["location_p_adj", "dispersion_p_adj", "ks_p_adj"]].to_numpy().T.ravel()
    np.testing.assert_allclose(adjusted, stats.false_discovery_control(raw))


def test_delong_interval_around_the_rank_auc():
    from ecgtoolkit.comparison.distances import delong

    rng = np.random.default_rng(13)
    positive, negative = rng.normal(1, 1, 300), rng.normal(0, 1, 400)
    auc, low, high = delong(positive, negative)
    labels = np.r_[np.ones(300), np.zeros(400)]
    assert auc == pytest.approx(roc_auc_score(labels, np.r_[positive, negative]))
    # Binormal AUC Φ(1/√2) ≈ 0.760; DeLong's SE is close to the Hanley–McNeil value.
    assert low < stats.norm.cdf(1 / np.sqrt(2)) < high
    assert (high - low) / (2 * 1.96) == pytest.approx(0.0176, abs=0.003)


def test_only_ok_rows_are_compared():
    real, fake = population(100, seed=14, n_failed=10), population(100, seed=15, n_failed=20)
    fake_beats = beats(100, 4)
    fake_beats[(fake["status"] != "ok").to_numpy()] = np.nan
    result = compare(real, fake, real_beats=beats(100, 5), fake_beats=fake_beats)
    assert result.distances["n_real"] == 90 and result.distances["n_fake"] == 80
    assert result.table["mean_real"].max() < 1e5  # the failed rows' garbage is not there
    assert result.table.at["pr_ms", "n_real"] < 90  # NaNs left out per feature
    assert len(result.memorisation) == 80
    assert result.memorisation.index.isin(fake.index[fake["status"] == "ok"]).all()
    assert result.memorisation.attrs["space"] == "median beats, mV"


def test_nullable_and_infinite_values_count_as_missing():
    real, fake = population(60, seed=30), population(60, seed=31)
    real["qrs_ms"] = real["qrs_ms"].astype("Float64")
    real.loc[real.index[:7], "qrs_ms"] = pd.NA
    fake.loc[fake.index[:4], "qrs_ms"] = np.inf
    result = compare(real, fake)
    assert result.table.loc["qrs_ms", ["n_real", "n_fake"]].tolist() == [53, 56]
    assert np.isfinite(result.table.loc["qrs_ms", "mean_fake"])


def test_beats_with_a_missing_lead_lose_that_lead_or_that_record():
    real, fake = population(100, seed=26), population(100, seed=27)
    real_beats, fake_beats = beats(100, 6), beats(100, 7)
    real_beats[:20, 3] = np.nan  # lead 4 unusable in a fifth of the records: dropped
    fake_beats[5, 0, :10] = np.nan  # one record misses a few samples: that record dropped
    result = compare(real, fake, real_beats=real_beats, fake_beats=fake_beats)
    assert len(result.memorisation) == 99 and 5 not in result.memorisation.index
    assert any("200 of 1600 lead-time samples" in note for note in result.notes)
    assert np.isfinite(result.distances[["mmd2", "mmd_p"]]).all()


# --- memorisation -----------------------------------------------------------------------


@pytest.mark.parametrize("with_beats", [False, True])
def test_memorisation_flags_copies_not_independent_draws(with_beats):
    rng = np.random.default_rng(16)
    real = population(300, seed=17)
    independent = population(160, seed=18)
    copied = rng.choice(300, 40, replace=False)
    copies = real.iloc[copied].copy()
    numeric = list(copies.select_dtypes("number").columns)
    noise = 1e-3 * real[numeric].std().to_numpy() * rng.normal(size=(20, len(numeric)))
    copies.iloc[20:, copies.columns.get_indexer(numeric)] += noise  # near copies
    fake = pd.concat([copies, independent], ignore_index=True)
    kwargs = {}
    if with_beats:
        real_beats, own_beats = beats(300, 19), beats(160, 20)
        copy_beats = real_beats[copied].copy()
        copy_beats[20:] += 0.001 * rng.normal(size=copy_beats[20:].shape)  # 1 µV
        kwargs = {"real_beats": real_beats, "fake_beats": np.concatenate([copy_beats, own_beats])}
    result = compare(real, fake, n_permutations=50, **kwargs)
    memo = result.memorisation
    assert memo["flag"].iloc[:40].all()
    assert (memo["nn_real"].iloc[:40].to_numpy() == real.index[copied]).all()
    assert memo["nn_distance"].iloc[:20].max() == 0.0  # exact copies, exactly 0
    # Independent draws are flagged at the conformal rule's chance rate, 3/301 here
    # (the old quantile-of-ratios threshold, no longer reported, flagged more).
    assert memo["flag"].iloc[40:].mean() <= result.distances["memorised_chance_high"]
    assert memo.attrs["chance_share"] == result.distances["memorised_chance"] == 3 / 301
    assert result.distances["memorised_share"] == pytest.approx(memo["flag"].mean())
    assert list(memo.columns) == ["nn_distance", "nn_ratio", "nn_real", "p_value", "flag"]


# --- QT–RR ------------------------------------------------------------------------------


def test_qt_rr_slope_recovers_a_known_slope():
    rng = np.random.default_rng(21)

    def table(n, slope):
        rr = rng.uniform(600, 1200, n)
        return pd.DataFrame(
            {"rr_mean_ms": rr, "qt_ms": 250 + slope * rr + rng.normal(0, 10, n), "status": "ok"}
        )

    same = compare(table(200, 0.15), table(150, 0.15)).qt_rr
    for group in ("real", "fake"):
        low, high = same.loc[group, ["slope_ci_low", "slope_ci_high"]]
        assert low < 0.15 < high
        assert same.loc[group, "intercept_ms"] == pytest.approx(250, abs=15)
    assert same.loc["real", "n"] == 200 and same.loc["real", "r"] > 0.8
    assert same.attrs["p_difference"] > 0.01
    steeper = compare(table(200, 0.15), table(150, 0.25)).qt_rr
    assert steeper.attrs["p_difference"] < 1e-6
    assert list(steeper.index) == ["real", "fake"]


def test_qt_rr_without_the_columns_is_nan_with_a_note():
    real, fake = population(50, seed=22), population(50, seed=23)
    result = compare(real.drop(columns="qt_ms"), fake)
    assert np.isnan(result.qt_rr.at["real", "slope"])
    assert result.qt_rr.at["fake", "slope"] > 0  # the group that has them still gets one
    assert np.isnan(result.qt_rr.attrs["p_difference"])
    assert any("QT–RR" in note for note in result.notes)


# --- input validation -------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair():
    return population(40, seed=24), population(40, seed=25)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda r, f: (r.to_numpy(), f, {}), TypeError, "real must be a pandas DataFrame"),
        (lambda r, f: (r, f.iloc[:4], {}), ValueError, "at least 5 per group"),
        (
            lambda r, f: (r.assign(status="failed"), f, {}),
            ValueError,
            "real has 0 records with status 'ok'",
        ),
        (
            lambda r, f: (r[["status"]], f[["status"]], {}),
            ValueError,
            "no numeric column shared",
        ),
        (lambda r, f: (r, f, {"features": ["qt_ms", "nope"]}), ValueError, "not columns of"),
        (lambda r, f: (r, f, {"features": ["reason"]}), ValueError, "not numeric"),
        (lambda r, f: (r, f, {"features": "qt_ms"}), TypeError, "sequence of column names"),
        (
            lambda r, f: (r.assign(k=1.0), f.assign(k=1.0), {"features": ["k"]}),
            ValueError,
            "constant in both groups",
        ),
        (
            lambda r, f: (r.assign(k=np.nan), f.assign(k=1.0), {"features": ["k"]}),
            ValueError,
            "0 real and 40 fake finite values",
        ),
        (lambda r, f: (r, f, {"real_beats": beats(40, 0)}), ValueError, "give fake_beats too"),
        (
            lambda r, f: (r, f, {"real_beats": beats(39, 0), "fake_beats": beats(40, 1)}),
            ValueError,
            "holds 39 beats but real has 40 rows",
        ),
        (
            lambda r, f: (r, f, {"real_beats": beats(40, 0)[:, 0], "fake_beats": beats(40, 1)}),
            ValueError,
            r"expected \(n_records, n_leads, n_times\)",
        ),
        (
            lambda r, f: (r, f, {"real_beats": beats(40, 0)[:, :4], "fake_beats": beats(40, 1)}),
            ValueError,
            "same leads and times",
        ),
        (
            lambda r, f: (r, f, {"real_beats": beats(40, 0).tolist(), "fake_beats": beats(40, 1)}),
            TypeError,
            "numpy array",
        ),
        (lambda r, f: (r, f, {"alpha": 1.5}), ValueError, "alpha"),
        (lambda r, f: (r, f, {"n_permutations": 0}), ValueError, "n_permutations"),
        (lambda r, f: (r, f, {"n_permutations": 10.0}), TypeError, "n_permutations"),
        (lambda r, f: (r, f, {"seed": -1}), ValueError, "seed must be zero or positive"),
        (lambda r, f: (r, f, {"seed": "1"}), TypeError, "seed must be an integer"),
        (lambda r, f: (r, f, {"labels": ("a", "a")}), ValueError, "labels"),
        (lambda r, f: (r, f, {"memorisation_quantile": 0}), ValueError, "memorisation_quantile"),
    ],
)
def test_input_errors_say_what_to_do(pair, change, error, match):
    real, fake, kwargs = change(*pair)
    with pytest.raises(error, match=match):
        compare(real, fake, **kwargs)


def test_automatic_features_skip_constant_and_sparse_columns(pair):
    real, fake = pair
    real = real.assign(flat=2.0, sparse=np.r_[np.zeros(3), np.full(37, np.nan)], flag=True)
    fake = fake.assign(flat=2.0, sparse=np.arange(40.0), flag=False)
    result = compare(real, fake)
    assert {"flat", "sparse", "flag", "n_beats"}.isdisjoint(result.table.index)
    assert any("flat" in note and "sparse" in note for note in result.notes)
    assert list(result.table.index) == [c for c in real.columns if c in result.table.index]


def test_feature_constant_in_one_group_is_compared(pair):
    real, fake = pair
    result = compare(real, fake.assign(st60_amp_mv_V2=0.0))
    row = result.table.loc["st60_amp_mv_V2"]
    assert row["sd_ratio"] == 0 and row["different"]
    assert "fake less spread" in row["verdict"]


# --- report -----------------------------------------------------------------------------


def test_table_layout(shifted):
    table = shifted.table
    assert table.index.name == "feature"
    described = [
        f"{stat}_{group}"
        for group in ("real", "fake")
        for stat in ("mean", "sd", "q05", "q25", "median", "q75", "q95")
    ]
    tests = ["smd", "sd_ratio", "smd_ci_low", "smd_ci_high", "sd_ratio_ci_low"]
    tests += ["sd_ratio_ci_high", "location_p", "dispersion_p", "ks_stat", "ks_p"]
    tests += ["wasserstein", "wasserstein_std", "location_p_adj", "dispersion_p_adj", "ks_p_adj"]
    assert list(table.columns) == ["n_real", "n_fake", *described, *tests, "different", "verdict"]
    assert table["different"].dtype == bool
    assert set(shifted.distances.index) >= {
        "mmd2",
        "mmd_p",
        "frechet",
        "c2st_auc",
        "c2st_ci_low",
        "c2st_ci_high",
        "n_real",
        "n_fake",
    }
    assert np.isnan(shifted.distances["mmd2"])  # no beats given
    assert shifted.labels == ("ludb", "gan") and shifted.alpha == 0.05


def test_summary_names_the_findings(shifted):
    text = shifted.summary()
    assert "300 ludb and 300 gan records" in text
    assert "qt_ms" in text and "AUC" in text
    assert "ludb" in repr(shifted) and "features differ" in repr(shifted)


def test_forest_plot_has_one_line_per_feature_with_differing_ones_red_and_first(shifted):
    fig = shifted.plot()
    assert isinstance(fig, Figure)
    smd_ax, ratio_ax = fig.axes
    labels = [t.get_text() for t in smd_ax.get_yticklabels()]
    assert len(labels) == len(shifted.table)
    overview = shifted.overview()
    assert [label.split(" (")[0] for label in labels] == list(overview.index)
    n_diff = int(shifted.table["different"].sum())
    assert overview["different"].iloc[:n_diff].all()  # what differs comes first
    colours = [t.get_color() for t in smd_ax.get_yticklabels()]
    assert len(set(colours[:n_diff])) == 1 and colours[0] != colours[-1]
    assert ratio_ax.get_xscale() == "log"
    assert fig.get_size_inches()[1] < 0.2 * len(labels) + 2  # about one line per feature
    with pytest.raises(ValueError, match="were not compared"):
        shifted.plot(features=["nope"])
    with pytest.raises(ValueError, match="kind must be"):
        shifted.plot("pie")


def test_histograms_default_to_the_features_that_differ(shifted):
    fig = shifted.plot("histograms")
    differ = shifted.table.index[shifted.table["different"]]
    assert len(fig.axes) == len(differ)
    titles = [ax.get_title() for ax in fig.axes]
    assert {t.split(" (")[0].split("\n")[0] for t in titles} == set(differ)
    qt_axes = fig.axes[[t.split(" (")[0] for t in titles].index("qt_ms")]
    assert "SMD" in qt_axes.get_title() and qt_axes.title.get_color() != "black"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["ludb", "gan"]
    assert min(ax.xaxis.get_ticklabels()[0].get_fontsize() for ax in fig.axes) >= 8

    own = Figure()
    subset = shifted.plot("histograms", ["heart_rate", "qt_ms"], ncols=2, fig=own)
    assert subset is own and len(own.axes) == 2
    assert own.axes[0].get_title().startswith("heart_rate (bpm)\nSMD +")
    with pytest.raises(ValueError, match="no median beats"):
        shifted.plot("copies")


def test_html_report_is_self_contained_and_written_atomically(tmp_path):
    real, fake = population(100, seed=28), population(100, seed=29)
    fake["qt_ms"] += 40
    result = compare(real, fake, features=["heart_rate", "qt_ms", "qrs_ms", "r_amp_mv_V5"])
    path = tmp_path / "report.html"
    text = result.to_html(path)
    assert path.read_text(encoding="utf-8") == text
    assert path.stat().st_mode & 0o777 == 0o644  # not the temporary file's private mode
    assert text.startswith("<!DOCTYPE html>")
    # the forest plot, histograms of what differs, QT against RR
    assert text.count('<img src="data:image/png;base64,') == 3
    assert "<table" in text and "r_amp_mv_V5" in text and "fake higher" in text
    assert "10.1111/j.2517-6161.1995.tb02031.x" in text  # Benjamini–Hochberg
    path.write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        result.to_html(path)
    assert path.read_text(encoding="utf-8") == "keep me"
    result.to_html(path, overwrite=True)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary left
    with pytest.raises(FileNotFoundError, match="create it first"):
        result.to_html(tmp_path / "missing" / "report.html")


def test_notebook_view_is_compact(shifted):
    text = shifted._repr_html_()
    assert "<table" in text and "verdict" in text and "<img" not in text
    assert "ludb" in text


# -- the same properties on real records, measured with the toolkit --------------------------
@pytest.fixture(scope="module")
def ludb_measured(data_dir):
    """The shared LUDB records in physical units: as recorded, slowed by 15 %, ×1.3."""
    import ecgtoolkit as et
    from ecgtoolkit.signal.filters import resample

    paths = sorted((data_dir / "ludb").glob("*.hea"), key=lambda p: int(p.stem))
    records = [et.read(p.with_suffix(""), adc_gain=1000) for p in paths]
    signal = np.stack([r.signal for r in records])
    leads = records[0].leads
    # Slowed by 15 %: every duration × 1.15 (the samples stretched, fs kept).
    slowed = resample(signal, 500.0, 500.0 * 1.15)
    groups = {
        "as recorded": et.ECG(signal, fs=500.0, leads=leads),
        "slowed": et.ECG(slowed, fs=500.0, leads=leads),
        "scaled": et.ECG(1.3 * signal, fs=500.0, leads=leads),
    }
    return {name: et.measure(ecg, progress=False) for name, ecg in groups.items()}


@pytest.mark.slow
def test_real_random_halves_are_alike(ludb_measured):
    table = ludb_measured["as recorded"]
    flagged, aucs = [], []
    for split in range(6):
        order = np.random.default_rng(split).permutation(len(table))
        half = len(table) // 2
        result = compare(
            table.iloc[order[:half]], table.iloc[order[half:]], n_permutations=50, seed=split
        )
        flagged.append(result.table["different"].mean())
        aucs.append(result.distances["c2st_auc"])
    assert np.mean(flagged) <= 0.10, flagged
    assert abs(np.mean(aucs) - 0.5) < 0.1, aucs


def test_real_records_slowed_by_15_percent_are_flagged_on_rate_and_qt(ludb_measured):
    result = compare(ludb_measured["as recorded"], ludb_measured["slowed"], n_permutations=50)
    table = result.table
    assert table.loc["heart_rate", "different"] and table.loc["heart_rate", "smd"] < 0
    assert table.loc["qt_ms", "different"] and table.loc["qt_ms", "smd"] > 0
    assert result.distances["c2st_auc"] > 0.7


def test_real_amplitudes_scaled_by_1_3_are_flagged_on_amplitudes(ludb_measured):
    result = compare(ludb_measured["as recorded"], ludb_measured["scaled"], n_permutations=50)
    table = result.table
    for name in ("r_amp_mv_V5", "r_amp_mv_II", "s_amp_mv_V2"):
        assert table.loc[name, "different"], name
    intervals = ["pr_ms", "qrs_ms", "qt_ms", "heart_rate"]
    assert not table.loc[intervals, "different"].any()


def test_real_intervals_with_half_the_spread_fail_the_dispersion_test(ludb_measured):
    real = ludb_measured["as recorded"]
    narrow = real.copy()
    for name in ("pr_ms", "qrs_ms", "qt_ms"):
        narrow[name] = real[name].mean() + 0.5 * (real[name] - real[name].mean())
    table = compare(real, narrow, n_permutations=50).table
    for name in ("pr_ms", "qrs_ms", "qt_ms"):
        assert table.loc[name, "dispersion_p_adj"] < 0.05, name
        assert table.loc[name, "sd_ratio"] == pytest.approx(0.5, abs=0.02)


def test_memorisation_with_too_few_real_records_says_so():
    real, fake = population(36, seed=32), population(40, seed=33)
    fake.iloc[:2] = real.iloc[:2].to_numpy()  # two exact copies
    result = compare(real, fake, n_permutations=20)
    # 37 < 1 / 0.01: at 1% only exact copies can be flagged (before: 3% of independent
    # records were flagged as well).
    assert result.distances["memorised_chance"] == 0.0
    assert result.memorisation["flag"].tolist() == [True, True] + [False] * 38
    assert any("36 real records are too few to flag" in note for note in result.notes)
    assert "expected by chance" in " ".join(result.summary().split())
    assert all(len(line) <= 88 for line in result.summary().split("\n"))


@pytest.mark.slow
def test_memorisation_does_not_mistake_low_diversity_for_copying():
    real_beats, own_beats = beats(300, 21), beats(200, 22)
    centre = real_beats.mean(axis=0)
    typical = centre + 0.5 * (own_beats - centre)  # half the diversity, no record copied
    real, fake = population(300, seed=23), population(200, seed=24)
    result = compare(real, fake, real_beats=real_beats, fake_beats=typical, n_permutations=50)
    memo = result.memorisation
    flat = real_beats.reshape(300, -1)
    d = np.sqrt(((flat[:, None, :] - flat[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(d, np.inf)
    own = d.min(axis=1)  # each real record's distance to its nearest other real record
    # Such fakes are closer to real records than real records are to each other ...
    assert (memo["nn_distance"] < np.quantile(own, 0.01)).mean() > 0.2
    # ... but none sits on one real record: not flagged as copies.
    assert memo["flag"].mean() <= 0.04


def test_effect_intervals_cover_the_true_effects():
    from ecgtoolkit.comparison.features import feature_table

    rng = np.random.default_rng(3)
    k = 600  # independent features = independent repetitions
    real = rng.normal(0.0, 1.0, size=(60, k))
    fake = rng.normal(0.5, 0.7, size=(50, k))
    table = feature_table(real, fake, [f"f{j}" for j in range(k)], alpha=0.05)
    pooled = np.sqrt((59 * 1.0 + 49 * 0.49) / 108)  # the population SMD uses the pooled SD
    smd_cover = ((table.smd_ci_low < 0.5 / pooled) & (0.5 / pooled < table.smd_ci_high)).mean()
    ratio_cover = ((table.sd_ratio_ci_low < 0.7) & (0.7 < table.sd_ratio_ci_high)).mean()
    assert 0.92 < smd_cover < 0.98
    assert 0.92 < ratio_cover < 0.98
    assert (table.smd_ci_low < table.smd).all() and (table.smd < table.smd_ci_high).all()
