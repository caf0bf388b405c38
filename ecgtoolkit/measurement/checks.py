"""Checks of the leads against each other: lead physics and electrode placement.

The six limb leads come from three electrodes (RA, LA, LL), so they obey Einthoven's
law (III = II − I) and Goldberger's identities whether or not they were recorded
separately. The six chest leads are measured against Wilson's central terminal, the mean
of the three limb electrodes, which no exchange of limb electrodes changes. A limb
electrode swap therefore rearranges and inverts limb leads while the chest leads stay as
they were; :func:`check_leads` looks for limb leads that disagree with the chest leads in
the way a swap would make them, for chest leads out of their spatial order, and for flat
or noisy leads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..core.ecg import ECG
from ..core.leads import STANDARD_LEADS, normalize_lead_names
from ..core.validation import record_problem
from ..signal.quality import assess
from .placement import (
    LA_LL_P_AXIS_DEG,
    P_REPEAT_MIN,
    PRECORDIAL_MARGIN,
    Placement,
    _names,
    _rms,
)

__all__ = [
    "check_leads",
    "check_leads_signal",
    "CHECK_COLUMNS",
    "EINTHOVEN_TOLERANCE",
    "GAIN_FIT_TOLERANCE",
    "P_REPEAT_MIN",
    "LA_LL_P_AXIS_DEG",
    "PRECORDIAL_MARGIN",
]

#: Largest residual of Einthoven's law and Goldberger's identities, relative to the RMS of
#: lead II, that passes. Leads the machine derives from I and II miss the identities by
#: rounding only (0.2-1 % on the CinC 2021 and PTB records); 5 % is the overall amplitude
#: error the AAMI EC11 standard allows a diagnostic electrocardiograph, so a larger
#: residual means the leads do not come from the same three electrodes at the same gain.
EINTHOVEN_TOLERANCE = 0.05
#: When Einthoven's law fails but III = a·I + b·II holds to this (relative RMS residual)
#: with other coefficients than (−1, 1), the leads carry different gains: the reversal
#: checks then rescale I and II to III's gain (``notes`` says so).
GAIN_FIT_TOLERANCE = 0.01
#: Keys of :func:`check_leads_signal` and columns of :func:`check_leads`, in order.
CHECK_COLUMNS: tuple[str, ...] = (
    "einthoven_residual", "einthoven_ok", "goldberger_residual", "goldberger_ok",
    "la_ra_reversal", "la_ra_score", "la_ll_reversal", "la_ll_score",
    "ra_ll_reversal", "ra_ll_score",
    "precordial_misplacement", "precordial_score", "precordial_note",
    "missing_leads", "flat_leads", "noisy_leads", "notes", "reasons", "ok",
)  # fmt: skip
_BOOL_COLUMNS = (
    "einthoven_ok", "goldberger_ok", "la_ra_reversal", "la_ll_reversal", "ra_ll_reversal",
    "precordial_misplacement", "ok",
)  # fmt: skip


def check_leads(
    ecg: ECG,
    *,
    tolerance: float = EINTHOVEN_TOLERANCE,
    precordial_margin: float = PRECORDIAL_MARGIN,
) -> pd.Series | pd.DataFrame:
    """Check the physics that ties the leads together and the electrode placement.

    Each check runs when the leads it needs are there and usable; ``notes`` names the
    checks that could not run and why. Problems found are listed in ``reasons``.

    **Lead physics.** ``einthoven_residual`` is RMS(III − (II − I)) / RMS(II) over the
    record (each lead's mean removed first: a DC offset is not a lead error).
    ``goldberger_residual`` is the largest of the same relative residuals of
    aVR + aVL + aVF = 0, aVR = −(I + II)/2, aVL = I − II/2 and aVF = II − I/2 (the ones
    the leads allow; relative to RMS(II), or to the largest lead involved when II is
    absent). Each passes at ``tolerance`` (default 0.05, see
    :data:`EINTHOVEN_TOLERANCE`). When Einthoven's law fails but III = a·I + b·II holds
    exactly with other coefficients, the leads carry different gains, and ``reasons``
    gives the relation.

    **Limb electrode swaps.** The chest leads are the reference: they are measured
    against Wilson's central terminal, which a swap of limb electrodes leaves unchanged,
    and the lateral ones (V5, V6) look at the heart from the left as lead I does and
    opposite to aVR. On the median beat (R peaks of the usable leads, 0.5-40 Hz), let
    ``c(X)`` be the correlation of lead X with L = V5 + V6 (each scaled to unit RMS)
    over the QRS-T complex (QRS onset to 500 ms later, or to 200 ms before the next QRS
    onset at fast rates), and also over the P wave
    (240 to 20 ms before QRS onset) when a P wave repeats before every QRS. The
    plausibility of a set of limb leads is the mean of c(I), c(II) and −c(aVR) over
    those windows: near +1 for a normal ECG, whose I and II point left and inferior
    like V5/V6 while aVR looks from the right shoulder. A swap is scored as half the
    gain in plausibility that undoing it brings, from −1 to 1:

    * LA/RA (I → −I, II ↔ III, aVR ↔ aVL): ``la_ra_score``, undoing gives
      I = −I, II = III, aVR = aVL;
    * RA/LL (I → −III, II → −II, aVR ↔ aVF): ``ra_ll_score``, undoing gives
      I = −III, II = −II, aVR = aVF.

    The larger of the two is reported as a swap when it is positive: the leads fit the
    chest leads better swapped back than as recorded. No threshold is fitted to data.
    All quantities are correlations, so per-lead gain errors do not matter. Dextrocardia
    inverts lead I too, but its chest leads also point right, so lead I still matches
    V5/V6 and no swap is reported (its sign is a reversed R-wave progression instead).
    Right axis deviation inverts the QRS in lead I but not the P wave, nor aVR; a
    lateral infarct (QS in I, V5 and V6 but not alike) or a ventricular paced rhythm
    can look like a swap.

    LA/LL (I ↔ II, III → −III, aVL ↔ aVF) mirrors the frontal plane about +30° and
    leaves aVR and the fit to the chest leads unchanged, so only the P wave tells: a
    sinus P axis of 60°-90° becomes −30° to 0°, outside the sinus range of 0°-75°
    (:data:`LA_LL_P_AXIS_DEG`). ``la_ll_reversal`` is set when a repeating P wave has
    its frontal axis there (axis from the P areas in I and II relative to the PR
    segment) and no other swap is found; ``la_ll_score`` = 1 − abs(axis + 15°) / 15°,
    positive inside the window. Sinus P axes below 60° are left as they are, so most
    LA/LL swaps go unnoticed: the check is built to keep false alarms rare.

    **Chest electrode order.** V1 to V6 run around the chest, so each chest lead is a
    step between its neighbours: the path V1→V6 with steps of (1 − correlation) over
    the QRS-T complex plus each fall of the R/(R + S) ratio from one lead to the next
    (Zema's R-wave progression, a ratio within each lead, free of gain) is short.
    ``precordial_score`` is how much exchanging the best pair of neighbours shortens the
    path; above ``precordial_margin`` the pair is reported in ``precordial_note``.

    **Lead quality** comes from :func:`ecgtoolkit.signal_quality`: ``flat_leads`` are
    flat, ``noisy_leads`` are unusable for another reason (noise without QRS
    complexes, clipping, non-finite samples; ``reasons`` says which).

    Parameters
    ----------
    ecg : ECG
        One record or a batch, any leads (the standard 12 are recognised by name), at
        least 2 s long, sampled at 100 Hz or more, in mV.
    tolerance : float
        Largest relative residual of Einthoven's law and Goldberger's identities that
        passes.
    precordial_margin : float
        How much exchanging two neighbouring chest leads must shorten the path V1→V6
        before they are reported swapped. The default, :data:`PRECORDIAL_MARGIN`, is
        the one constant chosen on data (LUDB, by a rule fixed beforehand and
        cross-validated); raise it for fewer alarms, at the cost of missing more swaps
        (V5/V6 first, which differ least).

    Returns
    -------
    pandas.Series or pandas.DataFrame
        For one record a Series (named after ``ecg.meta["record_name"]``), for a batch
        a DataFrame with one row per record (index ``record_id``), with the keys of
        :data:`CHECK_COLUMNS`:

        ``einthoven_residual``, ``goldberger_residual`` (float, NaN when not checked),
        ``einthoven_ok``, ``goldberger_ok`` (bool, ``pd.NA`` when not checked);
        ``la_ra_reversal``, ``la_ll_reversal``, ``ra_ll_reversal``,
        ``precordial_misplacement`` (bool, ``pd.NA`` when not checked) with their scores
        ``la_ra_score``, ``la_ll_score``, ``ra_ll_score``, ``precordial_score`` (float,
        positive toward a swap, NaN when not checked) and ``precordial_note`` (which
        chest leads look swapped, or ""); ``missing_leads``, ``flat_leads``,
        ``noisy_leads`` (comma-separated lead names, "" for none); ``notes`` (checks
        that could not run and why, rescaled leads); ``reasons`` (every problem found,
        "" when none) and ``ok`` (no problem found). In a batch the boolean columns
        have pandas' nullable ``boolean`` dtype, and a record that cannot be checked
        gets NaN values, ``ok`` False and the error in ``reasons``.

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        For one record shorter than 2 s or sampled below 100 Hz, or a negative
        ``tolerance``.

    See Also
    --------
    check_leads_signal : the same on an array.
    ecgtoolkit.signal.augment.swap_electrodes : an ECG as it would be recorded with two
        electrodes swapped.

    References
    ----------
    Kors J.A., van Herpen G. (2001). Accurate automatic detection of electrode
    interchange in the electrocardiogram. Am J Cardiol 88:396-399,
    doi:10.1016/S0002-9149(01)01686-1.
    Batchvarov V.N., Malik M., Camm A.J. (2007). Incorrect electrode cable connection
    during electrocardiographic recording. Europace 9:1081-1090,
    doi:10.1093/europace/eum198.
    Abdollah H., Milliken J.A. (1997). Recognition of electrocardiographic left
    arm/left leg lead reversal. Am J Cardiol 80:1247-1249 (P wave criteria).
    Zema M.J., Kligfield P. (1982). ECG poor R-wave progression: review and synthesis.
    Arch Intern Med 142:1145-1148 (the R/S ratio along V1-V6).

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> from ecgtoolkit import check_leads, swap_electrodes
    >>> ecg = et.generate(1, seed=0)[0]
    >>> result = check_leads(ecg)
    >>> bool(result["einthoven_ok"]), bool(result["la_ra_reversal"]), bool(result["ok"])
    (True, False, True)
    >>> swapped = check_leads(swap_electrodes(ecg, "LA", "RA"))
    >>> bool(swapped["la_ra_reversal"]), swapped["la_ra_score"] > 0
    (True, True)
    """
    if not isinstance(ecg, ECG):
        raise TypeError(
            f"expected an ecgtoolkit.ECG, got {type(ecg).__name__}; wrap arrays with "
            "ECG(signal, fs=..., leads=[...], units='mV') or use check_leads_signal"
        )
    _check_tolerance(tolerance)
    options = {"tolerance": tolerance, "precordial_margin": precordial_margin}
    if not ecg.is_batch:
        row = check_leads_signal(ecg.signal, ecg.fs, ecg.leads, **options)
        return pd.Series(row, name=ecg.meta.get("record_name"), dtype=object)
    rows = [_safe_check(x, ecg.fs, ecg.leads, options) for x in ecg.signal]
    table = pd.DataFrame(
        rows, columns=list(CHECK_COLUMNS), index=pd.Index(ecg.record_ids, name="record_id")
    )
    for name in _BOOL_COLUMNS:
        table[name] = table[name].astype("boolean")
    return table


def check_leads_signal(
    x: np.ndarray,
    fs: float,
    leads: Sequence[str],
    *,
    tolerance: float = EINTHOVEN_TOLERANCE,
    precordial_margin: float = PRECORDIAL_MARGIN,
) -> dict[str, Any]:
    """Check the leads of one record given as an array; see :func:`check_leads`.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_leads, n_samples)`` in mV.
    fs : float
        Sampling rate in Hz (at least 100).
    leads : sequence of str
        One name per row (any spelling of the standard 12; other names are kept).
    tolerance, precordial_margin : float
        As for :func:`check_leads`.

    Returns
    -------
    dict
        The keys of :data:`CHECK_COLUMNS` (see :func:`check_leads`); checks that could
        not run hold NaN or ``pd.NA``.

    Raises
    ------
    ValueError
        On a wrong shape, a lead count that does not match ``x``, a record shorter than
        2 s or sampled below 100 Hz.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit.measurement.checks import check_leads_signal
    >>> rng = np.random.default_rng(0)
    >>> out = check_leads_signal(rng.normal(0, 0.5, (1, 5000)), 500, ["ECG"])
    >>> out["noisy_leads"], out["ok"]
    ('ECG', False)
    >>> out["einthoven_ok"] is pd.NA
    True
    """
    _check_tolerance(tolerance)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(
            f"x has {x.ndim} dimension(s), expected (n_leads, n_samples); "
            "use check_leads for a batch"
        )
    names = normalize_lead_names(leads)
    if len(names) != x.shape[0]:
        raise ValueError(
            f"{len(names)} lead names given for {x.shape[0]} rows; x must be (n_leads, n_samples)"
        )
    fs = float(fs)
    if not np.isfinite(fs) or fs <= 0:
        raise ValueError(f"fs must be a positive sampling rate in Hz, got {fs}")
    problem = record_problem(x.shape[-1], fs)
    if problem is not None:
        raise ValueError(problem)
    return _Record(x, fs, names, tolerance, float(precordial_margin)).run()


def _check_tolerance(tolerance: float) -> None:
    if not np.isfinite(tolerance) or tolerance < 0:
        raise ValueError(f"tolerance must be a non-negative fraction, got {tolerance}")


def _safe_check(x: np.ndarray, fs: float, leads: tuple[str, ...], options: dict) -> dict:
    """One record of a batch: any problem becomes a reason, never an exception."""
    try:
        return check_leads_signal(x, fs, leads, **options)
    except Exception as err:  # noqa: BLE001 - a batch must go on; the reason is kept
        row = _blank_row()
        row.update(reasons=f"record could not be checked: {type(err).__name__}: {err}", ok=False)
        return row


def _blank_row() -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(CHECK_COLUMNS, np.nan)
    for name in _BOOL_COLUMNS:
        row[name] = pd.NA
    for name in ("precordial_note", "missing_leads", "flat_leads", "noisy_leads"):
        row[name] = ""
    row.update(notes="", reasons="")
    return row


class _Record:
    """The checks of one record; ``run`` fills the row."""

    def __init__(
        self, x: np.ndarray, fs: float, leads: tuple[str, ...], tolerance: float, margin: float
    ):
        self.x, self.fs, self.leads, self.tolerance, self.margin = x, fs, leads, tolerance, margin
        self.row = _blank_row()
        self.notes: list[str] = []
        self.problems: list[str] = []
        self.rows = {name: i for i, name in enumerate(leads)}
        self.limb_gain: dict[str, float] = {}

    def run(self) -> dict[str, Any]:
        self.row["missing_leads"] = _names([n for n in STANDARD_LEADS if n not in self.rows])
        self._quality()
        self._einthoven()
        self._goldberger()
        Placement(self).run()
        self.row["notes"] = "; ".join(self.notes)
        self.row["reasons"] = "; ".join(self.problems)
        self.row["ok"] = not self.problems
        return self.row

    # -- lead quality ------------------------------------------------------------------
    def _quality(self) -> None:
        self.quality = assess(self.x, self.fs)
        flat, noisy = [], []
        for lead, ok, why in zip(
            self.leads, self.quality.usable, self.quality.reasons, strict=True
        ):
            if ok:
                continue
            (flat if why.startswith("flat") else noisy).append(lead)
            self.problems.append(f"{lead} unusable: {why}")
        self.row["flat_leads"] = _names(flat)
        self.row["noisy_leads"] = _names(noisy)
        self.usable = {n: bool(u) for n, u in zip(self.leads, self.quality.usable, strict=True)}

    # -- lead physics ------------------------------------------------------------------
    def _centred(self, names: Sequence[str]) -> list[np.ndarray]:
        """The leads with their means removed, over the samples finite in all of them."""
        block = self.x[[self.rows[n] for n in names]]
        block = block[:, np.isfinite(block).all(axis=0)]
        if block.shape[1]:
            block = block - block.mean(axis=1, keepdims=True)
        return list(block)

    def _einthoven(self) -> None:
        need = [n for n in ("I", "II", "III") if n not in self.rows]
        if need:
            self.notes.append(f"Einthoven's law not checked: lead(s) {_names(need)} missing")
            return
        lead_i, lead_ii, lead_iii = self._centred(["I", "II", "III"])
        scale = _rms(lead_ii) if lead_ii.size else 0.0
        if scale == 0.0:
            self.notes.append("Einthoven's law not checked: lead II is flat or non-finite")
            return
        residual = _rms(lead_iii - (lead_ii - lead_i)) / scale
        ok = residual <= self.tolerance
        self.row.update(einthoven_residual=residual, einthoven_ok=ok)
        if ok:
            return
        why = (
            f"Einthoven's law fails: III differs from II − I by {residual:.3g} of lead II's "
            f"RMS (tolerance {self.tolerance:g})"
        )
        (a, b), *_ = np.linalg.lstsq(np.stack([lead_i, lead_ii], axis=1), lead_iii, rcond=None)
        fit = _rms(lead_iii - a * lead_i - b * lead_ii) / max(_rms(lead_iii), 1e-12)
        if fit <= GAIN_FIT_TOLERANCE:
            why += (
                f"; III = {a:.3g}·I + {b:.3g}·II holds within {GAIN_FIT_TOLERANCE:.0%}, so "
                "the leads carry different gains (each scaled on its own?)"
            )
            if a < 0 < b:
                self.limb_gain = {"I": -a, "II": b}
        self.problems.append(why)

    def _goldberger(self) -> None:
        have = set(self.rows)
        checks = []
        if {"aVR", "aVL", "aVF"} <= have:
            checks.append(("aVR + aVL + aVF = 0", ["aVR", "aVL", "aVF"], (1, 1, 1), None))
        if {"I", "II"} <= have:
            checks += [
                ("aVR = −(I + II)/2", ["aVR", "I", "II"], (1, 0.5, 0.5), "aVR"),
                ("aVL = I − II/2", ["aVL", "I", "II"], (1, -1, 0.5), "aVL"),
                ("aVF = II − I/2", ["aVF", "I", "II"], (1, 0.5, -1), "aVF"),
            ]
        checks = [c for c in checks if c[3] is None or c[3] in have]
        if not checks:
            self.notes.append(
                "Goldberger's identities not checked: they need aVR, aVL and aVF, or I, II "
                "and one of them"
            )
            return
        worst, which = -1.0, ""
        for label, names, weights, _ in checks:
            involved = names + (["II"] if "II" in have and "II" not in names else [])
            series = self._centred(involved)  # over the samples finite in all of them
            if not series[0].size:
                continue
            if "II" in have:
                scale = _rms(series[involved.index("II")])
            else:
                scale = max(_rms(s) for s in series)
            if scale == 0.0:
                continue
            terms = zip(weights, series[: len(names)], strict=True)
            residual = _rms(sum(w * s for w, s in terms)) / scale
            if residual > worst:
                worst, which = residual, label
        if worst < 0:
            self.notes.append(
                "Goldberger's identities not checked: the leads are flat or non-finite"
            )
            return
        ok = worst <= self.tolerance
        self.row.update(goldberger_residual=worst, goldberger_ok=ok)
        if not ok:
            self.problems.append(
                f"Goldberger's identities fail: {which} is off by {worst:.3g} of lead II's "
                f"RMS (tolerance {self.tolerance:g})"
            )
