"""Speed of ``measure(batch)`` with 1 and 2 cores, each in a fresh plain script (issue 7).

Each setting runs in a new Python process, as a user's script would (no
``if __name__ == "__main__":`` guard is needed by the library: the timed child below has
none), so worker start-up is inside the timing. The batch is the first 200 LUDB records
(12 leads, 10 s, 500 Hz), or repeats of the shared records where fewer are present.
Also timed: a second call in the same process (the loky pool is then warm).

Run: ``PYTHONPATH=. python benchmarks/bench_batch.py [--n 200]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, sys, time
import numpy as np
import ecgtoolkit as et
from ecgtoolkit.databases import data_dir
paths = sorted((data_dir(required=True) / "ludb").glob("*.hea"), key=lambda p: int(p.stem))
records = [et.read(p).signal for p in paths]
n, n_jobs = int(sys.argv[1]), int(sys.argv[2])
batch = et.ECG(np.stack([records[i % len(records)] for i in range(n)]), fs=500,
               leads=et.STANDARD_LEADS)
start = time.perf_counter()
table = et.measure(batch, n_jobs=n_jobs, progress=False)
first = time.perf_counter() - start
start = time.perf_counter()
again = et.measure(batch, n_jobs=n_jobs, progress=False)
second = time.perf_counter() - start
same = bool(table.equals(again))
print(json.dumps({"first_s": first, "second_s": second, "ok": int((table.status == "ok").sum()),
                  "same": same, "qt": table.qt_ms.tolist()}))
"""


def run(n: int, n_jobs: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(n_jobs)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args(argv)
    one, two = run(args.n, 1), run(args.n, 2)
    identical = one["qt"] == two["qt"]
    print(f"measure() of a batch of {args.n} 12-lead 10 s records, fresh script each")
    print(f"  1 core : {one['first_s']:6.2f} s  ({args.n / one['first_s']:.1f} records/s)")
    print(
        f"  2 cores: {two['first_s']:6.2f} s  ({args.n / two['first_s']:.1f} records/s), "
        f"{one['first_s'] / two['first_s']:.2f}x  (target >= 1.6x)"
    )
    print(
        f"  second call in the same script (pool warm): 1 core {one['second_s']:.2f} s, "
        f"2 cores {two['second_s']:.2f} s, {one['second_s'] / two['second_s']:.2f}x"
    )
    print(f"  same values with 1 and 2 cores: {identical}; records measured ok: {two['ok']}")


if __name__ == "__main__":
    main()
