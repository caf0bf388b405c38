"""P, QRS and T wave delineation of every beat in every lead of one record."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._dsp import highpass, lowpass, validate_record
from .detect import _detect
from .ecg import ECG

__all__ = ["delineate", "FIDUCIAL_COLUMNS"]

#: Columns of :func:`delineate` holding sample indices, in temporal order.
FIDUCIAL_COLUMNS: tuple[str, ...] = (
    "P_on", "P_peak", "P_off", "QRS_on", "R_peak", "QRS_off", "T_on", "T_peak", "T_off",
)  # fmt: skip

_PRE_S = 0.55  # segment start before the R peak: long PR plus P duration
_POST_S = 0.80  # segment end after the R peak: long QT at slow rates
_BASELINE_HZ = 0.5  # high-pass for baseline wander (AHA: ≥ 0.05 Hz for ST; 0.5 Hz for timing)
_QRS_LOWPASS_HZ = 40.0
_PT_LOWPASS_HZ = 12.0  # T waves have little content above this
_P_LOWPASS_HZ = 25.0  # P waves: less smoothing keeps the QRS from leaking into the PR


@dataclass(frozen=True)
class _Params:
    """Method constants (seconds or fractions), fixed on the LUDB development split."""

    qrs_search: tuple[float, float] = (-0.12, 0.14)  # around R for the QRS extent
    qrs_core: float = 0.20  # fraction of peak multi-lead slope that marks the QRS core
    qrs_on_slope: float = 0.015  # onset where the lead's slope falls below this x its peak
    qrs_off_slope: float = 0.02
    qrs_reach: float = 0.06  # how far outside the core an onset/offset may lie
    p_window: tuple[float, float] = (0.30, 0.03)  # before QRS onset
    p_on_area_s: float = 0.08  # Zhang area window for the P onset ...
    p_off_area_s: float = 0.04  # ... and offset
    p_on_reach: float = 0.10  # P onset search before the P peak ...
    p_off_reach: float = 0.07  # ... and offset search after it
    t_window: tuple[float, float] = (0.06, 0.55)  # after QRS offset / after R, capped by RR
    t_area_s: float = 0.10  # Zhang area window for T boundaries
    t_reach: float = 0.20  # T end search from the T peak
    t_peak_spread: float = 0.05  # a lead's T peak lies this close to the all-lead T peak


_P = _Params()
_AF_IRREGULARITY = 0.06  # median |ΔRR| / median RR
_AF_REPEATABILITY = 0.8  # median correlation of pre-QRS windows with their median
# Below this the pre-QRS signal does not repeat even though the rhythm may be regular
# (AF or flutter with a paced or junctional ventricular rhythm): no P waves either.
_NO_P_REPEATABILITY = 0.5


def delineate(ecg: ECG) -> pd.DataFrame:
    """Delineate P, QRS and T waves of every beat in every lead.

    Method. R peaks come from :func:`ecgtoolkit.detect.detect_rpeaks` (all leads
    fused). The record is high-passed at 0.5 Hz (baseline wander) and low-passed at
    40 Hz (QRS), 25 Hz (P) and 12 Hz (T), zero phase, and cut into one segment per
    beat. The QRS core is where the multi-lead mean of normalised absolute slopes
    exceeds 20% of its peak; in each lead the onset (offset) is where that lead's
    slope, followed outwards from the core, falls below 1.5% (2%) of its largest QRS
    slope (a slope-threshold rule in the spirit of Martínez et al. 2004,
    doi:10.1109/TBME.2003.821031), and every lead gets the median of these over leads
    (more accurate per lead on the development split than each lead's own, noisy where
    its QRS is small). The P peak is the largest deviation from the straight line
    joining the start of the P window and the QRS onset; the T peak the largest
    deviation from the PR level after the QRS, within ±50 ms of the all-lead T peak
    (largest sum over leads of |deviation|) and before the next beat's P onset (at
    fast rates the next P wave would otherwise pass for a flat T wave); onsets and offsets of P and T maximise
    the area indicator of Zhang et al. 2006 (doi:10.1109/TBME.2006.884644), which
    finds where a wave's tail meets the baseline and resists noise and baseline shifts.
    Beats whose QRS correlates (r > 0.9) with the median beat take the marks found on
    the median beat (sample-wise median of those beats) relative to their own R peak;
    other beats (ectopics) keep their own. A record with an irregular rhythm (median
    |ΔRR| > 6% of the RR) whose pre-QRS atrial signal does not repeat from beat to beat
    (median correlation with its median < 0.8) is taken as atrial fibrillation or
    flutter and gets no P waves; so is a record of any rhythm whose pre-QRS signal
    hardly repeats at all (correlation < 0.5: AF with a regular paced rhythm).

    Parameters
    ----------
    ecg : ECG
        One record (not a batch), 1 to 12 leads, at least 2 s, fs ≥ 100 Hz, in mV.

    Returns
    -------
    pandas.DataFrame
        One row per (lead, beat), ordered by lead then beat, with columns ``lead``
        (names as in ``ecg.leads``), ``beat`` (0-based beat number, shared by all
        leads) and the sample indices ``P_on, P_peak, P_off, QRS_on, R_peak, QRS_off,
        T_on, T_peak, T_off`` as floats, NaN where a wave is absent or not measurable
        (e.g. no P wave in atrial fibrillation, a T wave cut off by the record's end).

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        For a batch or unusable input (see :func:`ecgtoolkit.detect.detect_rpeaks`).

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit.ecg import ECG
    >>> from ecgtoolkit.delineation import delineate
    >>> fs = 500
    >>> t = np.arange(10 * fs) / fs
    >>> def wave(centre, width, height):
    ...     return height * np.exp(-0.5 * ((t - centre) / width) ** 2)
    >>> beats = np.arange(0.6, 9.6, 0.9)
    >>> x = sum(wave(b - 0.16, 0.02, 0.15) + wave(b, 0.012, 1.2) + wave(b + 0.3, 0.04, 0.3)
    ...         for b in beats)
    >>> table = delineate(ECG(x[np.newaxis], fs=fs, leads=["II"]))
    >>> list(table.columns[:4])
    ['lead', 'beat', 'P_on', 'P_peak']
    >>> bool(np.allclose(table.R_peak / fs, beats, atol=0.004))
    True
    """
    x, fs, leads = validate_record(ecg)
    peaks = _detect(x, fs)
    marks, _ = _delineate_signal(x, fs, peaks)
    return _to_frame(marks, leads)


def _to_frame(marks: dict[str, np.ndarray], leads: tuple[str, ...]) -> pd.DataFrame:
    n_beats, n_leads = marks["R_peak"].shape
    data: dict[str, object] = {
        "lead": np.repeat(np.array(leads, dtype=object), n_beats),
        "beat": np.tile(np.arange(n_beats), n_leads),
    }
    for col in FIDUCIAL_COLUMNS:
        data[col] = marks[col].T.reshape(-1).astype(np.float64)
    return pd.DataFrame(data)


# ---------------------------------------------------------------------------------------
# core, on validated arrays
@dataclass(frozen=True)
class MedianBeat:
    """The representative beat of a record (median over beats like the dominant one).

    ``fast`` and ``slow`` are ``(n_leads, n_times)`` in mV (40 Hz and 12 Hz low-pass),
    with the R peak at index ``r0``; ``marks`` maps each fiducial (and the private
    per-lead QRS limits ``_QRS_on_lead`` / ``_QRS_off_lead``) to ``(n_leads,)`` indices.
    """

    fast: np.ndarray
    slow: np.ndarray
    marks: dict[str, np.ndarray]
    r0: int
    n_beats: int


def _delineate_signal(
    x: np.ndarray, fs: float, peaks: np.ndarray
) -> tuple[dict[str, np.ndarray], MedianBeat | None]:
    """Fiducials of every beat and lead as ``(n_beats, n_leads)`` sample indices, and the median beat."""
    n_leads, n = x.shape
    n_beats = peaks.size
    if n_beats == 0:
        return {c: np.empty((0, n_leads)) for c in FIDUCIAL_COLUMNS}, None
    base = highpass(x, fs, _BASELINE_HZ)
    fast = lowpass(base, fs, _QRS_LOWPASS_HZ)
    slow = lowpass(base, fs, _PT_LOWPASS_HZ)
    pwave = lowpass(base, fs, _P_LOWPASS_HZ)

    pre, post = int(round(_PRE_S * fs)), int(round(_POST_S * fs))
    offsets = np.arange(-pre, post)
    idx = peaks[:, None] + offsets[None, :]
    inside = (idx >= 0) & (idx < n)
    idx_c = np.clip(idx, 0, n - 1)
    seg_fast = fast[:, idx_c].transpose(1, 0, 2)  # (beats, leads, time)
    seg_slow = slow[:, idx_c].transpose(1, 0, 2)
    seg_p = pwave[:, idx_c].transpose(1, 0, 2)

    rr = np.diff(peaks) / fs
    typical_rr = float(np.median(rr)) if rr.size else 1.0
    rr_prev = np.r_[typical_rr, rr] if rr.size else np.array([typical_rr])
    rr_next = np.r_[rr, typical_rr] if rr.size else np.array([typical_rr])

    # Beats like the dominant one share the marks of the median beat; only the others
    # (ectopics, or all beats when fewer than 3 are alike) are delineated one by one.
    keys = (*FIDUCIAL_COLUMNS, "_QRS_on_lead", "_QRS_off_lead")
    marks = {c: np.full((n_beats, n_leads), np.nan) for c in keys}
    like, median_beat = _median_beat(seg_fast, seg_p, seg_slow, fs, pre, typical_rr)
    own = ~like
    if own.any():
        sub = _delineate_segments(
            seg_fast[own], seg_p[own], seg_slow[own], fs, pre, rr_prev[own], rr_next[own]
        )
        for col in keys:
            marks[col][own] = sub[col]
    if median_beat is not None:
        for col in keys:
            marks[col][like] = median_beat.marks[col]
        # Each beat keeps its own R peak: its largest deflection inside the shared QRS.
        f = seg_fast[like]
        on = np.broadcast_to(median_beat.marks["QRS_on"], f.shape[:2])
        off = np.broadcast_to(median_beat.marks["QRS_off"], f.shape[:2])
        marks["R_peak"][like] = _masked_argmax(np.abs(f - _take(f, on)[..., None]), on, off)
    # Marks that fall where a segment ran past the record's ends are not measurable.
    for col, pos in marks.items():
        ok = np.isfinite(pos)
        p = np.where(ok, pos, 0).astype(np.int64)
        valid = np.take_along_axis(inside, p, axis=1)
        marks[col] = np.where(ok & valid, pos, np.nan)

    # Atrial fibrillation / flutter: irregular ventricular rhythm without a repeating
    # atrial wave before the QRS (thresholds set on the LUDB development split).
    global_on = _nan_reduce(np.fmin, marks["QRS_on"]) + (peaks - pre)
    irregularity, repeatability = _atrial_features(pwave, global_on, rr, fs)
    irregular_af = irregularity > _AF_IRREGULARITY and repeatability < _AF_REPEATABILITY
    if irregular_af or repeatability < _NO_P_REPEATABILITY:
        for col in ("P_on", "P_peak", "P_off"):
            marks[col][:] = np.nan
            if median_beat is not None:
                median_beat.marks[col][:] = np.nan
    out = {}
    for col, rel in marks.items():
        absolute = rel + (peaks[:, None] - pre)
        absolute[(absolute < 0) | (absolute > n - 1)] = np.nan
        out[col] = absolute
    return out, median_beat


def _median_beat(
    fast: np.ndarray,
    pwave: np.ndarray,
    slow: np.ndarray,
    fs: float,
    r0: int,
    typical_rr: float,
) -> tuple[np.ndarray, MedianBeat | None]:
    """Find the beats like the dominant one and delineate their median beat.

    The sample-wise median over beats aligned on the fused R peak keeps the waves and
    removes noise. Beats whose QRS (±100 ms, all leads) correlates with the median of
    all beats by r > 0.9 are "like" it. Returns ``(like, median beat)``; the median beat
    is None when fewer than 3 beats are alike.
    """
    n_beats = fast.shape[0]
    like = np.zeros(n_beats, dtype=bool)
    if n_beats < 3:
        return like, None
    half = int(round(0.1 * fs))
    qrs = fast[..., r0 - half : r0 + half]
    template_qrs = _median_over_beats(qrs)
    a = qrs.reshape(n_beats, -1)
    a = a - a.mean(axis=1, keepdims=True)
    b = template_qrs.reshape(-1) - template_qrs.mean()
    corr = (a @ b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b) + 1e-12)
    like = corr > 0.9
    if like.sum() < 3:
        return np.zeros(n_beats, dtype=bool), None
    med = [_median_over_beats(seg[like])[None] for seg in (fast, pwave, slow)]
    rr = np.array([typical_rr])
    tmpl = _delineate_segments(*med, fs, r0, rr, rr)
    return like, MedianBeat(
        med[0][0], med[2][0], {k: v[0] for k, v in tmpl.items()}, r0, int(like.sum())
    )


def _median_over_beats(values: np.ndarray) -> np.ndarray:
    """``np.median(values, axis=0)`` for finite values, several times faster.

    Sorting along the first axis of a C-ordered array is much cheaper than numpy's
    median there, which partitions strided lanes. The middle values are averaged as
    numpy does, so the result is the same to the last bit.
    """
    n = values.shape[0]
    ordered = np.sort(values, axis=0)
    half = n // 2
    if n % 2:
        return ordered[half].copy()
    return (ordered[half - 1] + ordered[half]) / 2


def _nan_reduce(ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
    """Reduce over leads (axis 1) ignoring NaN, without warnings; NaN where all are NaN."""
    return ufunc.reduce(values, axis=1)


def _nan_median(values: np.ndarray) -> np.ndarray:
    """Median over leads (axis 1) ignoring NaN, without warnings; NaN where all are NaN."""
    # Sorting puts the NaN last; the middle two of the finite values are averaged as
    # np.nanmedian does (one value twice for an odd count), for the same result faster.
    count = np.isfinite(values).sum(axis=1)
    ordered = np.sort(values, axis=1)
    high = count // 2
    low = np.where(count % 2 == 1, high, high - 1)
    rows = np.arange(values.shape[0])
    out = (ordered[rows, np.maximum(low, 0)] + ordered[rows, high]) / 2
    out[count == 0] = np.nan
    return out


def _last_true_at_or_before(cond: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Index of the last True in ``cond[..., :limit+1]`` (NaN if none); limit may be NaN."""
    w = cond.shape[-1]
    t = np.arange(w)
    lim = np.where(np.isnan(limit), -1, limit)
    c = cond & (t <= lim[..., None])
    found = c.any(axis=-1)
    pos = w - 1 - np.argmax(c[..., ::-1], axis=-1)
    return np.where(found, pos, np.nan)


def _first_true_at_or_after(cond: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Index of the first True in ``cond[..., limit:]`` (NaN if none); limit may be NaN."""
    w = cond.shape[-1]
    t = np.arange(w)
    lim = np.where(np.isnan(limit), w, limit)
    c = cond & (t >= lim[..., None])
    found = c.any(axis=-1)
    return np.where(found, np.argmax(c, axis=-1), np.nan)


def _masked_argmax(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Argmax of ``values`` over ``lo <= t <= hi`` along the last axis (NaN if empty)."""
    w = values.shape[-1]
    t = np.arange(w)
    ok = (t >= lo[..., None]) & (t <= hi[..., None])
    v = np.where(ok, values, -np.inf)
    pos = np.argmax(v, axis=-1).astype(np.float64)
    # Empty where no whole sample lies in [lo, hi] inside the array (NaN limits too);
    # cheaper than ok.any(axis=-1).
    nonempty = np.maximum(np.ceil(lo), 0) <= np.minimum(np.floor(hi), w - 1)
    pos[~np.broadcast_to(nonempty, pos.shape)] = np.nan
    return pos


def _take(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``values[..., pos]`` for float positions that may be NaN (gives NaN there)."""
    ok = np.isfinite(pos)
    p = np.where(ok, pos, 0).astype(np.int64)
    out = values[(*np.indices(p.shape, sparse=True), p)]
    return np.where(ok, out, np.nan)


def _zhang_area(y: np.ndarray, width: int, forward: bool) -> np.ndarray:
    """Zhang et al. (2006) area indicator along the last axis.

    Offset form (``forward=False``): ``A(t) = sum_{u=t-W}^{t} (y(u) - y(t))``; onset
    form: ``A(t) = sum_{u=t}^{t+W} (y(u) - y(t))``. Windows that leave the array are
    truncated.
    """
    w = y.shape[-1]
    c = np.concatenate([np.zeros(y.shape[:-1] + (1,)), np.cumsum(y, axis=-1)], axis=-1)
    t = np.arange(w)
    if forward:
        lo, hi = t, np.minimum(t + width, w - 1)
    else:
        lo, hi = np.maximum(t - width, 0), t
    total = c[..., hi + 1] - c[..., lo]
    return total - (hi - lo + 1) * y


def _delineate_segments(
    fast: np.ndarray,
    pwave: np.ndarray,
    slow: np.ndarray,
    fs: float,
    r0: int,
    rr_prev: np.ndarray,
    rr_next: np.ndarray,
) -> dict[str, np.ndarray]:
    """Delineate segments ``(beats, leads, time)`` whose R peak is at index ``r0``.

    Returns fiducials relative to the segment start, ``(beats, leads)``, NaN if absent.
    """
    n_beats, n_leads, w = fast.shape
    t = np.arange(w)
    s = lambda sec: int(round(sec * fs))  # noqa: E731 - local unit conversion

    # -- QRS ---------------------------------------------------------------------------
    slope = np.abs(np.gradient(fast, axis=-1))
    lo_q, hi_q = r0 + s(_P.qrs_search[0]), r0 + s(_P.qrs_search[1])
    peak_slope = slope[..., lo_q : hi_q + 1].max(axis=-1)  # (beats, leads)
    norm = slope / np.maximum(peak_slope[..., None], 1e-9)
    fused = norm.mean(axis=1)  # (beats, time)
    in_search = (t >= lo_q) & (t <= hi_q)
    core = (fused > _P.qrs_core * fused[:, lo_q : hi_q + 1].max(axis=-1, keepdims=True)) & in_search
    core_on = np.argmax(core, axis=-1).astype(np.float64)
    core_off = (w - 1 - np.argmax(core[:, ::-1], axis=-1)).astype(np.float64)

    reach = s(_P.qrs_reach)
    big = norm > 0.3
    first_big = _first_true_at_or_after(
        big, np.broadcast_to(core_on[:, None] - s(0.02), (n_beats, n_leads))
    )
    last_big = _last_true_at_or_before(
        big, np.broadcast_to(core_off[:, None] + s(0.02), (n_beats, n_leads))
    )
    first_big = np.minimum(first_big, r0)
    last_big = np.maximum(last_big, r0)
    quiet_on = norm < _P.qrs_on_slope
    quiet_off = norm < _P.qrs_off_slope
    qrs_on = _last_true_at_or_before(quiet_on, first_big)
    qrs_off = _first_true_at_or_after(quiet_off, last_big)
    qrs_on = np.fmax(qrs_on, core_on[:, None] - reach)
    qrs_off = np.fmin(qrs_off, core_off[:, None] + reach)
    qrs_on = np.where(np.isnan(qrs_on), core_on[:, None] - reach, qrs_on)
    qrs_off = np.where(np.isnan(qrs_off), core_off[:, None] + reach, qrs_off)

    # Per-lead slope thresholds are noisy where a lead's QRS is small; the median over
    # leads was more accurate per lead on the development split than each lead's own.
    lead_on, lead_off = qrs_on, qrs_off
    qrs_on = np.broadcast_to(np.median(qrs_on, axis=1)[:, None], qrs_on.shape).copy()
    qrs_off = np.broadcast_to(np.median(qrs_off, axis=1)[:, None], qrs_off.shape).copy()

    # Per-lead R peak: the largest deflection from the QRS-onset level inside the QRS.
    level = _take(fast, qrs_on)
    dev = np.abs(fast - level[..., None])
    r_peak = _masked_argmax(dev, qrs_on, qrs_off)

    g_on = qrs_on[:, 0]
    g_off = qrs_off[:, 0]

    # -- P wave --------------------------------------------------------------------------
    # P peak: largest deviation from the straight line joining the window start and
    # the lead's QRS onset (removes the slope left by the previous T wave and wander).
    p_lo = np.maximum(g_on - s(_P.p_window[0]), r0 - 0.55 * rr_prev * fs)[:, None] + np.zeros(
        (1, n_leads)
    )
    p_hi = (g_on - s(_P.p_window[1]))[:, None] + np.zeros((1, n_leads))
    y_lo = _take(pwave, p_lo)
    y_on = _take(pwave, qrs_on)
    frac = (t - p_lo[..., None]) / np.maximum(qrs_on - p_lo, 1)[..., None]
    p_dev = pwave - (y_lo[..., None] + frac * (y_on - y_lo)[..., None])
    p_peak = _masked_argmax(np.abs(p_dev), p_lo, p_hi)
    p_sign = np.sign(_take(p_dev, p_peak))
    p_on = _masked_argmax(
        p_sign[..., None] * _zhang_area(pwave, s(_P.p_on_area_s), forward=True),
        np.fmax(p_peak - s(_P.p_on_reach), p_lo - s(0.03)),
        p_peak - s(0.01),
    )
    p_off = _masked_argmax(
        p_sign[..., None] * _zhang_area(pwave, s(_P.p_off_area_s), forward=False),
        p_peak + s(0.01),
        np.fmin(p_peak + s(_P.p_off_reach), qrs_on),
    )

    # -- T wave --------------------------------------------------------------------------
    iso = _take(slow, qrs_on - s(0.01))  # PR-segment level, per lead
    t_lo = (g_off + s(_P.t_window[0]))[:, None] + np.zeros((1, n_leads))
    # The T wave ends before the next beat's P wave begins: at fast rates the next P
    # wave falls inside a fixed T window and is taller than a flat T in many leads.
    next_r = r0 + rr_next * fs
    lead_pr = np.minimum(r0 - _nan_median(p_on), s(0.25))  # P onset to R, samples
    next_p = np.where(np.isfinite(lead_pr), next_r - lead_pr, next_r - s(0.12))
    t_end_cap = np.minimum(r0 + np.minimum(_P.t_window[1], 0.75 * rr_next) * fs, next_p)
    t_hi = np.broadcast_to(t_end_cap[:, None], (n_beats, n_leads)).astype(np.float64)
    t_dev = slow - iso[..., None]
    # The T wave of all leads together: the sum of |deviation from the PR level| peaks
    # where the large T waves do; each lead's T peak is sought near it, so a lead with a
    # flat T does not take a U wave or the next P wave for its T.
    t_all = np.abs(t_dev).sum(axis=1)  # (beats, time)
    g_peak = _masked_argmax(t_all, t_lo[:, 0], t_hi[:, 0])[:, None]
    t_peak = _masked_argmax(
        np.abs(t_dev),
        np.fmax(t_lo, g_peak - s(_P.t_peak_spread)),
        np.fmin(t_hi, g_peak + s(_P.t_peak_spread)),
    )
    t_sign = np.sign(_take(t_dev, t_peak))
    t_off = _masked_argmax(
        t_sign[..., None] * _zhang_area(slow, s(_P.t_area_s), forward=False),
        t_peak + s(0.02),
        np.fmin(t_peak + s(_P.t_reach), next_p[:, None]),
    )
    t_on = _masked_argmax(
        t_sign[..., None] * _zhang_area(slow, s(_P.t_area_s), forward=True),
        qrs_off + s(0.02),
        t_peak - s(0.02),
    )

    marks = {
        "P_on": p_on, "P_peak": p_peak, "P_off": p_off,
        "QRS_on": qrs_on, "R_peak": r_peak, "QRS_off": qrs_off,
        "T_on": t_on, "T_peak": t_peak, "T_off": t_off,
        "_QRS_on_lead": lead_on, "_QRS_off_lead": lead_off,
    }  # fmt: skip
    return marks


def _atrial_features(
    pwave: np.ndarray, qrs_on: np.ndarray, rr: np.ndarray, fs: float
) -> tuple[float, float]:
    """RR irregularity and beat-to-beat repeatability of the atrial (pre-QRS) signal.

    Returns ``(irregularity, repeatability)``: the median absolute successive RR
    difference relative to the median RR, and the median correlation of each beat's
    250 ms pre-QRS window (all leads, mean removed) with the median window over beats.
    Sinus P waves repeat (correlation near 1); fibrillatory waves do not.
    """
    if rr.size < 2 or qrs_on.size < 3:
        return 0.0, 1.0
    irregularity = float(np.median(np.abs(np.diff(rr))) / np.median(rr))
    lo, hi = int(round(0.25 * fs)), int(round(0.02 * fs))
    starts = qrs_on - lo
    ok = np.isfinite(starts) & (starts >= 0)
    if ok.sum() < 3:
        return irregularity, 1.0
    idx = starts[ok].astype(np.int64)[:, None] + np.arange(lo - hi)[None, :]
    windows = pwave[:, idx].transpose(1, 0, 2)  # (beats, leads, time)
    windows = windows - windows.mean(axis=-1, keepdims=True)
    template = _median_over_beats(windows)
    flat_w = windows.reshape(windows.shape[0], -1)
    flat_t = template.reshape(-1)
    num = flat_w @ flat_t
    den = np.linalg.norm(flat_w, axis=1) * np.linalg.norm(flat_t) + 1e-12
    return irregularity, float(np.median(num / den))
