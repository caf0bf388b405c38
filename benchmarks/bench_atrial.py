"""Atrial activity: does the QRS–T-cancelled residual tell fibrillating atria, and at what cost?

``measure`` reports ``atrial_rate_bpm``, ``atrial_amplitude_mv`` and
``atrial_organisation`` (:func:`ecgtoolkit.signal.atrial.atrial_activity`); ``interpret``
uses them where the RR intervals cannot tell: a regular rhythm without P waves (flutter
with fixed conduction, fibrillation with a regular ventricular response) and ventricular
pacing (where the pacemaker sets the RR intervals).

1. LUDB (150 shared records): the one constant chosen on data,
   ``ATRIAL_ACTIVITY_MV``, is chosen by the shipped rule (the smallest value on a
   2.5-µV grid that leaves at most 3% of the sinus records above it, with an atrial
   rate ≥ 240/min) on four folds of whole records (``ludb_split.ludb_folds``) and the
   rhythm statements are scored on the fifth with it. Every record is measured with
   the segmentation network of its cross-validation fold, which never saw it
   (``ludb_cv.cv_measurements``, ``benchmarks/folds/``).
2. CPSC 2021 (9 records, leads I and II at 200 Hz, no part of the toolkit was
   developed on it): non-overlapping 10-s windows lying wholly in atrial fibrillation or
   wholly outside it (the rhythm annotations; the header's class for records without
   them), interpreted with the shipped constant, with and without the atrial columns.

Run: ``.venv/bin/python benchmarks/bench_atrial.py`` (about two minutes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ludb_cv import cv_measurements  # noqa: E402
from ludb_split import ludb_folds  # noqa: E402

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.databases import data_dir  # noqa: E402
from ecgtoolkit.databases.ludb import ludb_labels  # noqa: E402
from ecgtoolkit.measurement import interpretation  # noqa: E402

GRID_MV = np.round(np.arange(0.005, 0.0601, 0.0025), 4)
SINUS_ABOVE = 0.03
ATRIAL_COLUMNS = ["atrial_rate_bpm", "atrial_amplitude_mv", "atrial_organisation"]
AF_CALLS = ("atrial fibrillation", "atrial flutter")


def choose_threshold(table: pd.DataFrame, sinus: pd.Series) -> float:
    """The shipped rule: the smallest amplitude leaving ≤ 3% of sinus records active."""
    fast = table["atrial_rate_bpm"] >= interpretation.ATRIAL_MIN_RATE_BPM
    for value in GRID_MV:
        if ((table["atrial_amplitude_mv"] >= value) & fast)[sinus].mean() <= SINUS_ABOVE:
            return float(value)
    return float(GRID_MV[-1])


def rhythms(table: pd.DataFrame, threshold: float | None) -> pd.Series:
    """interpret()'s rhythm with the atrial threshold given (None: without atrial columns)."""
    shipped = interpretation.ATRIAL_ACTIVITY_MV
    try:
        if threshold is None:
            table = table.drop(columns=ATRIAL_COLUMNS)
        else:
            interpretation.ATRIAL_ACTIVITY_MV = threshold
        return et.interpret(table)["rhythm"]
    finally:
        interpretation.ATRIAL_ACTIVITY_MV = shipped


def ludb(root: Path) -> None:
    folder = root / "ludb"
    measured = cv_measurements(folder)
    meta = ludb_labels(folder).loc[measured.index]
    af = meta["rhythm"].str.contains("fibrillation|flutter", case=False)
    sinus = meta["rhythm"].str.startswith("Sinus")
    said_cv = pd.Series("", index=measured.index)
    for k, fold in enumerate(ludb_folds(folder)):
        test = measured.index.isin(fold)
        value = choose_threshold(measured[~test], sinus[~test])
        said_cv[test] = rhythms(measured[test], value)
        print(f"fold {k}: ATRIAL_ACTIVITY_MV = {value:g}")
    before = rhythms(measured, None)
    rows = []
    for name, said in (("without atrial activity", before), ("cross-validated", said_cv)):
        called = said.isin(AF_CALLS)
        rows.append(
            {"LUDB": name,
             "AF/flutter called AF/flutter": f"{called[af].sum()}/{af.sum()}",
             "of them paced": f"{called[af & meta['paced']].sum()}/{(af & meta['paced']).sum()}",
             "sinus not called AF/flutter": f"{(~called[sinus]).sum()}/{sinus.sum()}",
             "flutter called flutter": f"{(said[meta['rhythm'].str.contains('flutter')] == 'atrial flutter').sum()}"
                                       f"/{meta['rhythm'].str.contains('flutter').sum()}"}
        )  # fmt: skip
    print(pd.DataFrame(rows).to_string(index=False))
    wrong = (said_cv.isin(AF_CALLS) != af) & (af | sinus)
    print("\ndisagreements (cross-validated):")
    print(pd.DataFrame({"label": meta["rhythm"], "said": said_cv})[wrong].to_string())
    groups = np.where(af, "AF/flutter", np.where(sinus, "sinus", "other"))
    print("\natrial amplitude (µV) by group, quantiles 0 / 10 / 50 / 90 / 100 %:")
    amp = measured["atrial_amplitude_mv"] * 1000
    print(amp.groupby(groups).quantile([0, 0.1, 0.5, 0.9, 1]).unstack().round(1).to_string())


def cpsc2021_windows(folder: Path) -> tuple[et.ECG, np.ndarray]:
    """10-s windows wholly in AF (True) or wholly outside it (False)."""
    import wfdb

    windows, labels = [], []
    for header in sorted(folder.glob("*.hea")):
        record = header.with_suffix("")
        ecg = et.read(record)
        fs, n = ecg.fs, ecg.n_samples
        kind = " ".join(wfdb.rdheader(str(record)).comments)
        af = np.full(n, "persistent" in kind)
        if "paroxysmal" in kind:
            ann = wfdb.rdann(str(record), "atr")
            state = False
            marks = [(s, note) for s, note in zip(ann.sample, ann.aux_note, strict=True) if note]
            for (start, note), nxt in zip(marks, [*marks[1:], (n, "")], strict=True):
                if note.startswith("(AFIB"):
                    state = True
                elif note.startswith("("):
                    state = False
                af[start : nxt[0]] = state
        size = int(10 * fs)
        for start in range(0, n - size + 1, size):
            part = af[start : start + size]
            if part.all() or not part.any():
                windows.append(ecg.signal[:, start : start + size])
                labels.append(bool(part[0]))
    return et.ECG(np.stack(windows), fs=fs, leads=list(ecg.leads)), np.array(labels)


def cpsc2021(root: Path) -> None:
    batch, af = cpsc2021_windows(root / "cpsc2021")
    measured = et.measure(batch, progress=False)
    rows = []
    for name, threshold in (("without atrial activity", None),
                            ("with atrial activity", interpretation.ATRIAL_ACTIVITY_MV)):  # fmt: skip
        called = rhythms(measured, threshold).isin(AF_CALLS).to_numpy()
        rows.append(
            {"CPSC 2021 10-s windows": name,
             "AF windows called AF/flutter": f"{called[af].sum()}/{af.sum()} ({called[af].mean():.1%})",
             "non-AF windows called AF/flutter": f"{called[~af].sum()}/{(~af).sum()} ({called[~af].mean():.1%})"}
        )  # fmt: skip
    print(pd.DataFrame(rows).to_string(index=False))


def main() -> None:
    root = data_dir()
    ludb(root)
    print()
    cpsc2021(root)


if __name__ == "__main__":
    main()
