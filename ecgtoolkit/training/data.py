"""Real ECGs as training data for the Pulse2Pulse generator: 10 s windows in model units.

The generator (:mod:`ecgtoolkit.generators.pulse2pulse`) emits the 8 leads I, II, V1–V6
(:data:`~ecgtoolkit.core.leads.GENERATED_LEADS`), 5000 samples (10 s at 500 Hz), as a
tanh output that is the signal in mV divided by
:data:`~ecgtoolkit.generators.checkpoints.OUTPUT_SCALE_MV` (6 mV).
:func:`prepare_training_data` brings any source of real records into the same form and
splits it, by record, into a training and a held-out part.

>>> import numpy as np, ecgtoolkit as et
>>> x = np.sin(2 * np.pi * np.arange(10_000) / 500) * np.ones((3, 8, 1))
>>> ecg = et.ECG(x, fs=500, leads=["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"])
>>> prepare_training_data(ecg, holdout=0.34, progress=False).train.shape
(4, 8, 5000)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..comparison.candidates import load_candidate
from ..core import validation
from ..core.leads import GENERATED_LEADS, select_leads
from ..core.progress import progress_bar
from ..generators.checkpoints import OUTPUT_SCALE_MV
from ..signal.filters import resample

__all__ = ["TRAIN_FS", "WINDOW_S", "TrainingData", "prepare_training_data"]

#: Sampling rate of the generator's output and of the training windows, Hz.
TRAIN_FS = 500.0
#: Length of one training window (the generator's output), s.
WINDOW_S = 10.0
#: Samples of one window: 5000.
_WINDOW_SAMPLES = int(round(TRAIN_FS * WINDOW_S))
#: A window with more than this share of its samples beyond ±6 mV is left out.
_MAX_CLIPPED_SHARE = 0.01
#: How long load_candidate may keep a record when every window is wanted, s: longer than
#: any ECG recording (about 31 years), so that no record is cut short.
_WHOLE_RECORD_S = 1e9
#: Names shown in one note before "…".
_SHOWN = 5


@dataclass
class TrainingData:
    """Windows of real ECGs in the generator's form, split by record.

    Attributes
    ----------
    train, holdout : numpy.ndarray
        Shape ``(n_windows, 8, 5000)``, float32: leads I, II, V1–V6, 10 s at 500 Hz, in
        model units (mV / 6, baseline removed, clipped to [−1, 1]). ``holdout`` has 0
        windows when nothing is held out.
    train_ids, holdout_ids : list of str
        The record id of each window, in the arrays' order.
    train_records, holdout_records : list of str
        The sorted record ids on each side; no id is on both.
    notes : list of str
        What was left out, clipped or completed, and why.
    description : dict
        Plain JSON-able data: the source, the records and windows on each side, the
        original rates, the leads, how windows were cut, the seed, the held-out fraction
        and the scale.
    """

    train: np.ndarray
    holdout: np.ndarray
    train_ids: list[str]
    holdout_ids: list[str]
    train_records: list[str]
    holdout_records: list[str]
    notes: list[str] = field(default_factory=list)
    description: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        rates = ", ".join(f"{fs:g}" for fs in self.description.get("original_fs_hz", []))
        return (
            f"TrainingData(train={len(self.train)} windows of {len(self.train_records)} "
            f"records, holdout={len(self.holdout)} windows of {len(self.holdout_records)} "
            f"records, leads={'/'.join(GENERATED_LEADS)}, {WINDOW_S:g} s at {TRAIN_FS:g} Hz, "
            f"mV / {OUTPUT_SCALE_MV:g}, from {rates or '?'} Hz, {len(self.notes)} notes)"
        )


def prepare_training_data(
    real: Any,
    *,
    holdout: float = 0.2,
    seed: int = 0,
    max_windows_per_record: int | None = None,
    progress: bool = True,
) -> TrainingData:
    """Cut real ECGs into 10 s windows of the generator's 8 leads, in model units.

    Parameters
    ----------
    real : str, path, ECG or Database, or a list of them
        Anything :func:`ecgtoolkit.comparison.candidates.load_candidate` reads: a folder
        of record files, a Zarr store, a ``.npy`` / ``.npz`` file, an ECG (one record
        or a batch, mV), a :class:`~ecgtoolkit.Database`, ``"database:ludb"``,
        ``"database:ludb:<boolean column>"`` or ``"database:cinc2021"``. A list or tuple
        pools several sources (e.g. ``["database:ludb:sinus",
        "database:cinc2021:sinus_rhythm"]``); their record ids are then prefixed with
        each source's name (``ludb:12``), so that records of different sources never
        merge.
    holdout : float
        Fraction of the records held out, in [0, 1): ``round(holdout × n_records)``
        records, at least 1 when ``holdout > 0``, and at least 1 record left to train
        on. 0 holds nothing out.
    seed : int
        Seed of the permutation of the records that chooses the held-out ones.
    max_windows_per_record : int, optional
        At most this many windows from each record, its first ones; all by default.
    progress : bool
        Show progress bars.

    Returns
    -------
    TrainingData
        The training and held-out windows, float32 ``(n_windows, 8, 5000)`` in mV / 6,
        the record id of each window, notes and a description.

    Raises
    ------
    TypeError
        For arguments of the wrong type (and sources that ``load_candidate`` refuses).
    ValueError
        For ``holdout`` outside [0, 1), a source whose records all lack lead I, II or a
        V lead (the message names them and what is missing), records all shorter than
        10 s or all unusable, or a single record when ``holdout > 0``.
    FileNotFoundError
        If a path does not exist.

    Notes
    -----
    Each source is read by ``load_candidate`` into the 12 standard leads at each
    record's own rate; limb leads missing there are derived from any two independent
    ones (Einthoven's and Goldberger's laws). Then, per record:

    1. leads I, II and V1–V6 are kept; a record without one of them is left out (noted);
    2. the record is resampled to 500 Hz (:func:`ecgtoolkit.resample`, polyphase FIR);
    3. it is cut into non-overlapping 10 s windows from its start; the remainder shorter
       than 10 s is dropped, and a record shorter than 10 s is left out (noted);
    4. each lead's median over the window is subtracted: a robust estimate of the
       isoelectric baseline that a median (unlike the mean) takes from the long
       stretches between the waves, not from the QRS complexes, so that the windows are
       centred on 0 mV as the generator's output is;
    5. the window is divided by 6 mV (the generator's output scale) and clipped to
       [−1, 1]; the number of clipped samples is noted, and a window with more than 1 %
       of its samples clipped, or any NaN, is left out (noted).

    The split is by record, never by window, so that no record's windows are on both
    sides: the unique record ids, sorted, are permuted with
    ``numpy.random.default_rng(seed)``, and the first ``n_holdout`` are held out.

    Examples
    --------
    >>> import numpy as np, ecgtoolkit as et
    >>> t = np.arange(15_000) / 500  # 30 s at 500 Hz
    >>> x = 1.2 * np.sin(2 * np.pi * 1.1 * t) * np.ones((5, 8, 1))  # 5 records, mV
    >>> leads = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"]
    >>> data = prepare_training_data(et.ECG(x, fs=500, leads=leads), progress=False)
    >>> data.train.shape, data.holdout.shape, data.train.dtype
    ((12, 8, 5000), (3, 8, 5000), dtype('float32'))
    >>> len(data.train_records), len(data.holdout_records)
    (4, 1)
    >>> round(float(np.abs(data.train).max()) * 6, 2)  # back in mV
    1.2
    """
    holdout = _check_holdout(holdout)
    seed = validation.check_int(seed, "seed", minimum=0)
    if max_windows_per_record is not None:
        max_windows_per_record = validation.check_int(
            max_windows_per_record, "max_windows_per_record", minimum=1
        )
    duration_s = (
        _WHOLE_RECORD_S if max_windows_per_record is None else max_windows_per_record * WINDOW_S
    )
    sources = list(real) if isinstance(real, (list, tuple)) else [real]
    if not sources:
        raise ValueError("real is an empty list: give at least one source of real ECGs")
    candidates = [
        load_candidate(source, seed=seed, duration_s=duration_s, progress=progress)
        for source in sources
    ]
    origin = "; ".join(c.origin for c in candidates)
    rates = sorted({fs for c in candidates for fs in c.rates})
    # load_candidate's notes on absent leads speak of compared signals; the leads that
    # matter here are noted below, with the records they leave out.
    notes = [
        note for c in candidates for note in c.notes if "NaN in the compared signals" not in note
    ]
    prefixed = _source_prefixes(candidates) if len(candidates) > 1 else [""]
    windows, window_ids, record_notes = _cut_windows(
        [(prefix, b) for prefix, c in zip(prefixed, candidates, strict=True) for b in c.batches],
        max_windows_per_record,
        progress,
    )
    notes.extend(record_notes)
    if not windows:
        raise ValueError(
            f"no 10 s window could be cut from {origin}: "
            + "; ".join(record_notes)
            + ". Training needs records at least 10 s long with leads I and II (or any two "
            "limb leads) and V1–V6"
        )
    signal = np.concatenate(windows)
    ids = np.asarray([i for part in window_ids for i in part], dtype=object)
    signal, ids, scale_notes = _to_model_units(signal, ids)
    notes.extend(scale_notes)

    records = sorted(set(ids.tolist()))
    held = _held_out_records(records, holdout, seed)
    on_holdout = np.array([i in held for i in ids], dtype=bool)
    train_records = [r for r in records if r not in held]
    holdout_records = sorted(held)
    description = {
        "source": "; ".join(_source_name(source) for source in sources),
        "origin": origin,
        "n_records": {"train": len(train_records), "holdout": len(holdout_records)},
        "n_windows": {"train": int((~on_holdout).sum()), "holdout": int(on_holdout.sum())},
        "original_fs_hz": [float(fs) for fs in rates],
        "fs_hz": TRAIN_FS,
        "leads": list(GENERATED_LEADS),
        "window_s": WINDOW_S,
        "n_samples": _WINDOW_SAMPLES,
        "windows": (
            "non-overlapping 10 s windows from each record's start, the remainder dropped"
            + ("" if max_windows_per_record is None else f", at most {max_windows_per_record}")
        ),
        "baseline": "each lead's median over its window subtracted",
        "max_windows_per_record": max_windows_per_record,
        "seed": seed,
        "holdout_fraction": holdout,
        "scale": {
            "units": f"mV / {OUTPUT_SCALE_MV:g}",
            "output_scale_mv": OUTPUT_SCALE_MV,
            "clip": [-1.0, 1.0],
        },  # fmt: skip
    }
    return TrainingData(
        train=np.ascontiguousarray(signal[~on_holdout]),
        holdout=np.ascontiguousarray(signal[on_holdout]),
        train_ids=[str(i) for i in ids[~on_holdout]],
        holdout_ids=[str(i) for i in ids[on_holdout]],
        train_records=train_records,
        holdout_records=holdout_records,
        notes=notes,
        description=description,
    )


def _check_holdout(holdout: Any) -> float:
    if isinstance(holdout, bool) or not isinstance(holdout, (int, float, np.integer, np.floating)):
        raise TypeError(
            f"holdout must be a number, the fraction of records held out (e.g. 0.2), "
            f"got {holdout!r}"
        )
    if not (np.isfinite(holdout) and 0.0 <= holdout < 1.0):
        raise ValueError(
            f"holdout must be in [0, 1), the fraction of records held out (0 holds none "
            f"out), got {holdout!r}"
        )
    return float(holdout)


def _source_name(source: Any) -> str:
    return str(source) if isinstance(source, (str, os.PathLike)) else type(source).__name__


def _source_prefixes(candidates: list[Any]) -> list[str]:
    """``"<name>:"`` per source, numbered where two sources share a name."""
    names = [c.name for c in candidates]
    return [
        f"{name}{'' if names.count(name) == 1 else '-' + str(names[:i].count(name) + 1)}:"
        for i, name in enumerate(names)
    ]


def _shown(names: list[str]) -> str:
    return ", ".join(names[:_SHOWN]) + (" …" if len(names) > _SHOWN else "")


def _cut_windows(
    batches: list[tuple[str, Any]], max_windows: int | None, progress: bool
) -> tuple[list[np.ndarray], list[list[str]], list[str]]:
    """The 10 s windows (mV, 500 Hz, 8 leads) of every usable record of ``(record id
    prefix, batch)`` pairs, their record ids, and notes on the records left out."""
    windows, window_ids = [], []
    lacking: list[str] = []
    short: list[str] = []
    total = sum(batch.n_records for _, batch in batches)
    with progress_bar(total=total, desc="cutting windows", unit="record", enabled=progress) as bar:
        for prefix, batch in batches:
            signal = select_leads(batch.signal, batch.leads, GENERATED_LEADS, missing="nan")
            ids = [f"{prefix}{i}" for i in batch.record_ids]
            absent = np.isnan(signal).all(axis=-1)  # (n_records, 8)
            for row in np.flatnonzero(absent.any(axis=1)):
                missing = [
                    name for name, gone in zip(GENERATED_LEADS, absent[row], strict=True) if gone
                ]
                lacking.append(f"{ids[row]} (no {', '.join(missing)})")
            keep = np.flatnonzero(~absent.any(axis=1))
            n_samples = int(np.ceil(batch.n_samples * TRAIN_FS / batch.fs))
            if keep.size and n_samples < _WINDOW_SAMPLES:
                short.extend(f"{ids[i]} ({batch.duration_s:.2f} s)" for i in keep)
            elif keep.size:
                kept = signal[keep]
                if batch.fs != TRAIN_FS:
                    kept = resample(kept, batch.fs, TRAIN_FS)
                n_windows = kept.shape[-1] // _WINDOW_SAMPLES
                if max_windows is not None:
                    n_windows = min(n_windows, max_windows)
                cut = kept[..., : n_windows * _WINDOW_SAMPLES].astype(np.float32, copy=False)
                cut = cut.reshape(len(keep), len(GENERATED_LEADS), n_windows, _WINDOW_SAMPLES)
                windows.append(cut.transpose(0, 2, 1, 3).reshape(-1, *cut.shape[1::2]))
                window_ids.append([ids[i] for i in keep for _ in range(n_windows)])
            bar.update(batch.n_records)
    notes = []
    if lacking:
        notes.append(
            f"{len(lacking)} records lack lead I, II or a V lead (limb leads are derived "
            f"from any two, chest leads cannot be) and are left out: {_shown(lacking)}"
        )
    if short:
        notes.append(
            f"{len(short)} records are shorter than one {WINDOW_S:g} s window and are "
            f"left out: {_shown(short)}"
        )
    return windows, window_ids, notes


def _to_model_units(signal: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """Windows without NaN, baseline removed, ÷ 6 mV and clipped; notes on what was
    left out or clipped."""
    notes = []
    with_nan = np.isnan(signal).any(axis=(1, 2))
    if with_nan.any():
        notes.append(
            f"{int(with_nan.sum())} windows hold NaN (a gap in the recording) and are left "
            f"out, from records {_shown(sorted(set(ids[with_nan].tolist())))}"
        )
        signal, ids = signal[~with_nan], ids[~with_nan]
    if len(signal):
        signal = signal - np.median(signal, axis=-1, keepdims=True)
    signal = signal / np.float32(OUTPUT_SCALE_MV)
    beyond = np.abs(signal) > 1.0
    clipped_share = beyond.mean(axis=(1, 2)) if len(signal) else np.zeros(0)
    too_many = clipped_share > _MAX_CLIPPED_SHARE
    if too_many.any():
        notes.append(
            f"{int(too_many.sum())} windows have more than {_MAX_CLIPPED_SHARE:.0%} of "
            f"their samples beyond ±{OUTPUT_SCALE_MV:g} mV and are left out, from records "
            f"{_shown(sorted(set(ids[too_many].tolist())))}"
        )
        signal, ids, beyond = signal[~too_many], ids[~too_many], beyond[~too_many]
    n_clipped = int(beyond.sum())
    if n_clipped:
        notes.append(
            f"{n_clipped} samples beyond ±{OUTPUT_SCALE_MV:g} mV clipped to ±1 model unit "
            f"({n_clipped / beyond.size:.4%} of the kept samples, in "
            f"{int(beyond.any(axis=(1, 2)).sum())} windows)"
        )
    if not len(signal):
        raise ValueError(
            "every 10 s window was left out: " + "; ".join(notes) + ". Check the records' "
            "units (the signal must be in mV) and gaps"
        )
    return np.clip(signal, -1.0, 1.0).astype(np.float32, copy=False), ids, notes


def _held_out_records(records: list[str], holdout: float, seed: int) -> set[str]:
    """The records held out: a seeded permutation's first ``round(holdout × n)``, at
    least 1 (when ``holdout > 0``) and at most ``n − 1``."""
    if holdout == 0.0:
        return set()
    if len(records) < 2:
        raise ValueError(
            f"holding out {holdout:g} of the records needs at least 2 records, one to "
            f"train on and one to hold out; got {len(records)} ({_shown(records)}). "
            "Give more records, or holdout=0"
        )
    n_holdout = min(max(round(holdout * len(records)), 1), len(records) - 1)
    order = np.random.default_rng(seed).permutation(len(records))
    return {records[i] for i in order[:n_holdout]}
