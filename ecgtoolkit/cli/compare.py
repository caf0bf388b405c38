"""``ecgtoolkit compare``: rank generators against a real set, calibrated by the real set."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .args import non_negative_int, positive_int

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the command line's subparsers."""
    parser = commands.add_parser(
        "compare",
        help="rank generators against real ECGs: leaderboard.csv and report.html",
        description="Score each CANDIDATE against halves of the REAL set, with the real "
        "set's own held-out half as the calibration row, and write OUT_DIR/report.html "
        "(self-contained) and OUT_DIR/leaderboard.csv. A source is a folder of records "
        "(any format ecgtoolkit reads), a Zarr store, a .npy/.npz file (--fs and --leads "
        "when it does not say), 'database:ludb' or 'database:ludb:<column>' (e.g. "
        "database:ludb:sinus), or a built-in generator: 'generator:deepfake', "
        "'generator:neurokit' (-n records each). Name a candidate with NAME=SOURCE.",
    )
    parser.add_argument("real", help="the real ECGs")
    parser.add_argument("candidates", nargs="+", metavar="candidate",
                        help="generated ECGs, as SOURCE or NAME=SOURCE")  # fmt: skip
    parser.add_argument("-o", "--out", required=True, metavar="OUT_DIR",
                        help="folder for report.html and leaderboard.csv")  # fmt: skip
    parser.add_argument("-n", type=positive_int, default=200,
                        help="records per candidate (a seeded subset; what a generator "
                        "makes) (default 200)")  # fmt: skip
    parser.add_argument("--splits", type=positive_int, default=10,
                        help="random halvings of the real set (default 10)")  # fmt: skip
    parser.add_argument("--costly-splits", type=positive_int, default=3,
                        help="splits with the signal classifier and TSTR (default 3)")  # fmt: skip
    parser.add_argument("--no-costly", action="store_true",
                        help="leave out the signal classifier and TSTR")  # fmt: skip
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--fs", type=float, help="sampling rate of array files, Hz")
    parser.add_argument("--leads", help="lead names of array files, comma-separated")
    parser.add_argument("--n-jobs", type=positive_int, help="cores for measuring (default all)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace report.html and leaderboard.csv in OUT_DIR")  # fmt: skip
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def _candidates(specs: list[str]) -> dict[str, str] | list[str]:
    named = {}
    plain = []
    for spec in specs:
        name, sep, source = spec.partition("=")
        if sep and name and not Path(spec).exists():
            named[name] = source
        else:
            plain.append(spec)
    if named and plain:
        return {**named, **{_default_name(s): s for s in plain}}
    return named or plain


def _default_name(spec: str) -> str:
    if spec.startswith(("generator:", "database:")):
        return spec.split(":")[1]
    path = Path(spec)
    return path.name[: -len(".zarr")] if path.name.endswith(".zarr") else path.stem


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Compare as the parsed arguments say; returns the exit status."""
    from . import run_command

    out = Path(args.out)
    targets = [out / "report.html", out / "leaderboard.csv"]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not args.overwrite:
        print(f"ecgtoolkit: error: {', '.join(existing)} exist; give --overwrite to replace "
              "them, or another -o", file=sys.stderr)  # fmt: skip
        return 1

    def work():
        from ..comparison.leaderboard import leaderboard

        board = leaderboard(
            args.real, _candidates(args.candidates), n=args.n, n_splits=args.splits,
            n_costly_splits=args.costly_splits, costly=not args.no_costly, seed=args.seed,
            fs=args.fs, leads=args.leads.split(",") if args.leads else None,
            n_jobs=args.n_jobs, progress=not args.quiet,
        )  # fmt: skip
        out.mkdir(parents=True, exist_ok=True)
        board.to_csv(targets[1], overwrite=args.overwrite)
        board.to_html(targets[0], overwrite=args.overwrite)
        return board

    status, board = run_command(work, interrupted="nothing was written")
    if status != 0:
        return status
    print(board.summary())
    print("\nSeconds per stage: " + ", ".join(f"{k} {v:.1f}" for k, v in board.timings.items()))
    print(f"Wrote {targets[0]} and {targets[1]}")
    return 0
