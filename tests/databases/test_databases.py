"""Tests for ecgtoolkit.databases: finding, downloading and loading the real databases.

Nothing here reaches the network: downloads go through fakes of ``wfdb.dl_files`` and
``wfdb.dl_database`` that copy files from a local folder (or fail as an offline machine
does). The loaders themselves are tested on the shared data and on a small PTB-XL copy
built here.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import wfdb
from hypothesis import given, settings
from hypothesis import strategies as st

from ecgtoolkit import ECG
from ecgtoolkit.core.leads import STANDARD_LEADS
from ecgtoolkit.databases import (
    Database,
    cache_dir,
    data_dir,
    load_cinc2021,
    load_ludb,
    load_ptbxl,
    ludb_labels,
)
from ecgtoolkit.databases import ludb as ludb_module

LUDB_FILES = ("hea", "dat", "i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4",
              "v5", "v6")  # fmt: skip


# -- where the data are -----------------------------------------------------------------
def test_env_variable_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("ECGTOOLKIT_DATA", str(tmp_path))
    assert data_dir() == tmp_path


def test_env_variable_pointing_nowhere(tmp_path, monkeypatch):
    monkeypatch.setenv("ECGTOOLKIT_DATA", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        data_dir()


def test_default_is_shared_data_when_present(monkeypatch):
    monkeypatch.delenv("ECGTOOLKIT_DATA", raising=False)
    folder = data_dir()
    if folder is None:
        pytest.skip("shared ECG data not present on this machine")
    assert (folder / "ludb").is_dir()


def test_cache_dir_honours_its_env_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("ECGTOOLKIT_CACHE", str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache"
    monkeypatch.delenv("ECGTOOLKIT_CACHE")
    assert cache_dir() == Path.home() / ".cache" / "ecgtoolkit"


# -- fakes of wfdb's download functions ---------------------------------------------------
class FakePhysioNet:
    """Stands in for wfdb.dl_files / wfdb.dl_database: copies from local folders.

    ``mirrors`` maps a PhysioNet slug to a local folder laid out as on PhysioNet, except
    that LUDB's records lie flat (as in the shared copy) rather than in ``data/``.
    ``fail`` makes every call raise an OSError, as on a machine without network.
    """

    def __init__(self, monkeypatch, mirrors: dict[str, Path], fail: bool = False):
        self.mirrors = mirrors
        self.fail = fail
        self.files: list[tuple[str, list[str]]] = []
        self.records: list[tuple[str, list[str], object, bool]] = []
        monkeypatch.setattr(wfdb, "dl_files", self.dl_files)
        monkeypatch.setattr(wfdb, "dl_database", self.dl_database)

    def _offline(self):
        if self.fail:
            raise OSError(101, "Network is unreachable")

    def dl_files(self, db, dl_dir, files, keep_subdirs=True, overwrite=False):
        self.files.append((db, list(files)))
        self._offline()
        for name in files:
            target = Path(dl_dir) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.mirrors[db] / name, target)

    def dl_database(self, db_dir, dl_dir, records="all", annotators="all", keep_subdirs=True,
                    overwrite=False):  # fmt: skip
        self.records.append((db_dir, list(records), annotators, keep_subdirs))
        self._offline()
        source = self.mirrors[db_dir]
        for record in records:
            local = record.removeprefix("data/") if db_dir == "ludb" else record
            for found in source.glob(local + ".*"):
                rel = found.relative_to(source)
                target = Path(dl_dir) / (rel.name if not keep_subdirs else rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(found, target)


@pytest.fixture
def no_local_copy(tmp_path, monkeypatch):
    """An empty shared-data folder and an empty cache; returns the cache folder."""
    (tmp_path / "shared").mkdir()
    monkeypatch.setenv("ECGTOOLKIT_DATA", str(tmp_path / "shared"))
    monkeypatch.setenv("ECGTOOLKIT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


# -- LUDB ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ludb(data_dir) -> Database:
    return load_ludb(data_dir / "ludb", progress=False)


@pytest.mark.slow
def test_ludb_batch_is_every_shared_record_in_mv(ludb, data_dir):
    n_records = len(list((data_dir / "ludb").glob("*.hea")))
    assert ludb.ecg.signal.shape == (n_records, 12, 5000) == (150, 12, 5000)
    assert ludb.ecg.fs == 500.0 and ludb.ecg.leads == STANDARD_LEADS
    assert list(ludb.meta.index) == ludb.ecg.meta["record_ids"]
    assert ludb.meta.index.is_monotonic_increasing and ludb.meta.index.name == "record_id"
    assert ludb.name == "LUDB 1.0.1" and ludb.path == data_dir / "ludb" and len(ludb) == 150
    assert repr(ludb).startswith("<Database LUDB 1.0.1 | 150 records × 12 leads × 5000 samples")


def test_ludb_is_in_physical_units(ludb, data_dir):
    # The digital values are µV in every lead: Einthoven and Goldberger hold exactly.
    ecg = ludb.ecg
    np.testing.assert_allclose(ecg["III"], ecg["II"] - ecg["I"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(ecg["aVR"], -(ecg["I"] + ecg["II"]) / 2, rtol=0, atol=0.5e-3 + 1e-9)
    raw = wfdb.rdrecord(str(data_dir / "ludb" / "1"), physical=False)
    np.testing.assert_allclose(ecg[0].signal, raw.d_signal.T / 1000.0, rtol=0, atol=1e-12)
    assert 0.5 < np.ptp(ecg[0]["II"]) < 5.0  # mV, not the header's normalised unit


def test_ludb_metadata_columns_and_labels(ludb):
    meta = ludb.meta
    assert {"sex", "age", "age_over_89", "rhythm", "axis", "conduction", "hypertrophy",
            "sinus", "af_flutter", "paced", "complete_bbb", "av_block", "fully_normal",
            "major_abnormal"} <= set(meta.columns)  # fmt: skip
    first = meta.loc[1]
    assert (first["sex"], first["age"], first["rhythm"]) == ("F", 51.0, "Sinus bradycardia")
    assert first["axis"] == "left axis deviation" and first["sinus"] and not first["fully_normal"]
    assert "Left ventricular hypertrophy" in first["hypertrophy"].split("|")
    assert set(meta["sex"]) == {"F", "M"}
    for column in ("sinus", "af_flutter", "paced", "fully_normal"):
        assert meta[column].dtype == bool
    assert meta["af_flutter"].any() and meta["paced"].any() and meta["fully_normal"].any()
    assert not (meta["af_flutter"] & meta["fully_normal"]).any()


def test_ludb_age_above_89_is_nan_with_a_flag(data_dir):
    labels = ludb_labels(data_dir / "ludb" / "ludb.csv")
    assert len(labels) == 200  # the table lists the whole database
    assert np.isnan(labels.loc[34, "age"]) and labels.loc[34, "age_over_89"]
    assert labels["age"].notna().sum() == 199 and labels["age_over_89"].sum() == 1


def test_ludb_annotations_of_record_1(ludb):
    waves = ludb.annotations
    assert list(waves.columns) == ["record_id", "lead", "wave", "onset", "peak", "offset"]
    first = waves[waves["record_id"] == 1]
    counts = first.groupby(["lead", "wave"]).size().unstack()
    assert set(counts.index) == set(STANDARD_LEADS)
    assert (counts["QRS"] == 6).all() and (counts["P"] == 5).all() and (counts["T"] == 5).all()
    qrs = first[(first["lead"] == "II") & (first["wave"] == "QRS")].iloc[0]
    assert (qrs["onset"], qrs["peak"], qrs["offset"]) == (644, 662, 682)
    complete = waves.dropna()
    assert ((complete["onset"] < complete["peak"]) & (complete["peak"] < complete["offset"])).all()
    assert set(waves["record_id"]) == set(ludb.meta.index)


def test_ludb_annotations_agree_with_wfdb(ludb, data_dir):
    waves = ludb.annotations
    for record, lead in ((1, "ii"), (3, "v1"), (34, "avr")):
        ann = wfdb.rdann(str(data_dir / "ludb" / str(record)), lead)
        peaks = [s for s, sym in zip(ann.sample, ann.symbol, strict=True) if sym in "pNt"]
        ours = waves[
            (waves["record_id"] == record) & (waves["lead"] == lead.upper().replace("AV", "aV"))
        ]
        assert ours["peak"].tolist() == peaks


def test_ludb_missing_boundaries_are_na(ludb):
    # Some waves lack an onset or offset mark (e.g. "N)" without "("): kept, with <NA>.
    waves = ludb.annotations
    assert waves["onset"].isna().any() and waves["peak"].notna().all()
    assert str(waves["onset"].dtype) == "Int64"


def test_ludb_subset_keeps_the_order_asked_for(data_dir):
    subset = load_ludb(records=[3, 1], annotations=False, progress=False)
    assert subset.ecg.signal.shape == (2, 12, 5000)
    assert list(subset.meta.index) == [3, 1] == subset.ecg.meta["record_ids"]
    assert subset.annotations is None
    assert subset.ecg[1].meta["record_id"] == 1


def test_record_ids_are_checked_once():
    with pytest.raises(TypeError, match=r"list of record ids, e.g. \[1\]"):
        load_ludb(records=1)
    with pytest.raises(ValueError, match="records is empty"):
        load_ludb(records=[])
    with pytest.raises(ValueError, match="3 more than once"):
        load_ludb(records=[3, 1, 3])


def test_ludb_download_fetches_only_the_records_asked_for(no_local_copy, monkeypatch, data_dir):
    fake = FakePhysioNet(monkeypatch, {"ludb": data_dir / "ludb"})
    got = load_ludb(records=[1, 3], progress=False)
    assert fake.files == [("ludb", ["ludb.csv"])]
    [(db, records, annotators, keep_subdirs)] = fake.records
    assert (db, records, keep_subdirs) == ("ludb", ["data/1", "data/3"], False)
    assert sorted(annotators) == sorted(LUDB_FILES[2:])
    cache = no_local_copy / "ludb"
    assert got.path == cache
    assert sorted(p.name for p in cache.iterdir() if p.is_file()) == sorted(
        ["ludb.csv"] + [f"{r}.{s}" for r in (1, 3) for s in LUDB_FILES]
    )
    assert not (cache / ".download").exists()  # everything moved into place
    shared = load_ludb(data_dir / "ludb", records=[1, 3], progress=False)
    np.testing.assert_array_equal(got.ecg.signal, shared.ecg.signal)
    pd.testing.assert_frame_equal(got.meta, shared.meta)
    pd.testing.assert_frame_equal(got.annotations, shared.annotations)

    # The second time the cache serves the records: nothing is downloaded.
    fake.fail = True
    again = load_ludb(records=[3], progress=False)
    assert again.path == cache and len(fake.records) == 1


def test_ludb_record_missing_from_the_shared_copy_comes_from_the_cache(
    tmp_path, monkeypatch, data_dir
):
    # Record 4 is kept out of the shared copy: asking for it goes to the cache.
    monkeypatch.setenv("ECGTOOLKIT_DATA", str(data_dir))
    monkeypatch.setenv("ECGTOOLKIT_CACHE", str(tmp_path / "cache"))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copy(data_dir / "ludb" / "ludb.csv", mirror)
    for suffix in LUDB_FILES[1:]:  # record 1 stands in for record 4 on PhysioNet
        shutil.copy(data_dir / "ludb" / f"1.{suffix}", mirror / f"4.{suffix}")
    header = (data_dir / "ludb" / "1.hea").read_text()
    (mirror / "4.hea").write_text(header.replace("1.dat", "4.dat").replace("1 ", "4 ", 1))
    fake = FakePhysioNet(monkeypatch, {"ludb": mirror})
    assert not (data_dir / "ludb" / "4.hea").exists()
    got = load_ludb(records=[4], progress=False)
    assert got.path == tmp_path / "cache" / "ludb"
    assert fake.records[0][1] == ["data/4"]


def test_ludb_offline_without_a_copy_says_how_to_get_it(no_local_copy, monkeypatch):
    fake = FakePhysioNet(monkeypatch, {}, fail=True)
    with pytest.raises(FileNotFoundError) as caught:
        load_ludb(records=[1], progress=False)
    message = str(caught.value)
    assert "https://physionet.org/content/ludb/1.0.1/" in message
    assert "ECGTOOLKIT_DATA" in message and "path=" in message
    assert "Network is unreachable" in message
    assert isinstance(caught.value.__cause__, OSError)
    assert fake.files  # it did try


def test_interrupted_download_leaves_no_partial_record_in_the_cache(
    no_local_copy, monkeypatch, data_dir
):
    fake = FakePhysioNet(monkeypatch, {"ludb": data_dir / "ludb"})

    def broken(db_dir, dl_dir, records="all", **kwargs):
        (Path(dl_dir) / "1.dat").write_bytes(b"\0" * 100)  # part of the file, then...
        raise OSError("Connection reset by peer")

    monkeypatch.setattr(wfdb, "dl_database", broken)
    with pytest.raises(FileNotFoundError, match="Connection reset"):
        load_ludb(records=[1], progress=False)
    cache = no_local_copy / "ludb"
    assert sorted(p.name for p in cache.iterdir() if p.is_file()) == ["ludb.csv"]

    monkeypatch.setattr(wfdb, "dl_database", fake.dl_database)
    got = load_ludb(records=[1], progress=False)
    np.testing.assert_allclose(got.ecg["III"], got.ecg["II"] - got.ecg["I"], atol=1e-6)


def test_unknown_ludb_record_is_refused_before_downloading_it(no_local_copy, monkeypatch, data_dir):
    fake = FakePhysioNet(monkeypatch, {"ludb": data_dir / "ludb"})
    with pytest.raises(ValueError, match="LUDB 1.0.1 has no record 999"):
        load_ludb(records=[999], progress=False)
    assert fake.records == []


def test_a_folder_named_by_path_is_never_replaced_by_a_download(tmp_path, monkeypatch):
    fake = FakePhysioNet(monkeypatch, {}, fail=True)
    with pytest.raises(FileNotFoundError, match=r"no ludb\.csv.*physionet\.org/content/ludb"):
        load_ludb(tmp_path, progress=False)
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        load_ludb(tmp_path / "missing", progress=False)
    assert fake.files == [] and fake.records == []


def test_ludb_copy_in_physionets_layout(tmp_path, data_dir):
    # A full download from PhysioNet keeps the records in data/ next to ludb.csv.
    (tmp_path / "data").mkdir()
    shutil.copy(data_dir / "ludb" / "ludb.csv", tmp_path)
    for suffix in LUDB_FILES:
        shutil.copy(data_dir / "ludb" / f"3.{suffix}", tmp_path / "data")
    got = load_ludb(tmp_path, progress=False)
    assert list(got.meta.index) == [3] and got.ecg.n_records == 1
    assert (got.annotations["record_id"] == 3).all()


def test_truncated_annotation_file_is_a_clear_error(tmp_path):
    (tmp_path / "1.ii").write_bytes(np.array([59 << 10, 0], dtype="<u2").tobytes())
    with pytest.raises(ValueError, match="truncated"):
        ludb_module._mit_annotations(tmp_path / "1.ii")


def test_ludb_explicit_copy_lacking_a_record_names_it(data_dir, monkeypatch):
    FakePhysioNet(monkeypatch, {}, fail=True)
    with pytest.raises(FileNotFoundError, match="lacks records 4"):
        load_ludb(data_dir / "ludb", records=[1, 4], progress=False)


@settings(max_examples=30, deadline=None)
@given(
    steps=st.lists(st.integers(1, 3_000_000), min_size=1, max_size=40),
    symbols=st.data(),
)
def test_annotation_reader_matches_wfdb(steps, symbols):
    # Gaps above 1023 samples need SKIP words; notes need AUX words.
    samples = np.cumsum(steps).astype(np.int64)
    chosen = symbols.draw(st.lists(st.sampled_from(list("(pNt)+")), min_size=len(steps),
                                   max_size=len(steps)))  # fmt: skip
    notes = [("(N" if s == "+" else "") for s in chosen]
    with tempfile.TemporaryDirectory() as folder:
        wfdb.wrann("rec", "ann", samples, symbol=chosen, aux_note=notes, write_dir=folder)
        found, codes = ludb_module._mit_annotations(Path(folder) / "rec.ann")
    reference = {"(": 39, "p": 24, "N": 1, "t": 27, ")": 40, "+": 28}
    np.testing.assert_array_equal(found, samples)
    assert codes.tolist() == [reference[s] for s in chosen]


# -- PTB-XL -------------------------------------------------------------------------------
PTBXL_RECORDS = {  # ecg_id: (age, sex, scp_codes, strat_fold)
    1: (56, 1, "{'NORM': 100.0, 'LVOLT': 0.0, 'SR': 0.0}", 3),
    2: (19, 0, "{'IMI': 80.0, 'SR': 0.0}", 2),
    3: (300, 0, "{'CLBBB': 100.0, 'NDT': 50.0, 'SR': 0.0}", 10),
}


def make_ptbxl(folder: Path, n_samples_hr: int = 5000, odd_record: int | None = None) -> Path:
    """A tiny PTB-XL copy in PhysioNet's layout: 3 records at 500 and 100 Hz, two tables."""
    rows = []
    for ecg_id, (age, sex, codes, fold) in PTBXL_RECORDS.items():
        names = {}
        for fs, tag, folder_name in ((500, "hr", "records500"), (100, "lr", "records100")):
            n_samples = n_samples_hr * fs // 500
            if ecg_id == odd_record:
                n_samples -= fs
            signal = ptbxl_signal(ecg_id, fs, n_samples)
            where = folder / folder_name / "00000"
            where.mkdir(parents=True, exist_ok=True)
            name = f"{ecg_id:05d}_{tag}"
            wfdb.wrsamp(name, fs=fs, units=["mV"] * 12, sig_name=PTBXL_LEADS, p_signal=signal,
                        fmt=["16"] * 12, adc_gain=[1000.0] * 12, baseline=[0] * 12,
                        write_dir=str(where))  # fmt: skip
            names[tag] = f"{folder_name}/00000/{name}"
        rows.append({"ecg_id": ecg_id, "patient_id": 100.0 + ecg_id, "age": float(age),
                     "sex": sex, "height": np.nan, "weight": 70.0, "report": "sinusrhythmus",
                     "scp_codes": codes, "strat_fold": fold, "filename_lr": names["lr"],
                     "filename_hr": names["hr"]})  # fmt: skip
    pd.DataFrame(rows).to_csv(folder / "ptbxl_database.csv", index=False)
    statements = pd.DataFrame(
        {
            "description": [
                "normal ECG",
                "inferior MI",
                "complete LBBB",
                "non-diagnostic T",
                "low voltage",
                "sinus rhythm",
            ],  # fmt: skip
            "diagnostic": [1.0, 1.0, 1.0, 1.0, np.nan, np.nan],
            "form": [np.nan, np.nan, np.nan, 1.0, 1.0, np.nan],
            "rhythm": [np.nan, np.nan, np.nan, np.nan, np.nan, 1.0],
            "diagnostic_class": ["NORM", "MI", "CD", "STTC", np.nan, np.nan],
        },
        index=["NORM", "IMI", "CLBBB", "NDT", "LVOLT", "SR"],
    )
    statements.to_csv(folder / "scp_statements.csv")
    return folder


PTBXL_LEADS = ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"]


def ptbxl_signal(ecg_id: int, fs: int, n_samples: int) -> np.ndarray:
    t = np.arange(n_samples) / fs
    return np.round(np.sin(2 * np.pi * (ecg_id + np.arange(12))[None, :] * t[:, None] / 7), 3)


@pytest.fixture
def ptbxl_copy(tmp_path) -> Path:
    return make_ptbxl(tmp_path / "ptb-xl")


def test_ptbxl_from_a_local_copy(ptbxl_copy):
    got = load_ptbxl(ptbxl_copy, progress=False)
    assert got.ecg.signal.shape == (3, 12, 5000) and got.ecg.fs == 500.0
    assert got.ecg.leads == STANDARD_LEADS
    np.testing.assert_allclose(got.ecg[1].signal, ptbxl_signal(2, 500, 5000).T, atol=1e-12)
    meta = got.meta
    assert list(meta.index) == [1, 2, 3] == got.ecg.meta["record_ids"]
    assert meta.index.name == "record_id"
    assert meta["sex"].tolist() == ["F", "M", "M"]
    assert meta.loc[1, "age"] == 56.0 and np.isnan(meta.loc[3, "age"])
    assert meta["age_over_89"].tolist() == [False, False, True]
    assert meta.loc[1, "scp_codes"] == {"NORM": 100.0, "LVOLT": 0.0, "SR": 0.0}
    assert meta["diagnostic_superclass"].tolist() == [("NORM",), ("MI",), ("STTC", "CD")]
    assert meta[["NORM", "MI", "STTC", "CD", "HYP"]].sum().tolist() == [1, 1, 1, 1, 0]
    assert meta["strat_fold"].tolist() == [3, 2, 10]
    assert got.annotations is None and got.name == "PTB-XL 1.0.3"


def test_ptbxl_at_100_hz_first_n_and_chosen_records(ptbxl_copy):
    low = load_ptbxl(ptbxl_copy, fs=100, n=2, progress=False)
    assert low.ecg.signal.shape == (2, 12, 1000) and low.ecg.fs == 100.0
    assert list(low.meta.index) == [1, 2]
    chosen = load_ptbxl(ptbxl_copy, records=[3, 1], progress=False)
    assert list(chosen.meta.index) == [3, 1]
    np.testing.assert_allclose(chosen.ecg[0].signal, ptbxl_signal(3, 500, 5000).T, atol=1e-12)


def test_ptbxl_shared_copy_is_found_through_the_env_variable(ptbxl_copy, monkeypatch):
    monkeypatch.setenv("ECGTOOLKIT_DATA", str(ptbxl_copy.parent))
    FakePhysioNet(monkeypatch, {}, fail=True)
    assert load_ptbxl(n=1, progress=False).path == ptbxl_copy


def test_ptbxl_download_fetches_the_tables_and_only_the_records_asked_for(
    no_local_copy, monkeypatch, tmp_path
):
    mirror = make_ptbxl(tmp_path / "mirror")
    fake = FakePhysioNet(monkeypatch, {"ptb-xl": mirror})
    got = load_ptbxl(n=2, progress=False)
    assert fake.files == [("ptb-xl", ["ptbxl_database.csv", "scp_statements.csv"])]
    [(db, records, annotators, keep_subdirs)] = fake.records
    assert (db, records, annotators, keep_subdirs) == (
        "ptb-xl",
        ["records500/00000/00001_hr", "records500/00000/00002_hr"],
        None,
        True,
    )
    cache = no_local_copy / "ptb-xl"
    assert got.path == cache and list(got.meta.index) == [1, 2]
    assert sorted(p.name for p in (cache / "records500" / "00000").iterdir()) == [
        "00001_hr.dat", "00001_hr.hea", "00002_hr.dat", "00002_hr.hea"
    ]  # fmt: skip
    assert not (cache / ".download").exists()
    local = load_ptbxl(mirror, n=2, progress=False)
    np.testing.assert_array_equal(got.ecg.signal, local.ecg.signal)


def test_ptbxl_offline_without_a_copy_says_how_to_get_it(no_local_copy, monkeypatch):
    FakePhysioNet(monkeypatch, {}, fail=True)
    with pytest.raises(FileNotFoundError) as caught:
        load_ptbxl(n=5, progress=False)
    message = str(caught.value)
    assert "https://physionet.org/content/ptb-xl/1.0.3/" in message
    assert "ECGTOOLKIT_DATA" in message and "ECGTOOLKIT_CACHE" in message


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"fs": 250}, "fs must be 500 or 100"),
        ({"n": 0}, "n must be a positive integer"),
        ({"n": 2, "records": [1]}, "either n .* or records"),
    ],
)
def test_ptbxl_arguments_are_checked(ptbxl_copy, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_ptbxl(ptbxl_copy, progress=False, **kwargs)


def test_records_of_different_lengths_are_refused_with_advice(tmp_path):
    folder = make_ptbxl(tmp_path / "ptb-xl", odd_record=2)
    with pytest.raises(ValueError, match=r"record 2 .*4500 samples.*differs from record 1"):
        load_ptbxl(folder, progress=False)
    assert load_ptbxl(folder, records=[1, 3], progress=False).ecg.n_records == 2


# -- PhysioNet/CinC 2021 ----------------------------------------------------------------------
def test_cinc2021_shared_records(data_dir):
    cinc = load_cinc2021(progress=False)
    n_records = len(list((data_dir / "cinc2021").glob("*.hea")))
    assert cinc.ecg.signal.shape == (n_records, 12, 5000) and cinc.ecg.leads == STANDARD_LEADS
    first = cinc.meta.loc["E07500"]
    assert (first["age"], first["sex"]) == (78.0, "M")
    assert first["dx_codes"] == ("67741000119109", "426177001")
    assert first["dx"] == ("67741000119109", "sinus bradycardia")  # unknown codes kept
    assert first["sinus_bradycardia"] and not first["sinus_rhythm"]
    other = cinc.meta.loc["JS20000"]
    assert other["sex"] == "F" and other["premature_atrial_contraction"]
    assert list(cinc.meta.index) == cinc.ecg.meta["record_ids"]
    # WFDB gain 1000/mV: the 12 leads obey Einthoven's law to the µV rounding.
    np.testing.assert_allclose(cinc.ecg["III"], cinc.ecg["II"] - cinc.ecg["I"], atol=2.01e-3)


def test_cinc2021_normal_only_and_chosen_records(data_dir):
    normal = load_cinc2021(data_dir / "cinc2021", normal_only=True, progress=False)
    assert len(normal) >= 1
    assert all(codes == ("426783006",) for codes in normal.meta["dx_codes"])
    assert normal.meta["sinus_rhythm"].all()
    chosen = load_cinc2021(records=["JS20000", "E07500"], progress=False)
    assert list(chosen.meta.index) == ["JS20000", "E07500"]
    assert isinstance(chosen.ecg, ECG) and chosen.ecg.n_records == 2


def test_cinc2021_without_a_copy_says_where_to_get_it(no_local_copy, monkeypatch):
    fake = FakePhysioNet(monkeypatch, {}, fail=True)
    with pytest.raises(FileNotFoundError) as caught:
        load_cinc2021(progress=False)
    message = str(caught.value)
    assert "https://physionet.org/content/challenge-2021/1.0.3/" in message
    assert "ECGTOOLKIT_DATA" in message
    assert fake.files == [] and fake.records == []  # no automatic download


def test_cinc2021_unknown_record_names_it(data_dir):
    with pytest.raises(FileNotFoundError, match="lacks records X99"):
        load_cinc2021(data_dir / "cinc2021", records=["X99"], progress=False)
