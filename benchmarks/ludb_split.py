"""How the shared LUDB records are split for development and evaluation.

Two fixed rules, decided before the methods they evaluate were developed:

* ``ludb_split``: the single DEV / TEST split of the first version (sort the record
  numbers numerically and put every third one, positions 2, 5, 8, … in 0-based order,
  into TEST). Kept to compare with the figures reported then.
* ``ludb_folds``: five folds of whole records for cross-validation (the sorted records
  in a fixed random order, seed 0, dealt round-robin into five folds). Each fold's
  records are scored with the segmentation network trained on the other four folds
  only (``train_segmenter.py --fold K``); every constant of the method is fixed before
  the folds are scored, never chosen per fold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

N_FOLDS = 5


def ludb_records(folder: Path) -> list[int]:
    """Return the LUDB record numbers found in ``folder``, sorted numerically."""
    return sorted(int(p.stem) for p in Path(folder).glob("*.hea") if p.stem.isdigit())


def ludb_split(folder: Path) -> tuple[list[int], list[int]]:
    """Return ``(dev, test)`` record numbers: every third sorted record is TEST."""
    records = ludb_records(folder)
    test = records[2::3]
    held = set(test)
    dev = [r for r in records if r not in held]
    return dev, test


def ludb_folds(folder: Path, n_folds: int = N_FOLDS) -> list[list[int]]:
    """Return ``n_folds`` disjoint lists of record numbers covering all records."""
    records = np.array(ludb_records(folder))
    order = np.random.default_rng(0).permutation(records.size)
    return [sorted(records[order[k::n_folds]].tolist()) for k in range(n_folds)]
