"""Whole-set distances between two groups: Fréchet, classifier two-sample test, MMD.

The ``distances`` of :class:`~ecgtoolkit.Comparison`; :func:`ecgtoolkit.compare`
documents the methods. DeLong's AUC variance and the permutation MMD have no library
equivalent with these options and are written here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from .tables import feature_matrix

__all__ = [
    "COPY_QUANTILE",
    "c2st",
    "copy_groups",
    "delong",
    "frechet",
    "mmd",
    "normal_scores",
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


def normal_scores(z_real: Any, z_fake: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both groups as normal scores of the real group's distribution, feature by feature.

    Parameters
    ----------
    z_real, z_fake : array-like
        Features ``(n_records, n_features)`` without NaN (:func:`standardise`).

    Returns
    -------
    scores_real, scores_fake : numpy.ndarray
        Φ⁻¹((c + ½) / (n_real + 1)) where c is the number of real values below the
        value plus half the number equal to it (mid-ranks): the real values become van
        der Waerden scores, Φ⁻¹(rank / (n_real + 1)), and a fake value lands where it
        falls in the real distribution. Values beyond the real range land half a rank
        beyond the real extremes, ±Φ⁻¹(1 − ½ / (n_real + 1)) (±2.7 for 69 real
        records), however far out they are.

    Notes
    -----
    For Gaussian features the scores equal the standardised values, up to the sampling
    error of the real quantiles; for skewed or heavy-tailed ones (Q-wave amplitudes:
    mostly near 0, a few deep Q waves) one extreme record no longer outweighs the
    rest, and a feature that is nearly constant in the real group no longer turns
    small differences into hundreds of SDs. The rank-based inverse normal transform
    is van der Waerden's (1952).

    References
    ----------
    van der Waerden BL (1952) Order tests for the two-sample problem and their power.
    Indag Math 14:453, doi:10.1016/S1385-7258(52)50063-5.

    Examples
    --------
    >>> real = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> a, b = normal_scores(real, np.array([[1.0], [99.0]]))
    >>> np.round(a.ravel(), 2).tolist(), np.round(b.ravel(), 2).tolist()
    ([-0.84, -0.25, 0.25, 0.84], [-0.25, 1.28])
    """
    z_real = feature_matrix(z_real, "z_real", min_rows=1)
    z_fake = feature_matrix(z_fake, "z_fake", min_rows=1, n_columns=z_real.shape[1])
    n = len(z_real)
    ordered = np.sort(z_real, axis=0)

    def scores(x: np.ndarray) -> np.ndarray:
        counts = np.empty_like(x)
        for j in range(x.shape[1]):
            below = np.searchsorted(ordered[:, j], x[:, j], side="left")
            at_or_below = np.searchsorted(ordered[:, j], x[:, j], side="right")
            counts[:, j] = (below + at_or_below) / 2
        return stats.norm.ppf((counts + 0.5) / (n + 1))

    return scores(z_real), scores(z_fake)


def frechet(z_real: Any, z_fake: Any) -> float:
    """Fréchet distance between Gaussians fitted to two groups' features (FID-like).

    What it catches: any difference in the location, spread or correlation of the
    features, as one number. Lower is better; it is not 0 for two samples of one
    population (see Notes): judge it against real against real at the same sizes.

    Parameters
    ----------
    z_real, z_fake : array-like
        Standardised features ``(n_records, n_features)``, without NaN, at least 2
        records each (:func:`standardise`).

    Returns
    -------
    float
        ‖μ_r − μ_f‖² + tr(Σ_r + Σ_f − 2(Σ_r Σ_f)^½) of the groups' :func:`normal_scores`,
        with Ledoit–Wolf covariances, in squared real SDs (for Gaussian features).

    Raises
    ------
    TypeError, ValueError
        For arrays that are not numeric matrices with the same columns, hold NaN, or
        have fewer than 2 records.

    Notes
    -----
    The Fréchet (2-Wasserstein) distance between N(μ_r, Σ_r) and N(μ_f, Σ_f) (Dowson &
    Landau 1982) is the FID of Heusel et al. (2017) on ECG measurements. Two changes
    make it usable with ~90 measurements of a few dozen records:

    * **Normal scores.** Each feature is mapped through the real group's empirical
      distribution to the normal scale (:func:`normal_scores`). Standardised by the real
      SD alone, one record with a deep Q wave at 43 real SDs gave a feature a variance
      of 77 in one half of the LUDB sinus records, and the embedded reference
      (``"normal-adults"``, whose Q wave in V1 has an SD of 5 µV) made the 40 shared
      CinC 2021 records 3,405 away from it.
    * **Ledoit–Wolf covariances** (``sklearn.covariance.ledoit_wolf``). With more
      features than records the sample covariances are singular and their square
      roots' supports barely overlap, so the trace term is large for any two samples;
      the shrinkage towards a scaled identity (weight chosen by Ledoit & Wolf's
      formula) keeps the estimate well conditioned.

    tr((Σ_r Σ_f)^½) is computed from the eigenvalues of the symmetric Σ_r^½ Σ_f Σ_r^½.

    Measured (94 features, ``measure(physiology=True)``; 10 random splits of the 138
    LUDB sinus records into halves of 69; the 40 CinC 2021 records of the shared data,
    on which nothing was tuned, as real):

    ============================ =========== ============== ===============
    Fréchet                      LUDB halves reference (36) DeepFake (40)
    ============================ =========== ============== ===============
    sample covariance, real SD   48.3 ± 29.5 94.1           67.4
    Ledoit–Wolf only             27.0 ± 21.3 71.3           45.9
    PCA, 90% of real variance,   10.6 ± 10.6 49.0           37.2
    Ledoit–Wolf
    normal scores, Ledoit–Wolf   14.7 ± 1.5  62.8           43.1
    ============================ =========== ============== ===============

    The spread of the real halves falls twentyfold; a principal-component cut of the
    real set lowers the values but keeps the outlier-driven spread. The value grows as
    the groups shrink (about 19 for 40 against 40 LUDB sinus records): compare groups
    of equal sizes.

    References
    ----------
    Dowson DC, Landau BV (1982) J Multivar Anal 12:450, doi:10.1016/0047-259X(82)90077-X.
    Heusel M et al. (2017) GANs trained by a two time-scale update rule. arXiv:1706.08500.
    Ledoit O, Wolf M (2004) A well-conditioned estimator for large-dimensional covariance
    matrices. J Multivar Anal 88:365, doi:10.1016/S0047-259X(03)00096-4.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(4000, 3))
    >>> round(frechet(real, rng.normal(size=(4000, 3)) + [1.0, 0.0, 0.0]), 1)
    1.0
    """
    from sklearn.covariance import ledoit_wolf

    z_real = feature_matrix(z_real, "z_real")
    z_fake = feature_matrix(z_fake, "z_fake", n_columns=z_real.shape[1])
    real, fake = normal_scores(z_real, z_fake)
    mean_gap = np.sum((real.mean(axis=0) - fake.mean(axis=0)) ** 2)
    cov_r = ledoit_wolf(real)[0]
    cov_f = ledoit_wolf(fake)[0]
    values, vectors = np.linalg.eigh(cov_r)
    root_r = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root_r @ cov_f @ root_r
    cross = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    return float(max(mean_gap + np.trace(cov_r) + np.trace(cov_f) - 2 * cross, 0.0))


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
