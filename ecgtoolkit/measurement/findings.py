"""Findings beyond rhythm and conduction: hypertrophy, ST–T, ectopic beats, AV block.

The rules :func:`ecgtoolkit.interpret` applies to one measured row besides its rhythm,
axis and QRS width, each a function of the row that returns its statement and the
reasons (with the rule's numbers and published source). Every limit is a named
constant with its source; none was fitted to a database (agreement with LUDB's
cardiologists: ``benchmarks/bench_findings.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = [
    "CORNELL_MEN_MV",
    "CORNELL_WOMEN_MV",
    "FLAT_T_MIN_R_MV",
    "FLAT_T_MV",
    "DISSOCIATION_PR_IQR_MS",
    "ESCAPE_MAX_BPM",
    "CONTIGUOUS_LEADS",
    "FINDING_COLUMNS",
    "SOKOLOW_LYON_MV",
    "ST_DEPRESSION_MV",
    "ST_ELEVATION_MV",
    "ST_ELEVATION_V2_V3_MV",
    "T_INVERSION_MV",
    "WENCKEBACH_PR_CHANGE_MS",
    "NO_BEAT_RULES",
    "av_block",
    "av_dissociation",
    "ectopic_beats",
    "findings",
    "lvh",
    "st_t_changes",
]

_SOKOLOW = "Sokolow & Lyon 1949, Am Heart J 37:161, doi:10.1016/0002-8703(49)90562-1"
_CASALE = "Casale et al. 1985, J Am Coll Cardiol 6:572, doi:10.1016/S0735-1097(85)80115-7"
_HANCOCK = "Hancock et al. 2009, AHA/ACCF/HRS part V, doi:10.1161/CIRCULATIONAHA.108.191097"
_THYGESEN = "Thygesen et al. 2018, 4th universal MI definition, doi:10.1161/CIR.0000000000000617"
_RAUTAHARJU = "Rautaharju et al. 2009, AHA/ACCF/HRS part IV, doi:10.1161/CIRCULATIONAHA.108.191096"
_KUSUMOTO = (
    "Kusumoto et al. 2019, ACC/AHA/HRS bradycardia guideline, doi:10.1161/CIR.0000000000000628"
)
_CHOU = "Surawicz & Knilans, Chou's Electrocardiography in Clinical Practice, 6th ed. 2008"

#: Sokolow–Lyon index: S in V1 plus the taller R of V5 and V6, at least this (mV).
SOKOLOW_LYON_MV = 3.5
#: Cornell voltage: R in aVL plus S in V3 above this (mV) in men ...
CORNELL_MEN_MV = 2.8
#: ... and above this in women (Casale et al. 1985).
CORNELL_WOMEN_MV = 2.0
#: ST elevation (at the J point) in two contiguous leads: at least this (mV) outside V2–V3 ...
ST_ELEVATION_MV = 0.1
#: ... and at least this in V2–V3 (men of 40 and over; 0.25 under 40, 0.15 in women;
#: Thygesen et al. 2018); the sex and age are not part of the measurements.
ST_ELEVATION_V2_V3_MV = 0.2
#: ST depression (at the J point and 60 ms later) in two contiguous leads: at least this
#: (mV) below baseline.
ST_DEPRESSION_MV = 0.05
#: A T wave is inverted when its peak is at least this far below baseline (mV) ...
T_INVERSION_MV = 0.1
#: ... in two contiguous leads among those whose T wave is normally upright
#: (I, II, aVF, V3–V6: Rautaharju et al. 2009; T may be negative in aVR, III, aVL, V1
#: and V2 in healthy adults).
_T_UPRIGHT = frozenset({"I", "II", "aVF", "V3", "V4", "V5", "V6"})
#: A T wave is flat when its peak lies within this (mV) of baseline (Rautaharju et al.
#: 2009) in a lead whose T wave is normally upright ...
FLAT_T_MV = 0.1
#: ... and whose R wave reaches this (mV), so that a small complex's small T wave does not
#: count (this condition is the toolkit's: on LUDB no fully normal record has flat T waves
#: in two contiguous leads by it, 21% of the records with a repolarisation or ischaemia
#: label do).
FLAT_T_MIN_R_MV = 0.5
#: Contiguous leads (Thygesen et al. 2018): the limb leads in the Cabrera order of
#: their frontal angles (aVR, opposite to all, left out) and the chest leads in order.
CONTIGUOUS_LEADS: tuple[tuple[str, ...], ...] = (
    ("aVL", "I", "II", "aVF", "III"),
    ("V1", "V2", "V3", "V4", "V5", "V6"),
)
#: PR change across a pause (ms) that counts as the PR's reset after a Wenckebach
#: sequence: the measurement's beat-to-beat PR spread on regular sinus rhythm is a few
#: milliseconds (two samples of the delineation network at 250 Hz are 8 ms).
WENCKEBACH_PR_CHANGE_MS = 20.0
#: P waves that do not conduct (AV dissociation) fall anywhere in the cardiac cycle, so
#: the PR the delineation pairs with each QRS (a P wave ending up to 300 ms before it)
#: spreads over most of that window: an interquartile range above this (ms). Conducted
#: P waves vary by a few ms; the limit leaves room for wandering pacemakers (LUDB 127
#: and 130: 14 and 27 ms).
DISSOCIATION_PR_IQR_MS = 50.0
#: In complete AV block the escape rhythm is at most this fast (bpm): junctional
#: escape 40–60, ventricular 20–40 (Kusumoto et al. 2019).
ESCAPE_MAX_BPM = 60.0

Amplitude = Callable[[str, str], float]


def _num(row: pd.Series, name: str) -> float:
    """A value of a measured row as a float (NaN where absent or not a number)."""
    value = row.get(name, np.nan)
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def _amplitude(row: pd.Series) -> Amplitude:
    def amp(wave: str, lead: str) -> float:
        return _num(row, f"{wave}_amp_mv_{lead}")

    return amp


def _depth(amp: Amplitude, lead: str) -> float:
    """The deepest negative deflection of a lead's QRS (mV, positive; S or QS)."""
    negative = [v for v in (amp("q", lead), amp("s", lead)) if np.isfinite(v)]
    return float(-min([*negative, 0.0])) if negative else np.nan


def lvh(row: pd.Series, sex: str | None = None) -> tuple[bool, list[str]]:
    """Left ventricular hypertrophy by the Sokolow–Lyon index or the Cornell voltage.

    Not applied when the QRS is 120 ms or wider (bundle-branch block or pacing change
    the voltages; Hancock et al. 2009). ``sex`` ("F"/"M") picks Cornell's limit; without
    it the men's (the higher) is used.
    """
    qrs = _num(row, "qrs_ms")
    if np.isfinite(qrs) and qrs >= 120.0:
        return False, []
    amp = _amplitude(row)
    why = []
    tallest = [v for v in (amp("r", "V5"), amp("r", "V6")) if np.isfinite(v)]
    sokolow = _depth(amp, "V1") + (max(tallest) if tallest else np.nan)
    if np.isfinite(sokolow) and sokolow >= SOKOLOW_LYON_MV:
        why.append(
            f"left ventricular hypertrophy (voltage): Sokolow–Lyon SV1 + RV5/6 = "
            f"{sokolow:.2f} mV ≥ {SOKOLOW_LYON_MV:g} ({_SOKOLOW}; {_HANCOCK})"
        )
    women = str(sex).upper().startswith("F") if sex is not None else False
    limit = CORNELL_WOMEN_MV if women else CORNELL_MEN_MV
    cornell = amp("r", "aVL") + _depth(amp, "V3")
    if np.isfinite(cornell) and cornell > limit:
        who = "women" if women else "men" + ("" if sex is not None else ", sex not given")
        why.append(
            f"left ventricular hypertrophy (voltage): Cornell RaVL + SV3 = {cornell:.2f} mV "
            f"> {limit:g} ({who}; {_CASALE})"
        )
    return bool(why), why


def _contiguous(flags: dict[str, bool]) -> list[str]:
    """Leads flagged with a contiguous neighbour also flagged, in order."""
    out: list[str] = []
    for chain in CONTIGUOUS_LEADS:
        for a, b in zip(chain, chain[1:], strict=False):
            if flags.get(a) and flags.get(b):
                out += [lead for lead in (a, b) if lead not in out]
    return out


def st_t_changes(row: pd.Series, leads: set[str]) -> tuple[dict[str, str], list[str]]:
    """ST elevation, ST depression, T-wave inversion and flat T waves in two contiguous leads.

    ST levels are those at the J point (``j``, each lead's QRS offset on the median
    beat), relative to the level just before the QRS, as Thygesen et al. (2018) define
    them; a depression must also be horizontal or downsloping, so it must still reach
    the limit 60 ms later (``st60``). Not applied when the QRS is 120 ms or wider
    (ST–T changes secondary to abnormal depolarisation).
    Returns the leads of each change (comma-separated, "" when none) and the reasons.
    """
    out = {"st_elevation": "", "st_depression": "", "t_wave_inversion": "", "flat_t_waves": ""}
    qrs = _num(row, "qrs_ms")
    if np.isfinite(qrs) and qrs >= 120.0:
        return out, []
    amp = _amplitude(row)
    st = {lead: amp("j", lead) for lead in leads}
    later = {lead: amp("st60", lead) for lead in leads}
    t = {lead: amp("t", lead) for lead in leads}
    elevated = {
        lead: v >= (ST_ELEVATION_V2_V3_MV if lead in ("V2", "V3") else ST_ELEVATION_MV)
        for lead, v in st.items()
        if np.isfinite(v)
    }
    # Horizontal or downsloping: still as deep 60 ms later (an upsloping one is not).
    depressed = {
        lead: v <= -ST_DEPRESSION_MV and later[lead] <= -ST_DEPRESSION_MV
        for lead, v in st.items()
        if np.isfinite(v) and np.isfinite(later[lead])
    }
    inverted = {
        lead: v <= -T_INVERSION_MV for lead, v in t.items() if np.isfinite(v) and lead in _T_UPRIGHT
    }
    flat = {
        lead: abs(v) < FLAT_T_MV and amp("r", lead) >= FLAT_T_MIN_R_MV
        for lead, v in t.items()
        if np.isfinite(v) and lead in _T_UPRIGHT
    }
    why = []
    for key, flags, text, source in (
        ("st_elevation", elevated,
         f"ST elevation ≥ {ST_ELEVATION_MV:g} mV (≥ {ST_ELEVATION_V2_V3_MV:g} in V2–V3)",
         _THYGESEN),
        ("st_depression", depressed, f"ST depression ≥ {ST_DEPRESSION_MV:g} mV", _THYGESEN),
        ("t_wave_inversion", inverted, f"T waves inverted by ≥ {T_INVERSION_MV:g} mV",
         _RAUTAHARJU),
        ("flat_t_waves", flat,
         f"flat T waves (within ±{FLAT_T_MV:g} mV, R ≥ {FLAT_T_MIN_R_MV:g} mV)", _RAUTAHARJU),
    ):  # fmt: skip
        found = _contiguous(flags)
        if found:
            out[key] = ", ".join(found)
            values = st if key.startswith("st_") else t
            shown = ", ".join(f"{lead} {values[lead]:+.2f}" for lead in found)
            why.append(f"{text} in contiguous leads {shown} mV ({source})")
    return out, why


def ectopic_beats(row: pd.Series, rhythm: str) -> tuple[dict[str, int], list[str]]:
    """Premature atrial and ventricular beats (counts), outside fibrillation and flutter.

    In atrial fibrillation or flutter every RR interval is irregular and the "premature"
    label means nothing; under pacing the paced beats are unlike the intrinsic ones.
    """
    counts = {"premature_atrial": 0, "premature_ventricular": 0}
    if rhythm in NO_BEAT_RULES:
        return counts, []
    why = []
    for key, label in (("premature_atrial", "atrial"), ("premature_ventricular", "ventricular")):
        value = _num(row, f"n_{key}")
        n = int(value) if np.isfinite(value) else 0
        counts[key] = n
        if n:
            why.append(
                f"{n} premature {label} beat{'s' if n > 1 else ''} (RR < 80% of the local median, "
                f"QRS {'like' if label == 'atrial' else 'unlike'} the dominant one; {_CHOU})"
            )
    return counts, why


#: Rhythms under which the beat-to-beat rules (premature beats, AV block) say nothing:
#: every RR is irregular in fibrillation and flutter, the pacemaker sets it when paced.
NO_BEAT_RULES: tuple[str, ...] = ("atrial fibrillation", "atrial flutter", "paced rhythm", "")


def av_dissociation(row: pd.Series, *, p_present: bool, irregular: bool) -> str:
    """What shows the atria and ventricles beating on their own ("" when nothing does).

    P waves before most beats (``p_present``) whose PR varies from beat to beat by more
    than :data:`DISSOCIATION_PR_IQR_MS` (they do not conduct), with a regular ventricular
    rhythm (``irregular`` False) at most :data:`ESCAPE_MAX_BPM` (an escape rhythm;
    Kusumoto et al. 2019). The rhythm of :func:`ecgtoolkit.interpret` is then "other"
    and the AV block third-degree.
    """
    spread, rate = _num(row, "pr_variability_ms"), _num(row, "heart_rate")
    if not (p_present and not irregular and spread > DISSOCIATION_PR_IQR_MS):
        return ""
    if not rate <= ESCAPE_MAX_BPM:
        return ""
    return (
        f"P waves whose PR varies by {spread:.0f} ms (IQR > {DISSOCIATION_PR_IQR_MS:g}) with "
        f"a regular escape rhythm of {rate:.0f} bpm (≤ {ESCAPE_MAX_BPM:g})"
    )


def av_block(
    row: pd.Series, rhythm: str, *, p_present: bool, irregular: bool
) -> tuple[str, list[str]]:
    """Second- or third-degree AV block from pauses, PR changes and AV dissociation.

    Third degree: AV dissociation (:func:`av_dissociation`). Second degree, Mobitz I: a pause (a beat not delivered) after which
    the PR is at least :data:`WENCKEBACH_PR_CHANGE_MS` shorter than before it. A pause
    with an unchanged PR is "second-degree AV or sinoatrial block": the toolkit does not
    look for the blocked P wave in the pause, which alone tells the two apart, and it
    cannot tell 2:1 block from sinus bradycardia.
    """
    if rhythm in NO_BEAT_RULES:
        return "", []
    dissociation = av_dissociation(row, p_present=p_present, irregular=irregular)
    if dissociation:
        return "third-degree", [f"third-degree (complete) AV block: {dissociation} ({_KUSUMOTO})"]
    num = {k: _num(row, k) for k in ("n_pauses", "pause_pr_change_ms")}
    if not (p_present and num["n_pauses"] >= 1):
        return "", []
    change = num["pause_pr_change_ms"]
    n = int(num["n_pauses"])
    if np.isfinite(change) and change >= WENCKEBACH_PR_CHANGE_MS:
        return "second-degree Mobitz I", [
            f"second-degree AV block, Mobitz I (Wenckebach): {n} pause(s), the PR "
            f"{change:.0f} ms shorter after than before (≥ {WENCKEBACH_PR_CHANGE_MS:g}) "
            f"({_KUSUMOTO})"
        ]
    return "second-degree or sinoatrial", [
        f"{n} pause(s) (RR > 160% of the local median) with an unchanged PR: second-degree AV "
        f"block (Mobitz II) or sinoatrial block; the blocked P wave is not looked for "
        f"({_KUSUMOTO})"
    ]


#: The statements :func:`findings` adds to :func:`ecgtoolkit.interpret`'s row.
FINDING_COLUMNS: tuple[str, ...] = (
    "lvh", "st_elevation", "st_depression", "t_wave_inversion", "flat_t_waves",
    "premature_atrial", "premature_ventricular", "av_block",
)  # fmt: skip


def findings(
    row: pd.Series,
    leads: set[str],
    rhythm: str,
    *,
    p_present: bool,
    irregular: bool,
) -> tuple[dict[str, object], list[str]]:
    """Every rule of this module on one measured row: :data:`FINDING_COLUMNS`, reasons.

    A ``sex`` entry of the row ("F"/"M"), where the user joined one to the
    measurements, sets Cornell's limit.
    """
    sex = row.get("sex", None)
    sex = sex if isinstance(sex, str) and sex else None
    has_lvh, why = lvh(row, sex)
    st_t, more = st_t_changes(row, leads)
    why += more
    counts, more = ectopic_beats(row, rhythm)
    why += more
    block, more = av_block(row, rhythm, p_present=p_present, irregular=irregular)
    why += more
    return {"lvh": has_lvh, **st_t, **counts, "av_block": block}, why
