"""Measure ECGs and judge what was measured.

- :func:`measure`, :func:`measure_leads`, :func:`amplitudes`: heart rate, global and
  per-lead intervals, QTc, axes, amplitudes (:mod:`.measure`, over the array layer of
  :mod:`.record` and :mod:`.intervals`; batches in parallel by :mod:`.batch`);
- :func:`measure_source`: every record of a batch, folder or Zarr store, locally or on
  a Dask cluster (:mod:`.sources`);
- :func:`check_leads`: lead physics and electrode placement (:mod:`.checks`,
  :mod:`.placement`);
- :func:`interpret`, :func:`is_normal`, :class:`NormalCriteria`: rule-based statements
  with their sources (:mod:`.interpretation`);
- :func:`~.acceptance.generate_accepted`: generated ECGs that pass a check.
"""

from .checks import CHECK_COLUMNS, check_leads, check_leads_signal
from .interpretation import AXIS_CATEGORIES, RHYTHMS, NormalCriteria, interpret, is_normal
from .measure import amplitudes, measure, measure_leads
from .sources import measure_source

__all__ = [
    "AXIS_CATEGORIES",
    "CHECK_COLUMNS",
    "RHYTHMS",
    "NormalCriteria",
    "amplitudes",
    "check_leads",
    "check_leads_signal",
    "interpret",
    "is_normal",
    "measure",
    "measure_leads",
    "measure_source",
]
