"""Sources of ECGs for the leaderboard: folders, stores, array files, batches, generators.

A *candidate* is a set of records that claims to look like real ECGs: a folder of
record files (any format :func:`ecgtoolkit.read` knows), a Zarr store, a ``.npy`` /
``.npz`` array file, an :class:`~ecgtoolkit.ECG` batch, or a built-in generator
(``"generator:deepfake"``, ``"generator:neurokit"``). :func:`load_candidate` reads any
of them into one form: records of the 12 standard leads (8 leads I, II, V1–V6 are
completed by Einthoven's and Goldberger's laws, absent leads are NaN), each at its own
sampling rate, at most ``duration_s`` long.

>>> from ecgtoolkit.comparison.candidates import load_candidate
>>> candidate = load_candidate("generator:deepfake", n=2, seed=0, progress=False)
>>> candidate.name, len(candidate), candidate.rates
('deepfake', 2, [500.0])
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core import validation
from ..core.ecg import ECG
from ..core.leads import STANDARD_LEADS, select_leads
from ..core.progress import progress_bar
from ..databases.physionet import Database

__all__ = ["Candidate", "GENERATORS", "load_candidate", "common_signals"]

#: Built-in generators a source can name as ``"generator:<name>"``.
GENERATORS = ("deepfake", "neurokit")
_ARRAY_SUFFIXES = (".npy", ".npz")


@dataclass
class Candidate:
    """Records of one source, brought to the 12 standard leads.

    Attributes
    ----------
    name : str
        The name in the leaderboard.
    batches : list of ECG
        The records, grouped into batches of one sampling rate and length, mV.
    origin : str
        Where they came from, in words (a path, a generator and its seed).
    notes : list of str
        What was left out or completed, and why.
    """

    name: str
    batches: list[ECG]
    origin: str
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(b.n_records for b in self.batches)

    @property
    def rates(self) -> list[float]:
        """The sampling rates among the records, Hz, ascending."""
        return sorted({b.fs for b in self.batches})

    @property
    def record_ids(self) -> list[Any]:
        return [i for b in self.batches for i in b.record_ids]

    def records(self) -> Iterator[ECG]:
        for batch in self.batches:
            yield from batch


def _harmonise(ecg: ECG, duration_s: float) -> tuple[ECG, list[str]]:
    """The 12 standard leads (limb leads derived from any two, absent leads NaN), at
    most ``duration_s`` long; extra channels are left out."""
    notes = []
    if ecg.duration_s > duration_s:
        ecg = ecg.crop(0.0, duration_s)
    signal = select_leads(ecg.signal, ecg.leads, STANDARD_LEADS, missing="nan")
    extra = [name for name in ecg.leads if name not in STANDARD_LEADS]
    absent = [name for i, name in enumerate(STANDARD_LEADS) if np.isnan(signal[..., i, :]).all()]
    if extra:
        notes.append(f"left out channels that are not standard leads: {', '.join(extra)}")
    if absent:
        notes.append(f"no {', '.join(absent)}: NaN in the compared signals")
    return ecg.replace(signal.astype(np.float32, copy=False), leads=STANDARD_LEADS), notes


def _group(records: list[ECG], ids: list[Any]) -> list[ECG]:
    """Records of equal rate and length as batches (ids kept)."""
    groups: dict[tuple[float, int], list[int]] = {}
    for i, record in enumerate(records):
        groups.setdefault((record.fs, record.n_samples), []).append(i)
    batches = []
    for (fs, _), members in sorted(groups.items()):
        signal = np.stack([records[i].signal for i in members])
        meta = {"record_ids": [ids[i] for i in members]}
        batches.append(ECG(signal, fs=fs, leads=STANDARD_LEADS, meta=meta))
    return batches


def _choose(n_available: int, n: int | None, seed: int) -> np.ndarray:
    """Positions of at most ``n`` records, a seeded random subset in order."""
    if n is None or n >= n_available:
        return np.arange(n_available)
    return np.sort(np.random.default_rng(seed).choice(n_available, n, replace=False))


def _from_generator(kind: str, n: int | None, seed: int, progress: bool) -> tuple[ECG, str]:
    if kind not in GENERATORS:
        raise ValueError(
            f"unknown generator {kind!r}; built-in generators are "
            + ", ".join(f"'generator:{g}'" for g in GENERATORS)
        )
    if n is None:
        raise ValueError(
            f"generator:{kind} needs a number of records (n, or -n on the command line)"
        )
    if kind == "deepfake":
        from ..generators.generate import generate

        return generate(n, seed=seed, progress=progress), f"Pulse2Pulse DeepFake, seed {seed}"
    from ..generators.neurokit import simulate_neurokit

    return simulate_neurokit(n, seed=seed, progress=progress), f"NeuroKit2 simulator, seed {seed}"


def _from_folder(folder: Path, n: int | None, seed: int, fs, leads, progress: bool):
    from ..io import read
    from ..io.folder import list_records

    names = list_records(folder)
    if not names:
        raise ValueError(f"{str(folder)!r} holds no record files that ecgtoolkit can read")
    chosen = [names[i] for i in _choose(len(names), n, seed)]
    records, ids, skipped = [], [], []
    with progress_bar(total=len(chosen), desc="reading", unit="record", enabled=progress) as bar:
        for name in chosen:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # a reader's notes on channels left out
                    record = read(folder / name, fs=fs, leads=leads)
            except (OSError, ValueError, KeyError) as err:
                skipped.append(f"{name} ({err})")
            else:
                if record.is_batch:
                    records.extend(record)
                    ids.extend(f"{name}[{i}]" for i in range(record.n_records))
                else:
                    records.append(record)
                    ids.append(name)
            bar.update(1)
    return records, ids, skipped


def _from_store(path: Path, n: int | None, seed: int) -> ECG:
    from ..store.zarr_reader import open_store

    store = open_store(path)
    chosen = _choose(len(store), n, seed)
    if len(chosen) == len(store):
        return store[:]
    records = [store[int(i)] for i in chosen]
    meta = {"record_ids": [r.meta["record_id"] for r in records]}
    return ECG(np.stack([r.signal for r in records]), store.fs, store.leads, meta=meta)


def load_candidate(
    source: Any,
    *,
    name: str | None = None,
    n: int | None = None,
    seed: int = 0,
    fs: float | None = None,
    leads: Any = None,
    duration_s: float = 10.0,
    progress: bool = True,
) -> Candidate:
    """Read a source of ECGs into records of the 12 standard leads.

    Parameters
    ----------
    source : str, path, ECG
        A folder of record files, a Zarr store (a folder ending in ``.zarr``), an array
        file (``.npy`` or ``.npz``), one record file, an ECG (one record or a batch), or
        ``"generator:deepfake"`` / ``"generator:neurokit"``, a
        :class:`~ecgtoolkit.Database`, or ``"database:ludb"`` / ``"database:cinc2021"``
        (the local copy), optionally with a boolean column of its ``meta`` that selects
        records: ``"database:ludb:sinus"``.
    name : str, optional
        The candidate's name; by default the folder or file stem, or the generator's
        name (``"ecg"`` for a batch).
    n : int, optional
        At most this many records: a seeded random subset (``seed``) of a larger
        source, kept in order. Required for a generator.
    seed : int
        Seed of the subset, and of a generator.
    fs : float, optional
        Sampling rate of array files that do not store it (``.npy``), Hz.
    leads : sequence of str, optional
        Lead names of array files that do not store them; 12 or 8 unnamed leads are
        taken as the standard 12 or I, II, V1–V6 when not given.
    duration_s : float
        Records are cut to their first ``duration_s`` seconds.
    progress : bool
        Show progress bars.

    Returns
    -------
    Candidate
        Its records grouped by sampling rate and length, with notes on what was left
        out (unreadable files, extra channels, absent leads).

    Raises
    ------
    FileNotFoundError
        If a path does not exist.
    ValueError
        For an unknown generator, a generator without ``n``, an array file whose rate
        or leads are not known, or a source with no readable record.
    TypeError
        For a source of another type.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> c = load_candidate(et.generate(3, n_leads=8, seed=1), name="gan", progress=False)
    >>> c.batches[0].leads[:4], len(c)
    (('I', 'II', 'III', 'aVR'), 3)
    """
    if n is not None:
        n = validation.count(n)
    seed = validation.check_int(seed, "seed", minimum=0)
    duration_s = validation.check_positive(duration_s, "duration_s")
    notes: list[str] = []
    default_name = described = None
    if isinstance(source, str) and source.startswith("database:"):
        default_name = source.split(":", 2)[1]
        source, described = _load_database(source)
    if isinstance(source, Database):
        default_name = default_name or source.name.split()[0].lower()
        described = source.name
        source = source.ecg
    if isinstance(source, str) and source.startswith("generator:"):
        kind = source.split(":", 1)[1]
        batch, origin = _from_generator(kind, n, seed, progress)
        default_name, records, ids = kind, list(batch), batch.record_ids
    elif isinstance(source, ECG):
        batch = source if source.is_batch else ECG(source.signal[None], source.fs, source.leads)
        chosen = _choose(batch.n_records, n, seed)
        batch = batch[chosen.tolist()] if len(chosen) < batch.n_records else batch
        default_name = default_name or "ecg"
        origin = f"{described or 'an ECG batch'}, {batch.n_records} records"
        records, ids = list(batch), batch.record_ids
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"{str(path)!r} does not exist")
        default_name = path.name[: -len(".zarr")] if path.name.endswith(".zarr") else path.stem
        if path.is_dir() and (path.suffix == ".zarr" or (path / "zarr.json").exists()):
            batch = _from_store(path, n, seed)
            records, ids, origin = list(batch), batch.record_ids, f"Zarr store {path}"
        elif path.is_dir():
            records, ids, skipped = _from_folder(path, n, seed, fs, leads, progress)
            origin = f"folder {path}"
            if skipped:
                shown = "; ".join(skipped[:5]) + (" …" if len(skipped) > 5 else "")
                notes.append(f"{len(skipped)} files could not be read and are left out: {shown}")
        else:
            batch = _read_file(path, fs, leads)
            if batch.is_batch:
                chosen = _choose(batch.n_records, n, seed)
                batch = batch[chosen.tolist()] if len(chosen) < batch.n_records else batch
                records, ids = list(batch), batch.record_ids
            else:
                records, ids = [batch], [path.name]
            origin = f"file {path}"
    else:
        raise TypeError(
            "a source is a folder, a Zarr store, an array or record file, an ECG, or "
            f"'generator:<name>'; got {type(source).__name__}"
        )
    if not records:
        raise ValueError(f"{origin} holds no readable record")
    harmonised = []
    for record in records:
        record, record_notes = _harmonise(record, duration_s)
        harmonised.append(record)
        notes.extend(note for note in record_notes if note not in notes)
    return Candidate(name or default_name, _group(harmonised, list(ids)), origin, notes)


def _load_database(spec: str) -> tuple[Any, str]:
    """The database (or its selected records) that ``spec`` names, and its description."""
    from ..databases import load_cinc2021, load_ludb

    parts = spec.split(":")
    loaders = {"ludb": load_ludb, "cinc2021": load_cinc2021}
    if len(parts) not in (2, 3) or parts[1] not in loaders:
        raise ValueError(
            f"{spec!r}: a database source is 'database:<name>' or "
            f"'database:<name>:<boolean column of its meta>', name one of {sorted(loaders)}"
        )
    db = loaders[parts[1]](progress=False, **({"annotations": False} if parts[1] == "ludb" else {}))
    if len(parts) == 3:
        column = parts[2]
        if column not in db.meta.columns or db.meta[column].dtype != bool:
            flags = [c for c in db.meta.columns if db.meta[c].dtype == bool]
            raise ValueError(f"{spec!r}: {column!r} is not a boolean column of its meta ({flags})")
        keep = np.flatnonzero(db.meta[column].to_numpy())
        if keep.size == 0:
            raise ValueError(f"{spec!r}: no record of the local {db.name} copy is {column!r}")
        return db.ecg[keep.tolist()], f"{db.name}, records with {column}"
    return db, db.name


def _read_file(path: Path, fs: float | None, leads: Any) -> ECG:
    from ..io import read

    if path.suffix.lower() in _ARRAY_SUFFIXES and leads is None and path.suffix.lower() == ".npy":
        shape = np.load(path, mmap_mode="r", allow_pickle=False).shape
        n_leads = shape[-2] if len(shape) >= 2 else 0
        if n_leads == 12:
            leads = STANDARD_LEADS
        elif n_leads == 8:
            from ..core.leads import GENERATED_LEADS

            leads = GENERATED_LEADS
    try:
        return read(path, fs=fs, leads=leads)
    except ValueError as err:
        raise ValueError(
            f"{err} (for an array file give its rate and leads: fs= and leads= in Python, "
            "--fs and --leads on the command line)"
        ) from None


def common_signals(
    candidates: list[Candidate], *, progress: bool = True
) -> tuple[list[np.ndarray], float, int]:
    """Every candidate's signals at the lowest rate among them, cut to one length.

    Returns the arrays ``(n_records, 12, n_samples)`` (float32, mV, NaN where a lead is
    absent), the common rate and the number of samples (the shortest record, at that
    rate). Records at a higher rate are resampled (:func:`ecgtoolkit.resample`).
    """
    from ..signal.filters import resample

    fs = min(rate for c in candidates for rate in c.rates)
    n_samples = min(int(np.floor(b.duration_s * fs)) for c in candidates for b in c.batches)
    out = []
    with progress_bar(
        total=sum(len(c) for c in candidates), desc="resampling", unit="record",
        enabled=progress,
    ) as bar:  # fmt: skip
        for candidate in candidates:
            parts = []
            for batch in candidate.batches:
                signal = batch.signal if batch.fs == fs else resample(batch.signal, batch.fs, fs)
                parts.append(np.asarray(signal[..., :n_samples], dtype=np.float32))
                bar.update(batch.n_records)
            out.append(np.concatenate(parts))
    return out, float(fs), int(n_samples)
