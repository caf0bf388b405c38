"""ECG paper: the grid, colours, calibration pulse and trace decimation, for every plot.

One paper for the printed figures (:func:`ecgtoolkit.plot_ecg`) and the interactive
viewer (:func:`ecgtoolkit.view`). The grid is the standard one (AHA/ACC/HRS
recommendations for the standardization of the ECG, Kligfield et al. 2007,
doi:10.1161/CIRCULATIONAHA.106.180200): 1 mm boxes of 0.04 s by 0.1 mV and 5 mm boxes
of 0.2 s by 0.5 mV at 25 mm/s and 10 mm/mV.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CALIBRATION",
    "GAIN_MM_MV",
    "MM_PER_INCH",
    "OKABE_ITO",
    "PAPER",
    "SPEED_MM_S",
    "WAVES",
    "add_grid",
    "calibration_pulse",
    "centred",
    "decimate_minmax",
    "grid_segments",
]

#: Standard paper speed (mm/s) and amplitude (mm/mV).
SPEED_MM_S = 25.0
GAIN_MM_MV = 10.0
MM_PER_INCH = 25.4
#: The paper's colours: background, 1 mm lines, 5 mm lines, trace.
PAPER = {"background": "#fff6f4", "minor": "#f6c6c6", "major": "#e88f8f", "trace": "#000000"}
#: The waves, the columns of :func:`ecgtoolkit.delineate` that bound them (onset, peak,
#: offset) and their colours (Okabe & Ito 2008, safe for colour blindness).
WAVES: dict[str, tuple[tuple[str, str, str], str]] = {
    "P": (("P_on", "P_peak", "P_off"), "#009E73"),
    "QRS": (("QRS_on", "R_peak", "QRS_off"), "#0072B2"),
    "T": (("T_on", "T_peak", "T_off"), "#E69F00"),
}
#: Colours of groups in statistics plots (Okabe & Ito 2008), in order.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
#: The standard calibration pulse: 1 mV for 0.2 s, with 2.5 mm of baseline either side.
CALIBRATION = {"mv": 1.0, "s": 0.2, "gap_mm": 2.5}


def grid_segments(
    x_range: tuple[float, float], y_range: tuple[float, float], dx: float, dy: float
) -> tuple[np.ndarray, np.ndarray]:
    """The grid's lines as ``(n, 2, 2)`` segments: minor lines, and every fifth (major).

    Vertical lines every ``dx`` over ``x_range`` and horizontal lines every ``dy`` over
    ``y_range``, at multiples of the step (so that the grid lines up with zero).

    Examples
    --------
    >>> minor, major = grid_segments((0.0, 1.0), (0.0, 0.5), 0.04, 0.1)
    >>> len(minor), len(major)
    (24, 8)
    """
    (x0, x1), (y0, y1) = x_range, y_range
    minor, major = [], []
    for step, lo, hi, vertical in ((dx, x0, x1, True), (dy, y0, y1, False)):
        k = np.arange(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1)
        at = k * step
        ends = np.empty((at.size, 2, 2))
        if vertical:
            ends[:, :, 0] = at[:, None]
            ends[:, :, 1] = (y0, y1)
        else:
            ends[:, :, 0] = (x0, x1)
            ends[:, :, 1] = at[:, None]
        is_major = k % 5 == 0
        minor.append(ends[~is_major])
        major.append(ends[is_major])
    return np.concatenate(minor), np.concatenate(major)


def add_grid(
    ax: Axes,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    dx: float,
    dy: float,
    *,
    minor: bool = True,
) -> None:
    """Draw ECG paper into ``ax``: two line collections, the background, no ticks.

    ``minor=False`` leaves out the 1 mm lines (where they would merge into a wash).
    Without antialiasing, axis-parallel lines stay crisp and draw twice as fast.
    """
    from matplotlib.collections import LineCollection

    thin, thick = grid_segments(x_range, y_range, dx, dy)
    layers = [(thin, PAPER["minor"], 0.4)] if minor else []
    for lines, colour, width in [*layers, (thick, PAPER["major"], 0.8)]:
        ax.add_collection(
            LineCollection(lines, colors=colour, linewidths=width, antialiaseds=False, zorder=0),
            autolim=False,
        )
    ax.set_facecolor(PAPER["background"])
    ax.set_xlim(*x_range)
    ax.set_ylim(*y_range)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def calibration_pulse(ax: Axes, base: float, paper_speed: float) -> None:
    """The calibration pulse (1 mV for 0.2 s), ending 2.5 mm before time 0 of a row."""
    gap_s = CALIBRATION["gap_mm"] / paper_speed
    end = -gap_s
    start = end - CALIBRATION["s"]
    x = [start - gap_s, start, start, end, end, end + gap_s / 2]
    y = np.array([0.0, 0.0, CALIBRATION["mv"], CALIBRATION["mv"], 0.0, 0.0]) + base
    ax.plot(x, y, color=PAPER["trace"], lw=0.9, zorder=3, solid_joinstyle="miter")


def decimate_minmax(x: np.ndarray, n_columns: int) -> np.ndarray:
    """Indices of the samples to draw so that ``n_columns`` pixel columns look undecimated.

    The samples are cut into at most ``n_columns`` runs of equal length; each run keeps
    its smallest and largest sample (in time order), so every peak and trough is drawn
    at its own height and time, while a long trace costs at most ``2 * n_columns``
    points. NaN samples are kept only where a whole run is NaN, so gaps stay visible.

    Parameters
    ----------
    x : numpy.ndarray
        One-dimensional signal.
    n_columns : int
        Pixel columns the signal is drawn across (≥ 1).

    Returns
    -------
    numpy.ndarray
        Sorted int64 indices into ``x``; all of them when ``x`` has at most
        ``2 * n_columns`` samples.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros(10_000)
    >>> x[1234] = 5.0
    >>> idx = decimate_minmax(x, 100)
    >>> len(idx) <= 200, x[idx].max()
    (True, np.float64(5.0))
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"x has {x.ndim} dimensions, expected one")
    if int(n_columns) < 1:
        raise ValueError(f"n_columns must be at least 1, got {n_columns}")
    n = x.size
    if n <= 2 * int(n_columns):
        return np.arange(n, dtype=np.int64)
    run = -(-n // int(n_columns))
    n_runs = -(-n // run)
    padded = np.full(n_runs * run, np.nan)
    padded[:n] = x
    runs = padded.reshape(n_runs, run)
    missing = np.isnan(runs)
    lows = np.where(missing, np.inf, runs).argmin(axis=1)
    highs = np.where(missing, -np.inf, runs).argmax(axis=1)
    offsets = np.arange(n_runs, dtype=np.int64) * run
    idx = np.concatenate([lows + offsets, highs + offsets])
    return np.unique(idx[idx < n])


def centred(y: np.ndarray) -> np.ndarray:
    """The trace around its median (baseline offset removed; all-NaN stays as is)."""
    finite = y[np.isfinite(y)]
    return y - np.median(finite) if finite.size else y
