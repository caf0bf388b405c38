"""Train the P/QRS/T segmentation network of :func:`ecgtoolkit.delineate`.

Two uses, one recipe:

* ``--fold K`` trains on the LUDB records of the four other cross-validation folds
  (``ludb_split.ludb_folds``) and writes ``benchmarks/_out/segmenter_fold{K}.pt``; the
  benchmark scores fold K's records with it only, so every reported figure comes from
  records the network never saw.
* ``--all`` (the default) trains on every shared LUDB record and writes the shipped
  weights ``ecgtoolkit/signal/_weights/segmenter.pt``.

There is no early stopping: a fixed number of optimiser steps with a one-cycle learning
rate, so the recipe that the folds evaluate is exactly the one that made the shipped
weights.

Each training example is one lead of a random 4.1 s window from inside the annotated
span (LUDB annotates only the middle of each record), labelled per sample as none / P /
QRS / T from that lead's expert marks. What real recordings bring is simulated on all
twelve leads of the window *before* the same preprocessing as at inference
(:func:`ecgtoolkit.signal.segmenter.preprocess`), by the public
:mod:`ecgtoolkit.signal.augment`: Gaussian and muscle (EMG-like) noise, baseline wander,
electrode-motion steps and bumps, 50/60 Hz mains, a low-pass as in low-rate or filtered
recordings (:func:`~ecgtoolkit.signal.augment.simulate_recording`, the same draws as
before it moved there), polarity inversion and time scaling (heart rate and interval
variation). The context channel (root mean square over the record's usable
leads) is computed over a random subset of leads, from the lead alone to all twelve, as
happens when some leads are unusable or a record has one or two leads only.

Reproducible: fixed seeds, a fixed thread count. Run
``PYTHONPATH=. python benchmarks/train_segmenter.py [--fold K | --all]`` (about ten
minutes per network on two CPU cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from scipy import signal as sps

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ludb_split import N_FOLDS, ludb_folds, ludb_records  # noqa: E402

from ecgtoolkit.databases import data_dir  # noqa: E402
from ecgtoolkit.signal import segmenter as seg  # noqa: E402
from ecgtoolkit.signal.augment import invert_polarity, simulate_recording  # noqa: E402

CROP = 1024  # samples at seg.FS given to the network
PAD = 256  # extra samples on each side, filtered with the crop and then cut off
WAVE_CLASS = {"P": 1, "QRS": 2, "T": 3}
LUDB_LEADS = ("i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6")
OUT = Path(__file__).resolve().parent / "_out"


def labelled_record(folder: Path, record: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Signal ``(12, m)`` in mV at seg.FS, labels ``(12, m)`` and the annotated span."""
    import wfdb

    rec = wfdb.rdrecord(str(folder / str(record)))
    fs = float(rec.fs)
    x = sps.resample_poly(rec.p_signal.T, int(seg.FS), int(fs), axis=-1)
    step = fs / seg.FS
    m = x.shape[-1]
    labels = np.zeros((12, m), dtype=np.int64)
    lo, hi = m, 0
    for i, ext in enumerate(LUDB_LEADS):
        ann = wfdb.rdann(str(folder / str(record)), ext)
        sym, smp = ann.symbol, ann.sample
        for k, s in enumerate(sym):
            if s not in ("p", "N", "t"):
                continue
            if not (0 < k < len(sym) - 1 and sym[k - 1] == "(" and sym[k + 1] == ")"):
                continue
            on, off = int(round(smp[k - 1] / step)), int(round(smp[k + 1] / step))
            labels[i, on : off + 1] = WAVE_CLASS[{"p": "P", "N": "QRS", "t": "T"}[s]]
            lo, hi = min(lo, on), max(hi, off)
    return x, labels, lo, hi


def make_batch(
    records: list[tuple[np.ndarray, np.ndarray, int, int]],
    pairs: np.ndarray,
    rng: np.random.Generator,
    stretch: float,
    augment: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Network inputs ``(b, 2, CROP)`` and labels ``(b, CROP)`` for (record, lead) pairs."""
    b = len(pairs)
    span = CROP + 2 * PAD
    raw = np.empty((b, 12, span))
    labels = np.empty((b, CROP), dtype=np.int64)
    for j, (k, lead) in enumerate(pairs):
        x, y, lo, hi = records[k]
        # Time scaling: the window covers CROP x factor samples of the record.
        factor = rng.uniform(1 - stretch, 1 + stretch) if augment and stretch else 1.0
        length = min(CROP * factor, hi + 1 - lo)
        factor = length / CROP
        start = rng.uniform(lo, max(lo, hi + 1 - length))
        pos = start + (np.arange(span) - PAD) * factor
        grid = np.arange(x.shape[-1])
        inside = np.clip(pos, 0, x.shape[-1] - 1)
        raw[j] = np.stack([np.interp(inside, grid, row) for row in x])
        labels[j] = y[lead, np.round(pos[PAD : PAD + CROP]).astype(np.int64)]
    if augment:
        raw = simulate_recording(raw, seg.FS, rng=rng)
        raw = invert_polarity(raw, rng=rng, share=0.15)
    norm = seg.normalise(raw)
    # Context over a random subset of leads that holds the lead itself.
    keep = np.ones((b, 12), dtype=bool)
    if augment:
        partial = rng.random(b) < 0.5
        for j in np.flatnonzero(partial):
            n_keep = rng.integers(1, 12)
            keep[j] = False
            keep[j, rng.choice(12, n_keep, replace=False)] = True
    keep[np.arange(b), pairs[:, 1]] = True
    context = np.sqrt((norm**2 * keep[..., None]).sum(axis=1) / keep.sum(axis=1)[:, None])
    inputs = np.stack([norm[np.arange(b), pairs[:, 1]], context], axis=1)
    return inputs[..., PAD : PAD + CROP].astype(np.float32), labels


def main(argv: list[str] | None = None) -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--fold", type=int, choices=range(N_FOLDS), help="leave this fold out")
    which.add_argument("--all", action="store_true", help="train on every record (default)")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stretch", type=float, default=0.15, help="time scaling, ± fraction")
    parser.add_argument("--out", type=Path, help="where to write the weights")
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    rng = np.random.default_rng(args.seed)

    folder = data_dir(required=True) / "ludb"
    if args.fold is None:
        train_records = ludb_records(folder)
        out = (
            args.out
            or Path(__file__).resolve().parent.parent
            / "ecgtoolkit"
            / "signal"
            / "_weights"
            / seg.WEIGHTS_FILE
        )
    else:
        held = set(ludb_folds(folder)[args.fold])
        train_records = [r for r in ludb_records(folder) if r not in held]
        out = args.out or OUT / f"segmenter_fold{args.fold}.pt"
    print(f"training on {len(train_records)} records", flush=True)
    train = [labelled_record(folder, r) for r in train_records]
    pairs = np.array([(k, i) for k in range(len(train)) for i in range(12)])

    net = seg.build_network().to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.15
    )
    # Batches are drawn one step ahead in a helper thread (numpy and scipy release the
    # GIL), from a generator of their own so that the draws do not depend on timing.
    batch_rng = np.random.default_rng([args.seed, 1])

    def batches():
        order, cursor = rng.permutation(len(pairs)), 0
        for _ in range(args.steps):
            if cursor + args.batch > order.size:
                order, cursor = rng.permutation(len(pairs)), 0
            idx = order[cursor : cursor + args.batch]
            cursor += args.batch
            yield make_batch(train, pairs[idx], batch_rng, args.stretch)

    t0 = time.perf_counter()
    running = 0.0
    source = batches()
    with ThreadPoolExecutor(1) as helper:
        ahead = helper.submit(next, source)
        for step in range(args.steps):
            xb, yb = ahead.result()
            if step + 1 < args.steps:
                ahead = helper.submit(next, source)
            logits = net(torch.from_numpy(xb))
            loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(yb))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            running += loss.item()
            if (step + 1) % 200 == 0:
                print(
                    f"step {step + 1:5d}  loss {running / 200:.4f}  ({time.perf_counter() - t0:.0f} s)",
                    flush=True,
                )
                running = 0.0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    torch.save({k: v.detach().contiguous() for k, v in net.state_dict().items()}, tmp)
    tmp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
