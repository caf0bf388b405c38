"""Compare generated ECGs with real ones: per-feature tests, distances, memorisation."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from ._html import check_target, document, esc, html_table, png_tag
from .io._files import atomic_write

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Comparison", "compare"]

#: Numeric columns of :func:`ecgtoolkit.measure` that count things rather than
#: describe the ECG; left out when ``features=None``.
BOOKKEEPING_COLUMNS: frozenset[str] = frozenset({"n_beats"})

#: What each whole-set distance means, for the reports.
_DISTANCE_MEANING = {
    "mmd2": "maximum mean discrepancy² between the median beats (0 = same distribution)",
    "mmd_p": "permutation p-value of the MMD (small: the beats differ)",
    "frechet": "Fréchet distance between Gaussians fitted to the standardised measurements",
    "c2st_auc": "classifier two-sample test: AUC telling the groups apart (0.5 = cannot)",
    "c2st_ci_low": "its 95% confidence interval, lower end (DeLong)",
    "c2st_ci_high": "its 95% confidence interval, upper end",
    "memorised_share": "share of fakes sitting on one real record as tightly as possible copies",
    "memorisation_threshold": "nearest/second-nearest distance ratio below which a fake is flagged",
    "n_real": "real records compared",
    "n_fake": "generated records compared",
}
_MIN_RECORDS = 5  # per group, for every test and for 5-fold cross-validation
_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
_QUANTILE_NAMES = ("q05", "q25", "median", "q75", "q95")
_N_FOLDS = 5
_C2ST_C = 1.0  # inverse L2 strength of the classifier (scikit-learn's default)
_BEAT_NAN_SHARE = 0.05  # beat samples missing in more of the records are left out
_MMD_MAX_PER_GROUP = 2000  # the kernel matrix grows with the square of the records
_LOW_SD_RATIO = 0.67  # below: "too little diversity" in the summary
_COLOURS = ("#0072B2", "#E69F00")  # Okabe–Ito blue and orange: safe for colour blindness
_DIFFERENT_COLOUR = "#C00000"
_PANEL_IN = (3.2, 2.4)  # width, height of one histogram panel with its title (inches)
_LEGEND_IN = 0.4  # height of the legend strip above the panels (inches)

_REFERENCES = (
    (
        "Welch BL (1947) The generalization of 'Student's' problem when several different "
        "population variances are involved. Biometrika 34:28–35.",
        "10.1093/biomet/34.1-2.28",
    ),
    (
        "Brown MB, Forsythe AB (1974) Robust tests for the equality of variances. "
        "J Am Stat Assoc 69:364–367.",
        "10.1080/01621459.1974.10482955",
    ),
    (
        "Massey FJ (1951) The Kolmogorov–Smirnov test for goodness of fit. "
        "J Am Stat Assoc 46:68–78.",
        "10.1080/01621459.1951.10500769",
    ),
    (
        "Benjamini Y, Hochberg Y (1995) Controlling the false discovery rate. "
        "J R Stat Soc B 57:289–300.",
        "10.1111/j.2517-6161.1995.tb02031.x",
    ),
    (
        "Gretton A, Borgwardt KM, Rasch MJ, Schölkopf B, Smola A (2012) A kernel "
        "two-sample test. J Mach Learn Res 13:723–773.",
        None,
    ),
    (
        "Dowson DC, Landau BV (1982) The Fréchet distance between multivariate normal "
        "distributions. J Multivar Anal 12:450–455.",
        "10.1016/0047-259X(82)90077-X",
    ),
    (
        "Lopez-Paz D, Oquab M (2017) Revisiting classifier two-sample tests. ICLR, "
        "arXiv:1610.06545.",
        None,
    ),
    (
        "DeLong ER, DeLong DM, Clarke-Pearson DL (1988) Comparing the areas under two or "
        "more correlated receiver operating characteristic curves. Biometrics 44:837–845.",
        "10.2307/2531595",
    ),
    (
        "Thambawita V, Isaksen JL, Hicks SA, et al. (2021) DeepFake electrocardiograms "
        "using generative adversarial networks are the beginning of the end for privacy "
        "issues in medicine. Sci Rep 11:21896.",
        "10.1038/s41598-021-01295-2",
    ),
)


@dataclass(frozen=True, repr=False, eq=False)
class Comparison:
    """How a set of generated ("fake") ECGs differs from real ones.

    Made by :func:`compare`; see there for the methods.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature (index ``feature``): group sizes, descriptive statistics of
        each group, effect sizes, raw and Benjamini–Hochberg adjusted p-values,
        ``different`` and a short ``verdict``.
    distances : pandas.Series
        Whole-set distances: ``mmd2``, ``mmd_p``, ``frechet``, ``c2st_auc``,
        ``c2st_ci_low``, ``c2st_ci_high``, ``memorised_share``,
        ``memorisation_threshold``, ``n_real``, ``n_fake``.
    memorisation : pandas.DataFrame
        One row per compared fake record (the fake table's index): ``nn_distance``,
        ``nn_ratio``, ``nn_real``, ``flag``. ``attrs`` holds ``threshold`` (on the
        ratio), ``share_flagged``,
        ``quantile`` and ``space`` (what the distance was measured on).
    qt_rr : pandas.DataFrame
        Ordinary least squares of ``qt_ms`` on ``rr_mean_ms`` per group (index
        ``real``, ``fake``); ``attrs["p_difference"]`` is the p-value for equal slopes.
    alpha : float
        Level at which adjusted p-values count as ``different``.
    labels : tuple of str
        Names of the two groups in text and plots.
    notes : tuple of str
        What was left out or could not be computed, and why.
    real_data, fake_data : pandas.DataFrame
        The compared records (``status == "ok"``), numeric columns used.
    """

    table: pd.DataFrame
    distances: pd.Series
    memorisation: pd.DataFrame
    qt_rr: pd.DataFrame
    alpha: float
    labels: tuple[str, str]
    notes: tuple[str, ...] = ()
    real_data: pd.DataFrame = field(default_factory=pd.DataFrame)
    fake_data: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        d = self.distances
        n_diff = int(self.table["different"].sum())
        return (
            f"<Comparison | {self.labels[0]} {int(d['n_real'])} vs {self.labels[1]} "
            f"{int(d['n_fake'])} records | {n_diff} of {len(self.table)} features differ "
            f"(α={self.alpha:g}) | C2ST AUC {d['c2st_auc']:.2f} | MMD p {_fmt_p(d['mmd_p'])}>"
        )

    def summary(self) -> str:
        """A short plain-text account of the comparison.

        Returns
        -------
        str
            One paragraph: features that differ, the largest standardised mean
            differences, features with too little diversity (SD ratio < 0.67), the
            classifier AUC with its 95% CI, the MMD p-value, the memorised share and the
            QT–RR slopes.
        """
        real, fake = self.labels
        t, d = self.table, self.distances
        n_diff = int(t["different"].sum())
        parts = [
            f"Compared {int(d['n_real'])} {real} and {int(d['n_fake'])} {fake} records "
            f"on {len(t)} features: {n_diff} {'differs' if n_diff == 1 else 'differ'} "
            f"(Benjamini–Hochberg adjusted p < "
            f"{self.alpha:g} for location, dispersion or shape)."
        ]
        shifted = t["location_p_adj"] < self.alpha
        if shifted.any():
            top = t.loc[shifted, "smd"].abs().sort_values(ascending=False).index[:3]
            listed = ", ".join(f"{name} {t.at[name, 'smd']:+.2f}" for name in top)
            parts.append(f"Largest standardised mean differences ({fake} − {real}): {listed}.")
        narrow = t[(t["sd_ratio"] < _LOW_SD_RATIO) & t["different"]]
        if len(narrow):
            ratios = narrow["sd_ratio"].sort_values()
            listed = ", ".join(f"{name} ({ratio:.2f})" for name, ratio in ratios.head(6).items())
            if len(ratios) > 6:
                listed += f" and {len(ratios) - 6} more"
            parts.append(
                f"Too little diversity (SD ratio < {_LOW_SD_RATIO}) in {len(ratios)} "
                f"measurements: {listed}."
            )
        if np.isfinite(d["c2st_auc"]):
            parts.append(
                f"A classifier tells {fake} from {real} with AUC {d['c2st_auc']:.2f} "
                f"(95% CI {d['c2st_ci_low']:.2f}–{d['c2st_ci_high']:.2f}; 0.5 = "
                "indistinguishable)."
            )
        if np.isfinite(d["mmd_p"]):
            parts.append(f"Median beats: MMD² = {d['mmd2']:.3g}, permutation p = {d['mmd_p']:.3g}.")
        space = self.memorisation.attrs.get("space", "")
        expected = 100 * self.memorisation.attrs.get("quantile", np.nan)
        parts.append(
            f"{100 * d['memorised_share']:.1f}% of {fake} records sit as tightly on one "
            f"{real} record (nearest over second-nearest distance) as the tightest "
            f"{expected:g}% of {real} records do among themselves ({space}; about "
            f"{expected:g}% by chance, more suggests copied records)."
        )
        q = self.qt_rr
        if np.isfinite(q["slope"]).all():
            parts.append(
                f"QT–RR slope: {real} {q.at['real', 'slope']:.3f}, {fake} "
                f"{q.at['fake', 'slope']:.3f} (p for equal slopes "
                f"{_fmt_p(q.attrs.get('p_difference', np.nan))})."
            )
        return " ".join(parts)

    def plot(
        self, features: Sequence[str] | None = None, ncols: int = 4, fig: Figure | None = None
    ) -> Figure:
        """Histograms of each feature, real against fake.

        Parameters
        ----------
        features : sequence of str, optional
            Features to show, in this order (default: every row of :attr:`table`).
        ncols : int
            Panels per row.
        fig : matplotlib.figure.Figure, optional
            Figure to draw into (cleared first); a new one is made by default.

        Returns
        -------
        matplotlib.figure.Figure
            One axes per feature, both groups as densities on shared bins. Titles name
            the feature and its unit; features that differ have a red title with the
            standardised mean difference (SMD) and SD ratio.

        Raises
        ------
        ValueError
            For features that were not compared, or ``ncols < 1``.
        """
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch

        names = list(self.table.index) if features is None else list(features)
        unknown = [name for name in names if name not in self.table.index]
        if unknown:
            raise ValueError(
                f"features {unknown} were not compared; choose from Comparison.table.index"
            )
        if not names:
            raise ValueError("no features to plot")
        if int(ncols) < 1:
            raise ValueError(f"ncols must be at least 1, got {ncols}")
        ncols = min(int(ncols), len(names))
        nrows = -(-len(names) // ncols)
        if fig is None:
            fig = Figure(figsize=(_PANEL_IN[0] * ncols, _PANEL_IN[1] * nrows + _LEGEND_IN))
        else:
            fig.clear()
        # Fixed margins in inches: a layout engine costs seconds for a hundred panels.
        width, height = fig.get_size_inches()
        fig.subplots_adjust(
            left=0.15 / width,
            right=1 - 0.15 / width,
            bottom=0.35 / height,
            top=1 - (_LEGEND_IN + 0.45) / height,
            wspace=0.12,
            hspace=0.8 / (_PANEL_IN[1] - 0.8),
        )
        for i, name in enumerate(names):
            ax = fig.add_subplot(nrows, ncols, i + 1)
            real = _finite(_values(self.real_data[name]))
            fake = _finite(_values(self.fake_data[name]))
            edges = _bin_edges(np.concatenate([real, fake]))
            for values, colour in zip((real, fake), _COLOURS, strict=True):
                density, _ = np.histogram(values, bins=edges, density=True)
                ax.stairs(density, edges, fill=True, color=colour, alpha=0.4)
                ax.stairs(density, edges, color=colour, lw=1.2)
            row = self.table.loc[name]
            unit = _unit(name)
            title = f"{name} ({unit})" if unit else name
            if row["different"]:
                title += f"\nSMD {row['smd']:+.2f}, SD ratio {row['sd_ratio']:.2f}"
                ax.set_title(title, fontsize=9, color=_DIFFERENT_COLOUR, weight="bold")
            else:
                ax.set_title(title, fontsize=9)
            ax.tick_params(labelsize=7)
            ax.set_yticks([])
        handles = [
            Patch(color=c, alpha=0.6, label=lab)
            for c, lab in zip(_COLOURS, self.labels, strict=True)
        ]
        fig.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 1 - 0.05 / height),
            ncols=2,
            frameon=False,
        )
        return fig

    def to_html(
        self,
        path: str | os.PathLike | None = None,
        *,
        overwrite: bool = False,
        fragment: bool = False,
    ) -> str:
        """A self-contained HTML report: summary, distances, figures, table, methods.

        Parameters
        ----------
        path : str or path-like, optional
            Also write the report there (UTF-8). The file is written to a temporary
            file in the same folder and then renamed, so a reader never sees half a
            report.
        overwrite : bool
            Replace an existing file at ``path``.
        fragment : bool
            Return the report's body only (from an ``<h2>`` heading on), to embed it in
            a larger report.

        Returns
        -------
        str
            The HTML document (or fragment); figures are embedded as base64 PNG.

        Raises
        ------
        FileExistsError
            When ``path`` exists and ``overwrite`` is False.
        """
        if path is not None:
            path = check_target(path, overwrite)
        real, fake = self.labels
        figures = [png_tag(self.plot(), f"Histograms of every feature, {real} and {fake}")]
        if np.isfinite(self.qt_rr["slope"]).all():
            figures.append(png_tag(self._plot_qt_rr(), "QT against RR"))
        body = [
            f"<h2>{esc(fake)} compared with {esc(real)}</h2>",
            f"<p>{esc(self.summary())}</p>",
            "<h3>Distances between the sets</h3>",
            html_table(
                pd.DataFrame(
                    {
                        "value": self.distances,
                        "meaning": [_DISTANCE_MEANING.get(k, "") for k in self.distances.index],
                    }
                )
            ),
            "<h3>Features</h3>",
            *figures,
            html_table(self.table, highlight=self.table["different"].to_numpy()),
            "<h3>QT–RR rate adaptation</h3>",
            html_table(self.qt_rr),
            f"<p>p for equal slopes: {_fmt_p(self.qt_rr.attrs.get('p_difference', np.nan))}</p>",
            "<h3>Possible memorisation: the fakes sitting closest on one real record</h3>",
            html_table(self.memorisation.sort_values("nn_ratio").head(10)),
        ]
        if self.notes:
            body += ["<h3>Notes</h3><ul>", *(f"<li>{esc(n)}</li>" for n in self.notes), "</ul>"]
        body += ["<h3>Methods</h3>", f"<p>{esc(_methods_text(self))}</p>", _references_html()]
        if fragment:
            return "".join(body)
        body[0] = f"<h1>{esc(fake)} compared with {esc(real)}</h1>"
        document_text = document(f"{fake} vs {real}", "".join(body))
        if path is not None:
            atomic_write(path, document_text, overwrite=overwrite)
        return document_text

    def _repr_html_(self) -> str:
        columns = [
            "n_real",
            "n_fake",
            "mean_real",
            "mean_fake",
            "smd",
            "sd_ratio",
            "location_p_adj",
            "dispersion_p_adj",
            "ks_p_adj",
            "verdict",
        ]
        return (
            f"<div><p>{esc(self.summary())}</p>"
            f"{html_table(self.table[columns], highlight=self.table['different'].to_numpy())}"
            "</div>"
        )

    def _plot_qt_rr(self) -> Figure:
        from .plot import plot_qt_rr

        return plot_qt_rr([self.real_data, self.fake_data], labels=list(self.labels))


def compare(
    real: Any,
    fake: Any,
    *,
    features: Sequence[str] | None = None,
    real_beats: np.ndarray | None = None,
    fake_beats: np.ndarray | None = None,
    alpha: float = 0.05,
    n_permutations: int = 500,
    seed: int = 0,
    labels: tuple[str, str] = ("real", "fake"),
    memorisation_quantile: float = 0.01,
) -> Comparison:
    """Show how realistic a set of generated ECGs is, and where it differs from real ones.

    Parameters
    ----------
    real, fake : pandas.DataFrame, ECG, tuple, str or Reference
        Each group as measurements, one row per record, as :func:`ecgtoolkit.measure`
        returns them; or an ECG batch, which is measured here (``physiology=True``,
        with median beats); or a ``(measurements, beats)`` tuple from
        ``measure(..., return_beats=True)``; or the name of an embedded reference group
        of real ECGs measured with the same ruler (``"normal-adults"``, see
        :mod:`ecgtoolkit.reference`) or the :class:`~ecgtoolkit.reference.Reference`
        itself, with its median beats. Only rows with ``status == "ok"`` are compared
        (all rows when there is no ``status`` column); NaNs are left out feature by
        feature.
    features : sequence of str, optional
        Columns to compare. By default every numeric column the two tables share that
        has at least 5 finite values in each group and some spread in at least one
        group, except bookkeeping columns (:data:`BOOKKEEPING_COLUMNS`: ``n_beats``).
    real_beats, fake_beats : numpy.ndarray, optional
        Median beats ``(n_records, n_leads, n_times)`` in mV aligned on the R peak, one
        per row of ``real`` and ``fake`` (same order). Rows that are not compared may
        hold NaN. Give both or neither.
    alpha : float
        False discovery rate at which a feature counts as ``different``.
    n_permutations : int
        Label permutations for the MMD p-value.
    seed : int
        Seed of every random choice (classifier subsample and folds, permutations).
    labels : tuple of str
        Names of the two groups in the summary, plots and HTML (the column names of
        :attr:`Comparison.table` stay ``*_real`` and ``*_fake``).
    memorisation_quantile : float
        A fake record is flagged when its nearest real record is at most this quantile
        of the real records' distances to their own nearest other real record.

    Returns
    -------
    Comparison
        ``table`` (per feature), ``distances`` (whole sets), ``memorisation`` (per fake
        record), ``qt_rr`` (rate adaptation), with ``summary()``, ``plot()`` and
        ``to_html()``.

    Raises
    ------
    TypeError
        When the tables are not DataFrames or the beats are not arrays.
    ValueError
        For fewer than 5 compared records in a group, no feature to compare, unknown
        or non-numeric features, beats that do not match their table, or parameters
        out of range.

    Notes
    -----
    **Per feature** (``table``). ``smd`` is the standardised mean difference (Cohen's
    d), (mean_fake − mean_real) / pooled SD with the pooled SD
    √(((n_r − 1)·sd_r² + (n_f − 1)·sd_f²) / (n_r + n_f − 2)); ``sd_ratio`` is
    sd_fake / sd_real. Three tests, each on the finite values of both groups:

    * ``location_p``: Welch's unequal-variance t-test (Welch 1947) of the means. It
      tests the quantity that ``smd`` estimates and stays valid when the spreads differ,
      whereas the Mann–Whitney test would also react to a difference in spread alone.
    * ``dispersion_p``: Brown–Forsythe test (Levene's test around the medians, as
      ``scipy.stats.levene(center="median")``), robust to skewed features.
    * ``ks_p``: two-sample Kolmogorov–Smirnov test (any difference in shape; exact
      p-value up to 10 000 records per group, asymptotic beyond or where the exact one
      does not converge). ``ks_stat`` is the
      largest distance between the two empirical distribution functions.

    ``wasserstein`` is the earth mover's distance between the two samples in the
    feature's unit, ``wasserstein_std`` the same divided by the real SD (``sd_ratio``
    and ``wasserstein_std`` are inf where the real SD is 0). The
    ``*_p_adj`` columns are all 3 × n_features p-values of the table adjusted together
    for the false discovery rate (Benjamini & Hochberg 1995,
    ``scipy.stats.false_discovery_control``); ``different`` is any adjusted p below
    ``alpha``. ``verdict`` names what differs: "fake higher"/"fake lower" (location),
    "fake more spread"/"fake less spread" (dispersion), "shape differs" (only the KS
    test), else "similar". Axes (degrees) are compared as linear quantities, which is
    adequate away from ±180°.

    **Whole sets** (``distances``). For the multivariate measures, each feature is
    standardised with the real group's mean and SD (the pooled SD where the real SD is
    0) and a missing value is replaced by the real group's median, so that no record
    is lost to one missing feature; fakes that miss values where real records do not
    therefore become easier to tell apart, which is intended.

    * ``frechet``: Fréchet distance between Gaussians fitted to the standardised
      features, ‖μ_r − μ_f‖² + tr(Σ_r + Σ_f − 2(Σ_r Σ_f)^½) (Dowson & Landau 1982; the
      FID of Heusel et al. 2017 on ECG features). tr((Σ_r Σ_f)^½) is computed from the
      eigenvalues of the symmetric Σ_r^½ Σ_f Σ_r^½, which has the same trace root and
      stays real and warning-free for singular covariances. It is biased upwards in
      small samples: compare values at equal group sizes.
    * ``c2st_auc``: classifier two-sample test (Lopez-Paz & Oquab 2017). The larger
      group is subsampled to the size of the smaller (``seed``), an L2 logistic
      regression (C = 1) on the standardised features and their squares is fitted in
      stratified 5-fold cross-validation, and the out-of-fold scores give the AUC with
      DeLong's 95% confidence interval (DeLong et al. 1988; fast form, Sun & Xu 2014,
      doi:10.1109/LSP.2014.2337313). The squares let a linear model see differences in
      spread (a generator's mode collapse) as well as in location; a linear model is
      chosen over gradient boosting because it is stable with a few hundred records,
      fast, and its AUC stays near 0.5 when the groups do not differ. 0.5 means
      indistinguishable, 1 perfectly separable. The CI treats the out-of-fold scores as
      those of one fixed classifier and so leaves out the variation of the fitted
      models: it is somewhat too narrow (with 150 against 150 records of one
      population it contained 0.5 in about 85% of simulated data sets, not 95%). Read
      the AUC as an effect size; the per-feature tests and the MMD are the formal tests.
    * ``mmd2``, ``mmd_p``: unbiased squared maximum mean discrepancy (Gretton et al.
      2012, J Mach Learn Res 13:723) between the median beats, flattened, in mV, with
      a Gaussian kernel exp(−‖x − y‖² / (2σ²)) whose σ is the median distance between
      all pooled beats (median heuristic). Lead–time samples missing in more than 5% of
      the compared records (an unusable lead, a short beat) are left out for all; then
      records still missing a sample are left out. At most 2000
      records per group are used (random subsample). The p-value is
      (1 + #{permuted MMD² ≥ observed}) / (1 + n_permutations). NaN without beats.

    **Memorisation.** For every fake record, the distance to its nearest real record
    (``nn_distance``): Euclidean on the flattened median beats (mV) when beats are
    given, else on the standardised features; and the nearest-neighbour distance ratio
    ``nn_ratio``, nearest over second-nearest real record (Zhao et al. 2021, CTAB-GAN,
    arXiv:2102.08369). ``flag`` is True when the ratio is at most the
    ``memorisation_quantile`` quantile of the real records' own leave-one-out ratios: the
    fake sits on one real record much more tightly than real records sit on each other,
    a sign of a copied training record, a privacy risk for generated ECGs (Thambawita et
    al. 2021). The ratio, unlike the distance itself, does not flag fakes for being
    merely typical or less diverse (a generator whose beats are smaller or closer to the
    average lies close to many real records, not to one). With independent draws about
    ``memorisation_quantile`` of the fakes are flagged by chance.

    **QT–RR** (``qt_rr``). Ordinary least squares of ``qt_ms`` on ``rr_mean_ms`` across
    records in each group, as in Figure 3 of Thambawita et al. (2021): ``slope`` (ms of
    QT per ms of RR) with its t-based 95% CI, ``intercept_ms``, Pearson ``r``, ``n``.
    ``attrs["p_difference"]`` is the two-sided t-test of the group × RR interaction in
    one OLS of both groups with a group dummy (equal slopes).

    References
    ----------
    Welch BL (1947) Biometrika 34:28, doi:10.1093/biomet/34.1-2.28.
    Brown MB, Forsythe AB (1974) J Am Stat Assoc 69:364, doi:10.1080/01621459.1974.10482955.
    Massey FJ (1951) J Am Stat Assoc 46:68, doi:10.1080/01621459.1951.10500769.
    Benjamini Y, Hochberg Y (1995) J R Stat Soc B 57:289, doi:10.1111/j.2517-6161.1995.tb02031.x.
    Gretton A et al. (2012) A kernel two-sample test. J Mach Learn Res 13:723.
    Dowson DC, Landau BV (1982) J Multivar Anal 12:450, doi:10.1016/0047-259X(82)90077-X.
    Heusel M et al. (2017) GANs trained by a two time-scale update rule. arXiv:1706.08500.
    Lopez-Paz D, Oquab M (2017) Revisiting classifier two-sample tests. ICLR, arXiv:1610.06545.
    DeLong ER et al. (1988) Biometrics 44:837, doi:10.2307/2531595.
    Thambawita V et al. (2021) Sci Rep 11:21896, doi:10.1038/s41598-021-01295-2.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from ecgtoolkit.compare import compare
    >>> rng = np.random.default_rng(0)
    >>> def table(n, qt_shift_ms=0.0):
    ...     rr = rng.normal(900, 120, n)
    ...     return pd.DataFrame({
    ...         "heart_rate": 60000 / rr,
    ...         "rr_mean_ms": rr,
    ...         "qrs_ms": rng.normal(95, 10, n),
    ...         "qt_ms": 250 + 0.16 * rr + rng.normal(0, 12, n) + qt_shift_ms,
    ...         "status": "ok",
    ...     })
    >>> result = compare(table(200), table(200, qt_shift_ms=25.0), labels=("PTB-XL", "GAN"))
    >>> result.table.loc["qt_ms", "verdict"]
    'fake higher'
    >>> result.table.loc["qrs_ms", "verdict"]
    'similar'
    >>> fig = result.plot()
    >>> len(fig.axes)
    4
    >>> html = result.to_html()  # or result.to_html("report.html")
    """
    real, real_beats = _resolve_group(real, real_beats, "real")
    fake, fake_beats = _resolve_group(fake, fake_beats, "fake")
    _check_parameters(real, fake, alpha, n_permutations, seed, labels, memorisation_quantile)
    real_ok, real_rows = _compared_rows(real, "real")
    fake_ok, fake_rows = _compared_rows(fake, "fake")
    names, notes = _choose_features(real_ok, fake_ok, features)
    beats = _check_beats(real_beats, fake_beats, real, fake, real_rows, fake_rows)

    r = _as_float(real_ok, names)
    f = _as_float(fake_ok, names)
    table = _feature_table(r, f, names, alpha)

    z_real, z_fake, n_imputed = _standardise(r, f)
    if n_imputed.any():
        notes.append(
            "missing values replaced by the real median for the multivariate measures: "
            f"{int(n_imputed[0])} in {labels[0]}, {int(n_imputed[1])} in {labels[1]}"
        )
    seeds = np.random.SeedSequence(seed).spawn(2)
    auc, auc_low, auc_high = _c2st(z_real, z_fake, np.random.default_rng(seeds[0]))

    if beats is None:
        mmd2 = mmd_p = np.nan
        notes.append("no median beats given: MMD not computed, memorisation on features")
        space, ref, query = "standardised features", z_real, z_fake
        real_index, fake_index = real_ok.index, fake_ok.index
    else:
        ref, query, real_keep, fake_keep, beat_notes = beats
        notes.extend(beat_notes)
        mmd2, mmd_p = _mmd(ref, query, n_permutations, np.random.default_rng(seeds[1]))
        space = "median beats, mV"
        real_index, fake_index = real.index[real_keep], fake.index[fake_keep]
    memorisation = _memorisation(ref, query, real_index, fake_index, memorisation_quantile)
    memorisation.attrs["space"] = space

    qt_rr, qt_note = _qt_rr(real_ok, fake_ok)
    if qt_note:
        notes.append(qt_note)

    distances = pd.Series(
        {
            "mmd2": mmd2,
            "mmd_p": mmd_p,
            "frechet": _frechet(z_real, z_fake),
            "c2st_auc": auc,
            "c2st_ci_low": auc_low,
            "c2st_ci_high": auc_high,
            "memorised_share": memorisation.attrs["share_flagged"],
            "memorisation_threshold": memorisation.attrs["threshold"],
            "n_real": float(len(real_ok)),
            "n_fake": float(len(fake_ok)),
        },
        name="value",
    )
    extra = [
        c
        for c in ("rr_mean_ms", "qt_ms")
        if c not in names
        and all(c in t.columns and _is_measure_column(t[c]) for t in (real_ok, fake_ok))
    ]
    return Comparison(
        table=table,
        distances=distances,
        memorisation=memorisation,
        qt_rr=qt_rr,
        alpha=float(alpha),
        labels=(str(labels[0]), str(labels[1])),
        notes=tuple(notes),
        real_data=_as_frame(real_ok, names + extra),
        fake_data=_as_frame(fake_ok, names + extra),
    )


# --- input checks -----------------------------------------------------------------------


def _resolve_group(group: Any, beats: np.ndarray | None, name: str):
    """A group given as a table, ECG batch, (table, beats) or reference -> (table, beats)."""
    from .ecg import ECG
    from .reference import Reference, load_reference

    if isinstance(group, str):
        group = load_reference(group)
    if isinstance(group, Reference):
        return group.table, group.beats if beats is None else beats
    if isinstance(group, ECG):
        if not group.is_batch:
            raise ValueError(
                f"{name} is a single ECG record; compare needs a group (an ECG batch, at "
                "least 5 records)"
            )
        from .measurement import measure

        table, measured_beats = measure(group, physiology=True, return_beats=True)
        return table, measured_beats if beats is None else beats
    if isinstance(group, tuple) and len(group) == 2 and isinstance(group[0], pd.DataFrame):
        if beats is not None:
            raise ValueError(f"{name} brings its own beats: do not pass {name}_beats as well")
        return group[0], group[1]
    return group, beats


def _check_parameters(real, fake, alpha, n_permutations, seed, labels, quantile) -> None:
    for name, table in (("real", real), ("fake", fake)):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(
                f"{name} must be a pandas DataFrame of measurements (ecgtoolkit.measure on "
                f"a batch), got {type(table).__name__}"
            )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, int | np.integer):
        raise TypeError(f"n_permutations must be an integer, got {n_permutations!r}")
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be at least 1, got {n_permutations}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if (
        not isinstance(labels, tuple | list)
        or len(labels) != 2
        or not all(isinstance(x, str) and x for x in labels)
        or labels[0] == labels[1]
    ):
        raise ValueError(f"labels must be two different non-empty strings, got {labels!r}")
    if not 0 < quantile < 1:
        raise ValueError(f"memorisation_quantile must lie between 0 and 1, got {quantile}")


def _compared_rows(table: pd.DataFrame, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows with status "ok" (all rows without a status column) and their mask."""
    if "status" in table.columns:
        rows = (table["status"] == "ok").to_numpy(bool)
    else:
        rows = np.ones(len(table), bool)
    if rows.sum() < _MIN_RECORDS:
        raise ValueError(
            f"{name} has {int(rows.sum())} records with status 'ok'; compare needs at least "
            f"{_MIN_RECORDS} per group (measure more records)"
        )
    return table.loc[rows], rows


def _is_measure_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _choose_features(
    real: pd.DataFrame, fake: pd.DataFrame, features: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    notes: list[str] = []
    if features is None:
        shared = [
            c
            for c in real.columns
            if c in fake.columns
            and c not in BOOKKEEPING_COLUMNS
            and _is_measure_column(real[c])
            and _is_measure_column(fake[c])
        ]
        names = [c for c in shared if _usable(real[c], fake[c]) is None]
        left_out = [c for c in shared if c not in names]
        if left_out:
            notes.append(
                f"left out {len(left_out)} numeric columns with fewer than {_MIN_RECORDS} "
                f"values in a group or no spread in either: {', '.join(map(str, left_out))}"
            )
        if not names:
            raise ValueError(
                "no numeric column shared by both tables has at least "
                f"{_MIN_RECORDS} finite values in each group and some spread; check that "
                "both come from ecgtoolkit.measure, or pass features= explicitly"
            )
        return names, notes
    if isinstance(features, str) or not isinstance(features, Sequence):
        raise TypeError(f"features must be a sequence of column names, got {features!r}")
    names = list(features)
    if not names:
        raise ValueError("features is empty; pass None to compare every shared feature")
    if len(set(names)) != len(names):
        raise ValueError(f"features lists a column twice: {names}")
    for table, which in ((real, "real"), (fake, "fake")):
        missing = [c for c in names if c not in table.columns]
        if missing:
            raise ValueError(f"features {missing} are not columns of {which}")
        text = [c for c in names if not _is_measure_column(table[c])]
        if text:
            raise ValueError(f"features {text} are not numeric in {which}")
    problems = [f"{c} ({why})" for c in names if (why := _usable(real[c], fake[c])) is not None]
    if problems:
        raise ValueError(f"cannot compare {'; '.join(problems)}; leave them out of features")
    return names, notes


def _usable(real: pd.Series, fake: pd.Series) -> str | None:
    """Why a feature cannot be compared, or None."""
    r, f = _finite(_values(real)), _finite(_values(fake))
    if r.size < _MIN_RECORDS or f.size < _MIN_RECORDS:
        return f"{r.size} real and {f.size} fake finite values, need {_MIN_RECORDS} each"
    if np.ptp(r) == 0 and np.ptp(f) == 0:
        return "constant in both groups"
    return None


def _check_beats(real_beats, fake_beats, real, fake, real_rows, fake_rows):
    """Flattened beats of the compared records, the row masks used, and notes."""
    if real_beats is None and fake_beats is None:
        return None
    if real_beats is None or fake_beats is None:
        raise ValueError("give both real_beats and fake_beats, or neither")
    arrays = []
    for name, beats, table in (("real", real_beats, real), ("fake", fake_beats, fake)):
        if not isinstance(beats, np.ndarray):
            raise TypeError(f"{name}_beats must be a numpy array, got {type(beats).__name__}")
        if beats.ndim != 3:
            raise ValueError(
                f"{name}_beats has shape {beats.shape}, expected (n_records, n_leads, n_times) "
                "with one median beat per row of the table"
            )
        if beats.shape[0] != len(table):
            raise ValueError(
                f"{name}_beats holds {beats.shape[0]} beats but {name} has {len(table)} rows; "
                "give one median beat per row, in the same order"
            )
        if not np.issubdtype(beats.dtype, np.number):
            raise TypeError(f"{name}_beats must be numeric (mV), got dtype {beats.dtype}")
        arrays.append(beats)
    if arrays[0].shape[1:] != arrays[1].shape[1:]:
        raise ValueError(
            f"real_beats has {arrays[0].shape[1]} leads × {arrays[0].shape[2]} samples but "
            f"fake_beats {arrays[1].shape[1]} × {arrays[1].shape[2]}; give beats with the same "
            "leads and times"
        )
    flat = [a.reshape(len(a), -1).astype(float) for a in arrays]
    rows = [real_rows.copy(), fake_rows.copy()]
    # A lead-time sample missing in more than a few records (an unusable lead, a short
    # beat) is dropped for everyone; then the records that still miss one are dropped.
    finite = np.vstack([x[r] for x, r in zip(flat, rows, strict=True)])
    finite = np.isfinite(finite)
    columns = finite.mean(axis=0) >= 1 - _BEAT_NAN_SHARE
    if not columns.any():
        raise ValueError(
            "every lead-time sample of the beats is NaN in more than "
            f"{100 * _BEAT_NAN_SHARE:g}% of the compared records; check the beats"
        )
    notes = []
    if not columns.all():
        notes.append(
            f"{int((~columns).sum())} of {columns.size} lead-time samples of the beats are NaN "
            f"in more than {100 * _BEAT_NAN_SHARE:g}% of the records: left out of the beat "
            "distances"
        )
    for i, name in enumerate(("real", "fake")):
        complete = np.isfinite(flat[i][:, columns]).all(axis=1)
        keep = rows[i] & complete
        if keep.sum() < _MIN_RECORDS:
            raise ValueError(
                f"{name}_beats has {int(keep.sum())} complete beats among the compared records; "
                f"need at least {_MIN_RECORDS}"
            )
        if keep.sum() < rows[i].sum():
            notes.append(
                f"{int(rows[i].sum() - keep.sum())} {name} beats with missing samples left out "
                "of the beat distances and memorisation"
            )
        rows[i] = keep
    return flat[0][rows[0]][:, columns], flat[1][rows[1]][:, columns], rows[0], rows[1], notes


def _finite(x: np.ndarray) -> np.ndarray:
    return x[np.isfinite(x)]


def _values(column: pd.Series) -> np.ndarray:
    """Float values of a column, missing (NaN, pd.NA, ±inf) as NaN."""
    x = column.to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(x), x, np.nan)


def _as_float(table: pd.DataFrame, names: list[str]) -> np.ndarray:
    return np.column_stack([_values(table[name]) for name in names])


def _as_frame(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(_as_float(table, names), index=table.index, columns=names)


# --- per-feature statistics -------------------------------------------------------------


def _describe(x: np.ndarray, suffix: str) -> dict[str, np.ndarray]:
    out = {
        f"mean_{suffix}": np.nanmean(x, axis=0),
        f"sd_{suffix}": np.nanstd(x, axis=0, ddof=1),
    }
    quantiles = np.nanquantile(x, _QUANTILES, axis=0)
    for name, values in zip(_QUANTILE_NAMES, quantiles, strict=True):
        out[f"{name}_{suffix}"] = values
    return out


def _welch_p(r: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Two-sided Welch t-test p-value per column (NaNs ignored)."""
    n_r, n_f = np.sum(np.isfinite(r), axis=0), np.sum(np.isfinite(f), axis=0)
    v_r, v_f = np.nanvar(r, axis=0, ddof=1) / n_r, np.nanvar(f, axis=0, ddof=1) / n_f
    se2 = v_r + v_f
    t = (np.nanmean(f, axis=0) - np.nanmean(r, axis=0)) / np.sqrt(se2)
    df = se2**2 / (v_r**2 / (n_r - 1) + v_f**2 / (n_f - 1))  # Welch–Satterthwaite
    return 2 * stats.t.sf(np.abs(t), df)


def _brown_forsythe(r: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Brown–Forsythe p-value per column, and the ratio fake/real of mean |x − median|."""
    d_r = np.abs(r - np.nanmedian(r, axis=0))
    d_f = np.abs(f - np.nanmedian(f, axis=0))
    n_r, n_f = np.sum(np.isfinite(r), axis=0), np.sum(np.isfinite(f), axis=0)
    m_r, m_f = np.nanmean(d_r, axis=0), np.nanmean(d_f, axis=0)
    grand = (n_r * m_r + n_f * m_f) / (n_r + n_f)
    between = n_r * (m_r - grand) ** 2 + n_f * (m_f - grand) ** 2
    within = np.nansum((d_r - m_r) ** 2, axis=0) + np.nansum((d_f - m_f) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = (n_r + n_f - 2) * between / within
        ratio = m_f / m_r
    # No spread of the deviations within either group: any difference is certain.
    statistic = np.where(within > 0, statistic, np.where(between > 0, np.inf, 0.0))
    return stats.f.sf(statistic, 1, n_r + n_f - 2), ratio


def _feature_table(r: np.ndarray, f: np.ndarray, names: list[str], alpha: float) -> pd.DataFrame:
    n_r, n_f = np.sum(np.isfinite(r), axis=0), np.sum(np.isfinite(f), axis=0)
    columns: dict[str, np.ndarray] = {"n_real": n_r, "n_fake": n_f}
    columns |= _describe(r, "real") | _describe(f, "fake")
    sd_r, sd_f = columns["sd_real"], columns["sd_fake"]
    pooled = np.sqrt(((n_r - 1) * sd_r**2 + (n_f - 1) * sd_f**2) / (n_r + n_f - 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["smd"] = (columns["mean_fake"] - columns["mean_real"]) / pooled
        columns["sd_ratio"] = sd_f / sd_r
    columns["location_p"] = _welch_p(r, f)
    columns["dispersion_p"], spread_ratio = _brown_forsythe(r, f)
    ks_stat, ks_p, w = (np.empty(len(names)) for _ in range(3))
    for j in range(len(names)):
        a, b = _finite(r[:, j]), _finite(f[:, j])
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


def _verdict(location: bool, dispersion: bool, shape: bool, smd: float, spread: float) -> str:
    words = []
    if location:
        words.append("fake higher" if smd > 0 else "fake lower")
    if dispersion:
        words.append("fake more spread" if spread > 1 else "fake less spread")
    if shape and not words:
        words.append("shape differs")
    return ", ".join(words) or "similar"


# --- whole-set measures -----------------------------------------------------------------


def _standardise(r: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both groups in units of the real SD around the real mean, NaN → real median."""
    centre = np.nanmean(r, axis=0)
    scale = np.nanstd(r, axis=0, ddof=1)
    pooled = np.nanstd(np.vstack([r, f]), axis=0, ddof=1)
    scale = np.where(scale > 0, scale, pooled)
    median = np.nanmedian(r, axis=0)
    missing = np.array([np.isnan(r).sum(), np.isnan(f).sum()])
    r = np.where(np.isnan(r), median, r)
    f = np.where(np.isnan(f), median, f)
    return (r - centre) / scale, (f - centre) / scale, missing


def _frechet(z_real: np.ndarray, z_fake: np.ndarray) -> float:
    mean_gap = np.sum((z_real.mean(axis=0) - z_fake.mean(axis=0)) ** 2)
    cov_r = np.atleast_2d(np.cov(z_real, rowvar=False))
    cov_f = np.atleast_2d(np.cov(z_fake, rowvar=False))
    values, vectors = np.linalg.eigh(cov_r)
    root_r = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root_r @ cov_f @ root_r
    cross = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    return float(mean_gap + np.trace(cov_r) + np.trace(cov_f) - 2 * cross)


def _c2st(
    z_real: np.ndarray, z_fake: np.ndarray, rng: np.random.Generator
) -> tuple[float, float, float]:
    """Out-of-fold AUC of a classifier telling fake from real, with DeLong's 95% CI."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    n = min(len(z_real), len(z_fake))
    x = np.vstack(
        [
            z_real[np.sort(rng.choice(len(z_real), n, replace=False))],
            z_fake[np.sort(rng.choice(len(z_fake), n, replace=False))],
        ]
    )
    x = np.hstack([x, x**2])
    y = np.repeat([0, 1], n)
    scores = np.empty(2 * n)
    folds = StratifiedKFold(_N_FOLDS, shuffle=True, random_state=int(rng.integers(2**31)))
    for train, test in folds.split(x, y):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=_C2ST_C, max_iter=5000))
        model.fit(x[train], y[train])
        scores[test] = model.decision_function(x[test])
    return _delong(scores[y == 1], scores[y == 0])


def _delong(positive: np.ndarray, negative: np.ndarray) -> tuple[float, float, float]:
    """AUC with its 95% CI from DeLong's variance (midrank form of Sun & Xu 2014)."""
    m, n = positive.size, negative.size
    pooled = stats.rankdata(np.concatenate([positive, negative]))
    rank_pos, rank_neg = stats.rankdata(positive), stats.rankdata(negative)
    auc = (pooled[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (pooled[:m] - rank_pos) / n  # per positive: share of negatives below it
    v01 = 1 - (pooled[m:] - rank_neg) / m  # per negative: share of positives above it
    se = np.sqrt(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n)
    z = stats.norm.ppf(0.975)
    return float(auc), float(max(auc - z * se, 0.0)), float(min(auc + z * se, 1.0))


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d2 = np.sum(a**2, axis=1)[:, None] + np.sum(b**2, axis=1)[None, :] - 2 * a @ b.T
    return np.clip(d2, 0, None)


def _mmd(x: np.ndarray, y: np.ndarray, n_permutations: int, rng: np.random.Generator):
    """Unbiased MMD² with a median-heuristic Gaussian kernel and its permutation p-value."""
    if len(x) > _MMD_MAX_PER_GROUP:
        x = x[np.sort(rng.choice(len(x), _MMD_MAX_PER_GROUP, replace=False))]
    if len(y) > _MMD_MAX_PER_GROUP:
        y = y[np.sort(rng.choice(len(y), _MMD_MAX_PER_GROUP, replace=False))]
    z = np.vstack([x, y])
    m, n, total = len(x), len(y), len(x) + len(y)
    d2 = _squared_distances(z, z)
    np.fill_diagonal(d2, 0.0)
    pairs = d2[np.triu_indices(total, k=1)]
    positive = pairs[pairs > 0]
    if positive.size == 0:  # every beat identical
        return 0.0, 1.0
    bandwidth2 = np.median(pairs) if np.median(pairs) > 0 else np.median(positive)
    kernel = np.exp(-d2 / (2 * bandwidth2))
    row_sums = kernel.sum(axis=1)
    kernel_sum = row_sums.sum()

    def statistic(membership: np.ndarray) -> np.ndarray:
        # membership: (n_sets, total) with 1 for the records of the first group.
        s_xx = np.einsum("ij,ij->i", membership @ kernel, membership)
        s_x = membership @ row_sums
        s_yy = kernel_sum - 2 * s_x + s_xx
        s_xy = s_x - s_xx
        # The kernel's diagonal is 1: the i = j terms sum to m and n.
        return (s_xx - m) / (m * (m - 1)) + (s_yy - n) / (n * (n - 1)) - 2 * s_xy / (m * n)

    first = np.zeros(total)
    first[:m] = 1.0
    observed = float(statistic(first[None])[0])
    exceed = 0
    for start in range(0, n_permutations, 100):
        block = np.tile(first, (min(100, n_permutations - start), 1))
        exceed += int(np.sum(statistic(rng.permuted(block, axis=1)) >= observed))
    return observed, (1 + exceed) / (1 + n_permutations)


def _nearest(query: np.ndarray, ref: np.ndarray, exclude_self: bool) -> tuple[np.ndarray, ...]:
    """Euclidean distances from each query row to its nearest and second-nearest ref rows,
    and the nearest row's index.

    Candidates come from the fast ‖a‖² + ‖b‖² − 2a·b form; the distances to the four
    best are recomputed exactly so that a copy is at distance 0.
    """
    k = min(4, len(ref) - exclude_self)
    first = np.empty(len(query))
    second = np.empty(len(query))
    index = np.empty(len(query), int)
    chunk = max(1, 4_000_000 // max(len(ref), 1))
    for start in range(0, len(query), chunk):
        q = query[start : start + chunk]
        d2 = _squared_distances(q, ref)
        if exclude_self:
            rows = np.arange(len(q))
            d2[rows, start + rows] = np.inf
        candidates = np.argpartition(d2, k - 1, axis=1)[:, :k]
        exact = np.sqrt(np.sum((q[:, None, :] - ref[candidates]) ** 2, axis=2))
        order = np.argsort(exact, axis=1)
        rows = np.arange(len(q))
        first[start : start + len(q)] = exact[rows, order[:, 0]]
        second[start : start + len(q)] = exact[rows, order[:, min(1, k - 1)]]
        index[start : start + len(q)] = candidates[rows, order[:, 0]]
    return first, second, index


def _ratio(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Nearest over second-nearest distance; 0 for an exact copy."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = first / second
    return np.where(first == 0, 0.0, np.nan_to_num(ratio, nan=1.0, posinf=1.0))


def _memorisation(
    ref: np.ndarray, query: np.ndarray, ref_index: pd.Index, query_index: pd.Index, quantile: float
) -> pd.DataFrame:
    own_first, own_second, _ = _nearest(ref, ref, exclude_self=True)
    threshold = float(np.quantile(_ratio(own_first, own_second), quantile))
    distance, second, nearest = _nearest(query, ref, exclude_self=False)
    ratio = _ratio(distance, second)
    flag = ratio <= threshold
    table = pd.DataFrame(
        {"nn_distance": distance, "nn_ratio": ratio, "nn_real": ref_index[nearest], "flag": flag},
        index=query_index,
    )
    table.attrs.update(threshold=threshold, share_flagged=float(flag.mean()), quantile=quantile)
    return table


def _ols(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    n = x.size
    empty = dict.fromkeys(
        ("slope", "slope_ci_low", "slope_ci_high", "intercept_ms", "r"), np.nan
    ) | {"n": n}
    if n < 3 or np.ptp(x) == 0:
        return empty
    dx, dy = x - x.mean(), y - y.mean()
    sxx = np.sum(dx**2)
    slope = np.sum(dx * dy) / sxx
    intercept = y.mean() - slope * x.mean()
    residual = y - intercept - slope * x
    se = np.sqrt(np.sum(residual**2) / (n - 2) / sxx)
    half = stats.t.ppf(0.975, n - 2) * se
    syy = np.sum(dy**2)
    r = np.sum(dx * dy) / np.sqrt(sxx * syy) if syy > 0 else np.nan
    return {
        "slope": slope,
        "slope_ci_low": slope - half,
        "slope_ci_high": slope + half,
        "intercept_ms": intercept,
        "r": r,
        "n": n,
    }


def _qt_rr(real: pd.DataFrame, fake: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    needed = ("rr_mean_ms", "qt_ms")
    pairs = []
    note = None
    for table in (real, fake):
        if all(c in table.columns and _is_measure_column(table[c]) for c in needed):
            rr, qt = (_values(table[c]) for c in needed)
            ok = np.isfinite(rr) & np.isfinite(qt)
            pairs.append((rr[ok], qt[ok]))
        else:
            pairs.append((np.empty(0), np.empty(0)))
            note = "qt_ms or rr_mean_ms missing: QT–RR slopes not computed"
    result = pd.DataFrame(
        [_ols(*pair) for pair in pairs], index=pd.Index(["real", "fake"], name="group")
    )
    result["n"] = result["n"].astype(int)
    p_difference = np.nan
    if result["slope"].notna().all():
        rr = np.concatenate([p[0] for p in pairs])
        qt = np.concatenate([p[1] for p in pairs])
        group = np.repeat([0.0, 1.0], [pairs[0][0].size, pairs[1][0].size])
        rr_c = rr - rr.mean()  # centred for a well-conditioned design
        design = np.column_stack([np.ones_like(rr), rr_c, group, rr_c * group])
        coef, *_ = np.linalg.lstsq(design, qt, rcond=None)
        df = qt.size - design.shape[1]
        if df > 0:
            sigma2 = np.sum((qt - design @ coef) ** 2) / df
            cov = sigma2 * np.linalg.inv(design.T @ design)
            t = coef[3] / np.sqrt(cov[3, 3])
            p_difference = float(2 * stats.t.sf(abs(t), df))
    elif note is None:
        note = "fewer than 3 records with QT and RR, or no spread of RR: QT–RR slopes not computed"
    result.attrs["p_difference"] = p_difference
    return result, note


# --- report helpers ---------------------------------------------------------------------


def _unit(name: str) -> str:
    if name == "heart_rate":
        return "bpm"
    if "_amp_mv" in name or name.endswith("_mv"):
        return "mV"
    if name.endswith("_ms"):
        return "ms"
    if name.endswith("_deg"):
        return "°"
    return ""


def _bin_edges(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    if high == low:
        return np.array([low - 0.5, low + 0.5])
    q25, q75 = np.quantile(values, [0.25, 0.75])
    width = 2 * (q75 - q25) / np.cbrt(values.size)  # Freedman–Diaconis
    n_bins = int(np.clip(np.ceil((high - low) / width), 10, 40)) if width > 0 else 20
    return np.linspace(low, high, n_bins + 1)


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _methods_text(result: Comparison) -> str:
    return (
        "Only records with status 'ok' were compared, missing values left out feature by "
        "feature. Per feature: Welch's t-test (means), the Brown–Forsythe test (spread, "
        "absolute deviations from the median) and the two-sample Kolmogorov–Smirnov test "
        "(shape); all p-values of the table were adjusted together with the "
        f"Benjamini–Hochberg procedure and a feature differs when one is below {result.alpha:g}. "
        "SMD = (mean fake − mean real) / pooled SD; the Wasserstein distance is in the "
        "feature's unit. Whole sets: features standardised with the real mean and SD, "
        "missing values set to the real median; Fréchet distance between fitted Gaussians; "
        "classifier two-sample test with a logistic regression on the standardised features "
        "and their squares, balanced groups, stratified 5-fold cross-validation, out-of-fold "
        "AUC with DeLong's 95% CI; unbiased MMD² between median beats with a Gaussian kernel "
        "(median heuristic) and a permutation p-value. Memorisation: a fake is flagged when "
        "its nearest-neighbour distance ratio (nearest over second-nearest real record) is at "
        f"most the {100 * result.memorisation.attrs.get('quantile', 0):g}% quantile of the "
        "real records' own leave-one-out ratios. QT–RR: ordinary least squares per "
        "group, equal slopes tested by the interaction term of one joint model."
    )


def _references_html() -> str:
    items = []
    for text, doi in _REFERENCES:
        link = f' <a href="https://doi.org/{esc(doi)}">doi:{esc(doi)}</a>' if doi else ""
        items.append(f"<li>{esc(text)}{link}</li>")
    return f"<ol>{''.join(items)}</ol>"
