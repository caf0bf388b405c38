"""Records with a known rhythm, laid out from a generated ECG's own median beat.

The P wave and the QRS–T of one generated ECG's median beat (eight leads, realistic
shapes) are placed independently: P waves where the atria fire, QRS–T complexes where
the ventricles do, so conduction, block, dissociation and premature beats are known.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import ecgtoolkit as et
from ecgtoolkit.measurement.record import beat_times

FS = 500.0
LEADS = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"]
# The P wave lies before this time of the median beat (s from the R peak), the QRS-T after.
_SPLIT_S = -0.07


@pytest.fixture(scope="session")
def lay_rhythm() -> Callable[..., et.ECG]:
    """``lay(p_times, qrs_times, ventricular=(), duration=10.0)``: an eight-lead ECG.

    ``p_times``: where each P wave's beat would have its R peak if conducted with the
    template's PR (s); ``qrs_times``: the R peaks (s); ``ventricular``: indices into
    ``qrs_times`` of beats drawn as premature ventricular complexes (the QRS–T inverted,
    1.5 times wider, no P wave of their own).
    """
    ecg = et.generate(1, seed=5, progress=False)[0]
    _, beat = et.measure(ecg, return_beats=True, progress=False)
    t = beat_times()
    p_part = beat * ((t < _SPLIT_S) * np.clip((t + 0.3) / 0.02, 0, 1))
    qrst = beat * ((t >= _SPLIT_S) * np.clip((0.6 - t) / 0.05, 0, 1))
    wide = -1.3 * np.stack([np.interp(t / 1.5, t, lead) for lead in qrst])
    wide *= np.clip((0.45 - t) / 0.05, 0, 1)

    def lay(p_times, qrs_times, ventricular=(), duration=10.0) -> et.ECG:
        tt = np.arange(int(duration * FS)) / FS
        x = np.zeros((len(LEADS), tt.size))
        for p in p_times:
            x += np.stack([np.interp(tt - p, t, lead, left=0, right=0) for lead in p_part])
        for i, q in enumerate(qrs_times):
            shape = wide if i in ventricular else qrst
            x += np.stack([np.interp(tt - q, t, lead, left=0, right=0) for lead in shape])
        return et.ECG(x, fs=FS, leads=LEADS)

    return lay
