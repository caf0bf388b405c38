"""Compare generated ECGs with real ones, statistically.

- :func:`compare` (:mod:`.compare`) returns a :class:`Comparison` (:mod:`.result`):
  per-feature tests (:mod:`.features`), whole-set distances (:mod:`.distances`),
  memorisation (:mod:`.memorisation`) and QT–RR rate adaptation (:mod:`.qt_rr`), on
  measurement tables read by :mod:`.tables`.
"""

from .compare import compare
from .result import Comparison

__all__ = ["Comparison", "compare"]
