"""The command line: ``ecgtoolkit generate``, ``measure`` and ``demo``.

Each command is a module with ``add(subparsers)`` and ``run(parser, args)``; an expected
error becomes one line on stderr and exit status 1, an interruption status 130.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..core.version import __version__

__all__ = ["main", "run_command"]


def _parser() -> argparse.ArgumentParser:
    from . import demo, generate, measure

    parser = argparse.ArgumentParser(
        prog="ecgtoolkit",
        description="Generate, validate and compare electrocardiograms.",
    )
    parser.add_argument("--version", action="version", version=f"ecgtoolkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (generate, measure, demo):
        module.add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success)."""
    from . import demo, generate, measure

    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    command = {"generate": generate, "measure": measure, "demo": demo}[args.command]
    return command.run(parser, args)


def run_command(call: Callable[[], Any], *, interrupted: str) -> tuple[int, Any]:
    """Run ``call``; an expected error becomes one line on stderr and an exit status.

    Returns ``(0, result)``, ``(1, None)`` after an error, ``(130, None)`` after Ctrl-C
    (``interrupted`` says what to do then).
    """
    try:
        return 0, call()
    except (ValueError, TypeError, RuntimeError, OSError, ImportError) as exc:
        print(f"ecgtoolkit: error: {exc}", file=sys.stderr)
        return 1, None
    except KeyboardInterrupt:
        print(f"ecgtoolkit: interrupted; {interrupted}", file=sys.stderr)
        return 130, None
