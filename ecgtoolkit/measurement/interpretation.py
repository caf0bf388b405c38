"""Open, rule-based interpretation of ECG measurements and a "normal ECG" filter.

:func:`interpret` turns a table of :func:`ecgtoolkit.measure` results into statements a
reader expects from an ECG program (rhythm, frontal axis, first-degree AV block, wide QRS
with its bundle-branch-block pattern), each with the rule that produced it and the rule's
published source. :func:`is_normal` says whether a record meets the adult criteria of a
normal ECG, with the reasons when it does not; the criteria are a dataclass the user can
edit (:class:`NormalCriteria`).

Every numeric limit below is a named constant with its source. The two limits not taken
from the literature are measurement-specific: :data:`AF_PR_IQR_MS` separates P waves
conducted to the ventricles from fibrillation waves the delineation network takes for P
waves, and :data:`ATRIAL_ACTIVITY_MV` the atrial waves of fibrillation and flutter from
what sinus rhythm leaves once its QRS–T is cancelled; both were chosen on the
development records, and their cross-validated performance is reported by
``benchmarks/bench_interpret.py`` and ``benchmarks/bench_atrial.py``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.display import NOT_MEASURABLE
from .findings import FINDING_COLUMNS, _amplitude, _num, av_dissociation, findings
from .intervals import PHYSIOLOGY_COLUMNS
from .record import GLOBAL_COLUMNS

__all__ = ["interpret", "is_normal", "NormalCriteria", "RHYTHMS", "AXIS_CATEGORIES"]

#: The rhythm statements :func:`interpret` makes.
RHYTHMS: tuple[str, ...] = (
    "sinus rhythm", "sinus bradycardia", "sinus tachycardia", "sinus arrhythmia",
    "atrial fibrillation", "atrial flutter", "paced rhythm", "other",
)  # fmt: skip

#: Frontal QRS axis categories (Surawicz et al. 2009, AHA/ACCF/HRS part III), and
#: :data:`~ecgtoolkit.core.display.NOT_MEASURABLE` for an axis that was not measured.
AXIS_CATEGORIES: tuple[str, ...] = (
    "normal", "left axis deviation", "right axis deviation", "extreme axis deviation",
    NOT_MEASURABLE,
)  # fmt: skip

# --- sources -------------------------------------------------------------------------
_KUSUMOTO = (
    "Kusumoto et al. 2019, ACC/AHA/HRS bradycardia guideline, doi:10.1161/CIR.0000000000000628"
)
_PAGE = "Page et al. 2016, ACC/AHA/HRS SVT guideline, doi:10.1161/CIR.0000000000000311"
_HINDRICKS = "Hindricks et al. 2021, ESC AF guideline, doi:10.1093/eurheartj/ehaa612"
_DASH = "Dash et al. 2009, doi:10.1007/s10439-009-9740-z"
_CHOU = "Surawicz & Knilans, Chou's Electrocardiography in Clinical Practice, 6th ed. 2008"
_SURAWICZ = "Surawicz et al. 2009, AHA/ACCF/HRS part III, doi:10.1161/CIRCULATIONAHA.108.191095"
_RAUTAHARJU = "Rautaharju et al. 2009, AHA/ACCF/HRS part IV, doi:10.1161/CIRCULATIONAHA.108.191096"
_PRIORI = "Priori et al. 2015, ESC ventricular arrhythmia guideline, doi:10.1093/eurheartj/ehv316"
_GLIKSON = "Glikson et al. 2021, ESC pacing guideline, doi:10.1093/eurheartj/ehab364"
_BOLLMANN = "Bollmann et al. 2006, doi:10.1093/europace/eul169"
_BRUGADA = "Brugada et al. 2020, ESC SVT guideline, doi:10.1093/eurheartj/ehz467"

#: Sinus bradycardia below this rate (bpm) (Kusumoto et al. 2019).
BRADYCARDIA_BPM = 50.0
#: Sinus tachycardia above this rate (bpm) (Page et al. 2016).
TACHYCARDIA_BPM = 100.0
#: Sinus arrhythmia: longest − shortest RR above this (ms) (Chou's, 6th ed.).
SINUS_ARRHYTHMIA_RANGE_MS = 160.0
#: RR intervals are irregular when their normalised RMSSD exceeds this (Dash et al. 2009).
IRREGULAR_NRMSSD = 0.10
#: P waves count as present when found before at least this share of the beats.
P_PRESENT_SHARE = 0.5
#: P waves whose PR interval varies more than this (interquartile range over the beats,
#: ms) do not conduct: in an irregular rhythm they are fibrillation waves. Chosen on the
#: development records; cross-validated in ``benchmarks/bench_interpret.py``.
AF_PR_IQR_MS = 12.0
#: Atrial activity counts when what is left once the QRS–T complexes are cancelled
#: (``atrial_amplitude_mv``, the residual's RMS at 3.5–12 Hz) reaches this (mV). Chosen
#: on LUDB as the smallest value on a 2.5-µV grid that leaves at most 3% of sinus records
#: above it; cross-validated in ``benchmarks/bench_atrial.py``.
ATRIAL_ACTIVITY_MV = 0.02
#: Fibrillation and flutter waves come at 240 per minute or faster (4–9 Hz in
#: fibrillation, Bollmann et al. 2006; 240–340/min in flutter, Brugada et al. 2020).
ATRIAL_MIN_RATE_BPM = 240.0
#: Flutter waves up to this rate (per minute); faster atrial activity is fibrillation
#: (Brugada et al. 2020).
FLUTTER_MAX_RATE_BPM = 340.0
#: First-degree AV block: PR above this (ms) with 1:1 conduction (Kusumoto et al. 2019).
FIRST_DEGREE_PR_MS = 200.0
#: Complete bundle-branch block: QRS at least this (ms) in adults (Surawicz et al. 2009).
WIDE_QRS_MS = 120.0
#: S waves deeper than this (mV) in I or V6 belong to the right bundle-branch pattern.
_RBBB_S_MV = 0.1
#: A q wave deeper than this (mV) in I or V6 speaks against left bundle-branch block.
_LBBB_Q_MV = 0.1


@dataclass
class NormalCriteria:
    """Adult criteria of a normal ECG, as used by :func:`is_normal` (editable).

    Attributes
    ----------
    rhythms : tuple of str
        Rhythm statements of :func:`interpret` that count as normal: sinus rhythm and
        sinus arrhythmia (Mason et al. 2007, AHA/ACC/HRS part II statement list,
        doi:10.1161/CIRCULATIONAHA.106.180201).
    min_p_wave_share : float
        A P wave before (nearly) each QRS: at least this share of the beats.
    heart_rate_bpm : (float, float)
        50–100 bpm (Kusumoto et al. 2019; Page et al. 2016).
    pr_ms : (float, float)
        120–200 ms (Kusumoto et al. 2019 for the upper limit; the lower limit of
        pre-excitation screening, Surawicz et al. 2009).
    max_qrs_ms : float
        QRS below 120 ms (Surawicz et al. 2009).
    qtc_ms : (float, float)
        QTc above 340 ms (short QT, Priori et al. 2015) and below 460 ms (prolonged
        QTc in women, 450 ms in men: Rautaharju et al. 2009; the women's limit is used
        because the sex is not part of the measurements).
    qtc_column : str
        Which correction: Framingham's linear formula by default, as Rautaharju et al.
        (2009) advise a linear regression correction rather than Bazett's.
    qrs_axis_deg : (float, float)
        −30° to +90° (Surawicz et al. 2009).
    extra : dict of str to (float, float)
        Limits on other columns of the measurements, ``{"qrs_ms": (80, 110)}``.
    abnormal_findings : tuple of str
        Statements of :func:`interpret` that make an ECG not normal when present:
        left ventricular hypertrophy by voltage, ST elevation or depression, T-wave
        inversion or flat T waves, premature atrial or ventricular beats, second- or third-degree AV
        block (Mason et al. 2007 list each as a statement apart from "normal ECG").
        Leave one out to let it pass, e.g. ``abnormal_findings=("lvh",)``.

    Notes
    -----
    Each criterion must be met: a value that could not be measured fails its
    criterion ("PR not measurable (no P wave found)"), since an ECG whose PR cannot
    be checked cannot be called normal.
    """

    rhythms: tuple[str, ...] = ("sinus rhythm", "sinus arrhythmia")
    min_p_wave_share: float = 0.9
    heart_rate_bpm: tuple[float, float] = (50.0, 100.0)
    pr_ms: tuple[float, float] = (120.0, 200.0)
    max_qrs_ms: float = 120.0
    qtc_ms: tuple[float, float] = (340.0, 460.0)
    qtc_column: str = "qtc_framingham_ms"
    qrs_axis_deg: tuple[float, float] = (-30.0, 90.0)
    extra: dict[str, tuple[float, float]] = field(default_factory=dict)
    abnormal_findings: tuple[str, ...] = FINDING_COLUMNS

    def as_dict(self) -> dict[str, Any]:
        """The criteria as a plain dict (for reports)."""
        return asdict(self)


_NEEDED = ("heart_rate", "status")


def _as_table(measurements: pd.Series | pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    if isinstance(measurements, pd.Series):
        return measurements.to_frame().T, True
    if isinstance(measurements, pd.DataFrame):
        return measurements, False
    raise TypeError(
        f"expected the result of ecgtoolkit.measure() (a pandas Series or DataFrame), got "
        f"{type(measurements).__name__}; run et.measure(ecg) first"
    )


def _shaped(
    out: pd.DataFrame, single: bool, measurements: pd.Series | pd.DataFrame
) -> pd.Series | pd.DataFrame:
    """A Series named like the input for one record, else the table."""
    if not single:
        return out
    series = out.iloc[0]
    series.name = measurements.name
    return series


def _check_columns(table: pd.DataFrame, needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(
            f"the measurements lack the columns {missing}: pass the table that "
            "ecgtoolkit.measure() returns (this version's measure() has them)"
        )


def _measured_columns(table: pd.DataFrame) -> list[str]:
    """The columns of ``table`` that hold :func:`ecgtoolkit.measure` values."""
    named = {*GLOBAL_COLUMNS, *PHYSIOLOGY_COLUMNS}
    return [c for c in table.columns if c in named or "_amp_mv_" in str(c)]


def _unmeasured_why(row: pd.Series, measured: list[str]) -> str | None:
    """Why a row cannot be interpreted (status not "ok", or no value at all), or None."""
    status = row.get("status", "ok")
    reason = row.get("reason", "")
    detail = f" ({reason})" if isinstance(reason, str) and reason else ""
    if status != "ok":
        return f"not interpreted: measurement status {status!r}{detail}"
    if not any(np.isfinite(_num(row, name)) for name in measured):
        return f"not interpreted: nothing was measured (every value is NaN){detail}"
    return None


def _axis_category(axis: float) -> str:
    """AHA/ACCF/HRS frontal QRS axis category (Surawicz et al. 2009).

    A missing axis is "not measurable", not the statement's "indeterminate axis" (QRS
    equiphasic in all six limb leads), which the measured angle does not tell apart.
    """
    if not np.isfinite(axis):
        return NOT_MEASURABLE
    if -30.0 <= axis <= 90.0:
        return "normal"
    if -90.0 <= axis < -30.0:
        return "left axis deviation"
    if 90.0 < axis <= 180.0:
        return "right axis deviation"
    return "extreme axis deviation"


def _missing_why(row: pd.Series, column: str) -> str:
    """Why ``column`` of a measured row is missing, in a few words ("" when unknown)."""
    reason = row.get("reason", "")
    reason = reason if isinstance(reason, str) else ""
    if column == "heart_rate":
        return "fewer than two beats found"
    if column == "p_wave_share":
        return "P waves not delineated"
    if "no dominant beat" in reason:
        return "no dominant beat morphology"
    share = _num(row, "p_wave_share")
    if column == "pr_ms":
        if np.isnan(share):
            return "P waves not measured"
        if share == 0:
            return "no P wave found"
        if share < P_PRESENT_SHARE:
            return f"P waves found before only {share:.0%} of beats"
        return "no P-wave onset on the median beat"
    if column == "qrs_ms":
        return "no QRS onset or end on the median beat"
    if column == "qt_ms" or (column.startswith("qtc_") and np.isnan(_num(row, "qt_ms"))):
        return "no T-wave end on the median beat"
    if column.startswith("qtc_"):
        return "no RR interval to correct with"
    if column == "qrs_axis_deg":
        if reason.startswith("axes need"):
            return "fewer than two usable limb leads"
        return "no QRS boundaries on the median beat"
    return ""


def _not_measurable(label: str, row: pd.Series, column: str) -> str:
    """``"PR not measurable (no P wave found)"``."""
    why = _missing_why(row, column)
    return f"{label} {NOT_MEASURABLE}" + (f" ({why})" if why else "")


def _pacing(row: pd.Series) -> str:
    """The ``pacing`` text of a measured row when it says paced, else ""."""
    text = row.get("pacing", "")
    return text if isinstance(text, str) and text.startswith("paced") else ""


def _fast_atria(row: pd.Series) -> str:
    """How fast, fibrillation- or flutter-like atrial activity shows ("" when it does not)."""
    rate, size = _num(row, "atrial_rate_bpm"), _num(row, "atrial_amplitude_mv")
    if not (np.isfinite(rate) and np.isfinite(size)):
        return ""
    if size < ATRIAL_ACTIVITY_MV or rate < ATRIAL_MIN_RATE_BPM:
        return ""
    return (
        f"atrial activity at {rate:.0f}/min (≥ {ATRIAL_MIN_RATE_BPM:g}), "
        f"{1000 * size:.0f} µV (≥ {1000 * ATRIAL_ACTIVITY_MV:g}) once the QRS–T is cancelled"
    )


def _rhythm(row: pd.Series) -> tuple[str, list[str]]:
    hr = _num(row, "heart_rate")
    nrmssd = _num(row, "rr_irregularity")
    share = _num(row, "p_wave_share")
    pr_iqr = _num(row, "pr_variability_ms")
    rr_range = _num(row, "rr_range_ms")
    missing = [name for name, v in (("heart_rate", hr), ("p_wave_share", share)) if np.isnan(v)]
    if missing:
        return "", [f"rhythm not determined: {' and '.join(missing)} not measured"]
    irregular = np.isfinite(nrmssd) and nrmssd > IRREGULAR_NRMSSD
    p_present = np.isfinite(share) and share >= P_PRESENT_SHARE
    conducted = p_present and not (np.isfinite(pr_iqr) and pr_iqr > AF_PR_IQR_MS)
    why = []
    paced = _pacing(row)
    chamber = paced.partition("(")[2].partition(")")[0]
    atria_paced = chamber in ("atrial", "dual chamber")
    atria = _fast_atria(row)
    if paced:
        # Under ventricular pacing the RR intervals say nothing of the atria: only the
        # atrial activity itself tells fibrillating atria.
        if atria_paced or conducted or not atria:
            why.append(f"paced rhythm: {paced} ({_GLIKSON})")
            return "paced rhythm", why
        why.append(f"atrial fibrillation: {atria}, no conducted P waves ({_BOLLMANN})")
        why.append(f"with ventricular pacing: {paced} ({_GLIKSON})")
        return "atrial fibrillation", why
    size = _num(row, "atrial_amplitude_mv")
    if irregular and not conducted and p_present and np.isfinite(size) and not atria:
        # P waves before most beats whose PR varies, and nothing fibrillatory left once
        # the QRS-T is cancelled: premature or blocked beats, not fibrillation waves.
        why.append(
            f"not atrial fibrillation: P waves before {share:.0%} of beats with PR varying by "
            f"{pr_iqr:.0f} ms, but no fibrillatory activity once the QRS–T is cancelled "
            f"({1000 * size:.0f} µV at {_num(row, 'atrial_rate_bpm'):.0f}/min; fibrillation "
            f"needs ≥ {1000 * ATRIAL_ACTIVITY_MV:g} µV at ≥ {ATRIAL_MIN_RATE_BPM:g}/min)"
        )
        conducted = True
    if irregular and not conducted:
        atrial = (
            f"no P waves (found before {share:.0%} of beats)"
            if not p_present
            else f"P-like waves with PR varying by {pr_iqr:.0f} ms (IQR > {AF_PR_IQR_MS:g})"
        )
        why.append(
            f"atrial fibrillation: irregular RR (normalised RMSSD {nrmssd:.2f} > "
            f"{IRREGULAR_NRMSSD:g}, {_DASH}) and {atrial} ({_HINDRICKS})"
        )
        if atria:
            why.append(atria)
        return "atrial fibrillation", why
    if not p_present and atria:
        rate = _num(row, "atrial_rate_bpm")
        if rate <= FLUTTER_MAX_RATE_BPM:
            why.append(
                f"atrial flutter: regular rhythm without P waves, {atria}, at most "
                f"{FLUTTER_MAX_RATE_BPM:g}/min ({_BRUGADA})"
            )
            return "atrial flutter", why
        why.append(
            f"atrial fibrillation: regular rhythm without P waves, {atria}, faster than "
            f"flutter ({_BOLLMANN})"
        )
        return "atrial fibrillation", why
    if not p_present:
        why.append(
            f"other: regular rhythm without P waves (found before {share:.0%} of beats): "
            "junctional, paced, flutter with fixed conduction or fibrillation with a regular "
            "ventricular rhythm"
        )
        return "other", why
    if av_dissociation(row, p_present=p_present, irregular=irregular):
        # The rate is an escape rhythm's and no P wave conducts: not a sinus rhythm.
        why.append("other: an escape rhythm, regular, under atria beating on their own")
        return "other", why
    if hr < BRADYCARDIA_BPM:
        why.append(f"sinus bradycardia: {hr:.0f} bpm < {BRADYCARDIA_BPM:g} ({_KUSUMOTO})")
        return "sinus bradycardia", why
    if hr > TACHYCARDIA_BPM:
        why.append(f"sinus tachycardia: {hr:.0f} bpm > {TACHYCARDIA_BPM:g} ({_PAGE})")
        return "sinus tachycardia", why
    # Premature beats and pauses make a wide RR range of their own: not sinus arrhythmia.
    events = ("n_premature_atrial", "n_premature_ventricular", "n_pauses")
    ectopy = np.nansum([_num(row, name) for name in events]) > 0
    if np.isfinite(rr_range) and rr_range > SINUS_ARRHYTHMIA_RANGE_MS and not ectopy:
        why.append(
            f"sinus arrhythmia: RR range {rr_range:.0f} ms > {SINUS_ARRHYTHMIA_RANGE_MS:g} "
            f"with conducted P waves ({_CHOU})"
        )
        return "sinus arrhythmia", why
    return "sinus rhythm", why


def _conduction(row: pd.Series, leads: set[str]) -> tuple[bool, str, list[str]]:
    qrs = _num(row, "qrs_ms")
    if not (np.isfinite(qrs) and qrs >= WIDE_QRS_MS):
        return False, "", []

    amp = _amplitude(row)
    pattern = "nonspecific intraventricular conduction delay"
    if "V1" in leads:
        r_v1 = amp("r", "V1")
        neg_v1 = np.nanmin([amp("q", "V1"), amp("s", "V1"), 0.0])
        s_left = np.nanmin([amp("s", lead) for lead in ("I", "V6") if lead in leads] or [np.nan])
        q_left = np.nanmin([amp("q", lead) for lead in ("I", "V6") if lead in leads] or [np.nan])
        if r_v1 > -neg_v1 and s_left < -_RBBB_S_MV:
            pattern = "right bundle branch block pattern"
        elif r_v1 < -neg_v1 and not (q_left < -_LBBB_Q_MV):
            pattern = "left bundle branch block pattern"
    why = [f"wide QRS: {qrs:.0f} ms ≥ {WIDE_QRS_MS:g}, {pattern} ({_SURAWICZ})"]
    return True, pattern, why


def _interpret_row(row: pd.Series, leads: set[str], measured: list[str]) -> dict[str, Any]:
    unmeasured = _unmeasured_why(row, measured)
    if unmeasured is not None:
        return {
            "rhythm": "",
            "paced": False,
            "axis": NOT_MEASURABLE,
            "first_degree_av_block": False,
            "wide_qrs": False,
            "conduction": "",
            **{k: _EMPTY_FINDINGS[k] for k in FINDING_COLUMNS},
            "reasons": unmeasured,
        }
    rhythm, why = _rhythm(row)
    axis = _num(row, "qrs_axis_deg")
    category = _axis_category(axis)
    if category not in (NOT_MEASURABLE, "normal"):
        why.append(f"{category}: QRS axis {axis:.0f}° ({_SURAWICZ})")
    pr = _num(row, "pr_ms")
    sinus = rhythm.startswith("sinus")
    av1 = bool(sinus and np.isfinite(pr) and pr > FIRST_DEGREE_PR_MS)
    if av1:
        why.append(f"first-degree AV block: PR {pr:.0f} ms > {FIRST_DEGREE_PR_MS:g} ({_KUSUMOTO})")
    wide, pattern, more = _conduction(row, leads)
    why += more
    found, more = findings(
        row, leads, rhythm,
        p_present=bool(_num(row, "p_wave_share") >= P_PRESENT_SHARE),
        irregular=bool(_num(row, "rr_irregularity") > IRREGULAR_NRMSSD),
    )  # fmt: skip
    why += more
    return {
        "rhythm": rhythm,
        "paced": bool(_pacing(row)),
        "axis": category,
        "first_degree_av_block": av1,
        "wide_qrs": wide,
        "conduction": pattern,
        **found,
        "reasons": "; ".join(why),
    }


_EMPTY_FINDINGS = {
    "lvh": False, "st_elevation": "", "st_depression": "", "t_wave_inversion": "",
    "flat_t_waves": "", "premature_atrial": 0, "premature_ventricular": 0, "av_block": "",
}  # fmt: skip


def _leads_of(table: pd.DataFrame) -> set[str]:
    prefix = "r_amp_mv_"
    return {c[len(prefix) :] for c in table.columns if c.startswith(prefix)}


def interpret(measurements: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Rule-based statements for measured ECGs: rhythm, axis, conduction, ST–T, ectopy.

    Parameters
    ----------
    measurements : pandas.Series or pandas.DataFrame
        The result of :func:`ecgtoolkit.measure` for one record or a batch.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        A Series for one record, a DataFrame (same index) for a table, with

        * ``rhythm``: one of :data:`RHYTHMS` ("" when the record was not measured, or
          its heart rate or P-wave share was not);
        * ``paced``: pacemaker stimuli were found (the ``pacing`` column of the
          measurements says so);
        * ``axis``: the frontal QRS axis category, one of :data:`AXIS_CATEGORIES`:
          "not measurable" when the axis was not measured (never "");
        * ``first_degree_av_block``: PR > 200 ms in a sinus rhythm;
        * ``wide_qrs``: QRS ≥ 120 ms, and ``conduction``: its pattern ("right bundle
          branch block pattern", "left bundle branch block pattern" or "nonspecific
          intraventricular conduction delay"; "" when the QRS is not wide);
        * ``lvh``: left ventricular hypertrophy by voltage (Sokolow–Lyon or Cornell);
          ``st_elevation``, ``st_depression``, ``t_wave_inversion``, ``flat_t_waves``:
          the contiguous leads that show it ("" when none); ``premature_atrial`` and
          ``premature_ventricular``: how many beats; ``av_block``: "",
          "second-degree Mobitz I", "second-degree or sinoatrial" or "third-degree"
          (:mod:`ecgtoolkit.measurement.findings` gives each rule and its source);
        * ``reasons``: each rule that fired, with its numbers and source.

        A record is not interpreted (every statement empty or False, ``reasons`` says
        why) when its ``status`` is not ``"ok"`` or when none of its measurements has a
        value, whatever its status says.

    Raises
    ------
    TypeError
        If ``measurements`` is not a pandas Series or DataFrame.
    ValueError
        If it lacks the columns of :func:`ecgtoolkit.measure`.

    Notes
    -----
    Rhythm. Atrial activity counts as fibrillation or flutter when what is left once the
    QRS–T complexes are cancelled (``atrial_amplitude_mv``,
    :func:`ecgtoolkit.signal.atrial.atrial_activity`) reaches
    :data:`ATRIAL_ACTIVITY_MV` at a rate of at least :data:`ATRIAL_MIN_RATE_BPM`
    (Bollmann et al. 2006). A record whose measurements found pacemaker stimuli
    (``pacing``, see :func:`ecgtoolkit.signal.pacing.find_pacing`) is a "paced rhythm"
    (Glikson et al. 2021), unless only the ventricles are paced, no conducted P waves
    are found and the atria show such activity: then it is "atrial fibrillation" and
    ``reasons`` adds "with ventricular pacing" (the pacemaker sets the RR intervals, so
    they say nothing of the atria; stimuli in the atria mean the atria are captured, not
    fibrillating). P waves found before most beats whose PR varies are taken for
    fibrillation waves only when the atria show such activity (otherwise they are the P
    waves of premature or blocked beats). Atrial fibrillation needs irregular RR intervals (normalised RMSSD > 0.10,
    Dash et al. 2009) and no conducted P waves: P waves found before fewer than half
    the beats, or "P waves" whose PR interval varies from beat to beat (interquartile
    range > :data:`AF_PR_IQR_MS`), which are fibrillation waves (the ESC definition:
    irregularly irregular RR, no distinct repeating P waves; Hindricks et al. 2021). A
    regular rhythm without P waves is "atrial flutter" when the atria show activity at
    most :data:`FLUTTER_MAX_RATE_BPM` per minute (flutter with fixed conduction,
    Brugada et al. 2020), "atrial fibrillation" when it is faster (a regular ventricular
    response), else "other" (junctional, or flutter waves locked to the QRS, which the
    cancellation removes with it). Flutter with variable conduction is called
    fibrillation. With conducted
    P waves: sinus bradycardia below 50 bpm (Kusumoto et al. 2019), sinus tachycardia
    above 100 bpm (Page et al. 2016), sinus arrhythmia when the longest and shortest RR
    differ by more than 160 ms (Chou's; not when premature beats or pauses make the
    range), else sinus rhythm. The P-wave axis is not checked, so an ectopic atrial
    rhythm counts as sinus. Where the findings rules see complete AV block (P waves that
    do not conduct, a regular escape rhythm), the rhythm is "other": its rate is the
    escape rhythm's, not the sinus node's.

    Axis categories by the AHA/ACCF/HRS boundaries (Surawicz et al. 2009): normal −30°
    to +90°, left axis deviation −30° to −90°, right axis deviation +90° to +180°,
    extreme axis deviation −90° to −180°. An axis that was not measured (fewer than two
    usable limb leads, no QRS boundaries) is "not measurable"; the statement's
    "indeterminate axis" (QRS equiphasic in all six limb leads) is not told apart, as
    the net QRS areas always give an angle.

    Bundle-branch-block pattern of a QRS ≥ 120 ms (Surawicz et al. 2009), from the
    amplitudes of the median beat: right when V1 is predominantly positive (R wave
    larger than the deepest Q or S) and lead I or V6 has an S wave deeper than 0.1 mV;
    left when V1 is predominantly negative and neither I nor V6 has a q wave deeper than
    0.1 mV; otherwise a nonspecific intraventricular conduction delay.

    References
    ----------
    Kusumoto FM et al. 2019, doi:10.1161/CIR.0000000000000628; Bollmann A et al. 2006,
    doi:10.1093/europace/eul169; Brugada J et al. 2020, doi:10.1093/eurheartj/ehz467;
    Glikson M et al. 2021,
    doi:10.1093/eurheartj/ehab364; Page RL et al. 2016,
    doi:10.1161/CIR.0000000000000311; Hindricks G et al. 2021,
    doi:10.1093/eurheartj/ehaa612; Dash S et al. 2009, doi:10.1007/s10439-009-9740-z;
    Surawicz B et al. 2009, doi:10.1161/CIRCULATIONAHA.108.191095; Surawicz B, Knilans
    TK. Chou's Electrocardiography in Clinical Practice, 6th ed., Saunders 2008.

    Examples
    --------
    >>> import pandas as pd
    >>> import ecgtoolkit as et
    >>> m = pd.Series({"heart_rate": 112.0, "rr_range_ms": 40.0, "rr_irregularity": 0.03,
    ...                "p_wave_share": 1.0, "pr_variability_ms": 4.0, "pr_ms": 150.0,
    ...                "qrs_ms": 96.0, "qrs_axis_deg": 60.0, "status": "ok"})
    >>> et.interpret(m)["rhythm"]
    'sinus tachycardia'
    """
    table, single = _as_table(measurements)
    _check_columns(table, _NEEDED)
    leads, measured = _leads_of(table), _measured_columns(table)
    rows = [_interpret_row(row, leads, measured) for _, row in table.iterrows()]
    out = pd.DataFrame(rows, index=table.index)
    return _shaped(out, single, measurements)


_FINDING_TEXT = {
    "lvh": "left ventricular hypertrophy by voltage", "st_elevation": "ST elevation in {}",
    "st_depression": "ST depression in {}", "t_wave_inversion": "T-wave inversion in {}",
    "flat_t_waves": "flat T waves in {}",
    "premature_atrial": "{} premature atrial beat(s)",
    "premature_ventricular": "{} premature ventricular beat(s)", "av_block": "{} AV block",
}  # fmt: skip


def _normal_row(row: pd.Series, said: pd.Series, c: NormalCriteria) -> dict[str, Any]:
    """``normal`` and ``reasons`` of one measured row; a missing value fails, named so."""
    rhythm = said["rhythm"]
    fails = [
        _FINDING_TEXT[k].format(said[k])
        for k in c.abnormal_findings
        if k in _FINDING_TEXT and said.get(k) not in (None, False, "", 0)
    ]
    if not rhythm:
        missing = [n for n in ("heart_rate", "p_wave_share") if np.isnan(_num(row, n))]
        fails.append(_not_measurable("rhythm", row, missing[0] if missing else ""))
    elif rhythm not in c.rhythms:
        fails.append(f"rhythm {rhythm!r} not in {list(c.rhythms)}")
    if _pacing(row):
        fails.append(_pacing(row))
    share = _num(row, "p_wave_share")
    if not np.isfinite(share):
        fails.append(_not_measurable("P-wave share", row, "p_wave_share"))
    elif share < c.min_p_wave_share:
        fails.append(f"P wave before {share:.0%} of beats (< {c.min_p_wave_share:.0%})")
    checks = [
        ("heart rate", "heart_rate", c.heart_rate_bpm, "bpm"),
        ("PR", "pr_ms", c.pr_ms, "ms"),
        ("QTc", c.qtc_column, c.qtc_ms, "ms"),
        ("QRS axis", "qrs_axis_deg", c.qrs_axis_deg, "°"),
        *((name, name, limits, "") for name, limits in c.extra.items()),
    ]
    for label, column, (low, high), unit in checks:
        value = _num(row, column)
        if not np.isfinite(value):
            fails.append(_not_measurable(label, row, column))
        elif not low <= value <= high:
            unit_text = f" {unit}" if unit and unit != "°" else unit
            fails.append(f"{label} {value:.0f}{unit_text} outside {low:g}–{high:g}")
    qrs = _num(row, "qrs_ms")
    if not np.isfinite(qrs):
        fails.append(_not_measurable("QRS", row, "qrs_ms"))
    elif qrs >= c.max_qrs_ms:
        fails.append(f"QRS {qrs:.0f} ms not < {c.max_qrs_ms:g}")
    return {"normal": not fails, "reasons": "; ".join(fails)}


def is_normal(
    measurements: pd.Series | pd.DataFrame, criteria: NormalCriteria | None = None
) -> pd.Series | pd.DataFrame:
    """Does each record meet the adult criteria of a normal ECG?

    Parameters
    ----------
    measurements : pandas.Series or pandas.DataFrame
        The result of :func:`ecgtoolkit.measure`.
    criteria : NormalCriteria, optional
        The criteria (default :class:`NormalCriteria`: sinus rhythm with a P wave before
        at least 90% of the beats, HR 50–100 bpm, PR 120–200 ms, QRS < 120 ms, QTc
        (Framingham) 340–460 ms, QRS axis −30° to +90°). Edit a copy to change them,
        e.g. ``NormalCriteria(heart_rate_bpm=(60, 100))``; ``extra`` adds limits on any
        other column, ``{"qrs_ms": (80, 110)}``.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        ``normal`` (bool) and ``reasons`` (each criterion that failed, "" when normal),
        a Series for one record, a DataFrame for a table. A value that could not be
        measured (NaN) fails its criterion, and its reason says so and why, e.g.
        "PR not measurable (no P wave found)"; see Notes.

    Notes
    -----
    The intervals are those of the measurements given, by the convention they were
    measured with (``measurements.attrs["convention"]``; :func:`ecgtoolkit.measure`'s
    default is ``"consistent-leads"``). The limits come from guidelines written on the
    measurements of interpretation programs, which the ``"median-beat"`` convention
    follows more closely: its QRS is about 14 ms and its QT about 18 ms shorter on LUDB
    (``benchmarks/bench_conventions.py``), so a record near a limit may pass by one and
    fail by the other.

    A normal ECG meets every criterion, so a record is normal only when each criterion
    could be checked: a missing PR interval, QTc or axis fails, as it always has. Most
    missing PR intervals come with absent P waves, which fail the rhythm and P-wave
    criteria anyway; where P waves are found but their onset is not, a short PR
    (pre-excitation, Surawicz et al. 2009) cannot be ruled out, and a filter that
    selects normal ECGs, as ``ecgtoolkit.generate(accept="normal")`` does, should
    reject rather than guess.

    Examples
    --------
    >>> import pandas as pd
    >>> import ecgtoolkit as et
    >>> m = pd.Series({"heart_rate": 70.0, "rr_range_ms": 40.0, "rr_irregularity": 0.03,
    ...                "p_wave_share": 1.0, "pr_variability_ms": 4.0, "pr_ms": 230.0,
    ...                "qrs_ms": 96.0, "qtc_framingham_ms": 410.0, "qrs_axis_deg": 60.0,
    ...                "status": "ok"})
    >>> et.is_normal(m)["reasons"]
    'PR 230 ms outside 120–200'
    """
    c = criteria if criteria is not None else NormalCriteria()
    if not isinstance(c, NormalCriteria):
        raise TypeError(
            f"criteria must be an ecgtoolkit NormalCriteria, got {type(c).__name__}; "
            "build one with et.NormalCriteria(heart_rate_bpm=(60, 100), ...)"
        )
    unknown = sorted(set(c.abnormal_findings) - set(FINDING_COLUMNS))
    if unknown:
        raise ValueError(
            f"abnormal_findings {unknown} are not statements of interpret(); "
            f"choose from {list(FINDING_COLUMNS)}"
        )
    table, single = _as_table(measurements)
    _check_columns(table, (*_NEEDED, c.qtc_column, *c.extra))
    statements = interpret(table)
    rows = []
    measured = _measured_columns(table)
    for (_, row), (_, said) in zip(table.iterrows(), statements.iterrows(), strict=True):
        if _unmeasured_why(row, measured) is not None:
            rows.append({"normal": False, "reasons": said["reasons"]})
            continue
        rows.append(_normal_row(row, said, c))
    out = pd.DataFrame(rows, index=table.index)
    return _shaped(out, single, measurements)
