"""The DSP core of R-peak detection: a multi-lead QRS energy envelope and its peaks.

The array layer behind :func:`ecgtoolkit.detect_rpeaks`, which first chooses the leads
(:mod:`ecgtoolkit.signal.quality`). Works on arrays ``(n_leads, n_samples)`` in mV.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .filters import bandpass, resample

__all__ = ["find_rpeaks", "to_detect_rate", "QRS_BAND_HZ", "EDGE_S", "DETECT_FS"]

#: Rate (Hz) the detector works at: records are resampled to it, so that derivatives,
#: filters and windows act the same on every record.
DETECT_FS = 250.0
# Band of most QRS energy (Pan & Tompkins 1985 use 5–15 Hz; 20 Hz keeps narrow QRS sharp).
QRS_BAND_HZ = (5.0, 20.0)
_INTEGRATION_S = 0.10  # moving-window integration, about one QRS width
_REFRACTORY_S = 0.20  # no two ventricular depolarisations closer than this
_T_WAVE_S = 0.36  # a weak candidate this close to a beat is taken for a T wave ...
_T_WAVE_RATIO = 0.7  # ... when its envelope is below this fraction of the beat's
_BLOCK_S = 1.0  # blocks whose maxima give the local QRS level
_LEVEL_BLOCKS = 11  # median over this many blocks: a few large ectopic beats do not set it
_THRESHOLD = 0.3  # a beat's envelope exceeds noise + this × (QRS level − noise) ...
_SEARCH_BACK_THRESHOLD = 0.5  # ... or this fraction of the threshold in a search back,
_SEARCH_BACK_RR = 1.6  # over a gap longer than this many recent RR intervals,
_SEARCH_BACK_SPACING = 0.4  # at least this many recent RR intervals from either beat
_RECENT_RR = 8  # "recent RR interval": median of this many
# White noise gives a 99.5th percentile of slope energy about 17 times its median; QRS
# complexes thousands of times. A lead's fusion weight is log(ratio / this), at least 0.
_PEAKINESS_FLOOR = 20.0
_REFINE_S = (
    0.08  # the R peak is the largest band-passed deflection within this of the envelope peak
)
#: A detection whose QRS cannot lie inside the record, its R peak closer than this to
#: the first or last sample, is a partial complex (or a filter transient): dropped.
EDGE_S = 0.05
_CHUNK_S = 300.0  # long records are processed in chunks of this length ...
_OVERLAP_S = 5.0  # ... overlapping by this much


def to_detect_rate(x: np.ndarray, fs: float) -> np.ndarray:
    """``x`` resampled to :data:`DETECT_FS` (polyphase, as :func:`find_rpeaks` does)."""
    return resample(x, fs, DETECT_FS)


def find_rpeaks(
    x: np.ndarray,
    fs: float,
    weights: np.ndarray | None = None,
    at_detect_rate: np.ndarray | None = None,
) -> np.ndarray:
    """R peaks of a signal ``(n_leads, n_samples)`` in mV, fusing the leads.

    ``weights`` (one per lead, ≥ 0) scale each lead's vote on top of its own peakiness;
    a lead with weight 0 is left out. Leads must hold finite samples. The detector runs
    at :data:`DETECT_FS` whatever the record's rate, so that the same heartbeats are
    found at 100 Hz and at 1000 Hz; ``at_detect_rate`` may hold ``x`` already resampled
    (:func:`to_detect_rate`). Returns sorted sample indices (int64); see
    :func:`ecgtoolkit.detect_rpeaks` for the method.
    """
    n = x.shape[-1]
    chunk, overlap = int(_CHUNK_S * fs), int(_OVERLAP_S * fs)
    if n <= chunk + overlap:
        peaks = _detect_resampled(x, fs, weights, at_detect_rate)
    else:
        found = []
        for start in range(0, n, chunk):
            lo = max(0, start - overlap)
            hi = min(n, start + chunk + overlap)
            part = _detect_resampled(x[:, lo:hi], fs, weights) + lo
            found.append(part[(part >= start) & (part < start + chunk)])
        peaks = np.concatenate(found)
        # A beat found on both sides of a chunk seam would appear twice.
        peaks = peaks[np.r_[True, np.diff(peaks) > _REFRACTORY_S * fs]]
    edge = EDGE_S * fs
    return peaks[(peaks >= edge) & (peaks <= n - 1 - edge)]


def _detect_resampled(
    x: np.ndarray, fs: float, weights: np.ndarray | None, y: np.ndarray | None = None
) -> np.ndarray:
    """Detection at :data:`DETECT_FS`; peaks as sample indices at ``fs``."""
    y = to_detect_rate(x, fs) if y is None else y
    peaks = _detect_chunk(y, DETECT_FS, weights) * (fs / DETECT_FS)
    return np.clip(np.round(peaks), 0, x.shape[-1] - 1).astype(np.int64)


def _detect_chunk(x: np.ndarray, fs: float, weights: np.ndarray | None) -> np.ndarray:
    band = bandpass(x, fs, *QRS_BAND_HZ)
    # The slope of the band-passed signal favours steep QRS over rounded T and P waves.
    slope = np.gradient(band, axis=-1)
    energy = slope * slope
    # Percentiles from every k-th sample (about 125 per second): the same statistics at a
    # fraction of the cost on long records.
    stride = max(1, int(round(fs / 125.0)))
    mid, scale, top = np.percentile(energy[:, ::stride], [50.0, 98.0, 99.5], axis=-1, keepdims=True)
    scale[scale <= 0] = 1.0
    # Leads vote by how peaky their slope energy is: QRS complexes give a 99.5th
    # percentile thousands of times the median, white noise only about 17 times.
    peakiness = np.log(np.maximum(top, 1e-300) / np.maximum(mid, 1e-300) / _PEAKINESS_FLOOR)
    given = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    weight = np.clip(peakiness, 0.0, None)[:, 0] * given
    if weight.sum() <= 0:
        weight = given.copy()
    if weight.sum() <= 0:
        return np.empty(0, dtype=np.float64)
    fused = np.tensordot(weight / weight.sum(), energy / scale, axes=(0, 0))
    # RMS envelope: amplitude scale, so that tall ectopic beats do not dwarf normal ones.
    width = max(1, int(_INTEGRATION_S * fs))
    envelope = np.sqrt(np.maximum(ndimage.uniform_filter1d(fused, width, mode="nearest"), 0.0))
    # Candidates: the largest envelope value within ±100 ms (half the refractory period).
    half = int(_REFRACTORY_S * fs / 2)
    candidates = np.flatnonzero(
        envelope == ndimage.maximum_filter1d(envelope, 2 * half + 1, mode="nearest")
    )
    if candidates.size == 0:
        return candidates.astype(np.float64)
    heights = envelope[candidates]

    # Local QRS level: median of 1-s block maxima over about 11 s; noise: median of the
    # block medians. Medians keep artefacts and runs of large ectopics from setting them.
    block = min(int(_BLOCK_S * fs), envelope.size)
    n_blocks = envelope.size // block
    blocks = envelope[: n_blocks * block].reshape(n_blocks, block)
    level = _running_median(blocks.max(axis=1), _LEVEL_BLOCKS)
    noise = _running_median(np.median(blocks[:, ::stride], axis=1), _LEVEL_BLOCKS)
    centres = (np.arange(n_blocks) + 0.5) * block
    level_at = np.interp(candidates, centres, level)
    noise_at = np.interp(candidates, centres, noise)
    threshold = noise_at + _THRESHOLD * (level_at - noise_at)
    # Only candidates that could pass the search back (half threshold) matter.
    keep = heights > _SEARCH_BACK_THRESHOLD * threshold
    candidates, heights, threshold = candidates[keep], heights[keep], threshold[keep]

    accepted = _select(candidates, heights, threshold, fs)
    return _refine(band, scale, accepted, fs)


def _running_median(values: np.ndarray, width: int) -> np.ndarray:
    """Centred running median, the record mirrored at its ends; the median of all values
    when there are no more of them than one window holds."""
    if values.size <= width:
        return np.full(values.size, np.median(values))
    return ndimage.median_filter(values, width, mode="mirror")


def _select(
    candidates: np.ndarray, heights: np.ndarray, threshold: np.ndarray, fs: float
) -> np.ndarray:
    """Threshold, T-wave rejection and search back over long gaps."""
    strong = heights > threshold
    refractory = int(_REFRACTORY_S * fs)
    t_wave = int(_T_WAVE_S * fs)
    # Python scalars: this loop runs once per beat, and numpy scalars are slow.
    at, height = candidates.tolist(), heights.tolist()
    beats: list[int] = []
    for i in np.flatnonzero(strong).tolist():
        if beats:
            last = beats[-1]
            gap = at[i] - at[last]
            weaker, stronger = sorted((height[i], height[last]))
            if gap < refractory or (gap < t_wave and weaker < _T_WAVE_RATIO * stronger):
                # Two candidates too close for two beats: keep the larger; a weaker
                # partner within 360 ms is a P or T wave.
                if height[i] > height[last]:
                    beats[-1] = i
                continue
        beats.append(i)
    beats_arr = np.asarray(beats, dtype=np.int64)
    if beats_arr.size < 3:
        return candidates[beats_arr]
    # Search back: in a gap much longer than the recent RR intervals, take the largest
    # candidate above a lower threshold that is not too close to either beat.
    rr = np.diff(candidates[beats_arr])
    padded = np.r_[np.full(_RECENT_RR - 1, rr[0]), rr]
    typical = np.median(np.lib.stride_tricks.sliding_window_view(padded, _RECENT_RR), axis=1)
    typical = np.r_[typical[0], typical[:-1]]  # the RR before each gap
    extra = []
    for g in np.flatnonzero(rr > _SEARCH_BACK_RR * typical):
        prev, nxt = beats_arr[g], beats_arr[g + 1]
        inner = np.arange(prev + 1, nxt)
        spacing = _SEARCH_BACK_SPACING * typical[g]
        ok = (
            (heights[inner] > _SEARCH_BACK_THRESHOLD * threshold[inner])
            & (candidates[inner] - candidates[prev] > spacing)
            & (candidates[nxt] - candidates[inner] > spacing)
        )
        if ok.any():
            extra.append(int(inner[ok][np.argmax(heights[inner[ok]])]))
    return candidates[np.sort(np.r_[beats_arr, np.asarray(extra, dtype=np.int64)])]


def _refine(band: np.ndarray, scale: np.ndarray, peaks: np.ndarray, fs: float) -> np.ndarray:
    """Move each envelope peak to the largest summed |band-passed| deflection nearby.

    Returns sub-sample positions (float): the maximum of a parabola through the
    largest sample and its two neighbours.
    """
    if peaks.size == 0:
        return peaks.astype(np.float64)
    half = max(1, int(_REFINE_S * fs))
    n = band.shape[-1]
    offsets = np.arange(-half, half + 1)
    idx = np.clip(peaks[:, None] + offsets[None, :], 0, n - 1)
    # Only the samples near the peaks are needed, not the whole record.
    magnitude = (np.abs(band[:, idx]) / np.sqrt(scale)[..., None]).sum(axis=0)
    best = np.argmax(magnitude, axis=1)
    refined, order = np.unique(idx[np.arange(peaks.size), best], return_index=True)
    rows = np.arange(peaks.size)[order]
    best = best[order]
    inner = (best > 0) & (best < 2 * half)
    left = magnitude[rows, np.maximum(best - 1, 0)]
    mid = magnitude[rows, best]
    right = magnitude[rows, np.minimum(best + 1, 2 * half)]
    curve = left - 2 * mid + right
    shift = np.where(
        inner & (curve < 0), 0.5 * (left - right) / np.where(curve < 0, curve, -1), 0.0
    )
    refined = refined + np.clip(shift, -0.5, 0.5)
    keep = np.r_[True, np.diff(refined) > _REFRACTORY_S * fs]
    return refined[keep]
