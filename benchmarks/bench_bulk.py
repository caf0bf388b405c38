"""Measuring a whole source in parallel (``ecgtoolkit.measure_source``): speed and memory.

Baseline: ``n_jobs=1`` (this process, one torch thread), measured in the same run.

1. Speed: 192 generated records held in memory, ``n_jobs=2`` (a worker process and this
   one) vs ``n_jobs=1`` (after one warm-up run, so that the pool's start-up is not
   counted), records/s and the ratio.
2. Memory, the real case: a Zarr store of N generated records (``generate_store``, seed
   fixed, in ``benchmarks/_out``, kept and reused by later runs) measured with
   ``measure_source(store_path, out, n_jobs=2)`` in a fresh Python process. The peak
   RSS is that of the whole process tree (the measuring process, its loky workers and
   helpers), summed, sampled every 0.2 s with psutil; this process (which holds step 1's
   batch) is not counted. Summed RSS counts shared pages (the torch libraries) once per
   process, so it overstates the memory actually used. records/s is timed inside the
   child, from the call to the table written (not the interpreter's start).
3. The projected time for 150,000 ECGs on 2 cores, at step 1's rate and at the
   rate of the largest store.

Usage: ``python benchmarks/bench_bulk.py [--large] [--sizes N ...]`` (default N: 2000;
``--large`` adds 20,000, which takes a few minutes to generate and about a quarter of
an hour to measure on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

import ecgtoolkit as et
from ecgtoolkit.measurement.sources import measure_source

SEED = 11
OUT = Path(__file__).resolve().parent / "_out"
PROJECTED = 150_000


class PeakRSS:
    """Peak of the summed RSS of process ``pid`` and all its descendants, in MiB."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)

    def __enter__(self):
        self.peak = 0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:  # the root has exited
                tree = []
            total = 0
            for proc in tree:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self.processes = max(self.processes, len(tree))
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mib = self.peak / 2**20


def _folder_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _store(n: int) -> tuple[Path, float]:
    """The store of ``n`` records, generated (or finished) here; seconds spent on it."""
    from ecgtoolkit.store import generate_store

    path = OUT / f"bench_bulk_{n}_seed{SEED}.zarr"
    t0 = time.perf_counter()
    generate_store(path, n, seed=SEED, device="cpu", progress=False)
    return path, time.perf_counter() - t0


def _child(store: str, out: str) -> None:
    """Measure ``store`` into ``out`` on 2 cores; print seconds and counts as JSON."""
    t0 = time.perf_counter()
    table = measure_source(store, out, n_jobs=2, progress=False, overwrite=True)
    seconds = time.perf_counter() - t0
    ok = int((table["status"] == "ok").sum())
    print(json.dumps({"seconds": seconds, "rows": len(table), "ok": ok}))


def _measure_store(n: int) -> dict:
    path, generate_s = _store(n)
    out = OUT / f"bench_bulk_{n}.parquet"
    command = [sys.executable, __file__, "--child", str(path), str(out)]
    t0 = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    with PeakRSS(child.pid) as rss:
        stdout, _ = child.communicate()
    wall = time.perf_counter() - t0
    if child.returncode != 0:
        raise RuntimeError(f"measuring {path} failed (exit status {child.returncode})")
    result = json.loads(stdout.strip().splitlines()[-1])
    return {
        "n": n,
        "store_mib": _folder_mib(path),
        "generate_s": generate_s,
        "measure_s": result["seconds"],
        "wall_s": wall,
        "rate": n / result["seconds"],
        "peak_mib": rss.peak_mib,
        "processes": rss.processes,
        "ok": result["ok"],
        "rows": result["rows"],
    }


def main(sizes: list[int]) -> None:
    cores = psutil.cpu_count(logical=True)
    print(f"{cores} cores, seed {SEED}")
    batch = et.generate(192, seed=SEED, progress=False)
    measure_source(batch[:8], n_jobs=2, chunk_size=4, progress=False)  # start the pool
    rates = {}
    for n_jobs in (1, 2):
        t0 = time.perf_counter()
        measure_source(batch, n_jobs=n_jobs, chunk_size=16, progress=False)
        rates[n_jobs] = len(batch) / (time.perf_counter() - t0)
        print(f"192 records in memory, n_jobs={n_jobs}: {rates[n_jobs]:.2f} records/s")
    print(f"speed-up n_jobs=2 vs 1: {rates[2] / rates[1]:.2f}x (target >= 1.6x)")

    OUT.mkdir(exist_ok=True)
    rows = [_measure_store(n) for n in sizes]
    print()
    print("Zarr store measured with measure_source(store_path, out, n_jobs=2), fresh process:")
    header = (
        f"{'records':>8} {'store MiB':>9} {'generate s':>10} {'measure s':>9} "
        f"{'records/s':>9} {'peak RSS MiB':>12} {'processes':>9} {'ok':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['n']:>8} {row['store_mib']:>9.0f} {row['generate_s']:>10.0f} "
            f"{row['measure_s']:>9.0f} {row['rate']:>9.2f} {row['peak_mib']:>12.0f} "
            f"{row['processes']:>9} {row['ok']:>7}"
        )
    print(
        "(generate s: 0 when the store was already there; peak RSS: the child process "
        "and its worker, summed)"
    )
    print()
    hours = PROJECTED / rates[2] / 3600
    print(f"projected {PROJECTED:,} ECGs, 2 cores, at the in-memory rate: {hours:.1f} h")
    largest = max(rows, key=lambda row: row["n"])
    hours = PROJECTED / largest["rate"] / 3600
    print(
        f"projected {PROJECTED:,} ECGs, 2 cores, at the {largest['n']:,}-record store's "
        f"rate: {hours:.1f} h"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000], help="store sizes")
    parser.add_argument("--large", action="store_true", help="also a store of 20,000 records")
    parser.add_argument("--child", nargs=2, metavar=("STORE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
    else:
        main(sorted(set(args.sizes + ([20_000] if args.large else []))))
