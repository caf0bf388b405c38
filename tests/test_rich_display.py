"""How result objects read: Jupyter displays (``_repr_html_``), one-line reprs, summaries.

The displays are built with :mod:`ecgtoolkit.core.display`; these tests read them as a
user would, without a browser: the key facts are there, numbers are formatted, and a
missing value never reads "nan".
"""

from __future__ import annotations

import html
import os
import re

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.databases import Database, load_reference
from ecgtoolkit.databases.reference import Reference
from ecgtoolkit.io import FolderSource
from ecgtoolkit.store import generate_store, open_store, verify

#: A float with a long tail (0.9166666666666666) or a count with decimals (36.0000), not a
#: part of a DOI or a version.
_FLOAT_TAIL = re.compile(r"(?<![\w./:])\d+\.\d{4,}")
_NAN = re.compile(r"\bnan\b", re.IGNORECASE)


def text_of(display: str) -> str:
    """The visible text of an HTML display: tags and embedded images left out."""
    display = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", display)
    return html.unescape(re.sub(r"<[^>]+>", " ", display))


def cells(display: str) -> dict[str, str]:
    """The display's rows, label -> value."""
    pairs = re.findall(r"<th[^>]*>(.*?)</th><td[^>]*>(.*?)</td>", display)
    return {html.unescape(k): html.unescape(v) for k, v in pairs}


def check_reads_well(obj: object) -> dict[str, str]:
    """An object's display has no NaN and no long float tail; its repr is one line."""
    display = obj._repr_html_()
    assert display.startswith("<div class='ecgtoolkit-summary'")
    text = text_of(display)
    assert not _NAN.search(text), text
    assert not _FLOAT_TAIL.search(text), text
    assert "\n" not in repr(obj) and repr(obj).startswith("<") and repr(obj).endswith(">")
    return cells(display)


# --- ECG -------------------------------------------------------------------------------


def test_an_ecg_batch_shows_its_shape_rate_and_generator():
    batch = et.generate(2, seed=1, progress=False)
    rows = check_reads_well(batch)
    assert rows["records"] == "2"
    assert rows["leads"].startswith("12: I, II, III, aVR")
    assert rows["duration"] == "10 s (5,000 samples)"
    assert rows["sampling rate"] == "500 Hz" and rows["units"] == "mV"
    assert rows["seed"] == "1" and rows["record ids"] == "0, 1"
    assert rows["generator"].startswith("Pulse2Pulse")
    assert re.fullmatch(r".*, sha256 [0-9a-f]{12}…", rows["weights"])
    assert "device cpu" in rows["generated with"]
    display = batch._repr_html_()
    assert "ECG batch | 2 records" in display and "data:image/png;base64," in display
    assert "first record shown" in display
    assert repr(batch) == "<ECG batch | 2 records × 12 leads × 5000 samples (10 s at 500 Hz), mV>"


def test_an_ecg_shows_the_acceptance_as_a_share_of_the_candidates():
    ecg = et.ECG(np.zeros((2, 1000)), fs=250, leads=["I", "II"])
    ecg.meta["acceptance"] = {
        "check": "is_normal(NormalCriteria())",
        "candidates": 60,
        "passed": 55,
        "rate": 0.9166666666666666,  # as it was stored before rounding
    }
    rows = check_reads_well(ecg)
    assert rows["acceptance"] == "91.7% (55 of 60 tried)"
    assert rows["accepted by"] == "is_normal(NormalCriteria())"
    assert "records" not in rows and rows["duration"] == "4 s (1,000 samples)"


def test_an_ecg_with_missing_samples_and_values_reads_without_nan():
    signal = np.full((1, 100), np.nan)
    meta = {"heart_rate_bpm_per_record": [np.nan], "score": 0.123456789, "ids": list(range(40))}
    rows = check_reads_well(et.ECG(signal, fs=100, leads=["I"], meta=meta))
    assert rows["range"] == "no finite samples"
    assert rows["heart rate bpm per record"] == "n/a" and rows["score"] == "0.123"
    assert rows["ids"] == "0, 1, … 39 (40 values)"
    signal[0, :50] = 0.5
    assert check_reads_well(et.ECG(signal, fs=100, leads=["I"]))["range"] == (
        "0.50 to 0.50 mV (50.0% of samples missing)"
    )


# --- generated datasets ------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return et.generate_to(tmp_path_factory.mktemp("f") / "d", 3, seed=1, progress=False)


def test_a_verification_reads_its_verdict_and_repair(folder, tmp_path):
    intact = verify(folder, progress=False)
    rows = check_reads_well(intact)
    assert rows["verdict"] == "all records intact" and rows["records"] == "3"
    assert rows["kind"] == "folder of record files" and "repair" not in rows
    assert re.fullmatch(r"\d+\.\d\d s \([\d,]+ records/s\)", rows["checked in"])
    damaged = et.generate_to(tmp_path / "a folder with a rather long name to wrap", 3, seed=1,
                             progress=False)  # fmt: skip
    os.remove(damaged / "1.dat")
    result = verify(damaged, progress=False)
    rows = check_reads_well(result)
    assert rows["verdict"] == "1 record(s) missing or damaged"
    assert rows["repair"] == result.repair_command
    assert "record 1: 1.dat: missing" in result._repr_html_()
    lines = result.summary().split("\n")
    repair = [line for line in lines if line.startswith("repair (rewrites only these records): ")]
    assert repair == [f"repair (rewrites only these records): {result.repair_command}"]
    # every line but the command (kept whole, to be copied) fits 88 characters
    assert all(len(line) <= 88 or line in repair or " " not in line.strip() for line in lines)
    assert repr(result).endswith("3 records: 1 record(s) missing or damaged>")


def test_a_store_shows_its_layout_state_and_generator(tmp_path):
    path = generate_store(tmp_path / "x.zarr", 3, seed=0, records_per_chunk=2, progress=False)
    rows = check_reads_well(open_store(path))
    assert rows["records"] == "3" and rows["state"] == "complete"
    assert rows["chunks"] == "2 (2 records each)" and rows["seed"] == "0"
    assert rows["units"] == "mV (stored as int16 in µV)"
    assert rows["duration"] == "10 s (5,000 samples)" and rows["sampling rate"] == "500 Hz"
    assert rows["generator"].startswith("Pulse2Pulse")
    import zarr

    zarr.open_group(path, mode="r+")["done"][1] = False
    partial = open_store(path, allow_incomplete=True)
    rows = check_reads_well(partial)
    assert rows["state"] == "incomplete: 1/2 chunks done"
    assert partial.finish_command in partial._repr_html_()


def test_a_dataset_shows_what_each_item_is(tmp_path):
    batch = et.ECG(np.zeros((4, 2, 5000)), fs=500, leads=["I", "II"])
    targets = np.array([1.0, np.nan, 2.0, 3.0])
    data = et.ECGDataset(batch, fs=100, leads=["I", "II", "III"], targets=targets)
    rows = check_reads_well(data)
    assert rows["records"] == "4" and rows["source"] == "ECG batch in memory"
    assert rows["sampling rate"] == "100 Hz (resampled)"
    assert rows["leads"] == "3: I, II, III"
    assert rows["targets"] == "1 value per record (1 missing)"
    plain = check_reads_well(et.ECGDataset(batch))
    assert plain["sampling rate"] == "each record's own (500 Hz)"
    assert plain["leads"] == "each record's own (2: I, II)" and plain["targets"] == "none"
    path = generate_store(tmp_path / "s.zarr", 2, seed=0, progress=False)
    assert check_reads_well(et.ECGDataset(path))["source"] == f"Zarr store {path}"


def test_a_folder_source_shows_its_records_by_format(tmp_path):
    for name in ("1.hea", "1.dat", "2.hea", "3.csv", "10.npz", "manifest.json"):
        (tmp_path / name).touch()
    source = FolderSource(tmp_path)
    rows = check_reads_well(source)
    assert rows["records"] == "4" and rows["formats"] == "WFDB 2, CSV 1, NumPy .npz 1"
    assert rows["record ids"] == "1.hea, 2.hea, 3.csv, 10.npz"
    assert rows["manifest"].startswith("manifest.json")
    assert repr(source) == f"<FolderSource {str(tmp_path)!r} | 4 records>"


# --- real databases ------------------------------------------------------------------------


def test_the_reference_shows_its_sources_and_typical_intervals():
    ref = load_reference("normal-adults")
    rows = check_reads_well(ref)
    assert rows["records"] == "36" and rows["from"] == "LUDB 1.0.1: 31, PhysioNet/CinC 2021: 5"
    assert rows["median beats"] == "36 × 8 leads × 225 samples"
    assert re.fullmatch(r"\d+ ms \(\d+–\d+\)", rows["PR"])
    assert "cardiologists call normal" in ref._repr_html_()
    assert repr(ref) == "<Reference 'normal-adults': 36 records>"
    unmeasured = Reference(
        name="x", table=ref.table.assign(pr_ms=np.nan), beats=ref.beats, description="x"
    )
    assert check_reads_well(unmeasured)["PR"] == "not measurable (in no record)"


def test_a_database_shows_who_its_records_are():
    ecg = et.ECG(np.zeros((3, 12, 500)), fs=500, leads=et.STANDARD_LEADS)
    meta = pd.DataFrame(
        {"sex": ["F", None, "M"], "age": [np.nan, 40.0, 62.0], "age_over_89": [True, False, False]},
        index=pd.Index(["a", "b", "c"], name="record_id"),
    )
    waves = pd.DataFrame({"record_id": ["a", "a"], "lead": ["I", "I"], "wave": ["P", "QRS"]})
    database = Database(ecg=ecg, meta=meta, annotations=waves, name="Test 1.0")
    rows = check_reads_well(database)
    assert rows["records"] == "3" and rows["duration"] == "1 s (500 samples)"
    assert rows["sex"] == "F 1, M 1, unknown 1"
    assert rows["age"] == "median 51 years (46–56); 1 over 89"
    assert rows["expert annotations"] == "2 waves (P 1, QRS 1)"
    assert rows["metadata columns"] == "sex, age, age_over_89"
    bare = Database(ecg=ecg, meta=meta[["age"]].assign(age=np.nan), name="Bare")
    rows = check_reads_well(bare)
    assert rows["age"] == "3 unknown" and rows["expert annotations"] == "none"


def test_ludb_reads_well(data_dir):
    ludb = et.load_ludb(records=["1", "2"], progress=False)
    rows = check_reads_well(ludb)
    assert rows["records"] == "2" and rows["sampling rate"] == "500 Hz"
    assert rows["read from"].endswith("ludb")
