"""Generation into a Zarr store against the WFDB writer, same seed, same run.

* baseline: ``generate_to(dir, N, format="wfdb")`` (one ``.dat`` + ``.hea`` per ECG);
* ours: ``generate_store(path, N)`` (chunks of 64 whole records, zstd, done markers).

Both on the same device with the same batch size, the model loaded once beforehand;
each is timed ``--repeat`` times and the best run is kept. Prints ECGs/s, the ratio
store / WFDB (> 1: the store is faster) and the projected time for 150,000 ECGs.

Usage::

    python benchmarks/bench_store.py              # N = 512
    python benchmarks/bench_store.py --n 2048 --device cuda
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import ecgtoolkit as et
from ecgtoolkit.generators.generate import GeneratorSettings
from ecgtoolkit.store import generate_store

TARGET = 150_000


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def best_time(write, repeat: int, work: Path, name: str) -> tuple[float, int]:
    """Best wall time of ``write(target)`` and the bytes it wrote."""
    best, size = float("inf"), 0
    for k in range(repeat):
        target = work / f"{name}{k}"
        start = time.perf_counter()
        write(target)
        best = min(best, time.perf_counter() - start)
        size = folder_size(target)
        shutil.rmtree(target)
    return best, size


def _threads(device: str) -> str:
    from ecgtoolkit.store.writers import writer_threads

    folder = writer_threads(device=device)
    store = writer_threads(device=device, compresses=True)
    return f"{folder} (WFDB) / {store} (store)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--encoding", default="int16", choices=["int16", "float32"])
    parser.add_argument(
        "--writer-threads",
        type=int,
        default=None,
        help="writer threads for both writers (default: the toolkit's choice per writer)",
    )
    args = parser.parse_args()
    device = GeneratorSettings.resolve(seed=0, device=args.device).device
    if args.writer_threads is not None:
        import importlib

        for name in ("writers", "folder", "zarr_store"):
            module = importlib.import_module(f"ecgtoolkit.store.{name}")
            module.writer_threads = lambda **_: args.writer_threads
    et.generate(1, seed=0, device=args.device)  # load the model outside the timings
    common = {"seed": args.seed, "batch_size": args.batch_size, "device": args.device}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t_wfdb, size_wfdb = best_time(
            lambda d: et.generate_to(d, args.n, format="wfdb", progress=False, **common),
            args.repeat,
            work,
            "wfdb",
        )
        t_store, size_store = best_time(
            lambda d: generate_store(d, args.n, encoding=args.encoding, progress=False, **common),
            args.repeat,
            work,
            "store.zarr-",
        )
    rate_wfdb, rate_store = args.n / t_wfdb, args.n / t_store
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"device {args.device}, N = {args.n}, seed {args.seed}, best of {args.repeat}, "
          f"store encoding {args.encoding}, writer threads {_threads(device)}")  # fmt: skip
    print(
        f"WFDB writer (baseline) : {rate_wfdb:8.1f} ECGs/s, {size_wfdb / args.n / 1e3:6.1f} kB/ECG"
    )
    print(
        f"Zarr store             : {rate_store:8.1f} ECGs/s, {size_store / args.n / 1e3:6.1f} kB/ECG"
    )
    print(f"store / WFDB speed     : {rate_store / rate_wfdb:8.2f}x")
    hours = TARGET / rate_store / 3600
    print(f"projected for {TARGET:,} ECGs into the store: {hours:.2f} h "
          f"({TARGET * size_store / args.n / 1e9:.1f} GB); WFDB: {TARGET / rate_wfdb / 3600:.2f} h")  # fmt: skip


if __name__ == "__main__":
    main()
