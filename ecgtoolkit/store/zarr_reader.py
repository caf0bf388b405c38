"""Read a Zarr store of generated ECGs lazily, and never hand out damaged data.

:func:`open_store` gives an :class:`ECGStore`. Every read checks that the chunks it
needs are finished and their files present, and Zarr checks each chunk's CRC-32C as it
decodes it; a missing or damaged chunk raises :class:`DamagedRecordError` naming the
chunk file, its records and the command that repairs it, instead of returning Zarr's
fill value (which would read as a flat −32.768 mV ECG).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.display import format_count, summary_html
from ..core.ecg import ECG, metadata_rows
from ..generators.generate import N_SAMPLES
from .integrity import DamagedRecordError, check_chunk, chunk_file, has_checksums, parallel_map
from .manifest import Manifest

if TYPE_CHECKING:
    import dask.array

__all__ = ["ECGStore", "open_store"]

_UV_PER_MV = 1000.0


def _encoding(manifest: Manifest) -> str:
    return str(manifest.generator.get("encoding", "float32"))


def _generator_info(manifest: Manifest) -> dict[str, Any]:
    """The generator's own settings, without the store's layout (shown on its own rows)."""
    layout = ("records_per_chunk", "encoding", "ecgtoolkit")
    return {k: v for k, v in manifest.generator.items() if k not in layout}


def _decode(stored: np.ndarray) -> np.ndarray:
    """The stored samples -> float32 mV."""
    if stored.dtype == np.int16:
        return stored.astype(np.float32) / np.float32(_UV_PER_MV)
    return stored


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
    try:
        attrs = dict(zarr.open_group(path, mode="r").attrs)
    except Exception as err:  # noqa: BLE001 - zarr raises many kinds for a garbled file
        raise DamagedRecordError(
            f"the metadata of the store {path} (zarr.json) cannot be read ({err}); the "
            "store's settings are lost, so regenerate it with overwrite=True (--overwrite)"
        ) from err
    if attrs.get("format") != "zarr" or "records_per_chunk" not in attrs.get("generator", {}):
        raise FileExistsError(
            f"{path} is a Zarr store but not one written by ecgtoolkit.generate_store; "
            "choose another path or move it away"
        )
    return Manifest.from_dict(attrs, source=f"the attributes of {path}")


def _open_array(group: Any, name: str, path: Path) -> Any:
    try:
        return group[name]
    except Exception as err:  # noqa: BLE001 - a missing or garbled array's metadata
        raise DamagedRecordError(
            f"the array {name!r} of the store {path} cannot be opened ({err}); regenerate the "
            "store with overwrite=True (--overwrite)"
        ) from err


def _read_done(done: Any) -> np.ndarray:
    """The done marks; a mark whose chunk cannot be read counts as not done."""
    try:
        return np.asarray(done[:], dtype=bool)
    except Exception:  # noqa: BLE001 - one damaged mark: read them one by one
        marks = np.zeros(done.shape[0], dtype=bool)
        for k in range(len(marks)):
            try:
                marks[k] = bool(done[k])
            except Exception:  # noqa: BLE001, S112 - unreadable: not done, rewritten
                continue
        return marks


def chunk_problems(
    path: Path, signals: Any, chunks: Iterable[int], *, progress: bool = False
) -> dict[int, str]:
    """What is wrong with each of ``chunks`` of the store's signals that is not intact.

    A checksummed chunk's file is read and its CRC-32C compared (no decompression); a
    chunk of a store written before checksums were kept is decoded instead.
    """
    chunks = list(chunks)
    ndim, per_chunk = signals.ndim, signals.chunks[0]
    if has_checksums(signals):

        def problem(k: int) -> str | None:
            return check_chunk(chunk_file(path, "signals", k, ndim))
    else:

        def problem(k: int) -> str | None:
            if not chunk_file(path, "signals", k, ndim).exists():
                return "missing"
            try:
                signals[k * per_chunk : (k + 1) * per_chunk]
            except Exception as err:  # noqa: BLE001 - any decoding failure is damage
                return f"damaged: cannot be decoded ({type(err).__name__}: {err})"
            return None

    found = parallel_map(problem, chunks, total=len(chunks), desc="checking", progress=progress)
    return {k: p for k, p in zip(chunks, found, strict=True) if p is not None}


def open_store(path: str | os.PathLike, *, allow_incomplete: bool = False) -> ECGStore:
    """Open a store written by :func:`generate_store`, lazily.

    Opening checks that every finished chunk's file is there (a directory lookup per
    chunk); the checksums of the chunks are checked as they are read, and all at once
    by :func:`ecgtoolkit.verify`.

    Parameters
    ----------
    path : path
        The store.
    allow_incomplete : bool
        Open a store whose generation has not finished or that has missing chunks;
        only its intact chunks can then be read.

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
    DamagedRecordError
        If chunk files of finished chunks are missing (and ``allow_incomplete`` is
        False), or the store's metadata cannot be read. The message names the chunks,
        their records and the command that rewrites them.

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
        Open a store whose generation has not finished, or that has missing chunks.

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
                "`ecgtoolkit generate -n N -o PATH.zarr --seed S`"
            )
        manifest = _read_store_manifest(self.path)
        assert manifest is not None
        self.manifest: Manifest = manifest
        group = zarr.open_group(self.path, mode="r")
        self._signals = _open_array(group, "signals", self.path)
        self._done = _read_done(_open_array(group, "done", self.path))
        self.fs: float = manifest.fs
        self.leads: tuple[str, ...] = manifest.leads
        self.records_per_chunk: int = int(manifest.generator["records_per_chunk"])
        first = manifest.first_id
        expected = np.arange(first, first + manifest.count, dtype=np.int64)
        try:
            self.record_ids: np.ndarray = np.asarray(
                _open_array(group, "record_ids", self.path)[:], dtype=np.int64
            )
        except Exception:  # noqa: BLE001 - the ids follow from the manifest
            self.record_ids = expected
        if not np.array_equal(self.record_ids, expected):
            self.record_ids = expected  # rewritten by the next generate run
        ndim = self._signals.ndim
        #: Finished chunks found missing or damaged: chunk index -> what is wrong.
        self.damaged: dict[int, str] = {
            int(k): "missing"
            for k in np.flatnonzero(self._done)
            if not chunk_file(self.path, "signals", int(k), ndim).exists()
        }
        if not allow_incomplete:
            if not self.complete:
                raise ValueError(
                    f"{self.path} is incomplete: {int(self._done.sum())} of "
                    f"{len(self._done)} chunks are finished (the generation was "
                    f"interrupted); finish it with the same generate command, "
                    f"`{self.finish_command}`, or pass allow_incomplete=True to read the "
                    "finished chunks"
                )
            if self.damaged:
                raise DamagedRecordError(
                    f"{self.path} is damaged: {self._describe_damage()}; rerun "
                    f"`{self.finish_command}` to rewrite them, or pass "
                    "allow_incomplete=True to read the intact chunks"
                )

    @property
    def finish_command(self) -> str:
        """The command line that finishes, repairs or re-checks this store.

        Batch size, chunking and encoding are taken from the store itself on a resume,
        so the command names only what it needs.
        """
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

    @property
    def _state(self) -> str:
        if not self.complete:
            return f"incomplete: {int(self._done.sum())}/{len(self._done)} chunks done"
        if self.damaged:
            return f"damaged: {len(self.damaged)} chunk(s) missing or damaged"
        return "complete"

    def __repr__(self) -> str:
        return (
            f"<ECGStore | {len(self)} records × {len(self.leads)} leads × {N_SAMPLES} samples "
            f"({N_SAMPLES / self.fs:g} s at {self.fs:g} Hz), mV, seed {self.seed}, {self._state}>"
        )

    def _repr_html_(self) -> str:
        """A Jupyter display: size, signal layout, state, seed and generator."""
        first = self.manifest.first_id
        ids = "" if first == 0 else f" (record ids {first}–{first + len(self) - 1})"
        stored = "int16 in µV" if _encoding(self.manifest) == "int16" else "float32 in mV"
        rows = [
            ("store", str(self.path)),
            ("records", format_count(len(self)) + ids),
            ("leads", f"{len(self.leads)}: {', '.join(self.leads)}"),
            ("duration", f"{N_SAMPLES / self.fs:g} s ({format_count(N_SAMPLES)} samples)"),
            ("sampling rate", f"{self.fs:g} Hz"),
            ("units", f"mV (stored as {stored})"),
            ("state", self._state),
            ("chunks", f"{len(self._done):,} ({self.records_per_chunk:,} records each)"),
            ("seed", str(self.seed)),
            ("written by", f"ecgtoolkit {self.manifest.version}"),
        ]
        rows += metadata_rows({"generator": _generator_info(self.manifest)})
        notes = []
        if not self.complete or self.damaged:
            notes.append(f"finish or repair it with: {self.finish_command}")
        if self.damaged:
            notes.append(self._describe_damage())
        return summary_html(f"ECGStore {self.path.name}", rows, notes=notes)

    def chunk_records(self, k: int) -> range:
        """The rows (record positions) of chunk ``k``."""
        start = k * self.records_per_chunk
        return range(start, min(len(self), start + self.records_per_chunk))

    def chunk_file(self, k: int) -> Path:
        """The file of chunk ``k`` of the signals."""
        return chunk_file(self.path, "signals", k, self._signals.ndim)

    def _describe_damage(self, chunks: Iterable[int] | None = None) -> str:
        chunks = sorted(self.damaged if chunks is None else chunks)
        parts = []
        for k in chunks[:5]:
            rows = self.chunk_records(k)
            file = self.chunk_file(k).relative_to(self.path)
            parts.append(
                f"records {rows.start}–{rows.stop - 1} (chunk {k}, file {file}: "
                f"{self.damaged.get(k, 'damaged')})"
            )
        more = f" and {len(chunks) - 5} more chunk(s)" if len(chunks) > 5 else ""
        return "; ".join(parts) + more

    def _check_chunks(self, rows: np.ndarray) -> np.ndarray:
        """The chunks of ``rows``, refused if unfinished or known to be damaged."""
        chunks = np.unique(rows // self.records_per_chunk)
        unfinished = chunks[~self._done[chunks]]
        if unfinished.size:
            first = int(unfinished[0]) * self.records_per_chunk
            raise ValueError(
                f"records {first}… of {self.path} lie in chunk(s) {unfinished.tolist()[:5]} "
                f"that are not finished; finish the store with `{self.finish_command}`"
            )
        for k in chunks.tolist():
            if k not in self.damaged and not self.chunk_file(k).exists():
                self.damaged[k] = "missing"
        self._raise_if_damaged([k for k in chunks.tolist() if k in self.damaged])
        return chunks

    def _raise_if_damaged(self, chunks: list[int]) -> None:
        if chunks:
            raise DamagedRecordError(
                f"cannot read {self._describe_damage(chunks)} of {self.path}; rerun "
                f"`{self.finish_command}` to rewrite the damaged chunk(s) "
                "(`ecgtoolkit verify` lists all of them)"
            )

    def _read(self, rows: np.ndarray) -> np.ndarray:
        """The stored samples of ``rows`` (ascending), checked chunk by chunk."""
        chunks = self._check_chunks(rows)
        try:
            if rows.size == rows[-1] - rows[0] + 1:
                return self._signals[int(rows[0]) : int(rows[-1]) + 1]
            return self._signals.get_orthogonal_selection(rows)
        except Exception as err:  # noqa: BLE001 - name the chunk that cannot be decoded
            found = chunk_problems(self.path, self._signals, chunks.tolist())
            if not found:
                raise
            self.damaged.update(found)
            self._raise_if_damaged(sorted(found))
            raise AssertionError("unreachable") from err

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
            meta = {
                "seed": self.seed,
                "record_id": int(self.record_ids[row]),
                "generator": self.manifest.generator,
            }
            signal = _decode(self._read(np.array([row]))[0])
            return ECG(signal, fs=self.fs, leads=self.leads, units="mV", meta=meta)
        if isinstance(key, slice):
            rows = np.arange(len(self))[key]
            if rows.size == 0:
                raise IndexError(f"slice {key} selects no records of the {len(self)}")
            order = np.argsort(rows, kind="stable")
            data = self._read(rows[order])
            if not np.array_equal(order, np.arange(rows.size)):
                data = data[np.argsort(order, kind="stable")]
            return self._batch(data, rows)
        raise TypeError(f"index an ECGStore with an int or a slice, got {type(key).__name__}")

    def iter_chunks(self) -> Iterator[ECG]:
        """Yield the store chunk by chunk as ECG batches (``meta["record_ids"]``).

        With ``allow_incomplete=True``, unfinished chunks and chunks found missing
        when the store was opened are skipped; a chunk found damaged on reading
        raises :class:`DamagedRecordError`.
        """
        for k in np.flatnonzero(self._done).tolist():
            if k in self.damaged:
                continue
            rows = np.arange(self.chunk_records(k).start, self.chunk_records(k).stop)
            yield self._batch(self._read(rows), rows)

    def __iter__(self) -> Iterator[ECG]:
        """Yield the records one by one, reading a chunk at a time."""
        for batch in self.iter_chunks():
            for i in range(batch.n_records):
                yield batch[i]

    def to_dask(self) -> dask.array.Array:
        """The signals ``(n, n_leads, 5000)`` (mV, float32) as a Dask array, one block per chunk.

        Each block is read through the store's checks, so computing over a damaged
        chunk raises :class:`DamagedRecordError` rather than summing fill values.

        Raises
        ------
        ImportError
            If Dask is not installed.
        ValueError
            If the store is incomplete.
        DamagedRecordError
            If chunks are known to be missing (when computing, if one is damaged).
        """
        try:
            import dask.array as da
        except ImportError:
            raise ImportError(
                'ECGStore.to_dask needs Dask: pip install "ecgtoolkit[scale]"'
            ) from None
        if not self.complete:
            raise ValueError(f"{self.path} is incomplete; finish it before reading it with Dask")
        self._raise_if_damaged(sorted(self.damaged))
        shape = (len(self), len(self.leads), N_SAMPLES)
        identity = os.stat(self.path / "zarr.json").st_mtime_ns
        return da.from_array(
            _CheckedSignals(self, shape),
            chunks=(self.records_per_chunk, len(self.leads), N_SAMPLES),
            name=f"ecgstore-{self.path.resolve()}-{identity}",
            asarray=False,
            fancy=False,
            lock=False,
            meta=np.empty((0, 0, 0), dtype=np.float32),
        )


class _CheckedSignals:
    """An array-like over a store's signals for Dask: each block read with the checks."""

    def __init__(self, store: ECGStore, shape: tuple[int, int, int]) -> None:
        self.store, self.shape = store, shape
        self.dtype, self.ndim = np.dtype(np.float32), 3

    def __getitem__(self, key: tuple[slice, ...]) -> np.ndarray:
        records, leads, samples = (*key, slice(None), slice(None))[:3]
        rows = np.arange(len(self.store))[records]
        if rows.size == 0:
            return np.empty((0, *self.shape[1:]), dtype=np.float32)[:, leads, samples]
        return _decode(self.store._read(rows))[:, leads, samples]
