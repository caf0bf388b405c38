import os

import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.store import Verification, generate_store, verify
from ecgtoolkit.store.integrity import ChecksumLog, check_chunk


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return et.generate_to(tmp_path_factory.mktemp("f") / "d", 6, seed=2, format="csv",
                          batch_size=4, progress=False)  # fmt: skip


def test_an_intact_folder_verifies_with_a_tidy_empty_table(folder):
    result = verify(folder, progress=False)
    assert isinstance(result, Verification) and result.ok and result.kind == "folder"
    assert result.n_records == 6 and result.record_ids == []
    assert list(result.problems.columns) == ["file", "problem"]
    assert result.problems.index.name == "record_id"
    assert "all records intact" in result.summary()
    assert repr(result).endswith("6 records: intact>")


def test_the_repair_command_names_every_setting_the_resume_checks(folder):
    command = verify(folder, progress=False).repair_command
    assert "--format csv" in command and "--seed 2" in command and "--batch-size 4" in command
    assert command.endswith("--resume")


def test_an_interrupted_store_lists_the_records_not_generated_yet(tmp_path):
    path = generate_store(tmp_path / "x.zarr", 10, seed=1, records_per_chunk=4, progress=False)
    import zarr

    zarr.open_group(path, mode="r+")["done"][1] = False
    result = verify(path, progress=False)
    assert result.record_ids == [4, 5, 6, 7]
    assert result.problems["problem"].str.contains("not generated yet").all()
    assert "records 4–7: signals/c/1/0/0: chunk 1: not generated yet" in result.summary()


def test_a_folder_written_before_checksums_is_flagged_not_passed(tmp_path, folder):
    import shutil

    copy = shutil.copytree(folder, tmp_path / "old")
    os.remove(copy / "checksums.crc32c")
    result = verify(copy, progress=False)
    assert not result.ok and result.record_ids == list(range(6))
    assert any("before ecgtoolkit kept checksums" in note for note in result.notes)


def test_what_is_not_a_dataset_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing to verify"):
        verify(tmp_path / "absent")
    (tmp_path / "a.csv").write_text("time_s,I\n0,0\n")
    with pytest.raises(ValueError, match="not a dataset written by ecgtoolkit"):
        verify(tmp_path)


def test_the_digest_log_skips_torn_and_foreign_lines(tmp_path):
    log = ChecksumLog(tmp_path)
    log.append({"1.csv": "a" * 8, "2.csv": "b" * 8})
    with open(log.path, "a") as handle:
        handle.write("not a line\n" + "c" * 5)
    assert log.read() == {"1.csv": "a" * 8, "2.csv": "b" * 8}
    log.append({"1.csv": "d" * 8})  # the last line wins
    assert log.read()["1.csv"] == "d" * 8
    log.rewrite({"10.csv": "e" * 8, "9.csv": "f" * 8}, order=lambda n: int(n.split(".")[0]))
    assert log.path.read_text().splitlines() == [f"{'f' * 8}  9.csv", f"{'e' * 8}  10.csv"]


def test_check_chunk_reads_the_crc_without_decompressing(tmp_path):
    path = generate_store(tmp_path / "x.zarr", 2, seed=1, progress=False)
    chunk = path / "signals" / "c" / "0" / "0" / "0"
    assert check_chunk(chunk) is None
    assert check_chunk(path / "signals" / "c" / "9" / "0" / "0") == "missing"
    os.truncate(chunk, 4)
    assert check_chunk(chunk) == "damaged: only 4 bytes"


def test_verify_table_is_a_dataframe_even_when_empty(folder):
    assert isinstance(verify(folder, progress=False).problems, pd.DataFrame)
