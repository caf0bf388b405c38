"""Compare generated ECGs with real ones: per-feature tests, distances, memorisation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..core.ecg import ECG
from ..core.validation import check_int
from ..databases.reference import Reference, load_reference
from ..measurement.measure import measure
from .distances import COPY_QUANTILE, c2st, frechet, mmd, standardise
from .features import feature_table
from .memorisation import memorisation_table
from .qt_rr import compare_qt_rr
from .result import Comparison
from .tables import (
    BOOKKEEPING_COLUMNS,
    MIN_RECORDS,
    as_float,
    as_frame,
    column_values,
    compared_rows,
    finite,
    is_measure_column,
)

__all__ = ["compare", "resolve_group"]

_BEAT_NAN_SHARE = 0.05  # beat samples missing in more of the records are left out


def _compared_rows(table: pd.DataFrame, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows with status "ok" (all rows without a status column) and their mask."""
    rows, mask = compared_rows(table)
    if mask.sum() < MIN_RECORDS:
        raise ValueError(
            f"{name} has {int(mask.sum())} records with status 'ok'; compare needs at least "
            f"{MIN_RECORDS} per group (measure more records)"
        )
    return rows, mask


def compare(
    real: Any,
    fake: Any,
    *,
    features: Sequence[str] | None = None,
    real_beats: np.ndarray | None = None,
    fake_beats: np.ndarray | None = None,
    alpha: float = 0.05,
    n_permutations: int = 500,
    seed: int = 0,
    labels: tuple[str, str] = ("real", "fake"),
    memorisation_quantile: float = 0.01,
) -> Comparison:
    """Show how realistic a set of generated ECGs is, and where it differs from real ones.

    Parameters
    ----------
    real, fake : pandas.DataFrame, ECG, tuple, str or Reference
        Each group as measurements, one row per record, as :func:`ecgtoolkit.measure`
        returns them; or an ECG batch, which is measured here (``physiology=True``,
        with median beats); or a ``(measurements, beats)`` tuple from
        ``measure(..., return_beats=True)``; or the name of an embedded reference group
        of real ECGs measured with the same ruler (``"normal-adults"``, see
        :func:`ecgtoolkit.databases.load_reference`) or the
        :class:`~ecgtoolkit.databases.Reference`
        itself, with its median beats. Only rows with ``status == "ok"`` are compared
        (all rows when there is no ``status`` column); NaNs are left out feature by
        feature.
    features : sequence of str, optional
        Columns to compare. By default every numeric column the two tables share that
        has at least 5 finite values in each group and some spread in at least one
        group, except bookkeeping columns (:data:`BOOKKEEPING_COLUMNS`: ``n_beats``).
    real_beats, fake_beats : numpy.ndarray, optional
        Median beats ``(n_records, n_leads, n_times)`` in mV aligned on the R peak, one
        per row of ``real`` and ``fake`` (same order). Rows that are not compared, and
        records without a beat, hold NaN. Give both or neither; a group given as a
        reference or an ECG batch brings its own beats, which are set aside (with a
        note) when the other group is a table without them.
    alpha : float
        False discovery rate at which a feature counts as ``different``.
    n_permutations : int
        Label permutations for the MMD p-value.
    seed : int
        Seed of every random choice (classifier subsample and folds, permutations).
    labels : tuple of str
        Names of the two groups in the summary, plots and HTML (the column names of
        :attr:`Comparison.table` stay ``*_real`` and ``*_fake``).
    memorisation_quantile : float
        Nominal rate at which memorisation flags fake records drawn independently from
        the real population (conformal p-value ≤ this; see Notes).

    Returns
    -------
    Comparison
        ``table`` (per feature), ``distances`` (whole sets), ``memorisation`` (per fake
        record), ``qt_rr`` (rate adaptation), with ``summary()``, ``plot()`` and
        ``to_html()``.

    Raises
    ------
    TypeError
        When the tables are not DataFrames or the beats are not arrays.
    ValueError
        For fewer than 5 compared records in a group, no feature to compare, unknown
        or non-numeric features, beats that do not match their table, or parameters
        out of range.

    Notes
    -----
    **Per feature** (``table``). ``smd`` is the standardised mean difference (Cohen's
    d), (mean_fake − mean_real) / pooled SD with the pooled SD
    √(((n_r − 1)·sd_r² + (n_f − 1)·sd_f²) / (n_r + n_f − 2)); ``sd_ratio`` is
    sd_fake / sd_real. ``smd_ci_low``/``smd_ci_high`` and ``sd_ratio_ci_low``/
    ``sd_ratio_ci_high`` are their 95% confidence intervals (the normal approximation
    of Hedges & Olkin 1985 for the SMD; the F interval of the variance ratio for the SD
    ratio, exact for normal data). Three tests, each on the finite values of both
    groups:

    * ``location_p``: Welch's unequal-variance t-test (Welch 1947) of the means. It
      tests the quantity that ``smd`` estimates and stays valid when the spreads differ,
      whereas the Mann–Whitney test would also react to a difference in spread alone.
    * ``dispersion_p``: Brown–Forsythe test (Levene's test around the medians, as
      ``scipy.stats.levene(center="median")``), robust to skewed features.
    * ``ks_p``: two-sample Kolmogorov–Smirnov test (any difference in shape; exact
      p-value up to 10 000 records per group, asymptotic beyond or where the exact one
      does not converge). ``ks_stat`` is the
      largest distance between the two empirical distribution functions.

    ``wasserstein`` is the earth mover's distance between the two samples in the
    feature's unit, ``wasserstein_std`` the same divided by the real SD (``sd_ratio``
    and ``wasserstein_std`` are inf where the real SD is 0). The
    ``*_p_adj`` columns are all 3 × n_features p-values of the table adjusted together
    for the false discovery rate (Benjamini & Hochberg 1995,
    ``scipy.stats.false_discovery_control``); ``different`` is any adjusted p below
    ``alpha``. ``verdict`` names what differs: "fake higher"/"fake lower" (location),
    "fake more spread"/"fake less spread" (dispersion), "shape differs" (only the KS
    test), else "similar". Axes (degrees) are compared as linear quantities, which is
    adequate away from ±180°.

    **Whole sets** (``distances``). For the multivariate measures, each feature is
    standardised with the real group's mean and SD (the pooled SD where the real SD is
    0) and a missing value is replaced by the real group's median, so that no record
    is lost to one missing feature; fakes that miss values where real records do not
    therefore become easier to tell apart, which is intended.

    * ``frechet``: Fréchet distance between Gaussians fitted to the standardised
      features, ‖μ_r − μ_f‖² + tr(Σ_r + Σ_f − 2(Σ_r Σ_f)^½) (Dowson & Landau 1982; the
      FID of Heusel et al. 2017 on ECG features), on each feature's normal scores in
      the real distribution and with Ledoit–Wolf covariances
      (:func:`~ecgtoolkit.comparison.distances.frechet`), so that a few dozen records
      with ~90 features and heavy-tailed amplitudes give stable values. It is not 0 for
      two samples of one population (about 15 for two halves of 69 LUDB sinus records)
      and grows as the groups shrink: compare values at equal group sizes.
    * ``c2st_auc``: classifier two-sample test (Lopez-Paz & Oquab 2017). The larger
      group is subsampled to the size of the smaller (``seed``), an L2 logistic
      regression (C = 1) on the standardised features and their squares is fitted in
      stratified 5-fold cross-validation, and the out-of-fold scores give the AUC with
      DeLong's 95% confidence interval (DeLong et al. 1988; fast form, Sun & Xu 2014,
      doi:10.1109/LSP.2014.2337313). The squares let a linear model see differences in
      spread (a generator's mode collapse) as well as in location; a linear model is
      chosen over gradient boosting because it is stable with a few hundred records,
      fast, and its AUC stays near 0.5 when the groups do not differ. 0.5 means
      indistinguishable, 1 perfectly separable. A fake record that is a near-copy of
      real records (closer to one, on the standardised features, than 99% of the real
      records are to their nearest other real record) is kept in their fold
      (``StratifiedGroupKFold``): tested against a model trained on its twin with the
      other label, a copy would be called the opposite of what it is, and identical
      groups would get an AUC near 0 instead of 0.5. Copies are counted in ``notes``.
      The CI treats the out-of-fold scores as those of one fixed classifier and so
      leaves out the variation of the fitted models: it is somewhat too narrow (with
      150 against 150 records of one population it contained 0.5 in about 85% of
      simulated data sets, not 95%); where every fake record is a copy, the models
      learn nothing, every score ties, and the CI shrinks to 0.5–0.5. Read the AUC as
      an effect size; the per-feature tests and the MMD are the formal tests.
    * ``mmd2``, ``mmd_p``: unbiased squared maximum mean discrepancy (Gretton et al.
      2012, J Mach Learn Res 13:723) between the median beats, flattened, in mV, with
      a Gaussian kernel exp(−‖x − y‖² / (2σ²)) whose σ is the median distance between
      all pooled beats (median heuristic). Lead–time samples missing in more than 5% of
      the compared records (an unusable lead, a short beat) are left out for all; then
      records still missing a sample are left out. At most 2000
      records per group are used (random subsample). The p-value is
      (1 + #{permuted MMD² ≥ observed}) / (1 + n_permutations). NaN without beats.

    **Memorisation.** For every fake record, the distance to its nearest real record
    (``nn_distance``): Euclidean on the flattened median beats (mV) when beats are
    given, else on the standardised features; and the nearest-neighbour distance ratio
    ``nn_ratio``, nearest over second-nearest real record (Zhao et al. 2021, CTAB-GAN,
    arXiv:2102.08369). ``p_value`` is the conformal p-value of the fake's ratio among
    the real records' own leave-one-out ratios (full conformal, see
    :func:`~ecgtoolkit.comparison.memorisation.memorisation_table`); ``flag`` is True
    when it is at most ``memorisation_quantile``, and for every exact copy: the fake
    sits on one real record much more tightly than real records sit on each other, a
    sign of a copied training record, a privacy risk for generated ECGs (Thambawita et
    al. 2021). The ratio, unlike the distance itself, does not flag fakes for being
    merely typical or less diverse (a generator whose beats are smaller or closer to the
    average lies close to many real records, not to one). Fakes drawn independently
    from the real population are flagged at the nominal rate q: ``memorised_chance`` =
    ⌊q · (n_real + 1)⌋ / (n_real + 1) ≤ q is their expected share and
    ``memorised_chance_high`` the upper end of its 95% range for this many fakes
    (beta-binomial). With fewer than 1/q − 1 real records only exact copies can be
    flagged, which ``notes`` says; the old rule (ratio ≤ the q quantile of the real
    ratios) flagged about 3% of a half of the LUDB sinus records at q = 1%.

    **QT–RR** (``qt_rr``). Ordinary least squares of ``qt_ms`` on ``rr_mean_ms`` across
    records in each group, as in Figure 3 of Thambawita et al. (2021): ``slope`` (ms of
    QT per ms of RR) with its t-based 95% CI, ``intercept_ms``, Pearson ``r``, ``n``.
    ``attrs["p_difference"]`` is the two-sided t-test of the group × RR interaction in
    one OLS of both groups with a group dummy (equal slopes).

    References
    ----------
    Welch BL (1947) Biometrika 34:28, doi:10.1093/biomet/34.1-2.28.
    Brown MB, Forsythe AB (1974) J Am Stat Assoc 69:364, doi:10.1080/01621459.1974.10482955.
    Massey FJ (1951) J Am Stat Assoc 46:68, doi:10.1080/01621459.1951.10500769.
    Benjamini Y, Hochberg Y (1995) J R Stat Soc B 57:289, doi:10.1111/j.2517-6161.1995.tb02031.x.
    Gretton A et al. (2012) A kernel two-sample test. J Mach Learn Res 13:723.
    Dowson DC, Landau BV (1982) J Multivar Anal 12:450, doi:10.1016/0047-259X(82)90077-X.
    Heusel M et al. (2017) GANs trained by a two time-scale update rule. arXiv:1706.08500.
    Lopez-Paz D, Oquab M (2017) Revisiting classifier two-sample tests. ICLR, arXiv:1610.06545.
    DeLong ER et al. (1988) Biometrics 44:837, doi:10.2307/2531595.
    Thambawita V et al. (2021) Sci Rep 11:21896, doi:10.1038/s41598-021-01295-2.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from ecgtoolkit import compare
    >>> rng = np.random.default_rng(0)
    >>> def table(n, qt_shift_ms=0.0):
    ...     rr = rng.normal(900, 120, n)
    ...     return pd.DataFrame({
    ...         "heart_rate": 60000 / rr,
    ...         "rr_mean_ms": rr,
    ...         "qrs_ms": rng.normal(95, 10, n),
    ...         "qt_ms": 250 + 0.16 * rr + rng.normal(0, 12, n) + qt_shift_ms,
    ...         "status": "ok",
    ...     })
    >>> result = compare(table(200), table(200, qt_shift_ms=25.0), labels=("PTB-XL", "GAN"))
    >>> result.table.loc["qt_ms", "verdict"]
    'fake higher'
    >>> result.table.loc["qrs_ms", "verdict"]
    'similar'
    >>> fig = result.plot()  # the forest plot: SMD and SD ratio with their 95% CIs
    >>> len(fig.axes)
    2
    >>> result.overview().loc["qt_ms", "verdict"]
    'fake higher'
    >>> html = result.to_html()  # or result.to_html("report.html")
    """
    given = real_beats is not None or fake_beats is not None
    real, real_beats = resolve_group(real, real_beats, "real")
    fake, fake_beats = resolve_group(fake, fake_beats, "fake")
    _check_parameters(real, fake, alpha, n_permutations, seed, labels, memorisation_quantile)
    real_ok, real_rows = _compared_rows(real, "real")
    fake_ok, fake_rows = _compared_rows(fake, "fake")
    names, notes = _choose_features(real_ok, fake_ok, features)
    no_beats = "no median beats given"
    if not given and (real_beats is None) != (fake_beats is None):
        # A reference or an ECG batch brings its beats; a plain table has none.
        with_beats = labels[0] if fake_beats is None else labels[1]
        no_beats = f"median beats only for {with_beats}"
        real_beats = fake_beats = None
    beats = _check_beats(real_beats, fake_beats, real, fake, real_rows, fake_rows)

    r = as_float(real_ok, names)
    f = as_float(fake_ok, names)
    table = feature_table(r, f, names, alpha)

    z_real, z_fake, n_imputed = standardise(r, f)
    if n_imputed.any():
        notes.append(
            "missing values replaced by the real median for the multivariate measures: "
            f"{int(n_imputed[0])} in {labels[0]}, {int(n_imputed[1])} in {labels[1]}"
        )
    seeds = np.random.SeedSequence(seed).spawn(2)
    auc, auc_low, auc_high, n_copies = c2st(z_real, z_fake, np.random.default_rng(seeds[0]))
    if n_copies:
        notes.append(
            f"{n_copies} {labels[1]} records are near-copies of {labels[0]} records (closer "
            f"to one than {100 * (1 - COPY_QUANTILE):g}% of the {labels[0]} records are to "
            f"their nearest other {labels[0]} record): each shares its twin's "
            "cross-validation fold in the classifier test"
        )
    if not np.isfinite(auc):
        notes.append(
            "classifier test not computed: too few records that are not copies of one "
            "another for 5-fold cross-validation"
        )

    if beats is None:
        mmd2 = mmd_p = np.nan
        notes.append(
            f"{no_beats}: MMD not computed, memorisation on features (give both groups "
            "as ECG batches or with measure(..., return_beats=True) to compare beats)"
        )
        space, ref, query = "standardised features", z_real, z_fake
        real_index, fake_index = real_ok.index, fake_ok.index
        kept_beats = (None, None)
    else:
        ref, query, real_keep, fake_keep, beat_notes = beats
        notes.extend(beat_notes)
        mmd2, mmd_p = mmd(ref, query, n_permutations, np.random.default_rng(seeds[1]))
        space = "median beats, mV"
        real_index, fake_index = real.index[real_keep], fake.index[fake_keep]
        kept_beats = (
            np.asarray(real_beats[real_keep], dtype=np.float32),
            np.asarray(fake_beats[fake_keep], dtype=np.float32),
        )
    memorisation = memorisation_table(ref, query, real_index, fake_index, memorisation_quantile)
    memorisation.attrs["space"] = space
    if memorisation.attrs["chance_share"] == 0:
        notes.append(
            f"memorisation: {len(ref)} {labels[0]} records are too few to flag at "
            f"memorisation_quantile={memorisation_quantile:g} (needs at least "
            f"{int(np.ceil(1 / memorisation_quantile - 1 - 1e-9))}): only exact copies are "
            "flagged"
        )

    qt_rr, qt_note = compare_qt_rr(real_ok, fake_ok)
    if qt_note:
        notes.append(qt_note)

    distances = pd.Series(
        {
            "mmd2": mmd2,
            "mmd_p": mmd_p,
            "frechet": frechet(z_real, z_fake),
            "c2st_auc": auc,
            "c2st_ci_low": auc_low,
            "c2st_ci_high": auc_high,
            "memorised_share": memorisation.attrs["share_flagged"],
            "memorised_chance": memorisation.attrs["chance_share"],
            "memorised_chance_high": memorisation.attrs["chance_high"],
            "memorised_p": memorisation.attrs["copies_p"],
            "n_real": float(len(real_ok)),
            "n_fake": float(len(fake_ok)),
        },
        name="value",
    )
    extra = [
        c
        for c in ("rr_mean_ms", "qt_ms")
        if c not in names
        and all(c in t.columns and is_measure_column(t[c]) for t in (real_ok, fake_ok))
    ]
    return Comparison(
        table=table,
        distances=distances,
        memorisation=memorisation,
        qt_rr=qt_rr,
        alpha=float(alpha),
        labels=(str(labels[0]), str(labels[1])),
        notes=tuple(notes),
        real_data=as_frame(real_ok, names + extra),
        fake_data=as_frame(fake_ok, names + extra),
        n_permutations=int(n_permutations),
        real_beats=kept_beats[0],
        fake_beats=kept_beats[1],
        real_beat_ids=tuple(real_index) if kept_beats[0] is not None else (),
    )


def resolve_group(group: Any, beats: np.ndarray | None = None, name: str = "real"):
    """A group given as a table, ECG batch, (table, beats) or reference -> (table, beats).

    An ECG batch is measured here (with its median beats); a reference's name loads it;
    anything else is returned as given, to be checked by :func:`compare`.
    """
    if isinstance(group, str):
        group = load_reference(group)
    if isinstance(group, Reference):
        return group.table, group.beats if beats is None else beats
    if isinstance(group, ECG):
        if not group.is_batch:
            raise ValueError(
                f"{name} is a single ECG record; compare needs a group (an ECG batch, at "
                "least 5 records)"
            )
        table, measured_beats = measure(group, physiology=True, return_beats=True)
        return table, measured_beats if beats is None else beats
    if isinstance(group, tuple) and len(group) == 2 and isinstance(group[0], pd.DataFrame):
        if beats is not None:
            raise ValueError(f"{name} brings its own beats: do not pass {name}_beats as well")
        return group[0], group[1]
    return group, beats


def _check_parameters(real, fake, alpha, n_permutations, seed, labels, quantile) -> None:
    for name, table in (("real", real), ("fake", fake)):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(
                f"{name} must be a pandas DataFrame of measurements (ecgtoolkit.measure on "
                f"a batch), got {type(table).__name__}"
            )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    check_int(n_permutations, "n_permutations", minimum=1)
    check_int(seed, "seed", minimum=0)
    if (
        not isinstance(labels, tuple | list)
        or len(labels) != 2
        or not all(isinstance(x, str) and x for x in labels)
        or labels[0] == labels[1]
    ):
        raise ValueError(f"labels must be two different non-empty strings, got {labels!r}")
    if not 0 < quantile < 1:
        raise ValueError(f"memorisation_quantile must lie between 0 and 1, got {quantile}")


def _choose_features(
    real: pd.DataFrame, fake: pd.DataFrame, features: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    notes: list[str] = []
    if features is None:
        shared = [
            c
            for c in real.columns
            if c in fake.columns
            and c not in BOOKKEEPING_COLUMNS
            and is_measure_column(real[c])
            and is_measure_column(fake[c])
        ]
        names = [c for c in shared if _usable(real[c], fake[c]) is None]
        left_out = [c for c in shared if c not in names]
        if left_out:
            notes.append(
                f"left out {len(left_out)} numeric columns with fewer than {MIN_RECORDS} "
                f"values in a group or no spread in either: {', '.join(map(str, left_out))}"
            )
        if not names:
            raise ValueError(
                "no numeric column shared by both tables has at least "
                f"{MIN_RECORDS} finite values in each group and some spread; check that "
                "both come from ecgtoolkit.measure, or pass features= explicitly"
            )
        return names, notes
    if isinstance(features, str) or not isinstance(features, Sequence):
        raise TypeError(f"features must be a sequence of column names, got {features!r}")
    names = list(features)
    if not names:
        raise ValueError("features is empty; pass None to compare every shared feature")
    if len(set(names)) != len(names):
        raise ValueError(f"features lists a column twice: {names}")
    for table, which in ((real, "real"), (fake, "fake")):
        missing = [c for c in names if c not in table.columns]
        if missing:
            raise ValueError(f"features {missing} are not columns of {which}")
        text = [c for c in names if not is_measure_column(table[c])]
        if text:
            raise ValueError(f"features {text} are not numeric in {which}")
    problems = [f"{c} ({why})" for c in names if (why := _usable(real[c], fake[c])) is not None]
    if problems:
        raise ValueError(f"cannot compare {'; '.join(problems)}; leave them out of features")
    return names, notes


def _usable(real: pd.Series, fake: pd.Series) -> str | None:
    """Why a feature cannot be compared, or None."""
    r, f = finite(column_values(real)), finite(column_values(fake))
    if r.size < MIN_RECORDS or f.size < MIN_RECORDS:
        return f"{r.size} real and {f.size} fake finite values, need {MIN_RECORDS} each"
    if np.ptp(r) == 0 and np.ptp(f) == 0:
        return "constant in both groups"
    return None


def _check_beats(real_beats, fake_beats, real, fake, real_rows, fake_rows):
    """Flattened beats of the compared records, the row masks used, and notes."""
    if real_beats is None and fake_beats is None:
        return None
    if real_beats is None or fake_beats is None:
        given, missing = ("real", "fake") if fake_beats is None else ("fake", "real")
        raise ValueError(
            f"{given}_beats was given but {missing} has no median beats: give "
            f"{missing}_beats too (measure(..., return_beats=True)), or neither"
        )
    arrays = []
    for name, beats, table in (("real", real_beats, real), ("fake", fake_beats, fake)):
        if not isinstance(beats, np.ndarray):
            raise TypeError(f"{name}_beats must be a numpy array, got {type(beats).__name__}")
        if beats.ndim != 3:
            raise ValueError(
                f"{name}_beats has shape {beats.shape}, expected (n_records, n_leads, n_times) "
                "with one median beat per row of the table"
            )
        if beats.shape[0] != len(table):
            raise ValueError(
                f"{name}_beats holds {beats.shape[0]} beats but {name} has {len(table)} rows; "
                "give one median beat per row, in the same order"
            )
        if not np.issubdtype(beats.dtype, np.number):
            raise TypeError(f"{name}_beats must be numeric (mV), got dtype {beats.dtype}")
        arrays.append(beats)
    if arrays[0].shape[1:] != arrays[1].shape[1:]:
        raise ValueError(
            f"real_beats has {arrays[0].shape[1]} leads × {arrays[0].shape[2]} samples but "
            f"fake_beats {arrays[1].shape[1]} × {arrays[1].shape[2]}; give beats with the same "
            "leads and times"
        )
    flat = [a.reshape(len(a), -1).astype(float) for a in arrays]
    rows = [real_rows.copy(), fake_rows.copy()]
    # A record without a beat (measured, but no dominant beat found) is left out first;
    # then a lead-time sample missing in more than a few of the others (an unusable
    # lead, a short beat) is dropped for everyone, then the records that still miss one.
    with_beat = [r & np.isfinite(x).any(axis=1) for x, r in zip(flat, rows, strict=True)]
    finite = np.isfinite(np.vstack([x[r] for x, r in zip(flat, with_beat, strict=True)]))
    columns = finite.mean(axis=0) >= 1 - _BEAT_NAN_SHARE
    if not columns.any():
        raise ValueError(
            "every lead-time sample of the beats is NaN in more than "
            f"{100 * _BEAT_NAN_SHARE:g}% of the compared records that have a beat; check "
            "the beats"
        )
    notes = []
    if not columns.all():
        notes.append(
            f"{int((~columns).sum())} of {columns.size} lead-time samples of the beats are NaN "
            f"in more than {100 * _BEAT_NAN_SHARE:g}% of the records: left out of the beat "
            "distances"
        )
    for i, name in enumerate(("real", "fake")):
        complete = np.isfinite(flat[i][:, columns]).all(axis=1)
        keep = rows[i] & complete
        if keep.sum() < MIN_RECORDS:
            raise ValueError(
                f"{name}_beats has {int(keep.sum())} complete beats among the compared records; "
                f"need at least {MIN_RECORDS}"
            )
        no_beat = int(rows[i].sum() - with_beat[i].sum())
        if no_beat:
            notes.append(
                f"{no_beat} {name} records without a median beat left out of the beat "
                "distances and memorisation"
            )
        if keep.sum() < with_beat[i].sum():
            notes.append(
                f"{int(with_beat[i].sum() - keep.sum())} {name} beats with missing samples "
                "left out of the beat distances and memorisation"
            )
        rows[i] = keep
    return flat[0][rows[0]][:, columns], flat[1][rows[1]][:, columns], rows[0], rows[1], notes
