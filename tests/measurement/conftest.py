"""Records with a known rhythm, laid out from a generated ECG's own median beat.

The P wave and the QRS–T of one generated ECG's median beat (eight leads, realistic
shapes) are placed independently: P waves where the atria fire, QRS–T complexes where
the ventricles do, so conduction, block, dissociation and premature beats are known.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import ecgtoolkit as et
from ecgtoolkit.measurement.record import beat_times
from ecgtoolkit.signal.synthetic import rhythm_from_beat

FS = 500.0
LEADS = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"]


@pytest.fixture(scope="session")
def lay_rhythm() -> Callable[..., et.ECG]:
    """``lay(p_times, qrs_times, ventricular=(), duration=10.0)``: an eight-lead ECG.

    :func:`ecgtoolkit.signal.synthetic.rhythm_from_beat` of one generated ECG's median
    beat: ``p_times``, where each P wave's beat would have its R peak if conducted with
    the template's PR (s); ``qrs_times``, the R peaks (s); ``ventricular``, indices into
    ``qrs_times`` of beats drawn as premature ventricular complexes.
    """
    ecg = et.generate(1, seed=5, progress=False)[0]
    _, beat = et.measure(ecg, return_beats=True, progress=False)

    def lay(p_times, qrs_times, ventricular=(), duration=10.0) -> et.ECG:
        return rhythm_from_beat(
            beat, beat_times(), p_times, qrs_times, fs=FS, leads=LEADS,
            ventricular=ventricular, duration_s=duration,
        )  # fmt: skip

    return lay
