"""Parallel dataset measurement (ecgtoolkit.bulk.measure_dataset): speed and memory.

Baseline: ``workers=1`` (one process, one torch thread), measured in the same run.

1. Speed: 192 generated records held in memory, 2 worker processes vs 1 (after one
   warm-up run, so that the pool's start-up is not counted), records/s and the ratio.
2. Memory: peak RSS of this process plus its worker processes (psutil, sampled every
   0.2 s) while measuring a lazy source of N records that generates each chunk on the
   fly from ``(seed, record id)`` with ``et.generate(k, seed=s, start_id=i)`` inside
   the worker, so nothing holds the whole dataset (the Zarr store is not used here).
   Generation costs time too, so its records/s are lower than step 1's.
3. The projected time for 150,000 ECGs at step 1's rate with all cores.

Usage: ``python benchmarks/bench_bulk.py [N ...]`` (default N: 500 2000).
"""

from __future__ import annotations

import sys
import threading
import time

import psutil

import ecgtoolkit as et
from ecgtoolkit.bulk import measure_dataset

SEED = 11


class GeneratedSource:
    """Records ``0 … n − 1`` of ``et.generate(seed=SEED)``, made chunk by chunk."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, key: slice) -> et.ECG:
        start, stop, _ = key.indices(self.n)
        return et.generate(stop - start, seed=SEED, start_id=start, progress=False)


class PeakRSS:
    """Peak of the summed RSS of this process and its children, in MiB."""

    def __enter__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mib = self.peak / 2**20


def main(sizes: list[int]) -> None:
    cores = psutil.cpu_count(logical=True)
    print(f"{cores} cores")
    batch = et.generate(192, seed=SEED, progress=False)
    measure_dataset(batch[:8], workers=2, chunk_size=4, progress=False)  # start the pool
    rates = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        measure_dataset(batch, workers=workers, chunk_size=16, progress=False)
        rates[workers] = len(batch) / (time.perf_counter() - t0)
        print(f"192 records in memory, workers={workers}: {rates[workers]:.2f} records/s")
    print(f"speed-up 2 workers vs 1: {rates[2] / rates[1]:.2f}x (target >= 1.6x)")
    hours = 150_000 / rates[2] / 3600
    print(f"projected 150,000 ECGs on this machine (2 workers): {hours:.1f} h")
    for n in sizes:
        with PeakRSS() as rss:
            t0 = time.perf_counter()
            table = measure_dataset(GeneratedSource(n), workers=2, chunk_size=64, progress=False)
            seconds = time.perf_counter() - t0
        print(
            f"lazy source of {n} records (generated in the workers): {n / seconds:.2f} "
            f"records/s, {seconds:.0f} s, peak RSS (self + workers) {rss.peak_mib:.0f} MiB, "
            f"{(table['status'] == 'ok').sum()} ok"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 2000])
