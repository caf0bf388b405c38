"""Measure every record of a source in parallel: a batch, a folder of files or a Zarr store.

>>> import ecgtoolkit as et
>>> table = et.measure_source(et.generate(4, seed=0, progress=False), n_jobs=1, progress=False)
>>> table["status"].tolist()
['ok', 'ok', 'ok', 'ok']
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.ecg import ECG
from ..core.files import atomic_write, check_output
from ..core.parallel import DaskCluster, InProcess, LocalProcesses, Scatter, run_tasks
from ..core.progress import progress_bar
from ..core.validation import check_int, check_n_jobs
from ..io.folder import FolderSource, natural_key
from .intervals import check_convention
from .measure import measure
from .record import TEXT_COLUMNS

if TYPE_CHECKING:  # pandas loads on first use, so that the command line starts fast
    import pandas as pd

__all__ = ["measure_source", "record_notes"]

#: Columns that close every table, whatever the leads.
_TAIL = TEXT_COLUMNS
_OUTPUTS = (".parquet", ".csv")
_PACKAGE = Path(__file__).resolve().parents[1]


def record_notes(caught: Sequence[warnings.WarningMessage]) -> list[str]:
    """The notes on one record among the warnings caught while reading it.

    A note is a warning that ecgtoolkit's own code raised (a reader saying that it left
    out channels or that the gains are not physical); warnings of other packages (a
    library's deprecation, raised once when it is first imported) say nothing about
    the record and are left out.

    Parameters
    ----------
    caught : sequence of warnings.WarningMessage
        What ``warnings.catch_warnings(record=True)`` recorded.

    Returns
    -------
    list of str
        The notes' messages, in order, each once.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn_explicit("inplace is deprecated", DeprecationWarning, "pandas.py", 1)
    >>> record_notes(caught)
    []
    """
    own = [w for w in caught if _PACKAGE in Path(w.filename).resolve().parents]
    return list(dict.fromkeys(str(w.message) for w in own))


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
    convention: str = "consistent-leads"


def _error_table(ids: Sequence, reason: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {"unusable_leads": "", "pacing": "", "status": "error", "reason": reason},
        index=pd.Index(list(ids), name="record_id"),
    )


def _measure_ecg(batch: ECG, ids: Sequence, convention: str) -> pd.DataFrame:
    """Measure a batch on one core (one torch thread), its rows indexed by ``ids``."""
    batch = batch.replace(batch.signal, meta={**batch.meta, "record_ids": list(ids)})
    return measure(batch, n_jobs=1, progress=False, convention=convention)


def _measure_files(folder: FolderSource, names: Sequence[str], convention: str) -> pd.DataFrame:
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
        table = _measure_ecg(ECG(signal, fs=record.fs, leads=record.leads), [name], convention)
        notes = "; ".join(f"read: {note}" for note in record_notes(caught))
        if notes:
            reason = table.at[name, "reason"]
            table.at[name, "reason"] = f"{reason}; {notes}" if reason else notes
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
        from ..store import open_store

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
            f"`{store.finish_command}` (or ecgtoolkit.generate_store with the same "
            "arguments), then measure it"
        )
    return store


def _run_job(job: _Job | Scatter) -> pd.DataFrame:
    """Measure one chunk, in whatever process runs it; a failed load gives error rows."""
    if isinstance(job, Scatter):  # a chunk a cluster received as data
        job = replace(job.rest, batch=job.data)
    with warnings.catch_warnings():
        # The same records must give the same rows in any process: warnings (which a
        # worker process would only print) neither stop nor change a measurement here.
        warnings.simplefilter("ignore")
        try:
            if job.folder is not None:
                return _measure_files(job.folder, job.ids, job.convention)
            if job.batch is not None:
                batch = job.batch
            elif job.store_path is not None:
                return _measure_store_rows(_open_store_cached(job.store_path), job)
            else:
                batch = job.source[job.start : job.stop]
            if not isinstance(batch, ECG) or not batch.is_batch:
                raise TypeError(f"the source gave a {type(batch).__name__}, not an ECG batch")
            if batch.n_records != len(job.ids):
                raise ValueError(f"the source gave {batch.n_records} records, not {len(job.ids)}")
            return _measure_ecg(batch, job.ids, job.convention)
        except Exception as err:  # noqa: BLE001 - a chunk that cannot be loaded keeps its rows
            return _error_table(job.ids, f"cannot load records: {type(err).__name__}: {err}")


def _measure_store_rows(store: Any, job: _Job) -> pd.DataFrame:
    """Measure rows ``job.start … job.stop − 1`` of a store, one store chunk at a time
    once a read fails, so that a damaged chunk costs only its own records."""
    from ..store import DamagedRecordError

    try:
        return _measure_ecg(store[job.start : job.stop], job.ids, job.convention)
    except DamagedRecordError:
        pass
    import pandas as pd

    per_chunk = store.records_per_chunk
    parts = []
    for first in range(job.start - job.start % per_chunk, job.stop, per_chunk):
        start, stop = max(first, job.start), min(first + per_chunk, job.stop)
        ids = job.ids[start - job.start : stop - job.start]
        try:
            batch = store[start:stop]
        except DamagedRecordError as err:
            parts.append(_error_table(ids, f"cannot load records: {err}"))
            continue
        parts.append(_measure_ecg(batch, ids, job.convention))
    return pd.concat(parts)


def _concat(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Join chunk tables: the measured columns, then :data:`_TAIL`; sorted by record id."""
    columns: dict[str, None] = {}
    for part in parts:
        columns.update(dict.fromkeys(c for c in part.columns if c not in _TAIL))
    columns.update(dict.fromkeys(_TAIL))
    import pandas as pd

    table = pd.concat(list(parts), sort=False)
    for name in ("unusable_leads", "pacing", "reason"):
        table[name] = table[name].fillna("")
    order = sorted(range(len(table)), key=lambda i: natural_key(table.index[i]))
    table = table.iloc[order][list(columns)]
    table.index.name = "record_id"
    return table


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
                "measure_source needs an ECG batch (n_records, n_leads, n_samples); "
                "for one record use et.measure(record)"
            )
        return source, source.n_records, source.record_ids
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


class _Jobs(Sequence):
    """One job per chunk, made when asked for (an in-memory chunk is a view)."""

    def __init__(
        self, source: Any, ids: list, chunk_size: int, store_path: str | None, convention: str
    ):
        self.source, self.ids, self.size, self.store_path = source, ids, chunk_size, store_path
        self.convention = convention

    def __len__(self) -> int:
        return -(-len(self.ids) // self.size)

    def __getitem__(self, k: int) -> _Job:  # type: ignore[override]
        if not 0 <= k < len(self):
            raise IndexError(f"chunk {k} of {len(self)}")
        start = k * self.size
        stop = min(start + self.size, len(self.ids))
        part = self.ids[start:stop]
        job = _Job(part, start, stop, convention=self.convention)
        if isinstance(self.source, FolderSource):
            return replace(job, folder=self.source)
        if isinstance(self.source, ECG):
            return replace(job, batch=self.source[start:stop])
        if self.store_path is not None:
            return replace(job, store_path=self.store_path)
        return replace(job, source=self.source)


def _for_cluster(jobs: _Jobs):
    """The jobs as a cluster gets them: an in-memory chunk travels once, as data."""
    for job in jobs:
        if job.batch is not None:
            yield Scatter(job.batch, replace(job, batch=None))
        else:
            yield job


def _write_table(table: pd.DataFrame, path: Path, overwrite: bool) -> None:
    """Write the table as parquet or CSV (``record_id`` first), atomically."""
    if path.suffix.lower() == ".parquet":
        data = table.to_parquet(None, engine="pyarrow", index=True)
    else:
        data = table.to_csv(index=True)
    atomic_write(path, data, overwrite=overwrite)


def measure_source(
    source: Any,
    out: str | os.PathLike[str] | None = None,
    *,
    n_jobs: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    chunk_size: int = 64,
    progress: bool = True,
    overwrite: bool = False,
    convention: str = "consistent-leads",
) -> pd.DataFrame:
    """Measure every record of a dataset in parallel, with bounded memory.

    Parameters
    ----------
    source : ECG, path or source object
        An ECG batch; a folder of record files, one record per file
        (:class:`~ecgtoolkit.io.FolderSource`); a ``.zarr`` store path (opened with
        :func:`ecgtoolkit.open_store`); or any object with ``__len__`` and
        ``__getitem__(slice)`` returning an ECG batch, and optionally ``record_ids``.
    out : path, optional
        Write the table to this ``.parquet`` (pyarrow) or ``.csv`` file, atomically
        (a temporary file in the same folder, then a rename).
    n_jobs : int, optional
        CPU cores to use locally (default None: all): ``n_jobs − 1`` worker processes
        and this one, as :func:`ecgtoolkit.measure` does; ``1`` runs in this process.
        Ignored with ``client`` or ``scheduler``.
    client : dask.distributed.Client, optional
        Run the chunks on this Dask cluster.
    scheduler : str, optional
        Address of a Dask scheduler (``"tcp://host:8786"``) to connect to for this call.
    chunk_size : int
        Records per task.
    progress : bool
        Show a progress bar (records per second, time left).
    overwrite : bool
        Replace an existing ``out``.
    convention : {"consistent-leads", "median-beat"}
        How the global intervals are taken (see :func:`ecgtoolkit.measure`).

    Returns
    -------
    pandas.DataFrame
        One row per record, indexed by ``record_id`` in natural order (file names for a
        folder; ``meta["record_ids"]`` or the position for a batch): the columns of
        :func:`ecgtoolkit.measure` (units in their names), then ``unusable_leads``,
        ``status`` and ``reason``. A record that cannot be read or measured has
        ``status="error"`` and the reason. The table is the same whatever ``n_jobs``,
        ``client`` or ``scheduler``; the files written hold ``record_id`` as their
        first column.

    Raises
    ------
    TypeError
        For a source of another kind, both ``client`` and ``scheduler``, or a
        ``chunk_size`` or ``n_jobs`` that is not an integer.
    ValueError
        For a ``chunk_size`` or ``n_jobs`` below 1, an ``out`` that is neither ``.parquet``
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
    ``ecgtoolkit.measure(chunk, n_jobs=1)`` (one core, one torch thread), scheduled by
    :func:`ecgtoolkit.core.parallel.run_tasks`. Locally the tasks run in a reusable loky
    pool (no ``if __name__ == "__main__"`` guard needed) and in this process; on Dask,
    each task is one ``client.submit``. Workers load their own records (file
    paths, a store path and a slice, or a picklable source object and a slice); only
    an in-memory batch is shipped, chunk by chunk (scattered on Dask). At most two
    chunks per worker process (Dask: per worker thread) are in flight, so memory holds
    a few chunks of signals and the growing table of results, never the whole source.
    Warnings raised while measuring are ignored, so that results do not depend on
    where a chunk ran; the toolkit's own warnings on reading a file (:func:`record_notes`)
    are appended to its ``reason``, other packages' warnings are left out.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> table = measure_source(et.generate(2, seed=1, progress=False), n_jobs=1, progress=False)
    >>> table.index.tolist(), table["status"].tolist()
    ([0, 1], ['ok', 'ok'])
    """
    if client is not None and scheduler is not None:
        raise TypeError("give client or scheduler, not both")
    chunk_size = check_int(chunk_size, "chunk_size", minimum=1)
    cores = check_n_jobs(n_jobs)
    check_convention(convention)
    path = None if out is None else check_output(out, overwrite, _OUTPUTS)
    store_path = None
    if isinstance(source, (str, os.PathLike)) and Path(source).name.lower().endswith(".zarr"):
        store_path = os.path.abspath(source)
    source, n, ids = _resolve_source(source)
    if n == 0:
        raise ValueError("the source holds no records")

    parts: dict[int, pd.DataFrame] = {}
    jobs = _Jobs(source, ids, chunk_size, store_path, convention)

    def lost(index: int, job: Any, error: BaseException) -> pd.DataFrame:
        ids = job.rest.ids if isinstance(job, Scatter) else job.ids
        return _error_table(ids, f"worker failed: {type(error).__name__}: {error}")

    with progress_bar(total=n, desc="measure", enabled=progress) as bar:

        def on_done(index: int, table: pd.DataFrame) -> None:
            parts[index] = table
            bar.update(len(table))

        if client is not None or scheduler is not None:
            if client is None:
                from distributed import Client

                with Client(scheduler) as own:
                    engine = DaskCluster(own)
                    run_tasks(_for_cluster(jobs), _run_job, on_done, engine=engine, on_failure=lost)
            else:
                engine = DaskCluster(client)
                run_tasks(_for_cluster(jobs), _run_job, on_done, engine=engine, on_failure=lost)
        elif cores == 1:
            run_tasks(jobs, _run_job, on_done, engine=InProcess(), on_failure=lost)
        else:
            engine = LocalProcesses(cores - 1)
            run_tasks(jobs, _run_job, on_done, engine=engine, caller_takes=True, on_failure=lost)
    table = _concat([parts[i] for i in sorted(parts)])
    table.attrs["convention"] = convention
    if path is not None:
        _write_table(table, path, overwrite)
    return table
