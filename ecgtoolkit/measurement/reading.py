"""Check a reading made by eye (paper, calipers) against the toolkit's measurement.

:func:`check_reading` is the exercise checker of the teaching notebooks: a student
measures PR, QRS, QT, heart rate, axis or rhythm first, and the toolkit says whether the
reading is within a reading tolerance of its own value and, when it is not, what is
commonly done wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["READING_TOLERANCES", "Reading", "check_reading"]

#: What a careful reading by eye on paper at 25 mm/s and 10 mm/mV can be expected to
#: match, per quantity: half a small square (20 ms) for the QRS, one small square (40 ms)
#: for PR and QT, 5 bpm for the rate, 30° (one hexaxial step) for the axis.
READING_TOLERANCES: dict[str, float] = {
    "heart_rate": 5.0,
    "pr_ms": 40.0,
    "qrs_ms": 20.0,
    "qt_ms": 40.0,
    "qrs_axis_deg": 30.0,
}

_LABELS = {
    "heart_rate": ("heart rate", "bpm"),
    "pr_ms": ("PR interval", "ms"),
    "qrs_ms": ("QRS duration", "ms"),
    "qt_ms": ("QT interval", "ms"),
    "qrs_axis_deg": ("frontal QRS axis", "°"),
    "rhythm": ("rhythm", ""),
}

#: What a reading that misses usually got wrong, by quantity and direction.
_HINTS = {
    ("heart_rate", "low"): "count the beats in the whole 10 s strip and multiply by 6, or "
    "divide 300 by the large squares between two R peaks (1500 by the small squares)",
    ("heart_rate", "high"): "divide 300 by the large squares between consecutive R peaks "
    "(not between an R and the next T); in an irregular rhythm count beats over 10 s",
    ("pr_ms", "low"): "PR runs from the first deflection of P to the first deflection of "
    "the QRS (Q or R), not to the R peak's top; P often starts earliest in lead II",
    ("pr_ms", "high"): "PR ends at the QRS onset (the start of Q, or of R when there is no "
    "Q), not at the R peak",
    ("qrs_ms", "low"): "the QRS starts where the first deflection leaves the baseline and "
    "ends at the J point; the widest lead counts, the toolkit takes the earliest onset and "
    "the latest end over all leads",
    ("qrs_ms", "high"): "the QRS ends at the J point, where the steep slope turns into the "
    "flatter ST segment, not where the ST segment or the T wave begins to rise",
    ("qt_ms", "low"): "QT ends where the T wave's downslope meets the baseline; "
    "take the lead with the longest QT (often V2 or V3), and do not stop at the T peak",
    ("qt_ms", "high"): "QT ends at the end of the T wave, not at a U wave or the next P; "
    "where T and U merge, draw the tangent of T's steepest downslope to the baseline",
    ("qrs_axis_deg", "low"): "find the limb lead where the QRS is most equiphasic: the "
    "axis is at right angles to it; a positive QRS in I and aVF puts it between 0° and 90°",
    ("qrs_axis_deg", "high"): "find the limb lead where the QRS is most equiphasic: the "
    "axis is at right angles to it; a negative QRS in aVF puts it above 0°",
}


@dataclass(frozen=True)
class Reading:
    """The verdict on one reading (see :func:`check_reading`).

    Attributes
    ----------
    quantity : str
        The column checked (``"pr_ms"``, ``"rhythm"``, ...).
    answer : float, str or None
        The reading as given (None: not given yet).
    toolkit : float or str
        The toolkit's value.
    tolerance : float or None
        The allowed difference (None for the rhythm, which must match).
    ok : bool or None
        Whether the reading is within the tolerance; None when no reading was given.
    message : str
        The verdict in words, with a hint when the reading misses.
    """

    quantity: str
    answer: float | str | None
    toolkit: float | str
    tolerance: float | None
    ok: bool | None
    message: str

    def __str__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        colour = {True: "#1a7f37", False: "#b35900", None: "#555"}[self.ok]
        mark, _, rest = self.message.partition(" ")
        return f'<p style="color:{colour}"><b>{mark}</b> {rest}</p>'


def _angle_difference(a: float, b: float) -> float:
    return float((a - b + 180.0) % 360.0 - 180.0)


def check_reading(
    measurements: pd.Series,
    quantity: str,
    answer: float | str | None,
    *,
    tolerance: float | None = None,
    rhythm: str | None = None,
) -> Reading:
    """Is a reading made by eye within a reading tolerance of the toolkit's value?

    Parameters
    ----------
    measurements : pandas.Series
        :func:`ecgtoolkit.measure` of the record that was read.
    quantity : str
        ``"heart_rate"`` (bpm), ``"pr_ms"``, ``"qrs_ms"``, ``"qt_ms"`` (ms),
        ``"qrs_axis_deg"`` (degrees) or ``"rhythm"`` (a statement of
        :data:`ecgtoolkit.measurement.interpretation.RHYTHMS`, e.g. "sinus rhythm").
    answer : float, str or None
        The reading; None when the student has not filled it in yet (the verdict then
        says what to do, and ``ok`` is None).
    tolerance : float, optional
        The allowed difference in the quantity's unit (default
        :data:`READING_TOLERANCES`).
    rhythm : str, optional
        The toolkit's rhythm statement, when it is already known (default: from
        :func:`ecgtoolkit.interpret` of ``measurements``).

    Returns
    -------
    Reading
        The verdict; it displays itself in a notebook (green tick or orange cross).

    Raises
    ------
    TypeError
        If ``measurements`` is not one record's row (a Series).
    ValueError
        If ``quantity`` is not one of the above, the toolkit could not measure it, or the
        answer is not a number.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.Series({"pr_ms": 162.0, "qrs_axis_deg": 75.0})
    >>> check_reading(m, "pr_ms", 160).ok
    True
    >>> print(check_reading(m, "qrs_axis_deg", -30))
    ✗ frontal QRS axis: you read -30°, the toolkit measured 75° (more than 30° apart). \
Hint: find the limb lead where the QRS is most equiphasic: the axis is at right angles \
to it; a positive QRS in I and aVF puts it between 0° and 90°
    """
    if not isinstance(measurements, pd.Series):
        raise TypeError(
            f"measurements must be one record's row of et.measure() (a pandas Series), got "
            f"{type(measurements).__name__}; for a table pick the record: table.loc[record_id]"
        )
    if quantity not in _LABELS:
        raise ValueError(f"quantity must be one of {sorted(_LABELS)}, got {quantity!r}")
    label, unit = _LABELS[quantity]
    if quantity == "rhythm":
        if rhythm is None:
            from .interpretation import interpret

            rhythm = str(interpret(measurements)["rhythm"])
        return _check_rhythm(answer, rhythm)
    value = float(measurements.get(quantity, np.nan))
    if not np.isfinite(value):
        raise ValueError(
            f"the toolkit could not measure the {label} of this record "
            f"(reason: {measurements.get('reason', '') or 'not given'}): choose another record"
        )
    tol = READING_TOLERANCES[quantity] if tolerance is None else float(tolerance)
    sep = "" if unit == "°" else " "  # 75°, but 160 ms
    shown = f"{value:.0f}{sep}{unit}"
    if answer is None:
        return Reading(
            quantity, None, value, tol, None,
            f"… {label}: write your reading in the variable above and run this cell again",
        )  # fmt: skip
    try:
        given = float(answer)
    except (TypeError, ValueError):
        raise ValueError(
            f"the reading of the {label} must be a number in {unit or 'its unit'}, got "
            f"{answer!r}: write it as a plain number, e.g. 160"
        ) from None
    diff = _angle_difference(given, value) if quantity == "qrs_axis_deg" else given - value
    you = f"{given:.0f}{sep}{unit}"
    if abs(diff) <= tol:
        message = (
            f"✓ {label}: you read {you}, the toolkit measured {shown} (within {tol:g}{sep}{unit})"
        )
        return Reading(quantity, given, value, tol, True, message)
    hint = _HINTS[(quantity, "low" if diff < 0 else "high")]
    message = (
        f"✗ {label}: you read {you}, the toolkit measured {shown} (more than "
        f"{tol:g}{sep}{unit} apart). Hint: {hint}"
    )
    return Reading(quantity, given, value, tol, False, message)


def _check_rhythm(answer: float | str | None, rhythm: str) -> Reading:
    if not rhythm:
        raise ValueError("the toolkit could not name this record's rhythm: choose another")
    if answer is None:
        return Reading(
            "rhythm", None, rhythm, None, None,
            "… rhythm: write your reading in the variable above and run this cell again",
        )  # fmt: skip
    given = str(answer).strip().lower()
    if given == rhythm:
        return Reading("rhythm", given, rhythm, None, True, f"✓ rhythm: {rhythm}")
    message = (
        f"✗ rhythm: you read {given!r}, the toolkit says {rhythm!r}. Hint: are the RR "
        "intervals regular? is there a P wave before every QRS, with the same PR? what is "
        "the rate (sinus bradycardia below 50, tachycardia above 100 bpm)?"
    )
    return Reading("rhythm", given, rhythm, None, False, message)
