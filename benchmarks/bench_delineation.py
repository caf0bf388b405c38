"""Benchmark of R-peak detection, delineation and global intervals (issues 3 and 7).

Computes, on the shared real data (``../shared/data`` or ``$ECGTOOLKIT_DATA``):

* LUDB (12 leads, 500 Hz, expert P/QRS/T marks per lead), all 150 shared records, by
  5-fold cross-validation over whole records (``ludb_split.ludb_folds``): each record
  is scored with the segmentation network trained on the other four folds only
  (``train_segmenter.py --fold K``), so no figure comes from a record the network saw.
  Per lead, inside the annotated span, with a 150 ms matching window: QRS F1, mean ± SD
  of (detected − expert) for P_on, P_off, QRS_on, QRS_off, T_off and the share of
  annotated waves found; the share of beats of AF / flutter records where a P wave is
  reported; global PR, QRS, QT and heart rate against the expert reference (earliest
  onset / latest offset over leads with the wave annotated, at least 8 leads, median
  over beats), mean absolute error.
* Lead II and lead V2 measured alone (a one-lead ECG) against the experts' marks of the
  same lead: QRS duration and QT, mean error ± SD.
* R-peak F1 on CPSC2019 (noisy single-lead strips, 75 ms window as in the challenge),
  CPSC2021 (AF, 150 ms) and MIT-BIH 100 (150 ms).
* Speed: ``measure()`` of one 12-lead 10 s record vs NeuroKit2's per-lead pipeline
  (``ecg_clean``, ``ecg_peaks``, ``ecg_delineate(method="dwt")`` on each of 12 leads) in
  the same run; R-peak detection time per hour of single-lead signal (MIT-BIH 100).
  Times are the best of several repeats (``timeit``'s advice), for both methods.

NeuroKit2 is run on the same records with the same scoring, side by side, and so is
ecgdeli (the Python port of KIT-IBT's ECGdeli) where it is installed in the benchmark
environment (``pip install ecgdeli``; GPL-3.0, so never a dependency of the package).

Run: ``PYTHONPATH=. python benchmarks/bench_delineation.py [--quick] [--no-neurokit]``
after training the five fold networks (``make train-segmenter``). One process is used.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ludb_split import ludb_folds  # noqa: E402

from ecgtoolkit import ECG  # noqa: E402
from ecgtoolkit.databases import data_dir  # noqa: E402
from ecgtoolkit.measurement.measure import measure  # noqa: E402
from ecgtoolkit.signal import segmenter  # noqa: E402
from ecgtoolkit.signal.delineation import FIDUCIAL_COLUMNS, delineate  # noqa: E402
from ecgtoolkit.signal.rpeaks import detect_rpeaks  # noqa: E402

LUDB_LEADS = ("i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6")
STD_LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
WINDOW_MS = 150.0
BEAT_SYMBOLS = set("NLRBAaJSVrFejnE/fQ?")
FIDUCIALS = ("P_on", "P_off", "QRS_on", "QRS_off", "T_off")


# ---------------------------------------------------------------------------------------
# loading
def load_ludb(folder: Path, record: int) -> tuple[ECG, pd.DataFrame]:
    """One LUDB record and its expert marks: one row per (lead, wave)."""
    import wfdb

    rec = wfdb.rdrecord(str(folder / str(record)))
    ecg = ECG(rec.p_signal.T, fs=rec.fs, leads=list(STD_LEADS), meta={"record": record})
    rows = []
    for ext, lead in zip(LUDB_LEADS, STD_LEADS, strict=True):
        ann = wfdb.rdann(str(folder / str(record)), ext)
        sym, smp = ann.symbol, ann.sample
        for k, s in enumerate(sym):
            if s not in ("p", "N", "t"):
                continue
            on = smp[k - 1] if k > 0 and sym[k - 1] == "(" else np.nan
            off = smp[k + 1] if k + 1 < len(sym) and sym[k + 1] == ")" else np.nan
            rows.append(
                {
                    "lead": lead,
                    "wave": {"p": "P", "N": "QRS", "t": "T"}[s],
                    "on": on,
                    "peak": smp[k],
                    "off": off,
                }
            )
    return ecg, pd.DataFrame(rows)


def ludb_rhythms(folder: Path) -> dict[int, str]:
    table = pd.read_csv(folder / "ludb.csv")
    return {int(i): str(r).strip() for i, r in zip(table["ID"], table["Rhythms"], strict=True)}


def is_atrial_arrhythmia(rhythm: str) -> bool:
    r = rhythm.lower()
    return "fibrillation" in r or "flutter" in r


# ---------------------------------------------------------------------------------------
# scoring
def match(ref: np.ndarray, det: np.ndarray, window: float) -> tuple[int, int, int]:
    """Greedy one-to-one matching of sorted event times; returns TP, FP, FN."""
    ref = np.sort(np.asarray(ref, dtype=float))
    det = np.sort(np.asarray(det, dtype=float))
    used = np.zeros(det.size, bool)
    tp = 0
    for r in ref:
        if det.size == 0:
            break
        j = np.searchsorted(det, r)
        best, best_d = -1, window + 1
        for k in (j - 1, j, j + 1):
            if (
                0 <= k < det.size
                and not used[k]
                and abs(det[k] - r) <= window
                and abs(det[k] - r) < best_d
            ):
                best, best_d = k, abs(det[k] - r)
        if best >= 0:
            used[best] = True
            tp += 1
    return tp, det.size - tp, ref.size - tp


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / max(1, 2 * tp + fp + fn)


def _empty_tally() -> dict:
    """Counts and error lists of the per-lead scoring, pooled over records."""
    return {
        "tp": 0,
        "fp": 0,
        "fn": 0,
        "err": {k: [] for k in FIDUCIALS},
        "n_ref": dict.fromkeys(FIDUCIALS, 0),
        "n_found": dict.fromkeys(FIDUCIALS, 0),
        "p_beats": 0,
        "beats": 0,
    }


def score_ludb_record(result: pd.DataFrame, truth: pd.DataFrame, fs: float, af: bool) -> dict:
    """Per-lead scoring of one record's delineation against the expert marks.

    ``result`` has the columns of :func:`ecgtoolkit.signal.delineation.delineate`.
    Returns counts and lists of errors (ms) to pool over records.
    """
    win = WINDOW_MS / 1000 * fs
    out = _empty_tally()
    qrs_truth = truth[truth.wave == "QRS"]
    span_lo = truth[["on", "peak"]].min().min()
    span_hi = truth[["peak", "off"]].max().max()
    for lead in STD_LEADS:
        det = result[result.lead == lead]
        ref = truth[truth.lead == lead]
        det_in = det[(det.R_peak >= span_lo - win / 2) & (det.R_peak <= span_hi + win / 2)]
        r_ref = ref[ref.wave == "QRS"].peak.to_numpy(float)
        if r_ref.size == 0:
            r_ref = qrs_truth.peak.to_numpy(float)
        tp, fp, fn = match(r_ref, det_in.R_peak.to_numpy(float), win)
        out["tp"] += tp
        out["fp"] += fp
        out["fn"] += fn
        if af:
            out["beats"] += len(det_in)
            out["p_beats"] += int(det_in.P_peak.notna().sum())
        for wave, cols in (
            ("P", ("P_on", "P_off", "P_peak")),
            ("QRS", ("QRS_on", "QRS_off", "R_peak")),
            ("T", (None, "T_off", "T_peak")),
        ):
            on_col, off_col, peak_col = cols
            for _, w in ref[ref.wave == wave].iterrows():
                for col, key in ((on_col, "on"), (off_col, "off")):
                    if col is None or np.isnan(w[key]):
                        continue
                    out["n_ref"][col] += 1
                    vals = det[col].to_numpy(float)
                    ok = np.isfinite(vals)
                    if not ok.any():
                        continue
                    d = vals[ok] - w[key]
                    k = np.argmin(np.abs(d))
                    if abs(d[k]) <= win:
                        out["n_found"][col] += 1
                        out["err"][col].append(d[k] / fs * 1000)
    return out


def reference_globals(truth: pd.DataFrame, fs: float) -> dict:
    """Expert global PR, QRS, QT (ms) and heart rate (bpm) of one record.

    Beats are grouped by the QRS of lead II (else the lead with most QRS marks); per
    beat, earliest onset / latest offset over the leads where the wave is annotated,
    kept when at least 8 leads annotate it; median over beats.
    """
    qrs = truth[truth.wave == "QRS"]
    anchor_lead = qrs.lead.value_counts().idxmax()
    anchors = np.sort(qrs[qrs.lead == anchor_lead].peak.to_numpy(float))
    pr, qd, qt = [], [], []
    for a in anchors:
        near = truth[(truth.peak > a - 0.45 * fs) & (truth.peak < a + 0.7 * fs)]
        q = near[(near.wave == "QRS") & ((near.peak - a).abs() < 0.1 * fs)]
        p = near[(near.wave == "P") & (near.peak < a) & (near.peak > a - 0.45 * fs)]
        t = near[(near.wave == "T") & (near.peak > a)]
        if q.on.notna().sum() >= 8 and q.off.notna().sum() >= 8:
            q_on, q_off = q.on.min(), q.off.max()
            qd.append(q_off - q_on)
            if p.on.notna().sum() >= 8:
                pr.append(q_on - p.on.min())
            if t.off.notna().sum() >= 8:
                qt.append(t.off.max() - q_on)
    ms = 1000 / fs
    rr = np.diff(anchors) / fs
    return {
        "pr_ms": np.median(pr) * ms if pr else np.nan,
        "qrs_ms": np.median(qd) * ms if qd else np.nan,
        "qt_ms": np.median(qt) * ms if qt else np.nan,
        "heart_rate": 60 / np.mean(rr) if rr.size else np.nan,
    }


# ---------------------------------------------------------------------------------------
# NeuroKit2 per-lead pipeline (the baseline of the issue)
def neurokit_delineate(ecg: ECG) -> pd.DataFrame:
    import neurokit2 as nk

    fs = ecg.fs
    frames = []
    for i, lead in enumerate(ecg.leads):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                clean = nk.ecg_clean(ecg.signal[i], sampling_rate=fs)
                _, info = nk.ecg_peaks(clean, sampling_rate=fs)
                r = np.asarray(info["ECG_R_Peaks"], dtype=float)
                _, waves = nk.ecg_delineate(
                    clean, info["ECG_R_Peaks"], sampling_rate=fs, method="dwt"
                )
            except Exception:  # noqa: BLE001 - a failed lead is a miss, as for a user
                continue
        n = r.size

        def col(name: str, n: int = n, waves: dict = waves) -> np.ndarray:
            v = np.asarray(waves.get(name, [np.nan] * n), dtype=float)
            return v[:n] if v.size >= n else np.r_[v, np.full(n - v.size, np.nan)]

        frames.append(
            pd.DataFrame(
                {
                    "lead": lead,
                    "beat": np.arange(n),
                    "P_on": col("ECG_P_Onsets"),
                    "P_peak": col("ECG_P_Peaks"),
                    "P_off": col("ECG_P_Offsets"),
                    "QRS_on": col("ECG_R_Onsets"),
                    "R_peak": r,
                    "QRS_off": col("ECG_R_Offsets"),
                    "T_on": col("ECG_T_Onsets"),
                    "T_peak": col("ECG_T_Peaks"),
                    "T_off": col("ECG_T_Offsets"),
                }
            )
        )
    return (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["lead", "R_peak"])
    )


def ecgdeli_delineate(ecg: ECG) -> tuple[pd.DataFrame, dict]:
    """ecgdeli (Python port of KIT-IBT ECGdeli; GPL, benchmark only) on all leads.

    Its reference pipeline: ``annotate(filter_ecg(signal, fs), fs)``. Per-lead marks come
    from ``ann.leads``; global intervals from its cross-lead consensus (``ann.consensus``),
    median over beats.
    """
    import ecgdeli

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ann = ecgdeli.annotate(ecgdeli.filter_ecg(ecg.signal.T, fs=ecg.fs), fs=ecg.fs)

    names = ("p_on", "p_peak", "p_off", "qrs_on", "r_peak", "qrs_off", "t_on", "t_peak", "t_off")

    def table(fpt, lead: str) -> pd.DataFrame:
        data = {"lead": lead, "beat": np.arange(len(fpt.r_peak))}
        for column, name in zip(FIDUCIAL_COLUMNS, names, strict=True):
            raw = np.asarray(getattr(fpt, name))
            data[column] = np.where(raw == ecgdeli.fpt.MISSING, np.nan, raw.astype(float))
        return pd.DataFrame(data)

    per_lead = pd.concat(
        [table(fpt, lead) for lead, fpt in zip(ecg.leads, ann.leads, strict=True)],
        ignore_index=True,
    )
    return per_lead, globals_from_delineation(table(ann.consensus, "consensus"), ecg.fs)


def has_ecgdeli() -> bool:
    try:
        import ecgdeli  # noqa: F401
    except ImportError:
        return False
    return True


def globals_from_delineation(
    result: pd.DataFrame, fs: float, leads: tuple[str, ...] | None = None
) -> dict:
    """Global intervals from a per-lead table, as the issue measures NeuroKit2 on lead II."""
    d = result if leads is None else result[result.lead.isin(leads)]
    ms = 1000 / fs
    r = np.sort(d.R_peak.dropna().unique())

    def median(values: pd.Series) -> float:
        v = values.to_numpy(float)
        v = v[np.isfinite(v)]
        return float(np.median(v)) * ms if v.size else np.nan

    return {
        "pr_ms": median(d.QRS_on - d.P_on),
        "qrs_ms": median(d.QRS_off - d.QRS_on),
        "qt_ms": median(d.T_off - d.QRS_on),
        "heart_rate": 60 / np.mean(np.diff(r) / fs) if r.size > 1 else np.nan,
    }


# ---------------------------------------------------------------------------------------
# R-peak databases
def rpeak_sets(
    root: Path,
) -> dict[str, list[tuple[np.ndarray, float, list[str], np.ndarray, float]]]:
    """(signal (leads, samples) mV, fs, leads, reference R peaks, window ms) per database."""
    import scipy.io
    import wfdb

    sets: dict[str, list] = {"CPSC2019": [], "CPSC2021": [], "MIT-BIH 100": []}
    for path in sorted((root / "cpsc2019" / "data").glob("data_*.mat")):
        x = scipy.io.loadmat(path)["ecg"].astype(float).ravel()
        ref = scipy.io.loadmat(root / "cpsc2019" / "ref" / path.name.replace("data_", "R_"))[
            "R_peak"
        ].ravel()
        sets["CPSC2019"].append((x[None], 500.0, ["II"], ref.astype(float), 75.0))
    for hea in sorted((root / "cpsc2021").glob("*.hea")):
        rec = wfdb.rdrecord(str(hea.with_suffix("")))
        ann = wfdb.rdann(str(hea.with_suffix("")), "atr")
        ref = np.array(
            [s for s, y in zip(ann.sample, ann.symbol, strict=True) if y in BEAT_SYMBOLS], float
        )
        sets["CPSC2021"].append((rec.p_signal.T, float(rec.fs), rec.sig_name, ref, 150.0))
    rec = wfdb.rdrecord(str(root / "mitdb" / "100"))
    ann = wfdb.rdann(str(root / "mitdb" / "100"), "atr")
    ref = np.array(
        [s for s, y in zip(ann.sample, ann.symbol, strict=True) if y in BEAT_SYMBOLS], float
    )
    sets["MIT-BIH 100"].append((rec.p_signal.T, float(rec.fs), ["II", "V5"], ref, 150.0))
    return sets


def neurokit_rpeaks(x: np.ndarray, fs: float) -> np.ndarray:
    import neurokit2 as nk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = nk.ecg_clean(x[0], sampling_rate=fs)
        _, info = nk.ecg_peaks(clean, sampling_rate=fs)
    return np.asarray(info["ECG_R_Peaks"], dtype=float)


def score_rpeaks(sets: dict, use_neurokit: bool) -> list[dict]:
    rows = []
    for name, records in sets.items():
        for method in ("ecgtoolkit", "NeuroKit2") if use_neurokit else ("ecgtoolkit",):
            tp = fp = fn = 0
            for x, fs, leads, ref, win_ms in records:
                # The first and last second are not always annotated.
                if method == "ecgtoolkit":
                    det = detect_rpeaks(ECG(x, fs=fs, leads=leads)).astype(float)
                else:
                    det = neurokit_rpeaks(x, fs)
                lo, hi = ref.min() - 0.5 * fs, ref.max() + 0.5 * fs
                det = det[(det >= lo) & (det <= hi)]
                a, b, c = match(ref, det, win_ms / 1000 * fs)
                tp, fp, fn = tp + a, fp + b, fn + c
            rows.append({"set": name, "method": method, "f1": f1(tp, fp, fn), "fp": fp, "fn": fn})
    return rows


# ---------------------------------------------------------------------------------------
FOLD_WEIGHTS = Path(__file__).resolve().parent / "folds" / "segmenter_fold{}.pt"


def fold_weights(folder: Path) -> dict[int, Path]:
    """Record -> the weights of the network trained without that record's fold."""
    out = {}
    for k, records in enumerate(ludb_folds(folder)):
        path = Path(str(FOLD_WEIGHTS).format(k))
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing: train it with benchmarks/train_segmenter.py --fold {k}"
            )
        out.update(dict.fromkeys(records, path))
    return out


def _weights_for(record: int, weights: dict[int, Path] | None):
    """A context that runs the network of the record's fold (or the shipped one)."""
    import contextlib

    if weights is None:
        return contextlib.nullcontext()
    return segmenter.weights(weights[record])


def expert_lead_durations(truth: pd.DataFrame, lead: str, fs: float) -> dict:
    """One lead's expert QRS duration and QT (ms), median over its beats."""
    ref = truth[truth.lead == lead]
    qrs = ref[(ref.wave == "QRS")].dropna(subset=["on", "off"]).sort_values("peak")
    t = ref[(ref.wave == "T")].dropna(subset=["off"]).sort_values("peak")
    qt = []
    for q in qrs.itertuples():
        after = t[t.peak > q.peak]
        if len(after) and after.peak.iloc[0] - q.peak < 0.7 * fs:
            qt.append(after.off.iloc[0] - q.on)
    ms = 1000 / fs
    return {
        "qrs_ms": float(np.median(qrs.off - qrs.on)) * ms if len(qrs) else np.nan,
        "qt_ms": float(np.median(qt)) * ms if qt else np.nan,
    }


def evaluate_single_leads(
    folder: Path, records: list[int], weights: dict[int, Path] | None, leads=("II", "V2")
) -> list[dict]:
    """Each lead measured alone against the experts of the same lead: error (ms)."""
    errors = {(lead, k): [] for lead in leads for k in ("qrs_ms", "qt_ms")}
    for record in records:
        ecg, truth = load_ludb(folder, record)
        with _weights_for(record, weights):
            for lead in leads:
                m = measure(ecg[[lead]])
                ref = expert_lead_durations(truth, lead, ecg.fs)
                for k in ("qrs_ms", "qt_ms"):
                    if np.isfinite(m[k]) and np.isfinite(ref[k]):
                        errors[(lead, k)].append(m[k] - ref[k])
    rows = []
    for (lead, k), e in errors.items():
        e = np.asarray(e)
        rows.append({"lead alone": lead, "interval": k, "records": e.size,
                     "mean error ms": e.mean(), "SD ms": e.std(), "MAE ms": np.abs(e).mean()})  # fmt: skip
    return rows


def evaluate_ludb(
    folder: Path, records: list[int], method: str, weights: dict[int, Path] | None = None
) -> dict:
    rhythms = ludb_rhythms(folder)
    pooled = _empty_tally()
    glob_err: dict[str, list[float]] = {"pr_ms": [], "qrs_ms": [], "qt_ms": [], "heart_rate": []}
    seconds = 0.0
    for record in records:
        ecg, truth = load_ludb(folder, record)
        af = is_atrial_arrhythmia(rhythms.get(record, ""))
        t0 = time.perf_counter()
        if method == "ecgtoolkit":
            with _weights_for(record, weights):
                result = delineate(ecg)
                glob = measure(ecg)
        elif method == "ecgdeli":
            result, glob = ecgdeli_delineate(ecg)
        else:
            result = neurokit_delineate(ecg)
            glob = globals_from_delineation(result, ecg.fs, ("II",))
        seconds += time.perf_counter() - t0
        s = score_ludb_record(result, truth, ecg.fs, af)
        for key in ("tp", "fp", "fn", "p_beats", "beats"):
            pooled[key] += s[key]
        for k in FIDUCIALS:
            pooled["err"][k] += s["err"][k]
            pooled["n_ref"][k] += s["n_ref"][k]
            pooled["n_found"][k] += s["n_found"][k]
        ref = reference_globals(truth, ecg.fs)
        for k in glob_err:
            if k == "pr_ms" and af:
                continue
            if np.isfinite(ref[k]) and np.isfinite(glob[k]):
                glob_err[k].append(abs(glob[k] - ref[k]))
    row: dict[str, object] = {
        "method": method,
        "records": len(records),
        "QRS F1 %": 100 * f1(pooled["tp"], pooled["fp"], pooled["fn"]),
    }
    for k in FIDUCIALS:
        e = np.asarray(pooled["err"][k])
        row[k] = f"{e.mean():+.1f} ± {e.std():.1f}" if e.size else "-"
        row[f"{k} found %"] = 100 * pooled["n_found"][k] / max(1, pooled["n_ref"][k])
    row["P in AF %"] = 100 * pooled["p_beats"] / max(1, pooled["beats"])
    for k, v in glob_err.items():
        row[f"MAE {k}"] = float(np.mean(v)) if v else np.nan
    row["s/record"] = seconds / len(records)
    return row


def best_time(func, repeats: int, number: int = 1) -> float:
    """Best of ``repeats`` mean times of ``number`` calls (s), as ``timeit`` advises:
    the minimum is the least disturbed by other work on the machine."""
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            func()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def speed(folder: Path, records: list[int], use_neurokit: bool, use_ecgdeli: bool) -> dict:
    ecg, _ = load_ludb(folder, records[0])
    measure(ecg)  # loads the network
    ours = best_time(lambda: measure(ecg), repeats=5, number=10)
    out = {"measure() s/record": ours}
    if use_neurokit:
        nk_time = best_time(lambda: neurokit_delineate(ecg), repeats=3)
        out["NeuroKit2 s/record"] = nk_time
        out["speed-up x"] = nk_time / ours
    if use_ecgdeli:
        deli_time = best_time(lambda: ecgdeli_delineate(ecg), repeats=3)
        out["ecgdeli s/record"] = deli_time
        out["speed-up vs ecgdeli x"] = deli_time / ours
    import wfdb

    rec = wfdb.rdrecord(str(folder.parent / "mitdb" / "100"))
    single = ECG(rec.p_signal.T[:1], fs=rec.fs, leads=["II"])
    hours = single.duration_s / 3600
    out["detect_rpeaks s/hour (1 lead)"] = best_time(lambda: detect_rpeaks(single), 3) / hours
    dsp = best_time(lambda: detect_rpeaks(single, method="dsp"), 3) / hours
    out["detect_rpeaks(method='dsp') s/hour (1 lead)"] = dsp
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="first 6 records of each fold only")
    parser.add_argument("--no-neurokit", action="store_true", help="skip the NeuroKit2 baseline")
    parser.add_argument("--no-ecgdeli", action="store_true", help="skip ecgdeli if installed")
    parser.add_argument(
        "--shipped",
        action="store_true",
        help="score every record with the shipped network (trained on all of them: "
        "flattering) instead of its cross-validation fold's network",
    )
    args = parser.parse_args(argv)
    root = data_dir(required=True)
    folder = root / "ludb"
    folds = ludb_folds(folder)
    if args.quick:
        folds = [f[:6] for f in folds]
    records = sorted(r for f in folds for r in f)
    weights = None if args.shipped else fold_weights(folder)
    methods = ["ecgtoolkit"] + ([] if args.no_neurokit else ["NeuroKit2"])
    if has_ecgdeli() and not args.no_ecgdeli:
        methods.append("ecgdeli")
    else:
        print("ecgdeli not installed (pip install ecgdeli): left out of the comparison\n")
    label = "shipped network" if args.shipped else f"{len(folds)}-fold cross-validation"
    rows = [
        {"records": f"{len(records)} LUDB ({label})" if m == "ecgtoolkit" else f"{len(records)} LUDB",
         **evaluate_ludb(folder, records, m, weights if m == "ecgtoolkit" else None)}
        for m in methods
    ]  # fmt: skip
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 40)
    table = pd.DataFrame(rows)
    print("LUDB, per lead inside the annotated span, 150 ms window, error = detected - expert (ms)")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print()
    print("One lead measured alone against the experts of that lead (measured - expert, ms)")
    single = pd.DataFrame(evaluate_single_leads(folder, records, weights))
    print(single.to_string(index=False, float_format=lambda v: f"{v:+.1f}"))
    print()
    print("R-peak F1")
    print(
        pd.DataFrame(score_rpeaks(rpeak_sets(root), not args.no_neurokit)).to_string(
            index=False, float_format=lambda v: f"{v:.4f}"
        )
    )
    print()
    print("Speed (one process)")
    for k, v in speed(folder, records, not args.no_neurokit, "ecgdeli" in methods).items():
        print(f"  {k}: {v:.4f}")


if __name__ == "__main__":
    main()
