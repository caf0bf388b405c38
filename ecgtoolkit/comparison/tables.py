"""Measurement tables as the statistics read them: numeric columns, finite values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BOOKKEEPING_COLUMNS",
    "MIN_RECORDS",
    "as_float",
    "as_frame",
    "column_values",
    "compared_rows",
    "feature_matrix",
    "finite",
    "is_measure_column",
]

#: Numeric columns of :func:`ecgtoolkit.measure` that count things rather than
#: describe the ECG; left out of comparisons by default.
BOOKKEEPING_COLUMNS: frozenset[str] = frozenset({"n_beats"})
#: Fewest records per group for every test and for 5-fold cross-validation.
MIN_RECORDS = 5


def finite(x: np.ndarray) -> np.ndarray:
    """The finite values of ``x``."""
    return x[np.isfinite(x)]


def column_values(column: pd.Series) -> np.ndarray:
    """Float values of a column, missing (NaN, pd.NA, ±inf) as NaN.

    Examples
    --------
    >>> column_values(pd.Series([1, None, float("inf")])).tolist()
    [1.0, nan, nan]
    """
    x = column.to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(x), x, np.nan)


def as_float(table: pd.DataFrame, names: list[str]) -> np.ndarray:
    """The columns ``names`` as a float array ``(n_rows, n_names)``, missing as NaN."""
    return np.column_stack([column_values(table[name]) for name in names])


def as_frame(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The columns ``names`` as floats, with the table's index."""
    return pd.DataFrame(as_float(table, names), index=table.index, columns=names)


def is_measure_column(series: pd.Series) -> bool:
    """Whether a column holds numbers (not booleans)."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def compared_rows(table: pd.DataFrame, minimum: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows with status "ok" (all rows without a status column) and their mask.

    Raises
    ------
    ValueError
        If fewer than ``minimum`` rows are left.
    """
    if "status" in table.columns:
        rows = (table["status"] == "ok").to_numpy(bool)
    else:
        rows = np.ones(len(table), bool)
    if rows.sum() < minimum:
        raise ValueError(
            f"{int(rows.sum())} records have status 'ok'; at least {minimum} per group are "
            "needed (measure more records)"
        )
    return table.loc[rows], rows


def feature_matrix(
    x: Any, name: str, *, min_rows: int = 2, n_columns: int | None = None
) -> np.ndarray:
    """``x`` as a finite float matrix ``(n_records, n_features)``, checked once for the metrics.

    Parameters
    ----------
    x : array-like
        Standardised features, one row per record (see
        :func:`ecgtoolkit.comparison.distances.standardise`, which also fills NaN).
    name : str
        The argument's name, for the error messages.
    min_rows : int
        Fewest records the metric needs.
    n_columns : int, optional
        Columns it must have (those of the other group).

    Returns
    -------
    numpy.ndarray
        ``x`` as float64.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.
    ValueError
        If ``x`` is not 2-D, has too few rows, the wrong number of columns, or holds NaN
        or infinity.

    Examples
    --------
    >>> feature_matrix([[0.0, 1.0], [1.0, 0.5]], "z_real").shape
    (2, 2)
    """
    array = np.asarray(x)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(
            f"{name} has shape {array.shape}, expected (n_records, n_features): one row of "
            "standardised features per record"
        )
    if len(array) < min_rows:
        raise ValueError(f"{name} has {len(array)} records; at least {min_rows} are needed")
    if n_columns is not None and array.shape[1] != n_columns:
        raise ValueError(
            f"{name} has {array.shape[1]} features but the other group {n_columns}; give "
            "both groups the same columns, standardised together (standardise)"
        )
    if array.shape[1] == 0:
        raise ValueError(f"{name} has no feature columns")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(
            f"{name} holds NaN or infinite values; standardise() replaces missing values by "
            "the real median"
        )
    return array
