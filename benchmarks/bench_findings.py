"""How the findings rules of ``interpret()`` agree with cardiologists and beat annotations.

The rules (``ecgtoolkit.measurement.findings``, ``ecgtoolkit.measurement.events``) take
every limit from the literature (Sokolow–Lyon, Cornell, the universal MI definition's ST
limits, the 20% prematurity rule); none was chosen on these records, so the figures
below need no cross-validation. The measurements are honest ones all the same:

* LUDB: every record measured with the segmentation network of its cross-validation
  fold (``ludb_cv.py``), against the labels of ``ludb.csv``: left ventricular
  hypertrophy, extrasystoles, ischaemia/ST-T labels, AV block, and ``is_normal`` on the
  fully normal, the major abnormal and the other abnormal records;
* PhysioNet/CinC 2021 (never seen by the network): premature atrial and ventricular
  contractions, LVH, T-wave inversion from the SNOMED-CT codes;
* MIT-BIH record 100 and the CPSC 2021 records: beat by beat, the premature atrial (A)
  and ventricular (V) beats of the reference annotations in 10-s windows outside atrial
  fibrillation, against ``classify_beats`` (a labelled beat within 75 ms of the R peak);
  and MIT-BIH 100 whole, as one 30-min record.

Run: ``python benchmarks/bench_findings.py`` (needs the shared data; about 3 minutes).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import wfdb  # noqa: F401  (imported before any warnings filter)

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ludb_cv import cv_measurements, ludb_labels  # noqa: E402

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.databases import data_dir  # noqa: E402

MATCH_S = 0.075


def _rate(hit: pd.Series) -> str:
    return f"{hit.mean():.1%} ({int(hit.sum())}/{hit.size})" if hit.size else "n/a (0)"


def ludb(folder: Path) -> None:
    table = cv_measurements(folder)
    labels = ludb_labels(folder).loc[table.index]
    table = table.assign(sex=labels["sex"])
    said = et.interpret(table)
    print(f"LUDB, {len(table)} records, every one measured with its fold's network\n")
    lvh = labels["hypertrophy"].str.contains("Left ventricular hypertrophy", regex=False)
    wide = table["qrs_ms"] >= 120
    print("Left ventricular hypertrophy (rows: cardiologists, columns: voltage criteria; "
          "QRS < 120 ms only):")  # fmt: skip
    print(pd.crosstab(lvh[~wide].rename("labelled LVH"), said["lvh"][~wide]).to_string())
    extr = labels["extrasystoles"]
    for kind, column in (("Atrial", "premature_atrial"), ("Ventricular", "premature_ventricular")):
        has = extr.str.contains(f"{kind} extrasystole", regex=False)
        found = said[column] > 0
        print(
            f"\n{kind} extrasystoles labelled: found in {_rate(found[has])}; "
            f"called in records without any extrasystole label: "
            f"{_rate(found[extr == ''])}"
        )
    ischaemia = labels["ischaemia"]
    stemi = ischaemia.str.contains("Stemi", regex=False)
    any_ischaemia = ischaemia != ""
    repolarisation = labels["repolarization"] != ""
    st_t = (
        (said["st_elevation"] != "")
        | (said["st_depression"] != "")
        | (said["t_wave_inversion"] != "")
    )
    print(
        f"\nST elevation in the STEMI-labelled records: {_rate((said['st_elevation'] != '')[stemi])}; "
        f"any ST-T change in records with an ischaemia/scar label: {_rate(st_t[any_ischaemia])}; "
        f"in the fully normal records: {_rate(st_t[labels['fully_normal']])}; in records "
        f"with a repolarisation label: {_rate(st_t[repolarisation])}"
    )
    print(
        f"  T inversion in the STEMI-labelled records: "
        f"{_rate((said['t_wave_inversion'] != '')[stemi])}"
    )
    for column in ("st_elevation", "st_depression", "t_wave_inversion", "flat_t_waves"):
        print(
            f"  {column}: ischaemia/scar label {_rate((said[column] != '')[any_ischaemia])}, "
            f"fully normal {_rate((said[column] != '')[labels['fully_normal']])}"
        )
    avb = labels["conduction"].str.contains("Iii degree", regex=False)
    print(
        f"\nThird-degree AV block labelled: {int(avb.sum())} records, all paced "
        f"({int((avb & labels['paced']).sum())}): interpret says "
        f"{said['rhythm'][avb].value_counts().to_dict()} (no AV-block statement under pacing)"
    )
    print(
        f"AV-block statements on the other records: {said['av_block'][~avb].value_counts().to_dict()}"
    )
    normal = et.is_normal(table)
    passed = normal["normal"][labels["fully_normal"]]
    failed = ~normal["normal"][labels["major_abnormal"]]
    other = ~labels["fully_normal"] & ~labels["major_abnormal"]
    print(
        f"\nis_normal: fully normal passing {_rate(passed)}; AF/flutter, complete BBB, AV "
        f"block or pacing failing {_rate(failed)}; other abnormal records (hypertrophy, "
        f"ischaemia, extrasystoles, ...) failing {_rate(~normal['normal'][other])}"
    )
    print("  fully normal records that fail, and why:")
    for record in passed.index[~passed]:
        print(f"    {record}: {normal.loc[record, 'reasons']}")


def cinc(folder: Path) -> None:
    codes = {
        "PAC": "284470004", "PVC": "427172004", "LVH": "164873001",
        "LV high voltage": "55827005", "T inversion": "59931005", "T abnormal": "164934002",
        "ST changes": "55930002",
    }  # fmt: skip
    rows = []
    for header in sorted(folder.glob("*.hea")):
        dx: list[str] = []
        for line in header.read_text().splitlines():
            if line.startswith("# Dx:"):
                dx = [c.strip() for c in line.split(":", 1)[1].split(",")]
        m = et.measure(et.read(header.with_suffix("")), progress=False)
        said = et.interpret(m)
        rows.append({
            **{name: code in dx for name, code in codes.items()},
            "said PAC": said["premature_atrial"] > 0,
            "said PVC": said["premature_ventricular"] > 0,
            "said LVH": bool(said["lvh"]),
            "said T inversion": said["t_wave_inversion"] != "",
            "said T inversion or flat": (said["t_wave_inversion"] != "") or (
                said["flat_t_waves"] != ""
            ),
            "said ST": (said["st_elevation"] != "") or (said["st_depression"] != ""),
            "normal": bool(et.is_normal(m)["normal"]),
        })  # fmt: skip
    t = pd.DataFrame(rows)
    print(f"\nCinC 2021 ({len(t)} records, shipped network, codes of the header)")
    for label, said in (("PAC", "said PAC"), ("PVC", "said PVC"), ("LVH", "said LVH"),
                        ("LV high voltage", "said LVH"), ("T inversion", "said T inversion"),
                        ("T abnormal", "said T inversion or flat"),
                        ("ST changes", "said ST")):  # fmt: skip
        print(
            f"  {label:16s} coded {int(t[label].sum()):2d}: said in {_rate(t[said][t[label]])}; "
            f"said in the others {_rate(t[said][~t[label]])}"
        )
    abnormal = t[list(codes)].any(axis=1)
    print(f"  is_normal on records with any of these codes: passing {_rate(t['normal'][abnormal])}")


def _windows(record: Path, af_free: bool = True):
    """10-s windows of a record with the A and V beats of its reference annotations."""
    ecg = et.read(record)
    ann = wfdb.rdann(str(record), "atr")
    fs, n = ecg.fs, ecg.n_samples
    in_af = np.zeros(n, dtype=bool)
    state, start = False, 0
    for s, note in zip(ann.sample, ann.aux_note, strict=True):
        if note.startswith("("):
            in_af[start:s] = state
            state, start = note.startswith("(AF"), s
    in_af[start:] = state
    size = int(10 * fs)
    for lo in range(0, n - size + 1, size):
        if af_free and in_af[lo : lo + size].any():
            continue
        inside = (ann.sample >= lo) & (ann.sample < lo + size)
        beats = {
            sym: (ann.sample[inside & (np.array(ann.symbol) == sym)] - lo) / fs for sym in "AV"
        }
        yield et.ECG(ecg.signal[:, lo : lo + size], fs=fs, leads=list(ecg.leads)), beats


def beat_by_beat(root: Path) -> None:
    records = [root / "mitdb" / "100", *sorted((root / "cpsc2021").glob("*.hea"))]
    counts = {k: 0 for k in ("A", "V", "A found", "V found", "said A", "said V", "said A ok",
                             "said V ok", "windows")}  # fmt: skip
    for record in records:
        record = record.with_suffix("") if record.suffix == ".hea" else record
        for window, truth in _windows(record):
            beats = et.classify_beats(window)
            counts["windows"] += 1
            for sym, label in (("A", "premature atrial"), ("V", "premature ventricular")):
                said = beats["time_s"][beats["label"] == label].to_numpy()
                ref = truth[sym]
                counts[sym] += ref.size
                counts[f"{sym} found"] += sum(np.any(np.abs(said - r) <= MATCH_S) for r in ref)
                counts[f"said {sym}"] += said.size
                counts[f"said {sym} ok"] += sum(np.any(np.abs(ref - s) <= MATCH_S) for s in said)
    print(f"\nBeat by beat, {counts['windows']} 10-s windows outside AF (MIT-BIH 100, CPSC 2021):")
    for sym, name in (("A", "premature atrial"), ("V", "premature ventricular")):
        sens = counts[f"{sym} found"] / counts[sym] if counts[sym] else np.nan
        ppv = counts[f"said {sym} ok"] / counts[f"said {sym}"] if counts[f"said {sym}"] else np.nan
        print(
            f"  {name}: {counts[sym]} annotated, found {sens:.1%}; {counts[f'said {sym}']} "
            f"called, {ppv:.1%} of them annotated {sym}"
        )


def whole_record(root: Path) -> None:
    """MIT-BIH 100 as one 30-min record: every beat classified, against its annotations."""
    record = root / "mitdb" / "100"
    ecg = et.read(record)
    ann = wfdb.rdann(str(record), "atr")
    beats = et.classify_beats(ecg)
    print(
        f"\nMIT-BIH 100 whole (30 min, {len(beats)} beats): {beats['label'].value_counts().to_dict()}"
    )
    for sym, label in (("A", "premature atrial"), ("V", "premature ventricular")):
        ref = ann.sample[np.array(ann.symbol) == sym] / ecg.fs
        said = beats["time_s"][beats["label"] == label].to_numpy()
        found = sum(np.any(np.abs(said - r) <= MATCH_S) for r in ref)
        right = sum(np.any(np.abs(ref - t) <= MATCH_S) for t in said)
        print(
            f"  {label}: {found} of {ref.size} annotated found; {right} of {said.size} calls annotated {sym}"
        )


def main() -> None:
    warnings.simplefilter("ignore")
    root = data_dir(required=True)
    ludb(root / "ludb")
    cinc(root / "cinc2021")
    beat_by_beat(root)
    whole_record(root)


if __name__ == "__main__":
    main()
