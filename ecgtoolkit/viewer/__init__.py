"""Look through an ECG in Jupyter: scroll, zoom, switch leads, read calipers off ECG paper.

- :mod:`.model`: :class:`ECGViewer`, the state and everything the controls do;
- :mod:`.calipers`: what the calipers read, what they snap to, and the R peaks they
  start on;
- :mod:`.marks`: the fiducials, delineated a minute at a time as they come into view;
- :mod:`.render`: drawing the visible window on the shared ECG paper;
- :mod:`.widget`: :func:`view`, the ipywidgets controls around the picture.
"""

from .calipers import SNAP_KINDS, CaliperReading
from .model import ECGViewer
from .widget import view

__all__ = ["SNAP_KINDS", "CaliperReading", "ECGViewer", "view"]
