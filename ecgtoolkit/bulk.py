"""Measure a whole dataset in parallel: a batch, a folder of files or a Zarr store.

>>> import ecgtoolkit as et
>>> from ecgtoolkit.bulk import measure_dataset
>>> table = measure_dataset(et.generate(4, seed=0), workers=1, progress=False)
>>> table[["record_id", "status"]].to_string(index=False)
' record_id status\\n         0     ok\\n         1     ok\\n         2     ok\\n         3     ok'
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .ecg import ECG
from .io._files import atomic_write

if TYPE_CHECKING:  # pandas loads on first use, so that the command line starts fast
    import pandas as pd

__all__ = ["FolderSource", "measure_dataset"]

#: Suffixes of files that hold one record each (WFDB records are found by their ``.hea``).
RECORD_SUFFIXES = (".hea", ".csv", ".asc", ".npy", ".npz", ".mat", ".xml")
#: Columns that close every table, whatever the leads.
_TAIL = ("unusable_leads", "status", "reason")
_OUTPUTS = (".parquet", ".csv")


def _natural_key(name: Any) -> tuple:
    """Sort key that puts ``"2.hea"`` before ``"10.hea"`` (numbers compared as numbers)."""
    if isinstance(name, (int, np.integer)):
        return ("", int(name))
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name)))


class FolderSource:
    """A folder of record files, one record per file, read lazily.

    Parameters
    ----------
    folder : path
        The folder. Records are the files with a suffix in :data:`RECORD_SUFFIXES`
        (WFDB records by their ``.hea``; a ``.mat`` beside a ``.hea`` belongs to it);
        hidden files and ``manifest.json`` are skipped. Their record ids are the file
        names, in natural order (``2.hea`` before ``10.hea``).

    Notes
    -----
    ``fs`` and ``leads`` for files that do not store them (``.npy``) come from the
    folder's ``manifest.json`` (written by :func:`ecgtoolkit.generate_to`), as
    :func:`ecgtoolkit.read` finds them.
    Indexing with a slice reads those files as one batch; :func:`measure_dataset` reads
    them file by file instead, so that one bad file gives one error row.

    Examples
    --------
    >>> import tempfile, ecgtoolkit as et
    >>> folder = tempfile.mkdtemp()
    >>> _ = et.write(et.generate(1, seed=0)[0], f"{folder}/a.npz")
    >>> source = FolderSource(folder)
    >>> len(source), source.record_ids
    (1, ['a.npz'])
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        path = Path(folder)
        if not path.is_dir():
            raise FileNotFoundError(f"{str(path)!r} is not a folder of record files")
        names = {p.name for p in path.iterdir() if p.is_file() and not p.name.startswith(".")}
        stems_with_header = {n[: -len(".hea")] for n in names if n.endswith(".hea")}
        files = [
            n
            for n in names
            if n.lower().endswith(RECORD_SUFFIXES)
            and not (n.lower().endswith(".mat") and n[: -len(".mat")] in stems_with_header)
        ]
        if not files:
            raise ValueError(
                f"{str(path)!r} holds no record files (suffixes {', '.join(RECORD_SUFFIXES)})"
            )
        self.folder = path
        self.record_ids: list[str] = sorted(files, key=_natural_key)

    def __len__(self) -> int:
        return len(self.record_ids)

    def __getitem__(self, key: slice) -> ECG:
        if not isinstance(key, slice):
            raise TypeError(f"index a FolderSource with a slice, got {type(key).__name__}")
        records = [self.read(name) for name in self.record_ids[key]]
        signal = np.stack([r.signal for r in records])
        meta = {"record_ids": self.record_ids[key]}
        return ECG(signal, fs=records[0].fs, leads=records[0].leads, meta=meta)

    def read(self, name: str) -> ECG:
        """Read one record by its file name."""
        from .io import read

        return read(self.folder / name)

    def __repr__(self) -> str:
        return f"FolderSource({str(self.folder)!r}, {len(self)} records)"


@dataclass(frozen=True)
class _Job:
    """What one task needs to measure records ``ids``: where to load them from.

    Exactly one of ``batch`` (records shipped with the task), ``folder`` (files read
    by the worker), ``store_path`` (a Zarr store opened by the worker) or ``source``
    (a picklable source object sliced by the worker) is set.
    """

    ids: list
    start: int
    stop: int
    batch: ECG | None = None
    folder: FolderSource | None = None
    store_path: str | None = None
    source: Any = None


def _error_table(ids: Sequence, reason: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {"record_id": list(ids), "unusable_leads": "", "status": "error", "reason": reason}
    )


def _measure_ecg(batch: ECG, ids: Sequence) -> pd.DataFrame:
    """Measure a batch on one core (one torch thread) and label its rows."""
    from .measurement import measure

    table = measure(batch, n_jobs=1, progress=False).reset_index(drop=True)
    table.insert(0, "record_id", list(ids))
    return table


def _measure_files(folder: FolderSource, names: Sequence[str]) -> pd.DataFrame:
    """Read and measure files one by one: a bad file gives an error row."""
    parts = []
    for name in names:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                record = folder.read(name)
            except Exception as err:  # noqa: BLE001 - one bad file must not sink the dataset
                parts.append(_error_table([name], f"cannot read: {type(err).__name__}: {err}"))
                continue
        signal = record.signal[np.newaxis]
        table = _measure_ecg(ECG(signal, fs=record.fs, leads=record.leads), [name])
        if caught:
            notes = "; ".join(f"read: {w.message}" for w in caught)
            reason = table.at[0, "reason"]
            table.at[0, "reason"] = f"{reason}; {notes}" if reason else notes
        parts.append(table)
    return _concat(parts)


def _open_store_cached(path: str) -> Any:
    """Open a store once per worker process, and again if it was replaced since."""
    try:
        stat = os.stat(os.path.join(path, "zarr.json"))
        identity = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except OSError:
        identity = None  # _open_store says what is wrong
    return _open_store_once(path, identity)


@lru_cache(maxsize=4)
def _open_store_once(path: str, identity: tuple | None) -> Any:
    # The identity of the group's zarr.json is part of the key: a store regenerated at the
    # same path (overwrite=True) can have another length or chunking, which an ECGStore
    # opened before would not see.
    return _open_store(path)


def _open_store(path: str) -> Any:
    """Open a complete store; an unfinished one is refused with the command to finish it."""
    try:
        from .dataset import open_store

        store = open_store(path, allow_incomplete=True)
    except ImportError as err:
        raise ImportError(
            f"{path!r} looks like a Zarr store, but reading one needs Zarr ({err}): "
            'pip install "ecgtoolkit[scale]", or measure a folder of record files instead'
        ) from err
    if not store.complete:
        raise ValueError(
            f"cannot measure {path}: its generation was interrupted, so not every record "
            f"exists yet ({store!r}). Finish it with the same generate command, "
            f"`{store.finish_command}` (or ecgtoolkit.dataset.generate_store with the same "
            "arguments), then measure it"
        )
    return store


def _run_job(job: _Job) -> pd.DataFrame:
    """Measure one chunk, in whatever process runs it; a failed load gives error rows."""
    with warnings.catch_warnings():
        # The same records must give the same rows in any process: warnings (which a
        # worker process would only print) neither stop nor change a measurement here.
        warnings.simplefilter("ignore")
        try:
            if job.folder is not None:
                return _measure_files(job.folder, job.ids)
            if job.batch is not None:
                batch = job.batch
            elif job.store_path is not None:
                batch = _open_store_cached(job.store_path)[job.start : job.stop]
            else:
                batch = job.source[job.start : job.stop]
            if not isinstance(batch, ECG) or not batch.is_batch:
                raise TypeError(f"the source gave a {type(batch).__name__}, not an ECG batch")
            if batch.n_records != len(job.ids):
                raise ValueError(f"the source gave {batch.n_records} records, not {len(job.ids)}")
            return _measure_ecg(batch, job.ids)
        except Exception as err:  # noqa: BLE001 - a chunk that cannot be loaded keeps its rows
            return _error_table(job.ids, f"cannot load records: {type(err).__name__}: {err}")


def _concat(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Join chunk tables: ``record_id`` first, then the measured columns, then :data:`_TAIL`."""
    columns: dict[str, None] = {"record_id": None}
    for part in parts:
        columns.update(dict.fromkeys(c for c in part.columns if c not in _TAIL))
    columns.update(dict.fromkeys(_TAIL))
    import pandas as pd

    table = pd.concat(list(parts), ignore_index=True, sort=False)
    for name in ("unusable_leads", "reason"):
        table[name] = table[name].fillna("")
    return table[list(columns)]


def _resolve_source(source: Any) -> tuple[Any, int, list]:
    """The source object, its length and its record ids; validates once, here."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.name.lower().endswith(".zarr"):
            if not path.exists():
                raise FileNotFoundError(f"Zarr store {str(path)!r} does not exist")
            source = _open_store(os.fspath(path))
        elif path.is_dir():
            source = FolderSource(path)
        elif path.exists():
            raise ValueError(
                f"{str(path)!r} is a file; give a folder of record files, a .zarr store or "
                "an ECG batch (for one file: et.measure(et.read(path)))"
            )
        else:
            raise FileNotFoundError(f"{str(path)!r} does not exist")
    if isinstance(source, ECG):
        if not source.is_batch:
            raise ValueError(
                "measure_dataset needs an ECG batch (n_records, n_leads, n_samples); "
                "for one record use et.measure(record)"
            )
        n = source.n_records
        ids = source.meta.get("record_ids")
        ids = list(range(n)) if ids is None else list(np.asarray(ids).tolist())
        return source, n, ids
    if not (hasattr(source, "__len__") and hasattr(source, "__getitem__")):
        raise TypeError(
            f"cannot measure a {type(source).__name__}: give an ECG batch, a folder of "
            "record files, a .zarr store path, or an object with __len__ and "
            "__getitem__(slice) -> ECG batch"
        )
    n = len(source)
    ids = getattr(source, "record_ids", None)
    ids = list(range(n)) if ids is None else list(np.asarray(ids).tolist())
    if len(ids) != n:
        raise ValueError(f"the source has {n} records but {len(ids)} record_ids")
    return source, n, ids


def _jobs(source: Any, ids: list, chunk_size: int, store_path: str | None) -> Iterator[_Job]:
    """One job per chunk, made lazily (an in-memory chunk is copied only when submitted).

    ``store_path``: where the workers open the store themselves (None: ship ``source``).
    """
    for start in range(0, len(ids), chunk_size):
        stop = min(start + chunk_size, len(ids))
        part = ids[start:stop]
        if isinstance(source, FolderSource):
            yield _Job(part, start, stop, folder=source)
        elif isinstance(source, ECG):
            yield _Job(part, start, stop, batch=source[start:stop])
        elif store_path is not None:
            yield _Job(part, start, stop, store_path=os.fspath(store_path))
        else:
            yield _Job(part, start, stop, source=source)


def _check_out(out: str | os.PathLike[str] | None, overwrite: bool) -> Path | None:
    if out is None:
        return None
    path = Path(out)
    if path.suffix.lower() not in _OUTPUTS:
        raise ValueError(f"cannot tell the format of {str(path)!r}; name it *.parquet or *.csv")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"folder {str(path.parent)!r} does not exist; create it first")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it")
    return path


def _write_table(table: pd.DataFrame, path: Path, overwrite: bool) -> None:
    """Write the table as parquet or CSV, atomically (see ecgtoolkit.io's writers)."""
    if path.suffix.lower() == ".parquet":
        data = table.to_parquet(None, engine="pyarrow", index=False)
    else:
        data = table.to_csv(index=False)
    atomic_write(path, data, overwrite=overwrite)


def _run_local(
    jobs: Iterator[_Job], workers: int, on_done: Callable[[int, pd.DataFrame], None]
) -> None:
    if workers == 1:
        for index, job in enumerate(jobs):
            on_done(index, _run_job(job))
        return
    from concurrent.futures import FIRST_COMPLETED, wait

    from loky import get_reusable_executor

    pool = get_reusable_executor(max_workers=workers, timeout=300)
    _windowed(
        jobs, 2 * workers, lambda job: pool.submit(_run_job, job), wait, FIRST_COMPLETED, on_done
    )


def _run_dask(
    jobs: Iterator[_Job], client: Any, on_done: Callable[[int, pd.DataFrame], None]
) -> None:
    from distributed import wait

    threads = sum(client.nthreads().values()) or 1

    def submit(job: _Job):
        if job.batch is not None:
            # Records held in memory travel once, as data, not inside the task graph.
            batch = client.scatter(job.batch, hash=False)
            return client.submit(_run_scattered, batch, job.ids, pure=False, retries=1)
        return client.submit(_run_job, job, pure=False, retries=1)

    _windowed(jobs, 2 * threads, submit, wait, "FIRST_COMPLETED", on_done)


def _run_scattered(batch: ECG, ids: list) -> pd.DataFrame:
    """Measure a chunk scattered to the cluster (Dask passes the data, not the future)."""
    return _run_job(_Job(ids, 0, len(ids), batch=batch))


def _windowed(jobs, window, submit, wait, first_completed, on_done) -> None:
    """Keep at most ``window`` jobs in flight; hand each result over as it comes."""
    pending: dict[Any, tuple[int, _Job]] = {}
    queue = enumerate(jobs)
    exhausted = False
    while pending or not exhausted:
        while not exhausted and len(pending) < window:
            item = next(queue, None)
            if item is None:
                exhausted = True
                break
            index, job = item
            pending[submit(job)] = (index, _Job(job.ids, job.start, job.stop))
        if not pending:
            break
        done, _ = wait(list(pending), return_when=first_completed)
        for future in done:
            index, job = pending.pop(future)
            try:
                table = future.result()
            except Exception as err:  # noqa: BLE001 - a lost worker must not lose the rows
                table = _error_table(job.ids, f"worker failed: {type(err).__name__}: {err}")
            on_done(index, table)


def measure_dataset(
    source: Any,
    out: str | os.PathLike[str] | None = None,
    *,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    chunk_size: int = 64,
    progress: bool = True,
    overwrite: bool = False,
) -> pd.DataFrame:
    """Measure every record of a dataset in parallel, with bounded memory.

    Parameters
    ----------
    source : ECG, path or source object
        An ECG batch; a folder of record files, one record per file
        (:class:`FolderSource`); a ``.zarr`` store path (opened with
        ``ecgtoolkit.dataset.open_store``); or any object with ``__len__`` and
        ``__getitem__(slice)`` returning an ECG batch, and optionally ``record_ids``.
    out : path, optional
        Write the table to this ``.parquet`` (pyarrow) or ``.csv`` file, atomically
        (a temporary file in the same folder, then a rename).
    workers : int, optional
        Local worker processes (default: all cores). ``1`` runs in this process.
        Ignored with ``client`` or ``scheduler``.
    client : dask.distributed.Client, optional
        Run the chunks on this Dask cluster.
    scheduler : str, optional
        Address of a Dask scheduler (``"tcp://host:8786"``) to connect to for this call.
    chunk_size : int
        Records per task.
    progress : bool
        Show a tqdm progress bar (records per second, time left).
    overwrite : bool
        Replace an existing ``out``.

    Returns
    -------
    pandas.DataFrame
        One row per record, sorted by ``record_id`` (file names in natural order for a
        folder; ``meta["record_ids"]`` or the position for a batch): ``record_id``, then
        the columns of :func:`ecgtoolkit.measure` (units in their names),
        ``unusable_leads``, ``status`` and ``reason``. A record that cannot be read or
        measured has ``status="error"`` and the reason. The table is the same whatever
        ``workers``, ``client`` or ``scheduler``.

    Raises
    ------
    TypeError
        For a source of another kind, or both ``client`` and ``scheduler``.
    ValueError
        For a bad ``chunk_size`` or ``workers``, an ``out`` that is neither ``.parquet``
        nor ``.csv``, a single record, an empty source, or a ``.zarr`` store whose
        generation has not finished (the message gives the command that finishes it).
    FileNotFoundError
        For a source path or an ``out`` folder that does not exist.
    FileExistsError
        If ``out`` exists and ``overwrite`` is False (checked before any work).
    ImportError
        For a ``.zarr`` path where Zarr is missing.

    Notes
    -----
    Each task measures one chunk of ``chunk_size`` records with
    ``ecgtoolkit.measure(chunk, n_jobs=1)`` (one core, one torch thread). Locally the
    tasks run in a reusable loky pool (no ``if __name__ == "__main__"`` guard needed);
    on Dask, each task is one ``client.submit``. Workers load their own records (file
    paths, a store path and a slice, or a picklable source object and a slice); only
    an in-memory batch is shipped, chunk by chunk (scattered on Dask). At most two
    chunks per worker process (Dask: per worker thread) are in flight, so memory holds
    a few chunks of signals and the growing table of results, never the whole source.
    Warnings raised while measuring are ignored, so that results do not depend on
    where a chunk ran; warnings from reading a file are appended to its ``reason``.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> table = measure_dataset(et.generate(2, seed=1), workers=1, progress=False)
    >>> table["record_id"].tolist(), table["status"].tolist()
    ([0, 1], ['ok', 'ok'])
    """
    from tqdm.auto import tqdm

    if client is not None and scheduler is not None:
        raise TypeError("give client or scheduler, not both")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)):
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size}")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1
    ):
        raise ValueError(f"workers must be a positive number of processes, got {workers!r}")
    path = _check_out(out, overwrite)
    store_path = None
    if isinstance(source, (str, os.PathLike)) and Path(source).name.lower().endswith(".zarr"):
        store_path = os.path.abspath(source)
    source, n, ids = _resolve_source(source)
    if n == 0:
        raise ValueError("the source holds no records")

    parts: dict[int, pd.DataFrame] = {}
    bar = tqdm(total=n, disable=not progress, desc="measure", unit="record")

    def on_done(index: int, table: pd.DataFrame) -> None:
        parts[index] = table
        bar.update(len(table))

    jobs = _jobs(source, ids, int(chunk_size), store_path)
    try:
        if client is not None or scheduler is not None:
            if client is None:
                from distributed import Client

                with Client(scheduler) as own:
                    _run_dask(jobs, own, on_done)
            else:
                _run_dask(jobs, client, on_done)
        else:
            from loky import cpu_count

            _run_local(jobs, int(workers or cpu_count()), on_done)
    finally:
        bar.close()
    table = _concat([parts[i] for i in sorted(parts)])
    order = sorted(range(len(table)), key=lambda i: _natural_key(table.at[i, "record_id"]))
    table = table.iloc[order].reset_index(drop=True)
    if path is not None:
        _write_table(table, path, overwrite)
    return table


def add_measure_command(subparsers: Any) -> None:
    """Add ``ecgtoolkit measure`` to the command line's subparsers."""
    from .cli import _positive_int  # the command line's own argument types

    cmd = subparsers.add_parser(
        "measure",
        help="measure every record of a folder or Zarr store, in parallel",
        description="Measure every record of a folder of record files or a .zarr store "
        "on local worker processes or a Dask cluster; write one row per record.",
    )
    cmd.add_argument("source", help="a folder of record files or a .zarr store")
    cmd.add_argument("-o", "--out", required=True, help="output table (.parquet or .csv)")
    where = cmd.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=_positive_int, default=None, help="local processes (default: all cores)"
    )
    where.add_argument("--scheduler", default=None, help="Dask scheduler, tcp://host:port")
    cmd.add_argument(
        "--chunk-size", type=_positive_int, default=64, help="records per task (default: 64)"
    )
    cmd.add_argument("--overwrite", action="store_true", help="replace an existing output")
    cmd.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def run_measure(args: Any) -> int:
    """Run ``ecgtoolkit measure`` from parsed arguments; returns the exit status."""
    import sys

    try:
        table = measure_dataset(
            args.source,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            chunk_size=args.chunk_size,
            progress=not args.quiet,
            overwrite=args.overwrite,
        )
    except (ValueError, TypeError, ImportError, OSError) as exc:
        print(f"ecgtoolkit: error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        counts = table["status"].value_counts().to_dict()
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        print(f"measured {len(table)} records ({summary}) into {args.out}")
    return 0
