"""Render time of the interactive viewer on a 30-minute record (MIT-BIH 100).

Each scroll step of ``ECGViewer`` (decimated traces, artists reused, paper blitted) against
the named baseline measured in the same run: drawing the same window from scratch with
``et.plot_ecg`` (a new figure, every sample) and encoding it as PNG.

Run: ``python benchmarks/bench_viewer.py`` (needs the shared data).
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.databases import data_dir  # noqa: E402
from ecgtoolkit.viewer import ECGViewer  # noqa: E402


def _median_time(step, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        step()
        times.append(time.perf_counter() - begin)
    return float(np.median(times))


def main() -> None:
    record = et.read(data_dir(required=True) / "mitdb" / "100")
    print(f"MIT-BIH 100: {record.duration_s / 60:.0f} min, {record.fs:g} Hz, {record.leads}")
    print(f"{'window':>8} {'viewer step (ms)':>17} {'plot_ecg redraw (ms)':>21} {'ratio':>6}")
    for window in (10.0, 60.0):
        viewer = ECGViewer(record, lead="MLII", start_s=600, window_s=window)
        viewer.render()

        def step(viewer=viewer):
            viewer.next()
            viewer.render()

        def redraw(window=window):
            start = int(600 * record.fs)
            piece = et.ECG(
                record.signal[:1, start : start + int(window * record.fs)],
                fs=record.fs,
                leads=["MLII"],
            )
            fig = et.plot_ecg(piece, layout="stack")
            fig.savefig(io.BytesIO(), format="png", dpi=80)

        viewer_s, redraw_s = _median_time(step), _median_time(redraw)
        print(
            f"{window:>7g}s {1000 * viewer_s:>17.0f} {1000 * redraw_s:>21.0f} "
            f"{redraw_s / viewer_s:>5.1f}x"
        )


if __name__ == "__main__":
    main()
