"""Rank any number of generators against one real set, calibrated by the real set itself.

:func:`leaderboard` measures every source once, then scores each candidate against
halves of the real set. The same halves give the calibration row **"real (held-out
half)"**: the other half scored as if it were a generator, over ``n_splits`` random
splits, so that each column shows what an indistinguishable generator scores with this
many records, and how much that varies. :data:`COLUMNS` documents each column.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.leads import STANDARD_LEADS
from ..core.progress import progress_bar
from ..core.validation import check_int
from ..measurement.interpretation import is_normal
from ..measurement.measure import measure
from .candidates import GENERATORS, Candidate, common_signals, load_candidate
from .compare import compare
from .distances import standardise
from .metrics import inter_lead_corr_error, lead_physics_ok, prdc
from .tables import as_float, compared_rows

__all__ = ["leaderboard", "Leaderboard", "COLUMNS", "REAL_ROW"]

#: The level of the memorisation check (as :func:`ecgtoolkit.compare`'s default).
MEMORISATION_QUANTILE = 0.01
#: The name of the calibration row.
REAL_ROW = "real (held-out half)"


@dataclass(frozen=True)
class Column:
    """What a leaderboard column measures."""

    title: str
    catches: str
    better: str  # "0.5", "lower", "higher", "as real"
    reference: str
    costly: bool = False


#: Every column of the leaderboard: what it catches, which way is better, its source.
COLUMNS: dict[str, Column] = {
    "c2st_auc": Column(
        "classifier AUC, measurements",
        "any difference a linear model sees in the ~90 clinical measurements and their "
        "squares (location and spread), all at once",
        "0.5",
        "Lopez-Paz & Oquab 2017, ICLR (arXiv:1610.06545)",
    ),  # fmt: skip
    "signal_c2st_auc": Column(
        "classifier AUC, signals",
        "differences in the raw waveforms that no measurement names: noise, texture, "
        "shapes between the fiducial points",
        "0.5",
        "Lopez-Paz & Oquab 2017; random convolutional kernels: Dempster et al. 2020, "
        "Data Min Knowl Disc 34:1454",
        costly=True,
    ),  # fmt: skip
    "mmd2": Column(
        "MMD², median beats",
        "differences in the shape of the representative beat, sample by sample (mV)",
        "lower",
        "Gretton et al. 2012, J Mach Learn Res 13:723",
    ),  # fmt: skip
    "frechet": Column(
        "Fréchet distance, measurements",
        "a shifted mean or a different covariance of the measurements (the FID idea on "
        "clinical features)",
        "lower",
        "Dowson & Landau 1982; Heusel et al. 2017 (arXiv:1706.08500)",
    ),  # fmt: skip
    "precision": Column(
        "precision",
        "generated records outside the real records' manifold (implausible ones)",
        "higher",
        "Kynkäänniemi et al. 2019 (arXiv:1904.06991)",
    ),  # fmt: skip
    "recall": Column(
        "recall",
        "real records no generated record comes near: missing variety (mode collapse)",
        "higher",
        "Kynkäänniemi et al. 2019",
    ),  # fmt: skip
    "density": Column(
        "density",
        "how tightly generated records crowd where real ones are dense (≈1 "
        "for the same distribution; above 1: too typical)",
        "as real",
        "Naeem et al. 2020, ICML (arXiv:2002.09797)",
    ),  # fmt: skip
    "coverage": Column(
        "coverage",
        "the share of real records with a generated record nearby: variety, robust to outliers",
        "higher",
        "Naeem et al. 2020",
    ),  # fmt: skip
    "inter_lead_corr_error": Column(
        "inter-lead correlation error",
        "leads that do not move together as a heart's leads do (mean |Δ| of the lead "
        "correlation matrices)",
        "lower",
        "as used in ECG synthesis benchmarks, e.g. Alcaraz & Strodthoff 2023 (SSSD-ECG)",
    ),  # fmt: skip
    "features_different": Column(
        "measurements that differ",
        "the share of measurements whose location, spread or shape differs (FDR 5%)",
        "lower",
        "Welch, Brown–Forsythe and KS tests, Benjamini–Hochberg (see compare)",
    ),  # fmt: skip
    "normal_share": Column(
        "share normal",
        "the share of records meeting the adult criteria of a normal ECG (is_normal)",
        "as real",
        "ecgtoolkit.is_normal (AHA/ACCF/HRS 2009 limits)",
    ),  # fmt: skip
    "lead_physics_ok": Column(
        "limb leads obey the laws",
        "the share of records whose III, aVR, aVL, aVF follow I and II (Einthoven, "
        "Goldberger); leads simulated independently fail",
        "higher",
        "Einthoven 1912; Goldberger 1942",
    ),  # fmt: skip
    "memorised_share": Column(
        "possible copies",
        "generated records that sit on one real record as a copy would (privacy)",
        "lower",
        "nearest-neighbour distance ratio, Zhao et al. 2021 (arXiv:2102.08369)",
    ),  # fmt: skip
    "tstr_ratio": Column(
        "TSTR error ratio",
        "whether a network trained on the records learns the real relation between "
        "waveform and heart rate, PR, QRS, QT (error when tested on real records, over "
        "the error of the same network trained on real records; 1 = as good as real)",
        "lower",
        "Esteban et al. 2017 (arXiv:1706.02633), train on synthetic, test on real",
        costly=True,
    ),  # fmt: skip
}


@dataclass
class Leaderboard:
    """Candidates scored against one real set, with the real set's own calibration row.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per candidate and one for :data:`REAL_ROW`, indexed by ``name``, ranked
        by ``score``: ``rank``, ``score``, ``n_records``, and each column of
        :data:`COLUMNS` (mean over the splits) with ``<column>_sd`` (SD over the
        splits).
    splits : pandas.DataFrame
        Every value: ``name``, ``split``, ``metric``, ``value``.
    timings : pandas.Series
        Seconds per stage.
    notes : list of str
        What was left out or completed, and why.
    fs : float
        The rate of the signal-level metrics, Hz.
    """

    table: pd.DataFrame
    splits: pd.DataFrame
    timings: pd.Series
    notes: list[str] = field(default_factory=list)
    fs: float = float("nan")
    n_real: int = 0
    origins: dict[str, str] = field(default_factory=dict)

    def ranking(self) -> list[str]:
        """Names from the most to the least realistic."""
        return self.table.index.tolist()

    def summary(self) -> str:
        """The ranking as text, one line per row."""
        cols = ["score", "c2st_auc", "signal_c2st_auc", "frechet", "precision", "coverage",
                "tstr_ratio"]  # fmt: skip
        cols = [c for c in cols if c in self.table.columns]
        shown = self.table[["rank", *cols]].copy()
        lines = [f"Leaderboard against {self.n_real} real records (score: lower is more "
                 "realistic; the real half scores what an indistinguishable generator does)"]  # fmt: skip
        lines.append(shown.to_string(float_format=lambda v: f"{v:.3g}"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<Leaderboard of {len(self.table) - 1} candidates against {self.n_real} real records>"
        )

    def _repr_html_(self) -> str:
        from ..report.leaderboard import leaderboard_summary_html

        return leaderboard_summary_html(self)

    def plot(self, **kwargs: Any):
        """Each column as dots with the real half's band (:func:`ecgtoolkit.plot.plot_leaderboard`)."""
        from ..plot.leaderboard import plot_leaderboard

        return plot_leaderboard(self, **kwargs)

    def to_html(self, out: Any = None, *, overwrite: bool = False) -> str:
        """A self-contained HTML report (:func:`ecgtoolkit.report.leaderboard_html`)."""
        from ..report.leaderboard import leaderboard_html

        return leaderboard_html(self, out, overwrite=overwrite)

    def to_csv(self, out: Any, *, overwrite: bool = False) -> None:
        """Write :attr:`table` as CSV, the name first (atomically)."""
        from ..core.files import atomic_write

        atomic_write(out, self.table.reset_index().to_csv(index=False), overwrite=overwrite)


def _measured(candidate: Candidate, n_jobs: int | None, progress: bool):
    """The measurement table and median beats of every record (beats None across rates)."""
    tables, beats = [], []
    for batch in candidate.batches:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            table, b = measure(batch, n_jobs=n_jobs, progress=progress, physiology=True,
                               return_beats=True)  # fmt: skip
        tables.append(table)
        beats.append(b)
    table = pd.concat(tables)
    table.index = pd.Index([f"{candidate.name}/{i}" for i in table.index], name="record_id")
    same = len({b.shape[1:] for b in beats}) == 1
    return table, (np.concatenate(beats) if same else None)


def _pair_metrics(
    ref: tuple, cand: tuple, fs: float, seed: int, costly: bool, tstr_fn
) -> dict[str, float]:
    """Every column for one candidate subset against one reference half."""
    (r_table, r_beats, r_signal), (c_table, c_beats, c_signal) = ref, cand
    out: dict[str, float] = {}
    beats_ok = (
        r_beats is not None and c_beats is not None and r_beats.shape[1:] == c_beats.shape[1:]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = compare(
            (r_table, r_beats) if beats_ok else r_table,
            (c_table, c_beats) if beats_ok else c_table,
            n_permutations=100, seed=seed, memorisation_quantile=MEMORISATION_QUANTILE,
        )  # fmt: skip
    out["c2st_auc"] = float(result.distances["c2st_auc"])
    out["mmd2"] = float(result.distances["mmd2"])
    out["frechet"] = float(result.distances["frechet"])
    out["memorised_share"] = float(result.distances["memorised_share"])
    out["features_different"] = float(result.table["different"].mean())
    names = result.table.index.tolist()
    r_ok, _ = compared_rows(r_table)
    c_ok, _ = compared_rows(c_table)
    z_r, z_c, _ = standardise(as_float(r_ok, names), as_float(c_ok, names))
    out.update({k: float(v) for k, v in prdc(z_r, z_c).items()})
    out["inter_lead_corr_error"] = float(inter_lead_corr_error(r_signal, c_signal))
    normal = is_normal(c_table)["normal"]
    out["normal_share"] = float(normal.mean())
    ok = lead_physics_ok(c_signal, list(STANDARD_LEADS))
    out["lead_physics_ok"] = float(np.nanmean(np.asarray(ok, dtype=float)))
    if costly:
        from .signal_c2st import signal_c2st

        out["signal_c2st_auc"] = float(signal_c2st(r_signal, c_signal, fs, seed=seed)[0])
        out["tstr_ratio"] = tstr_fn(r_signal, r_table, c_signal, c_table, fs, seed)
    return out


def _tstr_ratio(r_signal, r_table, c_signal, c_table, fs, seed) -> float:
    from .tstr import tstr

    result = tstr(r_signal, r_table, c_signal, c_table, fs, seed=seed, progress=False)
    return float(result.attrs["ratio"])


#: Columns that are shares of records: their resolution is one record.
_SHARES = ("features_different", "normal_share", "lead_physics_ok", "memorised_share")
#: A column counts at most this many real-half SDs towards the score.
MAX_Z = 10.0


def _score(splits: pd.DataFrame, n_records: int) -> pd.Series:
    """Mean over columns and splits of |value − real-half mean| / real-half SD, each term
    at most :data:`MAX_Z`.

    The SD has a floor, so that a column on which every real half agrees (every record
    obeys the limb-lead laws) does not turn a small difference into an infinite one: one
    record's worth (1 / ``n_records``) for a share, 1% of the mean otherwise.
    """
    real = splits[splits["name"] == REAL_ROW]
    centre = real.groupby("metric")["value"].mean()
    spread = real.groupby("metric")["value"].std(ddof=1).reindex(centre.index).fillna(0.0)
    floor = pd.Series(
        [1.0 / n_records if m in _SHARES else 0.01 * max(abs(c), 1e-3) for m, c in centre.items()],
        index=centre.index,
    )
    spread = np.maximum(spread, floor)
    z = (splits["value"] - splits["metric"].map(centre)).abs() / splits["metric"].map(spread)
    return z.clip(upper=MAX_Z).groupby(splits["name"]).mean()


def leaderboard(
    real: Any,
    candidates: Mapping[str, Any] | list,
    *,
    n: int | None = 200,
    n_splits: int = 10,
    n_costly_splits: int = 3,
    costly: bool = True,
    seed: int = 0,
    fs: float | None = None,
    leads: Any = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> Leaderboard:
    """Rank generators by how realistic their ECGs are, calibrated by the real set.

    Parameters
    ----------
    real : source
        The real ECGs: anything :func:`~ecgtoolkit.comparison.candidates.load_candidate`
        reads (a folder, a Zarr store, an array file, an ECG batch, a
        :class:`~ecgtoolkit.Database`, ``"database:ludb"`` or
        ``"database:ludb:<boolean meta column>"``).
    candidates : mapping of name to source, or list of sources
        The generators' records: folders, stores, array files, ECG batches, or
        ``"generator:deepfake"`` / ``"generator:neurokit"`` (``n`` records each). A list
        takes each source's default name.
    n : int, optional
        At most this many records per candidate (a seeded subset), and the number a
        built-in generator makes. None: all.
    n_splits : int
        Random splits of the real set into halves (≥ 2). In each, half A is the
        reference; half B, and a subset of each candidate of B's size, are scored
        against it.
    n_costly_splits : int
        Splits on which the two costly columns (``signal_c2st_auc``, ``tstr_ratio``)
        are computed (the first ones).
    costly : bool
        Compute the costly columns at all.
    seed : int
        Seed of the splits, subsets, generators and classifiers.
    fs, leads
        Rate and lead names of array files that do not store them.
    n_jobs : int, optional
        Cores for measuring (None: all).
    progress : bool
        Show progress bars.

    Returns
    -------
    Leaderboard
        ``table`` (ranked), ``splits`` (every value), ``timings`` (per stage), notes.

    Notes
    -----
    **Measurements** are made at each record's own rate: a 100 Hz record is not
    upsampled into false precision, and the report says which measurements are coarse
    at the rates given. **Signal-level columns** (signal classifier, inter-lead
    correlation, limb-lead laws, TSTR) use every set at the lowest rate among the
    inputs, the real set resampled to it, all cut to the shortest record.

    **The score** is the mean, over the columns and the splits, of how far each value
    is from the real half's mean value, in units of the real half's SD over the
    splits (a floor of one record for shares, at most :data:`MAX_Z` per value). An
    indistinguishable generator scores what the real half scores (about
    0.8, the mean absolute value of a standard normal); the ranking is by score.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> board = et.leaderboard(et.generate(40, seed=5), {"gan": et.generate(40, seed=6)},
    ...                        n_splits=3, costly=False, progress=False)  # doctest: +SKIP
    >>> board.ranking()  # doctest: +SKIP
    ['real (held-out half)', 'gan']
    """
    n_splits = check_int(n_splits, "n_splits", minimum=2)
    n_costly_splits = check_int(n_costly_splits, "n_costly_splits", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    notes: list[str] = []

    sources = list(candidates.values()) if isinstance(candidates, Mapping) else list(candidates)
    for source in [real, *sources]:  # a typo is refused before minutes of work
        if isinstance(source, str) and source.startswith("generator:"):
            if source.split(":", 1)[1] not in GENERATORS:
                raise ValueError(f"unknown generator {source!r}; built-in generators are "
                                 + ", ".join(f"'generator:{g}'" for g in GENERATORS))  # fmt: skip
    real_is_generated = isinstance(real, str) and real.startswith("generator:")
    real_c = load_candidate(
        real, name="real", n=n if real_is_generated else None, seed=seed, fs=fs, leads=leads,
        progress=progress,
    )  # fmt: skip
    if len(real_c) < 20:
        raise ValueError(
            f"the real set has {len(real_c)} records; the leaderboard needs at least 20"
        )
    items = list(candidates.items()) if isinstance(candidates, Mapping) else [
        (None, s) for s in candidates
    ]  # fmt: skip
    if not items:
        raise ValueError("give at least one candidate")
    loaded = []
    for i, (name, source) in enumerate(items):
        loaded.append(load_candidate(source, name=name, n=n, seed=seed + 1 + i, fs=fs,
                                     leads=leads, progress=progress))  # fmt: skip
    names = [c.name for c in loaded]
    if len(set(names)) != len(names) or REAL_ROW in names:
        raise ValueError(f"candidate names must be unique and not {REAL_ROW!r}: {names}")
    for c in (real_c, *loaded):
        notes.extend(f"{c.name}: {note}" for note in c.notes)
    timings["load"] = time.perf_counter() - clock

    clock = time.perf_counter()
    measured = [_measured(c, n_jobs, progress) for c in (real_c, *loaded)]
    timings["measure"] = time.perf_counter() - clock
    notes.extend(_rate_notes([real_c, *loaded]))

    clock = time.perf_counter()
    signals, common_fs, n_samples = common_signals([real_c, *loaded], progress=progress)
    timings["resample"] = time.perf_counter() - clock

    n_real = len(real_c)
    if n_real < 20:
        raise ValueError(f"the real set has {n_real} records; the leaderboard needs at least 20")
    half = n_real // 2
    # Every scored set has one size: the held-out half, or the smallest candidate.
    size = min(n_real - half, *(len(m[0]) for m in measured[1:]))
    if size < n_real - half:
        notes.append(
            f"every row is scored with {size} records (the smallest candidate), the held-out "
            f"real half subsampled to that size"
        )
    rng = np.random.default_rng(seed)
    rows = []
    metric_time = {"cheap": 0.0, "costly": 0.0}
    total = n_splits * (1 + len(loaded))
    with progress_bar(total=total, desc="scoring", unit="pair", enabled=progress) as bar:
        for split in range(n_splits):
            order = rng.permutation(n_real)
            a, b = np.sort(order[:half]), np.sort(order[half:])
            r_table, r_beats = measured[0]
            ref = _subset(r_table, r_beats, signals[0], a)
            b = np.sort(rng.choice(b, size, replace=False))
            others = [(REAL_ROW, _subset(r_table, r_beats, signals[0], b))]
            for k, c in enumerate(loaded, start=1):
                table, beats = measured[k]
                pick = np.sort(rng.choice(len(table), size, replace=False))
                others.append((c.name, _subset(table, beats, signals[k], pick)))
            for name, cand in others:
                clock = time.perf_counter()
                values = _pair_metrics(
                    ref, cand, common_fs, seed + split, costly and split < n_costly_splits,
                    _tstr_ratio,
                )  # fmt: skip
                key = "costly" if costly and split < n_costly_splits else "cheap"
                metric_time[key] += time.perf_counter() - clock
                rows.extend({"name": name, "split": split, "metric": m_, "value": v}
                            for m_, v in values.items())  # fmt: skip
                bar.update(1)
    timings["metrics (cheap splits)"] = metric_time["cheap"]
    timings["metrics (splits with the costly columns)"] = metric_time["costly"]
    splits = pd.DataFrame(rows)
    table = _table(splits, [REAL_ROW, *names], {REAL_ROW: size,
                   **{c.name: len(c) for c in loaded}})  # fmt: skip
    timings_s = pd.Series(timings, name="seconds")
    timings_s["total"] = timings_s.sum()
    origins = {REAL_ROW: real_c.origin, **{c.name: c.origin for c in loaded}}
    if (half + 1) * MEMORISATION_QUANTILE < 1:
        notes.append(
            f"with {half} records in each reference half, the memorisation check at its "
            f"{MEMORISATION_QUANTILE:.0%} level can flag exact copies only (anything else "
            f"needs {round(1 / MEMORISATION_QUANTILE) - 1} real records per half, a near-copy "
            f"{round(2 / MEMORISATION_QUANTILE) - 1}: give a larger real set)"
        )
    if n_samples < 5 * common_fs:
        notes.append(f"signal-level columns on {n_samples / common_fs:.1f} s of each record")
    return Leaderboard(table, splits, timings_s, notes, common_fs, n_real, origins)


def _subset(table: pd.DataFrame, beats: np.ndarray | None, signal: np.ndarray, rows: np.ndarray):
    return table.iloc[rows], (None if beats is None else beats[rows]), signal[rows]


def _table(splits: pd.DataFrame, order: list[str], sizes: dict[str, int]) -> pd.DataFrame:
    grouped = splits.groupby(["name", "metric"])["value"]
    mean = grouped.mean().unstack("metric")
    sd = grouped.std(ddof=1).unstack("metric")
    columns = [c for c in COLUMNS if c in mean.columns]
    table = pd.DataFrame(index=pd.Index(order, name="name"))
    table["score"] = _score(splits, sizes[REAL_ROW]).reindex(order)
    table["rank"] = table["score"].rank(method="min").astype(int)
    table["n_records"] = [sizes[name] for name in order]
    for c in columns:
        table[c] = mean[c].reindex(order)
        table[f"{c}_sd"] = sd[c].reindex(order)
    table = table.sort_values("score", kind="stable")
    return table[["rank", "score", "n_records", *table.columns[3:]]]


def _rate_notes(sets: list[Candidate]) -> list[str]:
    """Which measurements are coarse at the rates given."""
    notes = []
    for c in sets:
        low = [fs for fs in c.rates if fs < 250]
        if low:
            step = 1000 / min(low)
            notes.append(
                f"{c.name}: records at {', '.join(f'{f:g}' for f in low)} Hz are measured at "
                f"that rate: intervals come in steps of {step:.0f} ms, so QRS duration, PR "
                "and P duration are coarse (±1 sample); heart rate, QT and amplitudes hold"
            )
    return notes
