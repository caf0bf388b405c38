"""Plots: ECGs on ECG paper the way clinicians read them, statistics the way scientists do.

- :mod:`.paper`: the one ECG paper (grid, colours, calibration, decimation) shared with
  the viewer;
- :mod:`.ecg`: :func:`plot_ecg`, :func:`plot_fiducials`;
- :mod:`.stats`: :func:`plot_median_beats`, :func:`plot_qt_rr`, :func:`plot_bland_altman`;
- :mod:`.comparison`: histograms of a :class:`~ecgtoolkit.Comparison`;
- :mod:`.leaderboard`: :func:`plot_leaderboard`.
"""

from .comparison import plot_comparison
from .ecg import plot_ecg, plot_fiducials
from .leaderboard import plot_leaderboard
from .stats import plot_bland_altman, plot_median_beats, plot_qt_rr

__all__ = [
    "plot_bland_altman",
    "plot_comparison",
    "plot_ecg",
    "plot_fiducials",
    "plot_leaderboard",
    "plot_median_beats",
    "plot_qt_rr",
]
