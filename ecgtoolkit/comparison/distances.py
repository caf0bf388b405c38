"""Whole-set distances between two groups: Fréchet, classifier two-sample test, MMD.

The ``distances`` of :class:`~ecgtoolkit.Comparison`; :func:`ecgtoolkit.compare`
documents the methods. DeLong's AUC variance and the permutation MMD have no library
equivalent with these options and are written here.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = [
    "COPY_QUANTILE",
    "c2st",
    "copy_groups",
    "delong",
    "frechet",
    "mmd",
    "squared_distances",
    "standardise",
]

_N_FOLDS = 5
_C2ST_C = 1.0  # inverse L2 strength of the classifier (scikit-learn's default)
#: A fake record closer to a real one than this quantile of the real records' distances
#: to their nearest other real record is a near-copy of it (as memorisation's quantile).
COPY_QUANTILE = 0.01
_MMD_MAX_PER_GROUP = 2000  # the kernel matrix grows with the square of the records


def standardise(r: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both groups in units of the real SD around the real mean, NaN → real median."""
    centre = np.nanmean(r, axis=0)
    scale = np.nanstd(r, axis=0, ddof=1)
    pooled = np.nanstd(np.vstack([r, f]), axis=0, ddof=1)
    scale = np.where(scale > 0, scale, pooled)
    median = np.nanmedian(r, axis=0)
    missing = np.array([np.isnan(r).sum(), np.isnan(f).sum()])
    r = np.where(np.isnan(r), median, r)
    f = np.where(np.isnan(f), median, f)
    return (r - centre) / scale, (f - centre) / scale, missing


def frechet(z_real: np.ndarray, z_fake: np.ndarray) -> float:
    mean_gap = np.sum((z_real.mean(axis=0) - z_fake.mean(axis=0)) ** 2)
    cov_r = np.atleast_2d(np.cov(z_real, rowvar=False))
    cov_f = np.atleast_2d(np.cov(z_fake, rowvar=False))
    values, vectors = np.linalg.eigh(cov_r)
    root_r = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root_r @ cov_f @ root_r
    cross = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    return float(mean_gap + np.trace(cov_r) + np.trace(cov_f) - 2 * cross)


def copy_groups(z_real: np.ndarray, z_fake: np.ndarray) -> tuple[np.ndarray, int]:
    """Cross-validation groups that keep every fake record with the real ones it copies.

    A fake record within the :data:`COPY_QUANTILE` quantile of the real records'
    nearest-neighbour distances (Euclidean, exact: a copy is at 0) of one or more real
    records shares a group with them; groups joined by a shared record merge. All
    other records are groups of one.

    Parameters
    ----------
    z_real, z_fake : numpy.ndarray
        Standardised features ``(n_records, n_features)`` without NaN.

    Returns
    -------
    groups : numpy.ndarray
        One group label per row of ``z_real`` followed by ``z_fake``.
    n_copies : int
        Fake records that are near-copies of a real record.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(50, 3))
    >>> fake = np.vstack([real[:2], rng.normal(size=(48, 3))])
    >>> groups, n_copies = copy_groups(real, fake)
    >>> n_copies, bool(groups[0] == groups[50]), bool(groups[2] == groups[52])
    (2, True, False)
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components
    from sklearn.neighbors import BallTree

    tree = BallTree(z_real)  # exact distances, unlike the brute search's expansion
    own = tree.query(z_real, k=2)[0][:, 1]
    positive = own[own > 0]  # exact duplicates among the real records do not set it
    radius = float(np.quantile(positive, COPY_QUANTILE)) if positive.size else 0.0
    near = tree.query_radius(z_fake, r=radius)
    fakes = np.repeat(np.arange(len(z_fake)), [len(n) for n in near]) + len(z_real)
    reals = np.concatenate(near).astype(np.int64)
    total = len(z_real) + len(z_fake)
    links = coo_array((np.ones(reals.size), (reals, fakes)), shape=(total, total))
    _, groups = connected_components(links, directed=False)
    return groups, int(np.count_nonzero([len(n) for n in near]))


def c2st(
    z_real: np.ndarray, z_fake: np.ndarray, rng: np.random.Generator
) -> tuple[float, float, float, int]:
    """Out-of-fold AUC of a classifier telling fake from real, with DeLong's 95% CI.

    Returns the AUC, its CI and the number of compared fake records that are
    near-copies of a real one (:func:`copy_groups`), which share its fold. The AUC and
    its CI are NaN when the groups are too few for 5 folds with both groups in each
    training set (nearly every record a copy of one other).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    n = min(len(z_real), len(z_fake))
    real = z_real[np.sort(rng.choice(len(z_real), n, replace=False))]
    fake = z_fake[np.sort(rng.choice(len(z_fake), n, replace=False))]
    # A copy tested in one fold while its twin trains the model with the other label
    # is called the opposite of what it is: identical groups would get an AUC near 0.
    groups, n_copies = copy_groups(real, fake)
    if np.unique(groups).size < _N_FOLDS:
        return np.nan, np.nan, np.nan, n_copies
    x = np.vstack([real, fake])
    x = np.hstack([x, x**2])
    y = np.repeat([0, 1], n)
    scores = np.empty(2 * n)
    folds = StratifiedGroupKFold(_N_FOLDS, shuffle=True, random_state=int(rng.integers(2**31)))
    for train, test in folds.split(x, y, groups):
        if np.unique(y[train]).size < 2:  # a few large groups of copies fill a class
            return np.nan, np.nan, np.nan, n_copies
        model = make_pipeline(StandardScaler(), LogisticRegression(C=_C2ST_C, max_iter=5000))
        model.fit(x[train], y[train])
        scores[test] = model.decision_function(x[test])
    return (*delong(scores[y == 1], scores[y == 0]), n_copies)


def delong(positive: np.ndarray, negative: np.ndarray) -> tuple[float, float, float]:
    """AUC with its 95% CI from DeLong's variance (midrank form of Sun & Xu 2014)."""
    m, n = positive.size, negative.size
    pooled = stats.rankdata(np.concatenate([positive, negative]))
    rank_pos, rank_neg = stats.rankdata(positive), stats.rankdata(negative)
    auc = (pooled[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (pooled[:m] - rank_pos) / n  # per positive: share of negatives below it
    v01 = 1 - (pooled[m:] - rank_neg) / m  # per negative: share of positives above it
    se = np.sqrt(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n)
    z = stats.norm.ppf(0.975)
    return float(auc), float(max(auc - z * se, 0.0)), float(min(auc + z * se, 1.0))


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d2 = np.sum(a**2, axis=1)[:, None] + np.sum(b**2, axis=1)[None, :] - 2 * a @ b.T
    return np.clip(d2, 0, None)


def mmd(x: np.ndarray, y: np.ndarray, n_permutations: int, rng: np.random.Generator):
    """Unbiased MMD² with a median-heuristic Gaussian kernel and its permutation p-value."""
    if len(x) > _MMD_MAX_PER_GROUP:
        x = x[np.sort(rng.choice(len(x), _MMD_MAX_PER_GROUP, replace=False))]
    if len(y) > _MMD_MAX_PER_GROUP:
        y = y[np.sort(rng.choice(len(y), _MMD_MAX_PER_GROUP, replace=False))]
    z = np.vstack([x, y])
    m, n, total = len(x), len(y), len(x) + len(y)
    d2 = squared_distances(z, z)
    np.fill_diagonal(d2, 0.0)
    pairs = d2[np.triu_indices(total, k=1)]
    positive = pairs[pairs > 0]
    if positive.size == 0:  # every beat identical
        return 0.0, 1.0
    bandwidth2 = np.median(pairs) if np.median(pairs) > 0 else np.median(positive)
    kernel = np.exp(-d2 / (2 * bandwidth2))
    row_sums = kernel.sum(axis=1)
    kernel_sum = row_sums.sum()

    def statistic(membership: np.ndarray) -> np.ndarray:
        # membership: (n_sets, total) with 1 for the records of the first group.
        s_xx = np.einsum("ij,ij->i", membership @ kernel, membership)
        s_x = membership @ row_sums
        s_yy = kernel_sum - 2 * s_x + s_xx
        s_xy = s_x - s_xx
        # The kernel's diagonal is 1: the i = j terms sum to m and n.
        return (s_xx - m) / (m * (m - 1)) + (s_yy - n) / (n * (n - 1)) - 2 * s_xy / (m * n)

    first = np.zeros(total)
    first[:m] = 1.0
    observed = float(statistic(first[None])[0])
    exceed = 0
    for start in range(0, n_permutations, 100):
        block = np.tile(first, (min(100, n_permutations - start), 1))
        exceed += int(np.sum(statistic(rng.permuted(block, axis=1)) >= observed))
    return observed, (1 + exceed) / (1 + n_permutations)
