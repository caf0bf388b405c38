"""Signals built with exactly known timing, for tests and benchmarks.

Every wave has a sharp start and end (a half sine or straight
segments), so its onset and offset are unambiguous.
"""

from __future__ import annotations

import numpy as np

from ..core.ecg import ECG
from ..core.leads import STANDARD_LEADS

#: Intervals of :func:`known_interval_record`, ms.
KNOWN = {"pr_ms": 160.0, "qrs_ms": 90.0, "qt_ms": 400.0, "p_ms": 100.0}
_RR_S = 0.8


def known_beats(fs: float, duration_s: float = 10.0, gains=(0.15, 1.0, 0.35)) -> np.ndarray:
    """One lead of beats every 0.8 s: P 100 ms (half sine), PR 160 ms, QRS 90 ms (q-R-s of
    straight segments), T a half sine ending 400 ms after QRS onset. Values in mV."""
    t = np.arange(int(round(duration_s * fs))) / fs
    x = np.zeros_like(t)
    gain_p, gain_r, gain_t = gains
    p_s, pr_s, qrs_s, qt_s = (KNOWN[k] / 1000 for k in ("p_ms", "pr_ms", "qrs_ms", "qt_ms"))
    for onset in np.arange(0.6, duration_s - 0.6, _RR_S):
        inside = (t >= onset - pr_s) & (t <= onset - pr_s + p_s)
        x[inside] += gain_p * np.sin(np.pi * (t[inside] - onset + pr_s) / p_s)
        inside = (t >= onset) & (t <= onset + qrs_s)
        knots = onset + np.array([0.0, 0.15, 0.40, 0.70, 1.0]) * qrs_s
        x[inside] += gain_r * np.interp(t[inside], knots, [0.0, -0.1, 1.0, -0.25, 0.0])
        t_on, t_off = onset + qrs_s + 0.08, onset + qt_s
        inside = (t >= t_on) & (t <= t_off)
        x[inside] += gain_t * np.sin(np.pi * (t[inside] - t_on) / (t_off - t_on))
    return x


def known_interval_record(
    fs: float, n_leads: int, polarity: float, rng: np.random.Generator
) -> tuple[ECG, dict[str, float]]:
    """A record of ``n_leads`` leads (1: II, 2: II and V2, 12: all) whose beats all have
    PR 160, QRS 90 and QT 400 ms, with random gains and the given polarity in every
    other lead; and those true intervals."""
    names = {1: ["II"], 2: ["II", "V2"]}.get(n_leads, list(STANDARD_LEADS[:n_leads]))
    lead = known_beats(fs)
    rows = [
        rng.uniform(0.4, 1.5) * (polarity if i % 2 == 0 else 1.0) * lead for i in range(n_leads)
    ]
    return ECG(np.array(rows), fs=fs, leads=names), dict(KNOWN)


def rhythm_from_beat(
    beat: np.ndarray,
    times: np.ndarray,
    p_times,
    qrs_times,
    *,
    fs: float,
    leads,
    ventricular=(),
    duration_s: float = 10.0,
) -> ECG:
    """A record of known rhythm laid out from one median beat's P wave and QRS–T.

    The beat ``(n_leads, n_times)`` in mV, its samples at ``times`` (s from the R peak),
    is cut 70 ms before the R peak: the part before is its P wave, the part after its
    QRS–T (both tapered to zero). P waves are placed where each would put its QRS if
    conducted with the beat's own PR (``p_times``, s), QRS–T complexes at the R peaks
    ``qrs_times`` (s), so conduction, block, dissociation and premature beats are
    known. The complexes at the indices ``ventricular`` (into ``qrs_times``) are drawn as
    premature ventricular ones: the QRS–T inverted, 1.5 times wider, cut 450 ms after
    the R peak.
    """
    t = np.asarray(times, dtype=np.float64)
    beat = np.asarray(beat, dtype=np.float64)
    p_part = beat * ((t < -0.07) * np.clip((t + 0.3) / 0.02, 0, 1))
    qrst = beat * ((t >= -0.07) * np.clip((0.6 - t) / 0.05, 0, 1))
    wide = -1.3 * np.stack([np.interp(t / 1.5, t, lead) for lead in qrst])
    wide *= np.clip((0.45 - t) / 0.05, 0, 1)
    tt = np.arange(int(round(duration_s * fs))) / fs
    x = np.zeros((beat.shape[0], tt.size))
    for p in p_times:
        x += np.stack([np.interp(tt - p, t, lead, left=0, right=0) for lead in p_part])
    for i, q in enumerate(qrs_times):
        shape = wide if i in ventricular else qrst
        x += np.stack([np.interp(tt - q, t, lead, left=0, right=0) for lead in shape])
    return ECG(x, fs=fs, leads=list(leads))
