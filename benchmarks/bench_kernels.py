"""The hand-written kernels against the library routines they stand in for.

A hand-written fast version of a library routine stays in the package only while this
benchmark shows its gain (and that it gives the library's result). Each row: the
library call, the kernel, both timed best-of-5 on the shapes the pipeline uses, in the
same run; the ratio; and the largest difference of their outputs.

- ``ecgtoolkit.signal.filters.filtfilt`` (a cached initial state) against
  ``scipy.signal.sosfiltfilt``: 12 leads × 10 s at 250 Hz (the detector, the network's
  input) and at 500 Hz (the median beat's high-pass);
- ``ecgtoolkit.signal.kernels.median_over_first_axis`` against ``numpy.median(axis=0)``
  on 300 beats × 12 leads × 675 samples (a median beat);
- ``nan_quantiles`` and ``nan_median`` against ``numpy.nanpercentile`` /
  ``numpy.nanmedian`` on the median beat's marks (12 leads × 30 beats, NaN where absent);
- the LUDB annotation reader (``ecgtoolkit.databases.ludb._mit_annotations``) and header
  baselines against ``wfdb.rdann`` / ``wfdb.rdheader`` (needs the shared data).

Routines that lost to their library equivalent were replaced by it: the moving average
(``scipy.ndimage.uniform_filter1d``), the window maxima (``maximum_filter1d``) and the
running median (``median_filter``); measure() gives the same tables to the last digit.

Run: ``.venv/bin/python benchmarks/bench_kernels.py``.
"""

from __future__ import annotations

import sys
import timeit
import warnings
from pathlib import Path

import numpy as np
from scipy import signal as sps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecgtoolkit.databases import data_dir  # noqa: E402
from ecgtoolkit.databases import ludb as ludb_module  # noqa: E402
from ecgtoolkit.signal import filters, kernels  # noqa: E402


def best_us(call, number: int = 50) -> float:
    """Best of five runs of ``number`` calls, µs per call."""
    return min(timeit.repeat(call, number=number, repeat=5)) / number * 1e6


def row(name: str, library, ours, number: int = 50) -> None:
    lib_out, our_out = library(), ours()
    diff = max(
        float(np.nanmax(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))))
        for a, b in zip(_tuple(lib_out), _tuple(our_out), strict=True)
    )
    lib_us, our_us = best_us(library, number), best_us(ours, number)
    print(f"{name:<46} {lib_us:>10.1f} {our_us:>10.1f} {lib_us / our_us:>7.2f}x {diff:>10.2g}")


def _tuple(x):
    return x if isinstance(x, tuple) else (x,)


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{'kernel (shape)':<46} {'library µs':>10} {'ours µs':>10} {'gain':>8} {'max diff':>10}")
    for fs, low, high in ((250.0, 5.0, 20.0), (500.0, 0.5, None)):
        x = rng.normal(size=(12, int(10 * fs)))
        if high is None:
            design = filters._butter("highpass", (low,), fs, 2)
            label = f"filtfilt, high-pass {low:g} Hz (12, {x.shape[1]})"
        else:
            design = filters._butter("bandpass", (low, high), fs, 2)
            label = f"filtfilt, band-pass {low:g}-{high:g} Hz (12, {x.shape[1]})"
        row(label, lambda d=design, x=x: sps.sosfiltfilt(d[0], x, axis=-1),
            lambda d=design, x=x: filters.filtfilt(d, x))  # fmt: skip
    beats = rng.normal(size=(300, 12, 675))
    row("median_over_first_axis (300, 12, 675)", lambda: np.median(beats, axis=0),
        lambda: kernels.median_over_first_axis(beats), number=5)  # fmt: skip
    marks = rng.normal(size=(12, 30))
    marks[rng.random(marks.shape) < 0.2] = np.nan
    marks[3] = np.nan  # a lead without the mark
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's all-NaN slice warning
        row("nan_quantiles 25/50/75 (12, 30)",
            lambda: tuple(np.nanpercentile(marks, [25.0, 50.0, 75.0], axis=1)),
            lambda: tuple(kernels.nan_quantiles(marks, (25.0, 50.0, 75.0))), number=500)  # fmt: skip
        row("nan_median (12, 30)", lambda: np.nanmedian(marks, axis=1),
            lambda: kernels.nan_median(marks), number=500)  # fmt: skip
    folder = data_dir()
    if folder is None:
        print("(LUDB readers skipped: no shared data; set ECGTOOLKIT_DATA)")
        return
    import wfdb

    record = folder / "ludb" / "1"
    annotations = Path(f"{record}.ii")

    def rdann():
        ann = wfdb.rdann(str(record), "ii")
        return ann.sample

    row("LUDB annotations, one lead file (rdann)", rdann,
        lambda: ludb_module._mit_annotations(annotations)[0], number=20)  # fmt: skip
    header = Path(f"{record}.hea")
    row("LUDB header baselines (rdheader)",
        lambda: np.asarray(wfdb.rdheader(str(record)).baseline, dtype=float),
        lambda: ludb_module._header_baselines(header), number=20)  # fmt: skip


if __name__ == "__main__":
    main()
