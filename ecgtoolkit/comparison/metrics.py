"""Whole-set metrics of a generator: fidelity and diversity, lead correlations, lead physics.

Functions on arrays, for :func:`ecgtoolkit.compare` and a leaderboard of generators:

- :func:`prdc`: precision, recall, density and coverage of the generated records in the
  real records' k-nearest-neighbour manifold (standardised features).
- :func:`inter_lead_corr_error`: how differently the leads move together, real against
  generated (signals).
- :func:`lead_physics_residual`, :func:`lead_physics_ok`: whether the limb leads obey
  Einthoven's law and Goldberger's identities, record by record (signals).

The Fréchet distance and memorisation live in :mod:`.distances` and :mod:`.memorisation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core.leads import derive_limb_leads, normalize_lead_names
from ..core.validation import check_int
from ..measurement.checks import EINTHOVEN_TOLERANCE
from .tables import feature_matrix

__all__ = ["inter_lead_corr_error", "lead_physics_ok", "lead_physics_residual", "prdc"]

_CHUNK_VALUES = 4_000_000  # distances or products held at once


def _pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances, each computed from the difference of the two rows.

    Unlike the ‖a‖² + ‖b‖² − 2a·b form, equal rows give bitwise equal distances however
    the arrays are laid out, so that a copy's distances tie with its original's.
    """
    from scipy.spatial.distance import cdist

    return cdist(a, b)


def _kth_neighbour(x: np.ndarray, k: int) -> np.ndarray:
    """Distance from each row to its k-th nearest other row of ``x``."""
    radii = np.empty(len(x))
    chunk = max(1, _CHUNK_VALUES // len(x))
    for start in range(0, len(x), chunk):
        d = _pairwise(x[start : start + chunk], x)
        d[np.arange(len(d)), np.arange(start, start + len(d))] = np.inf  # not itself
        radii[start : start + chunk] = np.partition(d, k - 1, axis=1)[:, k - 1]
    return radii


def prdc(z_real: Any, z_fake: Any, k: int = 5) -> dict[str, float]:
    """Precision, recall, density and coverage of generated records (Naeem et al. 2020).

    What they catch: **precision** and **density**, generated records where no real
    record is (implausible ones); **recall** and **coverage**, real records that no
    generated record comes near (missing variety, mode collapse). Higher is better for
    precision, recall and coverage; density is best near its value for real against
    real (about 1; above 1, the generated records crowd where real ones are densest:
    too typical).

    Parameters
    ----------
    z_real, z_fake : array-like
        Standardised features ``(n_records, n_features)``, without NaN
        (:func:`~ecgtoolkit.comparison.distances.standardise`), more than ``k``
        records each.
    k : int
        Neighbours that set each record's radius (5, as Naeem et al. recommend).

    Returns
    -------
    dict of str to float
        ``precision``, ``recall``, ``density``, ``coverage``.

    Raises
    ------
    TypeError, ValueError
        For arrays that are not numeric matrices with the same columns, hold NaN, or
        have ``k`` records or fewer; for ``k`` not a positive integer.

    Notes
    -----
    Each real record X_i gets the ball B_i of radius NND_k(X_i), its Euclidean
    distance to its k-th nearest other real record (the real manifold, Kynkäänniemi et
    al. 2019); each generated record Y_j the same within the generated records. With N
    real and M generated records:

    * precision = (1/M) Σ_j 1[Y_j in some B_i];
    * recall = (1/N) Σ_i 1[X_i in some ball of the generated records];
    * density = (1/(kM)) Σ_j Σ_i 1[Y_j ∈ B_i];
    * coverage = (1/N) Σ_i 1[the nearest generated record to X_i is in B_i].

    A point on a ball's boundary is outside, as in the authors' implementation (the
    ``prdc`` package), so that a set of exact copies scores 1 on all four. For two
    samples of one population, density is 1 and coverage is
    1 − ∏_{t=1..k} (N − t) / (N + M − t) in expectation (0.969 for N = M large, k =
    5: Naeem et al. 2020, Lemma 1); precision and recall are below 1 and fall as the
    number of features grows (0.97 with 6 Gaussian features and 400 records each, 0.75
    with 90 features and 500 records; 0.85 ± 0.06, 0.83 ± 0.06, density 1.09 ± 0.18 and
    coverage 0.97 ± 0.02 for halves of the 138 LUDB sinus records on 94 measurements):
    judge them against real against real at the same sizes. Density and coverage,
    unlike precision and recall, are not inflated by outliers, whose large balls
    swallow records of the other group.

    References
    ----------
    Naeem MF, Oh SJ, Uh Y, Choi Y, Yoo J (2020) Reliable fidelity and diversity metrics
    for generative models. ICML, PMLR 119:7176, arXiv:2002.09797.
    Kynkäänniemi T et al. (2019) Improved precision and recall metric for assessing
    generative models. NeurIPS, arXiv:1904.06991.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(500, 4))
    >>> same = prdc(real, rng.normal(size=(500, 4)))
    >>> round(same["density"], 1), round(same["coverage"], 1)
    (1.0, 1.0)
    >>> collapsed = prdc(real, 0.3 * rng.normal(size=(500, 4)))
    >>> collapsed["recall"] < 0.3 and collapsed["coverage"] < 0.6
    True
    """
    k = check_int(k, "k", minimum=1)
    z_real = feature_matrix(z_real, "z_real", min_rows=k + 1)
    z_fake = feature_matrix(z_fake, "z_fake", min_rows=k + 1, n_columns=z_real.shape[1])
    real_radii = _kth_neighbour(z_real, k)
    fake_radii = _kth_neighbour(z_fake, k)
    in_balls = np.zeros(len(z_fake), dtype=np.int64)  # real balls holding each fake
    recalled = np.zeros(len(z_real), dtype=bool)
    covered = np.zeros(len(z_real), dtype=bool)
    chunk = max(1, _CHUNK_VALUES // len(z_fake))
    for start in range(0, len(z_real), chunk):
        rows = slice(start, start + chunk)
        d = _pairwise(z_real[rows], z_fake)
        inside = d < real_radii[rows, None]
        in_balls += inside.sum(axis=0)
        recalled[rows] = (d < fake_radii[None, :]).any(axis=1)
        covered[rows] = d.min(axis=1) < real_radii[rows]
    return {
        "precision": float(np.mean(in_balls > 0)),
        "recall": float(recalled.mean()),
        "density": float(in_balls.sum() / (k * len(z_fake))),
        "coverage": float(covered.mean()),
    }


def _signals(x: Any, name: str) -> np.ndarray:
    array = np.asarray(x)
    if not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must be a numeric array (mV), got dtype {array.dtype}")
    if array.ndim != 3:
        raise ValueError(
            f"{name} has {array.ndim} dimension(s), expected (n_records, n_leads, n_samples)"
        )
    if array.shape[0] == 0 or array.shape[2] == 0:
        raise ValueError(f"{name} has shape {array.shape}: no records or no samples")
    return array


def _mean_correlation(x: np.ndarray) -> np.ndarray:
    """The records' lead-by-lead correlation matrices, averaged entry by entry.

    Each record's correlations use the samples finite in all its leads that are not
    wholly NaN; a lead that is wholly NaN or flat there gives NaN entries, left out of
    the average. An entry with no record is NaN.
    """
    n_leads = x.shape[1]
    total = np.zeros((n_leads, n_leads))
    count = np.zeros((n_leads, n_leads))
    chunk = max(1, _CHUNK_VALUES // (n_leads * x.shape[2]))
    for start in range(0, len(x), chunk):
        block = x[start : start + chunk].astype(np.float64)
        finite = np.isfinite(block)
        present = finite.any(axis=2)  # (records, leads)
        samples = (finite | ~present[:, :, None]).all(axis=1)  # (records, samples)
        usable = present[:, :, None] & samples[:, None, :]
        n = usable.sum(axis=2, keepdims=True)
        values = np.where(usable, block, 0.0)
        centred = np.where(
            usable, values - values.sum(axis=2, keepdims=True) / np.maximum(n, 1), 0.0
        )
        products = np.einsum("rit,rjt->rij", centred, centred)
        variance = np.einsum("rii->ri", products)
        # A flat lead keeps only rounding after centring: about 1e-32 of its energy.
        varies = variance > 1e-20 * np.einsum("rit,rit->ri", values, values)
        valid = varies[:, :, None] & varies[:, None, :]
        scale = np.sqrt(variance[:, :, None] * variance[:, None, :])
        corr = np.divide(products, scale, out=np.zeros_like(products), where=valid)
        total += np.where(valid, corr, 0.0).sum(axis=0)
        count += valid.sum(axis=0)
    return np.divide(total, count, out=np.full_like(total, np.nan), where=count > 0)


def inter_lead_corr_error(real_signals: Any, fake_signals: Any) -> float:
    """Mean absolute difference between the groups' average lead correlation matrices.

    What it catches: leads that do not move together as a heart's leads do, e.g. leads
    generated independently, shuffled or mislabelled, or a limb lead with the wrong
    sign. Lower is better; two samples of one population score near 0 (0.05 for two
    random halves of the 150 shared LUDB records), leads shuffled within each record
    about 0.4.

    Parameters
    ----------
    real_signals, fake_signals : array-like
        Signals ``(n_records, n_leads, n_samples)`` in mV, the same leads in the same
        order in both (the numbers of samples may differ). A lead that is absent from a
        record is NaN throughout.

    Returns
    -------
    float
        mean over lead pairs i < j of ``|R̄_real[i, j] − R̄_fake[i, j]|``, where R̄ is the
        average over a group's records of each record's Pearson correlation between
        leads i and j over time. NaN when no lead pair can be compared.

    Raises
    ------
    TypeError, ValueError
        For arrays that are not numeric and 3-D, hold no record or no samples, or have
        different numbers of leads, or fewer than 2.

    Notes
    -----
    NaN handling: in each record, a lead that is NaN throughout is absent and gives no
    correlations; the others are correlated over the samples finite in all of them. A
    flat lead gives no correlations either. Pairs with no correlation in a group are
    left out of the mean. The correlations are averaged as they are (not through
    Fisher's z), so that the error is in units of correlation.

    References
    ----------
    Alcaraz JML, Strodthoff N (2023) Diffusion-based conditional ECG generation with
    structured state space models. Comput Biol Med 163:107115,
    doi:10.1016/j.compbiomed.2023.107115 (lead relations of generated 12-lead ECGs).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> common = rng.normal(size=(20, 1, 500))
    >>> together = common + 0.1 * rng.normal(size=(20, 3, 500))  # leads correlated ≈ 0.99
    >>> apart = rng.normal(size=(20, 3, 500))  # leads independent
    >>> round(inter_lead_corr_error(together, apart), 1)
    1.0
    """
    real = _signals(real_signals, "real_signals")
    fake = _signals(fake_signals, "fake_signals")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"real_signals has {real.shape[1]} leads but fake_signals {fake.shape[1]}; give "
            "both groups the same leads in the same order (NaN for an absent lead)"
        )
    if real.shape[1] < 2:
        raise ValueError("the signals have 1 lead; inter-lead correlations need at least 2")
    upper = np.triu_indices(real.shape[1], k=1)
    gap = np.abs(_mean_correlation(real)[upper] - _mean_correlation(fake)[upper])
    gap = gap[np.isfinite(gap)]
    return float(gap.mean()) if gap.size else float("nan")


def _rms(n: np.ndarray, v: np.ndarray) -> np.ndarray:
    """RMS over the last axis of ``v``, which holds ``n`` values per row and zeros."""
    return np.sqrt(np.sum(v**2, axis=-1) / np.maximum(n, 1))


_IDENTITIES = (  # name, leads it needs, derived lead (None: the sum of the augmented leads)
    ("Einthoven", ("I", "II", "III"), "III"),
    ("aVR + aVL + aVF = 0", ("aVR", "aVL", "aVF"), None),
    ("Goldberger aVR", ("I", "II", "aVR"), "aVR"),
    ("Goldberger aVL", ("I", "II", "aVL"), "aVL"),
    ("Goldberger aVF", ("I", "II", "aVF"), "aVF"),
)


def lead_physics_residual(signals: Any, leads: Sequence[str]) -> np.ndarray:
    """Largest relative residual of Einthoven's law and Goldberger's identities, per record.

    What it catches: limb leads that do not come from the same three electrodes, such as
    leads generated or simulated independently of each other, or scaled on their own.
    Lower is better; recorded and derived leads give 0 up to rounding (at most 0.016 on
    the 150 shared LUDB records, stored in whole µV).

    Parameters
    ----------
    signals : array-like
        ``(n_records, n_leads, n_samples)`` in mV; a lead absent from a record is NaN
        throughout.
    leads : sequence of str
        One name per lead (any spelling of the standard 12).

    Returns
    -------
    numpy.ndarray
        ``(n_records,)``: the largest of RMS(residual) / RMS(II) over the identities the
        record's leads allow (see Notes); NaN when none can be checked.

    Raises
    ------
    TypeError, ValueError
        For signals that are not numeric and 3-D, or lead names that do not match them.

    Notes
    -----
    The identities, as :func:`ecgtoolkit.check_leads` checks them: III = II − I
    (Einthoven 1912); aVR = −(I + II)/2, aVL = I − II/2, aVF = II − I/2 (Goldberger
    1942; :func:`ecgtoolkit.core.leads.derive_limb_leads`) and aVR + aVL + aVF = 0.
    Each is checked when its leads are present, over the samples finite in all of them,
    with each lead's mean removed (a DC offset is not a lead error); the residual is
    relative to the RMS of lead II, or of the largest lead involved when II is absent.

    References
    ----------
    Einthoven W (1912) The different forms of the human electrocardiogram and their
    signification. Lancet 179:853, doi:10.1016/S0140-6736(00)50560-2.
    Goldberger E (1942) A simple, indifferent, electrocardiographic electrode of zero
    potential and a technique of obtaining augmented, unipolar, extremity leads. Am Heart
    J 23:483, doi:10.1016/S0002-8703(42)90293-X.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lead_i, lead_ii = rng.normal(size=(2, 1, 1000))
    >>> limb = np.stack([lead_i, lead_ii, lead_ii - lead_i], axis=1)
    >>> lead_physics_residual(limb, ["I", "II", "III"]).round(3).tolist()
    [0.0]
    """
    x = _signals(signals, "signals")
    names = normalize_lead_names(leads)
    if len(names) != x.shape[1]:
        raise ValueError(
            f"{len(names)} lead names given for {x.shape[1]} leads; give one name per lead"
        )
    row = {name: i for i, name in enumerate(names)}
    worst = np.full(len(x), np.nan)
    for _, needed, derived in _IDENTITIES:
        if not all(name in row for name in needed):
            continue
        involved = list(needed) + (["II"] if "II" in row and "II" not in needed else [])
        block = x[:, [row[name] for name in involved]].astype(np.float64)
        usable = np.isfinite(block).all(axis=1)  # (records, samples)
        n = usable.sum(axis=1)
        block = np.where(usable[:, None, :], block, 0.0)
        centred = block - block.sum(axis=2, keepdims=True) / np.maximum(n, 1)[:, None, None]
        centred = np.where(usable[:, None, :], centred, 0.0)
        lead = dict(zip(involved, centred.transpose(1, 0, 2), strict=True))
        if derived is None:
            residual = lead["aVR"] + lead["aVL"] + lead["aVF"]
        else:
            residual = lead[derived] - derive_limb_leads(lead["I"], lead["II"])[derived]

        if "II" in row:
            scale = _rms(n, lead["II"])
        else:
            scale = np.max([_rms(n, lead[name]) for name in needed], axis=0)
        checked = (n > 0) & (scale > 0)
        value = np.divide(_rms(n, residual), scale, out=np.full(len(x), np.nan), where=checked)
        worst = np.where(checked & ~(value <= worst), value, worst)
    return worst


def lead_physics_ok(
    signals: Any, leads: Sequence[str], *, tolerance: float = EINTHOVEN_TOLERANCE
) -> np.ndarray:
    """Whether each record's limb leads obey Einthoven's law and Goldberger's identities.

    What it catches: limb leads that do not come from one set of electrodes (generated
    independently, swapped in software, scaled one by one). Higher share is better; real
    recordings and generators that derive III, aVR, aVL and aVF from I and II pass
    every record.

    Parameters
    ----------
    signals : array-like
        ``(n_records, n_leads, n_samples)`` in mV; a lead absent from a record is NaN
        throughout.
    leads : sequence of str
        One name per lead.
    tolerance : float
        Largest :func:`lead_physics_residual` that passes (default
        :data:`ecgtoolkit.measurement.checks.EINTHOVEN_TOLERANCE`, 5% of lead II's RMS,
        as :func:`ecgtoolkit.check_leads`).

    Returns
    -------
    numpy.ndarray of bool
        ``(n_records,)``. True where every identity the leads allow holds within
        ``tolerance``, **and where none can be checked** (lead I or II absent and not all
        of aVR, aVL, aVF present: nothing contradicts the laws); use
        :func:`lead_physics_residual`, NaN there, to tell those records apart.

    Raises
    ------
    TypeError, ValueError
        As :func:`lead_physics_residual`; for a negative or non-finite tolerance.

    References
    ----------
    Einthoven W (1912) Lancet 179:853, doi:10.1016/S0140-6736(00)50560-2.
    Goldberger E (1942) Am Heart J 23:483, doi:10.1016/S0002-8703(42)90293-X.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lead_i, lead_ii = rng.normal(size=(2, 2, 1000))
    >>> limb = np.stack([lead_i, lead_ii, lead_ii - lead_i], axis=1)
    >>> limb[1, 2] = rng.normal(size=1000)  # III simulated on its own
    >>> lead_physics_ok(limb, ["I", "II", "III"]).tolist()
    [True, False]
    """
    tolerance = float(tolerance)
    if not np.isfinite(tolerance) or tolerance < 0:
        raise ValueError(f"tolerance must be a non-negative fraction, got {tolerance}")
    residual = lead_physics_residual(signals, leads)
    return ~(residual > tolerance)
