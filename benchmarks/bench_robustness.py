"""Robustness of measurement on hostile but realistic inputs (issue 7).

What each case checks, on the shared real records (LUDB and PhysioNet/CinC 2021, 12
leads, 10 s, 500 Hz; ``../shared/data`` or ``$ECGTOOLKIT_DATA``) and on built signals:

* records without an ECG (Gaussian noise, random walk, a 1.2 Hz sine, mains hum only,
  muscle noise, flat lines) must never get ``status == "ok"``;
* one lead replaced by 0.1, 0.3 or 1 mV of noise: global PR, QRS and QT within 5 ms
  of the clean record's; 0.2 mV of 50 or 60 Hz mains on all leads: within 10 ms;
* the same record resampled to 100, 250, 360 and 1000 Hz: heart rate within 1 bpm of
  the 500 Hz result; no detection in the partial complexes at the record's edges;
* beats built with known intervals (PR 160, QRS 90, QT 400 ms) in 1, 2 and 12 leads,
  both polarities, at 250, 500 and 1000 Hz: measured within ±4 ms;
* other defects: NaN, a flat or clipped lead, µV passed as mV, odd lead names.

Run: ``PYTHONPATH=. python benchmarks/bench_robustness.py [--records N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal as sps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecgtoolkit import ECG, STANDARD_LEADS, measure, read, signal_quality  # noqa: E402
from ecgtoolkit.databases import data_dir  # noqa: E402
from ecgtoolkit.signal.rpeaks import detect_rpeaks  # noqa: E402
from ecgtoolkit.signal.synthetic import known_interval_record  # noqa: E402

INTERVALS = ("pr_ms", "qrs_ms", "qt_ms")


def real_records(root: Path, limit: int | None) -> list[ECG]:
    """LUDB and CinC 2021 records, 12 standard leads, in mV."""
    paths = sorted((root / "ludb").glob("*.hea"), key=lambda p: int(p.stem))
    paths += sorted((root / "cinc2021").glob("*.hea"))
    if limit:
        paths = paths[:limit] + paths[-min(limit, 40) :]
    out = []
    for p in paths:
        ecg = read(p)
        if ecg.leads == STANDARD_LEADS and ecg.n_samples >= 10 * ecg.fs:
            out.append(ecg)
    return out


def non_ecg_cases(rng: np.random.Generator) -> dict[str, list[np.ndarray]]:
    fs, n = 500.0, 5000
    t = np.arange(n) / fs
    emg = sps.butter(2, [20, 150], "bandpass", fs=fs, output="sos")
    cases: dict[str, list[np.ndarray]] = {k: [] for k in (
        "Gaussian noise", "random walk", "1.2 Hz sine", "mains only", "muscle noise", "flat line",
        "flat + 5 µV noise",
    )}  # fmt: skip
    for _ in range(10):
        cases["Gaussian noise"].append(rng.normal(0, rng.uniform(0.05, 1.0), (12, n)))
        cases["random walk"].append(np.cumsum(rng.normal(0, 0.02, (12, n)), axis=1))
        phase = rng.uniform(0, 2 * np.pi, (12, 1))
        cases["1.2 Hz sine"].append(rng.uniform(0.2, 2) * np.sin(2 * np.pi * 1.2 * t + phase))
        f0 = rng.choice([50.0, 60.0])
        cases["mains only"].append(0.3 * np.sin(2 * np.pi * f0 * t + phase))
        cases["muscle noise"].append(sps.sosfilt(emg, rng.normal(0, 0.3, (12, n))))
        cases["flat line"].append(np.full((12, n), rng.uniform(-1, 1)))
        cases["flat + 5 µV noise"].append(rng.normal(0, 0.005, (12, n)))
    return cases


def real_leads_row(root: Path) -> dict:
    """How many leads of every shared real record are judged unusable, and why."""
    import scipy.io

    paths = sorted(root.glob("*/*.hea")) + sorted((root / "cpsc2018").glob("*.mat"))
    paths += sorted((root / "cpsc2019" / "data").glob("*.mat"))
    n_leads, unusable, flat = 0, [], 0
    for p in paths:
        if p.suffix == ".mat":
            content = scipy.io.loadmat(p, simplify_cells=True)
            if "ECG" in content:
                ecg = ECG(content["ECG"]["data"], fs=500, leads=STANDARD_LEADS)
            else:
                ecg = ECG(content["ecg"][None], fs=500, leads=["ECG"])
        else:
            ecg = read(p)
        if ecg.duration_s > 600:
            ecg = ecg.crop(0, 600)
        table = signal_quality(ecg)
        n_leads += len(table)
        for row in table[~table.usable].itertuples():
            if row.reason.startswith("flat"):
                flat += 1
            else:
                unusable.append(f"{p.stem} {row.lead}")
    return {
        "case": "real leads judged unusable (all shared databases)",
        "records": len(paths),
        "result": f"{flat} flat (all-zero) and {len(unusable)} other of {n_leads} leads: "
        + (", ".join(unusable) or "none"),
        "target": "only defective leads",
        "met": len(unusable) <= 0.005 * n_leads,
    }


def resample(ecg: ECG, fs: float) -> ECG:
    ratio = Fraction(fs / ecg.fs).limit_denominator(1000)
    x = sps.resample_poly(ecg.signal, ratio.numerator, ratio.denominator, axis=-1)
    return ECG(x, fs=fs, leads=ecg.leads)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, help="first N LUDB (and up to 40 CinC) records only")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    rows = []

    # 1. Records without an ECG.
    for name, signals in non_ecg_cases(rng).items():
        statuses = [measure(ECG(x, fs=500, leads=STANDARD_LEADS))["status"] for x in signals]
        ok = sum(s == "ok" for s in statuses)
        rows.append({"case": f"no ECG: {name}", "records": len(statuses),
                     "result": f"status ok in {ok} of {len(statuses)}", "target": "0", "met": ok == 0})  # fmt: skip

    root = data_dir(required=True)
    rows.append(real_leads_row(root))
    records = real_records(root, args.records)
    clean = [measure(r) for r in records]
    valid = [i for i, m in enumerate(clean) if m["status"] == "ok"]

    # 2. One lead replaced by noise.
    for level in (0.1, 0.3, 1.0):
        worst = []
        for i in valid:
            x = records[i].signal.copy()
            x[rng.integers(12)] = rng.normal(0, level, x.shape[1])
            m = measure(ECG(x, fs=records[i].fs, leads=records[i].leads))
            worst.append(max(_delta(m, clean[i], k) for k in INTERVALS))
        rows.append(_delta_row(f"one lead = {level:g} mV noise", worst, 5.0))

    # 3. Mains on all leads.
    for f0 in (50.0, 60.0):
        worst = []
        for i in valid:
            r = records[i]
            hum = 0.2 * np.sin(2 * np.pi * f0 * r.times + rng.uniform(0, 2 * np.pi, (12, 1)))
            m = measure(ECG(r.signal + hum, fs=r.fs, leads=r.leads))
            worst.append(max(_delta(m, clean[i], k) for k in INTERVALS))
        rows.append(_delta_row(f"0.2 mV {f0:g} Hz mains, all leads", worst, 10.0))

    # 4. Other sampling rates: heart rate.
    for fs in (100.0, 250.0, 360.0, 1000.0):
        diff = [
            abs(measure(resample(records[i], fs))["heart_rate"] - clean[i]["heart_rate"])
            for i in valid
        ]
        diff = np.nan_to_num(np.asarray(diff), nan=np.inf)
        rows.append({"case": f"resampled to {fs:g} Hz: |ΔHR|", "records": len(diff),
                     "result": f"max {diff.max():.2f} bpm, {np.mean(diff <= 1):.1%} within 1 bpm",
                     "target": "≤ 1 bpm", "met": bool(diff.max() <= 1.0)})  # fmt: skip

    # 5. Partial complexes at the edges.
    near = 0
    for r in records:
        peaks = detect_rpeaks(r)
        edge = 0.03 * r.fs
        near += bool(peaks.size and (peaks[0] < edge or peaks[-1] > r.n_samples - 1 - edge))
    rows.append({"case": "detection within 30 ms of an edge", "records": len(records),
                 "result": f"{near} records", "target": "0", "met": near == 0})  # fmt: skip

    # 6. Known intervals.
    for polarity, limit in ((1.0, 4.0), (-1.0, 4.0)):
        for n_leads in (1, 2, 12):
            errors = []
            for fs in (250.0, 500.0, 1000.0):
                ecg, truth = known_interval_record(fs, n_leads, polarity, rng)
                m = measure(ecg)
                errors.append([m[k] - truth[k] for k in INTERVALS])
            e = np.nan_to_num(np.asarray(errors), nan=np.inf)  # (rates, intervals)
            shown = ", ".join(
                f"{k[:-3].upper()} {e[:, j].min():+.0f}..{e[:, j].max():+.0f}"
                for j, k in enumerate(INTERVALS)
            )
            label = "upright" if polarity > 0 else "every other lead inverted"
            rows.append({"case": f"known PR/QRS/QT, {n_leads} lead(s), {label}", "records": 3,
                         "result": f"errors (ms, 250/500/1000 Hz): {shown}",
                         "target": f"±{limit:g} ms", "met": bool(np.abs(e).max() <= limit)})  # fmt: skip

    # 7. Other defects, on the first valid record.
    base = records[valid[0]]
    ref = clean[valid[0]]
    defects = {}
    x = base.signal.copy()
    x[3, 100:200] = np.nan
    defects["NaN in one lead"] = x
    x = base.signal.copy()
    x[5] = 0.0
    defects["one flat lead"] = x
    x = base.signal.copy()
    x[7] = np.clip(x[7], 0.5 * x[7].min(), 0.5 * x[7].max())  # saturated at half its range
    defects["one clipped lead"] = x
    x = base.signal.copy() + 0.5 * np.sin(2 * np.pi * 0.3 * base.times)
    defects["0.5 mV 0.3 Hz baseline wander"] = x
    for name, x in defects.items():
        m = measure(ECG(x, fs=base.fs, leads=base.leads))
        d = max(_delta(m, ref, k) for k in INTERVALS)
        rows.append({"case": name, "records": 1,
                     "result": f"status {m['status']}, unusable: {m['unusable_leads'] or '-'}, max |Δ| {d:.0f} ms",
                     "target": "others measured", "met": m["status"] == "ok" and d <= 5})  # fmt: skip
    m = measure(ECG(base.signal * 1000, fs=base.fs, leads=base.leads))
    rows.append({"case": "µV passed as mV", "records": 1, "result": f"status {m['status']}: {m['reason'][:60]}…",
                 "target": "not ok, says units", "met": m["status"] != "ok" and "units" in m["reason"]})  # fmt: skip
    odd = ECG(base.signal[:2], fs=base.fs, leads=["ECG1", "EKG 2"])
    m = measure(odd)
    rows.append({"case": "leads named ECG1, EKG 2", "records": 1,
                 "result": f"status {m['status']}, HR {m['heart_rate']:.1f} (12-lead {ref['heart_rate']:.1f})",
                 "target": "measured", "met": m["status"] == "ok"})  # fmt: skip

    table = pd.DataFrame(rows)
    pd.set_option("display.width", 250)
    pd.set_option("display.max_colwidth", 90)
    print(table.to_string(index=False))
    print(
        f"\n{len(records)} real records ({len(valid)} measured when clean); {time.perf_counter() - t0:.0f} s"
    )


def _delta(m: pd.Series, ref: pd.Series, key: str) -> float:
    a, b = m[key], ref[key]
    if np.isnan(a) and np.isnan(b):
        return 0.0
    return float(abs(a - b)) if np.isfinite(a) and np.isfinite(b) else np.inf


def _delta_row(case: str, worst: list[float], limit: float) -> dict:
    w = np.asarray(worst)
    return {
        "case": case,
        "records": w.size,
        "result": f"worst |Δ| of PR/QRS/QT: median {np.median(w):.1f} ms, "
        f"{np.mean(w <= limit):.1%} within {limit:g} ms, max {w.max():.0f}",
        "target": f"≤ {limit:g} ms",
        "met": bool(np.mean(w <= limit) == 1.0),
    }


if __name__ == "__main__":
    main()
