"""The main job behind ``make demo``: generate ECGs, measure, check, compare, report."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from .io._files import atomic_write

_READABLE = (".hea", ".csv", ".npz", ".npy", ".mat", ".asc")


def measure_folder(folder: str | os.PathLike, *, progress: bool = True):
    """Measure every ECG record in a folder, one by one: a bad file is skipped, not fatal.

    Parameters
    ----------
    folder : path
        A folder of records that :func:`ecgtoolkit.read` can read (WFDB records by their
        ``.hea``; ``.mat`` files without a header; ``.csv``, ``.npz``).
    progress : bool
        Show a progress bar.

    Returns
    -------
    table : pandas.DataFrame
        :func:`ecgtoolkit.measure` rows (with physiology), indexed by file name.
    beats : numpy.ndarray
        The median beats ``(n_records, 8, n_times)``.
    problems : list of str
        Files that could not be read or measured, and reader warnings, with reasons.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist or holds no readable record.
    """
    import pandas as pd
    from tqdm.auto import tqdm

    from .io import read
    from .measurement import measure

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of ECG records")
    stems = {p.with_suffix("") for p in folder.iterdir() if p.suffix.lower() == ".hea"}
    files = sorted(p.with_suffix("") for p in stems) + sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in _READABLE[1:] and p.with_suffix("") not in stems
    )
    if not files:
        raise FileNotFoundError(f"{folder} holds no ECG record ({', '.join(_READABLE)})")
    rows, beats, problems = [], [], []
    for path in tqdm(files, disable=not progress, desc="real records", unit="record"):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                ecg = read(path)
            problems += [
                f"{path.name}: {w.message}"
                for w in caught
                if w.category is UserWarning  # the reader's own notes, not deprecations
            ]
            row, beat = measure(ecg, physiology=True, return_beats=True)
        except Exception as err:  # noqa: BLE001 - one bad file must not stop the demo
            problems.append(f"{path.name}: skipped ({type(err).__name__}: {err})")
            continue
        row.name = path.name
        rows.append(row)
        beats.append(beat)
    if not rows:
        raise FileNotFoundError(f"no record of {folder} could be read: {problems[:3]}")
    return pd.DataFrame(rows), np.stack(beats), problems


def run_demo(
    out_dir: str | os.PathLike,
    n: int = 200,
    seed: int = 2021,
    real: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> Path:
    """Generate ``n`` ECGs, measure, check and compare them, and write a report.

    Parameters
    ----------
    out_dir : path
        Output folder (created): ``report.html``, ``measurements.csv`` (one row per
        generated ECG: measurements, interpretation, normal-filter verdict) and
        ``ecg_0.png`` (record 0 on ECG paper).
    n : int
        Number of ECGs.
    seed : int
        Noise seed.
    real : path, optional
        A folder of real records to compare with as well (besides the embedded
        reference of normal adults).
    overwrite : bool
        Replace the files of an earlier demo.

    Returns
    -------
    pathlib.Path
        The report's path.
    """
    from .generate import generate
    from .plot import plot_ecg
    from .report import realism_report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    targets = [out / "report.html", out / "measurements.csv", out / "ecg_0.png"]
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{existing[0]} exists; pass overwrite=True (--overwrite)")
    print(f"Generating {n} DeepFake ECGs (seed {seed}) ...")
    fakes = generate(n, seed=seed, progress=True)
    others = {}
    problems: list[str] = []
    if real is not None:
        table, beats, problems = measure_folder(real)
        others[f"your records ({Path(real).name})"] = (table, beats)
    print("Measuring, checking and comparing ...")
    report = realism_report(fakes, others=others, path=targets[0], overwrite=overwrite)
    rows = report.measurements.join(report.statements)
    atomic_write(targets[1], rows.to_csv(), overwrite=overwrite)
    plot_ecg(fakes[0], title=f"DeepFake ECG, seed {seed}, record 0").savefig(targets[2], dpi=100)
    print("\n" + report.summary)
    if problems:
        print(f"\n{len(problems)} note(s) on the real records:")
        for line in problems[:10]:
            print(f"  {line}")
        if len(problems) > 10:
            print(f"  ... and {len(problems) - 10} more")
    print(f"\nReport: {targets[0].resolve()}")
    print(f"Tables: {targets[1].resolve()}; record 0: {targets[2].resolve()}")
    return targets[0]
