"""The demo behind ``make demo``: generate a few ECGs, summarise, save, plot."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def run_demo(
    out_dir: str | os.PathLike, n: int = 8, seed: int = 2021, overwrite: bool = False
) -> Path:
    """Generate ``n`` ECGs, print a summary, write them in every format and plot one.

    Parameters
    ----------
    out_dir : path
        Output folder; gets ``wfdb/``, ``csv/``, ``asc/``, ``npy/``, ``npz/`` and
        ``ecg_0.png``.
    n : int
        Number of ECGs.
    seed : int
        Noise seed.
    overwrite : bool
        Replace the files of an earlier demo.

    Returns
    -------
    pathlib.Path
        The output folder.
    """
    import pandas as pd

    from .generate import generate, generate_to
    from .plot import plot_ecg

    out = Path(out_dir)
    batch = generate(n, seed=seed)
    print(batch)
    sig = batch.signal
    summary = pd.DataFrame(
        {
            "lead": batch.leads,
            "min_mv": sig.min(axis=(0, 2)),
            "max_mv": sig.max(axis=(0, 2)),
            "peak_to_peak_mv": np.ptp(sig, axis=2).mean(axis=0),
            "sd_mv": sig.std(axis=2).mean(axis=0),
        }
    )
    print(f"\nPer-lead amplitudes over {n} ECGs (mean over records for p-p and SD):")
    print(summary.round(3).to_string(index=False))
    for fmt in ("wfdb", "csv", "asc", "npy", "npz"):
        generate_to(out / fmt, n, format=fmt, seed=seed, overwrite=overwrite, progress=False)
    png = out / "ecg_0.png"
    if png.exists() and not overwrite:
        raise FileExistsError(f"{png} exists; pass overwrite=True")
    plot_ecg(batch[0], title=f"DeepFake ECG, seed {seed}, record 0").savefig(png, dpi=110)
    print(f"\nWrote {n} ECGs in 5 formats under {out}/ and a plot of record 0 to {png}")
    return out
