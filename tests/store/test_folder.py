"""Folder datasets: generate_to, its manifest, resume and refusals (ecgtoolkit/dataset/folder.py)."""

import json
import tracemalloc

import numpy as np
import pytest

import ecgtoolkit as et

# -- generate_to -----------------------------------------------------------------------


def test_generate_to_wfdb_matches_generate(tmp_path):
    out = et.generate_to(tmp_path / "ds", 3, seed=4, progress=False, batch_size=8)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["0.dat", "0.hea", "1.dat", "1.hea", "2.dat", "2.hea",
                     "checksums.crc32c", "manifest.json"]  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4 and manifest["fs"] == 500 and manifest["format"] == "wfdb"
    expected = et.generate(3, seed=4, batch_size=8)
    for i in range(3):
        rec = et.read(out / f"{i}.hea")
        assert rec.leads == et.STANDARD_LEADS
        np.testing.assert_allclose(rec.signal, expected.signal[i], atol=0.0005 + 1e-6)


@pytest.mark.parametrize("fmt", ["csv", "asc", "npy", "npz"])
def test_generate_to_other_formats_read_back(tmp_path, fmt):
    out = et.generate_to(tmp_path, 2, seed=2, format=fmt, progress=False, batch_size=8)
    expected = et.generate(2, seed=2, batch_size=8, n_leads=8 if fmt == "asc" else 12)
    rec = et.read(out / f"1.{fmt}")
    assert rec.leads == expected.leads
    atol = 0.0005 + 1e-6 if fmt == "asc" else 1e-4
    np.testing.assert_allclose(rec.signal, expected.signal[1], atol=atol)


def test_asc_is_upstream_compatible(tmp_path):
    et.generate_to(tmp_path, 1, seed=0, format="asc", progress=False)
    table = np.loadtxt(tmp_path / "0.asc")
    assert table.shape == (5000, 8)
    assert np.all(table == np.round(table))  # integer µV
    assert 300 < np.abs(table).max() <= 6000


def test_generate_to_refuses_to_overwrite_and_writes_nothing(tmp_path):
    et.generate_to(tmp_path, 2, seed=1, progress=False)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    with pytest.raises(FileExistsError, match="overwrite=True"):
        et.generate_to(tmp_path, 3, seed=1, progress=False)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before
    et.generate_to(tmp_path, 3, seed=1, progress=False, overwrite=True)
    assert (tmp_path / "2.hea").exists()


def test_generate_to_resume_after_interruption(tmp_path, monkeypatch):
    full = et.generate(6, seed=9, batch_size=2)
    real_write = et.io.write_batch
    calls = {"n": 0}

    def failing_write(signals, fs, leads, stems, fmt, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # interrupted after the first record of the second batch
            real_write(signals[:1], fs, leads, stems[:1], fmt, overwrite=False)
            raise KeyboardInterrupt
        return real_write(signals, fs, leads, stems, fmt, **kwargs)

    monkeypatch.setattr(et.io, "write_batch", failing_write)
    with pytest.raises(KeyboardInterrupt):
        et.generate_to(tmp_path, 6, seed=9, batch_size=2, progress=False)
    monkeypatch.undo()
    written = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".hea")
    assert written == ["0.hea", "1.hea", "2.hea"]
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]
    with pytest.raises(ValueError, match="cannot resume"):
        et.generate_to(tmp_path, 6, seed=10, resume=True, progress=False)
    et.generate_to(tmp_path, 6, resume=True, batch_size=2, progress=False)  # seed from manifest
    for i in range(6):
        np.testing.assert_allclose(et.read(tmp_path / str(i)).signal, full.signal[i], atol=0.00051)


def test_generate_to_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown format"):
        et.generate_to(tmp_path, 1, format="edf", progress=False)
    with pytest.raises(ValueError, match="contradict"):
        et.generate_to(tmp_path, 1, overwrite=True, resume=True, progress=False)
    with pytest.raises(ValueError, match="resume needs the seed"):
        et.generate_to(tmp_path / "new", 1, resume=True, progress=False)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(NotADirectoryError):
        et.generate_to(a_file, 1, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_generate_to_memory_is_bounded(tmp_path):
    """256 ECGs × 12 leads × 5000 float32 would hold 61 MB; chunks keep far less."""
    et.generate(1, seed=0)  # load the model outside the measurement
    tracemalloc.start()
    try:
        et.generate_to(tmp_path, 256, seed=0, batch_size=16, progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(list(tmp_path.glob("*.hea"))) == 256
    assert peak < 20e6


def test_resume_keeps_the_batch_size_of_the_first_run(tmp_path):
    et.generate_to(tmp_path, 3, seed=6, batch_size=2, progress=False)
    (tmp_path / "1.hea").unlink()
    with pytest.raises(ValueError, match="batch_size=2"):
        et.generate_to(tmp_path, 3, resume=True, batch_size=8, progress=False)
    et.generate_to(tmp_path, 3, resume=True, progress=False)  # takes 2 from the manifest
    expected = et.generate(3, seed=6, batch_size=2)
    np.testing.assert_allclose(et.read(tmp_path / "1").signal, expected.signal[1], atol=0.00051)


# -- the manifest: one dataset per folder ----------------------------------------------


def test_other_format_into_a_dataset_is_refused_and_the_manifest_kept(tmp_path):
    et.generate_to(tmp_path, 2, seed=1, batch_size=8, progress=False)
    before = (tmp_path / "manifest.json").read_bytes()
    with pytest.raises(
        FileExistsError, match="seed=1, format=wfdb.*you asked for seed=1, format=csv"
    ):
        et.generate_to(tmp_path, 2, seed=1, format="csv", start_id=20, progress=False)
    with pytest.raises(ValueError, match="cannot resume: .*format=wfdb.*format=csv"):
        et.generate_to(tmp_path, 2, seed=1, format="csv", resume=True, progress=False)
    assert (tmp_path / "manifest.json").read_bytes() == before
    assert not list(tmp_path.glob("*.csv"))


def test_manifest_records_the_settings_and_ids(tmp_path):
    et.generate_to(tmp_path, 3, seed=2, start_id=5, batch_size=4, progress=False)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["first_id"] == 5 and manifest["count"] == 3 and manifest["batch_size"] == 4
    assert manifest["ecgtoolkit"] == et.__version__ and manifest["format"] == "wfdb"
    with pytest.raises(ValueError, match="first_id=5.*first_id=0"):
        et.generate_to(tmp_path, 3, seed=2, resume=True, progress=False)


def test_resume_removes_leftovers_of_interrupted_writes(tmp_path):
    et.generate_to(tmp_path, 3, seed=4, batch_size=2, progress=False)
    expected = et.read(tmp_path / "1").signal
    (tmp_path / "1.hea").unlink()  # killed while writing record 1:
    (tmp_path / ".1.hea.tmp-4242-139890").write_text("half a header")
    (tmp_path / ".1.dat.tmp-4242-139890").write_bytes(b"\0" * 10)
    (tmp_path / ".manifest.json.tmp-4242-1").write_text("{")
    (tmp_path / ".keep").write_text("not ours")  # hidden, but not a toolkit temp name
    et.generate_to(tmp_path, 3, resume=True, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".keep"]
    np.testing.assert_array_equal(et.read(tmp_path / "1").signal, expected)


def test_resume_never_takes_foreign_files_for_records(tmp_path):
    (tmp_path / "1.hea").write_text("LUDB header")
    (tmp_path / "1.dat").write_bytes(b"LUDB")
    with pytest.raises(ValueError, match="no manifest.json, so they are not a dataset"):
        et.generate_to(tmp_path, 3, seed=1, resume=True, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.dat", "1.hea"]
    assert (tmp_path / "1.hea").read_text() == "LUDB header"


def test_extending_a_dataset_refuses_files_it_did_not_write(tmp_path):
    et.generate_to(tmp_path, 2, seed=1, batch_size=8, progress=False)
    (tmp_path / "3.hea").write_text("someone else's")
    with pytest.raises(FileExistsError, match="3.hea.*not written by this dataset"):
        et.generate_to(tmp_path, 4, seed=1, resume=True, progress=False)
    assert (tmp_path / "3.hea").read_text() == "someone else's"
    (tmp_path / "3.hea").unlink()
    et.generate_to(tmp_path, 4, seed=1, resume=True, progress=False)
    assert json.loads((tmp_path / "manifest.json").read_text())["count"] == 4


def test_resume_into_an_empty_folder_starts_the_dataset(tmp_path):
    et.generate_to(tmp_path / "new", 2, seed=1, resume=True, batch_size=8, progress=False)
    assert (tmp_path / "new" / "1.hea").exists()


def test_overwrite_replaces_the_whole_dataset(tmp_path):
    et.generate_to(tmp_path, 3, seed=1, batch_size=8, progress=False)
    et.generate_to(tmp_path, 2, seed=2, format="csv", overwrite=True, progress=False)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["0.csv", "1.csv", "checksums.crc32c", "manifest.json"]
    assert (tmp_path / "checksums.crc32c").read_text().count("\n") == 2
    assert json.loads((tmp_path / "manifest.json").read_text())["seed"] == 2
