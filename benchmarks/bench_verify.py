"""How fast a generated dataset verifies, and what its checksums cost generation.

1. **Verify speed**: ``et.verify`` on a ``--n``-record (default 10,000) Zarr store
   (int16, chunks of 64) and WFDB folder, both generated here; records/s, best of
   ``--repeat``. The files were just written, so they are read from the page cache:
   this is the cost of the checks, not of the disk (a cold disk adds its read time,
   ~0.8 GB for the store and 1.2 GB for the folder at 10,000 records).
2. **Checksum cost**: generation of ``--cost-n`` records (default 1,000) with the
   checksums, against the same generation with the checksum work stubbed out (the
   CRC-32C of each chunk in the store's codec; reading back and checksumming each file
   of the folder), alternating the two ``--cost-repeat`` times; the ratio of the median
   times (target: ≤ 1.05), and the share of the time spent in checksum code.

Usage::

    python benchmarks/bench_verify.py                     # 10,000 records
    python benchmarks/bench_verify.py --n 2000 --cost-n 500
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import ecgtoolkit as et
from ecgtoolkit.store import folder as folder_module
from ecgtoolkit.store import generate_store


def _patch(kind: str, make: Callable[[Callable], Callable]) -> Callable[[], None]:
    """Replace the checksum function of ``kind`` by ``make(original)``; returns the undo."""
    import google_crc32c

    if kind == "store":  # the codec calls google_crc32c.value on each chunk
        original = google_crc32c.value
        google_crc32c.value = make(original)
        return lambda: setattr(google_crc32c, "value", original)
    original = folder_module.file_checksum
    folder_module.file_checksum = make(original)
    return lambda: setattr(folder_module, "file_checksum", original)


@contextmanager
def stubbed_checksums(kind: str):
    """Skip the checksum work (the files keep their layout)."""
    undo = _patch(kind, lambda original: lambda arg: 0 if kind == "store" else "0" * 8)
    try:
        yield
    finally:
        undo()


@contextmanager
def timed_checksums(kind: str, spent: list[float]):
    """Add the time spent on checksums to ``spent[0]`` (summed over threads)."""

    def timing(function: Callable) -> Callable:
        def wrapper(arg):
            start = time.perf_counter()
            try:
                return function(arg)
            finally:
                spent[0] += time.perf_counter() - start

        return wrapper

    undo = _patch(kind, timing)
    try:
        yield
    finally:
        undo()


def generate(kind: str, path: Path, n: int) -> None:
    if kind == "store":
        generate_store(path, n, seed=1, batch_size=64, progress=False)
    else:
        et.generate_to(path, n, seed=1, batch_size=64, progress=False)


def verify_speed(kind: str, n: int, repeat: int, work: Path) -> tuple[float, float]:
    path = work / ("v.zarr" if kind == "store" else "v")
    start = time.perf_counter()
    generate(kind, path, n)
    made = time.perf_counter() - start
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = et.verify(path, progress=False)
        best = min(best, time.perf_counter() - start)
        assert result.ok, result.summary()
    shutil.rmtree(path)
    return n / best, n / made


def checksum_cost(kind: str, n: int, repeat: int, work: Path) -> tuple[float, float, float]:
    """Median seconds with and without checksums, and the share spent in checksum code."""
    with_sums, without, shares = [], [], []
    for k in range(repeat):
        for stub in (k % 2 == 0, k % 2 == 1):  # alternate which goes first
            path = work / f"c{k}{int(stub)}{'.zarr' if kind == 'store' else ''}"
            spent = [0.0]
            context = stubbed_checksums(kind) if stub else timed_checksums(kind, spent)
            with context:
                start = time.perf_counter()
                generate(kind, path, n)
                elapsed = time.perf_counter() - start
            (without if stub else with_sums).append(elapsed)
            if not stub:
                shares.append(spent[0] / elapsed)
            shutil.rmtree(path)
    return statistics.median(with_sums), statistics.median(without), statistics.median(shares)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="records to verify")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cost-n", type=int, default=1_000)
    parser.add_argument("--cost-repeat", type=int, default=4)
    args = parser.parse_args()
    et.generate(1, seed=0)  # load the model outside the timings
    print(f"# {platform.node()}, {os.cpu_count()} cores, ecgtoolkit {et.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"\n## verify {args.n:,} records (page cache warm; best of {args.repeat})\n")
        print("| dataset | verify records/s | generation records/s | verify / generation |")
        print("|---|---:|---:|---:|")
        for kind in ("store", "folder"):
            rate, made = verify_speed(kind, args.n, args.repeat, work)
            label = "Zarr store (int16)" if kind == "store" else "WFDB folder"
            print(f"| {label} | {rate:,.0f} | {made:,.0f} | {rate / made:,.0f}× |")
        print(f"\n## checksum cost on generation ({args.cost_n:,} records, "
              f"median of {args.cost_repeat} paired runs)\n")  # fmt: skip
        print("| dataset | with checksums s | without s | ratio | time in checksum code |")
        print("|---|---:|---:|---:|---:|")
        for kind in ("store", "folder"):
            on, off, share = checksum_cost(kind, args.cost_n, args.cost_repeat, work)
            label = "Zarr store (int16)" if kind == "store" else "WFDB folder"
            print(f"| {label} | {on:.2f} | {off:.2f} | {on / off:.3f} | {share:.2%} |")


if __name__ == "__main__":
    main()
