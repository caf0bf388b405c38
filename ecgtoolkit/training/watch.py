"""Watch a training run: held-out realism and a copy audit, every few steps.

A :class:`Watch` holds what stays fixed through a run: the noise of a fixed set of
fakes, and the measurements of the held-out windows (records no step trains on) and of
a subset of the training windows, measured once. :func:`evaluate` scores the
generator's current fakes:

- **held-out realism**, the leaderboard's measures against the held-out records:
  ``c2st_auc`` (a classifier on the measurements; 0.5 = indistinguishable), ``mmd2``
  (median beats), ``frechet``, ``features_different`` (share of measurements that
  differ after false-discovery control), ``density`` and ``coverage`` (Naeem et al.
  2020);
- **copying**, against the training records: ``copies_share`` (fakes sitting on one
  training record more tightly than real records sit on each other,
  :func:`ecgtoolkit.compare`'s memorisation test), ``copies_p`` (beta-binomial p for
  more than chance), and ``membership_auc``: a membership-inference test, the AUC of
  telling training records from held-out ones by their distance to the nearest fake
  (0.5 = the fakes are no closer to the records they were trained on; Hilprecht et al.
  2019, "Monte Carlo and reconstruction membership inference attacks against
  generative models", PoPETs 2019(4):232).

``membership_p`` is its one-sided Mann–Whitney p-value (training records nearer than
held-out ones). A checkpoint *passes the copy audit* when neither test finds more than
chance: ``copies_p`` and ``membership_p`` ≥ :data:`AUDIT_ALPHA` (0.05), as real records
against real records do; ``best.pt`` is the passing checkpoint with the lowest held-out
``c2st_auc``. With few held-out records both tests have little power: the AUC of ten
records against ten varies by about ±0.13 by chance alone.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy import stats

from ..comparison.compare import compare
from ..comparison.distances import standardise
from ..comparison.metrics import prdc
from ..comparison.tables import MIN_RECORDS, as_float, compared_rows
from ..core.ecg import ECG
from ..core.leads import GENERATED_LEADS
from ..generators.checkpoints import OUTPUT_SCALE_MV
from ..generators.pulse2pulse import N_CHANNELS, N_SAMPLES
from ..measurement.measure import measure
from .data import TRAIN_FS, TrainingData

__all__ = [
    "AUDIT_COLUMNS",
    "EVAL_COLUMNS",
    "REALISM_COLUMNS",
    "AUDIT_ALPHA",
    "Watch",
    "evaluate",
    "passes_audit",
    "prepare_watch",
]

#: Held-out realism: the fakes against the held-out records.
REALISM_COLUMNS = ("c2st_auc", "mmd2", "frechet", "features_different", "density", "coverage")
#: The copy audit: the fakes against the training records.
AUDIT_COLUMNS = ("copies_share", "copies_p", "membership_auc", "membership_p")
#: The columns :func:`evaluate` adds to a metrics row.
EVAL_COLUMNS = REALISM_COLUMNS + AUDIT_COLUMNS
#: Below this p-value (more copies than chance, or training records nearer the fakes than
#: held-out ones) a checkpoint fails the copy audit.
AUDIT_ALPHA = 0.05
_COMPARE = {"n_permutations": 100, "seed": 0}


@dataclass
class Watch:
    """What a run's evaluations share (see :func:`prepare_watch`)."""

    noise: torch.Tensor
    holdout: tuple[pd.DataFrame, np.ndarray]
    train: tuple[pd.DataFrame, np.ndarray]


def _measured(windows: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    ecg = ECG(windows * OUTPUT_SCALE_MV, fs=TRAIN_FS, leads=GENERATED_LEADS, units="mV")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return measure(ecg.to_12_lead(), physiology=True, return_beats=True, progress=False,
                       n_jobs=1)  # fmt: skip


def prepare_watch(
    data: TrainingData, *, n_fakes: int = 32, max_train: int = 64, seed: int = 0
) -> tuple[Watch | None, str]:
    """Measure the held-out and (a subset of the) training windows once, fix the noise.

    Returns
    -------
    watch : Watch or None
        None when there are too few held-out windows to compare with.
    note : str
        Why there is no watch ("" when there is one).
    """
    if len(data.holdout) < MIN_RECORDS or n_fakes < MIN_RECORDS:
        return None, (
            f"no held-out evaluation: {len(data.holdout)} held-out windows (need at least "
            f"{MIN_RECORDS}; hold out more records with holdout=)"
        )
    rng = np.random.default_rng([seed, 7])
    rows = np.sort(rng.choice(len(data.train), min(max_train, len(data.train)), replace=False))
    gen = torch.Generator().manual_seed(seed + 1)
    noise = torch.rand(n_fakes, N_CHANNELS, N_SAMPLES, generator=gen) * 2 - 1
    return Watch(noise, _measured(data.holdout), _measured(data.train[rows])), ""


def _nearest(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from each row of ``a`` to its nearest row of ``b``."""
    d2 = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.maximum(d2, 0)).min(axis=1)


def _membership(train: pd.DataFrame, holdout: pd.DataFrame, fakes: pd.DataFrame,
                names: list[str]) -> tuple[float, float]:  # fmt: skip
    """AUC of telling training from held-out records by their nearest fake (closer =
    training; 0.5 = no leak) and its one-sided Mann–Whitney p-value."""
    tr, _ = compared_rows(train)
    ho, _ = compared_rows(holdout)
    fk, _ = compared_rows(fakes)
    with np.errstate(divide="ignore", invalid="ignore"):  # constant columns: 0 after nan_to_num
        z_tr, z_fk, _ = map(np.nan_to_num, standardise(as_float(tr, names), as_float(fk, names)))
        _, z_ho, _ = map(np.nan_to_num, standardise(as_float(tr, names), as_float(ho, names)))
    d_tr, d_ho = -_nearest(z_tr, z_fk), -_nearest(z_ho, z_fk)
    test = stats.mannwhitneyu(d_tr, d_ho, alternative="greater")
    return float(test.statistic / (len(d_tr) * len(d_ho))), float(test.pvalue)


def evaluate(generator: torch.nn.Module, watch: Watch) -> dict[str, float]:
    """The held-out realism and copy audit of the generator's fixed fakes (see the module).

    The generator is put in eval mode (its fast, identical inference path) and left so.
    """
    generator.eval()
    device = next(generator.parameters()).device
    with torch.inference_mode():
        out = torch.cat([generator(chunk.to(device)).cpu() for chunk in watch.noise.split(16)])
    fakes = _measured(out.numpy().astype(np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        held = compare(watch.holdout, fakes, **_COMPARE)
        copies = compare(watch.train, fakes, **_COMPARE)
    names = held.table.index.tolist()
    r_ok, _ = compared_rows(watch.holdout[0])
    f_ok, _ = compared_rows(fakes[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        z_r, z_f, _ = map(np.nan_to_num, standardise(as_float(r_ok, names), as_float(f_ok, names)))
    quality = prdc(z_r, z_f, k=min(5, len(z_r) - 1, len(z_f) - 1))
    d = held.distances
    membership = _membership(watch.train[0], watch.holdout[0], fakes[0], names)
    return {
        "c2st_auc": float(d["c2st_auc"]),
        "mmd2": float(d["mmd2"]),
        "frechet": float(d["frechet"]),
        "features_different": float(held.table["different"].mean()),
        "density": float(quality["density"]),
        "coverage": float(quality["coverage"]),
        "copies_share": float(copies.distances["memorised_share"]),
        "copies_p": float(copies.distances["memorised_p"]),
        "membership_auc": membership[0],
        "membership_p": membership[1],
    }


def passes_audit(scores: dict[str, Any]) -> bool:
    """Whether a checkpoint passes the copy audit (see the module)."""
    return bool(scores["copies_p"] >= AUDIT_ALPHA and scores["membership_p"] >= AUDIT_ALPHA)
