"""The values of one measured record: rhythm, global intervals, QTc, axes, amplitudes.

The array layer behind :func:`ecgtoolkit.measure`, which documents every definition.
Each function takes the record's beats, marks or median beat
(:class:`~ecgtoolkit.signal.beats.MedianBeat`) and returns plain numbers.
"""

from __future__ import annotations

import numpy as np

from ..core.leads import leads_i_ii
from ..signal.beats import MedianBeat
from ..signal.kernels import nan_median

__all__ = [
    "AMPLITUDE_WAVES",
    "BEAT_LEADS",
    "CONFIRM_S",
    "PHYSIOLOGY_COLUMNS",
    "TRUSTED_SHARE",
    "TRUSTED_SPREAD_S",
    "amplitudes_on_beat",
    "axes",
    "global_fiducials",
    "global_intervals",
    "p_wave_share",
    "physiology_values",
    "pr_variability",
    "qtc",
    "rr_irregularity",
]

#: Columns that ``measure(..., physiology=True)`` adds after the global columns.
PHYSIOLOGY_COLUMNS: tuple[str, ...] = (
    "rmssd_ms", "sdnn_ms", "pnn50", "morphology_corr", "dipole_share",
)  # fmt: skip

#: Leads of the median beats that ``measure(..., return_beats=True)`` returns; also the
#: independent leads of the dipole share.
BEAT_LEADS: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")

#: Waves whose amplitude is reported per lead, as ``{wave}_amp_mv_{lead}``.
AMPLITUDE_WAVES: tuple[str, ...] = ("p", "q", "r", "s", "t", "st60")

#: A lead's mark on the median beat is trusted for the global intervals when the lead
#: has it in at least this share of the beats ...
TRUSTED_SHARE = 0.5
#: ... placed consistently: interquartile range over the beats at most this (s).
TRUSTED_SPREAD_S = 0.02
#: With three or more trusted leads, the earliest onset (latest offset) counts only when
#: another lead's mark lies within this (s): one lead's outlier does not set it.
CONFIRM_S = 0.010


def physiology_values(
    x: np.ndarray, fs: float, peaks: np.ndarray, beat: MedianBeat, leads: tuple[str, ...]
) -> dict[str, float]:
    """:data:`PHYSIOLOGY_COLUMNS` of one record (see :func:`measure`)."""
    import warnings

    import neurokit2 as nk

    out = dict.fromkeys(PHYSIOLOGY_COLUMNS, np.nan)
    if peaks.size >= 3:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NeuroKit2 warns on short records
            hrv = nk.hrv_time(peaks, sampling_rate=fs)
        out.update(
            rmssd_ms=float(hrv["HRV_RMSSD"].iloc[0]),
            sdnn_ms=float(hrv["HRV_SDNN"].iloc[0]),
            pnn50=float(hrv["HRV_pNN50"].iloc[0]),
        )
    usable = beat.usable
    pre, post = int(round(0.2 * fs)), int(round(0.45 * fs))
    at = peaks[beat.chosen]
    inside = (at >= pre) & (at + post <= x.shape[1])
    if inside.sum() >= 3:
        seg = beat.segments[inside][:, usable, beat.r0 - pre : beat.r0 + post]
        flat = seg.reshape(int(inside.sum()), -1)
        flat = flat - flat.mean(axis=1, keepdims=True)
        template = np.median(flat, axis=0)
        corr = flat @ template / (np.linalg.norm(flat, axis=1) * np.linalg.norm(template) + 1e-12)
        out["morphology_corr"] = float(np.median(corr))
    independent = [leads.index(n) for n in BEAT_LEADS if n in leads and usable[leads.index(n)]]
    if len(independent) >= 4:
        lo = max(beat.r0 - int(round(0.25 * fs)), 0)
        hi = beat.r0 + int(round(0.55 * fs))
        m = beat.fast[independent, lo:hi]
        m = m - m.mean(axis=1, keepdims=True)
        s = np.linalg.svd(m, compute_uv=False) ** 2
        out["dipole_share"] = float(s[:3].sum() / s.sum()) if s.sum() > 0 else np.nan
    return out


def rr_irregularity(rr: np.ndarray) -> float:
    """Normalised RMSSD: RMS of successive RR differences over the mean RR (NaN < 3 RR)."""
    if rr.size < 3:
        return np.nan
    return float(np.sqrt(np.mean(np.diff(rr) ** 2)) / rr.mean())


def p_wave_share(p_onsets: np.ndarray, usable: np.ndarray) -> float:
    """Share of beats with a P wave before the QRS in at least a third of the usable leads."""
    need = max(1, int(np.ceil(usable.sum() / 3)))
    found = np.isfinite(p_onsets[:, usable]).sum(axis=1) >= need
    return float(found.mean()) if found.size else np.nan


def pr_variability(marks: dict[str, np.ndarray], usable: np.ndarray) -> float:
    """Interquartile range over the beats of PR (samples; NaN with fewer than 3 P waves).

    Each beat's PR is the median over the usable leads of QRS onset − P onset.
    """
    pr = marks["QRS_on"][:, usable] - marks["P_on"][:, usable]
    have = np.isfinite(pr).any(axis=1)
    if have.sum() < 3:
        return np.nan
    per_beat = np.nanmedian(pr[have], axis=1)
    q1, q3 = np.percentile(per_beat, [25.0, 75.0])
    return float(q3 - q1)


def global_fiducials(beat: MedianBeat, fs: float) -> dict[str, float]:
    """Where the global intervals start and end on the median beat (samples).

    The earliest consistent ``P_on`` and ``QRS_on`` and the latest consistent
    ``QRS_off`` and ``T_off`` over the trusted leads (NaN where too few leads have the
    mark): the ends of :func:`global_intervals`' PR, QRS and QT.
    """
    need = max(1, int(np.ceil(beat.usable.sum() / 3)))
    spread = TRUSTED_SPREAD_S * fs
    confirm = CONFIRM_S * fs

    def extreme(name: str, latest: bool) -> float:
        values = beat.marks[name]
        present = beat.usable & np.isfinite(values)
        if present.sum() < need:
            return np.nan
        trusted = present & (beat.found[name] >= TRUSTED_SHARE) & (beat.spread[name] <= spread)
        chosen = np.sort(values[trusted if trusted.any() else present])
        if latest:
            chosen = chosen[::-1]
        if chosen.size >= 3:
            gaps = np.abs(np.diff(chosen))
            first = int(np.argmax(gaps <= confirm)) if (gaps <= confirm).any() else 0
            return float(chosen[first])
        return float(chosen[0])

    return {
        "P_on": extreme("P_on", latest=False),
        "QRS_on": extreme("QRS_on", latest=False),
        "QRS_off": extreme("QRS_off", latest=True),
        "T_off": extreme("T_off", latest=True),
    }


def global_intervals(beat: MedianBeat, fs: float) -> tuple[float, float, float]:
    """Global PR, QRS and QT (ms) on the median beat: extremes over trusted leads
    (:func:`global_fiducials`)."""
    f = global_fiducials(beat, fs)
    ms = 1000.0 / fs
    return (
        (f["QRS_on"] - f["P_on"]) * ms,
        (f["QRS_off"] - f["QRS_on"]) * ms,
        (f["T_off"] - f["QRS_on"]) * ms,
    )


def qtc(qt_ms: float, rr_s: float, heart_rate: float) -> dict[str, float]:
    """The four QT corrections (see :func:`measure` for sources)."""
    return {
        "qtc_bazett_ms": qt_ms / np.sqrt(rr_s),
        "qtc_fridericia_ms": qt_ms / np.cbrt(rr_s),
        "qtc_framingham_ms": qt_ms + 154.0 * (1.0 - rr_s),
        "qtc_hodges_ms": qt_ms + 1.75 * (heart_rate - 60.0),
    }


def axes(beat: MedianBeat, leads: tuple[str, ...]) -> dict[str, float]:
    out = {"p_axis_deg": np.nan, "qrs_axis_deg": np.nan, "t_axis_deg": np.nan}
    m = beat.marks
    base = beat.fast[
        np.arange(len(leads)), np.clip(np.nan_to_num(m["QRS_on"]).astype(int) - 2, 0, None)
    ]
    spans = {
        "p_axis_deg": (beat.fast, m["P_on"], m["P_off"]),
        "qrs_axis_deg": (beat.fast, m["QRS_on"], m["QRS_off"]),
        "t_axis_deg": (beat.slow, m["T_on"], m["T_off"]),
    }
    t = np.arange(beat.fast.shape[-1])
    for key, (sig, on, off) in spans.items():
        lo, hi = nan_median(np.stack([on, off]))
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            continue
        inside = (t >= lo) & (t <= hi)
        area = ((sig - base[:, None]) * inside).sum(axis=-1)
        pair = leads_i_ii(
            {lead: a for lead, a, ok in zip(leads, area, beat.usable, strict=True) if ok}
        )
        if pair is None:
            continue
        lead_i, lead_ii = pair
        out[key] = float(np.degrees(np.arctan2((2 * lead_ii - lead_i) / np.sqrt(3), lead_i)))
    return out


def amplitudes_on_beat(beat: MedianBeat, leads: tuple[str, ...], fs: float) -> dict[str, float]:
    m = beat.marks
    sig, slow = beat.fast, beat.slow
    n_leads, w = sig.shape
    rows = np.arange(n_leads)

    def at(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
        ok = np.isfinite(pos) & (pos >= 0) & (pos < w)
        out = np.full(n_leads, np.nan)
        out[ok] = values[rows[ok], pos[ok].astype(int)]
        return out

    base = at(sig, m["QRS_on"] - round(0.01 * fs))
    t = np.arange(w)[None, :]
    on, off = m["QRS_on"][:, None], m["QRS_off"][:, None]
    qrs = np.where((t >= on) & (t <= off), sig - base[:, None], np.nan)
    valid = np.isfinite(qrs).any(axis=1)
    r_amp = np.full(n_leads, np.nan)
    q_amp = np.full(n_leads, np.nan)
    s_amp = np.full(n_leads, np.nan)
    if valid.any():
        filled = np.where(np.isfinite(qrs), qrs, -np.inf)
        r_pos = np.argmax(filled, axis=1)
        r_amp[valid] = np.maximum(filled[valid, r_pos[valid]], 0.0)
        before = np.where(t < r_pos[:, None], qrs, np.nan)
        after = np.where(t > r_pos[:, None], qrs, np.nan)
        q_amp[valid] = np.minimum(np.nan_to_num(np.fmin.reduce(before, axis=1), nan=0.0), 0.0)[
            valid
        ]
        s_amp[valid] = np.minimum(np.nan_to_num(np.fmin.reduce(after, axis=1), nan=0.0), 0.0)[valid]
    values = {
        "p": at(sig, m["P_peak"]) - base,
        "q": q_amp,
        "r": r_amp,
        "s": s_amp,
        "t": at(slow, m["T_peak"]) - base,
        "st60": at(sig, m["QRS_off"] + round(0.06 * fs)) - base,
    }
    return {
        f"{wave}_amp_mv_{lead}": float(values[wave][i])
        for wave in AMPLITUDE_WAVES
        for i, lead in enumerate(leads)
    }
