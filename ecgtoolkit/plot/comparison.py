"""How a set of generated ECGs differs from real ones, feature by feature (histograms)."""

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

__all__ = ["DIFFERENT_COLOUR", "plot_comparison"]

#: Colour of what differs, in plots and reports.
DIFFERENT_COLOUR = "#C00000"
_PANEL_IN = (3.2, 2.4)  # width, height of one histogram panel with its title (inches)
_LEGEND_IN = 0.4  # height of the legend strip above the panels (inches)


def plot_comparison(
    result: Comparison,
    features: Sequence[str] | None = None,
    *,
    ncols: int = 4,
    fig: Figure | None = None,
) -> Figure:
    """Histograms of each feature of a comparison, real against fake.

    Parameters
    ----------
    result : Comparison
        What :func:`ecgtoolkit.compare` returned (also drawn by ``result.plot()``).
    features : sequence of str, optional
        Features to show, in this order (default: every row of ``result.table``).
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

    names = list(result.table.index) if features is None else list(features)
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
        wspace=0.12,
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
            ax.set_title(title, fontsize=9, color=DIFFERENT_COLOUR, weight="bold")
        else:
            ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=7)
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
