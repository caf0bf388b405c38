"""``ecgtoolkit verify``: check a generated dataset against its recorded checksums."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the command line's subparsers."""
    check = commands.add_parser(
        "verify",
        help="check a generated folder or Zarr store against its checksums",
        description="Check every record of a dataset written by `ecgtoolkit generate` "
        "against the checksums recorded when it was written; name every missing or "
        "damaged record and print the command that rewrites exactly those. Exit status: "
        "0 when all records are intact, 1 when some are not (or on an error).",
    )
    check.add_argument("path", help="a folder written by `generate`, or a .zarr store")
    check.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Verify as the parsed arguments say; returns the exit status."""
    from ..store import verify
    from . import run_command

    status, result = run_command(
        lambda: verify(args.path, progress=not args.quiet),
        interrupted="nothing was changed",
    )
    if status != 0:
        return status
    print(result.summary())
    return 0 if result.ok else 1
