"""Memorisation: does a generated record sit on one real record as a copy would?

The ``memorisation`` table of :class:`~ecgtoolkit.Comparison`; :func:`ecgtoolkit.compare`
documents the method (nearest-neighbour distance ratio, Zhao et al. 2021).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["memorisation_table"]


def _nearest(query: np.ndarray, ref: np.ndarray, exclude_self: bool) -> tuple[np.ndarray, ...]:
    """Euclidean distances from each query row to its nearest and second-nearest ref rows,
    and the nearest row's index (``exclude_self``: ``query`` is ``ref``, each row's own
    distance left out).

    scikit-learn's nearest-neighbour search proposes four candidates per row; their
    distances are then computed exactly, so that a copy is at distance 0 (the search's
    ‖a‖² + ‖b‖² − 2a·b form leaves rounding of about 1e-7 there).
    """
    from sklearn.neighbors import NearestNeighbors

    k = min(4, len(ref) - exclude_self)
    search = NearestNeighbors(n_neighbors=k).fit(ref)
    _, candidates = search.kneighbors(None if exclude_self else query)
    first, second = np.empty(len(query)), np.empty(len(query))
    index = np.empty(len(query), dtype=np.int64)
    chunk = max(1, 4_000_000 // max(k * query.shape[1], 1))
    for start in range(0, len(query), chunk):
        rows = slice(start, start + chunk)
        near = candidates[rows]
        exact = np.sqrt(np.sum((query[rows, None, :] - ref[near]) ** 2, axis=2))
        order = np.argsort(exact, axis=1)
        at = np.arange(len(near))
        first[rows] = exact[at, order[:, 0]]
        second[rows] = exact[at, order[:, min(1, k - 1)]]
        index[rows] = near[at, order[:, 0]]
    return first, second, index


def _ratio(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Nearest over second-nearest distance; 0 for an exact copy."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = first / second
    return np.where(first == 0, 0.0, np.nan_to_num(ratio, nan=1.0, posinf=1.0))


def memorisation_table(
    ref: np.ndarray, query: np.ndarray, ref_index: pd.Index, query_index: pd.Index, quantile: float
) -> pd.DataFrame:
    own_first, own_second, _ = _nearest(ref, ref, exclude_self=True)
    threshold = float(np.quantile(_ratio(own_first, own_second), quantile))
    distance, second, nearest = _nearest(query, ref, exclude_self=False)
    ratio = _ratio(distance, second)
    flag = ratio <= threshold
    table = pd.DataFrame(
        {"nn_distance": distance, "nn_ratio": ratio, "nn_real": ref_index[nearest], "flag": flag},
        index=query_index,
    )
    table.attrs.update(threshold=threshold, share_flagged=float(flag.mean()), quantile=quantile)
    return table
