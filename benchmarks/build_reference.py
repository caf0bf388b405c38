"""Build the embedded reference of normal adult ECGs, measured with the toolkit's own ruler.

Records: the shared real ECGs that cardiologists call normal.

* LUDB (Kalyakulina et al. 2020, doi:10.1109/ACCESS.2020.3029211): the records of
  ``ludb.csv`` that are "fully normal" (``ludb_cv.ludb_labels``: sinus rhythm, no
  conduction abnormality, hypertrophy, ischaemia, extrasystole or pacing, axis not
  deviated). The shipped segmentation network was trained on LUDB, so each LUDB record
  is measured with the network of its cross-validation fold, which never saw it: its
  measurement error is that of a new record.
* PhysioNet/CinC Challenge 2021 (Reyna et al. 2021): the records whose only diagnosis
  code is sinus rhythm (SNOMED-CT 426783006), measured with the shipped network.
* CPSC 2018 records are left out: the shared copies carry no diagnosis.

Writes ``ecgtoolkit/_reference/normal_adults.csv`` (one ``measure(physiology=True)`` row
per record, with ``database`` and ``record_id``) and ``normal_adults_beats.npz`` (the
median beats, float16). Run after retraining the networks: ``python
benchmarks/build_reference.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_delineation import _weights_for, fold_weights  # noqa: E402
from ludb_cv import load_record, ludb_labels  # noqa: E402

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.databases import data_dir  # noqa: E402

OUT = HERE.parent / "ecgtoolkit" / "databases" / "_reference"
SINUS_ONLY = ["426783006"]


def _cinc_sinus_only(folder: Path) -> list[Path]:
    chosen = []
    for header in sorted((folder / "cinc2021").glob("*.hea")):
        for line in header.read_text().splitlines():
            if line.startswith("# Dx:"):
                codes = [c.strip() for c in line.split(":", 1)[1].split(",")]
                if codes == SINUS_ONLY:
                    chosen.append(header.with_suffix(""))
    return chosen


def main() -> None:
    folder = data_dir(required=True)
    ludb = folder / "ludb"
    labels = ludb_labels(ludb)
    weights = fold_weights(ludb)
    rows, beats, names = [], [], []
    for record in sorted(r for r in weights if labels.loc[r, "fully_normal"]):
        ecg = load_record(ludb, record)
        with _weights_for(record, weights):
            row, beat = et.measure(ecg, physiology=True, return_beats=True)
        rows.append(row)
        beats.append(beat)
        names.append(("LUDB 1.0.1", str(record)))
    for stem in _cinc_sinus_only(folder):
        ecg = et.read(stem)
        row, beat = et.measure(ecg, physiology=True, return_beats=True)
        rows.append(row)
        beats.append(beat)
        names.append(("PhysioNet/CinC 2021", stem.name))
    table = pd.DataFrame(rows).reset_index(drop=True)
    table.insert(0, "record_id", [n for _, n in names])
    table.insert(0, "database", [d for d, _ in names])
    ok = table["status"] == "ok"
    print(
        f"{len(table)} records ({ok.sum()} measured): {table['database'].value_counts().to_dict()}"
    )
    OUT.mkdir(exist_ok=True)
    table.to_csv(OUT / "normal_adults.csv", index=False, float_format="%.6g")
    np.savez_compressed(OUT / "normal_adults_beats.npz", beats=np.stack(beats).astype(np.float16))
    print(table[["heart_rate", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms"]].describe().round(1))


if __name__ == "__main__":
    main()
