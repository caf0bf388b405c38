"""Units of voltage: every signal is held in millivolts and converted once, at the boundary."""

from __future__ import annotations

__all__ = ["UNITS", "column_unit", "unit_factor"]

#: Factor that converts a value in the given unit (lower case) to millivolts.
UNITS: dict[str, float] = {"mv": 1.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "v": 1e3, "nv": 1e-6}


def unit_factor(units: str) -> float:
    """The factor that converts a value in ``units`` to millivolts.

    Parameters
    ----------
    units : str
        ``"mV"``, ``"uV"`` (or ``"µV"``), ``"nV"`` or ``"V"``, in any case.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``units`` is not a string.
    ValueError
        For an unknown unit.

    Examples
    --------
    >>> unit_factor("uV"), unit_factor("V")
    (0.001, 1000.0)
    """
    if not isinstance(units, str):
        raise TypeError(f"units must be a string such as 'mV', got {type(units).__name__}")
    key = units.strip().lower()
    if key not in UNITS:
        raise ValueError(f"unknown units {units!r}; use 'mV', 'uV' (or 'µV'), 'nV' or 'V'")
    return UNITS[key]


def column_unit(name: str) -> str:
    """The unit of a measurement column, from its name (``qt_ms``, ``r_amp_mv_V2``).

    Examples
    --------
    >>> column_unit("heart_rate"), column_unit("r_amp_mv_II"), column_unit("qrs_axis_deg")
    ('bpm', 'mV', '°')
    """
    if name == "heart_rate":
        return "bpm"
    if "_amp_mv" in name or name.endswith("_mv"):
        return "mV"
    if name.endswith("_ms"):
        return "ms"
    if name.endswith("_deg"):
        return "°"
    return ""
