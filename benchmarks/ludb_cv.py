"""Cross-validated measurements of the shared LUDB records, with the cardiologists' labels.

Every record is measured with the segmentation network of its cross-validation fold
(trained without that record, ``train_segmenter.py --fold K``), so that no figure built on
these tables comes from a record the network saw. The table is cached in
``benchmarks/_out/ludb_cv_measure.pkl`` (delete it after retraining).

The labels come from ``ludb.csv`` (Kalyakulina et al. 2020, doi:10.1109/ACCESS.2020.3029211)
through ``ecgtoolkit.databases.ludb_labels``, which turns them into a few booleans by their
wording only:

* ``fully_normal``: sinus rhythm (any sinus label), no conduction abnormality,
  hypertrophy or overload, ischaemia or scar, extrasystole or pacing, and an electric
  axis that is not deviated (normal, vertical or horizontal);
* ``af_flutter``: atrial fibrillation or flutter;
* ``sinus``: any sinus label (sinus rhythm, bradycardia, tachycardia, arrhythmia,
  irregular sinus rhythm);
* ``major_abnormal``: atrial fibrillation, complete bundle-branch block, AV block or
  pacing (the records a normal-ECG filter must reject).
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
from ludb_split import ludb_records  # noqa: E402

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.databases import ludb_labels  # noqa: E402
from ecgtoolkit.measurement.measure import measure  # noqa: E402

CACHE = HERE / "_out" / "ludb_cv_measure.pkl"


def load_record(folder: Path, record: int) -> et.ECG:
    """One LUDB record in mV: its digital values (µV) over 1000.

    LUDB 1.0.1's headers give each lead a gain equal to its own digital range (every
    lead spans exactly 1 "mV"), while the digital values obey Einthoven's law in a
    common unit; reading them with ``adc_gain=1000`` restores physical amplitudes.
    """
    return et.read(folder / str(record), adc_gain=1000)


def cv_measurements(folder: Path, refresh: bool = False) -> pd.DataFrame:
    """``measure()`` of every shared LUDB record with its fold's network (cached)."""
    if CACHE.is_file() and not refresh:
        return pd.read_pickle(CACHE)
    weights = fold_weights(folder)
    rows = []
    for record in ludb_records(folder):
        ecg = load_record(folder, record)
        with _weights_for(record, weights):
            row = measure(ecg)
        row.name = record
        rows.append(row)
    table = pd.DataFrame(rows)
    table.index.name = "record_id"
    CACHE.parent.mkdir(exist_ok=True)
    tmp = CACHE.with_suffix(".tmp")
    table.to_pickle(tmp)
    tmp.replace(CACHE)
    return table


if __name__ == "__main__":
    from ecgtoolkit.databases import data_dir

    folder = data_dir(required=True) / "ludb"
    t = cv_measurements(folder, refresh="--refresh" in sys.argv)
    labels = ludb_labels(folder).loc[t.index]
    print(t.shape, labels[["sinus", "af_flutter", "fully_normal", "major_abnormal"]].sum())
    print(np.round(t[labels["af_flutter"]][["heart_rate", "rr_irregularity", "p_wave_share"]], 3))
