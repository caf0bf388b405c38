"""The command line: ``ecgtoolkit generate``, ``verify``, ``measure``, ``compare``, ``train``
and ``demo``.

Each command is a module with ``add(subparsers)`` and ``run(parser, args)``; an expected
error becomes one line on stderr and exit status 1, an interruption status 130.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ..core.version import __version__

__all__ = ["main", "run_command"]


def _parser() -> argparse.ArgumentParser:
    from . import compare, demo, generate, measure, train, verify

    parser = argparse.ArgumentParser(
        prog="ecgtoolkit",
        description="Generate, validate and compare electrocardiograms.",
    )
    parser.add_argument("--version", action="version", version=f"ecgtoolkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (generate, verify, measure, compare, train, demo):
        module.add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success)."""
    from . import compare, demo, generate, measure, train, verify

    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    command = {"generate": generate, "verify": verify, "measure": measure, "compare": compare,
               "train": train, "demo": demo}  # fmt: skip
    with warnings.catch_warnings():
        # The toolkit's own warnings are messages to the person at the terminal: shown
        # as one line each, whatever the warning filters say.
        warnings.filterwarnings("default", module=r"ecgtoolkit(\.|$)")
        warnings.showwarning = _show_warning
        return command[args.command].run(parser, args)


def _show_warning(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
    """Print a warning as one line for people, not as a source location."""
    print(f"ecgtoolkit: warning: {message}", file=sys.stderr)


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
