"""Do the signal-level judges see what they should? signal_c2st and tstr on LUDB and DeepFake.

1. ``signal_c2st`` (random convolutions, ridge, 5-fold AUC): random halves of LUDB's
   sinus records against each other (should be 0.5), LUDB's first against its second
   half by record id, LUDB against 200 DeepFakes, real records with their leads shuffled
   and with a 15% slower heart rate (resampled in time).
2. ``tstr`` (a small CNN predicting heart rate, PR, QRS, QT): a random half of LUDB as
   the candidate (should be 1), 200 DeepFakes, and two bad controls: leads shuffled
   among records, and records played backwards.

Each line prints the result and its seconds. Measurements of LUDB and of the DeepFakes
are cached in ``benchmarks/_out``. Run: ``python benchmarks/bench_signal_judges.py``
(``ECGTOOLKIT_DATA`` pointing at the shared data).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.comparison.signal_c2st import signal_c2st  # noqa: E402
from ecgtoolkit.comparison.tstr import tstr  # noqa: E402
from ecgtoolkit.signal.filters import resample  # noqa: E402

OUT = Path(__file__).resolve().parent / "_out"
FS = 500.0
N_FAKE = 200


def measured(name: str, batch: et.ECG) -> pd.DataFrame:
    path = OUT / f"bench_signal_judges_{name}.parquet"
    if path.exists():
        return pd.read_parquet(path)
    table = et.measure(batch, progress=False)
    table.to_parquet(path)
    return table


def leads_shuffled_among_records(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = x.copy()
    for lead in range(x.shape[1]):
        out[:, lead] = x[rng.permutation(len(x)), lead]
    return out


def c2st_line(name: str, real: np.ndarray, fake: np.ndarray, seed: int = 0) -> float:
    start = time.perf_counter()
    auc, low, high = signal_c2st(real, fake, FS, seed=seed)
    seconds = time.perf_counter() - start
    print(f"  {name:52s} AUC {auc:.3f} [{low:.3f}, {high:.3f}]  {seconds:5.1f} s", flush=True)
    return auc


def tstr_line(name: str, real, real_table, fake, fake_table, seed: int = 0) -> None:
    result = tstr(real, real_table, fake, fake_table, FS, seed=seed, progress=False)
    ratios = ", ".join(f"{t} {r:.2f}" for t, r in result["ratio"].items())
    print(
        f"  {name:40s} ratio {result.attrs['ratio']:.2f} ({ratios}); "
        f"{result.attrs['seconds']:.1f} s, {result.attrs['n_train']} training records",
        flush=True,
    )


def main() -> None:
    OUT.mkdir(exist_ok=True)
    ludb = et.load_ludb(annotations=False, progress=False)
    fakes = et.generate(N_FAKE, seed=7, progress=False)
    real, fake = ludb.ecg.signal, fakes.signal
    real_table, fake_table = measured("ludb", ludb.ecg), measured("deepfake", fakes)
    sinus = real[ludb.meta["sinus"].to_numpy()]
    rng = np.random.default_rng(0)

    print(f"signal_c2st ({len(sinus)} LUDB sinus records, {len(real)} LUDB, {N_FAKE} DeepFakes)")
    half = len(sinus) // 2
    null = []
    for split in range(5):
        order = rng.permutation(len(sinus))
        a, b = sinus[order[:half]], sinus[order[half:]]
        null.append(c2st_line(f"sinus half vs half (random split {split})", a, b, seed=split))
    print(f"  -> random halves: mean AUC {np.mean(null):.3f}, SD {np.std(null, ddof=1):.3f}")
    c2st_line("sinus first half vs second half by record id", sinus[:half], sinus[half:])
    c2st_line(f"LUDB ({len(real)}) vs DeepFake ({N_FAKE})", real, fake)
    shuffled = np.stack([r[rng.permutation(12)] for r in b])
    c2st_line("sinus half vs half with each record's leads shuffled", a, shuffled)
    slower = resample(b, FS, FS * 1.15)[..., : b.shape[-1]]
    c2st_line("sinus half vs half with a 15% slower heart rate", a, slower)

    print(f"\ntstr (targets heart_rate, pr_ms, qrs_ms, qt_ms; {len(real)} LUDB records)")
    order = rng.permutation(len(real))
    a, b = order[: len(real) // 2], order[len(real) // 2 :]
    for seed in range(3):
        tstr_line(
            f"real half as the candidate (seed {seed})",
            real[a], real_table.iloc[a], real[b], real_table.iloc[b], seed=seed,
        )  # fmt: skip
    tstr_line(f"DeepFake ({N_FAKE}) vs LUDB ({len(real)})", real, real_table, fake, fake_table)
    bad = leads_shuffled_among_records(real[b], rng)
    tstr_line("real half, leads shuffled among records", real[a], real_table.iloc[a],
              bad, real_table.iloc[b])  # fmt: skip
    tstr_line("real half, played backwards", real[a], real_table.iloc[a],
              real[b][..., ::-1], real_table.iloc[b])  # fmt: skip


if __name__ == "__main__":
    main()
