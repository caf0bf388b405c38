"""R-peak (QRS) detection fused over the usable leads of a record."""

from __future__ import annotations

import warnings

import numpy as np

from ..core.ecg import ECG
from ..core.validation import validate_record
from . import segmenter
from .qrs import EDGE_S
from .quality import assess

__all__ = ["detect_rpeaks", "fuse_rpeaks", "FUSE_KEEP", "FUSE_ADD"]

#: A beat of the DSP detector is dropped when the segmentation network's QRS probability,
#: averaged over the usable leads, stays below this within ±60 ms of it while the network
#: takes the spot for a P or T wave (probability of one of them above one half) ...
FUSE_KEEP = 0.25
#: ... and where that probability exceeds this for at least 30 ms with no beat within
#: 200 ms, the detector missed a beat.
FUSE_ADD = 0.6
_FUSE_REACH_S = 0.06
_FUSE_SHORTEST_S = 0.03
_FUSE_REFRACTORY_S = 0.2


def detect_rpeaks(ecg: ECG, *, method: str = "fused") -> np.ndarray:
    """Detect R peaks in one record, fusing its usable leads.

    Leads that do not carry a usable ECG (see :func:`ecgtoolkit.signal_quality`: flat,
    clipped, NaN, noise only) are left out, and 50 and 60 Hz notches remove mains hum.

    The DSP detector works at 250 Hz whatever the record's rate (so that a record gives
    the same beats at 100 and 1000 Hz). Each lead is band-passed to the QRS band
    (5–20 Hz, zero phase), differentiated, squared and scaled by its own robust QRS
    energy level, so that polarity and lead gain do not matter; leads are averaged with
    weights that grow with how peaky their energy is, and the RMS of the result over a
    100 ms moving window is the envelope (Pan & Tompkins 1985,
    doi:10.1109/TBME.1985.325532). Peaks of this multi-lead envelope are accepted above
    an adaptive threshold set from the median of 1-s block maxima over about 11 s
    around them (robust to single artefacts and to slow amplitude changes), with a
    200 ms refractory period, rejection of weak candidates within 360 ms of a beat
    (T waves), and a search back at half threshold over gaps longer than 1.6 times the
    recent RR interval (missed or small ectopic beats). A detection within 50 ms of the
    record's first or last sample is a partial complex and is dropped. Records longer
    than 5 minutes are processed in overlapping chunks, so memory stays bounded for
    24-h recordings.

    With ``method="fused"`` (the default) the beats are then checked against the
    segmentation network of :func:`ecgtoolkit.delineate` (:func:`fuse_rpeaks`): a
    detection that the network takes for a P or T wave, not a QRS complex, is dropped,
    and a QRS complex it sees clearly where the detector found none is added.

    Parameters
    ----------
    ecg : ECG
        One record (not a batch) with any leads, at least 2 s long, sampled at 100 Hz
        or more, in mV.
    method : {"fused", "dsp"}
        ``"dsp"``: the DSP detector alone, several times faster on long records.

    Returns
    -------
    numpy.ndarray
        Sorted sample indices (int64) of the R peaks: the sample of largest band-passed
        QRS deflection summed over the usable leads, within ±80 ms of the envelope peak.
        Empty, with a warning, when no lead is usable.

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        For a batch, fs < 100 Hz, a record shorter than 2 s or an unknown method.

    Warns
    -----
    UserWarning
        When no lead carries a usable ECG (the reasons per lead are in the message).

    Examples
    --------
    >>> import numpy as np
    >>> import ecgtoolkit as et
    >>> fs = 500
    >>> t = np.arange(10 * fs) / fs
    >>> beats = np.arange(0.5, 10, 0.8)              # 75 bpm
    >>> x = sum(np.exp(-0.5 * ((t - b) / 0.01) ** 2) for b in beats)
    >>> peaks = et.detect_rpeaks(et.ECG(x[np.newaxis], fs=fs, leads=["II"]))
    >>> np.allclose(peaks / fs, beats, atol=0.01)
    True
    """
    if method not in ("fused", "dsp"):
        raise ValueError(f"unknown method {method!r}; use 'fused' or 'dsp'")
    x, fs, leads = validate_record(ecg)
    result = assess(x, fs)
    if not result.usable.any():
        detail = "; ".join(
            f"{lead}: {why}" for lead, why in zip(leads, result.reasons, strict=True)
        )
        warnings.warn(
            f"no lead carries a usable ECG, no R peaks returned ({detail}); "
            "see ecgtoolkit.signal_quality(ecg)",
            UserWarning,
            stacklevel=2,
        )
        return result.peaks
    if method == "dsp":
        return result.peaks
    prob, inputs = segmenter.probabilities(result.signal, fs, result.usable, result.at_detect_rate)
    return fuse_rpeaks(result.peaks, prob, inputs, result.usable, fs, x.shape[-1])


def fuse_rpeaks(
    peaks: np.ndarray,
    probabilities: np.ndarray,
    inputs: np.ndarray,
    usable: np.ndarray,
    fs: float,
    n_samples: int,
) -> np.ndarray:
    """Check the DSP detector's beats against the segmentation network's QRS labels.

    Parameters
    ----------
    peaks : numpy.ndarray
        R peaks (sample indices at ``fs``) of the DSP detector.
    probabilities, inputs : numpy.ndarray
        The network's class probabilities ``(n_leads, 4, m)`` and inputs
        ``(n_leads, 2, m)`` at its own rate (``ecgtoolkit.segmenter.probabilities``).
    usable : numpy.ndarray
        One bool per lead: the leads whose probabilities count.
    fs : float
        Sampling rate of ``peaks`` (Hz).
    n_samples : int
        Length of the record at ``fs``.

    Returns
    -------
    numpy.ndarray
        The beats kept and added, sorted (int64). A beat is dropped when the QRS
        probability averaged over the usable leads stays below :data:`FUSE_KEEP`
        within ±60 ms and the network takes its spot for a P or T wave; a run of at
        least 30 ms above :data:`FUSE_ADD` with no beat within 200 ms adds one, at the
        largest summed deflection of the run.
    """
    rate = segmenter.FS
    qrs = probabilities[usable, segmenter.CLASSES.index("QRS")].mean(axis=0)
    m = qrs.size
    at = np.clip(np.round(peaks * (rate / fs)).astype(np.int64), 0, m - 1)
    reach = int(round(_FUSE_REACH_S * rate))
    window = np.clip(at[:, None] + np.arange(-reach, reach + 1), 0, m - 1)
    if peaks.size:
        wave = probabilities[usable][:, [segmenter.CLASSES.index(c) for c in ("P", "T")]]
        other = wave.mean(axis=0).max(axis=0)  # the likelier of P and T, per sample
        not_qrs = (qrs[window].max(axis=1) < FUSE_KEEP) & (other[at] > 0.5)
        kept = peaks[~not_qrs]
    else:
        kept = peaks
    strong = np.r_[False, qrs >= FUSE_ADD, False].astype(np.int8)
    starts = np.flatnonzero(np.diff(strong) == 1)
    ends = np.flatnonzero(np.diff(strong) == -1)  # exclusive
    magnitude = np.abs(inputs[usable, 0]).sum(axis=0)
    added = []
    kept_at = kept * (rate / fs)
    for a, b in zip(starts, ends, strict=True):
        if b - a < _FUSE_SHORTEST_S * rate:
            continue
        centre = a + int(np.argmax(magnitude[a:b]))
        if kept_at.size and np.min(np.abs(kept_at - centre)) < _FUSE_REFRACTORY_S * rate:
            continue
        position = int(round(centre * fs / rate))
        if EDGE_S * fs <= position <= n_samples - 1 - EDGE_S * fs:
            added.append(position)
    return np.sort(np.r_[kept, np.asarray(added, dtype=np.int64)]).astype(np.int64)
