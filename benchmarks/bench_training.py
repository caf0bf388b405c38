"""How fast the Pulse2Pulse generator fine-tunes, per critic size and batch size.

1. **Generator steps per second** of :func:`ecgtoolkit.training.train_generator` (each
   step: five critic updates with the gradient penalty, then one generator update), for
   each ``--batch-sizes`` with the ``--critic`` size, on real windows (the shared LUDB
   sinus-rhythm records when present, else generated ECGs standing in for them); the
   median over ``--steps`` steps after the first (which warms caches up).
2. **The published critic's cost** (``--published``): one critic update (``critic_loss``
   + ``backward`` + Adam) of the published WaveGAN critic (203.9 M parameters) at batch
   16, timed once; on a CPU it takes minutes, so it is off by default.

Also prints the machine (CPU, threads, device) so that figures from different machines
are not mixed up.

Usage::

    python benchmarks/bench_training.py                       # small critic, batches 16, 32
    python benchmarks/bench_training.py --device cuda --critic published --steps 20
    python benchmarks/bench_training.py --published           # + one published critic step
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time

import torch

import ecgtoolkit as et
from ecgtoolkit.databases import data_dir
from ecgtoolkit.training import train_generator
from ecgtoolkit.training.critic import count_parameters, make_critic
from ecgtoolkit.training.wgan import critic_loss, make_optimizers


def _real():
    if data_dir() is not None:
        return "database:ludb:sinus", "shared LUDB sinus-rhythm records"
    return et.generate(40, seed=7, progress=False), "40 generated ECGs (no shared data)"


def _steps_per_second(real, batch: int, critic: str | int, steps: int, device: str) -> dict:
    with tempfile.TemporaryDirectory() as out:
        run = train_generator(real, out, steps=steps + 1, batch_size=batch, critic=critic,
                              warmup=0, device=device, progress=False)  # fmt: skip
    seconds = run.metrics["seconds"].to_numpy()[1:]
    median = statistics.median(seconds)
    return {"batch": batch, "s/step": median, "steps/s": 1 / median,
            "records/s": batch / median}  # fmt: skip


def _published_critic_step(device: str) -> float:
    critic = make_critic("published").to(device).train()
    generator = et.load_generator(device)
    _, opt_d = make_optimizers(generator, critic)
    real = torch.rand(16, 8, 5000, device=device) * 0.2 - 0.1
    with torch.inference_mode():
        fake = generator(torch.rand(16, 8, 5000, device=device) * 2 - 1)
    start = time.perf_counter()
    opt_d.zero_grad(set_to_none=True)
    loss, _ = critic_loss(critic, real, fake)
    loss.backward()
    opt_d.step()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--critic", default="small")
    parser.add_argument("--steps", type=int, default=3, help="timed steps per batch size")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--published", action="store_true", help="time one published step")
    args = parser.parse_args()
    critic = int(args.critic) if args.critic.isdigit() else args.critic
    real, what = _real()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"torch {torch.__version__} with {torch.get_num_threads()} threads, "
          f"device {args.device}")  # fmt: skip
    print(f"real windows: {what}; critic {args.critic} "
          f"({count_parameters(make_critic(critic)):,} parameters)")  # fmt: skip
    print(f"{'batch':>6} {'s/step':>8} {'steps/s':>8} {'records/s':>10}")
    for batch in args.batch_sizes:
        row = _steps_per_second(real, batch, critic, args.steps, args.device)
        print(f"{row['batch']:>6} {row['s/step']:>8.2f} {row['steps/s']:>8.3f} "
              f"{row['records/s']:>10.2f}")  # fmt: skip
    if args.published:
        seconds = _published_critic_step(args.device)
        print(f"published critic (203.9 M parameters), one update at batch 16: {seconds:.1f} s; "
              f"a generator step needs 5: about {5 * seconds / 60:.1f} min")  # fmt: skip


if __name__ == "__main__":
    main()
