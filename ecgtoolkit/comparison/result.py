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

from ..core.display import format_count, format_p, format_share, wrap
from ..core.units import column_unit
from .features import LOW_SD_RATIO

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DISTANCE_MEANING", "OVERVIEW_COLUMNS", "Comparison", "format_p"]

#: The columns of :meth:`Comparison.overview`, the compact table of reports.
OVERVIEW_COLUMNS = (
    "unit", "mean_real", "mean_fake", "smd", "smd_ci_low", "smd_ci_high", "sd_ratio",
    "sd_ratio_ci_low", "sd_ratio_ci_high", "p_adj", "different", "verdict",
)  # fmt: skip

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
    "memorised_p": "p-value: at least this many flagged among independent fakes "
    "(beta-binomial; small suggests copying)",
    "n_real": "real records compared",
    "n_fake": "generated records compared",
}


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
    n_permutations : int
        Permutations of the MMD test (its p-value is at least 1 / (n + 1)).
    real_beats, fake_beats : numpy.ndarray or None
        The median beats of the records that the beat distances and memorisation used,
        ``(n, n_leads, n_times)`` in mV, in the order of ``memorisation``'s index (fake)
        and of :attr:`real_beat_ids`; None when no beats were compared.
    real_beat_ids : tuple
        The real record ids of ``real_beats``' rows (what ``memorisation["nn_real"]``
        names).
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
    n_permutations: int = 0
    real_beats: np.ndarray | None = None
    fake_beats: np.ndarray | None = None
    real_beat_ids: tuple = ()

    def __repr__(self) -> str:
        d = self.distances
        n_diff = int(self.table["different"].sum())
        return (
            f"<Comparison | {self.labels[0]} {int(d['n_real'])} vs {self.labels[1]} "
            f"{int(d['n_fake'])} records | {n_diff} of {len(self.table)} features differ "
            f"(α={self.alpha:g}) | C2ST AUC {d['c2st_auc']:.2f} | "
            f"MMD p {format_p(d['mmd_p'], n_permutations=self.n_permutations)}>"
        )

    def summary(self) -> str:
        """A short plain-text account of the comparison, wrapped for a terminal.

        Returns
        -------
        str
            One line per finding, wrapped at word boundaries (88 characters): features
            that differ, the largest standardised mean differences, features with too
            little diversity (SD ratio < 0.67), the classifier AUC with its 95% CI, the
            MMD p-value, the possible copies against chance and the QT–RR slopes.
        """
        return wrap("\n".join(f"- {point}" for point in self.summary_points()))

    def summary_points(self) -> list[str]:
        """The findings of :meth:`summary`, one sentence each (for HTML lists)."""
        real, fake = self.labels
        t, d = self.table, self.distances
        n_diff = int(t["different"].sum())
        parts = [
            f"Compared {format_count(d['n_real'])} {real} and {format_count(d['n_fake'])} "
            f"{fake} records on {len(t)} measurements: {n_diff} "
            f"{'differs' if n_diff == 1 else 'differ'} (Benjamini–Hochberg adjusted p < "
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
            parts.append(
                f"Median beats: MMD² = {d['mmd2']:.3g}, permutation p "
                f"{_p_phrase(d['mmd_p'], self.n_permutations)}."
            )
        parts.append(self.copies_sentence())
        q = self.qt_rr
        if np.isfinite(q["slope"]).all():
            parts.append(
                f"QT–RR slope: {real} {q.at['real', 'slope']:.3f}, {fake} "
                f"{q.at['fake', 'slope']:.3f} (p for equal slopes "
                f"{format_p(q.attrs.get('p_difference', np.nan))})."
            )
        return parts

    def copies_sentence(self) -> str:
        """The possible copies as a share beside the share expected by chance, with a test."""
        real, fake = self.labels
        memo = self.memorisation.attrs
        n = len(self.memorisation)
        flagged = int(self.memorisation["flag"].sum()) if n else 0
        chance = memo.get("chance_share", np.nan)
        p = memo.get("copies_p", np.nan)
        share = format_share(flagged / n if n else np.nan)
        quantile = f"{100 * memo.get('quantile', np.nan):g}%"
        if not chance > 0:
            return (
                f"Possible copies: {flagged} of {n} {fake} records ({share}) sit on one "
                f"{real} record as tightly as a copy ({memo.get('space', '')}); with only "
                f"{memo.get('n_ref', 0)} {real} records none is expected by chance at "
                f"{quantile}, so only exact copies can be flagged."
            )
        return (
            f"Possible copies: {flagged} of {n} {fake} records ({share}) sit on one {real} "
            f"record more tightly than all but {quantile} of {real} records do among "
            f"themselves ({memo.get('space', '')}); {format_share(chance)} expected by "
            f"chance (95% range {format_share(memo.get('chance_low', np.nan))}–"
            f"{format_share(memo.get('chance_high', np.nan))}), p {_p_phrase(p)} for more "
            "than chance."
        )

    def overview(self) -> pd.DataFrame:
        """The compact table: one row per measurement, what differs first.

        Returns
        -------
        pandas.DataFrame
            Index ``feature``; columns :data:`OVERVIEW_COLUMNS`: the unit, both means, the
            SMD and SD ratio with their 95% CIs, ``p_adj`` (the smallest of the three
            adjusted p-values), ``different`` and the ``verdict``. Sorted: measurements
            that differ first, each group by decreasing absolute SMD. The full table is
            :attr:`table` (:meth:`to_csv`).
        """
        t = self.table
        out = t[[c for c in OVERVIEW_COLUMNS if c in t.columns]].copy()
        out.insert(0, "unit", [column_unit(name) or "" for name in t.index])
        out.insert(
            out.columns.get_loc("sd_ratio_ci_high") + 1,
            "p_adj",
            t[["location_p_adj", "dispersion_p_adj", "ks_p_adj"]].min(axis=1),
        )
        order = np.lexsort((-t["smd"].abs().fillna(0).to_numpy(), ~t["different"].to_numpy()))
        return out.iloc[order]

    def distances_table(self) -> pd.DataFrame:
        """The whole-set distances as a reader should see them: counts whole, shares as %,
        p-values with their floor, each with what it means (see
        :func:`ecgtoolkit.report.comparison.distances_frame`)."""
        from ..report.comparison import distances_frame

        return distances_frame(self)

    def to_csv(self, out: str | os.PathLike, *, overwrite: bool = False) -> None:
        """Write the full per-feature :attr:`table` as CSV (atomically; ``feature`` first)."""
        from ..core.files import atomic_write

        atomic_write(out, self.table.to_csv(), overwrite=overwrite)

    def plot(
        self,
        kind: str = "forest",
        features: Sequence[str] | None = None,
        *,
        ncols: int = 3,
        fig: Figure | None = None,
        **kwargs,
    ) -> Figure:
        """A figure of the comparison.

        Parameters
        ----------
        kind : {"forest", "histograms", "copies"}
            ``"forest"`` (default): every measurement's SMD and SD ratio with 95% CIs
            (:func:`ecgtoolkit.plot.comparison.plot_forest`); ``"histograms"``: real
            against fake, by default only the measurements that differ
            (:func:`~ecgtoolkit.plot.comparison.plot_comparison`); ``"copies"``: the
            fakes closest to one real record, overlaid on it
            (:func:`~ecgtoolkit.plot.comparison.plot_copies`).
        features : sequence of str, optional
            Measurements to show (forest, histograms).
        ncols : int
            Panels per row (histograms).
        fig : matplotlib.figure.Figure, optional
            Figure to draw into.
        **kwargs
            Passed on to the plotting function.
        """
        from ..plot import comparison as plots

        if kind == "forest":
            return plots.plot_forest(self, features, fig=fig, **kwargs)
        if kind == "histograms":
            return plots.plot_comparison(self, features, ncols=ncols, fig=fig, **kwargs)
        if kind == "copies":
            return plots.plot_copies(self, fig=fig, **kwargs)
        raise ValueError(f"kind must be 'forest', 'histograms' or 'copies', got {kind!r}")

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


def _p_phrase(p: float, n_permutations: int | None = None) -> str:
    """A p-value after "p": "= 0.042", "< 0.001", "≤ 0.002 (500 permutations)"."""
    text = format_p(p, n_permutations=n_permutations)
    return text if text.startswith(("<", "≤", "n/a")) else f"= {text}"
