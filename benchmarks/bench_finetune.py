"""Does fine-tuning make the Pulse2Pulse generator more realistic? Before/after, on records
no step of training or checkpoint choice saw.

1. The real records (the shared sinus-rhythm records of LUDB and CinC 2021 by default)
   are split by record, with ``--test-seed``, into a **test set** (``--test`` of them)
   and a **training pool**. The test records are put aside: neither training nor the
   choice of ``best.pt`` sees them.
2. :func:`ecgtoolkit.training.train_generator` fine-tunes the published generator on the
   pool for ``--steps`` generator steps (its own held-out part of the pool watches
   realism and copying every ``--eval-every`` steps and chooses ``best.pt``).
3. **The leaderboard** (:func:`ecgtoolkit.leaderboard`) on the test set: the published
   generator, the fine-tuned ``best.pt`` and ``last.pt`` (``--n`` ECGs each, the same
   seed), and the real-half row that calibrates every column. Lower ``c2st_auc`` and
   fewer ``features_different`` = more realistic.
4. **The copy audit** of ``best.pt`` against its training records, beside the same
   audit of the published generator, which never saw these records (trained on GE MUSE
   ECGs of another population): its figures are what no leak looks like.

Prints the steps per second, the table and the audit, and writes the run's
``metrics.csv``, ``leaderboard.csv`` and ``summary.json`` to ``--results`` (committed, so
that notebook 05 can show a longer run's curves than CI can afford). The run folder
itself (checkpoints) goes to ``--out``; ``--resume`` continues it.

``--export-npz PATH`` writes the split (the pool's and the test set's windows, int16 µV,
with each window's record id) to one file and stops; ``--real-npz PATH`` reads that file
instead of the shared databases, for a machine without them (``benchmarks/gpu/``).
``--max-minutes M`` trains in chunks of ``--eval-every`` steps (each a resume of the run,
which continues exactly) and starts no chunk that would end after M minutes of training,
so that the table and the audit still run inside a fixed time.

Usage::

    python benchmarks/bench_finetune.py --steps 400 --eval-every 25     # CPU, ~1 h
    python benchmarks/bench_finetune.py --device cuda --critic published --steps 2000
    python benchmarks/bench_finetune.py --export-npz .gpu/real.npz      # for benchmarks/gpu/
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

import ecgtoolkit as et
from ecgtoolkit.core.files import plain_data
from ecgtoolkit.core.leads import GENERATED_LEADS
from ecgtoolkit.generators.checkpoints import OUTPUT_SCALE_MV
from ecgtoolkit.training import train_generator
from ecgtoolkit.training.data import prepare_training_data
from ecgtoolkit.training.watch import evaluate, prepare_watch

SOURCES = ["database:ludb:sinus", "database:cinc2021:sinus_rhythm"]
_HERE = Path(__file__).resolve().parent
#: µV per model unit in an exported file: windows (mV / 6, clipped to ±1) × 6000 fit int16.
_UV_PER_UNIT = OUTPUT_SCALE_MV * 1000.0
_NPZ_FORMAT = "ecgtoolkit-bench-finetune-split-1"


@dataclass
class _Split:
    """The training pool and the test set: windows in model units, their record ids."""

    train: np.ndarray
    holdout: np.ndarray
    train_ids: list[str]
    holdout_ids: list[str]
    sources: list[str]
    origin: str
    notes: list[str] = field(default_factory=list)

    @property
    def train_records(self) -> list[str]:
        return sorted(set(self.train_ids))

    @property
    def holdout_records(self) -> list[str]:
        return sorted(set(self.holdout_ids))


def _as_ecg(windows: np.ndarray, ids: list[str]) -> et.ECG:
    """Training windows (model units) as an 8-lead mV batch keeping their record ids."""
    return et.ECG(windows * OUTPUT_SCALE_MV, fs=500, leads=GENERATED_LEADS, units="mV",
                  meta={"record_ids": list(ids)})  # fmt: skip


def _audit(generator_path: Path | None, data, n_fakes: int, seed: int) -> dict:
    """The watch's copy audit of a generator against the training pool's training side."""
    watch, note = prepare_watch(data, n_fakes=n_fakes, seed=seed)
    if watch is None:
        return {"note": note}
    model = et.load_generator("cpu", weights=generator_path)
    scores = evaluate(model, watch)
    return {k: scores[k] for k in ("copies_share", "copies_p", "membership_auc", "membership_p")}


def _split_from_databases(args: argparse.Namespace) -> _Split:
    if et.databases.data_dir() is None:
        raise SystemExit("no shared data: set ECGTOOLKIT_DATA to the folder with ludb/, cinc2021/")
    split = prepare_training_data(SOURCES, holdout=args.test, seed=args.test_seed, progress=False)
    return _Split(split.train, split.holdout, split.train_ids, split.holdout_ids, list(SOURCES),
                  split.description["origin"], list(split.notes))  # fmt: skip


def _to_uv(windows: np.ndarray) -> np.ndarray:
    return np.rint(windows.astype(np.float64) * _UV_PER_UNIT).astype(np.int16)


def _export_npz(split: _Split, path: Path, args: argparse.Namespace) -> None:
    """The split as one file: int16 µV windows (rounding ≤ 0.5 µV), record ids, sources."""
    pool, test = _to_uv(split.train), _to_uv(split.holdout)
    error_uv = max(float(np.abs(pool / _UV_PER_UNIT - split.train).max()),
                   float(np.abs(test / _UV_PER_UNIT - split.holdout).max())) * _UV_PER_UNIT  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, format=np.array(_NPZ_FORMAT), pool=pool, test=test,
        pool_ids=np.array(split.train_ids, dtype=str), test_ids=np.array(split.holdout_ids, dtype=str),
        sources=np.array(split.sources, dtype=str), origin=np.array(split.origin),
        notes=np.array(split.notes, dtype=str), units=np.array("µV (int16) = model units × 6000"),
        test_fraction=np.float64(args.test), test_seed=np.int64(args.test_seed),
    )  # fmt: skip
    print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB): {len(pool)} pool windows of "
          f"{len(split.train_records)} records, {len(test)} test windows of "
          f"{len(split.holdout_records)} records; int16 µV, largest rounding error "
          f"{error_uv:.2f} µV ({error_uv / (_UV_PER_UNIT):.1e} of the 6 mV scale)")  # fmt: skip


def _split_from_npz(path: Path, args: argparse.Namespace) -> _Split:
    with np.load(path, allow_pickle=False) as f:
        if str(f["format"]) != _NPZ_FORMAT:
            raise SystemExit(f"{path} is not a file of --export-npz ({_NPZ_FORMAT})")
        split = _Split(
            (f["pool"] / np.float32(_UV_PER_UNIT)).astype(np.float32),
            (f["test"] / np.float32(_UV_PER_UNIT)).astype(np.float32),
            f["pool_ids"].tolist(), f["test_ids"].tolist(), f["sources"].tolist(),
            str(f["origin"]), f["notes"].tolist(),
        )  # fmt: skip
        test, test_seed = float(f["test_fraction"]), int(f["test_seed"])
    if (test, test_seed) != (args.test, args.test_seed):
        print(f"note: {path} holds the split of --test {test:g} --test-seed {test_seed}; "
              f"--test {args.test:g} --test-seed {args.test_seed} is not used")  # fmt: skip
    args.test, args.test_seed = test, test_seed
    return split


def _device_name(device: str) -> str:
    if device.startswith("cuda") and torch.cuda.is_available():
        return torch.cuda.get_device_name(torch.device(device))
    return platform.processor() or platform.machine()


def _json(data: dict) -> str:
    """Strict JSON: a figure that could not be measured here (NaN) is written as null."""
    return json.dumps(plain_data(data), indent=1, allow_nan=False)


def _step_of(folder: Path) -> int:
    """The step that a run folder's ``last.pt`` has reached (0 without one)."""
    last = folder / "last.pt"
    if not last.exists():
        return 0
    return int(torch.load(last, map_location="cpu", weights_only=True, mmap=True)["step"])


def _train(pool: et.ECG, args: argparse.Namespace):
    """Fine-tune; with ``--max-minutes``, in chunks of ``--eval-every`` steps (each a
    resume, exact) while the next chunk is expected to end within the time."""
    out = Path(args.out)
    budget_s = math.inf if args.max_minutes is None else 60.0 * args.max_minutes
    chunk = args.steps if args.max_minutes is None else args.eval_every
    resume, first = args.resume, _step_of(out) if args.resume else 0
    step, loop_s, chunks, last_chunk_s = first, 0.0, 0, 0.0
    started = time.perf_counter()
    while True:
        target = min(args.steps, (step // chunk + 1) * chunk)
        t0 = time.perf_counter()
        run = train_generator(pool, args.out, steps=target, batch_size=args.batch_size,
                              seed=args.seed, device=args.device, critic=args.critic,
                              eval_every=args.eval_every, resume=resume,
                              warmup=args.warmup, generator_lr=args.generator_lr)  # fmt: skip
        last_chunk_s = time.perf_counter() - t0
        resume, chunks = True, chunks + 1
        done = _step_of(out) - step
        step += done
        chunk_loop_s = done / run.steps_per_second if done and run.steps_per_second > 0 else 0.0
        loop_s += chunk_loop_s
        elapsed = time.perf_counter() - started
        if step >= args.steps:
            stopped = False
            break
        # The next chunk takes what this one took; after the first, which also warmed the
        # critic up, scored step 0 and measured the real windows: what its loop took.
        next_s = last_chunk_s if chunks > 1 else chunk_loop_s
        if elapsed + next_s > budget_s:
            stopped = True
            print(f"time: {elapsed / 60:.1f} of {args.max_minutes:g} minutes used, the next "
                  f"chunk would take about {next_s / 60:.1f}: stopping at step {step} "
                  f"of {args.steps}")  # fmt: skip
            break
        print(f"step {step} of {args.steps}, {elapsed / 60:.1f} of {args.max_minutes:g} "
              f"minutes", flush=True)  # fmt: skip
    train_s = time.perf_counter() - started
    trained = step - first
    # the steps alone, no evaluation: this process's, and all of the run's (any resume)
    update_s = run.metrics["seconds"].loc[first + 1 :].sum()
    all_update_s = run.metrics["seconds"].loc[1:step].sum()
    pace = {
        "steps_trained": trained,
        "chunks": chunks,
        "stopped_by_time": stopped,
        "max_minutes": args.max_minutes,
        "train_seconds": train_s,
        # the training loop's pace, evaluations every --eval-every steps included (as
        # train_generator reports it); and all of it, set-up and warm-up included
        "steps_per_second": trained / loop_s if trained and loop_s > 0 else math.nan,
        "steps_per_second_overall": trained / train_s if trained else math.nan,
        "steps_per_second_updates": trained / update_s if trained and update_s > 0 else math.nan,
        "run_steps_per_second_updates": step / all_update_s if all_update_s > 0 else math.nan,
    }
    return run, pace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--eval-every", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument(
        "--critic",
        type=lambda text: int(text) if text.isdigit() else text,
        default="small",
        help="small (default), published, or a model size d (small is 8, published 50)",
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--warmup", type=int, default=100, help="critic-only updates first")
    parser.add_argument(
        "--generator-lr",
        type=float,
        default=None,
        help="the generator's Adam learning rate (default: the published 1e-4)",
    )
    parser.add_argument("--test", type=float, default=0.2, help="share of records for testing")
    parser.add_argument("--test-seed", type=int, default=2026)
    parser.add_argument("--n", type=int, default=200, help="ECGs per generator in the table")
    parser.add_argument("--jobs", type=int, default=2, help="cores for the table's measuring")
    parser.add_argument("--out", default=str(_HERE / "_out" / "finetune_run"))
    parser.add_argument("--results", default=str(_HERE / "results" / "finetune_cpu"))
    parser.add_argument("--resume", action="store_true")
    parser.add_argument(
        "--export-npz",
        metavar="PATH",
        help="write the split (int16 µV windows, record ids, sources) to PATH and stop",
    )
    parser.add_argument(
        "--real-npz",
        metavar="PATH",
        help="read the split from a file of --export-npz instead of the shared databases",
    )
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=None,
        help="train in chunks of --eval-every steps; start none that would end after M minutes",
    )
    args = parser.parse_args()
    if args.export_npz and args.real_npz:
        raise SystemExit("give --export-npz or --real-npz, not both")
    if args.max_minutes is not None and not args.max_minutes > 0:
        raise SystemExit(f"--max-minutes must be > 0, got {args.max_minutes}")

    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} torch threads, device {args.device}")  # fmt: skip
    split = (
        _split_from_npz(Path(args.real_npz), args) if args.real_npz else _split_from_databases(args)
    )
    if args.export_npz:
        _export_npz(split, Path(args.export_npz), args)
        return
    pool = _as_ecg(split.train, split.train_ids)
    test = _as_ecg(split.holdout, split.holdout_ids)
    print(f"records: {len(split.train_records)} in the training pool, "
          f"{len(split.holdout_records)} put aside for testing")  # fmt: skip

    # Full fp32 on CUDA, as et.generate runs: cuDNN's default TF32 convolutions move this
    # generator's output by up to 0.43 mV (benchmarks/bench_gpu_generate.py).
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    run, pace = _train(pool, args)
    train_s = pace["train_seconds"]
    print(run)
    print(f"trained {pace['steps_trained']} steps in {train_s:.0f} s: "
          f"{pace['steps_per_second']:.3g} steps/s in the loop, "
          f"{pace['steps_per_second_updates']:.3g} in the updates alone, "
          f"{pace['steps_per_second_overall']:.3g} overall")  # fmt: skip
    best = Path(args.out) / "best.pt"
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(args.out) / "metrics.csv", results / "metrics.csv")
    real_npz = None
    if args.real_npz:
        digest = hashlib.sha256(Path(args.real_npz).read_bytes()).hexdigest()
        real_npz = {"file": Path(args.real_npz).name, "sha256": digest}
    summary = {
        "complete": False,  # True once the table and the audit are in
        "sources": split.sources,
        "records": {
            "pool": len(split.train_records),
            "test": len(split.holdout_records),
            "train": run.data["n_records"]["train"],
            "watch": run.data["n_records"]["holdout"],
        },  # fmt: skip
        "steps": run.settings.steps,
        "steps_asked": args.steps,
        "best_step": int(torch.load(best, weights_only=True, mmap=True)["step"]),
        "critic": run.settings.critic,
        "lr": run.settings.lr,
        "generator_lr": run.settings.generator_lr,
        "warmup": run.settings.warmup,
        "batch_size": run.settings.batch_size,
        "eval_every": run.settings.eval_every,
        "device": args.device,
        "device_name": _device_name(args.device),
        "tf32": False,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "steps_per_second": pace["steps_per_second"],
        "steps_per_second_overall": pace["steps_per_second_overall"],
        "steps_per_second_updates": pace["steps_per_second_updates"],
        "run_steps_per_second_updates": pace["run_steps_per_second_updates"],
        "train_seconds": train_s,
        "max_minutes": args.max_minutes,
        "stopped_by_time": pace["stopped_by_time"],
        "chunks": pace["chunks"],
        "real_npz": real_npz,
        "copy_audit": None,
        "ecgtoolkit": et.__version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
    }
    # The training's results first, in case the run is stopped during the table.
    (results / "summary.json").write_text(_json(summary))

    started = time.perf_counter()
    candidates = {
        "published": et.generate(args.n, seed=1, progress=False),
        "fine-tuned best.pt": et.generate(args.n, seed=1, generator=best, progress=False),
        "fine-tuned last.pt": et.generate(args.n, seed=1, generator=run.last, progress=False),
    }
    board = et.leaderboard(test, candidates, n=args.n, seed=args.seed, n_jobs=args.jobs)
    print(board.table.to_string())
    board.table.to_csv(results / "leaderboard.csv")
    board_s = time.perf_counter() - started

    started = time.perf_counter()
    data = prepare_training_data(pool, holdout=run.settings.holdout, seed=args.seed,
                                 progress=False)  # fmt: skip
    audit = {
        "published": _audit(None, data, 64, args.seed),
        "fine-tuned best.pt": _audit(best, data, 64, args.seed),
    }
    print("copy audit against the training records:", json.dumps(audit, indent=1))
    summary.update(complete=True, copy_audit=audit,
                   seconds={"leaderboard": board_s, "audit": time.perf_counter() - started})  # fmt: skip
    (results / "summary.json").write_text(_json(summary))
    print(f"wrote {results}")


if __name__ == "__main__":
    main()
