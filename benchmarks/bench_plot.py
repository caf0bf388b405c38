"""Drawing speed of ``plot_ecg`` against the previous approach, same run.

Baseline (``previous``): the plotting code this module replaced, reimplemented below in
:func:`previous_plot_ecg`: one ``axvline``/``axhline`` per ECG-paper line (1 mm and
5 mm), traces at full resolution, a fixed 14-inch-wide figure.

Ours (``plot_ecg``): true-scale figure, the grid as two ``LineCollection``s, traces
reduced to the min/max of each pixel column only when they have more than two samples
per column at 300 dpi (the 5-minute record, compressed to ``max_width_in=60``).

Records: a generated 10 s, 12-lead, 500 Hz ECG in the clinical ``"12"`` layout, and a
5-minute 12-lead 500 Hz ECG (30 generated records end to end) in the ``"stack"`` layout.
Times are the median of ``--repeats`` runs, each on a new figure: ``build`` is the call
that makes the figure, ``draw`` the first ``fig.canvas.draw()`` on the Agg canvas.
``Line2D`` counts line artists in the axes; ``artists`` counts every artist of the
figure (``fig.findobj()``).

Run: ``.venv/bin/python benchmarks/bench_plot.py`` (about a minute, mostly the baseline).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ecgtoolkit as et  # noqa: E402

matplotlib.use("Agg")

_GRID_12 = (("I", "aVR", "V1", "V4"), ("II", "aVL", "V2", "V5"), ("III", "aVF", "V3", "V6"))


def previous_plot_ecg(one: et.ECG, layout: str) -> Figure:
    """The replaced approach: a Line2D per grid line, full-resolution traces."""
    fig = Figure(figsize=(14, 8) if layout == "12" else (14, 1.1 * one.n_leads + 1))
    ax = fig.add_axes((0.02, 0.03, 0.96, 0.9))
    row_mv = 3.0

    def grid(x_max_s: float, y_min: float, y_max: float) -> None:
        for step, colour, width in ((0.04, "#f6c6c6", 0.3), (0.2, "#e88f8f", 0.6)):
            for x in np.arange(0.0, x_max_s + 1e-9, step):
                ax.axvline(x, color=colour, lw=width, zorder=0)
            start = np.floor(y_min / (step * 2.5)) * step * 2.5
            for y in np.arange(start, y_max + 1e-9, step * 2.5):
                ax.axhline(y, color=colour, lw=width, zorder=0)
        ax.set_xlim(0, x_max_s)
        ax.set_ylim(y_min, y_max)
        ax.set_aspect(0.4)
        ax.set_axis_off()

    def centred(y: np.ndarray) -> np.ndarray:
        return y - np.median(y)

    if layout == "12":
        column_s = min(2.5, one.duration_s / 4)
        grid(4 * column_s, -row_mv * 3.5, row_mv * 0.5)
        per_column = int(round(column_s * one.fs))
        t = np.arange(per_column) / one.fs
        for r, names in enumerate(_GRID_12):
            for c, name in enumerate(names):
                segment = one[name][c * per_column : (c + 1) * per_column]
                ax.plot(t + c * column_s, centred(segment) - row_mv * r, color="k", lw=0.7)
                ax.text(c * column_s + 0.05, 1.0 - row_mv * r, name, fontsize=9)
        strip = one["II"][: 4 * per_column]
        ax.plot(np.arange(strip.size) / one.fs, centred(strip) - row_mv * 3, color="k", lw=0.7)
    else:
        grid(one.duration_s, -row_mv * (one.n_leads - 0.5), row_mv * 0.5)
        for row, name in enumerate(one.leads):
            ax.plot(one.times, centred(one.signal[row]) - row_mv * row, color="k", lw=0.6)
            ax.text(-0.1, -row_mv * row, name, ha="right", fontsize=9)
    fig.suptitle("previous", fontsize=11)
    return fig


def measure(make, repeats: int) -> dict[str, float]:
    builds, draws = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        fig = make()
        builds.append(time.perf_counter() - start)
        canvas = FigureCanvasAgg(fig)
        start = time.perf_counter()
        canvas.draw()
        draws.append(time.perf_counter() - start)
    ax = fig.axes[0]
    return {
        "build": float(np.median(builds)),
        "draw": float(np.median(draws)),
        "lines": len(ax.lines),
        "artists": len(fig.findobj()),
        "size": "×".join(f"{v:.1f}" for v in fig.get_size_inches()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    batch = et.generate(30, seed=0)
    short = batch[0]
    long = et.ECG(
        np.concatenate(list(batch.signal), axis=-1), fs=batch.fs, leads=batch.leads
    )  # 5 minutes
    cases = [("10 s, 12 leads, '12'", short, "12"), ("5 min, 12 leads, 'stack'", long, "stack")]
    print(
        f"matplotlib {matplotlib.__version__}, numpy {np.__version__}, "
        f"{platform.processor() or platform.machine()}, Agg at {Figure().dpi:g} dpi"
    )
    header = (
        f"{'record':26} {'method':10} {'size in':>10} {'build s':>8} {'draw s':>7} "
        f"{'total s':>8} {'speed-up':>8} {'Line2D':>7} {'artists':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, ecg, layout in cases:
        old = measure(lambda ecg=ecg, layout=layout: previous_plot_ecg(ecg, layout), args.repeats)
        new = measure(lambda ecg=ecg, layout=layout: et.plot_ecg(ecg, layout=layout), args.repeats)
        old_total = old["build"] + old["draw"]
        for method, m in (("previous", old), ("plot_ecg", new)):
            total = m["build"] + m["draw"]
            ratio = "1.0×" if m is old else f"{old_total / total:.1f}×"
            print(
                f"{name:26} {method:10} {m['size']:>10} {m['build']:8.3f} {m['draw']:7.3f} "
                f"{total:8.3f} {ratio:>8} {m['lines']:7d} {m['artists']:8d}"
            )


if __name__ == "__main__":
    main()
