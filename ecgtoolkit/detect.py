"""R-peak (QRS) detection fused over all leads of a record."""

from __future__ import annotations

import numpy as np

from ._dsp import bandpass, moving_average, validate_record
from .ecg import ECG

__all__ = ["detect_rpeaks"]

# Band of most QRS energy (Pan & Tompkins 1985 use 5–15 Hz; 20 Hz keeps narrow QRS sharp).
_QRS_BAND_HZ = (5.0, 20.0)
_INTEGRATION_S = 0.10  # moving-window integration, about one QRS width
_REFRACTORY_S = 0.20  # no two ventricular depolarisations closer than this
_T_WAVE_S = 0.36  # a weak candidate this close to a beat is taken for a T wave
_BLOCK_S = 1.0  # blocks whose maxima give the local QRS level
_LEVEL_BLOCKS = 11  # median over this many blocks: a few large ectopic beats do not set it
_CHUNK_S = 300.0  # long records are processed in chunks of this length ...
_OVERLAP_S = 5.0  # ... overlapping by this much


def detect_rpeaks(ecg: ECG) -> np.ndarray:
    """Detect R peaks in one record, fusing all of its leads.

    Each lead is band-passed to the QRS band (5–20 Hz, zero phase), differentiated,
    squared and scaled by its own robust QRS energy level, so that polarity and lead
    gain do not matter; leads are averaged with weights that grow with how peaky their
    energy is (a lead of pure noise gets none), and the RMS of the result over a 100 ms
    moving window is the envelope
    (Pan & Tompkins 1985, doi:10.1109/TBME.1985.325532). Peaks of this multi-lead
    envelope are accepted above an adaptive threshold set from the median of 1-s block
    maxima over about 11 s around them (robust to single artefacts and to slow amplitude changes), with
    a 200 ms refractory period, rejection of weak candidates within 360 ms of a beat
    (T waves), and a search back at half threshold over gaps longer than 1.6 times the
    recent RR interval (missed or small ectopic beats). Records longer than 5 minutes
    are processed in overlapping chunks, so memory stays bounded for 24-h recordings.

    Parameters
    ----------
    ecg : ECG
        One record (not a batch) with 1 to 12 leads, any length of at least 2 s, sampled
        at 100 Hz or more, in mV.

    Returns
    -------
    numpy.ndarray
        Sorted sample indices (int64) of the R peaks: the sample of largest band-passed
        QRS deflection summed over leads, within ±80 ms of the envelope peak.

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        For a batch, fs < 100 Hz, a record shorter than 2 s, NaN/inf samples, flat or
        clipped leads, or implausible amplitudes (µV passed as mV).

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit.ecg import ECG
    >>> from ecgtoolkit.detect import detect_rpeaks
    >>> fs = 500
    >>> t = np.arange(10 * fs) / fs
    >>> beats = np.arange(0.5, 10, 0.8)              # 75 bpm
    >>> x = sum(np.exp(-0.5 * ((t - b) / 0.01) ** 2) for b in beats)
    >>> peaks = detect_rpeaks(ECG(x[np.newaxis], fs=fs, leads=["II"]))
    >>> np.allclose(peaks / fs, beats, atol=0.01)
    True
    """
    x, fs, _ = validate_record(ecg)
    return _detect(x, fs)


def _detect(x: np.ndarray, fs: float) -> np.ndarray:
    """R peaks of a validated ``(n_leads, n_samples)`` signal in mV."""
    n = x.shape[-1]
    chunk = int(_CHUNK_S * fs)
    if n <= chunk + int(_OVERLAP_S * fs):
        return _detect_chunk(x, fs)
    overlap = int(_OVERLAP_S * fs)
    found = []
    for start in range(0, n, chunk):
        lo = max(0, start - overlap)
        hi = min(n, start + chunk + overlap)
        peaks = _detect_chunk(x[:, lo:hi], fs) + lo
        found.append(peaks[(peaks >= start) & (peaks < start + chunk)])
    peaks = np.concatenate(found)
    # A beat found on both sides of a chunk seam would appear twice.
    keep = np.r_[True, np.diff(peaks) > _REFRACTORY_S * fs]
    return peaks[keep]


def _detect_chunk(x: np.ndarray, fs: float) -> np.ndarray:
    band = bandpass(x, fs, *_QRS_BAND_HZ)
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
    peakiness = np.log(np.maximum(top, 1e-300) / np.maximum(mid, 1e-300) / 20.0)
    weight = np.clip(peakiness, 0.0, None)[:, 0]
    if weight.sum() <= 0:
        weight = np.ones_like(weight)
    fused = np.tensordot(weight / weight.sum(), energy / scale, axes=(0, 0))
    # RMS envelope: amplitude scale, so that tall ectopic beats do not dwarf normal ones.
    envelope = np.sqrt(moving_average(fused, int(_INTEGRATION_S * fs)))
    # Candidates: the largest envelope value within ±100 ms (half the refractory period).
    candidates = _window_maxima(envelope, int(_REFRACTORY_S * fs / 2))
    if candidates.size == 0:
        return candidates.astype(np.int64)
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
    threshold = noise_at + 0.3 * (level_at - noise_at)
    # Only candidates that could pass the search back (half threshold) matter.
    keep = heights > 0.5 * threshold
    candidates, heights, threshold = candidates[keep], heights[keep], threshold[keep]

    accepted = _select(candidates, heights, threshold, fs)
    return _refine(band, scale, accepted, fs)


def _window_maxima(values: np.ndarray, half: int) -> np.ndarray:
    """Indices ``i`` where ``values[i]`` is the maximum of ``values[i-half : i+half+1]``.

    Same as ``np.flatnonzero(values == maximum_filter1d(values, 2 * half + 1))``, but
    several times faster: a window's maximum is either one of its local maxima or one
    of its two end samples, so only the (few) local maxima need comparing.
    """
    n = values.size
    if n < 3:
        return np.flatnonzero(values == values.max()) if n else np.empty(0, np.int64)
    rising = np.r_[True, values[1:] >= values[:-1]]
    falling = np.r_[values[:-1] >= values[1:], True]
    peaks = np.flatnonzero(rising & falling)
    height = values[peaks]
    ok = (height >= values[np.maximum(peaks - half, 0)]) & (
        height >= values[np.minimum(peaks + half, n - 1)]
    )
    for d in range(1, peaks.size):
        near = peaks[d:] - peaks[:-d] <= half
        if not near.any():
            break
        # A local maximum within reach that is higher disqualifies (both directions).
        ok[:-d] &= ~near | (height[:-d] >= height[d:])
        ok[d:] &= ~near | (height[d:] >= height[:-d])
    return peaks[ok]


def _running_median(values: np.ndarray, width: int) -> np.ndarray:
    """Centred running median with the window shrunk to the data at the ends."""
    if values.size <= width:
        return np.full(values.size, np.median(values))
    half = width // 2
    padded = np.pad(values, half, mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    if width % 2:
        # The middle of each sorted window is exactly np.median's value, faster.
        return np.sort(windows, axis=1)[:, half]
    return np.median(windows, axis=1)


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
            if gap < refractory or (gap < t_wave and weaker < 0.7 * stronger):
                # Two candidates too close for two beats: keep the larger; a weaker
                # partner within 360 ms is a P or T wave.
                if height[i] > height[last]:
                    beats[-1] = i
                continue
        beats.append(i)
    beats_arr = np.asarray(beats, dtype=np.int64)
    if beats_arr.size < 3:
        return candidates[beats_arr]
    # Search back: in a gap much longer than the preceding RR intervals (median of up
    # to 8), take the largest candidate above half the threshold that is not too close
    # to either beat.
    rr = np.diff(candidates[beats_arr])
    padded = np.r_[np.full(7, rr[0]), rr]
    typical = np.median(np.lib.stride_tricks.sliding_window_view(padded, 8), axis=1)
    typical = np.r_[typical[0], typical[:-1]]  # the RR before each gap
    extra = []
    for g in np.flatnonzero(rr > 1.6 * typical):
        prev, nxt = beats_arr[g], beats_arr[g + 1]
        inner = np.arange(prev + 1, nxt)
        ok = (
            (heights[inner] > 0.5 * threshold[inner])
            & (candidates[inner] - candidates[prev] > 0.4 * typical[g])
            & (candidates[nxt] - candidates[inner] > 0.4 * typical[g])
        )
        if ok.any():
            extra.append(int(inner[ok][np.argmax(heights[inner[ok]])]))
    return candidates[np.sort(np.r_[beats_arr, np.asarray(extra, dtype=np.int64)])]


def _refine(band: np.ndarray, scale: np.ndarray, peaks: np.ndarray, fs: float) -> np.ndarray:
    """Move each envelope peak to the largest summed |band-passed| deflection nearby."""
    if peaks.size == 0:
        return peaks.astype(np.int64)
    half = max(1, int(0.08 * fs))
    n = band.shape[-1]
    offsets = np.arange(-half, half + 1)
    idx = np.clip(peaks[:, None] + offsets[None, :], 0, n - 1)
    # Only the samples near the peaks are needed, not the whole record.
    magnitude = (np.abs(band[:, idx]) / np.sqrt(scale)[..., None]).sum(axis=0)
    refined = idx[np.arange(peaks.size), np.argmax(magnitude, axis=1)]
    refined = np.unique(refined)
    keep = np.r_[True, np.diff(refined) > _REFRACTORY_S * fs]
    return refined[keep].astype(np.int64)
