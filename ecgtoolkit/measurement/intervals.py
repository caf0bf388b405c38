"""The values of one measured record: rhythm, global intervals, QTc, axes, amplitudes.

The array layer behind :func:`ecgtoolkit.measure`, which documents every definition.
Each function takes the record's beats, marks or median beat
(:class:`~ecgtoolkit.signal.beats.MedianBeat`) and returns plain numbers.
"""

from __future__ import annotations

import numpy as np

from ..core.leads import leads_i_ii, select_leads
from ..signal.beats import MedianBeat
from ..signal.kernels import nan_median
from ..signal.vcg import VCG_SOURCE_LEADS, vcg_matrix

__all__ = [
    "AMPLITUDE_WAVES",
    "BEAT_LEADS",
    "CONFIRM_S",
    "CONVENTIONS",
    "PHYSIOLOGY_COLUMNS",
    "TRUSTED_SHARE",
    "TRUSTED_SPREAD_S",
    "amplitudes_on_beat",
    "axes",
    "check_convention",
    "global_fiducials",
    "global_intervals",
    "p_wave_share",
    "physiology_values",
    "pr_variability",
    "qtc",
    "rr_irregularity",
    "spatial_fiducials",
    "wave_vectors",
]

#: Columns that ``measure(..., physiology=True)`` adds after the global columns.
PHYSIOLOGY_COLUMNS: tuple[str, ...] = (
    "rmssd_ms", "sdnn_ms", "pnn50", "morphology_corr", "dipole_share",
)  # fmt: skip

#: Leads of the median beats that ``measure(..., return_beats=True)`` returns; also the
#: independent leads of the dipole share.
BEAT_LEADS: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")

#: Waves whose amplitude is reported per lead, as ``{wave}_amp_mv_{lead}``.
AMPLITUDE_WAVES: tuple[str, ...] = ("p", "q", "r", "s", "t", "j", "st60")

#: A lead's mark on the median beat is trusted for the global intervals when the lead
#: has it in at least this share of the beats ...
TRUSTED_SHARE = 0.5
#: ... placed consistently: interquartile range over the beats at most this (s).
TRUSTED_SPREAD_S = 0.02
#: With three or more trusted leads, the earliest onset (latest offset) counts only when
#: another lead's mark lies within this (s): one lead's outlier does not set it.
CONFIRM_S = 0.010

#: How the global intervals are taken (see :func:`ecgtoolkit.measure`):
#: ``"consistent-leads"``, the earliest onset and latest offset over the leads that mark
#: them consistently (:func:`global_fiducials`), and ``"median-beat"``, the boundaries of
#: the spatial magnitude of the median beat over all usable leads
#: (:func:`spatial_fiducials`).
CONVENTIONS: tuple[str, ...] = ("consistent-leads", "median-beat")
#: Median-beat convention: P and QRS boundaries where the spatial velocity crosses this
#: fraction of the way from its isoelectric level to its peak. A fixed, round fraction,
#: not fitted to any database.
SPATIAL_VELOCITY_FRACTION = 0.05
# Windows of the median-beat convention (s): the QRS peak near the R peak, the flattest
# stretch (the isoelectric level) before and after it, how far a boundary may lie.
_QRS_PEAK_S = 0.06
_FLAT_S = 0.02
_ISO_BEFORE_S = (-0.30, -0.04)
_ISO_AFTER_S = (0.04, 0.25)
_QRS_REACH_S = 0.15
_QRS_OFF_REACH_S = 0.20
_SETTLE_S = 0.01
_APEX_S = 0.02
_T_AFTER_QRS_S = 0.06
_T_SEARCH_S = 0.65
_T_DESCENT_S = 0.25
_T_FLOOR_S = 0.40


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


def check_convention(convention: str) -> str:
    """``convention`` if it is one of :data:`CONVENTIONS`, else a ValueError saying which are."""
    if convention not in CONVENTIONS:
        raise ValueError(
            f"unknown convention {convention!r}; use one of {list(CONVENTIONS)} "
            "(see the Notes of ecgtoolkit.measure)"
        )
    return convention


def _flattest(v: np.ndarray, lo: int, hi: int, width: int) -> float:
    """The smallest mean of ``v`` over ``width`` samples within ``[lo, hi)`` (NaN if none)."""
    lo, hi = max(lo, 0), min(hi, v.size)
    if hi - lo < width or width < 1:
        return np.nan
    return float(np.convolve(v[lo:hi], np.ones(width) / width, mode="valid").min())


def _back_to(v: np.ndarray, start: int, stop: int, level: float, gap: int) -> float:
    """Going back from ``start`` (at most to ``stop``), where ``v`` last rose above ``level``.

    Dips to ``level`` shorter than ``gap`` samples (a wave's apex, where every lead turns
    at once) do not end the wave.
    """
    stop = max(stop, 0)
    above = v[stop : start + 1] > level
    i = above.size - 1
    while i >= 0:
        below = np.flatnonzero(~above[: i + 1])
        if below.size == 0:
            return np.nan
        j = below[-1]
        previous = np.flatnonzero(above[:j])
        if previous.size == 0 or j - previous[-1] > gap:
            return float(stop + j)
        i = previous[-1]
    return np.nan


def spatial_fiducials(beat: MedianBeat, fs: float) -> dict[str, float]:
    """Global P onset, QRS onset and end and T end of the median beat over all usable leads.

    The ``"median-beat"`` convention of :func:`ecgtoolkit.measure`. The spatial velocity
    (the length of the vector of every usable lead's slope, on the 40 Hz median beat) is
    large in the QRS and flat between the waves: the QRS starts where, going back from
    its peak, it falls to :data:`SPATIAL_VELOCITY_FRACTION` of the way from the
    isoelectric level (the flattest 20 ms before the QRS) to the peak and stays there
    for more than 20 ms (a shorter dip is a wave's apex, where the leads turn at once),
    and ends where,
    going forward, it settles below the same fraction above the level after the QRS for
    10 ms. The P onset is that of :func:`global_fiducials` (the P wave's spatial velocity
    is too small against the noise for a threshold on it to be reliable). The T wave
    ends where the tangent at the steepest descent of the spatial magnitude (the RMS over
    the leads of the 12 Hz median beat, from the level 20 ms before the QRS) meets that
    magnitude's lowest level after the T wave: the tangent method (Lepeschkin and
    Surawicz 1952) on all leads at once. NaN where a boundary is not found.
    """
    nan = dict.fromkeys(("P_on", "QRS_on", "QRS_off", "T_off"), np.nan)
    leads = beat.usable
    if not leads.any():
        return nan
    x, n = beat.fast[leads], beat.fast.shape[-1]
    velocity = np.zeros(n)
    velocity[1:-1] = np.sqrt(((x[:, 2:] - x[:, :-2]) ** 2).sum(axis=0)) * fs / 2.0

    def at(seconds: float) -> int:
        return int(round(beat.r0 + seconds * fs))

    flat = max(1, int(round(_FLAT_S * fs)))
    gap = max(1, int(round(_APEX_S * fs)))
    lo, hi = max(at(-_QRS_PEAK_S), 0), min(at(_QRS_PEAK_S), n)
    if hi <= lo:
        return nan
    peak_at = lo + int(np.argmax(velocity[lo:hi]))
    peak = velocity[peak_at]
    before = _flattest(velocity, at(_ISO_BEFORE_S[0]), at(_ISO_BEFORE_S[1]), flat)
    after = _flattest(velocity, at(_ISO_AFTER_S[0]), at(_ISO_AFTER_S[1]), flat)
    f = SPATIAL_VELOCITY_FRACTION
    out = dict(nan)
    if np.isfinite(before):
        out["QRS_on"] = _back_to(
            velocity, peak_at, peak_at - int(_QRS_REACH_S * fs), before + f * (peak - before), gap
        )
    if np.isfinite(after):
        settle = max(1, int(round(_SETTLE_S * fs)))
        end = min(peak_at + int(_QRS_OFF_REACH_S * fs), n - settle)
        calm = velocity[peak_at : end + settle] <= after + f * (peak - after)
        if calm.size > settle:
            stays = np.lib.stride_tricks.sliding_window_view(calm, settle).all(axis=-1)
            first = np.flatnonzero(stays)
            out["QRS_off"] = float(peak_at + first[0]) if first.size else np.nan
    onset = out["QRS_on"]
    if not np.isfinite(onset):
        return out
    # The P wave's spatial velocity is too small against the noise for a threshold on it:
    # its onset is the consistent-leads rule's.
    out["P_on"] = global_fiducials(beat, fs)["P_on"]
    # T end: the tangent method on the spatial magnitude.
    ref = int(onset - 0.02 * fs)
    half = max(1, int(round(0.005 * fs)))
    if ref - half < 0 or not np.isfinite(out["QRS_off"]):
        return out
    slow = beat.slow[leads]
    magnitude = np.sqrt(
        np.mean((slow - slow[:, ref - half : ref + half + 1].mean(axis=1, keepdims=True)) ** 2, 0)
    )
    slope = np.gradient(magnitude)
    t0 = int(out["QRS_off"] + _T_AFTER_QRS_S * fs)
    t1 = min(int(onset + _T_SEARCH_S * fs), n - 1)
    if t1 <= t0 + 2:
        return out
    top = t0 + int(np.argmax(magnitude[t0:t1]))
    steep = top + int(
        np.argmin(slope[top : max(min(int(top + _T_DESCENT_S * fs), n - 1), top + 1)])
    )
    floor = float(magnitude[top : min(int(top + _T_FLOOR_S * fs), n)].min())
    if slope[steep] < 0:
        end = steep + (floor - magnitude[steep]) / slope[steep]
        out["T_off"] = float(end) if end < n else np.nan
    return out


def global_intervals(
    beat: MedianBeat, fs: float, convention: str = "consistent-leads"
) -> tuple[float, float, float]:
    """Global PR, QRS and QT (ms) on the median beat by ``convention`` (:data:`CONVENTIONS`):
    extremes over trusted leads (:func:`global_fiducials`) or the spatial boundaries of
    the median beat (:func:`spatial_fiducials`)."""
    check_convention(convention)
    f = (
        global_fiducials(beat, fs)
        if convention == "consistent-leads"
        else spatial_fiducials(beat, fs)
    )
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


#: The frontal-axis columns and the wave each is taken from.
_AXIS_WAVES = {"p_axis_deg": "P", "qrs_axis_deg": "QRS", "t_axis_deg": "T"}


def _wave_areas(beat: MedianBeat, leads: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """Each wave's net area in every usable lead of the median beat (mV × samples, from
    the level just before the QRS onset), keyed ``P``, ``QRS``, ``T`` where the wave is
    marked; the T wave on the 12 Hz beat, the others on the 40 Hz one."""
    m = beat.marks
    base = beat.fast[
        np.arange(len(leads)), np.clip(np.nan_to_num(m["QRS_on"]).astype(int) - 2, 0, None)
    ]
    spans = {
        "P": (beat.fast, m["P_on"], m["P_off"]),
        "QRS": (beat.fast, m["QRS_on"], m["QRS_off"]),
        "T": (beat.slow, m["T_on"], m["T_off"]),
    }
    t = np.arange(beat.fast.shape[-1])
    out = {}
    for wave, (sig, on, off) in spans.items():
        lo, hi = nan_median(np.stack([on, off]))
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            continue
        area = ((sig - base[:, None]) * ((t >= lo) & (t <= hi))).sum(axis=-1)
        out[wave] = {lead: a for lead, a, ok in zip(leads, area, beat.usable, strict=True) if ok}
    return out


def _vectors(areas: dict[str, dict[str, float]], method: str) -> dict[str, np.ndarray]:
    """The waves' mean vectors (X, Y, Z) from their areas in I, II (or two limb leads they
    follow from) and V1–V6 (:func:`ecgtoolkit.vcg`'s matrix); absent without them."""
    out = {}
    for wave, by_lead in areas.items():
        values = np.array(list(by_lead.values()), dtype=np.float64)[:, None]
        sources = select_leads(values, tuple(by_lead), VCG_SOURCE_LEADS, missing="nan")[:, 0]
        if np.isfinite(sources).all():
            out[wave] = vcg_matrix(method) @ sources
    return out


def wave_vectors(
    beat: MedianBeat, leads: tuple[str, ...], method: str = "kors"
) -> dict[str, np.ndarray]:
    """The mean P, QRS and T vectors (X, Y, Z; mV × samples) of the median beat: the
    waves' net areas of :func:`axes` through the vectorcardiogram's matrix
    (:func:`ecgtoolkit.vcg`). A wave is absent where it is not marked or where I/II and
    V1–V6 cannot all be had from the usable leads."""
    return _vectors(_wave_areas(beat, leads), method)


def axes(beat: MedianBeat, leads: tuple[str, ...]) -> dict[str, float]:
    """Frontal P, QRS and T axes and the spatial QRS–T angle of the median beat (degrees).

    Each wave's net area per lead (from the level just before the QRS onset) gives the
    frontal axis from leads I and II (or any two limb leads they follow from). With all
    six chest leads usable as well, the QRS and T areas of I, II, V1–V6 make the mean
    QRS and T vectors of the vectorcardiogram (Kors's matrix, :func:`wave_vectors`),
    and ``qrs_t_angle_deg`` is the angle between them in space (0–180°: the "mean"
    spatial QRS–T angle; Cortez & Schlegel, J Electrocardiol 2010;43:302–309, found the
    Kors regression closer to the Frank leads than the inverse Dower matrix for it).
    The mean QRS vector's direction in space is ``qrs_azimuth_deg``, its angle in the
    horizontal plane from X (the patient's left, 0°) towards Z (posterior, +90°;
    anterior −90°), −180 to 180°, and ``qrs_elevation_deg``, its angle from the
    horizontal plane, positive inferior (Y), −90 to 90°. Textbooks of vectorcardiography
    differ in these conventions (some measure elevation from the head, 0–180°); these
    follow the Frank axes of :func:`ecgtoolkit.vcg` (X left, Y inferior, Z posterior).
    """
    out = dict.fromkeys(
        (*_AXIS_WAVES, "qrs_t_angle_deg", "qrs_azimuth_deg", "qrs_elevation_deg"), np.nan
    )
    areas = _wave_areas(beat, leads)
    for key, wave in _AXIS_WAVES.items():
        pair = leads_i_ii(areas[wave]) if wave in areas else None
        if pair is not None:
            lead_i, lead_ii = pair
            out[key] = float(np.degrees(np.arctan2((2 * lead_ii - lead_i) / np.sqrt(3), lead_i)))
    vectors = _vectors({w: a for w, a in areas.items() if w != "P"}, "kors")
    if "QRS" in vectors and np.linalg.norm(vectors["QRS"]) > 0:
        x, y, z = vectors["QRS"]
        out["qrs_azimuth_deg"] = float(np.degrees(np.arctan2(z, x)))
        out["qrs_elevation_deg"] = float(np.degrees(np.arctan2(y, np.hypot(x, z))))
    if "QRS" in vectors and "T" in vectors:
        a, b = vectors["QRS"], vectors["T"]
        norm = float(np.linalg.norm(a) * np.linalg.norm(b))
        if norm > 0:
            cosine = float(np.clip(np.dot(a, b) / norm, -1.0, 1.0))
            out["qrs_t_angle_deg"] = float(np.degrees(np.arccos(cosine)))
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
        "j": at(sig, m["QRS_off"]) - base,
        "st60": at(sig, m["QRS_off"] + round(0.06 * fs)) - base,
    }
    return {
        f"{wave}_amp_mv_{lead}": float(values[wave][i])
        for wave in AMPLITUDE_WAVES
        for i, lead in enumerate(leads)
    }
