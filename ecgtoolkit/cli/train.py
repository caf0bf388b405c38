"""``ecgtoolkit train``: fine-tune the Pulse2Pulse generator on real ECGs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add", "run"]


def _critic(text: str) -> str | int:
    return int(text) if text.isdigit() else text


def add(commands: Any) -> None:
    """Add the command to the command line's subparsers."""
    train = commands.add_parser(
        "train",
        help="fine-tune the Pulse2Pulse generator on your own ECGs",
        description="Fine-tune the DeepFake (Pulse2Pulse) generator on real ECGs with the "
        "published recipe (WGAN-GP, λ = 10, 5 critic steps per generator step, Adam 1e-4, "
        "betas 0.5/0.9). Writes RUN_DIR/last.pt (use it with `ecgtoolkit generate "
        "--generator RUN_DIR/last.pt`), metrics.csv, settings.json, report.html (the "
        "curves and the evaluated steps) and, where held-out records are scored, best.pt. "
        "A run stopped at any moment continues "
        "exactly with --resume.",
    )
    train.add_argument(
        "real",
        nargs="+",
        help="real records: a folder (WFDB, CSV, ...), a .zarr store, .npy/.npz, or "
        "database:ludb[:sinus] / database:cinc2021:sinus_rhythm; several are pooled",
    )
    train.add_argument("-o", "--out", required=True, help="the run folder (RUN_DIR)")
    train.add_argument("--steps", type=int, required=True, help="generator updates in all")
    train.add_argument("--batch-size", type=int, default=16, help="default: 16")
    train.add_argument("--seed", type=int, default=0, help="default: 0")
    train.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    train.add_argument("--resume", action="store_true", help="continue the run in RUN_DIR")
    train.add_argument(
        "--eval-every", type=int, default=50, help="checkpoint every K steps (default: 50)"
    )
    train.add_argument(
        "--holdout", type=float, default=0.2, help="share of records held out (default: 0.2)"
    )
    train.add_argument(
        "--critic",
        type=_critic,
        default=None,
        help="published (the WaveGAN critic of the paper; default on a CUDA device), small "
        "(default elsewhere: a CPU can train it), or a model size",
    )
    train.add_argument(
        "--init",
        default="published",
        help="published (default), scratch, or a generator checkpoint to start from",
    )
    train.add_argument("--warmup", type=int, default=None, help="critic-only updates first")
    train.add_argument("--lr", type=float, default=1e-4, help="Adam's learning rate (1e-4)")
    train.add_argument(
        "--generator-lr",
        type=float,
        default=None,
        help="the generator's learning rate where it differs from --lr (e.g. 1e-5 to "
        "fine-tune gently)",
    )
    train.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Train as the parsed arguments say; returns the exit status."""
    from ..training.loop import WARMUP_STEPS, train_generator
    from . import run_command

    status, result = run_command(
        lambda: train_generator(
            args.real[0] if len(args.real) == 1 else args.real,
            args.out,
            steps=args.steps,
            batch_size=args.batch_size,
            seed=args.seed,
            device=args.device,
            resume=args.resume,
            holdout=args.holdout,
            critic=args.critic,
            init=args.init,
            eval_every=args.eval_every,
            warmup=WARMUP_STEPS if args.warmup is None else args.warmup,
            lr=args.lr,
            generator_lr=args.generator_lr,
            progress=not args.quiet,
        ),  # fmt: skip
        interrupted=f"resume with: ecgtoolkit train {' '.join(args.real)} -o {args.out} "
        f"--steps {args.steps} --resume (from the last checkpoint)",
    )
    if status != 0:
        return status
    print(repr(result))
    for note in result.notes:
        print(f"note: {note}")
    report = result.folder / "report.html"
    try:
        result.to_html(report, overwrite=True)  # the run folder is the run's own
    except (ValueError, OSError) as exc:  # the run itself is complete: say so, don't fail
        print(f"ecgtoolkit: warning: the report was not written: {exc}", file=sys.stderr)
    else:
        print(f"Report: {report}")
    best = result.folder / "best.pt"
    chosen = best if best.exists() else result.last
    print(f"Generate from it: ecgtoolkit generate -n 100 -o fakes --generator {chosen}")
    return 0
