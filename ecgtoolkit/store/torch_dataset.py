"""A PyTorch ``Dataset`` over any source of records: a folder, a Zarr store, a batch.

:class:`ECGDataset` hands out one record at a time as a float32 tensor ``(n_leads,
n_samples)`` in mV, at one sampling rate and with one set of leads, optionally augmented
and with its targets, for ``torch.utils.data.DataLoader``. This module imports torch and
is loaded only when :class:`ECGDataset` is first used (``import ecgtoolkit`` does not load
torch).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from ..core.display import format_count, summary_html
from ..core.ecg import ECG
from ..core.leads import normalize_lead_names, select_leads
from ..core.validation import check_int, check_positive
from ..io.folder import FolderSource
from ..signal.filters import resample
from .zarr_reader import ECGStore, open_store

__all__ = ["ECGDataset"]

_PURPOSE = "ECGDataset(leads=...)"


class ECGDataset(Dataset):
    """Records of a folder, a Zarr store or an ECG batch as float32 tensors in mV.

    Parameters
    ----------
    source : path, FolderSource, ECGStore or ECG
        A folder of record files (its path or an
        :class:`~ecgtoolkit.io.folder.FolderSource`; the records of
        :func:`~ecgtoolkit.io.folder.list_records`), a Zarr store written by
        :func:`ecgtoolkit.generate_store` (its path or an :class:`~ecgtoolkit.ECGStore`),
        or an ECG batch in memory (a single-record ECG is a batch of one).
    fs : float, optional
        Sampling rate (Hz) to hand out; records at another rate are resampled to it
        (:func:`ecgtoolkit.resample`). Default: each record's own rate.
    leads : sequence of str, optional
        Leads to hand out, in this order (any common spelling). Missing limb leads are
        derived from two others (III = II − I, aVR, aVL, aVF: Einthoven's and
        Goldberger's laws). Default: each record's own leads.
    n_samples : int, optional
        Length to hand out (after resampling): longer records are cut at the end,
        shorter ones padded at the end with 0 mV. Default: each record's own length
        (give it when records differ in length and are batched together).
    transform : callable, optional
        Called with each record as a float32 numpy array ``(n_leads, n_samples)`` in mV
        (after resampling, lead selection and length), returning an array or tensor of
        samples: augmentation, for instance
        ``functools.partial(ecgtoolkit.signal.augment.simulate_recording, fs=250,
        rng=np.random.default_rng(0))``.
    targets : pandas.DataFrame, pandas.Series or array_like, optional
        What to predict for each record. A DataFrame or Series is matched to the
        records by its index, which must hold every record id (file names for a
        folder, ``record_ids`` for a store or a batch: the index of
        :func:`ecgtoolkit.measure_source`'s table); an array is matched by position,
        one row per record. Values must be numeric; NaN is kept.

    Attributes
    ----------
    record_ids : list
        The id of each record, in the order of the dataset.
    fs : float or None
        The ``fs`` given.
    leads : tuple of str or None
        The ``leads`` given, in their standard spelling.

    Raises
    ------
    TypeError
        For a source of another kind (an array: wrap it in an
        :class:`~ecgtoolkit.ECG` with its ``fs`` and ``leads``), a ``transform`` that
        is not callable, or non-numeric targets.
    ValueError
        For a path that is a single file, a source without records, targets that miss
        records or do not match their number, or a non-positive ``fs`` or
        ``n_samples``.
    FileNotFoundError
        For a path where nothing is.
    KeyError
        When a record lacks a requested lead that cannot be derived (for a store or a
        batch: when the dataset is made; for a folder: when the record is read).

    Notes
    -----
    ``dataset[i]`` is a tensor ``(n_leads, n_samples)``, or with ``targets`` a pair
    ``(signal, target)`` where ``target`` is a float32 tensor of the row's values (a
    0-d tensor for a Series or a 1-D array). Missing samples (NaN) stay NaN; resampling
    spreads them to the neighbouring samples within the filter's length. A folder's
    records are read when asked for; a store's are read a chunk at a time, and the last
    chunk read is kept, so that reading in order (``shuffle=False``, or a sampler that
    keeps chunks together) decodes each chunk once. The dataset works with any
    ``DataLoader``; with ``num_workers > 0`` each worker holds its own copy, and a
    ``transform`` that draws from a numpy generator draws the same numbers in every
    worker unless it is reseeded in ``worker_init_fn``.

    Examples
    --------
    >>> import numpy as np, ecgtoolkit as et
    >>> from torch.utils.data import DataLoader
    >>> batch = et.ECG(np.zeros((4, 2, 5000)), fs=500, leads=["I", "II"])
    >>> data = et.ECGDataset(batch, fs=100, leads=["I", "II", "III"], targets=np.arange(4.0))
    >>> x, y = data[0]
    >>> tuple(x.shape), x.dtype, float(y)
    ((3, 1000), torch.float32, 0.0)
    >>> signals, targets = next(iter(DataLoader(data, batch_size=4)))
    >>> tuple(signals.shape), targets.tolist()
    ((4, 3, 1000), [0.0, 1.0, 2.0, 3.0])
    """

    def __init__(
        self,
        source: Any,
        *,
        fs: float | None = None,
        leads: Sequence[str] | None = None,
        n_samples: int | None = None,
        transform: Callable[[np.ndarray], Any] | None = None,
        targets: Any = None,
    ) -> None:
        self._source = _open_source(source)
        self.record_ids: list[Any] = _record_ids(self._source)
        self.fs = None if fs is None else check_positive(fs, "fs")
        if isinstance(leads, str):
            raise TypeError(f"leads must be a sequence of lead names, got the string {leads!r}")
        self.leads = None if leads is None else normalize_lead_names(leads)
        self.n_samples = None if n_samples is None else check_int(n_samples, "n_samples", minimum=1)
        if transform is not None and not callable(transform):
            raise TypeError(f"transform must be callable, got {type(transform).__name__}")
        self.transform = transform
        self._targets = None if targets is None else _target_rows(targets, self.record_ids)
        self._chunk: tuple[int, np.ndarray] | None = None  # a store's last chunk read
        if self.leads is not None and not isinstance(self._source, FolderSource):
            select_leads(
                np.zeros((len(self._source.leads), 1)),
                self._source.leads,
                self.leads,
                purpose=_PURPOSE,
            )

    def __len__(self) -> int:
        return len(self.record_ids)

    def __getitem__(self, index: int) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index an ECGDataset with an int, got {type(index).__name__}")
        row = range(len(self))[index]  # IndexError with the usual message
        signal, fs, leads = self._read(row)
        if self.leads is not None:
            signal = select_leads(signal, leads, self.leads, purpose=_PURPOSE)
        if self.fs is not None and fs != self.fs:
            signal = resample(signal, fs, self.fs)
        if self.n_samples is not None:
            signal = _fit_length(signal, self.n_samples)
        # Copies, so that changing a tensor in place never changes the source's samples.
        signal = np.array(signal, dtype=np.float32)
        if self.transform is not None:
            signal = self.transform(signal)
        x = torch.tensor(np.asarray(signal, dtype=np.float32))
        if self._targets is None:
            return x
        return x, torch.tensor(self._targets[row])

    def _read(self, row: int) -> tuple[np.ndarray, float, tuple[str, ...]]:
        """One record's samples (mV), rate and lead names."""
        source = self._source
        if isinstance(source, FolderSource):
            ecg = source.read(source.record_ids[row])
            if ecg.is_batch:
                raise ValueError(
                    f"{source.record_ids[row]!r} holds {ecg.n_records} records; a "
                    "folder for ECGDataset holds one record per file"
                )
            return ecg.signal, ecg.fs, ecg.leads
        if isinstance(source, ECGStore):
            k = row // source.records_per_chunk
            if self._chunk is None or self._chunk[0] != k:
                rows = source.chunk_records(k)
                self._chunk = (k, source[rows.start : rows.stop].signal)
            return self._chunk[1][row % source.records_per_chunk], source.fs, source.leads
        return source.signal[row], source.fs, source.leads

    def __repr__(self) -> str:
        kind = {FolderSource: "folder", ECGStore: "store"}.get(type(self._source), "batch")
        fs = "record rate" if self.fs is None else f"{self.fs:g} Hz"
        leads = "record leads" if self.leads is None else f"{len(self.leads)} leads"
        targets = "" if self._targets is None else ", with targets"
        return f"<ECGDataset | {len(self)} records from a {kind}, {fs}, {leads}{targets}>"

    def _repr_html_(self) -> str:
        """A Jupyter display: the source and what each item is (rate, leads, length)."""
        source = self._source
        if isinstance(source, FolderSource):
            origin, own_fs, own_leads = f"folder {source.folder}", None, None
        elif isinstance(source, ECGStore):
            origin, own_fs, own_leads = f"Zarr store {source.path}", source.fs, source.leads
        else:
            origin, own_fs, own_leads = "ECG batch in memory", source.fs, source.leads
        if self.fs is not None:
            rate = f"{self.fs:g} Hz" + ("" if own_fs == self.fs else " (resampled)")
        else:
            rate = "each record's own" + ("" if own_fs is None else f" ({own_fs:g} Hz)")
        if self.leads is not None:
            leads = f"{len(self.leads)}: {', '.join(self.leads)}"
        else:
            leads = "each record's own"
            if own_leads is not None:
                leads += f" ({len(own_leads)}: {', '.join(own_leads)})"
        length = "each record's own" if self.n_samples is None else format_count(self.n_samples)
        transform = "none"
        if self.transform is not None:
            transform = getattr(self.transform, "__name__", type(self.transform).__name__)
        rows = [
            ("records", format_count(len(self))),
            ("source", origin),
            ("sampling rate", rate),
            ("leads", leads),
            ("samples per lead", length),
            ("units", "mV (float32 tensors)"),
            ("transform", transform),
            ("targets", _targets_text(self._targets)),
        ]
        return summary_html("ECGDataset", rows)


def _open_source(source: Any) -> FolderSource | ECGStore | ECG:
    """The source as a FolderSource, an ECGStore or an ECG batch."""
    if isinstance(source, ECG):
        if not source.is_batch:
            return source.replace(source.signal[np.newaxis], meta={})
        return source
    if isinstance(source, (FolderSource, ECGStore)):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"no folder or Zarr store at {str(path)!r}")
        if path.is_dir() and (path / "zarr.json").is_file():
            return open_store(path)
        if path.is_dir():
            return FolderSource(path)
        raise ValueError(
            f"{str(path)!r} is a file; ECGDataset reads a folder of record files or a Zarr "
            "store (read one file with ecgtoolkit.read and pass the ECG)"
        )
    hint = ""
    if isinstance(source, (np.ndarray, list, tuple, torch.Tensor)):
        hint = "; wrap samples in ecgtoolkit.ECG(signal, fs=..., leads=[...]) first"
    raise TypeError(
        "ECGDataset reads a folder of record files (a path or FolderSource), a Zarr store "
        f"(a path or ECGStore) or an ECG batch, not a {type(source).__name__}{hint}"
    )


def _record_ids(source: FolderSource | ECGStore | ECG) -> list[Any]:
    if isinstance(source, ECGStore):
        return [int(i) for i in source.record_ids]
    if isinstance(source, FolderSource):
        return list(source.record_ids)
    return source.record_ids


def _target_rows(targets: Any, record_ids: list[Any]) -> np.ndarray:
    """The targets as float32, one row per record, in the order of ``record_ids``."""
    import pandas as pd

    if isinstance(targets, (pd.DataFrame, pd.Series)):
        frame = targets.to_frame() if isinstance(targets, pd.Series) else targets
        odd = [str(c) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        if odd:
            raise TypeError(
                f"targets must be numeric; columns {', '.join(odd)} are not (select the "
                "target columns, e.g. table[['heart_rate', 'qt_ms']])"
            )
        absent = [i for i in record_ids if i not in frame.index]
        if absent:
            raise ValueError(
                f"targets has no row for {len(absent)} of the {len(record_ids)} records "
                f"(e.g. {', '.join(map(repr, absent[:3]))}); index it by record id"
            )
        values = frame.loc[record_ids].to_numpy(dtype=np.float32, na_value=np.nan)
        return values[:, 0] if isinstance(targets, pd.Series) else values
    values = np.asarray(targets)
    if values.dtype == object or not (
        np.issubdtype(values.dtype, np.number) or values.dtype == bool
    ):
        raise TypeError(f"targets must be numeric, got dtype {values.dtype}")
    if values.ndim not in (1, 2) or len(values) != len(record_ids):
        raise ValueError(
            f"targets has shape {values.shape}; expected one value or row per record "
            f"({len(record_ids)} records)"
        )
    return values.astype(np.float32)


def _targets_text(targets: np.ndarray | None) -> str:
    """``"2 values per record (3 missing)"``, or ``"none"``."""
    if targets is None:
        return "none"
    per = 1 if targets.ndim == 1 else targets.shape[1]
    text = f"{format_count(per)} value{'s' if per != 1 else ''} per record"
    missing = int(np.isnan(targets).sum())
    return text + (f" ({format_count(missing)} missing)" if missing else "")


def _fit_length(signal: np.ndarray, n_samples: int) -> np.ndarray:
    """Cut at the end, or pad the end with 0 mV, to ``n_samples``."""
    if signal.shape[-1] >= n_samples:
        return signal[..., :n_samples]
    return np.pad(signal, ((0, 0), (0, n_samples - signal.shape[-1])))
