"""Lead names and the derivation of limb leads.

The standard 12-lead ECG has six limb leads (I, II, III, aVR, aVL, aVF) and six
precordial leads (V1–V6). Only two limb leads are independent: the other four follow
from Einthoven's law (III = II − I) and Goldberger's augmented leads
(aVR = −(I + II)/2, aVL = I − II/2, aVF = II − I/2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "STANDARD_LEADS",
    "GENERATED_LEADS",
    "normalize_lead_name",
    "normalize_lead_names",
    "derive_limb_leads",
]

#: The 12 standard leads in the conventional order.
STANDARD_LEADS: tuple[str, ...] = (
    "I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6",
)  # fmt: skip

#: The 8 leads that the Pulse2Pulse generator emits, in its output order.
GENERATED_LEADS: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")

_BY_KEY = {name.lower(): name for name in STANDARD_LEADS}
# Spellings seen in public databases (MIT-BIH's modified limb leads, "lead II",
# roman numerals written with a prefix, ...). MLII is the modified lead II of Holter
# recordings (Mason–Likar electrode placement), the closest standard lead.
_ALIASES = {
    "mli": "I",
    "mlii": "II",
    "mliii": "III",
    "d1": "I",
    "d2": "II",
    "d3": "III",
    "1": "I",
    "2": "II",
    "3": "III",
    "-avr": None,  # inverted aVR (Cabrera display) is a different signal: reject
}


def normalize_lead_name(name: str) -> str:
    """Return the standard spelling of one lead name.

    Parameters
    ----------
    name : str
        A lead name in any common spelling: ``"avr"``, ``"AVR"``, ``"lead II"``,
        ``"MLII"`` (modified lead II, mapped to ``"II"``), ``"v1"``.

    Returns
    -------
    str
        One of :data:`STANDARD_LEADS`.

    Raises
    ------
    ValueError
        If the name is not a standard 12-lead ECG lead.

    Examples
    --------
    >>> normalize_lead_name("avr"), normalize_lead_name("MLII"), normalize_lead_name("v6")
    ('aVR', 'II', 'V6')
    """
    if not isinstance(name, str):
        raise TypeError(f"lead names must be strings, got {type(name).__name__}")
    key = re.sub(r"[\s_]+", "", name.strip().lower())
    key = re.sub(r"^lead", "", key)
    if key in _ALIASES:
        mapped = _ALIASES[key]
        if mapped is not None:
            return mapped
    elif key in _BY_KEY:
        return _BY_KEY[key]
    raise ValueError(
        f"unknown lead name {name!r}; expected one of {', '.join(STANDARD_LEADS)} "
        "(case-insensitive; MLI/MLII/MLIII are mapped to I/II/III)"
    )


def normalize_lead_names(names: Iterable[str]) -> tuple[str, ...]:
    """Normalize a sequence of lead names and reject duplicates.

    Parameters
    ----------
    names : iterable of str
        Lead names in any common spelling.

    Returns
    -------
    tuple of str
        Standard spellings, in the given order.

    Raises
    ------
    ValueError
        If a name is unknown or two names denote the same lead.

    Examples
    --------
    >>> normalize_lead_names(["i", "ii", "v1"])
    ('I', 'II', 'V1')
    """
    if isinstance(names, str):
        raise TypeError("leads must be a sequence of names, not one string")
    names = list(names)
    out = tuple(normalize_lead_name(n) for n in names)
    seen: set[str] = set()
    for original, name in zip(names, out, strict=True):
        if name in seen:
            raise ValueError(
                f"lead {name!r} appears twice (as {original!r}); lead names must be unique"
            )
        seen.add(name)
    return out


def derive_limb_leads(lead_i: np.ndarray, lead_ii: np.ndarray) -> dict[str, np.ndarray]:
    """Derive III, aVR, aVL and aVF from leads I and II.

    Parameters
    ----------
    lead_i, lead_ii : numpy.ndarray
        Leads I and II, same shape, time on the last axis, any unit.

    Returns
    -------
    dict of str to numpy.ndarray
        ``{"III": II − I, "aVR": −(I + II)/2, "aVL": I − II/2, "aVF": II − I/2}``
        in the unit of the input (Einthoven 1912; Goldberger 1942).

    Examples
    --------
    >>> import numpy as np
    >>> d = derive_limb_leads(np.array([1.0]), np.array([2.0]))
    >>> float(d["III"][0]), float(d["aVR"][0]), float(d["aVL"][0]), float(d["aVF"][0])
    (1.0, -1.5, 0.0, 1.5)
    """
    lead_i = np.asarray(lead_i)
    lead_ii = np.asarray(lead_ii)
    if lead_i.shape != lead_ii.shape:
        raise ValueError(f"leads I and II differ in shape: {lead_i.shape} vs {lead_ii.shape}")
    half = np.asarray(0.5, dtype=np.result_type(lead_i, lead_ii, np.float32))
    return {
        "III": lead_ii - lead_i,
        "aVR": -(lead_i + lead_ii) * half,
        "aVL": lead_i - lead_ii * half,
        "aVF": lead_ii - lead_i * half,
    }


def order_leads(names: Sequence[str]) -> list[str]:
    """Sort standard lead names into the conventional 12-lead order."""
    rank = {name: i for i, name in enumerate(STANDARD_LEADS)}
    return sorted(names, key=rank.__getitem__)
