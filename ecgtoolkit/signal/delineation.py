"""P, QRS and T wave delineation of every beat in every lead of one record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.ecg import ECG
from ..core.validation import validate_record
from . import segmenter
from .pacing import Pacing, find_pacing, remove_spikes
from .quality import Assessment, assess
from .rpeaks import fuse_rpeaks

__all__ = ["FIDUCIAL_COLUMNS", "delineate", "delineate_record", "delineate_signal"]

#: Columns of :func:`delineate` holding sample indices, in temporal order.
FIDUCIAL_COLUMNS: tuple[str, ...] = (
    "P_on", "P_peak", "P_off", "QRS_on", "R_peak", "QRS_off", "T_on", "T_peak", "T_off",
)  # fmt: skip

# Turning the network's labels into waves (seconds; chosen on the LUDB development split).
_RUN_GAP_S = {"P": 0.02, "QRS": 0.012, "T": 0.04}  # runs closer than this are one wave
_RUN_SHORTEST_S = {"P": 0.02, "QRS": 0.02, "T": 0.04}  # shorter runs are dropped
_QRS_REACH_S = 0.06  # a beat's QRS run overlaps its R peak ± this
_P_TOUCH_S = 0.012  # a P wave ends before the QRS onset + this ...
_P_MAX_GAP_S = 0.30  # ... and no more than this before it (long PR segment) ...
_P_AFTER_PREV_R_S = 0.20  # ... and starts this long after the previous R peak
_T_TOUCH_S = 0.012  # a T wave starts after the QRS offset − this ...
_T_BEFORE_NEXT_R_S = 0.10  # ... and before the next R peak − this ...
_T_LATEST_START_S = 0.60  # ... and within this after its own R peak
# A record with P waves on fewer than this share of its (lead, beat) pairs has no
# regular atrial activity (AF or flutter): the stray "P waves" are dropped. On the LUDB
# development split AF records had at most 22%, sinus records at least 64%.
_MIN_P_SHARE = 0.4
_BLOCK_S = 60.0  # long records are labelled block by block ...
_CONTEXT_S = 5.0  # ... with this much signal on either side


def delineate(ecg: ECG) -> pd.DataFrame:
    """Delineate P, QRS and T waves of every beat in every lead.

    Method. Leads that carry no usable ECG are found first
    (:func:`ecgtoolkit.signal_quality`) and get no marks; R peaks come from
    :func:`ecgtoolkit.detect_rpeaks` (the usable leads fused). Each usable lead is then
    labelled sample by sample as P wave, QRS complex, T wave
    or none by a small 1-D U-Net (Ronneberger et al. 2015,
    doi:10.1007/978-3-319-24574-4_28; on LUDB see Moskalenko et al. 2020,
    arXiv:2001.04689) that sees the lead, resampled to 250 Hz and
    high-passed at 0.5 Hz, together with the root mean square of the usable leads. It was
    trained on the development part of the LUDB expert annotations
    (``benchmarks/trainsegmenter.py``; 124 k weights shipped in the package). Runs of
    one label closer than 12–40 ms are joined and very short runs dropped; a wave's
    onset and offset are the sub-sample points where its probability overtakes the
    others'. Per lead and beat, the QRS is the run that overlaps the R peak (±60 ms),
    the P wave the last P run ending before the QRS onset (within 300 ms, and starting
    200 ms after the previous R peak), the T wave the first T run after the QRS offset
    (before the next R peak). Wave peaks are the largest deviation from the line
    joining the wave's limits. A lead without a P run before a QRS gets no P wave: the
    network learnt from annotated atrial fibrillation (AF) records that fibrillatory
    waves are not P waves, and a record with P waves on fewer than 40% of its (lead,
    beat) pairs is taken as AF or flutter and gets none at all. Records longer than
    70 s are labelled in 60 s blocks (with 5 s of context on either side), so memory
    stays bounded and the AF rule applies per minute. Pacemaker stimuli are found and
    bridged first, as :func:`ecgtoolkit.measure` does (:func:`delineate_record`).

    Parameters
    ----------
    ecg : ECG
        One record (not a batch), 1 to 12 leads, at least 2 s, fs ≥ 100 Hz, in mV.

    Returns
    -------
    pandas.DataFrame
        One row per (lead, beat), ordered by lead then beat, with columns ``lead``
        (names as in ``ecg.leads``), ``beat`` (0-based beat number, shared by all
        leads), ``usable`` (whether the lead carries a usable ECG) and the sample
        indices ``P_on, P_peak, P_off, QRS_on, R_peak, QRS_off, T_on, T_peak, T_off`` as
        floats, NaN where a wave is absent or not measurable (e.g. no P wave in atrial
        fibrillation, a T wave cut off by the record's end, every mark of an unusable
        lead). ``R_peak`` is the beat's R peak found on all usable leads together, the
        same in every lead; ``P_peak`` and ``T_peak`` are the largest deviations of the
        lead from the line joining the wave's limits.

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        For a batch, fs < 100 Hz or a record shorter than 2 s.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit import ECG, delineate
    >>> fs = 500
    >>> t = np.arange(10 * fs) / fs
    >>> def wave(centre, width, height):
    ...     return height * np.exp(-0.5 * ((t - centre) / width) ** 2)
    >>> beats = np.arange(0.6, 9.6, 0.9)
    >>> x = sum(wave(b - 0.16, 0.02, 0.15) + wave(b, 0.012, 1.2) + wave(b + 0.3, 0.04, 0.3)
    ...         for b in beats)
    >>> table = delineate(ECG(x[np.newaxis], fs=fs, leads=["II"]))
    >>> list(table.columns[:5])
    ['lead', 'beat', 'usable', 'P_on', 'P_peak']
    >>> bool(np.allclose(table.R_peak / fs, beats, atol=0.004))
    True
    """
    x, fs, leads = validate_record(ecg)
    quality, _, marks, _ = delineate_record(x, fs, leads)
    if not marks:  # no usable lead, or too few beats: every mark NaN
        _, marks = delineate_signal(
            quality.signal, fs, quality.peaks, quality.usable, resampled=quality.at_detect_rate
        )
    return _to_frame(marks, leads, quality.usable)


def _assessed(x: np.ndarray, fs: float) -> tuple[Assessment, np.ndarray, dict[str, np.ndarray]]:
    quality = assess(x, fs)
    if quality.problem is not None:
        return quality, np.empty(0, dtype=np.int64), {}
    peaks, marks = delineate_signal(
        quality.signal, fs, quality.peaks, quality.usable, resampled=quality.at_detect_rate
    )
    return quality, peaks, marks


def delineate_record(
    x: np.ndarray, fs: float, leads: tuple[str, ...] | None = None
) -> tuple[Assessment, np.ndarray, dict[str, np.ndarray], Pacing]:
    """Judge, delineate and unpace one record ``(n_leads, n_samples)`` in mV.

    The first steps of :func:`delineate` and :func:`ecgtoolkit.measure`: the leads'
    quality (:func:`ecgtoolkit.signal.quality.assess`), every beat's marks
    (:func:`delineate_signal`), then pacemaker stimuli before the QRS complexes
    (:func:`ecgtoolkit.signal.pacing.find_pacing`); in a paced record the stimuli are
    bridged (:func:`ecgtoolkit.signal.pacing.remove_spikes`) and the record judged and
    delineated again, so that the marks are the heart's, not the stimulus's.

    Returns
    -------
    quality : Assessment
    peaks : numpy.ndarray
        The delineated beats' R peaks (empty when ``quality.problem`` says why).
    marks : dict of str to numpy.ndarray
        As :func:`delineate_signal` returns them (empty when ``quality.problem``).
    pacing : Pacing
        The stimuli found (``paced`` False when the record could not be delineated).
    """
    leads = tuple(leads) if leads is not None else tuple(f"lead {i + 1}" for i in range(len(x)))
    quality, peaks, marks = _assessed(x, fs)
    if quality.problem is not None or peaks.size == 0:
        return quality, peaks, marks, Pacing(False)
    pacing = find_pacing(x, fs, marks["QRS_on"], marks["QRS_off"], leads, quality.usable)
    if pacing.paced:
        quality, peaks, marks = _assessed(remove_spikes(x, pacing.spikes, fs), fs)
    return quality, peaks, marks, pacing


def _to_frame(
    marks: dict[str, np.ndarray], leads: tuple[str, ...], usable: np.ndarray
) -> pd.DataFrame:
    n_beats, n_leads = marks["R_peak"].shape
    data: dict[str, object] = {
        "lead": np.repeat(np.array(leads, dtype=object), n_beats),
        "beat": np.tile(np.arange(n_beats), n_leads),
        "usable": np.repeat(usable, n_beats),
    }
    for col in FIDUCIAL_COLUMNS:
        data[col] = marks[col].T.reshape(-1).astype(np.float64)
    return pd.DataFrame(data)


# ---------------------------------------------------------------------------------------
# the array layer
def delineate_signal(
    x: np.ndarray,
    fs: float,
    peaks: np.ndarray,
    usable: np.ndarray | None = None,
    *,
    fuse: bool = True,
    resampled: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Fiducials of every beat and lead of a signal ``(n_leads, n_samples)`` in mV.

    The array form of :func:`delineate`: ``peaks`` are the R peaks of the DSP detector,
    ``usable`` marks the leads to delineate (default: all; see
    :func:`ecgtoolkit.signal.quality.assess`, whose ``signal``, ``peaks`` and ``usable``
    fit here). With ``fuse``, the beats are first checked against the network's QRS
    labels (:func:`ecgtoolkit.signal.rpeaks.fuse_rpeaks`). ``resampled`` may hold ``x`` at the
    network's 250 Hz already (``Assessment.at_detect_rate``).

    Returns
    -------
    peaks : numpy.ndarray
        The beats' R peaks (int64 sample indices).
    marks : dict of str to numpy.ndarray
        For each name in :data:`FIDUCIAL_COLUMNS`, sample indices ``(n_beats,
        n_leads)`` (NaN where absent).
    """
    usable = np.ones(x.shape[0], dtype=bool) if usable is None else np.asarray(usable, bool)
    peaks, marks = _network_marks(x, fs, np.asarray(peaks, dtype=np.int64), usable, fuse, resampled)
    for values in marks.values():
        values[:, ~usable] = np.nan
    marks["R_peak"] = np.repeat(peaks.astype(np.float64)[:, None], x.shape[0], axis=1)
    return peaks, marks


def _wave_runs(prob: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(lead, onset, offset)`` of every P, QRS and T run in network samples."""
    labels = prob.argmax(axis=1)
    rate = segmenter.FS
    out = {}
    for cls, name in enumerate(segmenter.CLASSES):
        if name == "none":
            continue
        lead, first, last = segmenter.merge_runs(
            *segmenter.runs(labels, cls),
            gap=int(round(_RUN_GAP_S[name] * rate)),
            shortest=int(round(_RUN_SHORTEST_S[name] * rate)),
        )
        margin = prob[:, cls] - np.delete(prob, cls, axis=1).max(axis=1)
        # A wave's first (last) sample lies half a sample inside the probability crossing.
        on = segmenter.edge(margin, lead, first, first - 1) + 0.5
        off = segmenter.edge(margin, lead, last, last + 1) - 0.5
        out[name] = (lead, on, off)
    return out


def _select_run(
    runs: tuple[np.ndarray, np.ndarray, np.ndarray], lead: int, index, valid
) -> tuple[np.ndarray, np.ndarray]:
    """Onsets and offsets of one lead's runs chosen per beat (NaN where none is valid).

    ``index(on, off)`` gives each beat's candidate run, ``valid(on, off)`` says whether
    the candidate's limits qualify.
    """
    sel = runs[0] == lead
    on, off = runs[1][sel], runs[2][sel]
    j = index(on, off)
    if on.size == 0:
        empty = np.full(j.shape, np.nan)
        return empty, empty.copy()
    jc = np.clip(j, 0, on.size - 1)
    ok = (j >= 0) & (j < on.size) & valid(on[jc], off[jc])
    return np.where(ok, on[jc], np.nan), np.where(ok, off[jc], np.nan)


def _network_marks(
    x: np.ndarray,
    fs: float,
    peaks: np.ndarray,
    usable: np.ndarray,
    fuse: bool,
    resampled: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per-lead fiducials of each beat; long records go in blocks of bounded memory.

    Each block of :data:`_BLOCK_S` is labelled with :data:`_CONTEXT_S` of signal on
    either side, and keeps the marks of the beats whose R peak lies in the block.
    """
    n_leads, n = x.shape
    block, context = int(_BLOCK_S * fs), int(_CONTEXT_S * fs)
    if n <= block + 2 * context:
        return _block_marks(x, fs, peaks, usable, fuse, resampled)
    found: list[np.ndarray] = []
    parts: list[dict[str, np.ndarray]] = []
    for start in range(0, n, block):
        lo, hi = max(0, start - context), min(n, start + block + context)
        near = (peaks >= lo) & (peaks < hi)
        block_peaks, part = _block_marks(x[:, lo:hi], fs, peaks[near] - lo, usable, fuse)
        block_peaks = block_peaks + lo
        mine = (block_peaks >= start) & (block_peaks < start + block)
        found.append(block_peaks[mine])
        parts.append({col: values[mine] + lo for col, values in part.items()})
    marks = {col: np.concatenate([p[col] for p in parts]) for col in FIDUCIAL_COLUMNS}
    return np.concatenate(found), marks


def _block_marks(
    x: np.ndarray,
    fs: float,
    peaks: np.ndarray,
    usable: np.ndarray,
    fuse: bool,
    resampled: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The beats and per-lead fiducials of each from the segmentation network's labels."""
    n_leads = x.shape[0]
    prob, inputs = segmenter.probabilities(x, fs, usable, resampled)
    if fuse and usable.any():
        peaks = fuse_rpeaks(peaks, prob, inputs, usable, fs, x.shape[1])
    n_beats = peaks.size
    marks = {c: np.full((n_beats, n_leads), np.nan) for c in FIDUCIAL_COLUMNS}
    if n_beats == 0:
        return peaks, marks
    runs = _wave_runs(prob)
    rate = segmenter.FS
    r = peaks * (rate / fs)
    prev_r = np.r_[-np.inf, r[:-1]]
    next_r = np.r_[r[1:], np.inf]
    reach = _QRS_REACH_S * rate
    for li in range(n_leads):
        q_on, q_off = _select_run(
            runs["QRS"],
            li,
            lambda on, off: np.searchsorted(on, r + reach, side="right") - 1,
            lambda on, off: off >= r - reach,
        )
        before = np.where(np.isfinite(q_on), q_on, r - 0.03 * rate)
        after = np.where(np.isfinite(q_off), q_off, r + 0.04 * rate)
        p_on, p_off = _select_run(
            runs["P"],
            li,
            lambda on, off, b=before: np.searchsorted(off, b + _P_TOUCH_S * rate, side="right") - 1,
            lambda on, off, b=before: (
                (on > prev_r + _P_AFTER_PREV_R_S * rate) & (off > b - _P_MAX_GAP_S * rate)
            ),
        )
        t_on, t_off = _select_run(
            runs["T"],
            li,
            lambda on, off, a=after: np.searchsorted(on, a - _T_TOUCH_S * rate, side="left"),
            lambda on, off: (
                (on < next_r - _T_BEFORE_NEXT_R_S * rate) & (on < r + _T_LATEST_START_S * rate)
            ),
        )
        for name, values in (
            ("P_on", p_on), ("P_off", p_off), ("QRS_on", q_on), ("QRS_off", q_off),
            ("T_on", t_on), ("T_off", t_off),
        ):  # fmt: skip
            marks[name][:, li] = values
    if np.isfinite(marks["P_on"][:, usable]).mean() < _MIN_P_SHARE:
        marks["P_on"][:] = np.nan
        marks["P_off"][:] = np.nan
    signal = inputs[:, 0]
    marks["P_peak"] = _wave_peak(signal, marks["P_on"], marks["P_off"])
    marks["T_peak"] = _wave_peak(signal, marks["T_on"], marks["T_off"])
    n = x.shape[1]
    for name, values in marks.items():
        pos = np.round(values * (fs / rate))
        pos[(pos < 0) | (pos > n - 1)] = np.nan
        marks[name] = pos
    return peaks, marks


def _wave_peak(signal: np.ndarray, on: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Largest deviation of each lead's signal from the line joining a wave's limits.

    ``signal`` is ``(n_leads, m)``; ``on``/``off`` are ``(n_beats, n_leads)`` positions
    (NaN where absent). Returns positions ``(n_beats, n_leads)``.
    """
    m = signal.shape[1]
    ok = np.isfinite(on) & np.isfinite(off)
    lo = np.clip(np.ceil(np.where(ok, on, 0)), 0, m - 1).astype(np.int64)
    hi = np.clip(np.floor(np.where(ok, off, 0)), 0, m - 1).astype(np.int64)
    hi = np.maximum(hi, lo)
    width = int((hi - lo).max()) + 1 if ok.any() else 1
    grid = lo[..., None] + np.arange(width)
    inside = grid <= hi[..., None]
    grid = np.minimum(grid, m - 1)
    leads = np.arange(signal.shape[0])[None, :, None]
    values = signal[leads, grid]
    start, end = signal[leads[..., 0], lo], signal[leads[..., 0], hi]
    frac = (grid - lo[..., None]) / np.maximum(hi - lo, 1)[..., None]
    deviation = np.abs(values - (start[..., None] + frac * (end - start)[..., None]))
    pos = lo + np.argmax(np.where(inside, deviation, -1.0), axis=-1)
    return np.where(ok, pos.astype(np.float64), np.nan)
