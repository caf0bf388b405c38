"""The result of :func:`ecgtoolkit.compare`: tables, distances and a plain-text summary.

Its figures (:meth:`Comparison.plot`) and HTML (:meth:`Comparison.to_html`) are drawn by
:mod:`ecgtoolkit.plot` and :mod:`ecgtoolkit.report`, imported when asked for.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .features import LOW_SD_RATIO

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DISTANCE_MEANING", "Comparison", "format_p"]

#: What each whole-set distance means, for the reports.
DISTANCE_MEANING = {
    "mmd2": "maximum mean discrepancy² between the median beats (0 = same distribution)",
    "mmd_p": "permutation p-value of the MMD (small: the beats differ)",
    "frechet": "Fréchet distance between Gaussians fitted to the measurements' normal scores "
    "(real against real is not 0: compare at equal sizes)",
    "c2st_auc": "classifier two-sample test: AUC telling the groups apart (0.5 = cannot)",
    "c2st_ci_low": "its 95% confidence interval, lower end (DeLong)",
    "c2st_ci_high": "its 95% confidence interval, upper end",
    "memorised_share": "share of fakes sitting on one real record as tightly as possible copies",
    "memorised_chance": "share expected among fakes drawn independently from the real population",
    "memorised_chance_high": "upper end of the 95% range of that share (more suggests copying)",
    "n_real": "real records compared",
    "n_fake": "generated records compared",
}


def format_p(p: float) -> str:
    """A p-value for text: ``"< 0.001"``, ``"0.042"`` or ``"n/a"``."""
    if not np.isfinite(p):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


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
        ``memorised_chance``, ``memorised_chance_high``, ``n_real``, ``n_fake``.
    memorisation : pandas.DataFrame
        One row per compared fake record (the fake table's index): ``nn_distance``,
        ``nn_ratio``, ``nn_real``, ``p_value``, ``flag``. ``attrs`` holds
        ``share_flagged``, ``chance_share``, ``chance_low``, ``chance_high``, ``n_ref``,
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
            f"(α={self.alpha:g}) | C2ST AUC {d['c2st_auc']:.2f} | MMD p {format_p(d['mmd_p'])}>"
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
        narrow = t[(t["sd_ratio"] < LOW_SD_RATIO) & t["different"]]
        if len(narrow):
            ratios = narrow["sd_ratio"].sort_values()
            listed = ", ".join(f"{name} ({ratio:.2f})" for name, ratio in ratios.head(6).items())
            if len(ratios) > 6:
                listed += f" and {len(ratios) - 6} more"
            parts.append(
                f"Too little diversity (SD ratio < {LOW_SD_RATIO}) in {len(ratios)} "
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
        memo = self.memorisation.attrs
        parts.append(
            f"{100 * d['memorised_share']:.1f}% of {fake} records are flagged as possible "
            f"copies: they sit on one {real} record (nearest over second-nearest distance, "
            f"{memo.get('space', '')}) more tightly than all but "
            f"{100 * memo.get('quantile', np.nan):g}% of {real} records do among "
            f"themselves ({100 * memo.get('chance_share', np.nan):.1f}% expected by chance, "
            f"up to {100 * memo.get('chance_high', np.nan):.1f}%; more suggests copied "
            "records)."
        )
        q = self.qt_rr
        if np.isfinite(q["slope"]).all():
            parts.append(
                f"QT–RR slope: {real} {q.at['real', 'slope']:.3f}, {fake} "
                f"{q.at['fake', 'slope']:.3f} (p for equal slopes "
                f"{format_p(q.attrs.get('p_difference', np.nan))})."
            )
        return " ".join(parts)

    def plot(
        self, features: Sequence[str] | None = None, ncols: int = 4, fig: Figure | None = None
    ) -> Figure:
        """Histograms of each feature, real against fake (see
        :func:`ecgtoolkit.plot.comparison.plot_comparison`)."""
        from ..plot.comparison import plot_comparison

        return plot_comparison(self, features, ncols=ncols, fig=fig)

    def to_html(
        self,
        out: str | os.PathLike | None = None,
        *,
        overwrite: bool = False,
        fragment: bool = False,
    ) -> str:
        """A self-contained HTML report: summary, distances, figures, table, methods (see
        :func:`ecgtoolkit.report.comparison.comparison_html`)."""
        from ..report.comparison import comparison_html

        return comparison_html(self, out, overwrite=overwrite, fragment=fragment)

    def _repr_html_(self) -> str:
        from ..report.comparison import comparison_summary_html

        return comparison_summary_html(self)
