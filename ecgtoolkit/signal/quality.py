"""Signal quality of every lead: does it carry an ECG that can be measured?

:func:`signal_quality` judges each lead of a record; :func:`assess` is the same on arrays
and also returns the R peaks found on the usable leads, which
:func:`ecgtoolkit.detect_rpeaks`, :func:`ecgtoolkit.delineate` and
:func:`ecgtoolkit.measure` use so that a bad lead never sets a measurement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.ecg import ECG
from ..core.validation import validate_record
from . import qrs
from .filters import bandpass, highpass, lowpass, notch

__all__ = ["signal_quality", "assess", "lead_checks", "Assessment", "QUALITY_COLUMNS"]

#: A lead whose robust peak-to-peak range is below this (mV) is flat.
FLAT_MV = 0.01
#: Largest plausible deflection from baseline (mV); more suggests µV passed as mV.
MAX_PLAUSIBLE_MV = 20.0
# Beat-based indices, on the QRS band (5–40 Hz) at the beats found on all leads:
#: QRS-to-background ratio below which a lead shows no QRS complexes of its own ...
MIN_QRS_SNR = 2.0
#: ... unless its beats repeat one shape (template correlation, Orphanidou et al. 2015)
MIN_TEMPLATE_CORR = 0.6
#: ... and it is not a smooth periodic wave (kurtosis; 1.5 for a sine, 3 for noise).
MIN_KURTOSIS = 2.5
# The shape of each beat, on the lead high-passed at 0.5 Hz and low-passed at 20 Hz: a
# slope is "steep" when it is at least a fifth of the beat's steepest. A QRS is a brief
# transient: its steep slopes come back to baseline within 150 ms of the R peak and fill
# a small part of the cycle; a step or ramp (sawtooth, square wave) does not come back,
# and the slopes of a smooth wave (triangle, sine) fill the cycle. The two thresholds
# were chosen by 5-fold cross-validation over whole records, real, generated and
# synthetic (benchmarks/bench_periodic.py), then by the same rule on all those records.
#: Largest ``step_ratio`` of an ECG lead: net over total change of the steep slopes
#: within 150 ms of a beat (0 when they return to baseline, 1 for a step).
MAX_STEP_RATIO = 0.34
#: Largest ``steep_fraction`` of an ECG lead: the share of the cycle with steep slopes.
MAX_STEEP_FRACTION = 0.5
#: Mains hum is reported (``Assessment.mains_hz``) when its spectral line stands this many
#: times above the neighbouring spectrum in the median lead. Notches at 50 and 60 Hz are
#: applied to every record, hum or not, so that a record gives the same measurements with
#: and without hum.
MAINS_LINE_RATIO = 10.0
_QRS_BAND_HZ = (5.0, 40.0)
_QRS_HALF_S = 0.06  # half width of the QRS window around an R peak
_BACKGROUND_GAP_S = 0.15  # the background excludes this much around each R peak (wide QRS)
_BEAT_WINDOW_S = (0.25, 0.45)  # beat window for the template, before and after the R peak
_MAX_BEATS = 300  # beats used for the indices, spread over a long record
_MIN_INTERVAL_SAMPLES = 10  # shorter gaps between beats do not count as background
_SHAPE_LOWPASS_HZ = 20.0  # the shape indices' band: slopes of the QRS, not of noise
_STEEP = 0.2  # a steep slope: at least this fraction of the beat's steepest
_RETURN_S = 0.15  # a QRS's steep slopes come back to baseline within this of the R peak
_SHAPE_BEATS = 60  # beats used for the shape indices, spread over the record
_MAINS_HZ = (50.0, 60.0)
_SHORT_S = 300.0  # records up to this long are resampled once, whole

#: Columns of :func:`signal_quality`, after ``record_id`` (batches) and ``lead``.
QUALITY_COLUMNS: tuple[str, ...] = (
    "usable", "reason", "qrs_snr", "template_corr", "kurtosis", "step_ratio",
    "steep_fraction", "qrs_amplitude_mv", "mains_ratio", "n_beats",
)  # fmt: skip


@dataclass(frozen=True)
class Assessment:
    """Quality of each lead of one record and the R peaks of its usable leads.

    Attributes
    ----------
    signal : numpy.ndarray
        ``(n_leads, n_samples)`` in mV, ready for analysis: notch-filtered at 50 and
        60 Hz (where below 0.45 fs), the samples of leads that failed :func:`lead_checks`
        set to zero.
    peaks : numpy.ndarray
        R-peak sample indices found on the usable leads (empty when none is usable).
    usable : numpy.ndarray
        One bool per lead.
    reasons : tuple of str
        Per lead, why it is not usable ("" when it is).
    indices : dict of str to numpy.ndarray
        The quality indices per lead (see :func:`signal_quality`).
    mains_hz : float
        Mains frequency found (50 or 60), or 0 when the record shows no hum.
    at_detect_rate : numpy.ndarray or None
        ``signal`` resampled to 250 Hz (records up to 5 minutes; None for longer ones),
        shared by detection, the quality indices and the delineation network.
    """

    signal: np.ndarray
    peaks: np.ndarray
    usable: np.ndarray
    reasons: tuple[str, ...]
    indices: dict[str, np.ndarray] = field(default_factory=dict)
    mains_hz: float = 0.0
    at_detect_rate: np.ndarray | None = None

    @property
    def problem(self) -> str | None:
        """Why the record cannot be measured (no usable lead, too few beats), or None."""
        if not self.usable.any():
            return "no usable lead: " + "; ".join(self.reasons)
        if self.peaks.size < 2:
            return (
                f"only {self.peaks.size} beat(s) found on the usable leads; at least 2 are needed"
            )
        return None


def signal_quality(ecg: ECG) -> pd.DataFrame:
    """Judge every lead: does it carry an ECG that can be measured?

    A lead is unusable when it holds non-finite samples, is flat, clipped (saturated)
    or implausibly large, or shows no QRS complexes at the heartbeats found on the
    record's leads together. The last is judged on the QRS band (5–40 Hz) with three
    published signal quality indices: the QRS-to-background ratio (median peak in
    ±60 ms around the beats over the background: the 95th percentile of each interval
    between the beats, the median over the intervals; a form of the QRS energy indices
    of Li, Mark and Clifford 2008), the template correlation (median
    correlation of each beat with the lead's median beat; Orphanidou et al. 2015, who
    accept 0.66) and the kurtosis of the 0.5 Hz high-passed lead (Li et al. 2008;
    about 3 for noise, 1.5 for a sine, 5 or more for an ECG). A lead is usable when its
    QRS-to-background ratio is at least 2, or its template correlation at least 0.6
    with a kurtosis of at least 2.5. Mains hum at 50 and 60 Hz is removed by notch
    filters first; ``mains_ratio`` says how much of it there was.

    A lead that passes is still unusable when its beats are those of a periodic wave
    rather than QRS complexes: **the steep slopes of each beat (at least a fifth of its
    steepest) must come back to baseline within 150 ms of the R peak and fill at most
    half of the cycle**, as a QRS, a brief transient, does; a sawtooth or square wave
    steps and does not come back (``step_ratio`` > 0.34), a triangle or rectified sine
    is steep all along (``steep_fraction`` > 0.5). The thresholds were chosen by
    cross-validation over whole records (``benchmarks/bench_periodic.py``): held out,
    they reject 2 of the 2,452 real leads the indices above accept and none of 2,400
    generated ones, and leave no usable lead in 97–100 % of the sawtooth, square,
    triangle, sine, rectified and clipped sine records. Trains of narrow pulses
    (under about 150 ms), damped ringing and fast-decaying "shark fins" look like QRS
    complexes to it and stay usable.

    Parameters
    ----------
    ecg : ECG
        One record or a batch, any leads, fs ≥ 100 Hz, at least 2 s, in mV.

    Returns
    -------
    pandas.DataFrame
        One row per lead (per record and lead for a batch, with a ``record_id`` column):
        ``lead``, ``usable`` (bool), ``reason`` ("" when usable), ``qrs_snr``,
        ``template_corr``, ``kurtosis``, ``step_ratio`` (net over total change of the
        steep slopes within 150 ms of the beats: 0 for a transient, 1 for a step),
        ``steep_fraction`` (share of the cycle with steep slopes),
        ``qrs_amplitude_mv`` (median QRS-band peak at the beats, mV), ``mains_ratio``
        (height of the 50/60 Hz line over its neighbours) and ``n_beats`` (beats found
        on the usable leads).

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        If fs < 100 Hz or the record is shorter than 2 s.

    References
    ----------
    Li Q., Mark R.G., Clifford G.D. (2008). Robust heart rate estimation from multiple
    asynchronous noisy sources using signal quality indices and a Kalman filter.
    Physiol Meas 29:15-32, doi:10.1088/0967-3334/29/1/002.
    Orphanidou C. et al. (2015). Signal-quality indices for the electrocardiogram and
    photoplethysmogram. IEEE J Biomed Health Inform 19:832-838,
    doi:10.1109/JBHI.2014.2338351.

    Examples
    --------
    >>> import numpy as np
    >>> import ecgtoolkit as et
    >>> fs = 500
    >>> t = np.arange(10 * fs) / fs
    >>> beats = sum(np.exp(-0.5 * ((t - b) / 0.012) ** 2) for b in np.arange(0.5, 10, 0.8))
    >>> noise = np.random.default_rng(0).normal(0, 0.3, t.size)
    >>> table = et.signal_quality(et.ECG(np.stack([beats, noise]), fs=fs, leads=["II", "V1"]))
    >>> table[["lead", "usable"]].to_dict("list")
    {'lead': ['II', 'V1'], 'usable': [True, False]}
    """
    if isinstance(ecg, ECG) and ecg.is_batch:
        frames = []
        for i, record_id in enumerate(ecg.record_ids):
            frame = signal_quality(ecg[i])
            frame.insert(0, "record_id", record_id)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)
    x, fs, leads = validate_record(ecg)
    result = assess(x, fs)
    table = pd.DataFrame({"lead": list(leads), "usable": result.usable, "reason": result.reasons})
    for name in QUALITY_COLUMNS[2:-1]:
        table[name] = result.indices[name]
    table["n_beats"] = int(result.peaks.size)
    return table


def lead_checks(x: np.ndarray, fs: float) -> tuple[np.ndarray, list[str]]:
    """Checks of each lead that need no beats: finite, not flat, plausible, not clipped.

    ``x`` is ``(n_leads, n_samples)`` in mV. Returns one bool per lead (passes) and the
    reasons ("" where it passes).
    """
    n_leads, n = x.shape
    ok = np.ones(n_leads, dtype=bool)
    reasons = [""] * n_leads
    finite = np.isfinite(x)
    for i in np.flatnonzero(~finite.all(axis=1)):
        ok[i] = False
        reasons[i] = f"{int((~finite[i]).sum())} non-finite samples (NaN or inf)"
    # Plausibility on a subsample keeps this cheap for 24 h recordings.
    step = max(1, n // 50_000)
    sub = np.where(finite[:, ::step], x[:, ::step], 0.0)
    lo, med, hi = np.percentile(sub, [0.5, 50.0, 99.5], axis=-1)
    spread = hi - lo
    deviation = np.maximum(hi - med, med - lo)
    for i in range(n_leads):
        if not ok[i]:
            continue
        if spread[i] < FLAT_MV:
            ok[i], reasons[i] = False, f"flat (range {spread[i]:.3g} mV < {FLAT_MV} mV)"
        elif deviation[i] > MAX_PLAUSIBLE_MV:
            ok[i] = False
            reasons[i] = (
                f"implausible amplitude ({deviation[i]:.3g} mV from baseline, > "
                f"{MAX_PLAUSIBLE_MV:g} mV): if the signal is in microvolts create the ECG "
                "with units='uV'"
            )
        elif _clipped(x[i], med[i], spread[i]):
            ok[i], reasons[i] = False, "clipped (saturated): many beats sit at one extreme value"
    return ok, reasons


def _clipped(lead: np.ndarray, median: float, spread: float) -> bool:
    """Saturation flattens the top (or bottom) of many beats: the extreme value recurs
    in several separate runs. A single run (flat record start) is not clipping."""
    n = lead.size
    for rail in (lead.max(), lead.min()):
        if abs(rail - median) < 0.5 * spread:
            continue  # an exactly flat baseline (synthetic signals) is not a rail
        at_rail = lead == rail
        if np.count_nonzero(at_rail) < max(10, 0.01 * n):
            continue
        if np.count_nonzero(np.diff(at_rail.astype(np.int8)) == 1) >= 3:
            return True
    return False


def _mains(x: np.ndarray, fs: float) -> tuple[float, np.ndarray]:
    """Mains frequency found (0 if none) and, per lead, its line-to-neighbours ratio.

    The ratio is reported for the likelier of 50 and 60 Hz (the larger median ratio).
    """
    n_leads, n = x.shape
    seg = int(fs)  # 1 Hz resolution
    candidates = [f0 for f0 in _MAINS_HZ if f0 + 6 < fs / 2]
    if n < 2 * seg or not candidates:
        return 0.0, np.zeros(n_leads)
    usable = n - n % seg
    blocks = x[:, :usable].reshape(n_leads, -1, seg)[:, :120]  # at most 2 minutes
    blocks = blocks - blocks.mean(axis=-1, keepdims=True)
    power = (np.abs(np.fft.rfft(blocks * np.hanning(seg), axis=-1)) ** 2).mean(axis=1)
    ratios = []
    for f0 in candidates:
        k = int(round(f0))
        line = power[:, k - 1 : k + 2].max(axis=1)
        around = np.median(np.c_[power[:, k - 6 : k - 2], power[:, k + 3 : k + 7]], axis=1)
        ratios.append(line / np.maximum(around, 1e-30))
    best = int(np.argmax([np.median(r) for r in ratios]))
    found = candidates[best] if np.median(ratios[best]) > MAINS_LINE_RATIO else 0.0
    return found, ratios[best]


def _beat_indices(x: np.ndarray, fs: float, peaks: np.ndarray) -> dict[str, np.ndarray]:
    """QRS-to-background ratio, template correlation, kurtosis, the shape indices and
    QRS amplitude per lead."""
    n_leads, n = x.shape
    nan = np.full(n_leads, np.nan)
    hp = highpass(x, fs, 0.5)
    centred = hp - hp.mean(axis=1, keepdims=True)
    var = (centred**2).mean(axis=1)
    kurtosis = np.where(var > 0, (centred**4).mean(axis=1) / np.maximum(var, 1e-30) ** 2, 0.0)
    out = {"qrs_snr": nan, "template_corr": nan.copy(), "kurtosis": kurtosis}
    out.update(_shape_indices(lowpass(hp, fs, _SHAPE_LOWPASS_HZ), fs, peaks))
    out["qrs_amplitude_mv"] = nan.copy()
    if peaks.size < 2:
        return out
    band = bandpass(x, fs, *_QRS_BAND_HZ)
    chosen = _spread(peaks, _MAX_BEATS)
    half = int(round(_QRS_HALF_S * fs))
    # At fast rates the background must still leave something between the beats.
    gap = int(round(min(_BACKGROUND_GAP_S * fs, 0.35 * np.median(np.diff(peaks)))))
    edges = np.zeros(n + 1, dtype=np.int64)
    np.add.at(edges, np.clip(peaks - gap, 0, n), 1)
    np.add.at(edges, np.clip(peaks + gap + 1, 0, n), -1)
    inside = np.cumsum(edges[:-1]) > 0
    stride = max(1, n // 200_000)
    outside = np.flatnonzero(~inside)[::stride]
    if outside.size < fs * 0.5:  # beats everywhere: no background to compare with
        return out
    background = _interval_background(np.abs(band[:, outside]), np.searchsorted(peaks, outside))
    window = np.clip(chosen[:, None] + np.arange(-half, half + 1), 0, n - 1)
    peak = np.median(np.abs(band[:, window]).max(axis=-1), axis=1)
    out["qrs_snr"] = peak / np.maximum(background, 1e-12)
    out["qrs_amplitude_mv"] = peak
    pre, post = (int(round(s * fs)) for s in _BEAT_WINDOW_S)
    whole = chosen[(chosen >= pre) & (chosen < n - post)]
    if whole.size >= 3:
        beats = band[:, whole[:, None] + np.arange(-pre, post)]  # (leads, beats, time)
        beats = beats - beats.mean(axis=-1, keepdims=True)
        template = np.median(beats, axis=1, keepdims=True)
        template = template - template.mean(axis=-1, keepdims=True)
        corr = (beats * template).sum(-1) / np.sqrt(
            (beats**2).sum(-1) * (template**2).sum(-1) + 1e-30
        )
        out["template_corr"] = np.median(corr, axis=1)
    return out


def _interval_background(size: np.ndarray, interval: np.ndarray) -> np.ndarray:
    """Per lead, the median over the intervals between beats of each one's 95th percentile.

    ``size``: ``(n_leads, n)`` magnitudes outside the beats; ``interval``: the interval
    (the number of beats before it) of each of those samples, non-decreasing. A few
    intervals filled by large ectopic beats or a burst of noise do not set the level
    the lead's usual QRS complexes are compared with, as one percentile over the whole
    record would.
    """
    ids, starts, counts = np.unique(interval, return_index=True, return_counts=True)
    full = counts >= _MIN_INTERVAL_SAMPLES
    if not full.any():
        return np.percentile(size, 95.0, axis=1)
    # Sort within each interval at once: interval k's values are offset by k * span.
    span = float(size.max()) + 1.0
    rank = np.repeat(np.arange(ids.size), counts)
    ordered = np.sort(size + rank * span, axis=1) - rank * span
    at = starts[full] + np.floor(0.95 * (counts[full] - 1)).astype(np.int64)
    return np.median(ordered[:, at], axis=1)


def _spread(peaks: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` of ``peaks``, evenly spread over the record."""
    return peaks[
        np.unique(np.linspace(0, peaks.size - 1, min(peaks.size, most)).round()).astype(int)
    ]


def _shape_indices(smooth: np.ndarray, fs: float, peaks: np.ndarray) -> dict[str, np.ndarray]:
    """``step_ratio`` and ``steep_fraction`` per lead: how the steep slopes of each beat
    (at least ``_STEEP`` of the beat's steepest) are laid out, on ``smooth``: the leads
    high-passed at 0.5 Hz and low-passed at ``_SHAPE_LOWPASS_HZ``.

    Each beat is the cycle from 0.4 to 0.6 median RR intervals around its R peak.
    ``step_ratio``: the net change over the total change of the steep slopes within
    ``_RETURN_S`` (at most 0.4 RR) of the R peak; ``steep_fraction``: the share of the
    cycle where the slope is steep. Both are medians over the beats (NaN with fewer than
    3 beats).
    """
    n_leads, n = smooth.shape
    out = {"step_ratio": np.full(n_leads, np.nan), "steep_fraction": np.full(n_leads, np.nan)}
    if peaks.size < 3:
        return out
    rr = int(np.median(np.diff(peaks)))
    pre = int(0.4 * rr)
    post = rr - pre
    whole = peaks[(peaks >= pre) & (peaks < n - post)]
    if whole.size < 3:
        return out
    whole = _spread(whole, _SHAPE_BEATS)
    slope = np.diff(smooth[:, whole[:, None] + np.arange(-pre, post + 1)], axis=-1)
    size = np.abs(slope)  # (leads, beats, samples of one cycle)
    steep = size > _STEEP * size.max(axis=-1, keepdims=True)
    half = min(int(round(_RETURN_S * fs)), pre)
    window = slice(pre - half, pre + half)
    near = np.where(steep[..., window], slope[..., window], 0.0)
    total = np.abs(near).sum(axis=-1)
    ratio = np.abs(near.sum(axis=-1)) / np.where(total > 0, total, 1.0)
    out["step_ratio"] = np.median(ratio, axis=1)
    out["steep_fraction"] = np.median(steep.mean(axis=-1), axis=1)
    return out


def _judge(indices: dict[str, np.ndarray]) -> tuple[np.ndarray, list[str]]:
    snr, corr, kurt = indices["qrs_snr"], indices["template_corr"], indices["kurtosis"]
    step, steep = indices["step_ratio"], indices["steep_fraction"]
    has_qrs = snr >= MIN_QRS_SNR
    repeats = (corr >= MIN_TEMPLATE_CORR) & (kurt >= MIN_KURTOSIS)
    is_step = step > MAX_STEP_RATIO
    is_smooth = steep > MAX_STEEP_FRACTION
    qrs_like = np.nan_to_num(has_qrs | repeats).astype(bool)
    usable = qrs_like & ~is_step & ~is_smooth
    reasons = []
    for i, ok in enumerate(usable):
        if ok:
            reasons.append("")
        elif qrs_like[i] and is_step[i]:
            reasons.append(
                "a periodic wave without QRS complexes: the steep deflection at each beat "
                f"does not return to baseline within {1000 * _RETURN_S:.0f} ms, as a step or "
                f"ramp does (step ratio {step[i]:.2f} > {MAX_STEP_RATIO:g})"
            )
        elif qrs_like[i]:
            reasons.append(
                "a periodic wave without QRS complexes: steep slopes fill "
                f"{steep[i]:.0%} of each cycle, where a QRS is brief (steep fraction > "
                f"{MAX_STEEP_FRACTION:g})"
            )
        elif kurt[i] < MIN_KURTOSIS and np.nan_to_num(corr[i]) >= MIN_TEMPLATE_CORR:
            reasons.append(
                f"a smooth periodic wave without QRS complexes (kurtosis {kurt[i]:.2f} < "
                f"{MIN_KURTOSIS:g})"
            )
        else:
            reasons.append(
                f"no QRS complexes at the beats (QRS-to-background ratio {snr[i]:.2f} < "
                f"{MIN_QRS_SNR:g}, template correlation {corr[i]:.2f} < {MIN_TEMPLATE_CORR:g})"
            )
    return usable, reasons


def assess(x: np.ndarray, fs: float) -> Assessment:
    """Judge the leads of one record ``(n_leads, n_samples)`` in mV and find its R peaks.

    The array form of :func:`signal_quality`. Steps: :func:`lead_checks`; notches at
    50 and 60 Hz; R peaks of the leads that passed, fused
    (:func:`ecgtoolkit.detect_rpeaks`); the beat-based indices at those peaks; if some
    leads turn out unusable, the R peaks again from the usable leads only.

    Returns
    -------
    Assessment
    """
    x = np.asarray(x, dtype=np.float64)
    n_leads = x.shape[0]
    passed, reasons = lead_checks(x, fs)
    work = np.where(passed[:, None], x, 0.0)
    mains_hz, mains_ratio = _mains(work[passed], fs) if passed.any() else (0.0, np.zeros(0))
    ratio = np.zeros(n_leads)
    ratio[passed] = mains_ratio
    below = tuple(f0 for f0 in _MAINS_HZ if f0 < 0.45 * fs)
    if below and passed.any():
        work[passed] = notch(work[passed], fs, below)
    empty = np.empty(0, dtype=np.int64)
    nan = np.full(n_leads, np.nan)
    indices = dict.fromkeys(QUALITY_COLUMNS[2:-2], nan)
    if not passed.any():
        return Assessment(work, empty, passed, tuple(reasons), {**indices, "mains_ratio": ratio})
    # One resampling to the detector's rate serves detection, the indices and the network.
    low = qrs.to_detect_rate(work, fs) if work.shape[-1] <= _SHORT_S * fs else None
    peaks = qrs.find_rpeaks(work, fs, weights=passed.astype(np.float64), at_detect_rate=low)
    indices = {k: np.full(n_leads, np.nan) for k in indices}
    if low is None:
        found = _beat_indices(work[passed], fs, peaks)
    else:
        rate = qrs.DETECT_FS
        at_rate = np.unique(np.clip(np.round(peaks * (rate / fs)), 0, low.shape[-1] - 1))
        found = _beat_indices(low[passed], rate, at_rate.astype(np.int64))
    for k, v in found.items():
        indices[k][passed] = v
    usable = passed.copy()
    if peaks.size >= 2:
        judged, why = _judge(found)
        for j, i in enumerate(np.flatnonzero(passed)):
            usable[i], reasons[i] = judged[j], why[j]
    else:
        for i in np.flatnonzero(passed):
            usable[i] = False
            reasons[i] = f"no heartbeats found ({peaks.size} QRS complex(es) in the record)"
    if not usable.any():
        peaks = empty
    elif not np.array_equal(usable, passed):
        peaks = qrs.find_rpeaks(work, fs, weights=usable.astype(np.float64), at_detect_rate=low)
    indices["mains_ratio"] = ratio
    return Assessment(work, peaks, usable, tuple(reasons), indices, mains_hz, low)
