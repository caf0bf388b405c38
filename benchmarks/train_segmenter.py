"""Train the P/QRS/T segmentation network of :func:`ecgtoolkit.delineate`.

Uses the LUDB records of the DEV split only (``ludb_split.py``); the TEST split is never
read. Inside DEV every seventh record is kept aside to choose the epoch (lowest
validation loss); the chosen weights are written to ``ecgtoolkit/_weights/segmenter.pt``.

Each training example is a random 4.1 s crop of one lead (with the record's context
channel) from inside the annotated span, labelled per sample as none / P / QRS / T from
that lead's expert marks, and augmented with random gain, polarity, Gaussian noise,
baseline drift and mains hum (optionally time scaling, ``--stretch``). Reproducible:
fixed seeds, one thread pool size.

Run: ``PYTHONPATH=. python benchmarks/train_segmenter.py [--out PATH]`` (about 9 minutes
on two CPU cores; the shipped weights are its output with the defaults).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_delineation import load_ludb  # noqa: E402
from ludb_split import ludb_split  # noqa: E402

from ecgtoolkit import _segmenter as seg  # noqa: E402
from ecgtoolkit.datasets import data_dir  # noqa: E402

CROP = 1024  # samples at seg.FS
WAVE_CLASS = {"P": 1, "QRS": 2, "T": 3}


def labelled_record(folder: Path, record: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Network input ``(12, 2, m)``, labels ``(12, m)`` and the annotated span at seg.FS."""
    ecg, truth = load_ludb(folder, record)
    step = ecg.fs / seg.FS
    x = seg.preprocess(ecg.signal, ecg.fs)
    m = x.shape[-1]
    labels = np.zeros((len(ecg.leads), m), dtype=np.int64)
    for i, lead in enumerate(ecg.leads):
        for w in truth[truth.lead == lead].itertuples():
            if np.isnan(w.on) or np.isnan(w.off):
                continue
            lo, hi = int(round(w.on / step)), int(round(w.off / step))
            labels[i, lo : hi + 1] = WAVE_CLASS[w.wave]
    lo = int(np.ceil(np.nanmin(truth[["on", "peak"]].to_numpy(float)) / step))
    hi = int(np.floor(np.nanmax(truth[["peak", "off"]].to_numpy(float)) / step))
    return x, labels, lo, hi


def augment(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random gain, polarity, noise, drift and hum on a batch ``(b, 2, n)``."""
    b, _, n = x.shape
    x = x.copy()
    t = np.arange(n) / seg.FS
    gain = rng.uniform(0.6, 1.6, (b, 1))
    sign = np.where(rng.random((b, 1)) < 0.15, -1.0, 1.0)
    noise = rng.uniform(0.0, 0.08, (b, 1)) * rng.standard_normal((b, n))
    drift = rng.uniform(0.0, 0.3, (b, 1)) * np.sin(
        2 * np.pi * rng.uniform(0.05, 0.5, (b, 1)) * t + rng.uniform(0, 2 * np.pi, (b, 1))
    )
    hum = rng.uniform(0.0, 0.05, (b, 1)) * np.sin(
        2 * np.pi * rng.choice([50.0, 60.0], (b, 1)) * t + rng.uniform(0, 2 * np.pi, (b, 1))
    )
    x[:, 0] = x[:, 0] * gain * sign + noise + drift + hum
    x[:, 1] = x[:, 1] * rng.uniform(0.8, 1.25, (b, 1))
    return x.astype(np.float32)


def stretched_crop(
    x: np.ndarray, y: np.ndarray, lo: int, hi: int, stretch: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A crop of ``CROP`` samples resampled from ``CROP × (1 ± stretch)`` (other rates)."""
    length = int(round(CROP * rng.uniform(1 - stretch, 1 + stretch)))
    length = min(length, hi + 1 - lo)
    start = rng.integers(lo, max(lo + 1, hi + 2 - length))
    pos = start + np.arange(CROP) * (length - 1) / (CROP - 1)
    grid = np.arange(x.shape[-1])
    crop = np.stack([np.interp(pos, grid, x[0]), np.interp(pos, grid, x[1])])
    return crop, y[np.round(pos).astype(np.int64)]


def main(argv: list[str] | None = None) -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=120)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--stretch",
        type=float,
        default=0.0,
        help="random time scaling of crops, ± fraction (0.15 gave no clear gain on validation)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "ecgtoolkit" / "_weights" / seg._WEIGHTS,
    )
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    rng = np.random.default_rng(args.seed)

    folder = data_dir(required=True) / "ludb"
    dev, _ = ludb_split(folder)  # TEST is never loaded here
    val_records = dev[::7]
    train_records = [r for r in dev if r not in set(val_records)]
    print(f"DEV: {len(train_records)} training, {len(val_records)} validation records")
    train = [labelled_record(folder, r) for r in train_records]
    val = [labelled_record(folder, r) for r in val_records]
    # (record, lead) pairs; the crop start is drawn afresh every epoch.
    pairs = [(k, i) for k, (x, *_rest) in enumerate(train) for i in range(x.shape[0])]

    net = seg.build_network().to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = int(np.ceil(len(pairs) / args.batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.15
    )

    def val_loss() -> float:
        net.eval()
        total = count = 0.0
        with torch.inference_mode():
            for x, y, lo, hi in val:
                logits = net(torch.from_numpy(x))[..., lo : hi + 1]
                target = torch.from_numpy(y[:, lo : hi + 1])
                total += float(torch.nn.functional.cross_entropy(logits, target, reduction="sum"))
                count += target.numel()
        net.train()
        return total / count

    best = (np.inf, -1)
    best_state = None
    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        order = rng.permutation(len(pairs))
        running = 0.0
        for s in range(steps_per_epoch):
            idx = order[s * args.batch : (s + 1) * args.batch]
            xb = np.empty((idx.size, 2, CROP), dtype=np.float32)
            yb = np.empty((idx.size, CROP), dtype=np.int64)
            for j, p in enumerate(idx):
                k, lead = pairs[p]
                x, y, lo, hi = train[k]
                if args.stretch:
                    xb[j], yb[j] = stretched_crop(x[lead], y[lead], lo, hi, args.stretch, rng)
                else:
                    start = rng.integers(lo, max(lo + 1, hi + 1 - CROP))
                    xb[j] = x[lead, :, start : start + CROP]
                    yb[j] = y[lead, start : start + CROP]
            logits = net(torch.from_numpy(augment(xb, rng)))
            loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(yb))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            running += loss.item()
        v = val_loss()
        if v < best[0]:
            best = (v, epoch)
            best_state = {k: t.detach().clone() for k, t in net.state_dict().items()}
        print(
            f"epoch {epoch + 1:3d}  train {running / steps_per_epoch:.4f}  val {v:.4f}  "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    print(f"best validation loss {best[0]:.4f} at epoch {best[1] + 1}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    torch.save({k: v.contiguous() for k, v in best_state.items()}, tmp)
    tmp.replace(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
