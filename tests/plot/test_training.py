"""plot_training: four panels on one step axis, best.pt marked, failing steps in red."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import ecgtoolkit as et
from ecgtoolkit.plot.training import FAILED_COLOUR, plot_training
from ecgtoolkit.training.watch import EVAL_COLUMNS

matplotlib.use("Agg")

STEPS = 40
EVALUATED = [0, 10, 20, 30, 40]


@pytest.fixture(scope="module")
def metrics():
    """41 steps, evaluated every 10; step 20 has no membership p (fails, as in the loop)
    and step 30 has more copies than chance (fails)."""
    steps = np.arange(STEPS + 1)
    frame = pd.DataFrame(index=pd.Index(steps, name="step"))
    frame["wasserstein"] = np.r_[np.nan, np.sin(steps[1:])]
    frame["gradient_penalty"] = np.r_[np.nan, 0.1 + 0.01 * steps[1:]]
    frame["critic_loss"] = -frame["wasserstein"] + 10 * frame["gradient_penalty"]
    frame["generator_loss"] = 0.0
    frame["seconds"] = np.r_[np.nan, np.full(STEPS, 0.5)]
    for column in EVAL_COLUMNS:
        frame[column] = np.nan
    frame.loc[EVALUATED, "c2st_auc"] = [0.8, 0.7, 0.6, 0.55, 0.65]
    frame.loc[EVALUATED, "features_different"] = [0.3, 0.2, 0.1, 0.05, 0.1]
    frame.loc[EVALUATED, "density"] = [0.5, 0.7, 0.9, np.nan, 1.0]
    frame.loc[EVALUATED, "coverage"] = [0.6, 0.7, 0.8, 0.9, 0.9]
    frame.loc[EVALUATED, "copies_share"] = [0.0, 0.0, 0.0, 0.2, 0.0]
    frame.loc[EVALUATED, "copies_p"] = [1.0, 1.0, 1.0, 0.01, 1.0]
    frame.loc[EVALUATED, "membership_auc"] = [0.5, 0.52, 0.55, 0.6, 0.5]
    frame.loc[EVALUATED, "membership_p"] = [0.5, 0.4, np.nan, 0.2, 0.5]
    return frame


def _panels(fig: Figure) -> list:
    """The four main axes (the twin axes carry no title)."""
    return [ax for ax in fig.axes if ax.get_title(loc="left")]


def _best_lines(ax) -> list:
    return [line for line in ax.get_lines() if line.get_gid() == "best-step"]


def test_four_panels_share_the_step_axis(metrics):
    fig = plot_training(metrics, best_step=10)
    panels = _panels(fig)
    assert [ax.get_title(loc="left")[:3] for ax in panels] == ["(a)", "(b)", "(c)", "(d)"]
    assert "Wasserstein" in panels[0].get_title(loc="left")
    assert "copy audit" in panels[3].get_title(loc="left").lower()
    assert panels[-1].get_xlabel() == "generator step"
    assert all(ax.get_xlim() == panels[0].get_xlim() for ax in panels)
    low, high = panels[0].get_xlim()
    assert low < 0 and high > STEPS


def test_best_step_is_a_labelled_line_in_every_panel(metrics):
    fig = plot_training(metrics, best_step=10)
    for ax in _panels(fig):
        (line,) = _best_lines(ax)
        assert list(line.get_xdata()) == [10, 10]
        assert line.get_label() == "best.pt (step 10)"
        assert "best.pt (step 10)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any(_best_lines(ax) for ax in _panels(plot_training(metrics)))


def test_steps_that_fail_the_copy_audit_are_marked_red(metrics):
    audit = _panels(plot_training(metrics, best_step=10))[3]
    (failed,) = [c for c in audit.collections if c.get_gid() == "audit-failed"]
    x, y = failed.get_offsets().T
    assert x.tolist() == [20, 30]  # a missing p fails, as passes_audit says
    assert y.tolist() == [0.55, 0.6]  # on the membership AUC curve
    assert matplotlib.colors.to_hex(failed.get_facecolor()[0]) == FAILED_COLOUR.lower()


def test_auc_panels_mark_chance_and_realism_curves_skip_missing_values(metrics):
    _, realism, quality, audit = _panels(plot_training(metrics))
    for ax in (realism, audit):
        chance = [line for line in ax.get_lines() if "0.5" in line.get_label()]
        assert chance and list(chance[0].get_ydata()) == [0.5, 0.5]
        assert ax.get_ylim() == (0, 1)
    (auc,) = [line for line in realism.get_lines() if line.get_label().startswith("C2ST")]
    assert list(auc.get_xdata()) == EVALUATED
    (density,) = [line for line in quality.get_lines() if line.get_label() == "density"]
    assert list(density.get_xdata()) == [0, 10, 20, 40]  # step 30's density is missing


def test_noisy_losses_get_a_rolling_median(metrics):
    critic = _panels(plot_training(metrics))[0]
    (median,) = [line for line in critic.get_lines() if "median of 5 steps" in line.get_label()]
    expected = metrics["wasserstein"].dropna().rolling(5, center=True, min_periods=1).median()
    np.testing.assert_allclose(median.get_ydata(), expected.to_numpy())


def test_legends_sit_outside_the_curves(metrics):
    fig = plot_training(metrics, best_step=10)
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    for ax in _panels(fig):
        legend = ax.get_legend().get_window_extent(renderer)
        assert legend.x0 >= ax.get_window_extent(renderer).x1
        assert legend.x1 <= fig.bbox.x1 + 1  # and inside the figure
    assert fig.get_size_inches()[0] * 100 == 1000  # 1,000 px wide at 100 dpi


def test_a_run_without_evaluations_still_plots_its_losses(metrics):
    losses = metrics.drop(columns=list(EVAL_COLUMNS))
    fig = plot_training(losses.reset_index())  # metrics.csv as read: a step column
    critic, *rest = _panels(fig)
    assert any(line.get_label().startswith("Wasserstein") for line in critic.get_lines())
    for ax in rest:
        assert any("not evaluated" in t.get_text() for t in ax.texts)
    FigureCanvasAgg(fig).draw()


def test_a_single_step_and_missing_values_plot():
    one = pd.DataFrame({"step": [1], "wasserstein": [np.nan], "gradient_penalty": [0.2],
                        "c2st_auc": [0.6], "copies_p": [0.5], "membership_p": [0.5]})  # fmt: skip
    fig = plot_training(one, best_step=1)
    panels = _panels(fig)
    assert [t.get_text() for t in panels[-1].get_xticklabels()] == ["1"]
    FigureCanvasAgg(fig).draw()
    start = pd.DataFrame({"step": [0], "c2st_auc": [0.6], "copies_p": [0.5],
                          "membership_p": [0.5]})  # fmt: skip
    critic = _panels(plot_training(start))[0]
    assert any("no generator step" in t.get_text() for t in critic.texts)


def test_draws_into_a_given_figure_at_a_given_size(metrics):
    own = Figure()
    assert plot_training(metrics, fig=own, figsize=(8, 6)) is own
    assert tuple(own.get_size_inches()) == (8, 6) and len(_panels(own)) == 4


def test_bad_input_is_refused(metrics):
    with pytest.raises(TypeError, match="DataFrame"):
        plot_training(metrics.to_dict())
    with pytest.raises(ValueError, match="step"):
        plot_training(metrics.reset_index(drop=True))
    with pytest.raises(ValueError, match="no rows"):
        plot_training(metrics.iloc[:0])


def test_the_flat_api_has_it():
    assert et.plot_training is plot_training
