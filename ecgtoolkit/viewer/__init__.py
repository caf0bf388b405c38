"""Look through an ECG in Jupyter: scroll, zoom, switch leads, read calipers off ECG paper.

- :mod:`.model`: :class:`ECGViewer`, the state and everything the controls do;
- :mod:`.marks`: the fiducials, delineated a minute at a time as they come into view;
- :mod:`.render`: drawing the visible window on the shared ECG paper;
- :mod:`.widget`: :func:`view`, the ipywidgets controls around the picture.
"""

from .model import CaliperReading, ECGViewer
from .widget import view

__all__ = ["CaliperReading", "ECGViewer", "view"]
