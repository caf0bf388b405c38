"""Per-feature statistics of two groups: location, spread, shape, effect sizes, FDR.

The ``table`` of :class:`~ecgtoolkit.Comparison`; :func:`ecgtoolkit.compare` documents
the methods.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .tables import finite

__all__ = ["LOW_SD_RATIO", "feature_table"]

#: Below this SD ratio (fake over real) a summary speaks of "too little diversity".
LOW_SD_RATIO = 0.67
_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
_QUANTILE_NAMES = ("q05", "q25", "median", "q75", "q95")


def _describe(x: np.ndarray, suffix: str) -> dict[str, np.ndarray]:
    out = {
        f"mean_{suffix}": np.nanmean(x, axis=0),
        f"sd_{suffix}": np.nanstd(x, axis=0, ddof=1),
    }
    quantiles = np.nanquantile(x, _QUANTILES, axis=0)
    for name, values in zip(_QUANTILE_NAMES, quantiles, strict=True):
        out[f"{name}_{suffix}"] = values
    return out


def _spread_ratio(r: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Ratio fake/real of the mean absolute deviation from the median, per column."""
    d_r = np.abs(r - np.nanmedian(r, axis=0))
    d_f = np.abs(f - np.nanmedian(f, axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nanmean(d_f, axis=0) / np.nanmean(d_r, axis=0)


def feature_table(r: np.ndarray, f: np.ndarray, names: list[str], alpha: float) -> pd.DataFrame:
    """The per-feature table of two groups ``(n_records, n_features)`` (NaN = missing).

    Welch's t-test (``scipy.stats.ttest_ind(equal_var=False)``), Brown–Forsythe
    (``scipy.stats.levene(center="median")``) and Kolmogorov–Smirnov p-values, adjusted
    together (Benjamini–Hochberg), with descriptive statistics and effect sizes; see
    :func:`ecgtoolkit.compare`.
    """
    n_r, n_f = np.sum(np.isfinite(r), axis=0), np.sum(np.isfinite(f), axis=0)
    columns: dict[str, np.ndarray] = {"n_real": n_r, "n_fake": n_f}
    columns |= _describe(r, "real") | _describe(f, "fake")
    sd_r, sd_f = columns["sd_real"], columns["sd_fake"]
    pooled = np.sqrt(((n_r - 1) * sd_r**2 + (n_f - 1) * sd_f**2) / (n_r + n_f - 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["smd"] = (columns["mean_fake"] - columns["mean_real"]) / pooled
        columns["sd_ratio"] = sd_f / sd_r
        columns |= _effect_intervals(columns["smd"], columns["sd_ratio"], n_r, n_f)
    with warnings.catch_warnings():
        # Nearly constant columns make scipy warn of precision loss, and columns whose
        # deviations do not vary within either group of a degenerate statistic; those get
        # p = 1 (no spread) or 0 (a difference) below.
        warnings.simplefilter("ignore", RuntimeWarning)
        columns["location_p"] = stats.ttest_ind(
            f, r, equal_var=False, nan_policy="omit", axis=0
        ).pvalue
        dispersion = stats.levene(r, f, center="median", nan_policy="omit", axis=0).pvalue
    columns["dispersion_p"] = _degenerate_levene(r, f, np.asarray(dispersion, dtype=float))
    spread_ratio = _spread_ratio(r, f)
    ks_stat, ks_p, w = (np.empty(len(names)) for _ in range(3))
    for j in range(len(names)):
        a, b = finite(r[:, j]), finite(f[:, j])
        with warnings.catch_warnings():
            # scipy falls back to the asymptotic p-value when the exact one does not
            # converge (large samples with ties) and warns: the fallback is what we want.
            warnings.filterwarnings("ignore", "ks_2samp: Exact calculation", RuntimeWarning)
            result = stats.ks_2samp(a, b)
        ks_stat[j], ks_p[j] = result.statistic, result.pvalue
        w[j] = stats.wasserstein_distance(a, b)
    columns["ks_stat"], columns["ks_p"], columns["wasserstein"] = ks_stat, ks_p, w
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["wasserstein_std"] = w / sd_r
    raw = np.concatenate([columns["location_p"], columns["dispersion_p"], ks_p])
    adjusted = stats.false_discovery_control(raw, method="bh").reshape(3, -1)
    for name, values in zip(("location", "dispersion", "ks"), adjusted, strict=True):
        columns[f"{name}_p_adj"] = values
    significant = adjusted < alpha
    columns["different"] = significant.any(axis=0)
    table = pd.DataFrame(columns, index=pd.Index(names, name="feature"))
    table["verdict"] = [
        _verdict(*significant[:, j], columns["smd"][j], spread_ratio[j]) for j in range(len(names))
    ]
    return table


def _effect_intervals(
    smd: np.ndarray, sd_ratio: np.ndarray, n_r: np.ndarray, n_f: np.ndarray
) -> dict[str, np.ndarray]:
    """95% confidence intervals of the SMD and of the SD ratio, per feature.

    SMD: the large-sample normal interval with the standard error
    sqrt((n_r + n_f) / (n_r n_f) + d² / (2 (n_r + n_f))) (Hedges & Olkin 1985, eq. 5.15).
    SD ratio: the square root of the F interval of the variance ratio,
    [R / F(0.975; n_f − 1, n_r − 1), R / F(0.025; n_f − 1, n_r − 1)] for R = ratio²;
    exact for normal data, too narrow for heavy-tailed measurements (the
    Brown–Forsythe test of the table does not assume normality).
    """
    n_r = n_r.astype(float)
    n_f = n_f.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt((n_r + n_f) / (n_r * n_f) + smd**2 / (2 * (n_r + n_f)))
        z = stats.norm.ppf(0.975)
        df_f, df_r = np.maximum(n_f - 1, 1), np.maximum(n_r - 1, 1)
        variance_ratio = sd_ratio**2
        low = np.sqrt(variance_ratio / stats.f.ppf(0.975, df_f, df_r))
        high = np.sqrt(variance_ratio / stats.f.ppf(0.025, df_f, df_r))
    few = (n_r < 2) | (n_f < 2)
    out = {
        "smd_ci_low": smd - z * se,
        "smd_ci_high": smd + z * se,
        "sd_ratio_ci_low": low,
        "sd_ratio_ci_high": high,
    }
    for values in out.values():
        values[few] = np.nan
    return out


def _verdict(location: bool, dispersion: bool, shape: bool, smd: float, spread: float) -> str:
    words = []
    if location:
        words.append("fake higher" if smd > 0 else "fake lower")
    if dispersion:
        words.append("fake more spread" if spread > 1 else "fake less spread")
    if shape and not words:
        words.append("shape differs")
    return ", ".join(words) or "similar"


def _degenerate_levene(r: np.ndarray, f: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Brown–Forsythe p-values where scipy's are undefined (no within-group spread of the
    absolute deviations): 0 when the groups' mean deviations differ, else 1."""
    undefined = ~np.isfinite(p)
    if not undefined.any():
        return p
    d_r = np.abs(r - np.nanmedian(r, axis=0))
    d_f = np.abs(f - np.nanmedian(f, axis=0))
    differ = ~np.isclose(np.nanmean(d_r, axis=0), np.nanmean(d_f, axis=0), rtol=0, atol=0)
    return np.where(undefined, np.where(differ, 0.0, 1.0), p)
