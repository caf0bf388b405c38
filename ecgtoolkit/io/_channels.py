"""Which channels of a file are ECG: by name and by unit, for every reader that has names.

Files of bedside monitors, Holters, sleep and labour wards (PhysioNet's MIMIC, the
MGH/MF and Fantasia databases, CTG, polysomnography, EDF exports) hold the ECG next to
respiration, pressures, the plethysmogram, uterine contractions, EEG and markers, often in
units (or a missing unit, which WFDB reads as mV) that look like a voltage. Only ECG
channels become leads; the others are left out and named in ``meta["dropped_channels"]``.

The rule, in order:

1. a unit that is not a voltage (``mmHg``, ``%``, ``bpm``, ``NU``, ``degC``, ``Ohm``,
   ``mg``, a garbled unit) means not ECG;
2. a name that says what else the channel is (:data:`NOT_ECG`) means not ECG, whatever
   its unit;
3. every other channel in a voltage (or without a unit) is kept: ECG channels have many
   names (``II``, ``MLII``, ``V``, ``MCL1``, ``CM5``, ``ECG lead I``, ``FECG``, ``EKG 2``,
   the Frank leads ``vx``), so a name that is not recognised is no reason to drop a
   voltage.

The WFDB and CSV readers apply it (CSV by name only: it has no units). The others do
not: ``.npz`` stores the leads of an :class:`~ecgtoolkit.ECG` as written, ``.npy`` and
the CPSC ``.mat`` files have no channel names, a MUSE export holds ECG leads only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

from ..core.units import unit_factor

# Names of channels that are not ECG, matched at the start of the name (case ignored),
# grouped by what they measure. Each is a signal of PhysioNet or EDF records that is
# stored in a voltage or without a unit.
_NOT_ECG_PREFIXES = {
    # not "Thorax_1" or "Abdomen_1": the maternal and fetal ECG leads of nifecgdb
    "respiration": r"resp|rr\b|(thor|abdo)\w*\s*(res|eff|belt)|airflow|nasal|flow\b|ptaf|"
    r"snor|co2|etco2|awp|awrr|imp\b|impedance",
    "uterine contraction": r"uc\b|toco|uterine|ctg\b",
    "pressure": r"abp|art\b|art\d|arterial|pap|cvp|icp|cpp|lap\b|rap\b|uap|fap|"
    r"n?bp\b|n?bp(sys|dias|mean)|pawp|press",
    "plethysmogram or oximetry": r"pleth|ppg|spo2|sao2|sp02|ox\b|pulse|hr\b|hrv\b|"
    r"heart\s*rate",
    "EEG, EOG or EMG": r"eeg|eog|emg|ekg?\s*artifact|chin|leg\b|lat\b|rat\b|loc\b|roc\b",
    "temperature": r"temp|dev_temp|skin\s*temp",
    "skin conductance or motion": r"gsr|foot\s*gsr|hand\s*gsr|eda\b|accel|acc_?[xyz]\b|"
    r"gyro|position|light|activity",
    "heart sound": r"pcg|phono|sound|mic\b",
    "marker or annotation": r"marker|edf\s*annotations?|annotation|event|trigger|status\b|"
    r"stim",
}
_NOT_ECG_ANYWHERE = r"temperature|accelerometer|pressure|respirat|oximet|pleth"
# EEG and EOG derivations of the 10-20 system: "Fp2-F4", "C3-A2", "E1-M2", "O1-A1".
_EEG_DERIVATION = r"(fp|af|ft|fc|cp|tp|po|[fctpoaem])(\d{1,2}|z)\s*-\s*[a-z]"

#: The names of channels that are not ECG (see the module's docstring).
NOT_ECG = re.compile(
    r"^\s*(?:" + "|".join(f"(?:{p})" for p in _NOT_ECG_PREFIXES.values()) + ")"
    rf"|{_NOT_ECG_ANYWHERE}|^\s*{_EEG_DERIVATION}",
    re.IGNORECASE,
)


def is_voltage(units: str | None) -> bool:
    """Whether ``units`` is a voltage (None, a missing unit, is millivolts)."""
    if units is None:
        return True
    try:
        unit_factor(units)
    except ValueError:
        return False
    return True


def ecg_channels(
    names: Sequence[str], units: Sequence[str | None] | None = None
) -> tuple[list[int], list[str]]:
    """The indices of the ECG channels, and the others as ``"name (unit)"`` (or ``"name"``).

    ``units`` (None: no unit known, as in CSV) holds one unit per channel, None for a
    channel without one.
    """
    units = list(units) if units is not None else [None] * len(names)
    keep: list[int] = []
    dropped: list[str] = []
    for channel, (name, unit) in enumerate(zip(names, units, strict=True)):
        if is_voltage(unit) and not NOT_ECG.search(name):
            keep.append(channel)
        else:
            dropped.append(f"{name} ({unit})" if unit is not None else name)
    return keep, dropped


def warn_dropped(what: str, dropped: Sequence[str], stacklevel: int) -> None:
    """Warn that channels of ``what`` (``"WFDB record 'x'"``) were left out, if any."""
    if dropped:
        warnings.warn(
            f"{what}: left out channels that are not ECG: {', '.join(dropped)} "
            "(listed in meta['dropped_channels'])",
            UserWarning,
            stacklevel=stacklevel + 1,
        )


def no_ecg_error(what: str, names: Sequence[str], dropped: Sequence[str]) -> ValueError:
    """The error for a file without any ECG channel."""
    return ValueError(
        f"{what} has no ECG channel (a voltage whose name is not that of respiration, "
        f"pressure, pleth, EEG, EOG, EMG, a marker or the like); channels: "
        f"{', '.join(dropped) or ', '.join(names) or 'none'}"
    )
