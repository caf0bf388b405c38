"""Plots: ECGs on ECG paper the way clinicians read them, statistics the way scientists do.

- :mod:`.paper`: the one ECG paper (grid, colours, calibration, decimation) shared with
  the viewer;
- :mod:`.ecg`: :func:`plot_ecg`, :func:`plot_fiducials`;
- :mod:`.teaching`: :func:`plot_beat_intervals`, :func:`plot_lead_reversal`;
- :mod:`.stats`: :func:`plot_median_beats`, :func:`plot_qt_rr`, :func:`plot_bland_altman`;
- :mod:`.comparison`: a :class:`~ecgtoolkit.Comparison`'s forest plot, histograms and
  possible copies;
- :mod:`.leaderboard`: :func:`plot_leaderboard`;
- :mod:`.training`: :func:`plot_training`, a training run's curves.
"""

from .comparison import plot_comparison, plot_copies, plot_forest
from .ecg import plot_ecg, plot_fiducials
from .leaderboard import plot_leaderboard
from .stats import plot_bland_altman, plot_median_beats, plot_qt_rr
from .teaching import plot_beat_intervals, plot_lead_reversal
from .training import plot_training

__all__ = [
    "plot_beat_intervals",
    "plot_bland_altman",
    "plot_comparison",
    "plot_copies",
    "plot_ecg",
    "plot_fiducials",
    "plot_forest",
    "plot_lead_reversal",
    "plot_leaderboard",
    "plot_median_beats",
    "plot_qt_rr",
    "plot_training",
]
