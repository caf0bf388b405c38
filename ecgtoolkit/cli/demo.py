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
        :func:`ecgtoolkit.measure` rows (with physiology) of the records that could be
        read and measured, indexed by file name; empty when none could.
    beats : numpy.ndarray
        Their median beats ``(n_records, 8, n_times)``.
    skipped : list of str
        ``"name: skipped (why)"`` for each record that could not be read or measured.
    notes : list of str
        ``"name: note"`` for what the readers noted on a record (see
        :func:`ecgtoolkit.measurement.sources.record_notes`).

    Raises
    ------
    FileNotFoundError
        If ``folder`` is not a folder.
    ValueError
        If it holds no record file.
    """
    import pandas as pd

    from ..core.progress import progress_bar
    from ..io import FolderSource
    from ..measurement.intervals import BEAT_LEADS
    from ..measurement.measure import measure
    from ..measurement.record import beat_times
    from ..measurement.sources import record_notes

    source = FolderSource(folder)
    rows, beats, skipped, notes = [], [], [], []
    for name in progress_bar(source.record_ids, desc="real records", enabled=progress):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                ecg = source.read(name)
            except Exception as err:  # noqa: BLE001 - one bad file must not stop the demo
                skipped.append(f"{name}: skipped (cannot read: {type(err).__name__}: {err})")
                continue
        notes += [f"{name}: {note}" for note in record_notes(caught)]
        try:
            row, beat = measure(ecg, physiology=True, return_beats=True)
        except Exception as err:  # noqa: BLE001 - e.g. a record too short to measure
            why = str(err) if isinstance(err, ValueError) else f"{type(err).__name__}: {err}"
            skipped.append(f"{name}: skipped ({why})")
            continue
        row.name = name
        rows.append(row)
        beats.append(beat)
    if not rows:
        return pd.DataFrame(), np.empty((0, len(BEAT_LEADS), beat_times().size)), skipped, notes
    return pd.DataFrame(rows), np.stack(beats), skipped, notes


def _real_group(folder: str | os.PathLike) -> tuple[Any, list[str]]:
    """The measured records of ``--real`` for the comparison (None when too few), and the
    lines that say which records were left out of it and why."""
    from ..comparison.tables import MIN_RECORDS

    table, beats, skipped, notes = measure_folder(folder)
    n_files = len(table) + len(skipped)
    left_out = list(skipped)
    if len(table):
        for name, row in table[table["status"] != "ok"].iterrows():
            why = f": {row['reason']}" if row["reason"] else ""
            left_out.append(f"{name}: not compared (status {row['status']!r}{why})")
    n_ok = n_files - len(left_out)
    lines = [f"Real records ({Path(folder).name}): {n_ok} of {n_files} measured and compared."]
    if left_out:
        lines.append(f"Left out {len(left_out)} of {n_files} records:")
        lines += [f"  {line}" for line in left_out]
    if notes:
        lines.append(f"{len(notes)} note(s) of the readers:")
        lines += [f"  {line}" for line in notes[:10]]
        if len(notes) > 10:
            lines.append(f"  ... and {len(notes) - 10} more")
    if n_ok < MIN_RECORDS:
        lines.append(
            f"A comparison needs at least {MIN_RECORDS} measured records: the report "
            "compares with the embedded real normal adults only."
        )
        return None, lines
    return (table, beats), lines


#: NeuroKit2 records in the demo's leaderboard (about a second each to simulate).
DEMO_NEUROKIT = 30


def _leaderboard(fakes: Any, real: Any, seed: int) -> Any:
    """DeepFake and NeuroKit2 ranked against real records with signals: ``--real``, else
    the shared LUDB sinus records where they are found; None (with a line) otherwise."""
    from ..comparison.leaderboard import leaderboard
    from ..databases import data_dir

    if real is not None:
        source = str(real)
    elif data_dir() is not None and (data_dir() / "ludb").is_dir():
        source = "database:ludb:sinus"
    else:
        print("Leaderboard left out: it needs real records with their signals (--real, or "
              "the shared data in ECGTOOLKIT_DATA)")  # fmt: skip
        return None
    print(f"Leaderboard: DeepFake and {DEMO_NEUROKIT} NeuroKit2 records against {source} ...")
    try:
        return leaderboard(
            source, {"DeepFake": fakes, "NeuroKit2": "generator:neurokit"}, n=DEMO_NEUROKIT,
            n_splits=5, n_costly_splits=1, seed=seed, progress=True,
        )  # fmt: skip
    except ValueError as err:  # e.g. too few real records: the rest of the demo goes on
        print(f"Leaderboard left out: {err}")
        return None


def run_demo(
    out: str | os.PathLike,
    n: int = 200,
    seed: int = 2021,
    real: str | os.PathLike | None = None,
    overwrite: bool = False,
    leaderboard: bool = True,
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
        reference of normal adults). Every record that can be read and measured is
        compared; the others are listed with the reason. With fewer than 5 such
        records, the report compares with the embedded reference only.
    overwrite : bool
        Replace the files of an earlier demo.
    leaderboard : bool
        Rank the DeepFakes beside :data:`DEMO_NEUROKIT` NeuroKit2 records against real
        records with signals (``real``, else the shared LUDB sinus records; left out
        with a line where there are none), in the report and the printed summary.

    Returns
    -------
    pathlib.Path
        The report's path.

    Raises
    ------
    FileExistsError
        If the demo's files exist and ``overwrite`` is False.
    FileNotFoundError
        If ``real`` is not a folder.
    ValueError
        If ``real`` holds no record file.
    """
    from ..generators.generate import generate
    from ..plot.ecg import plot_ecg
    from ..report.realism import realism_report

    folder = Path(out)
    targets = [folder / "report.html", folder / "measurements.csv", folder / "ecg_0.png"]
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{existing[0]} exists; pass overwrite=True (--overwrite)")
    others = {}
    real_lines: list[str] = []
    if real is not None:  # first, so that a wrong folder stops the demo before any work
        print(f"Measuring the real records of {real} ...")
        group, real_lines = _real_group(real)
        if group is not None:
            others[f"your records ({Path(real).name})"] = group
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Generating {n} DeepFake ECGs (seed {seed}) ...")
    fakes = generate(n, seed=seed, progress=True)
    board = _leaderboard(fakes, real, seed) if leaderboard else None
    print("Measuring, checking and comparing ...")
    report = realism_report(
        fakes, others=others, out=targets[0], overwrite=overwrite, leaderboard=board
    )
    rows = report.measurements.join(report.statements)
    atomic_write(targets[1], rows.to_csv(), overwrite=overwrite)
    plot_ecg(fakes[0], title=f"DeepFake ECG, seed {seed}, record 0").savefig(targets[2], dpi=100)
    print("\n" + str(report))
    if real_lines:
        print("\n" + "\n".join(real_lines))
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
    demo.add_argument(
        "--real",
        default=None,
        help="a folder of real records to compare with: every record it can read and "
        "measure (WFDB .hea, .csv, .asc, .npy, .npz, CPSC .mat, GE MUSE .xml); the "
        "others are listed with the reason",
    )
    demo.add_argument("--overwrite", action="store_true", help="replace an earlier demo's files")
    demo.add_argument(
        "--no-leaderboard",
        action="store_true",
        help="leave out the leaderboard (DeepFake and NeuroKit2 against real records, "
        "about two minutes)",
    )


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Run the demo as the parsed arguments say; returns the exit status."""
    from . import run_command

    status, _ = run_command(
        lambda: run_demo(
            args.out,
            n=args.n,
            seed=args.seed,
            real=args.real,
            overwrite=args.overwrite,
            leaderboard=not args.no_leaderboard,
        ),  # fmt: skip
        interrupted="rerun the demo (with --overwrite if it wrote files)",
    )
    return status
