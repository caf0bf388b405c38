"""A leaderboard as a picture: each column's values beside what a real half scores."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..comparison.leaderboard import COLUMNS, REAL_ROW, Leaderboard
from .paper import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_leaderboard"]

_PANEL_IN = (3.3, 0.35)  # width of a panel, height per row (inches)


def plot_leaderboard(board: Leaderboard, *, ncols: int = 4, fig: Figure | None = None) -> Figure:
    """One panel per column: each candidate's mean ± SD over the splits, and the band
    where the real held-out half falls (its mean ± 2 SD, grey).

    Parameters
    ----------
    board : Leaderboard
        What :func:`ecgtoolkit.leaderboard` returned (also drawn by ``board.plot()``).
    ncols : int
        Panels per row.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per column, the names on the y axis in ranking order (most realistic
        at the top); the panel's title says which way is better.
    """
    from matplotlib.figure import Figure

    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    table = board.table
    columns = [c for c in COLUMNS if c in table.columns]
    names = table.index.tolist()
    nrows = int(np.ceil(len(columns) / ncols))
    height = max(1.6, _PANEL_IN[1] * len(names) + 0.9)
    size = (_PANEL_IN[0] * min(ncols, len(columns)) + 1.4, height * nrows)
    if fig is None:
        fig = Figure(figsize=size, layout="constrained")
    else:
        fig.clear()
        fig.set_size_inches(*size)
    axes = fig.subplots(nrows, min(ncols, len(columns)), squeeze=False, sharey=True)
    y = np.arange(len(names))[::-1]
    colours = {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(names)}
    colours[REAL_ROW] = "#555555"
    for ax, column in zip(axes.flat, columns, strict=False):
        mean, sd = table[column].to_numpy(float), table[f"{column}_sd"].to_numpy(float)
        real_mean = table.loc[REAL_ROW, column]
        real_sd = table.loc[REAL_ROW, f"{column}_sd"]
        if np.isfinite(real_mean) and np.isfinite(real_sd):
            ax.axvspan(real_mean - 2 * real_sd, real_mean + 2 * real_sd, color="#dddddd", lw=0)
        if column.endswith("auc"):
            ax.axvline(0.5, color="#999999", lw=0.8, ls=":")
        for yi, name, m, s in zip(y, names, mean, sd, strict=True):
            if np.isfinite(m):
                ax.errorbar(m, yi, xerr=s if np.isfinite(s) else None, fmt="o", ms=4,
                            color=colours[name], capsize=2, lw=1)  # fmt: skip
        info = COLUMNS[column]
        better = {"0.5": "0.5 best", "lower": "lower better", "higher": "higher better",
                  "as real": "as real best"}[info.better]  # fmt: skip
        ax.set_title(f"{info.title}\n({better})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks(y, names)
        ax.set_ylim(-0.7, len(names) - 0.3)
    for ax in list(axes.flat)[len(columns) :]:
        ax.set_visible(False)
    fig.suptitle(f"Leaderboard against {board.n_real} real records (grey: a real half, mean ± 2 SD)",
                 fontsize=9)  # fmt: skip
    return fig
