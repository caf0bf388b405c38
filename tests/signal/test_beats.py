"""The one median beat (ecgtoolkit/signal/beats.py)."""

from __future__ import annotations

import numpy as np
import pytest

from ecgtoolkit.signal.beats import PRE_S, median_beat
from ecgtoolkit.signal.synthetic import known_beats

FS = 500.0


def _record_with_ectopics() -> tuple[np.ndarray, np.ndarray]:
    """Twelve normal beats and three inverted (ectopic-like) ones, 0.8 s apart."""
    x = np.stack([known_beats(FS, duration_s=13.0)] * 2)
    onsets = np.arange(0.6, 13.0 - 0.6, 0.8)
    peaks = np.round((onsets + 0.04) * FS).astype(int)
    for k in (3, 7, 11):  # invert three beats
        lo, hi = peaks[k] - int(0.3 * FS), peaks[k] + int(0.3 * FS)
        x[:, lo:hi] *= -1
    return x, peaks


def test_only_beats_alike_make_the_median_unless_asked_otherwise():
    x, peaks = _record_with_ectopics()
    beat = median_beat(x, FS, peaks)
    assert beat.n_beats == peaks.size - 3 and not beat.like[[3, 7, 11]].any()
    assert beat.r0 == round(PRE_S * FS) and beat.fast.shape[0] == 2
    assert beat.fast[0, beat.r0] > 0.5  # upright, like the dominant beats
    every = median_beat(x, FS, peaks, alike_only=False)
    assert every.n_beats == peaks.size
    assert beat.times[beat.r0] == 0.0


def test_window_and_whole_beats():
    x, peaks = _record_with_ectopics()
    beat = median_beat(x, FS, peaks, alike_only=False, window_s=(0.45, 0.6), whole_only=True)
    assert beat.r0 == round(0.45 * FS) and beat.fast.shape[1] == round(1.05 * FS)
    inside = (peaks >= beat.r0) & (peaks + round(0.6 * FS) <= x.shape[1])
    assert beat.chosen.tolist() == np.flatnonzero(inside).tolist()


def test_marks_are_the_median_over_the_beats_alike():
    x, peaks = _record_with_ectopics()
    marks = {"QRS_on": np.repeat((peaks - 20.0)[:, None], 2, axis=1)}
    marks["QRS_on"][3] = np.nan
    beat = median_beat(x, FS, peaks, marks=marks)
    assert beat.marks["QRS_on"].tolist() == [beat.r0 - 20.0] * 2
    assert beat.spread["QRS_on"].tolist() == [0.0, 0.0]
    assert beat.found["QRS_on"].tolist() == [1.0, 1.0]  # the NaN beat is not alike


@pytest.mark.parametrize("n_peaks", [0, 2])
def test_too_few_beats_or_no_usable_lead_give_none(n_peaks):
    x, peaks = _record_with_ectopics()
    assert median_beat(x, FS, peaks[:n_peaks]) is None
    assert median_beat(x, FS, peaks, usable=np.zeros(2, bool)) is None
