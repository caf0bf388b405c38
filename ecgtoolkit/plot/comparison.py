"""How a set of generated ECGs differs from real ones: a forest plot of effect sizes,
histograms of the measurements that differ, and possible copies beside their real twin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..comparison.result import Comparison
from ..comparison.tables import column_values, finite
from ..core.units import column_unit
from .paper import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DIFFERENT_COLOUR", "plot_comparison", "plot_copies", "plot_forest"]

#: Colour of what differs, in plots and reports.
DIFFERENT_COLOUR = "#C00000"
_PANEL_IN = (3.9, 2.7)  # width, height of one histogram panel with its title (inches)
#: Histograms drawn by default: the measurements that differ most, at most this many.
MAX_HISTOGRAMS = 12
_LEGEND_IN = 0.4  # height of the legend strip above the panels (inches)


def plot_comparison(
    result: Comparison,
    features: Sequence[str] | None = None,
    *,
    ncols: int = 3,
    fig: Figure | None = None,
    max_panels: int = MAX_HISTOGRAMS,
) -> Figure:
    """Histograms of measurements of a comparison, real against fake.

    Parameters
    ----------
    result : Comparison
        What :func:`ecgtoolkit.compare` returned (also drawn by ``result.plot()``).
    features : sequence of str, optional
        Features to show, in this order (default: the ones that differ, by decreasing
        absolute SMD, at most ``max_panels``; the largest absolute SMD when none differs).
    ncols : int
        Panels per row.
    max_panels : int
        At most this many panels when ``features`` is not given.
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

    names = _default_features(result, max_panels) if features is None else list(features)
    unknown = [name for name in names if name not in result.table.index]
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
        wspace=0.15,
        hspace=0.8 / (_PANEL_IN[1] - 0.8),
    )
    for i, name in enumerate(names):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        real = finite(column_values(result.real_data[name]))
        fake = finite(column_values(result.fake_data[name]))
        edges = _bin_edges(np.concatenate([real, fake]))
        for values, colour in zip((real, fake), OKABE_ITO[:2], strict=True):
            density, _ = np.histogram(values, bins=edges, density=True)
            ax.stairs(density, edges, fill=True, color=colour, alpha=0.4)
            ax.stairs(density, edges, color=colour, lw=1.2)
        row = result.table.loc[name]
        unit = column_unit(name)
        title = f"{name} ({unit})" if unit else name
        if row["different"]:
            title += f"\nSMD {row['smd']:+.2f}, SD ratio {row['sd_ratio']:.2f}"
            ax.set_title(title, fontsize=10, color=DIFFERENT_COLOUR, weight="bold")
        else:
            ax.set_title(title, fontsize=10)
        ax.tick_params(labelsize=9)
        ax.set_yticks([])
    handles = [
        Patch(color=c, alpha=0.6, label=lab)
        for c, lab in zip(OKABE_ITO[:2], result.labels, strict=True)
    ]
    fig.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - 0.05 / height),
        ncols=2,
        frameon=False,
    )
    return fig


def _bin_edges(values: np.ndarray) -> np.ndarray:
    """Shared bins for both groups: Freedman–Diaconis width, 10 to 40 bins."""
    low, high = float(values.min()), float(values.max())
    if high == low:
        return np.array([low - 0.5, low + 0.5])
    q25, q75 = np.quantile(values, [0.25, 0.75])
    width = 2 * (q75 - q25) / np.cbrt(values.size)  # Freedman–Diaconis
    n_bins = int(np.clip(np.ceil((high - low) / width), 10, 40)) if width > 0 else 20
    return np.linspace(low, high, n_bins + 1)


def _default_features(result: Comparison, max_panels: int) -> list[str]:
    """The measurements that differ, by decreasing absolute SMD (the largest absolute SMD if none)."""
    t = result.table
    size = t["smd"].abs().fillna(0.0)
    chosen = t.index[t["different"].to_numpy()]
    if len(chosen) == 0:
        chosen = t.index
    return size.loc[chosen].sort_values(ascending=False).index[: max(int(max_panels), 1)].tolist()


def plot_forest(
    result: Comparison,
    features: Sequence[str] | None = None,
    *,
    fig: Figure | None = None,
    max_abs_smd: float = 4.0,
) -> Figure:
    """Every measurement's standardised mean difference and SD ratio, with 95% CIs.

    The overview of a comparison: one line per measurement, the ones that differ (after
    false-discovery control) in red and first, each group by decreasing absolute SMD. The grey
    bands are where an effect is conventionally small (absolute SMD below 0.2; SD ratio 0.8–1.25).

    Parameters
    ----------
    result : Comparison
        What :func:`ecgtoolkit.compare` returned (also ``result.plot()``).
    features : sequence of str, optional
        Measurements to show, top to bottom (default: all, ordered as above).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).
    max_abs_smd : float
        SMDs beyond ±this are drawn at the edge with an arrow and their value.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: SMD (left, fake − real in pooled SDs) and SD ratio (right, fake over
        real, log scale).

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> from ecgtoolkit.databases import load_reference
    >>> ref = load_reference("normal-adults").table
    >>> fig = et.compare(ref, ref.sample(30, random_state=1)).plot("forest")
    >>> [ax.get_xlabel().split(" (")[0] for ax in fig.axes]
    ['standardised mean difference', 'SD ratio']
    """
    from matplotlib.figure import Figure

    table = result.overview()
    if features is not None:
        unknown = [name for name in features if name not in table.index]
        if unknown:
            raise ValueError(f"features {unknown} were not compared; see Comparison.table.index")
        table = table.loc[list(features)]
    if table.empty:
        raise ValueError("no features to plot")
    n = len(table)
    row_in = 0.19
    height = n * row_in + 1.3
    if fig is None:
        fig = Figure(figsize=(11.0, height))
    else:
        fig.clear()
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=2.3 / width, right=1 - 0.2 / width, bottom=0.75 / height,
                        top=1 - 0.55 / height, wspace=0.08)  # fmt: skip
    ax_smd, ax_sd = fig.subplots(1, 2, sharey=True, width_ratios=[1.4, 1.0])
    y = np.arange(n)[::-1]
    colours = np.where(table["different"].to_numpy(), DIFFERENT_COLOUR, "#555555")
    labels = [f"{name} ({unit})" if unit else str(name) for name, unit in
              zip(table.index, table["unit"], strict=True)]  # fmt: skip
    # SMD panel, clipped at ±max_abs_smd with an arrow where a value lies beyond.
    lim = float(max_abs_smd)
    ax_smd.axvspan(-0.2, 0.2, color="#eeeeee", zorder=0)
    ax_smd.axvline(0, color="#888888", lw=0.8, zorder=1)
    low = np.clip(table["smd_ci_low"].to_numpy(dtype=float), -lim, lim)
    high = np.clip(table["smd_ci_high"].to_numpy(dtype=float), -lim, lim)
    smd = table["smd"].to_numpy(dtype=float)
    ax_smd.hlines(y, low, high, colors=colours, lw=1.3, zorder=2)
    ax_smd.scatter(np.clip(smd, -lim, lim), y, c=colours, s=14, zorder=3)
    for yi, value in zip(y, smd, strict=True):
        if np.isfinite(value) and abs(value) > lim:
            side = np.sign(value)
            ax_smd.annotate(f"{value:+.1f}", (side * lim, yi), xytext=(-side * 4, 0),
                            textcoords="offset points", fontsize=7, va="center",
                            ha="right" if side > 0 else "left")  # fmt: skip
    ax_smd.set_xlim(-lim * 1.05, lim * 1.05)
    ax_smd.set_xlabel("standardised mean difference (fake − real, pooled SDs)", fontsize=9)
    # SD ratio panel, log scale, clipped to 1/8–8.
    ax_sd.axvspan(0.8, 1.25, color="#eeeeee", zorder=0)
    ax_sd.axvline(1, color="#888888", lw=0.8, zorder=1)
    bounds = (1 / 8, 8.0)
    ratio = np.clip(table["sd_ratio"].to_numpy(dtype=float), *bounds)
    r_low = np.clip(table["sd_ratio_ci_low"].to_numpy(dtype=float), *bounds)
    r_high = np.clip(table["sd_ratio_ci_high"].to_numpy(dtype=float), *bounds)
    ax_sd.hlines(y, r_low, r_high, colors=colours, lw=1.3, zorder=2)
    ax_sd.scatter(ratio, y, c=colours, s=14, zorder=3)
    ax_sd.set_xscale("log")
    ax_sd.set_xlim(bounds[0] * 0.9, bounds[1] * 1.1)
    ticks = [0.125, 0.25, 0.5, 1, 2, 4, 8]
    ax_sd.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax_sd.minorticks_off()
    ax_sd.set_xlabel("SD ratio (fake / real, log scale)", fontsize=9)
    ax_smd.set_yticks(y, labels, fontsize=8)
    for tick, colour in zip(ax_smd.get_yticklabels(), colours, strict=True):
        tick.set_color(colour)
    ax_smd.set_ylim(-0.7, n - 0.3)
    for ax in (ax_smd, ax_sd):
        ax.tick_params(axis="x", labelsize=8, top=True, labeltop=True)
        ax.grid(axis="y", color="#f2f2f2", lw=0.6)
        ax.set_axisbelow(True)
    real, fake = result.labels
    n_diff = int(table["different"].sum())
    fig.suptitle(
        f"{fake} against {real}: {n_diff} of {n} measurements differ (red; "
        f"Benjamini–Hochberg α = {result.alpha:g}); lines are 95% CIs",
        fontsize=10, y=1 - 0.08 / height, va="top",
    )  # fmt: skip
    return fig


def plot_copies(
    result: Comparison,
    n: int = 4,
    *,
    leads: Sequence[str] = ("I", "II", "V2", "V5"),
    fig: Figure | None = None,
) -> Figure:
    """The fakes that sit closest on one real record, each overlaid on that record.

    Parameters
    ----------
    result : Comparison
        A comparison made with median beats (an ECG batch, or ``measure(...,
        return_beats=True)`` for both groups).
    n : int
        How many fakes, from the tightest (smallest nearest-neighbour ratio); flagged
        ones are marked "possible copy".
    leads : sequence of str
        Leads of the median beat to draw (of :data:`ecgtoolkit.measurement.BEAT_LEADS`).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into.

    Returns
    -------
    matplotlib.figure.Figure
        One row per fake, one column per lead: the fake's median beat over its nearest
        real record's, in mV against ms from the R peak.

    Raises
    ------
    ValueError
        When the comparison holds no beats (memorisation was on features), or for an
        unknown lead.
    """
    from matplotlib.figure import Figure

    from ..measurement.intervals import BEAT_LEADS
    from ..measurement.record import BEAT_FS

    if result.real_beats is None or result.fake_beats is None:
        raise ValueError(
            "this comparison holds no median beats (memorisation was on the measurements): "
            "compare ECG batches, or tables with measure(..., return_beats=True)"
        )
    unknown = [lead for lead in leads if lead not in BEAT_LEADS]
    if unknown:
        raise ValueError(f"leads {unknown} are not among the median beat's {list(BEAT_LEADS)}")
    memo = result.memorisation
    order = np.argsort(memo["nn_ratio"].to_numpy(), kind="stable")[: max(int(n), 1)]
    real_pos = {rid: i for i, rid in enumerate(result.real_beat_ids)}
    rows = len(order)
    if fig is None:
        fig = Figure(figsize=(2.6 * len(leads) + 0.6, 1.9 * rows + 0.7))
    else:
        fig.clear()
    axes = fig.subplots(rows, len(leads), squeeze=False, sharex=True)
    t_ms = (np.arange(result.fake_beats.shape[-1]) / BEAT_FS - 0.3) * 1000.0
    real, fake = result.labels
    for r, k in enumerate(order):
        row = memo.iloc[k]
        real_beat = result.real_beats[real_pos[row["nn_real"]]]
        fake_beat = result.fake_beats[k]
        for c, lead in enumerate(leads):
            ax = axes[r, c]
            j = BEAT_LEADS.index(lead)
            ax.plot(t_ms, real_beat[j], color=OKABE_ITO[0], lw=1.6, label=real)
            ax.plot(t_ms, fake_beat[j], color=OKABE_ITO[1], lw=1.0, label=fake)
            ax.tick_params(labelsize=7)
            if r == 0:
                ax.set_title(lead, fontsize=9)
            if c == 0:
                flag = "possible copy" if row["flag"] else "not flagged"
                ax.set_ylabel(f"{fake} {memo.index[k]}\nvs {real} {row['nn_real']}\n"
                              f"ratio {row['nn_ratio']:.2f}, {flag}\nmV", fontsize=7)  # fmt: skip
            if r == rows - 1:
                ax.set_xlabel("ms from R", fontsize=8)
    axes[0, 0].legend(fontsize=7, frameon=False, loc="upper left")
    fig.suptitle(
        f"The {rows} {fake} records closest to one {real} record (median beats)", fontsize=10
    )
    fig.tight_layout()
    return fig
