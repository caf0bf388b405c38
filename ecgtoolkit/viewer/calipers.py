"""The viewer's calipers: what they read, what they snap to, and the R peaks they start on.

Calipers are held in record time (seconds from the start of the record), so scrolling
and zooming never move them; :class:`~ecgtoolkit.viewer.model.ECGViewer` places, snaps
and reads them with the helpers here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..core.ecg import ECG
from .marks import blocks_to_load

__all__ = ["SNAP_KINDS", "CaliperReading", "PeakCache", "reading_text", "snap_kind"]

#: What a caliper can snap to (the ``snap`` argument), with the label the widget shows.
#: ``"R"`` is an R peak of the lead the calipers read (:class:`PeakCache`); the others
#: are the fiducials of :func:`ecgtoolkit.delineate` (columns of the same names).
SNAP_KINDS: dict[str, str] = {
    "R": "R peak",
    "P_on": "P onset",
    "P_peak": "P peak",
    "P_off": "P offset",
    "QRS_on": "QRS onset",
    "QRS_off": "QRS offset",
    "T_on": "T onset",
    "T_peak": "T peak",
    "T_off": "T end",
}
_SYNONYMS = {"onset": "on", "start": "on", "begin": "on", "offset": "off", "end": "off"}
_BY_SPELLING = {kind.lower(): kind for kind in SNAP_KINDS} | {"r_peak": "R"}


def snap_kind(snap: bool | str | None) -> str | None:
    """The kind of fiducial that ``snap`` names (a key of :data:`SNAP_KINDS`), or None.

    Parameters
    ----------
    snap : bool, str or None
        ``False``/``None``: no snapping; ``True``: ``"R"``; a kind in any common
        spelling (case, spaces or hyphens, ``onset``/``offset``/``end`` for
        ``on``/``off``): ``"qrs onset"`` is ``"QRS_on"``, ``"T end"`` is ``"T_off"``.

    Returns
    -------
    str or None
        A key of :data:`SNAP_KINDS`, or None for no snapping.

    Raises
    ------
    TypeError
        For something that is neither a bool nor a string.
    ValueError
        For a string that names no kind (the message lists them).

    Examples
    --------
    >>> snap_kind(True), snap_kind("qrs_onset"), snap_kind("T end"), snap_kind(False)
    ('R', 'QRS_on', 'T_off', None)
    """
    if snap is None or isinstance(snap, (bool, np.bool_)):
        return "R" if snap else None
    if not isinstance(snap, str):
        raise TypeError(f"snap takes True, False or a fiducial name, got {type(snap).__name__}")
    words = snap.strip().lower().replace("-", " ").replace("_", " ").split()
    spelling = "_".join(_SYNONYMS.get(word, word) for word in words)
    if spelling not in _BY_SPELLING:
        raise ValueError(
            f"snap={snap!r} names no fiducial; use True (R peaks), False, or one of "
            f"{', '.join(SNAP_KINDS)}"
        )
    return _BY_SPELLING[spelling]


@dataclass(frozen=True)
class CaliperReading:
    """What the two calipers read off one lead.

    Attributes
    ----------
    lead : str
        The lead the voltages are read from.
    t1_s, t2_s : float
        Caliper times in seconds from the start of the record.
    v1_mv, v2_mv : float
        The lead's value at each caliper in mV (linear between samples).
    dt_ms : float
        ``t2 - t1`` in ms.
    dv_mv : float
        ``v2 - v1`` in mV.
    rate_bpm : float
        ``60000 / |dt_ms|``: the heart rate if the calipers span one RR interval
        (NaN when they coincide).
    """

    lead: str
    t1_s: float
    t2_s: float
    v1_mv: float
    v2_mv: float
    dt_ms: float
    dv_mv: float
    rate_bpm: float


def reading_text(reading: CaliperReading, in_view: tuple[bool, bool]) -> str:
    """A caliper reading as one line, saying which calipers are outside the window."""
    rate = f" ({reading.rate_bpm:.0f} bpm if RR)" if np.isfinite(reading.rate_bpm) else ""
    text = (
        f"Δt {abs(reading.dt_ms):.0f} ms{rate} · ΔV {reading.dv_mv:+.2f} mV in {reading.lead} "
        f"({reading.t1_s:.3f} s → {reading.t2_s:.3f} s)"
    )
    if not any(in_view):
        return text + " · both off-screen"
    if not all(in_view):
        return text + f" · caliper {1 if not in_view[0] else 2} off-screen"
    return text


class PeakCache:
    """Per lead, the R peaks found so far, detected a minute at a time as they are needed.

    Parameters
    ----------
    ecg : ECG
        The record shown (one record).

    Notes
    -----
    Each lead is searched on its own with the DSP detector of
    :func:`ecgtoolkit.detect_rpeaks` (``method="dsp"``: some 30 ms per minute of
    signal), so the peaks are the ones of the lead the calipers read, and a flat or
    noisy lead has none. Records of up to 2 minutes are searched whole, longer ones a
    minute at a time (with 5 s on either side) as windows of them are shown, as the
    fiducials are (:func:`~ecgtoolkit.viewer.marks.blocks_to_load`).
    """

    def __init__(self, ecg: ECG) -> None:
        self.ecg = ecg
        self._peaks: dict[str, np.ndarray] = {}
        self._blocks: dict[str, set[int]] = {}

    def between(self, lead: str, first: int, stop: int) -> np.ndarray:
        """Sorted sample indices (int64) of the R peaks of ``lead`` in ``first:stop``."""
        loaded = self._blocks.setdefault(lead, set())
        pieces = blocks_to_load(self.ecg.n_samples, self.ecg.fs, first, stop, loaded)
        if pieces:
            found = [self._peaks.get(lead, np.zeros(0, dtype=np.int64))]
            for block, lo, hi, keep in pieces:
                peaks = self._detect(lead, lo, hi) + lo
                if keep is not None:
                    peaks = peaks[(peaks >= keep[0]) & (peaks < keep[1])]
                found.append(peaks)
                loaded.add(block)
            self._peaks[lead] = np.unique(np.concatenate(found))
        peaks = self._peaks.get(lead, np.zeros(0, dtype=np.int64))
        return peaks[np.searchsorted(peaks, first) : np.searchsorted(peaks, stop)]

    def _detect(self, lead: str, lo: int, hi: int) -> np.ndarray:
        from ..signal.rpeaks import detect_rpeaks

        fs = self.ecg.fs
        piece = self.ecg.crop(lo / fs, hi / fs)[[lead]]  # cut first: records can be long
        with warnings.catch_warnings():
            # A flat or noise-only lead has no beats: the calipers say so themselves.
            warnings.filterwarnings("ignore", "no lead carries a usable ECG", UserWarning)
            try:
                return detect_rpeaks(piece, method="dsp")
            except ValueError:  # shorter than 2 s or sampled below 100 Hz: no search
                return np.zeros(0, dtype=np.int64)
