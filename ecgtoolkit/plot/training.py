"""A training run's curves: the critic, held-out realism and the copy audit, step by step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .paper import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["FAILED_COLOUR", "plot_training"]

#: Colour of an evaluated step that fails the copy audit.
FAILED_COLOUR = "#C00000"
_FIGSIZE_IN = (10.0, 10.0)  # 1,000 px wide at 100 dpi
_LEGEND_GAP_IN = 0.75  # from the right spine to the legend: room for a twin axis' labels
_SMOOTH_FROM = 10  # steps: below this, the raw values alone are drawn
_NOT_EVALUATED = "not evaluated (no step was scored against held-out records)"
_BLUE, _ORANGE, _GREEN, _PURPLE = OKABE_ITO[0], OKABE_ITO[5], OKABE_ITO[2], OKABE_ITO[3]


def plot_training(
    metrics: pd.DataFrame,
    *,
    best_step: int | None = None,
    figsize: tuple[float, float] | None = None,
    fig: Figure | None = None,
) -> Figure:
    """The curves of a training run, one panel per question, sharing the step axis.

    Parameters
    ----------
    metrics : pandas.DataFrame
        A run's metrics: ``TrainingRun.metrics`` (indexed by ``step``) or
        ``RUN_DIR/metrics.csv`` as read (a ``step`` column). Per-step columns
        ``wasserstein`` and ``gradient_penalty``; at evaluated steps only, the columns
        of :data:`ecgtoolkit.training.watch.EVAL_COLUMNS` (NaN elsewhere).
    best_step : int, optional
        The step ``best.pt`` holds (:func:`ecgtoolkit.training.runs.best_step`), drawn as
        a vertical line in every panel.
    figsize : (float, float), optional
        Width and height in inches (default 10 × 10: 1,000 px wide at 100 dpi).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).

    Returns
    -------
    matplotlib.figure.Figure
        Four panels, top to bottom:

        (a) the critic: its Wasserstein estimate (left axis) and the unweighted
            gradient penalty (right axis), per step (thin) and as a rolling median
            (thick) once there are 10 steps or more;
        (b) held-out realism: the classifier two-sample test's AUC (0.5 =
            indistinguishable, dashed) and the share of measurements that differ
            (right axis, %);
        (c) held-out realism: density and coverage (Naeem et al. 2020; about 1 for
            fakes like the held-out records, dotted);
        (d) the copy audit against the training records: the membership-inference
            AUC (0.5 = no leak, dashed) and the share of fakes flagged as copies
            (right axis, %); a red cross marks each evaluated step that fails the
            audit (copies p or membership p below
            :data:`~ecgtoolkit.training.watch.AUDIT_ALPHA`).

        Panels (b)–(d) say "not evaluated" when no step was scored.

    Raises
    ------
    TypeError
        If ``metrics`` is not a DataFrame.
    ValueError
        If it has no ``step`` index or column, or no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> metrics = pd.DataFrame({"step": [0, 1, 2], "wasserstein": [None, 0.1, 0.3],
    ...     "gradient_penalty": [None, 0.2, 0.1], "c2st_auc": [0.7, None, 0.6],
    ...     "copies_share": [0.0, None, 0.0], "copies_p": [1.0, None, 1.0],
    ...     "membership_auc": [0.5, None, 0.55], "membership_p": [0.5, None, 0.3]})
    >>> fig = plot_training(metrics, best_step=2)
    >>> [ax.get_title(loc="left")[:3] for ax in fig.axes if ax.get_title(loc="left")]
    ['(a)', '(b)', '(c)', '(d)']
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # The training layer's own reading of a run (torch loads here, on first use only).
    from ..training.runs import evaluated_steps, metrics_by_step
    from ..training.watch import AUDIT_ALPHA

    frame = metrics_by_step(metrics)
    if frame.empty:
        raise ValueError("metrics has no rows: nothing to plot")
    scores = evaluated_steps(frame)
    size = _FIGSIZE_IN if figsize is None else figsize
    if fig is None:
        fig = Figure(figsize=size, layout="constrained")
    else:
        fig.clear()
        fig.set_size_inches(*size)
        fig.set_layout_engine("constrained")
    axes = fig.subplots(4, 1, sharex=True)
    handles = [_critic_panel(axes[0], frame)]
    if scores.empty:
        for ax, title in zip(axes[1:], _TITLES[1:], strict=True):
            handles.append(_empty(ax, title, _NOT_EVALUATED))
    else:
        handles += [
            _realism_panel(axes[1], scores),
            _quality_panel(axes[2], scores),
            _audit_panel(axes[3], scores, AUDIT_ALPHA),
        ]
    first, last = int(frame.index.min()), int(frame.index.max())
    pad = max(0.5, 0.02 * (last - first))
    axes[-1].set_xlim(first - pad, last + pad)
    if last - first <= 10:  # few steps: a tick at each
        axes[-1].set_xticks(range(first, last + 1))
    else:
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlabel("generator step")
    for ax, shown in zip(axes, handles, strict=True):
        _legend(ax, shown, best_step)
    return fig


_TITLES = (
    "(a) The critic: its Wasserstein estimate and the gradient penalty, each step",
    "(b) Held-out realism: classifier two-sample test and measurements that differ",
    "(c) Held-out realism: density and coverage of the held-out records",
    "(d) Copy audit against the training records",
)


def _title(ax: Axes, text: str) -> None:
    ax.set_title(text, loc="left", fontsize=10)


def _empty(ax: Axes, title: str, message: str) -> list:
    """A panel with nothing to draw says why (and has no legend entries)."""
    _title(ax, title)
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
            fontsize=9, color="#555555")  # fmt: skip
    ax.set_yticks([])
    return []


def _raw_and_median(ax: Axes, values: pd.Series, colour: str, label: str) -> list:
    """Per-step values (thin) and their rolling median (thick) where there are enough."""
    values = values.dropna()
    if values.empty:
        return []
    marker = "o" if len(values) <= 30 else None
    thin = len(values) >= _SMOOTH_FROM
    (raw,) = ax.plot(values.index, values.to_numpy(float), color=colour, marker=marker, ms=3,
                     lw=0.6 if thin else 1.2, alpha=0.45 if thin else 1.0,
                     label=f"{label}, each step" if thin else label)  # fmt: skip
    if not thin:
        return [raw]
    window = max(5, len(values) // 25) | 1  # odd, centred
    smooth = values.rolling(window, center=True, min_periods=1).median()
    (thick,) = ax.plot(smooth.index, smooth.to_numpy(float), color=colour, lw=2.2,
                       label=f"{label}, median of {window} steps")  # fmt: skip
    return [raw, thick]


def _critic_panel(ax: Axes, frame: pd.DataFrame) -> list:
    _title(ax, _TITLES[0])
    trained = frame[["wasserstein", "gradient_penalty"]].dropna(how="all")
    if trained.empty:
        return _empty(ax, _TITLES[0], "no generator step trained yet")
    handles = _raw_and_median(ax, trained["wasserstein"], _BLUE, "Wasserstein estimate")
    ax.set_ylabel("Wasserstein estimate\nD(real) − D(fake)", color=_BLUE, fontsize=9)
    twin = ax.twinx()
    handles += _raw_and_median(twin, trained["gradient_penalty"], _ORANGE, "gradient penalty")
    twin.set_ylabel("gradient penalty\n(unweighted)", color=_ORANGE, fontsize=9)
    return handles


def _eval_line(ax: Axes, values: pd.Series, colour: str, label: str, **kwargs) -> list:
    values = values.dropna()
    if values.empty:
        return []
    (line,) = ax.plot(values.index, values.to_numpy(float), color=colour, marker="o", ms=4,
                      lw=1.5, label=label, **kwargs)  # fmt: skip
    return [line]


def _share_axis(ax: Axes, values: pd.Series, colour: str, label: str) -> list:
    from matplotlib.ticker import PercentFormatter

    twin = ax.twinx()
    handles = _eval_line(twin, values, colour, label, ls="--")
    top = float(np.nanmax(values.to_numpy(float))) if values.notna().any() else 0.0
    upper = max(0.05, 1.15 * top)
    twin.set_ylim(-0.03 * upper, upper)  # a share of 0 stays visible above the axis
    twin.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    twin.set_ylabel(label, color=colour, fontsize=9)
    return handles


def _auc_axis(ax: Axes, reference: str) -> list:
    ax.set_ylim(0, 1)
    line = ax.axhline(0.5, color="#777777", lw=1, ls=":", label=f"AUC 0.5: {reference}")
    return [line]


def _realism_panel(ax: Axes, scores: pd.DataFrame) -> list:
    _title(ax, _TITLES[1])
    handles = _eval_line(ax, scores["c2st_auc"], _BLUE, "C2ST AUC (held out vs fakes)")
    handles += _auc_axis(ax, "indistinguishable")
    ax.set_ylabel("AUC", color=_BLUE, fontsize=9)
    handles += _share_axis(ax, scores["features_different"], _ORANGE, "measurements different")
    return handles


def _quality_panel(ax: Axes, scores: pd.DataFrame) -> list:
    _title(ax, _TITLES[2])
    handles = _eval_line(ax, scores["density"], _GREEN, "density")
    handles += _eval_line(ax, scores["coverage"], _PURPLE, "coverage", ls="--")
    if not handles:
        return _empty(ax, _TITLES[2], "not measurable at any evaluated step")
    top = float(np.nanmax(scores[["density", "coverage"]].to_numpy(float)))
    ax.set_ylim(0, max(1.2, 1.1 * top))
    handles.append(ax.axhline(1, color="#777777", lw=1, ls=":", label="1: like the held out"))
    ax.set_ylabel("density, coverage", fontsize=9)
    return handles


def _audit_panel(ax: Axes, scores: pd.DataFrame, alpha: float) -> list:
    _title(ax, _TITLES[3])
    handles = _eval_line(ax, scores["membership_auc"], _BLUE, "membership AUC (train vs held out)")
    handles += _auc_axis(ax, "no leak")
    ax.set_ylabel("AUC", color=_BLUE, fontsize=9)
    failed = scores[~scores["audit_passed"]]
    if len(failed):
        at = failed["membership_auc"].fillna(0.5)
        handles.append(ax.scatter(failed.index, at.to_numpy(float), marker="X", s=90,
                                  color=FAILED_COLOUR, zorder=5, gid="audit-failed",
                                  label=f"fails the audit (p < {alpha:g})"))  # fmt: skip
    handles += _share_axis(ax, scores["copies_share"], _ORANGE, "fakes flagged as copies")
    return handles


def _legend(ax: Axes, handles: list, best_step: int | None) -> None:
    """The panel's legend, outside on the right (never over the curves), and best.pt."""
    from matplotlib.transforms import offset_copy

    handles = list(handles)
    if best_step is not None:
        handles.append(ax.axvline(best_step, color="#222222", lw=1.3, ls="-", alpha=0.7,
                                  gid="best-step", label=f"best.pt (step {best_step})"))  # fmt: skip
    if not handles:
        return
    anchor = offset_copy(ax.transAxes, fig=ax.figure, x=_LEGEND_GAP_IN, units="inches")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1, 1), bbox_transform=anchor,
              frameon=False, fontsize=8, borderaxespad=0)  # fmt: skip
