"""Signal processing on one record: filters, quality, R peaks, delineation, median beat.

In the order of the measurement pipeline:

- :mod:`.filters`: band-, low- and high-pass, baseline removal, notches, resampling, on
  arrays or ECG objects;
- :mod:`.quality`: is each lead usable (:func:`signal_quality`, :func:`assess`)?
- :mod:`.qrs` and :mod:`.rpeaks`: R peaks of the usable leads (:func:`detect_rpeaks`);
- :mod:`.segmenter` and :mod:`.delineation`: P/QRS/T waves of every beat and lead
  (:func:`delineate`);
- :mod:`.beats`: the one median beat (:func:`median_beat`);
- :mod:`.augment`: what recordings do to ECGs (noise, wander, hum, swapped cables);
  :mod:`.synthetic`: signals with exactly known intervals; :mod:`.kernels`: fast
  reductions.
"""

from .beats import MedianBeat, median_beat
from .delineation import FIDUCIAL_COLUMNS, delineate
from .filters import bandpass, highpass, lowpass, notch, remove_baseline, resample
from .quality import QUALITY_COLUMNS, signal_quality
from .rpeaks import detect_rpeaks

__all__ = [
    "FIDUCIAL_COLUMNS",
    "MedianBeat",
    "QUALITY_COLUMNS",
    "bandpass",
    "delineate",
    "detect_rpeaks",
    "highpass",
    "lowpass",
    "median_beat",
    "notch",
    "remove_baseline",
    "resample",
    "signal_quality",
]
