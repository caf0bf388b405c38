"""Measure ECGs and judge what was measured.

- :func:`measure`, :func:`measure_leads`, :func:`amplitudes`, :func:`classify_beats`:
  heart rate, global and per-lead intervals, QTc, axes, amplitudes, beat labels (:mod:`.measure`, over the array layer of
  :mod:`.record` and :mod:`.intervals`; batches in parallel by :mod:`.batch`);
- :func:`measure_source`: every record of a batch, folder or Zarr store, locally or on
  a Dask cluster (:mod:`.sources`);
- :func:`check_leads`: lead physics and electrode placement (:mod:`.checks`,
  :mod:`.placement`);
- :func:`interpret`, :func:`is_normal`, :class:`NormalCriteria`: rule-based statements
  with their sources (:mod:`.interpretation`);
- :func:`check_reading`: a reading made by eye against the measurement (the
  notebooks' exercises, :mod:`.reading`);
- :func:`~.acceptance.generate_accepted`: generated ECGs that pass a check.
"""

from .checks import CHECK_COLUMNS, check_leads, check_leads_signal
from .interpretation import AXIS_CATEGORIES, RHYTHMS, NormalCriteria, interpret, is_normal
from .measure import amplitudes, classify_beats, measure, measure_leads
from .reading import Reading, check_reading
from .sources import measure_source

__all__ = [
    "AXIS_CATEGORIES",
    "CHECK_COLUMNS",
    "RHYTHMS",
    "NormalCriteria",
    "Reading",
    "amplitudes",
    "check_leads",
    "check_leads_signal",
    "check_reading",
    "classify_beats",
    "interpret",
    "is_normal",
    "measure",
    "measure_leads",
    "measure_source",
]
