"""``ecgtoolkit measure``: every record of a folder or Zarr store, in parallel."""

from __future__ import annotations

import argparse
from typing import Any

from .args import positive_int

__all__ = ["CONVENTIONS", "add", "run"]

#: ``ecgtoolkit.measurement.intervals.CONVENTIONS``, written out so that the command line
#: starts without importing the measurement layer (a test keeps the two equal).
CONVENTIONS: tuple[str, ...] = ("consistent-leads", "median-beat")


def add(commands: Any) -> None:
    """Add the command to the command line's subparsers."""
    cmd = commands.add_parser(
        "measure",
        help="measure every record of a folder or Zarr store, in parallel",
        description="Measure every record of a folder of record files or a .zarr store "
        "on this machine's cores or a Dask cluster; write one row per record.",
    )
    cmd.add_argument("source", help="a folder of record files or a .zarr store")
    cmd.add_argument("-o", "--out", required=True, help="output table (.parquet or .csv)")
    where = cmd.add_mutually_exclusive_group()
    where.add_argument(
        "--n-jobs", type=positive_int, default=None, help="CPU cores to use (default: all)"
    )
    where.add_argument("--scheduler", default=None, help="Dask scheduler, tcp://host:port")
    cmd.add_argument(
        "--chunk-size", type=positive_int, default=64, help="records per task (default: 64)"
    )
    cmd.add_argument(
        "--convention",
        choices=CONVENTIONS,
        default=CONVENTIONS[0],
        help="how the global intervals are taken: the consistent leads' extremes "
        "(default) or the median beat's spatial boundaries, as interpretation programs do",
    )
    cmd.add_argument("--overwrite", action="store_true", help="replace an existing output")
    cmd.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Measure as the parsed arguments say; returns the exit status."""
    from ..measurement.sources import measure_source
    from . import run_command

    status, table = run_command(
        lambda: measure_source(
            args.source,
            args.out,
            n_jobs=args.n_jobs,
            scheduler=args.scheduler,
            chunk_size=args.chunk_size,
            progress=not args.quiet,
            overwrite=args.overwrite,
            convention=args.convention,
        ),
        interrupted="nothing was written; rerun the command",
    )
    if status == 0 and not args.quiet:
        counts = table["status"].value_counts().to_dict()
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        print(f"measured {len(table)} records ({summary}) into {args.out}")
    return status
