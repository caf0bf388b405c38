"""Lead names and the derivation of limb leads.

Any channel name is accepted (``"ECG"``, ``"CM5"``, ``"MLII"``); the 12 standard leads
are recognised in their usual spellings and stored in one spelling, so that operations
that need particular leads (deriving limb leads, axes, the 12-lead printout) find them.

The standard 12-lead ECG has six limb leads (I, II, III, aVR, aVL, aVF) and six
precordial leads (V1–V6). Only two limb leads are independent: the other four follow
from Einthoven's law (III = II − I) and Goldberger's augmented leads
(aVR = −(I + II)/2, aVL = I − II/2, aVF = II − I/2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "CHEST_LEADS",
    "ELECTRODES",
    "GENERATED_LEADS",
    "LIMB_LEAD_WEIGHTS",
    "STANDARD_LEADS",
    "leads_i_ii",
    "missing_leads",
    "normalize_lead_name",
    "normalize_lead_names",
    "standard_lead_name",
    "derive_limb_leads",
    "order_leads",
    "select_leads",
]

#: The 12 standard leads in the conventional order.
STANDARD_LEADS: tuple[str, ...] = (
    "I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6",
)  # fmt: skip

#: The 8 leads that the Pulse2Pulse generator emits, in its output order.
GENERATED_LEADS: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")

#: The six chest (precordial) leads, V1 to V6 around the chest.
CHEST_LEADS: tuple[str, ...] = STANDARD_LEADS[6:]

#: The limb electrodes: right arm, left arm, left leg (the right leg is the ground).
ELECTRODES: tuple[str, ...] = ("RA", "LA", "LL")

#: Weights of the electrode potentials (RA, LA, LL) in each limb lead (Einthoven 1912;
#: Goldberger 1942).
LIMB_LEAD_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "I": (-1.0, 1.0, 0.0),
    "II": (-1.0, 0.0, 1.0),
    "III": (0.0, -1.0, 1.0),
    "aVR": (1.0, -0.5, -0.5),
    "aVL": (-0.5, 1.0, -0.5),
    "aVF": (-0.5, -0.5, 1.0),
}

_BY_KEY = {name.lower(): name for name in STANDARD_LEADS}
# Other spellings of the standard leads seen in public databases: roman numerals with a
# "D" (Einthoven's "Derivation", common in French and Spanish), "lead II", any case.
# Modified leads (MIT-BIH's MLII, Holter's CM5) and channels such as "ECG" are different
# signals: they are kept under their own names, not mapped to a standard lead.
_ALIASES = {"d1": "I", "d2": "II", "d3": "III", "di": "I", "dii": "II", "diii": "III"}


def standard_lead_name(name: str) -> str | None:
    """Return the standard spelling if ``name`` denotes one of the 12 standard leads.

    Parameters
    ----------
    name : str
        A lead or channel name: ``"avr"``, ``"AVR"``, ``"lead II"``, ``"D2"``,
        ``"v1"``, or any other channel name.

    Returns
    -------
    str or None
        One of :data:`STANDARD_LEADS`, or None for any other name (``"MLII"``,
        ``"CM5"``, ``"ECG"``, ``"vx"``).

    Examples
    --------
    >>> standard_lead_name("avr"), standard_lead_name("lead II"), standard_lead_name("CM5")
    ('aVR', 'II', None)
    """
    if not isinstance(name, str):
        raise TypeError(f"lead names must be strings, got {type(name).__name__}")
    key = re.sub(r"[\s_]+", "", name.strip().lower())
    key = re.sub(r"^lead", "", key)
    return _ALIASES.get(key) or _BY_KEY.get(key)


def normalize_lead_name(name: str) -> str:
    """Return the name under which a lead or channel is kept.

    Any non-empty name is accepted. The 12 standard leads are recognised in their usual
    spellings and stored as in :data:`STANDARD_LEADS`; every other name (``"MLII"``,
    ``"CM5"``, ``"ECG"``, ``"EKG 1"``, the Frank leads ``"vx"``) is kept as given,
    without surrounding white space.

    Parameters
    ----------
    name : str
        A lead or channel name.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is empty or only white space.

    Examples
    --------
    >>> normalize_lead_name("avr"), normalize_lead_name(" v6 "), normalize_lead_name("CM5")
    ('aVR', 'V6', 'CM5')
    """
    standard = standard_lead_name(name)
    if standard is not None:
        return standard
    kept = name.strip()
    if not kept:
        raise ValueError("lead names must not be empty; name every channel, e.g. 'ECG1'")
    return kept


def normalize_lead_names(names: Iterable[str]) -> tuple[str, ...]:
    """Normalize a sequence of lead names and reject duplicates.

    Parameters
    ----------
    names : iterable of str
        Lead or channel names (see :func:`normalize_lead_name`).

    Returns
    -------
    tuple of str
        The names to keep, in the given order.

    Raises
    ------
    ValueError
        If a name is empty or two names denote the same lead.

    Examples
    --------
    >>> normalize_lead_names(["i", "ii", "v1", "ECG"])
    ('I', 'II', 'V1', 'ECG')
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


def missing_leads(have: Iterable[str], need: Iterable[str], purpose: str) -> str | None:
    """Return a message naming the leads in ``need`` that are not in ``have``, or None.

    Examples
    --------
    >>> missing_leads(["MLII", "V5"], ["I", "II"], "deriving the limb leads")
    'deriving the limb leads needs leads I, II; this ECG has MLII, V5'
    """
    have = list(have)
    absent = [name for name in need if name not in have]
    if not absent:
        return None
    return f"{purpose} needs leads {', '.join(absent)}; this ECG has {', '.join(have)}"


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


def leads_i_ii(values: Mapping[str, Any]) -> tuple[Any, Any] | None:
    """Leads I and II from any two independent limb leads (Einthoven, Goldberger).

    Parameters
    ----------
    values : mapping of lead name to number or array
        Values of some limb leads (areas, amplitudes or signals), in one unit.

    Returns
    -------
    tuple or None
        ``(I, II)``, from I and II, I and III, II and III, I and aVF, or II and aVL (in
        that order of preference); None when no such pair is given.

    Examples
    --------
    >>> leads_i_ii({"II": 1.0, "III": 0.25})
    (0.75, 1.0)
    >>> leads_i_ii({"V1": 1.0}) is None
    True
    """
    v = values
    if "I" in v and "II" in v:
        return v["I"], v["II"]
    if "I" in v and "III" in v:
        return v["I"], v["I"] + v["III"]
    if "II" in v and "III" in v:
        return v["II"] - v["III"], v["II"]
    if "I" in v and "aVF" in v:
        return v["I"], v["aVF"] + v["I"] / 2
    if "II" in v and "aVL" in v:
        return v["aVL"] + v["II"] / 2, v["II"]
    return None


def order_leads(names: Sequence[str]) -> list[str]:
    """Sort lead names: the standard 12 in their conventional order, then any others."""
    rank = {name: i for i, name in enumerate(STANDARD_LEADS)}
    return sorted(names, key=lambda name: rank.get(name, len(rank)))


def select_leads(
    signal: np.ndarray,
    have: Sequence[str],
    want: Sequence[str],
    *,
    missing: str = "raise",
    purpose: str = "selecting leads",
) -> np.ndarray:
    """The rows of ``want`` from a signal whose rows are ``have``, deriving limb leads.

    Missing limb leads are derived from any two independent ones that are there
    (:func:`leads_i_ii`, :func:`derive_limb_leads`); a recorded lead is always kept over
    a derived one.

    Parameters
    ----------
    signal : numpy.ndarray
        Shape ``(..., len(have), n_samples)``: one record or a batch.
    have : sequence of str
        The names of the signal's rows.
    want : sequence of str
        The names of the rows to return, in that order.
    missing : {"raise", "nan"}
        A lead that is neither there nor derivable: a ``KeyError`` naming it, or a row
        of NaN.
    purpose : str
        What the leads are for, in the error message.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., len(want), n_samples)``, a new array.

    Raises
    ------
    KeyError
        With ``missing="raise"``, when a lead of ``want`` cannot be had.
    ValueError
        If ``missing`` is neither ``"raise"`` nor ``"nan"``, or ``have`` does not match
        the signal's rows.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, 1.0], [3.0, 3.0]])  # leads II and III
    >>> select_leads(x, ["II", "III"], ["I", "aVF", "V1"], missing="nan")[:, 0]
    array([-2.,  2., nan])
    """
    if missing not in ("raise", "nan"):
        raise ValueError(f"missing must be 'raise' or 'nan', got {missing!r}")
    signal = np.asarray(signal)
    if signal.ndim < 2 or signal.shape[-2] != len(have):
        raise ValueError(
            f"a signal of shape {signal.shape} does not have one row per lead of {list(have)}"
        )
    rows = {name: signal[..., i, :] for i, name in enumerate(have)}
    if any(name not in rows for name in want if name in LIMB_LEAD_WEIGHTS):
        pair = leads_i_ii(rows)
        if pair is not None:
            derived = {"I": pair[0], "II": pair[1], **derive_limb_leads(*pair)}
            rows = {**derived, **rows}  # a recorded lead is kept over a derived one
    absent = [name for name in want if name not in rows]
    if absent and missing == "raise":
        raise KeyError(missing_leads(have, absent, purpose))
    dtype = np.result_type(signal.dtype, np.float32) if absent else signal.dtype
    out = np.full((*signal.shape[:-2], len(want), signal.shape[-1]), np.nan, dtype=dtype)
    for i, name in enumerate(want):
        if name in rows:
            out[..., i, :] = rows[name]
    return out
