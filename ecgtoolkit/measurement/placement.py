"""Electrode placement: limb electrode swaps against the chest leads, chest electrode order.

The part of :func:`ecgtoolkit.check_leads` that works on the record's median beat
(:func:`ecgtoolkit.signal.beats.median_beat`); the criteria are documented there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..core.leads import CHEST_LEADS, derive_limb_leads, leads_i_ii
from ..signal.beats import median_beat
from ..signal.filters import lowpass

if TYPE_CHECKING:
    from .checks import _Record

__all__ = ["LA_LL_P_AXIS_DEG", "P_REPEAT_MIN", "PRECORDIAL_MARGIN", "Placement"]

#: The P-wave criteria are used only when the P window repeats from beat to beat: the
#: median correlation of each beat's P window (all usable leads) with their median is at
#: least this. Sinus rhythm gives 0.8-0.99; atrial fibrillation mostly less.
P_REPEAT_MIN = 0.8
#: A frontal P axis between these angles (degrees), outside the sinus range of 0° to 75°,
#: is what a left arm/left leg swap makes of a sinus P axis of 60° to 90° (the swap
#: mirrors the frontal plane about +30°).
LA_LL_P_AXIS_DEG = (-30.0, 0.0)
#: Chest leads are reported swapped when exchanging two neighbours shortens the path
#: V1→V6 (see :func:`ecgtoolkit.check_leads`) by more than this: the smallest margin (on
#: a grid of 0.0025) that raises at most 2 % alarms on the untouched non-paced LUDB
#: records, a rule fixed beforehand (0.01 with the first median beat of the checks,
#: 0.0125 since they use the toolkit's one median beat); ``benchmarks/bench_lead_checks.py``
#: reports its 5-fold cross-validated rates.
PRECORDIAL_MARGIN = 0.0125

_BEAT_S = (0.45, 0.60)  # median-beat window before and after the R peak
_QRST_S = 0.50  # QRS-T window from QRS onset ...
_BEFORE_NEXT_S = 0.20  # ... ending this long before the next QRS onset (room for its P wave)
_QRS_S = 0.12  # QRS window for the R/S ratios
_P_WINDOW_S = (0.24, 0.02)  # P window: this long before QRS onset, up to this before it
_P_BASELINE_S = (0.02, 0.01)  # the PR-segment level subtracted from P areas
_RS_WEIGHT = 1.0  # weight of R/S-ratio reversals against QRS-T shape in the chest path


def _rms(v: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(v))))


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    den = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / den) if den > 0 else 0.0


def _corr_matrix(rows: np.ndarray) -> np.ndarray:
    """Correlations between the rows (0 where a row is constant)."""
    centred = rows - rows.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred**2).sum(axis=1))
    unit = centred / np.where(norms > 0, norms, 1.0)[:, None]
    return unit @ unit.T


def _names(leads: list[str]) -> str:
    return ", ".join(leads)


class Placement:
    """The placement checks of one record, written into its row, notes and problems."""

    def __init__(self, record: _Record) -> None:
        self.record = record
        self.fs = record.fs
        self.rows = record.rows
        self.usable = record.usable
        self.quality = record.quality
        self.limb_gain = record.limb_gain
        self.row, self.notes, self.problems = record.row, record.notes, record.problems
        self.margin = record.margin

    def run(self) -> None:
        beat = self._median_beat()
        if beat is None:
            return
        self.beat = beat
        self._limb_swaps()
        self._chest_order()

    def _median_beat(self) -> np.ndarray | None:
        """The median beat (40 Hz) over the checks' window, and its beats, low-passed."""
        fs = self.fs
        # Every complete beat, not only those alike: the checks compare leads beat by beat.
        beat = median_beat(
            self.quality.signal,
            fs,
            self.quality.peaks,
            self.quality.usable,
            alike_only=False,
            window_s=_BEAT_S,
            whole_only=True,
        )
        if beat is None:
            self.notes.append(
                "electrode placement not checked: fewer than 3 complete beats on the usable leads"
            )
            return None
        # (lead, beat, time), as the P-wave repeat check reads them
        self.segments = lowpass(beat.segments, fs, 40.0).transpose(1, 0, 2)
        self.r0 = beat.r0
        self.rr = float(np.median(np.diff(self.quality.peaks))) / fs
        self.onset = self._qrs_onset(beat.fast)
        return beat.fast

    def _qrs_onset(self, beat: np.ndarray) -> int:
        """QRS onset on the median beat: where the spatial speed of the usable leads (each
        at unit RMS) rises to a fifth of its QRS peak above its median level."""
        fs, r0 = self.fs, self.r0
        z = beat[self.quality.usable]
        z = z / np.maximum(np.sqrt(np.mean(z**2, axis=1, keepdims=True)), 1e-12)
        speed = np.abs(np.diff(z, axis=1)).sum(axis=0)
        reach = int(round(0.06 * fs))
        top = r0 - reach + int(np.argmax(speed[r0 - reach : r0 + reach]))
        floor = float(np.median(speed[: r0 - int(round(0.15 * fs))]))
        threshold = floor + 0.2 * (speed[top] - floor)
        onset = top
        earliest = max(0, top - int(round(0.15 * fs)))
        while onset > earliest and speed[onset - 1] > threshold:
            onset -= 1
        return onset

    def _window(self, kind: str) -> slice:
        fs, on = self.fs, self.onset
        if kind == "qrst":
            length = max(min(_QRST_S, self.rr - _BEFORE_NEXT_S), _QRS_S)
            return slice(on, min(on + int(round(length * fs)), self.beat.shape[-1]))
        if kind == "qrs":
            return slice(on, on + int(round(_QRS_S * fs)))
        if kind == "p":
            return slice(max(0, on - int(round(_P_WINDOW_S[0] * fs))),
                         on - int(round(_P_WINDOW_S[1] * fs)))  # fmt: skip
        return slice(on - int(round(_P_BASELINE_S[0] * fs)), on - int(round(_P_BASELINE_S[1] * fs)))

    def _p_repeats(self) -> bool:
        """Whether a P wave repeats before every QRS (median beat-to-template correlation)."""
        window = self._window("p")
        seg = self.segments[self.quality.usable][:, :, window]
        scale = np.sqrt(np.mean(self.beat[self.quality.usable] ** 2, axis=1))
        seg = seg / np.maximum(scale, 1e-12)[:, None, None]
        seg = seg - seg.mean(axis=-1, keepdims=True)
        template = np.median(seg, axis=1)
        beats = seg.transpose(1, 0, 2).reshape(seg.shape[1], -1)
        flat = template.reshape(-1)
        den = np.sqrt((beats**2).sum(axis=1) * (flat @ flat))
        corr = np.where(den > 0, beats @ flat / np.maximum(den, 1e-30), 0.0)
        return bool(np.median(corr) >= P_REPEAT_MIN)

    def _limb_set(self) -> dict[str, np.ndarray] | None:
        """All six limb leads of the median beat from two usable ones, at one gain."""
        got = {
            n: self.beat[self.rows[n]] * self.limb_gain.get(n, 1.0)
            for n in ("I", "II", "III")
            if n in self.rows and self.usable[n]
        }
        pair = leads_i_ii(got)
        if pair is None:
            return None
        lead_i, lead_ii = pair
        return {"I": lead_i, "II": lead_ii, **derive_limb_leads(lead_i, lead_ii)}

    def _limb_swaps(self) -> None:
        limb = self._limb_set()
        if limb is None:
            self.notes.append(
                "limb electrode swaps not checked: they need two usable leads of I, II, III"
            )
            return
        if self.limb_gain:
            self.notes.append("limb leads rescaled to lead III's gain for the swap checks")
        p_wave = self._p_repeats()
        if not p_wave:
            self.notes.append(
                "P-wave criteria not used: no P wave repeats before every QRS (atrial "
                "fibrillation, or P waves too small)"
            )
        self._against_chest(limb, p_wave)
        if p_wave:
            self._left_arm_left_leg(limb)
        else:
            self.notes.append("left arm/left leg swap not checked: it needs a repeating P wave")

    def _against_chest(self, limb: dict[str, np.ndarray], p_wave: bool) -> None:
        """LA/RA and RA/LL swaps: do the limb leads fit V5/V6 better swapped back?"""
        lateral = [n for n in ("V5", "V6") if n in self.rows and self.usable[n]]
        if not lateral:
            self.notes.append(
                "LA/RA and RA/LL swaps not checked: they need V5 or V6 usable (the reference "
                "a limb electrode swap cannot change)"
            )
            return
        reference = sum(
            self.beat[self.rows[n]] / max(_rms(self.beat[self.rows[n]]), 1e-12) for n in lateral
        )
        windows = [self._window("qrst")] + ([self._window("p")] if p_wave else [])

        def plausibility(lead_i: np.ndarray, lead_ii: np.ndarray, avr: np.ndarray) -> float:
            fits = [
                _corr(lead_i[w], reference[w])
                + _corr(lead_ii[w], reference[w])
                - _corr(avr[w], reference[w])
                for w in windows
            ]
            return float(np.mean(fits)) / 3.0

        as_recorded = plausibility(limb["I"], limb["II"], limb["aVR"])
        la_ra = (plausibility(-limb["I"], limb["III"], limb["aVL"]) - as_recorded) / 2
        ra_ll = (plausibility(-limb["III"], -limb["II"], limb["aVF"]) - as_recorded) / 2
        self.row.update(
            la_ra_score=la_ra,
            ra_ll_score=ra_ll,
            la_ra_reversal=bool(la_ra > 0 and la_ra >= ra_ll),
            ra_ll_reversal=bool(ra_ll > 0 and ra_ll > la_ra),
        )
        if self.row["la_ra_reversal"]:
            self.problems.append(
                f"left and right arm electrodes look swapped (score {la_ra:.2f}): lead I and "
                "aVR point against V5/V6, and fit them once swapped back"
            )
        if self.row["ra_ll_reversal"]:
            self.problems.append(
                f"right arm and left leg electrodes look swapped (score {ra_ll:.2f}): lead II "
                "and aVR point against V5/V6, and fit them once swapped back"
            )

    def _left_arm_left_leg(self, limb: dict[str, np.ndarray]) -> None:
        """LA/LL swap: a P axis that the swap makes of a sinus one of 60-90 degrees."""
        base, window = self._window("base"), self._window("p")
        area_i, area_ii = (
            float((v[window] - v[base].mean()).sum()) for v in (limb["I"], limb["II"])
        )
        axis = float(np.degrees(np.arctan2((2 * area_ii - area_i) / np.sqrt(3), area_i)))
        low, high = LA_LL_P_AXIS_DEG
        half = (high - low) / 2
        score = float(np.clip(1 - abs(axis - (low + half)) / half, -1.0, 1.0))
        other = self.row["la_ra_reversal"] is True or self.row["ra_ll_reversal"] is True
        found = bool(low < axis < high and not other)
        self.row.update(la_ll_score=score, la_ll_reversal=found)
        if found:
            self.problems.append(
                f"left arm and left leg electrodes may be swapped: the P axis is {axis:.0f}°, "
                f"what the swap makes of a sinus P axis of {60 - axis:.0f}°"
            )

    def _chest_order(self) -> None:
        absent = [n for n in CHEST_LEADS if n not in self.rows or not self.usable[n]]
        if absent:
            self.notes.append(
                f"chest electrode order not checked: it needs V1-V6 usable ({_names(absent)} "
                "missing or unusable)"
            )
            return
        chest = self.beat[[self.rows[n] for n in CHEST_LEADS]]
        qrst, qrs = self._window("qrst"), self._window("qrs")
        distance = 1.0 - _corr_matrix(chest[:, qrst])
        complex_ = chest[:, qrs] - chest[:, qrs.start : qrs.start + 1]
        tall = np.maximum(complex_.max(axis=1), 0.0)
        deep = np.maximum(-complex_.min(axis=1), 0.0)
        ratio = tall / np.maximum(tall + deep, 1e-12)

        def path(order: list[int]) -> float:
            steps = sum(distance[order[k], order[k + 1]] for k in range(5))
            falls = np.maximum(0.0, ratio[order[:-1]] - ratio[order[1:]]).sum()
            return float(steps + _RS_WEIGHT * falls)

        recorded = path(list(range(6)))
        gains = []
        for k in range(5):
            order = list(range(6))
            order[k], order[k + 1] = order[k + 1], order[k]
            gains.append(recorded - path(order))
        best = int(np.argmax(gains))
        score = float(gains[best])
        found = score > self.margin
        self.row.update(precordial_score=score, precordial_misplacement=found)
        if found:
            note = (
                f"{CHEST_LEADS[best]} and {CHEST_LEADS[best + 1]} look swapped: V1-V6 change more "
                "smoothly (QRS-T shape, R/S progression) with them exchanged"
            )
            self.row["precordial_note"] = note
            self.problems.append(note)
