"""Generate DeepFake ECGs into a chunked, resumable, self-checking Zarr store.

A store holds one dataset of ``n`` records as a Zarr v3 group:

``signals``
    ``(n, n_leads, 5000)`` in chunks of whole records ``(records_per_chunk, n_leads,
    5000)``, compressed with Zstandard and ended by a CRC-32C checksum: int16 in µV (``encoding="int16"``, the default:
    1 µV resolution, as WFDB files at 1000 adu/mV and the published ASCII files hold
    them) or float32 in mV (``encoding="float32"``: the generator's output exactly).
    Readers get float32 mV either way.
``record_ids``
    int64 ``(n,)``, the generator's record id of each row.
``done``
    bool ``(n_chunks,)``, one Zarr chunk per signal chunk: ``done[k]`` is set only
    after chunk ``k`` of ``signals`` is written and flushed to disk.

The group's attributes hold the dataset's :class:`~ecgtoolkit.store.Manifest`
(seed, leads, batch size, count, ecgtoolkit version, generator with its checkpoint's
sha256), the sampling rate and
the units. A writer holds the lock file ``.<name>.lock`` next to the store for the whole
run (:class:`ecgtoolkit.core.lock.WriterLock`). Reading lives in
:mod:`ecgtoolkit.store.zarr_reader`.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..core import validation
from ..core.files import check_free_space
from ..core.lock import WriterLock
from ..core.progress import progress_bar
from ..generators.generate import FS, N_SAMPLES, GeneratorSettings, generate_records
from .integrity import DamagedRecordError, chunk_file
from .manifest import SETTINGS, Manifest
from .writers import write_behind, writer_threads
from .zarr_reader import _UV_PER_MV, _encoding, _read_done, _read_store_manifest, chunk_problems

__all__ = ["BYTES_PER_LEAD", "ENCODINGS", "RECORDS_PER_CHUNK", "generate_store"]

#: Records per chunk of a new store: 64 × 12 leads × 5000 float32 = 15 MB.
RECORDS_PER_CHUNK = 64
_STORE_SETTINGS = (*SETTINGS, "records_per_chunk")
#: How a store may hold the samples: int16 µV (1 µV resolution) or float32 mV (exact).
ENCODINGS = ("int16", "float32")
#: Bytes per lead of a stored 10 s record, by encoding (measured on 128 DeepFakes; they
#: size the free-space check).
BYTES_PER_LEAD = {"int16": 6_600, "float32": 18_500}


def generate_store(
    out: str | os.PathLike,
    n: int,
    *,
    seed: int,
    n_leads: int = 12,
    batch_size: int | None = None,
    records_per_chunk: int | None = None,
    encoding: str | None = None,
    device: str = "auto",
    generator: str | os.PathLike | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Generate ``n`` DeepFake ECGs into a resumable, chunked Zarr store.

    Parameters
    ----------
    out : path
        The store (a folder, conventionally ``*.zarr``). If it holds a store made with
        the same settings, the chunks not yet finished are generated (a resume);
        finished chunks are kept.
    n : int
        Number of ECGs; they get record ids ``0 … n − 1``.
    seed : int
        Noise seed. Record ``i`` depends only on ``(seed, i)`` and the batch size, so a
        killed run started again with the same arguments ends with exactly the data
        of one uninterrupted run.
    n_leads : {12, 8}
        As in :func:`ecgtoolkit.generate`.
    batch_size : int, optional
        ECGs per forward pass (default 64 on CPU, 512 on CUDA; on resume, the store's).
    records_per_chunk : int, optional
        Records per Zarr chunk (default 64; on resume, the store's).
    encoding : {"int16", "float32"}, optional
        How the samples are stored (default ``"int16"``; on resume, the store's):
        ``"int16"``: rounded to 1 µV, about 78 kB per 12-lead ECG (the error, at most
        0.5 µV, is far below any ECG amplifier's noise); ``"float32"``: the model's
        output bit for bit, about 222 kB per ECG (float noise barely compresses).
    device : {"auto", "cpu", "cuda", "cuda:N"}
        Where to run the model.
    generator : path, optional
        A checkpoint of the Pulse2Pulse generator to run instead of the published
        weights (see :func:`ecgtoolkit.generate`). Its sha256 goes into the manifest;
        finishing a store takes the same file again.
    overwrite : bool
        Replace an existing ecgtoolkit store at ``out`` (made with any settings).
    progress : bool
        Show a progress bar.

    Returns
    -------
    pathlib.Path
        The store's path.

    Raises
    ------
    TypeError
        For a count, seed or chunk size that is not an integer.
    ValueError
        If ``out`` holds a store made with other settings (the message names them; for
        another generator file, both sha256 prefixes), for bad arguments, or a
        generator checkpoint that cannot be used (see :func:`ecgtoolkit.load_generator`).
    FileExistsError
        If ``out`` exists and is not an ecgtoolkit store (also with ``overwrite``:
        only a store is ever replaced).
    ecgtoolkit.core.lock.DatasetLocked
        If another process is writing this store (the message names it).
    ecgtoolkit.store.DamagedRecordError
        If the store's metadata (``zarr.json``) cannot be read and ``overwrite`` is
        not given.
    OSError
        If the disk has less free space than the records need (``errno.ENOSPC``).

    Notes
    -----
    Chunk ``k`` is written through Zarr (each chunk file goes to a temporary name and
    is renamed), ends with its CRC-32C, is flushed with ``fsync``, and only then marked
    in ``done``. A rerun checks the CRC-32C of every finished chunk and rewrites the
    missing or damaged ones (with a warning naming them) and every chunk not marked,
    so a chunk half written when the process died is never taken as valid, and
    readers (:func:`open_store`) refuse unmarked chunks. A new store is built under a
    temporary name and renamed into place, so ``out`` never holds a store without its
    settings.

    Examples
    --------
    >>> import tempfile, ecgtoolkit as et
    >>> from ecgtoolkit.store import generate_store, open_store
    >>> path = generate_store(tempfile.mkdtemp() + "/x.zarr", 3, seed=1, progress=False)
    >>> store = open_store(path)
    >>> store
    <ECGStore | 3 records × 12 leads × 5000 samples (10 s at 500 Hz), mV, seed 1, complete>
    >>> store[1].meta["record_id"]
    1
    """
    n = validation.count(n)
    path = Path(out)
    if not path.parent.exists():
        check_free_space(path, n * _bytes_per_record(encoding or "int16", n_leads), "the store")
    path.parent.mkdir(parents=True, exist_ok=True)
    with WriterLock(path.parent / f".{path.name}.lock", f"the store {path}"):
        _remove_interrupted_creations(path)
        try:
            old = _read_store_manifest(path)
            garbled = False
        except DamagedRecordError:
            if not overwrite:
                raise
            old, garbled = None, True
        resuming = old is not None and not overwrite
        settings = GeneratorSettings.resolve(
            seed=seed,
            n_leads=n_leads,
            device=device,
            batch_size=old.batch_size if resuming and batch_size is None else batch_size,
            generator=generator,
        )
        per_chunk = _check_records_per_chunk(
            records_per_chunk,
            old.generator["records_per_chunk"] if resuming else RECORDS_PER_CHUNK,
        )
        if encoding is None:
            encoding = _encoding(old) if resuming else "int16"
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
        asked = _store_manifest(settings, n, per_chunk, encoding)
        if resuming:
            _check_resume(path, old, asked, per_chunk, encoding)
            manifest = old
        else:
            manifest = asked
            check_free_space(
                path, n * _bytes_per_record(encoding, len(manifest.leads)), f"{n:,} ECGs"
            )
            _create_store(path, manifest, replace=overwrite and (old is not None or garbled))
        _fill_store(path, manifest, settings, progress)
    return path


def _bytes_per_record(encoding: str, n_leads: int) -> int:
    return BYTES_PER_LEAD.get(encoding, max(BYTES_PER_LEAD.values())) * n_leads


def _check_resume(
    path: Path, old: Manifest, asked: Manifest, per_chunk: int, encoding: str
) -> None:
    differ = old.mismatch(asked, SETTINGS, where="store")
    for key, ours in (("records_per_chunk", per_chunk), ("encoding", encoding)):
        theirs = old.generator["records_per_chunk"] if key != "encoding" else _encoding(old)
        if differ is None and ours != theirs:
            differ = f"this store has {key}={theirs}; you asked for {ours}"
    if differ:
        raise ValueError(
            f"cannot resume {path}: {differ}; rerun with the same settings, pass "
            "overwrite=True (--overwrite) to replace the store, or use a new path"
        )


def _check_records_per_chunk(value: Any, default: int) -> int:
    if value is None:
        return int(default)
    return validation.count(value, "records_per_chunk")


def _store_manifest(
    settings: GeneratorSettings, n: int, records_per_chunk: int, encoding: str
) -> Manifest:
    manifest = Manifest.for_run(settings, format="zarr", first_id=0, count=n)
    manifest.generator["records_per_chunk"] = records_per_chunk
    manifest.generator["encoding"] = encoding
    return manifest


def _encode(data_mv: np.ndarray, encoding: str) -> np.ndarray:
    """mV float32 -> the stored samples (int16 µV, or float32 mV unchanged)."""
    if encoding == "float32":
        return data_mv
    microvolts = np.rint(data_mv * np.float32(_UV_PER_MV))
    if not np.abs(microvolts).max() <= np.iinfo(np.int16).max:
        raise ValueError(
            "a generated sample exceeds ±32.767 mV, which int16 µV cannot hold; "
            "use encoding='float32'"
        )
    return microvolts.astype(np.int16)


def _tmp_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(path.name)}\.(tmp|old)-\d+-\d+")


def _remove_interrupted_creations(path: Path) -> None:
    """Remove this toolkit's temporary stores next to ``path`` left by a killed run."""
    parent = path.parent
    if not parent.is_dir():
        return
    pattern = _tmp_pattern(path)
    for name in os.listdir(parent):
        if pattern.fullmatch(name):
            shutil.rmtree(parent / name, ignore_errors=True)


def _create_store(path: Path, manifest: Manifest, *, replace: bool) -> None:
    """Create an empty store under a temporary name and rename it to ``path``."""
    import zarr

    checked = (zarr.codecs.ZstdCodec(), zarr.codecs.Crc32cCodec())

    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = f"{os.getpid()}-{threading.get_ident()}"
    tmp = path.parent / f".{path.name}.tmp-{suffix}"
    n, n_leads = manifest.count, len(manifest.leads)
    per_chunk = manifest.generator["records_per_chunk"]
    as_int = _encoding(manifest) == "int16"
    try:
        group = zarr.open_group(tmp, mode="w-", attributes=manifest.to_dict())
        group.create_array(
            "signals",
            shape=(n, n_leads, N_SAMPLES),
            chunks=(per_chunk, n_leads, N_SAMPLES),
            dtype="int16" if as_int else "float32",
            fill_value=np.iinfo(np.int16).min if as_int else np.nan,
            compressors=(zarr.codecs.ZstdCodec(level=1), zarr.codecs.Crc32cCodec()),
            dimension_names=("record", "lead", "sample"),
            attributes={"units": "uV" if as_int else "mV", "fs": FS, "leads": list(manifest.leads)},
        )
        ids = group.create_array(
            "record_ids", shape=(n,), chunks=(n,), dtype="int64", fill_value=-1,
            compressors=checked,
        )  # fmt: skip
        ids[:] = np.arange(manifest.first_id, manifest.first_id + n, dtype=np.int64)
        group.create_array(
            "done", shape=(-(-n // per_chunk),), chunks=(1,), dtype="bool", fill_value=False,
            compressors=checked,
        )  # fmt: skip
        if replace:
            old = path.parent / f".{path.name}.old-{suffix}"
            os.rename(path, old)
            os.rename(tmp, path)
            shutil.rmtree(old)
        else:
            os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fill_store(
    path: Path, manifest: Manifest, settings: GeneratorSettings, progress: bool
) -> None:
    """Generate and write every chunk of the store not marked done."""
    import zarr

    group = zarr.open_group(path, mode="r+")
    signals, done_marks = group["signals"], group["done"]
    per_chunk = manifest.generator["records_per_chunk"]
    n = manifest.count
    encoding = _encoding(manifest)
    # A killed write leaves Zarr's own "<chunk>.<uuid hex>.partial" temporary files.
    for root, _, files in os.walk(path / "signals" / "c"):
        for name in files:
            if re.fullmatch(r".+\.[0-9a-f]{32}\.partial", name):
                os.unlink(os.path.join(root, name))
    done = _read_done(done_marks)
    _repair_record_ids(path, group, manifest)
    damaged = chunk_problems(path, signals, np.flatnonzero(done).tolist(), progress=progress)
    if damaged:
        shown = "; ".join(
            f"records {k * per_chunk}–{min(n, (k + 1) * per_chunk) - 1}: {why}"
            for k, why in sorted(damaged.items())[:5]
        )
        warnings.warn(
            f"{path}: {len(damaged)} finished chunk(s) were missing or damaged ({shown}"
            f"{' …' if len(damaged) > 5 else ''}); writing them again",
            UserWarning,
            stacklevel=3,
        )
        for k in damaged:
            done_marks[k] = False
            done[k] = False
    todo_chunks = np.flatnonzero(~done)
    todo = np.concatenate(
        [np.arange(k * per_chunk, min(n, (k + 1) * per_chunk)) for k in todo_chunks]
        or [np.empty(0, dtype=np.int64)]
    ).astype(np.int64)
    check_free_space(path, len(todo) * _bytes_per_record(encoding, len(manifest.leads)),
                     f"the {len(todo):,} ECGs left")  # fmt: skip

    bar = progress_bar(total=n, initial=n - len(todo), desc="writing zarr", unit="ECG",
                       enabled=progress)  # fmt: skip
    with bar:

        def write_chunk(k: int, data: np.ndarray) -> None:
            start = k * per_chunk
            signals[start : start + len(data)] = _encode(data, encoding)
            _fsync(chunk_file(path, "signals", k, 3))
            done_marks[k] = True
            _fsync(chunk_file(path, "done", k, 1))
            bar.update(len(data))

        batches = generate_records(todo, settings)
        chunks = _whole_chunks(batches, n, per_chunk, len(manifest.leads))
        write_behind(
            chunks, write_chunk, threads=writer_threads(device=settings.device, compresses=True)
        )


def _repair_record_ids(path: Path, group: Any, manifest: Manifest) -> None:
    """Rewrite the record ids if their chunk is missing, damaged or wrong."""
    expected = np.arange(manifest.first_id, manifest.first_id + manifest.count, dtype=np.int64)
    ids = group["record_ids"]
    try:
        intact = chunk_file(path, "record_ids", 0, 1).exists() and (
            np.array_equal(ids[:], expected)
        )
    except Exception:  # noqa: BLE001 - a damaged chunk of ids is rewritten
        intact = False
    if not intact:
        ids[:] = expected


def _whole_chunks(
    batches: Iterator[tuple[np.ndarray, np.ndarray]], n: int, per_chunk: int, leads: int
) -> Iterator[tuple[int, np.ndarray]]:
    """Regroup generated batches (sorted ids of whole chunks) into (chunk index, mV data).

    A batch that holds a whole chunk hands it on as a view (each batch is a new array);
    only chunks split across batches are copied together.
    """
    current, buffer, filled = -1, np.empty(0), 0
    for ids, signals in batches:
        start = 0
        while start < len(ids):
            k = int(ids[start]) // per_chunk
            rows = min(n, (k + 1) * per_chunk) - k * per_chunk
            stop = start + int(np.searchsorted(ids[start:], (k + 1) * per_chunk))
            first = int(ids[start]) - k * per_chunk
            if first == 0 and stop - start == rows:
                yield k, signals[start:stop]
                start = stop
                continue
            if k != current:
                current, filled = k, 0
                buffer = np.empty((rows, leads, N_SAMPLES), dtype=np.float32)
            buffer[first : first + stop - start] = signals[start:stop]
            filled += stop - start
            start = stop
            if filled == len(buffer):
                yield k, buffer
