"""Command-line interface: ``ecgtoolkit generate -n N -o DIR`` (or ``--store X.zarr``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or positive, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="ecgtoolkit",
        description="Generate, validate and compare electrocardiograms.",
    )
    parser.add_argument("--version", action="version", version=f"ecgtoolkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    gen = commands.add_parser(
        "generate",
        help="generate DeepFake ECGs (Pulse2Pulse GAN) to files",
        description="Generate 10 s, 500 Hz DeepFake ECGs with the Pulse2Pulse GAN "
        "(Thambawita et al., Sci Rep 2021) and write one file set per ECG.",
    )
    gen.add_argument(
        "-n", "--number", dest="n", type=_positive_int, required=True, help="number of ECGs"
    )
    target = gen.add_mutually_exclusive_group(required=True)
    target.add_argument("-o", "--out-dir", help="output folder (created if missing)")
    target.add_argument(
        "--store",
        help="a chunked Zarr store (e.g. out.zarr) instead of files; a store made with "
        "the same settings is finished (resumed) automatically",
    )
    gen.add_argument(
        "--format",
        default=None,
        choices=["wfdb", "csv", "asc", "npy", "npz"],
        help="file format with --out-dir (default: wfdb)",
    )
    gen.add_argument(
        "--encoding",
        default=None,
        choices=["int16", "float32"],
        help="samples in a --store: int16 µV (default, 1 µV resolution, ~78 kB/ECG) or "
        "float32 mV (the model's output exactly, ~222 kB/ECG)",
    )
    gen.add_argument(
        "--leads",
        type=int,
        default=12,
        choices=[8, 12],
        help="12 (derived limb leads added) or the 8 generated leads (default: 12)",
    )
    gen.add_argument(
        "--seed",
        type=_non_negative_int,
        default=None,
        help="noise seed (default: random, saved in manifest.json)",
    )
    gen.add_argument(
        "--device", default="auto", choices=["auto", "cpu", "cuda"], help="default: auto"
    )
    gen.add_argument("--batch-size", type=_positive_int, default=None, help="ECGs per forward pass")
    gen.add_argument(
        "--start-id", type=_non_negative_int, default=0, help="id of the first record (default: 0)"
    )
    mode = gen.add_mutually_exclusive_group()
    mode.add_argument(
        "--overwrite", action="store_true", help="replace existing files (or the store)"
    )
    mode.add_argument(
        "--resume", action="store_true", help="skip ids already written (--out-dir only)"
    )
    gen.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    demo = commands.add_parser(
        "demo",
        help="generate ECGs, measure, check and compare them, write report.html",
        description="The main job: generate DeepFake ECGs, measure them, check their "
        "leads, interpret them and compare them with real ECGs (the embedded normal "
        "adults, and a folder of your own with --real); writes a self-contained "
        "report.html.",
    )
    demo.add_argument(
        "-o", "--out-dir", default="demo_output", help="output folder (default: demo_output)"
    )
    demo.add_argument(
        "-n",
        "--number",
        dest="n",
        type=_positive_int,
        default=200,
        help="number of ECGs (default: 200)",
    )
    demo.add_argument("--seed", type=_non_negative_int, default=2021, help="default: 2021")
    demo.add_argument("--real", default=None, help="a folder of real records to compare with")
    demo.add_argument("--overwrite", action="store_true", help="replace an earlier demo's files")
    from .bulk import add_measure_command

    add_measure_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.command == "measure":
        from .bulk import run_measure

        return run_measure(args)
    if args.command == "generate" and args.store is not None:
        return _generate_store(parser, args)
    if args.command == "generate" and args.encoding is not None:
        parser.error("--encoding applies to --store only (files keep their format's encoding)")
    from .dataset import generate_to

    if args.command == "demo":
        from .demo import run_demo

        status, _ = _run(
            lambda: run_demo(
                args.out_dir, n=args.n, seed=args.seed, real=args.real, overwrite=args.overwrite
            ),
            interrupted="rerun the demo (with --overwrite if it wrote files)",
        )
        return status
    status, folder = _run(
        lambda: generate_to(
            args.out_dir,
            args.n,
            format=args.format or "wfdb",
            seed=args.seed,
            start_id=args.start_id,
            leads=args.leads,
            device=args.device,
            batch_size=args.batch_size,
            overwrite=args.overwrite,
            resume=args.resume,
            progress=not args.quiet,
        ),
        interrupted="finished records are complete, rerun with --resume",
    )
    if status == 0 and not args.quiet:
        print(f"wrote {args.n} ECGs ({args.format or 'wfdb'}) to {folder}")
    return status


def _run(call: Callable[[], Any], *, interrupted: str) -> tuple[int, Any]:
    """Run ``call``; an expected error becomes one line on stderr and an exit status."""
    try:
        return 0, call()
    except (ValueError, TypeError, RuntimeError, OSError) as exc:
        print(f"ecgtoolkit: error: {exc}", file=sys.stderr)
        return 1, None
    except KeyboardInterrupt:
        print(f"ecgtoolkit: interrupted; {interrupted}", file=sys.stderr)
        return 130, None


def _generate_store(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``ecgtoolkit generate --store PATH``: generate into (or finish) a Zarr store."""
    if args.seed is None:
        parser.error("--store needs --seed, so that an interrupted run can be finished")
    for given, flag in (
        (args.format is not None, "--format"),
        (args.start_id != 0, "--start-id"),
        (args.resume, "--resume"),
    ):
        if given:
            parser.error(f"{flag} does not apply to --store (a store resumes by itself)")
    from .dataset import generate_store

    status, path = _run(
        lambda: generate_store(
            args.store,
            args.n,
            seed=args.seed,
            leads=args.leads,
            batch_size=args.batch_size,
            encoding=args.encoding,
            device=args.device,
            overwrite=args.overwrite,
            progress=not args.quiet,
        ),
        interrupted="finished chunks are kept, rerun the same command to finish the store",
    )
    if status == 0 and not args.quiet:
        print(f"wrote {args.n} ECGs to the Zarr store {path}")
    return status
