"""QT against RR: the rate adaptation a generator should reproduce.

One row filter and one least-squares line (:func:`scipy.stats.linregress`) for the
comparison (:func:`compare_qt_rr`) and the plot (:func:`ecgtoolkit.plot_qt_rr`); the
figure follows Figure 3 of Thambawita et al. (2021), doi:10.1038/s41598-021-01295-2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["compare_qt_rr", "fit_line", "qt_rr_pairs"]

_COLUMNS = ("rr_mean_ms", "qt_ms")


def qt_rr_pairs(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """RR and QT (ms) of the measured records of a table.

    Only rows with ``status == "ok"`` count (all rows without a ``status`` column); rows
    where either value is missing or not a number are left out.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame.
    ValueError
        If it lacks ``rr_mean_ms`` or ``qt_ms``.

    Examples
    --------
    >>> t = pd.DataFrame({"rr_mean_ms": [800, 900, None], "qt_ms": [380, 400, 410]})
    >>> [a.tolist() for a in qt_rr_pairs(t)]
    [[800.0, 900.0], [380.0, 400.0]]
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a DataFrame of measurements, got {type(table).__name__}")
    missing = [c for c in _COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"the table lacks {', '.join(missing)}; use et.measure() tables")
    if "status" in table.columns:
        table = table.loc[table["status"] == "ok"]
    rr, qt = (pd.to_numeric(table[c], errors="coerce").to_numpy(dtype=float) for c in _COLUMNS)
    ok = np.isfinite(rr) & np.isfinite(qt)
    return rr[ok], qt[ok]


def fit_line(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Ordinary least squares of ``y`` on ``x``: ``slope`` with its t-based 95% CI,
    ``intercept_ms``, Pearson ``r`` and ``n`` (NaN with fewer than 3 points or no spread
    of ``x``).

    Examples
    --------
    >>> line = fit_line(np.array([600.0, 800, 1000]), np.array([350.0, 382, 414]))
    >>> round(line["slope"], 3), round(line["intercept_ms"], 1)
    (0.16, 254.0)
    """
    n = int(x.size)
    empty = dict.fromkeys(("slope", "slope_ci_low", "slope_ci_high", "intercept_ms", "r"), np.nan)
    if n < 3 or np.ptp(x) == 0:
        return {**empty, "n": n}
    fit = stats.linregress(x, y)
    half = stats.t.ppf(0.975, n - 2) * fit.stderr
    return {
        "slope": float(fit.slope),
        "slope_ci_low": float(fit.slope - half),
        "slope_ci_high": float(fit.slope + half),
        "intercept_ms": float(fit.intercept),
        "r": float(fit.rvalue) if np.ptp(y) > 0 else np.nan,
        "n": n,
    }


def compare_qt_rr(real: pd.DataFrame, fake: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """QT–RR lines of two groups and the p-value of equal slopes (``attrs``), and a note.

    The ``qt_rr`` table of :class:`~ecgtoolkit.Comparison` (see :func:`ecgtoolkit.compare`).
    """
    pairs = []
    note = None
    for table in (real, fake):
        try:
            pairs.append(qt_rr_pairs(table))
        except ValueError:
            pairs.append((np.empty(0), np.empty(0)))
            note = "qt_ms or rr_mean_ms missing: QT–RR slopes not computed"
    result = pd.DataFrame(
        [fit_line(*pair) for pair in pairs], index=pd.Index(["real", "fake"], name="group")
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
