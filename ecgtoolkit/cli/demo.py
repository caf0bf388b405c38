"""``ecgtoolkit demo``, the main job behind ``make demo``: generate ECGs, measure, check,
compare, report."""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..core.files import atomic_write
from .args import non_negative_int, positive_int

__all__ = ["add", "measure_folder", "run", "run_demo"]


def measure_folder(folder: str | os.PathLike, *, progress: bool = True):
    """Measure every ECG record in a folder, one by one: a bad file is skipped, not fatal.

    Parameters
    ----------
    folder : path
        A folder of records that :func:`ecgtoolkit.read` can read: the records of
        :func:`ecgtoolkit.io.list_records` (WFDB by their ``.hea``, CSV, ASC, NumPy,
        CPSC ``.mat``, GE MUSE ``.xml``).
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

    from ..core.progress import progress_bar
    from ..io import RECORD_SUFFIXES, list_records, read
    from ..measurement.measure import measure

    folder = Path(folder)
    files = [folder / name for name in list_records(folder)]
    if not files:
        raise FileNotFoundError(f"{folder} holds no ECG record ({', '.join(RECORD_SUFFIXES)})")
    rows, beats, problems = [], [], []
    for path in progress_bar(files, desc="real records", enabled=progress):
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
    out: str | os.PathLike,
    n: int = 200,
    seed: int = 2021,
    real: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> Path:
    """Generate ``n`` ECGs, measure, check and compare them, and write a report.

    Parameters
    ----------
    out : path
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
    from ..generators.generate import generate
    from ..plot.ecg import plot_ecg
    from ..report.realism import realism_report

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / "report.html", folder / "measurements.csv", folder / "ecg_0.png"]
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
    report = realism_report(fakes, others=others, out=targets[0], overwrite=overwrite)
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


def add(commands: Any) -> None:
    """Add the command to the command line's subparsers."""
    demo = commands.add_parser(
        "demo",
        help="generate ECGs, measure, check and compare them, write report.html",
        description="The main job: generate DeepFake ECGs, measure them, check their "
        "leads, interpret them and compare them with real ECGs (the embedded normal "
        "adults, and a folder of your own with --real); writes a self-contained "
        "report.html.",
    )
    demo.add_argument(
        "-o", "--out", default="demo_output", help="output folder (default: demo_output)"
    )
    demo.add_argument(
        "-n",
        "--number",
        dest="n",
        type=positive_int,
        default=200,
        help="number of ECGs (default: 200)",
    )
    demo.add_argument("--seed", type=non_negative_int, default=2021, help="default: 2021")
    demo.add_argument("--real", default=None, help="a folder of real records to compare with")
    demo.add_argument("--overwrite", action="store_true", help="replace an earlier demo's files")


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Run the demo as the parsed arguments say; returns the exit status."""
    from . import run_command

    status, _ = run_command(
        lambda: run_demo(
            args.out, n=args.n, seed=args.seed, real=args.real, overwrite=args.overwrite
        ),
        interrupted="rerun the demo (with --overwrite if it wrote files)",
    )
    return status
