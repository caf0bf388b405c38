"""``ecgtoolkit generate``: DeepFake ECGs to a folder of files or a Zarr store."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..io import FORMATS
from .args import non_negative_int, positive_int

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the command line's subparsers."""
    gen = commands.add_parser(
        "generate",
        help="generate DeepFake ECGs (Pulse2Pulse GAN) to files or a Zarr store",
        description="Generate 10 s, 500 Hz DeepFake ECGs with the Pulse2Pulse GAN "
        "(Thambawita et al., Sci Rep 2021) into a folder (one file set per ECG) or a "
        "chunked Zarr store (an output ending in .zarr, or --format zarr).",
    )
    gen.add_argument(
        "-n", "--number", dest="n", type=positive_int, required=True, help="number of ECGs"
    )
    gen.add_argument(
        "-o",
        "--out",
        required=True,
        help="output folder (created if missing), or a store such as fakes.zarr: a store "
        "made with the same settings is finished and repaired automatically",
    )
    gen.add_argument(
        "--format",
        default=None,
        choices=[*FORMATS, "zarr"],
        help="file format (default: wfdb; zarr when the output ends in .zarr)",
    )
    gen.add_argument(
        "--encoding",
        default=None,
        choices=["int16", "float32"],
        help="samples in a store: int16 µV (default, 1 µV resolution, ~78 kB/ECG) or "
        "float32 mV (the model's output exactly, ~222 kB/ECG)",
    )
    gen.add_argument(
        "--n-leads",
        type=int,
        default=12,
        choices=[8, 12],
        help="12 (derived limb leads added) or the 8 generated leads (default: 12)",
    )
    gen.add_argument(
        "--seed",
        type=non_negative_int,
        default=None,
        help="noise seed (default: random, saved in the manifest; required for a store)",
    )
    gen.add_argument(
        "--device", default="auto", choices=["auto", "cpu", "cuda"], help="default: auto"
    )
    gen.add_argument("--batch-size", type=positive_int, default=None, help="ECGs per forward pass")
    gen.add_argument(
        "--generator",
        metavar="PATH",
        default=None,
        help="a checkpoint of the Pulse2Pulse generator to run instead of the published "
        "weights: deepfake-ecg's layout ('stat_dict'), a Pulse2Pulse training checkpoint "
        "('netG_state_dict'), an ECGEN (PyTorch Lightning) .ckpt or a bare state_dict; "
        "read safely (weights only), its sha256 goes into the manifest, and a resume "
        "needs the same file",
    )
    gen.add_argument(
        "--start-id", type=non_negative_int, default=0, help="id of the first record (default: 0)"
    )
    mode = gen.add_mutually_exclusive_group()
    mode.add_argument(
        "--overwrite", action="store_true", help="replace existing files (or the store)"
    )
    mode.add_argument(
        "--resume",
        action="store_true",
        help="continue or repair a folder: write the records that are missing or fail "
        "their checksum, keep the rest (a store resumes and repairs by itself)",
    )
    gen.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Generate as the parsed arguments say; returns the exit status."""
    from . import run_command

    fmt = args.format or ("zarr" if Path(args.out).name.lower().endswith(".zarr") else "wfdb")
    if fmt == "zarr":
        return _to_store(parser, args)
    if args.encoding is not None:
        parser.error("--encoding applies to a Zarr store only (files keep their format's encoding)")
    from ..store import generate_to

    status, folder = run_command(
        lambda: generate_to(
            args.out,
            args.n,
            format=fmt,
            seed=args.seed,
            start_id=args.start_id,
            n_leads=args.n_leads,
            device=args.device,
            batch_size=args.batch_size,
            generator=args.generator,
            overwrite=args.overwrite,
            resume=args.resume,
            progress=not args.quiet,
        ),
        interrupted="finished records are complete, rerun with --resume",
    )
    if status == 0 and not args.quiet:
        print(f"wrote {args.n} ECGs ({fmt}) to {folder}")
    return status


def _to_store(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Generate into (or finish) a Zarr store."""
    from . import run_command

    if args.seed is None:
        parser.error("a Zarr store needs --seed, so that an interrupted run can be finished")
    for given, flag in ((args.start_id != 0, "--start-id"), (args.resume, "--resume")):
        if given:
            parser.error(f"{flag} does not apply to a Zarr store (a store resumes by itself)")
    from ..store import generate_store

    status, path = run_command(
        lambda: generate_store(
            args.out,
            args.n,
            seed=args.seed,
            n_leads=args.n_leads,
            batch_size=args.batch_size,
            encoding=args.encoding,
            device=args.device,
            generator=args.generator,
            overwrite=args.overwrite,
            progress=not args.quiet,
        ),
        interrupted="finished chunks are kept, rerun the same command to finish the store",
    )
    if status == 0 and not args.quiet:
        print(f"wrote {args.n} ECGs to the Zarr store {path}")
    return status
