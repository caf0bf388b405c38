"""Generate DeepFake ECGs into a chunked, resumable Zarr store, and read it lazily.

A store holds one dataset of ``n`` records as a Zarr v3 group:

``signals``
    ``(n, n_leads, 5000)`` in chunks of whole records ``(records_per_chunk, n_leads,
    5000)``, compressed with Zstandard: int16 in µV (``encoding="int16"``, the default:
    1 µV resolution, as WFDB files at 1000 adu/mV and the published ASCII files hold
    them) or float32 in mV (``encoding="float32"``: the generator's output exactly).
    Readers get float32 mV either way.
``record_ids``
    int64 ``(n,)``, the generator's record id of each row.
``done``
    bool ``(n_chunks,)``, one Zarr chunk per signal chunk: ``done[k]`` is set only
    after chunk ``k`` of ``signals`` is written and flushed to disk.

The group's attributes hold the dataset's :class:`~ecgtoolkit.store.Manifest`
(seed, leads, batch size, count, ecgtoolkit version, generator), the sampling rate and
the units.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import validation
from ..core.ecg import ECG
from ..core.progress import progress_bar
from ..generators.generate import FS, N_SAMPLES, GeneratorSettings, generate_records
from .manifest import SETTINGS, Manifest
from .writers import write_behind, writer_threads

if TYPE_CHECKING:
    import dask.array

__all__ = ["ECGStore", "generate_store", "open_store"]

#: Records per chunk of a new store: 64 × 12 leads × 5000 float32 = 15 MB.
RECORDS_PER_CHUNK = 64
_STORE_SETTINGS = (*SETTINGS, "records_per_chunk")
#: How a store may hold the samples: int16 µV (1 µV resolution) or float32 mV (exact).
ENCODINGS = ("int16", "float32")
_UV_PER_MV = 1000.0


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
        If ``out`` holds a store made with other settings (the message names them),
        or for bad arguments.
    FileExistsError
        If ``out`` exists and is not an ecgtoolkit store (also with ``overwrite``:
        only a store is ever replaced).

    Notes
    -----
    Chunk ``k`` is written through Zarr (each chunk file goes to a temporary name and
    is renamed), flushed with ``fsync``, and only then marked in ``done``. A resume
    rewrites every chunk not marked, so a chunk half written when the process died is
    never taken as valid, and readers (:func:`open_store`) refuse unmarked chunks. A
    new store is built under a temporary name and renamed into place, so ``out``
    never holds a store without its settings.

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
    _remove_interrupted_creations(path)
    old = _read_store_manifest(path)
    resuming = old is not None and not overwrite
    settings = GeneratorSettings.resolve(
        seed=seed,
        n_leads=n_leads,
        device=device,
        batch_size=old.batch_size if resuming and batch_size is None else batch_size,
    )
    per_chunk = _check_records_per_chunk(
        records_per_chunk, old.generator["records_per_chunk"] if resuming else RECORDS_PER_CHUNK
    )
    if encoding is None:
        encoding = _encoding(old) if resuming else "int16"
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    asked = _store_manifest(settings, n, per_chunk, encoding)
    if resuming:
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
        manifest = old
    else:
        manifest = asked
        _create_store(path, manifest, replace=overwrite and old is not None)
    _fill_store(path, manifest, settings, progress)
    return path


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


def _encoding(manifest: Manifest) -> str:
    return str(manifest.generator.get("encoding", "float32"))


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


def _decode(stored: np.ndarray) -> np.ndarray:
    """The stored samples -> float32 mV."""
    if stored.dtype == np.int16:
        return stored.astype(np.float32) / np.float32(_UV_PER_MV)
    return stored


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


def _read_store_manifest(path: Path) -> Manifest | None:
    """The manifest of the ecgtoolkit store at ``path``; None if nothing is there."""
    import zarr

    if not path.exists():
        return None
    if not (path / "zarr.json").is_file():
        raise FileExistsError(
            f"{path} exists and is not a Zarr store; ecgtoolkit replaces only its own "
            "stores, so choose another path or move it away"
        )
    attrs = dict(zarr.open_group(path, mode="r").attrs)
    if attrs.get("format") != "zarr" or "records_per_chunk" not in attrs.get("generator", {}):
        raise FileExistsError(
            f"{path} is a Zarr store but not one written by ecgtoolkit.generate_store; "
            "choose another path or move it away"
        )
    return Manifest.from_dict(attrs, source=f"the attributes of {path}")


def _create_store(path: Path, manifest: Manifest, *, replace: bool) -> None:
    """Create an empty store under a temporary name and rename it to ``path``."""
    import zarr

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
            compressors=zarr.codecs.ZstdCodec(level=1),
            dimension_names=("record", "lead", "sample"),
            attributes={"units": "uV" if as_int else "mV", "fs": FS, "leads": list(manifest.leads)},
        )
        ids = group.create_array(
            "record_ids", shape=(n,), chunks=(n,), dtype="int64", fill_value=-1
        )
        ids[:] = np.arange(manifest.first_id, manifest.first_id + n, dtype=np.int64)
        group.create_array(
            "done", shape=(-(-n // per_chunk),), chunks=(1,), dtype="bool", fill_value=False
        )
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


def _chunk_file(path: Path, array: str, k: int, ndim: int) -> Path:
    """The file of chunk ``k`` (along axis 0) in Zarr v3's default chunk key encoding."""
    return path.joinpath(array, "c", str(k), *(["0"] * (ndim - 1)))


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
    done = np.asarray(done_marks[:], dtype=bool)
    todo_chunks = np.flatnonzero(~done)
    # A killed write leaves Zarr's own "<chunk>.<uuid hex>.partial" temporary files.
    for root, _, files in os.walk(path / "signals" / "c"):
        for name in files:
            if re.fullmatch(r".+\.[0-9a-f]{32}\.partial", name):
                os.unlink(os.path.join(root, name))
    todo = np.concatenate(
        [np.arange(k * per_chunk, min(n, (k + 1) * per_chunk)) for k in todo_chunks]
        or [np.empty(0, dtype=np.int64)]
    ).astype(np.int64)

    bar = progress_bar(total=n, initial=n - len(todo), desc="writing zarr", unit="ECG",
                       enabled=progress)  # fmt: skip
    with bar:

        def write_chunk(k: int, data: np.ndarray) -> None:
            start = k * per_chunk
            signals[start : start + len(data)] = _encode(data, encoding)
            _fsync(_chunk_file(path, "signals", k, 3))
            done_marks[k] = True
            _fsync(_chunk_file(path, "done", k, 1))
            bar.update(len(data))

        batches = generate_records(todo, settings)
        chunks = _whole_chunks(batches, n, per_chunk, len(manifest.leads))
        write_behind(
            chunks, write_chunk, threads=writer_threads(device=settings.device, compresses=True)
        )


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


def open_store(path: str | os.PathLike, *, allow_incomplete: bool = False) -> ECGStore:
    """Open a store written by :func:`generate_store`, lazily.

    Parameters
    ----------
    path : path
        The store.
    allow_incomplete : bool
        Open a store whose generation has not finished; only its finished chunks can
        then be read.

    Returns
    -------
    ECGStore
        Reads records on demand, chunk by chunk.

    Raises
    ------
    FileNotFoundError
        If there is nothing at ``path``.
    FileExistsError
        If ``path`` is not a store written by ecgtoolkit.
    ValueError
        If the store is incomplete and ``allow_incomplete`` is False.

    Examples
    --------
    >>> import tempfile
    >>> from ecgtoolkit.store import generate_store, open_store
    >>> store = open_store(generate_store(tempfile.mkdtemp() + "/x.zarr", 2, seed=0,
    ...                                   progress=False))
    >>> len(store), store.fs, store[0:2].signal.shape
    (2, 500.0, (2, 12, 5000))
    """
    return ECGStore(path, allow_incomplete=allow_incomplete)


class ECGStore:
    """A generated dataset in a Zarr store, read lazily (see :func:`open_store`).

    Parameters
    ----------
    path : path
        The store.
    allow_incomplete : bool
        Open a store whose generation has not finished.

    Attributes
    ----------
    path : pathlib.Path
        The store.
    manifest : ecgtoolkit.store.Manifest
        The settings it was generated with.
    fs : float
        Sampling rate in Hz.
    leads : tuple of str
        Lead names.
    record_ids : numpy.ndarray
        int64 generator record id of each row.
    records_per_chunk : int
        Records per Zarr chunk.

    Notes
    -----
    ``store[i]`` is one record (an :class:`~ecgtoolkit.ECG` ``(n_leads, 5000)``),
    ``store[a:b]`` a batch; both read only the chunks they need. Which chunks are
    finished is read when the store is opened; open it again to see later progress.
    """

    def __init__(self, path: str | os.PathLike, *, allow_incomplete: bool = False) -> None:
        import zarr

        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(
                f"no store at {self.path}; create one with ecgtoolkit.generate_store or "
                "`ecgtoolkit generate -n N --store PATH --seed S`"
            )
        manifest = _read_store_manifest(self.path)
        assert manifest is not None
        self.manifest: Manifest = manifest
        group = zarr.open_group(self.path, mode="r")
        self._signals = group["signals"]
        self._done = np.asarray(group["done"][:], dtype=bool)
        self.record_ids: np.ndarray = np.asarray(group["record_ids"][:], dtype=np.int64)
        self.fs: float = manifest.fs
        self.leads: tuple[str, ...] = manifest.leads
        self.records_per_chunk: int = int(manifest.generator["records_per_chunk"])
        if not self.complete and not allow_incomplete:
            raise ValueError(
                f"{self.path} is incomplete: {int(self._done.sum())} of {len(self._done)} "
                "chunks are finished (the generation was interrupted); finish it with the "
                f"same generate command, `{self.finish_command}`, or pass "
                "allow_incomplete=True to read the finished chunks"
            )

    @property
    def finish_command(self) -> str:
        """The command line that finishes (or, when complete, re-checks) this store.

        Batch size, chunking and encoding are taken from the store itself on a resume,
        so the command names only what it needs.
        """
        import shlex

        leads = "" if len(self.leads) == 12 else f" --n-leads {len(self.leads)}"
        fmt = "" if self.path.name.lower().endswith(".zarr") else " --format zarr"
        return (
            f"ecgtoolkit generate -n {len(self)} -o {shlex.quote(str(self.path))}{fmt} "
            f"--seed {self.seed}{leads}"
        )

    @property
    def complete(self) -> bool:
        """Whether every chunk has been generated and marked done."""
        return bool(self._done.all())

    @property
    def seed(self) -> int:
        """The noise seed of the dataset."""
        return self.manifest.seed

    def __len__(self) -> int:
        return self.manifest.count

    def __repr__(self) -> str:
        n_leads = len(self.leads)
        state = (
            "complete"
            if self.complete
            else f"incomplete: {int(self._done.sum())}/{len(self._done)} chunks done"
        )
        return (
            f"<ECGStore | {len(self)} records × {n_leads} leads × {N_SAMPLES} samples "
            f"({N_SAMPLES / self.fs:g} s at {self.fs:g} Hz), mV, seed {self.seed}, {state}>"
        )

    def _check_done(self, rows: np.ndarray) -> None:
        chunks = np.unique(rows // self.records_per_chunk)
        missing = chunks[~self._done[chunks]]
        if missing.size:
            first = int(missing[0]) * self.records_per_chunk
            raise ValueError(
                f"records {first}… of {self.path} lie in chunk(s) {missing.tolist()[:5]} that "
                "are not finished; rerun the same generate command to finish the store"
            )

    def _batch(self, data: np.ndarray, rows: np.ndarray) -> ECG:
        meta = {
            "seed": self.seed,
            "record_ids": self.record_ids[rows],
            "generator": self.manifest.generator,
        }
        return ECG(_decode(data), fs=self.fs, leads=self.leads, units="mV", meta=meta)

    def __getitem__(self, key: int | slice) -> ECG:
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            row = range(len(self))[key]  # IndexError with the usual message
            self._check_done(np.array([row]))
            meta = {
                "seed": self.seed,
                "record_id": int(self.record_ids[row]),
                "generator": self.manifest.generator,
            }
            signal = _decode(self._signals[row])
            return ECG(signal, fs=self.fs, leads=self.leads, units="mV", meta=meta)
        if isinstance(key, slice):
            rows = np.arange(len(self))[key]
            if rows.size == 0:
                raise IndexError(f"slice {key} selects no records of the {len(self)}")
            self._check_done(rows)
            if key.step in (None, 1):
                data = self._signals[int(rows[0]) : int(rows[-1]) + 1]
            else:
                data = self._signals.get_orthogonal_selection(rows)
            return self._batch(data, rows)
        raise TypeError(f"index an ECGStore with an int or a slice, got {type(key).__name__}")

    def iter_chunks(self) -> Iterator[ECG]:
        """Yield the store chunk by chunk as ECG batches (``meta["record_ids"]``).

        With ``allow_incomplete=True``, unfinished chunks are skipped.
        """
        for k in np.flatnonzero(self._done):
            start = int(k) * self.records_per_chunk
            stop = min(len(self), start + self.records_per_chunk)
            yield self._batch(self._signals[start:stop], np.arange(start, stop))

    def __iter__(self) -> Iterator[ECG]:
        """Yield the records one by one, reading a chunk at a time."""
        for batch in self.iter_chunks():
            for i in range(batch.n_records):
                yield batch[i]

    def to_dask(self) -> dask.array.Array:
        """The signals ``(n, n_leads, 5000)`` (mV, float32) as a Dask array, one block per chunk.

        Raises
        ------
        ImportError
            If Dask is not installed.
        ValueError
            If the store is incomplete.
        """
        try:
            import dask.array as da
        except ImportError:
            raise ImportError(
                'ECGStore.to_dask needs Dask: pip install "ecgtoolkit[scale]"'
            ) from None
        if not self.complete:
            raise ValueError(f"{self.path} is incomplete; finish it before reading it with Dask")
        array = da.from_zarr(self._signals)
        return array.map_blocks(_decode, dtype=np.float32)
