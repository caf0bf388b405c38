"""Reports: the realism report of generated ECGs and the HTML of a comparison.

- :func:`realism_report` (:mod:`.realism`): measured, checked, interpreted, compared;
- :func:`~.comparison.comparison_html` (:mod:`.comparison`): ``Comparison.to_html``;
- :func:`~.leaderboard.leaderboard_html` (:mod:`.leaderboard`): ``Leaderboard.to_html``;
- :func:`training_report` (:mod:`.training`): a training run, ``TrainingRun.to_html``;
- :mod:`.html`: the small HTML helpers they share.
"""

from .comparison import comparison_html
from .leaderboard import leaderboard_html
from .realism import RealismReport, realism_report
from .training import training_report

__all__ = [
    "RealismReport",
    "comparison_html",
    "leaderboard_html",
    "realism_report",
    "training_report",
]
