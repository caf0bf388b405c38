"""One lost lead: do the other leads' intervals and the global ones stay put? (issue 20, item 4)

Each of the 150 shared LUDB records (each measured with its cross-validation fold's
network, which never saw it) and the 40 CinC 2021 records (shipped network, never
trained on them) is measured intact and again with one lead, drawn at random, replaced
by 0.3 mV of Gaussian noise, which the quality gate removes. Reported, with a 5 ms
tolerance (target: >= 95% of records):

* **global**: PR, QRS and QT of :func:`ecgtoolkit.measure` (earliest consistent onset to
  latest consistent offset over the usable leads, so a lost lead that held the earliest
  QRS onset moves it by design);
* **other leads**: every remaining lead's own PR, QRS and QT
  (:func:`ecgtoolkit.measure_leads`), which must not depend on the removed lead; they
  can only through the segmentation network's context channel (the RMS over the usable
  leads), which training makes indifferent to one lead more or less
  (``benchmarks/train_segmenter.py``, ``--consistency``).

Run: ``PYTHONPATH=. python benchmarks/bench_lost_lead.py [--records N]`` (about 4 min).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_delineation import _weights_for, fold_weights  # noqa: E402

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.databases import data_dir  # noqa: E402

INTERVALS = ("pr_ms", "qrs_ms", "qt_ms")
NOISE_MV = 0.3


def _moved(a: float, b: float) -> float:
    """|a − b|, 0 when both are missing, infinite when only one is."""
    if np.isnan(a) and np.isnan(b):
        return 0.0
    return float(abs(a - b)) if np.isfinite(a) and np.isfinite(b) else np.inf


def lose_one_lead(ecg: et.ECG, rng: np.random.Generator) -> tuple[dict, str]:
    """How far the global and the other leads' intervals move when one lead is lost."""
    lost = int(rng.integers(ecg.n_leads))
    before, leads_before = et.measure(ecg), et.measure_leads(ecg, progress=False)
    x = ecg.signal.copy()
    x[lost] = rng.normal(0.0, NOISE_MV, x.shape[1])
    noisy = ecg.replace(x)
    after, leads_after = et.measure(noisy), et.measure_leads(noisy, progress=False)
    others = [i for i in range(ecg.n_leads) if i != lost and leads_before["usable"].iloc[i]]
    row = {"lost": ecg.leads[lost], "removed": not bool(leads_after["usable"].iloc[lost])}
    for k in INTERVALS:
        row[f"global {k}"] = _moved(before[k], after[k])
        row[f"leads {k}"] = max(
            (_moved(leads_before[k].iloc[i], leads_after[k].iloc[i]) for i in others),
            default=0.0,
        )
    return row, before["status"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, help="first N records of each database only")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    root = data_dir(required=True)
    weights = fold_weights(root / "ludb")
    # Each set: its records and the networks to measure them with (None: the shipped one).
    sets = {
        "LUDB (fold networks)": (
            [(r, et.read(root / "ludb" / str(r), adc_gain=1000)) for r in sorted(weights)],
            weights,
        ),
        "CinC 2021 (shipped network)": (
            [
                (p.stem, et.read(p.with_suffix("")))
                for p in sorted((root / "cinc2021").glob("*.hea"))
            ],
            None,
        ),
    }
    rng = np.random.default_rng(7)
    summary = []
    for name, (items, networks) in sets.items():
        rows = []
        for record, ecg in items[: args.records]:
            if ecg.leads != et.STANDARD_LEADS:
                continue
            with _weights_for(record, networks):
                row, status = lose_one_lead(ecg, rng)
            if status == "ok":
                rows.append({"record": record, **row})
        t = pd.DataFrame(rows)
        out = {"records": f"{name}, {len(t)}", "lost lead removed": f"{t['removed'].mean():.0%}"}
        for part in ("global", "leads"):
            cols = [f"{part} {k}" for k in INTERVALS]
            label = "global PR/QRS/QT" if part == "global" else "every other lead's PR/QRS/QT"
            out[f"{label} within 5 ms"] = f"{(t[cols].max(axis=1) <= 5).mean():.1%}"
            out[f"{part}: QT alone"] = f"{(t[f'{part} qt_ms'] <= 5).mean():.1%}"
        summary.append(out)
    pd.set_option("display.width", 250)
    print(pd.DataFrame(summary).to_string(index=False))


if __name__ == "__main__":
    main()
