"""Hostile cases of the dataset layer: damage, resumes, two writers, huge requests.

Each test is a case a hostile tester found (issue 16) or a variant of one: before, each
one read damaged data as data, lost data silently, or exited 0 with damage on disk.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import ecgtoolkit as et
from ecgtoolkit.cli import main
from ecgtoolkit.core.lock import DatasetLocked, WriterLock
from ecgtoolkit.store import DamagedRecordError, generate_store, open_store

N, PER_CHUNK = 40, 8  # 5 chunks of 8 records


def _files(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` but the lock, by relative name."""
    return {
        str(p.relative_to(path)): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file() and p.name != ".ecgtoolkit.lock"
    }


def _stamps(path: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every file: a file rewritten gets a new inode or mtime."""
    return {
        str(p.relative_to(path)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in path.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def straight_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("straight") / "s.zarr"
    return generate_store(path, N, seed=4, batch_size=16, records_per_chunk=PER_CHUNK,
                          progress=False)  # fmt: skip


@pytest.fixture
def store(tmp_path, straight_store):
    """A copy of a finished store, to damage."""
    return Path(shutil.copytree(straight_store, tmp_path / "x.zarr"))


@pytest.fixture(scope="module")
def straight_folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("straight") / "d"
    return et.generate_to(path, 12, seed=4, batch_size=8, progress=False)


@pytest.fixture
def folder(tmp_path, straight_folder):
    return Path(shutil.copytree(straight_folder, tmp_path / "d"))


def _regenerate_store(path: Path) -> list[str]:
    """Run the same generate call; the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        generate_store(path, N, seed=4, progress=False)
    return [str(w.message) for w in caught]


# -- a damaged store never reads as data -----------------------------------------------
def test_a_deleted_chunk_is_named_never_read_as_fill_values(store):
    os.remove(store / "signals" / "c" / "2" / "0" / "0")
    with pytest.raises(DamagedRecordError, match=r"records 16–23 \(chunk 2.*missing.*rerun"):
        open_store(store)
    opened = open_store(store, allow_incomplete=True)
    assert "damaged" in repr(opened)
    with pytest.raises(DamagedRecordError, match="records 16–23"):
        opened[20]
    with pytest.raises(DamagedRecordError, match="records 16–23"):
        opened[10:30]
    np.testing.assert_array_equal(opened[0:16].record_ids, np.arange(16))  # intact rows read
    assert [b.record_ids[0] for b in opened.iter_chunks()] == [0, 8, 24, 32]


def test_dask_never_sums_fill_values_of_a_deleted_chunk(store):
    pytest.importorskip("dask")
    whole = float(open_store(store).to_dask().sum().compute())
    assert np.isfinite(whole)
    array = open_store(store).to_dask()  # opened before the damage
    os.remove(store / "signals" / "c" / "3" / "0" / "0")
    with pytest.raises(DamagedRecordError, match="records 24–31"):
        array.sum().compute()
    with pytest.raises(DamagedRecordError, match="records 24–31"):
        open_store(store, allow_incomplete=True).to_dask()


@pytest.mark.parametrize("size", [0, 3, 1000])
def test_a_truncated_chunk_raises_a_clear_error_not_a_codec_error(store, size):
    os.truncate(store / "signals" / "c" / "1" / "0" / "0", size)
    opened = open_store(store)  # the file is there: found when read
    with pytest.raises(DamagedRecordError, match=r"records 8–15 \(chunk 1.*damaged"):
        opened[9]
    result = et.verify(store, progress=False)
    assert result.record_ids == list(range(8, 16))
    assert result.problems["problem"].str.contains("damaged").all()


def test_a_flipped_byte_is_found_by_its_checksum(store):
    chunk = store / "signals" / "c" / "4" / "0" / "0"
    data = bytearray(chunk.read_bytes())
    data[len(data) // 2] ^= 0x01
    chunk.write_bytes(bytes(data))
    assert et.verify(store, progress=False).record_ids == list(range(32, 40))
    with pytest.raises(DamagedRecordError, match="checksum mismatch"):
        open_store(store)[35]


def test_measuring_a_damaged_store_marks_only_its_damaged_records(store):
    os.remove(store / "signals" / "c" / "0" / "0" / "0")
    table = et.measure_source(store, n_jobs=1, progress=False)
    damaged = table.loc[list(range(8))]
    assert (damaged["status"] == "error").all()
    assert damaged["reason"].str.contains("chunk 0").all()
    assert not (table.drop(index=list(range(8)))["status"] == "error").any()


def test_the_same_command_rewrites_exactly_the_damaged_chunks(store, straight_store):
    os.remove(store / "signals" / "c" / "1" / "0" / "0")
    os.truncate(store / "signals" / "c" / "3" / "0" / "0", 500)
    before = _stamps(store)
    said = _regenerate_store(store)
    assert any("2 finished chunk(s) were missing or damaged" in s for s in said)
    after = _stamps(store)
    rewritten = sorted(n for n in after if before.get(n) != after[n])
    assert rewritten == ["done/c/1", "done/c/3", "signals/c/1/0/0", "signals/c/3/0/0"]
    assert _files(store) == _files(straight_store)  # byte-identical to a straight run
    assert et.verify(store, progress=False).ok


def test_a_lost_done_mark_or_ids_chunk_is_repaired_too(store, straight_store):
    os.remove(store / "done" / "c" / "2")
    os.truncate(store / "record_ids" / "c" / "0", 10)
    assert open_store(store, allow_incomplete=True).complete is False
    _regenerate_store(store)
    assert _files(store) == _files(straight_store)


def test_the_cli_repairs_and_verify_exits_nonzero_until_then(store, capsys):
    os.remove(store / "signals" / "c" / "4" / "0" / "0")
    assert main(["verify", "-q", str(store)]) == 1
    out = capsys.readouterr().out
    assert "records 32–39: signals/c/4/0/0: chunk 4: missing" in out
    command = out.split("repair (rewrites only these records): ")[1].split()
    assert command[:2] == ["ecgtoolkit", "generate"]
    assert main([*command[1:], "-q"]) == 0
    assert "writing them again" in capsys.readouterr().err
    assert main(["verify", "-q", str(store)]) == 0
    assert "all records intact" in capsys.readouterr().out


def test_a_garbled_store_metadata_is_refused_until_overwritten(store):
    (store / "zarr.json").write_text("{ not json")
    with pytest.raises(DamagedRecordError, match=r"zarr.json.*--overwrite"):
        open_store(store)
    with pytest.raises(DamagedRecordError, match="zarr.json"):
        generate_store(store, N, seed=4, progress=False)
    generate_store(store, N, seed=4, records_per_chunk=PER_CHUNK, overwrite=True,
                   progress=False)  # fmt: skip
    assert open_store(store).complete


# -- a resumed folder trusts no file ----------------------------------------------------
def test_resume_rewrites_exactly_the_truncated_and_deleted_records(folder, straight_folder):
    os.truncate(folder / "5.dat", 1000)
    os.remove(folder / "7.dat")
    found = et.verify(folder, progress=False)
    assert found.problems["file"].to_dict() == {5: "5.dat", 7: "7.dat"}
    assert found.problems.loc[5, "problem"].startswith("damaged")
    before = _stamps(folder)
    et.generate_to(folder, 12, seed=4, resume=True, progress=False)
    after = _stamps(folder)
    rewritten = sorted(n for n in after if before.get(n) != after[n])
    assert rewritten == ["5.dat", "5.hea", "7.dat", "7.hea", "checksums.crc32c"]
    assert _files(folder) == _files(straight_folder)
    assert et.verify(folder, progress=False).ok


def test_resume_finds_a_header_edited_in_place(folder, straight_folder):
    text = (folder / "3.hea").read_text()
    (folder / "3.hea").write_text(text.replace(" 500 ", " 250 ", 1))
    assert et.verify(folder, progress=False).record_ids == [3]
    et.generate_to(folder, 12, seed=4, resume=True, progress=False)
    assert _files(folder) == _files(straight_folder)


def test_a_torn_checksum_line_costs_one_rewrite_not_the_dataset(folder, straight_folder):
    log = folder / "checksums.crc32c"
    log.write_text(log.read_text()[:-12])  # killed while appending the last line
    assert et.verify(folder, progress=False).record_ids == [11]
    before = _stamps(folder)
    et.generate_to(folder, 12, seed=4, resume=True, progress=False)
    after = _stamps(folder)
    assert sorted(n for n in after if before.get(n) != after[n]) == [
        "11.dat", "11.hea", "checksums.crc32c"
    ]  # fmt: skip
    assert _files(folder) == _files(straight_folder)


# -- one writer at a time ---------------------------------------------------------------
_HOLD = """
import sys, time
from ecgtoolkit.core.lock import WriterLock
with WriterLock(sys.argv[1], "test"):
    print("held", flush=True)
    time.sleep(120)
"""


def _hold_in_another_process(lock_file: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(lock_file)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_writer_is_refused_naming_the_holder_and_a_dead_ones_lock_is_taken(tmp_path):
    out = tmp_path / "d"
    out.mkdir()
    holder = _hold_in_another_process(out / ".ecgtoolkit.lock")
    try:
        started = time.perf_counter()
        with pytest.raises(DatasetLocked, match=rf"pid {holder.pid} on host .+, started 20"):
            et.generate_to(out, 3, seed=8, resume=True, progress=False)
        assert time.perf_counter() - started < 5  # refused at once, not after waiting
        assert sorted(p.name for p in out.iterdir()) == [".ecgtoolkit.lock"]  # nothing written
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    assert str(holder.pid) in (out / ".ecgtoolkit.lock").read_text()  # stale, not locked
    et.generate_to(out, 3, seed=8, resume=True, progress=False)
    assert et.verify(out, progress=False).ok
    assert not (out / ".ecgtoolkit.lock").exists()  # released and removed


def test_two_writers_on_one_store_cannot_mix_seeds(tmp_path):
    path = tmp_path / "x.zarr"
    with WriterLock(tmp_path / ".x.zarr.lock", "the first writer"):
        with pytest.raises(DatasetLocked, match=f"pid {os.getpid()}"):
            generate_store(path, 4, seed=8, progress=False)
    assert not path.exists()


def test_two_concurrent_resumes_with_other_seeds_do_not_both_succeed(tmp_path):
    out = tmp_path / "d"
    command = [sys.executable, "-m", "ecgtoolkit", "generate", "-n", "400", "-o", str(out),
               "--resume", "-q", "--seed"]  # fmt: skip
    first = subprocess.Popen([*command, "7"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while not (out / ".ecgtoolkit.lock").exists() and first.poll() is None:
            assert time.time() < deadline
            time.sleep(0.05)
        second = subprocess.run([*command, "8"], capture_output=True, text=True)
    finally:
        first.wait(timeout=600)
        error = first.stderr.read()
        first.stderr.close()
    if first.returncode != 0:
        pytest.fail(error)
    assert second.returncode == 1
    assert "being written by another process" in second.stderr or "seed=7" in second.stderr
    assert et.verify(out, progress=False).ok
    assert et.store.Manifest.read(out / "manifest.json").seed == 7


# -- requests that cannot fit, and the wrong kind of target ------------------------------
def test_a_request_larger_than_the_disk_is_refused_up_front(tmp_path, capsys):
    started = time.perf_counter()
    assert main(["generate", "-n", "99999999999", "-o", str(tmp_path / "d"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "need about 12.1 PB" in err and "free" in err and "resume" not in err
    assert not (tmp_path / "d").exists()
    with pytest.raises(OSError, match="need about"):
        generate_store(tmp_path / "x.zarr", 99_999_999_999, seed=1, progress=False)
    assert not (tmp_path / "x.zarr").exists()
    assert time.perf_counter() - started < 30


def test_files_are_never_written_into_a_zarr_store(store):
    before = _files(store)
    with pytest.raises(FileExistsError, match="is a Zarr store"):
        et.generate_to(store, 2, seed=1, progress=False)
    with pytest.raises(FileExistsError, match="is a Zarr store"):
        et.generate_to(store, 2, seed=1, resume=True, progress=False)
    assert _files(store) == before


def test_a_store_is_never_written_over_a_folder_dataset(folder):
    with pytest.raises(FileExistsError, match="not a Zarr store"):
        generate_store(folder, 2, seed=1, progress=False)
