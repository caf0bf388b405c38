"""The leaderboard on the shared real data: DeepFake, NeuroKit2, a bad control, a real half.

Three candidates of ``--n`` records each (default 200) are written to disk first (once;
``--cache`` keeps them between runs):

* ``deepfake``: ``et.generate(n, seed=7)``, a WFDB folder (``et.generate_to``);
* ``neurokit``: ``et.simulate_neurokit(n, seed=0)``, ``.npz`` files (NeuroKit2 takes
  about 1-3 s per 12-lead record: the first run spends minutes here, not timed);
* ``control``: DeepFakes (seed 8) with every record's leads in a random order, ``.npz``.

Then ``ecgtoolkit compare REAL deepfake neurokit control`` runs, timed per stage, against
``--real`` (default ``database:ludb:sinus``: LUDB's sinus-rhythm records, adc_gain 1000
by the loader). Target: under 5 minutes on 2 cores with the signal classifier and TSTR;
the real-half row's measurement classifier AUC within 0.5 ± 0.05; the control and
NeuroKit2 clearly worse than DeepFake on c2st, precision/density and TSTR.

Run: ``ECGTOOLKIT_DATA=../shared/data .venv/bin/python benchmarks/bench_leaderboard.py``
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

import ecgtoolkit as et


def _write_npz(batch: et.ECG, folder: Path) -> None:
    folder.mkdir(parents=True)
    for i, record in enumerate(batch):
        et.write(record, folder / f"{i:04d}.npz")


def candidates(cache: Path, n: int) -> dict[str, Path]:
    paths = {name: cache / f"{name}-{n}" for name in ("deepfake", "neurokit", "control")}
    if not paths["deepfake"].exists():
        et.generate_to(paths["deepfake"], n, seed=7)
    if not paths["neurokit"].exists():
        _write_npz(et.simulate_neurokit(n, seed=0), paths["neurokit"])
    if not paths["control"].exists():
        fakes = et.generate(n, seed=8)
        rng = np.random.default_rng(0)
        shuffled = np.stack([r[rng.permutation(r.shape[0])] for r in fakes.signal])
        _write_npz(et.ECG(shuffled, fs=fakes.fs, leads=fakes.leads), paths["control"])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--real", default="database:ludb:sinus")
    parser.add_argument("--cache", default="/tmp/ecgtoolkit-bench-leaderboard")
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument("--costly-splits", type=int, default=3)
    args = parser.parse_args()
    print(f"# {platform.node()}, {os.cpu_count()} cores, ecgtoolkit {et.__version__}")
    paths = candidates(Path(args.cache), args.n)
    start = time.perf_counter()
    board = et.leaderboard(
        args.real, {name: str(p) for name, p in paths.items()}, n=args.n,
        n_splits=args.splits, n_costly_splits=args.costly_splits, progress=False,
    )  # fmt: skip
    wall = time.perf_counter() - start
    print(board.summary())
    cols = [c for c in board.table.columns if not c.endswith("_sd")]
    print("\n" + board.table[cols].T.to_string(float_format=lambda v: f"{v:.3g}"))
    print("\nseconds per stage:")
    print(board.timings.round(1).to_string())
    print(f"\nwall time {wall:.0f} s (target < 300 s)")
    for note in board.notes:
        print("note:", note)


if __name__ == "__main__":
    main()
