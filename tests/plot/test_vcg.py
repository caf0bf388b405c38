"""Tests for ecgtoolkit.plot.vcg: the P, QRS and T loops in three planes."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import ecgtoolkit as et
from ecgtoolkit.plot.vcg import PLANES


@pytest.fixture(scope="module")
def fake() -> et.ECG:
    return et.generate(1, seed=3, progress=False)[0]


def _gids(fig: Figure) -> set[str]:
    return {a.get_gid() for ax in fig.axes for a in ax.get_children() if a.get_gid()}


def test_returns_a_figure_with_a_loop_per_wave_in_each_plane(fake):
    fig = et.plot_vcg(fake)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == list(PLANES)
    assert {"loop:QRS", "loop:T", "axis:QRS"} <= _gids(fig)
    frontal = fig.axes[0]
    assert frontal.yaxis_inverted()  # inferior at the bottom of the page
    assert "frontal QRS axis" in fig.texts[0].get_text()


def test_the_frontal_axis_agrees_with_measure(fake):
    # Kors's X and Y are close to lead I and aVF's directions: the loop's mean vector
    # and measure()'s QRS axis (from the limb leads) point the same way; on generated
    # records they differ by up to about 30 degrees (the chest leads weigh in X).
    fig = et.plot_vcg(fake)
    shown = float(fig.texts[0].get_text().split("axis ")[1].rstrip("°"))
    measured = float(et.measure(fake)["qrs_axis_deg"])
    assert abs((shown - measured + 180) % 360 - 180) < 35


def test_planes_method_and_figure_reuse(fake):
    fig = Figure()
    out = et.plot_vcg(fake, planes=("frontal",), method="inverse-dower", fig=fig)
    assert out is fig and len(fig.axes) == 1
    assert "inverse-dower" in fig.texts[0].get_text()


def test_clear_errors(fake):
    with pytest.raises(ValueError, match="unknown planes"):
        et.plot_vcg(fake, planes=("transverse",))
    with pytest.raises(ValueError, match="unknown VCG method"):
        et.plot_vcg(fake, method="frank")
    noise = et.ECG(
        np.random.default_rng(0).normal(0, 0.3, (12, 5000)), fs=500, leads=list(et.STANDARD_LEADS)
    )
    with pytest.raises(ValueError, match="cannot be measured|no dominant beat|no QRS"):
        et.plot_vcg(noise)
    with pytest.raises(TypeError):
        et.plot_vcg(np.zeros((12, 5000)))
