"""The core every other part builds on: the ECG data model, lead names, units, checks,
atomic files, progress bars and the parallel engine.

Nothing here imports from the rest of the package (at module level).
"""

from .ecg import ECG
from .leads import GENERATED_LEADS, STANDARD_LEADS
from .version import __version__

__all__ = ["ECG", "GENERATED_LEADS", "STANDARD_LEADS", "__version__"]
