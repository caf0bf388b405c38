"""Argument checks shared by the modules that take counts and ids (one message each)."""

from __future__ import annotations

from typing import Any

import numpy as np


def count(value: Any, name: str = "n") -> int:
    """``value`` as a positive int; TypeError for a non-integer, ValueError for ≤ 0."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of ECGs, got {value}")
    return int(value)


def record_id(value: Any, name: str = "start_id") -> int:
    """``value`` as a non-negative int (a record id)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)
