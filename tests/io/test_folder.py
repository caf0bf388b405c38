"""The one lister of record folders (ecgtoolkit/io/folder.py)."""

from __future__ import annotations

import pytest

import ecgtoolkit as et
from ecgtoolkit.io import FolderSource, list_records


def test_folder_source_ignores_companions(tmp_path):
    batch = et.generate(2, seed=7, progress=False)
    et.write(batch[0], tmp_path / "10.hea")
    et.write(batch[1], tmp_path / "2.npz")
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / ".3.npz.tmp-1-2").write_bytes(b"")  # an interrupted write's leftover
    source = FolderSource(tmp_path)
    assert source.record_ids == ["2.npz", "10.hea"]
    assert source[0:2].n_records == 2
    assert source[1:2].meta["record_ids"] == ["10.hea"]


def test_every_readable_format_is_listed_once(tmp_path):
    names = ["1.hea", "1.dat", "2.csv", "3.asc", "4.npy", "5.npz", "6.MAT", "7.xml",
             "8.hea", "8.mat", "notes.txt", "9.atr"]  # fmt: skip
    for name in names:
        (tmp_path / name).touch()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "10.hea").touch()
    # WFDB by its header (its .mat signal file belongs to it), CPSC .mat alone, MUSE .xml
    assert list_records(tmp_path) == [
        "1.hea", "2.csv", "3.asc", "4.npy", "5.npz", "6.MAT", "7.xml", "8.hea"
    ]  # fmt: skip


def test_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        list_records(tmp_path / "missing")
    with pytest.raises(ValueError, match="no record files"):
        FolderSource(tmp_path)
    with pytest.raises(TypeError, match="slice"):
        (tmp_path / "a.csv").write_text("time_s,II\n0,0\n")
        FolderSource(tmp_path)[0]
