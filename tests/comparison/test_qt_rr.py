"""QT against RR (ecgtoolkit/comparison/qt_rr.py): the one row filter and line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ecgtoolkit.comparison.qt_rr import compare_qt_rr, fit_line, qt_rr_pairs


def test_rows_that_count():
    table = pd.DataFrame(
        {
            "rr_mean_ms": [800, 900, "x", 1000, 700],
            "qt_ms": [380, 400, 410, np.nan, 360],
            "status": ["ok", "ok", "ok", "ok", "unusable"],
        }
    )
    rr, qt = qt_rr_pairs(table)
    assert rr.tolist() == [800.0, 900.0] and qt.tolist() == [380.0, 400.0]
    with pytest.raises(ValueError, match="qt_ms"):
        qt_rr_pairs(pd.DataFrame({"rr_mean_ms": [1.0]}))
    with pytest.raises(TypeError):
        qt_rr_pairs([1, 2])  # type: ignore[arg-type]


def test_line_against_scipy_and_a_known_answer():
    rng = np.random.default_rng(0)
    rr = rng.uniform(600, 1200, 80)
    qt = 250 + 0.16 * rr + rng.normal(0, 8, 80)
    line = fit_line(rr, qt)
    ref = stats.linregress(rr, qt)
    assert line["slope"] == pytest.approx(ref.slope) and line["r"] == pytest.approx(ref.rvalue)
    assert line["slope_ci_low"] < 0.16 < line["slope_ci_high"] and line["n"] == 80
    assert np.isnan(fit_line(np.ones(5), np.arange(5.0))["slope"])
    assert np.isnan(fit_line(np.arange(2.0), np.arange(2.0))["slope"])


def test_different_slopes_are_found_and_equal_ones_are_not():
    rng = np.random.default_rng(1)

    def group(slope: float) -> pd.DataFrame:
        rr = rng.uniform(600, 1200, 200)
        return pd.DataFrame({"rr_mean_ms": rr, "qt_ms": 250 + slope * rr + rng.normal(0, 8, 200)})

    same, note = compare_qt_rr(group(0.16), group(0.16))
    assert note is None and same.attrs["p_difference"] > 0.01
    steeper, _ = compare_qt_rr(group(0.16), group(0.25))
    assert steeper.attrs["p_difference"] < 1e-6
    missing, note = compare_qt_rr(group(0.16), pd.DataFrame({"heart_rate": [60.0] * 5}))
    assert "missing" in note and np.isnan(missing.at["fake", "slope"])
