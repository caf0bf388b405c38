"""Real ECG databases: LUDB, PTB-XL and the PhysioNet/CinC Challenge 2021.

Each loader returns a :class:`Dataset`: the records as one :class:`~ecgtoolkit.ECG`
batch in mV, a metadata table with one row per record (demographics and diagnoses as
tidy columns) and, where the database has them, the experts' wave annotations.

Where the data come from, in this order:

1. the folder passed as ``path`` (and nothing else: a folder named explicitly is never
   replaced by a download);
2. the shared copy under :func:`data_dir` (``$ECGTOOLKIT_DATA`` or ``../shared/data``),
   when it holds the records asked for;
3. the download cache under :func:`cache_dir` (``$ECGTOOLKIT_CACHE`` or
   ``~/.cache/ecgtoolkit``): what is missing there is downloaded from PhysioNet with
   ``wfdb`` (only the records asked for), into a staging folder first, so that an
   interrupted download never leaves a half-written file among the records.

Offline and without a copy, a loader fails with a message that names the PhysioNet page
and the ways to point the toolkit at a copy.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .ecg import ECG
from .io import read
from .leads import normalize_lead_name

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CINC2021_DIAGNOSES",
    "Dataset",
    "cache_dir",
    "data_dir",
    "load_cinc2021",
    "load_ludb",
    "load_ptbxl",
    "ludb_labels",
]

_ENV = "ECGTOOLKIT_DATA"
_CACHE_ENV = "ECGTOOLKIT_CACHE"


def data_dir(required: bool = False) -> Path | None:
    """Return the folder holding the shared ECG databases, or None.

    Parameters
    ----------
    required : bool
        Raise instead of returning None when no folder is found.

    Returns
    -------
    pathlib.Path or None
        ``$ECGTOOLKIT_DATA`` if set, else ``../shared/data`` relative to the project
        root (or to the working directory) when it exists.

    Raises
    ------
    FileNotFoundError
        If ``ECGTOOLKIT_DATA`` names a missing folder, or ``required`` and none is found.

    Examples
    --------
    >>> from ecgtoolkit.datasets import data_dir
    >>> folder = data_dir()   # None where the data are absent
    """
    env = os.environ.get(_ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"{_ENV}={env!r} is not a folder; point it at the shared data")
        return path
    project_root = Path(__file__).resolve().parent.parent
    for candidate in (
        project_root.parent / "shared" / "data",
        Path.cwd().parent / "shared" / "data",
    ):
        if candidate.is_dir():
            return candidate
    if required:
        raise FileNotFoundError(
            f"no ECG data folder found: set {_ENV} to the folder that holds ludb/, mitdb/, ..."
        )
    return None


def cache_dir() -> Path:
    """Return the folder where downloaded databases are kept (one subfolder each).

    Returns
    -------
    pathlib.Path
        ``$ECGTOOLKIT_CACHE`` if set, else ``~/.cache/ecgtoolkit``. It need not exist
        yet; a download creates it.

    Examples
    --------
    >>> from ecgtoolkit.datasets import cache_dir
    >>> (cache_dir() / "ludb").name
    'ludb'
    """
    env = os.environ.get(_CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ecgtoolkit"


# -- the result -------------------------------------------------------------------------
@dataclass(frozen=True, repr=False, eq=False)
class Dataset:
    """Records of one database with their metadata and expert annotations.

    Attributes
    ----------
    ecg : ECG
        The records as one batch ``(n_records, n_leads, n_samples)`` in mV;
        ``ecg.meta["record_ids"]`` holds the record ids in batch order.
    meta : pandas.DataFrame
        One row per record, in batch order, indexed by ``record`` (the database's own
        record id): demographics (``age`` in years, ``sex`` ``"M"``/``"F"``) and the
        database's diagnoses as tidy columns.
    annotations : pandas.DataFrame or None
        Expert wave annotations, one row per wave: ``record, lead, wave`` (``"P"``,
        ``"QRS"``, ``"T"``) and ``onset, peak, offset`` (sample indices, ``<NA>`` where
        the expert marked no boundary); None for databases without them.
    name : str
        The database and its version, e.g. ``"LUDB 1.0.1"``.
    path : pathlib.Path or None
        The folder the records were read from.
    """

    ecg: ECG
    meta: pd.DataFrame
    annotations: pd.DataFrame | None = None
    name: str = ""
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.meta)

    def __repr__(self) -> str:
        notes = "no annotations"
        if self.annotations is not None:
            notes = f"{len(self.annotations)} wave annotations"
        return (
            f"<Dataset {self.name} | {len(self)} records × {self.ecg.n_leads} leads × "
            f"{self.ecg.n_samples} samples ({self.ecg.duration_s:g} s at {self.ecg.fs:g} Hz); "
            f"meta: {self.meta.shape[1]} columns; {notes}>"
        )


# -- finding or downloading a copy ------------------------------------------------------
@dataclass(frozen=True)
class _Source:
    """A PhysioNet database: where it lives online and how local copies are laid out."""

    name: str  # for messages: "LUDB 1.0.1"
    slug: str  # PhysioNet project, cache subfolder and shared-data subfolder
    version: str
    index_files: tuple[str, ...]  # tables that list the records
    remote_prefix: str = ""  # where PhysioNet keeps the records ("data/" for LUDB)
    keep_subdirs: bool = True  # keep PhysioNet's subfolders in the cache
    downloadable: bool = True
    url: str = ""

    @property
    def page(self) -> str:
        return self.url or f"https://physionet.org/content/{self.slug}/{self.version}/"


#: Record ids in the database's order, each with its path (no suffix) inside a copy.
_Listing = Callable[[Path], dict[str, str]]


def _database_records(
    source: _Source,
    path: str | os.PathLike[str] | None,
    ids: list[str] | None,
    n: int | None,
    listing: _Listing,
    suffixes: tuple[str, ...],
    progress: bool,
) -> tuple[Path, dict[str, str]]:
    """Find the records asked for: in ``path``, the shared copy, or the (filled) cache.

    Parameters
    ----------
    source : _Source
        The database.
    path : path-like or None
        A folder the user named; then only that folder is used.
    ids : list of str or None
        Record ids asked for; None: the first ``n`` (all if None) of a local copy, or of
        the whole database where it must be downloaded.
    listing : callable
        ``folder -> {record id: record path}`` from the copy's index files.
    suffixes : tuple of str
        The files that make a record complete (``".hea"``, ``".dat"``, annotations).
    progress : bool
        Show a progress bar while downloading.

    Returns
    -------
    folder : pathlib.Path
    records : dict of str to str
        The chosen record ids and their paths inside ``folder``, in the order asked for.
    """
    looked: list[str] = []
    if path is not None:
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(
                f"path={str(path)!r} is not a folder; pass the folder of a {source.name} "
                f"copy (from {source.page}), or leave out path= to use the shared data or "
                "the download cache"
            )
        copies = [folder]
    else:
        shared = data_dir()
        copies = [shared / source.slug] if shared is not None else []
    for folder in copies:
        found, reason = _records_held(folder, source, ids, n, listing, suffixes)
        if found:
            return folder, found
        looked.append(f"{folder} ({reason})")
    if path is not None:
        raise FileNotFoundError(
            f"{looked[0]}: not a usable {source.name} copy; get the records from "
            f"{source.page}, or leave out path= to download them into the cache"
        )
    cache = cache_dir() / source.slug
    found, reason = _records_held(
        cache, source, ids, n, listing, suffixes, whole=bool(source.index_files)
    )
    if found:
        return cache, found
    looked.append(f"the download cache {cache} ({reason})")
    if not source.downloadable:
        raise FileNotFoundError(
            f"{source.name} is not on this machine (looked in: {'; '.join(looked)}). "
            f"Get it from {source.page} and pass its folder as path=, or set {_ENV} to "
            f"a folder that holds {source.slug}/"
        )
    try:
        _download(source, cache, [f for f in source.index_files if not (cache / f).is_file()])
        chosen = _select(source, listing(cache), ids, n)
        missing = [p for p in chosen.values() if not _complete(cache, p, suffixes)]
        annotators = [s[1:] for s in suffixes if s not in (".hea", ".dat", ".mat")]
        _download(source, cache, [], missing, annotators, suffixes, progress)
    except OSError as err:
        raise FileNotFoundError(
            f"{source.name} is not on this machine (looked in: {'; '.join(looked)}) and "
            f"could not be downloaded from {source.page} ({type(err).__name__}: {err}). "
            f"Download it from that page and pass its folder as path=, or set {_ENV} to "
            f"a folder that holds {source.slug}/ ({_CACHE_ENV} chooses where downloads go)"
        ) from err
    return cache, chosen


def _records_held(
    folder: Path,
    source: _Source,
    ids: list[str] | None,
    n: int | None,
    listing: _Listing,
    suffixes: tuple[str, ...],
    whole: bool = False,
) -> tuple[dict[str, str], str]:
    """The records of ``folder`` that serve the request (empty if none), and why not.

    ``whole``: the folder's index lists the whole database (the download cache), so
    ``ids=None`` means every record, and an id it does not list is an error. Otherwise
    the folder serves the complete records it holds.
    """
    if not folder.is_dir():
        return {}, "absent"
    absent = [name for name in source.index_files if not (folder / name).is_file()]
    if absent:
        return {}, f"no {', '.join(absent)}"
    listed = listing(folder)
    if not whole:
        listed = {i: p for i, p in listed.items() if _complete(folder, p, suffixes)}
    if ids is not None and not whole:
        unknown = [i for i in ids if i not in listed]
        if unknown:
            return {}, f"lacks records {_shorten(unknown)}"
    chosen = _select(source, listed, ids, n)
    if not chosen:
        return {}, "no complete records"
    lacking = [i for i, p in chosen.items() if not _complete(folder, p, suffixes)]
    if lacking:
        return {}, f"lacks records {_shorten(lacking)}"
    return chosen, ""


def _select(
    source: _Source, listed: dict[str, str], ids: list[str] | None, n: int | None
) -> dict[str, str]:
    """The records asked for (``ids``, else the first ``n``) from a listing."""
    if ids is None:
        return dict(list(listed.items())[:n])
    unknown = [i for i in ids if i not in listed]
    if unknown:
        raise ValueError(
            f"{source.name} has no record {_shorten(unknown)}; its records are "
            f"{_shorten(list(listed))}"
        )
    return {i: listed[i] for i in ids}


def _complete(folder: Path, record: str, suffixes: Iterable[str]) -> bool:
    return all((folder / (record + suffix)).is_file() for suffix in suffixes)


def _shorten(items: Sequence[str], show: int = 8) -> str:
    if len(items) <= show:
        return ", ".join(items)
    return f"{', '.join(items[:show])}, … ({len(items)} in all)"


def _download(
    source: _Source,
    cache: Path,
    files: Sequence[str],
    records: Sequence[str] = (),
    annotators: Sequence[str] = (),
    suffixes: Sequence[str] = (),
    progress: bool = False,
    chunk: int = 20,
) -> None:
    """Download ``files`` and ``records`` from PhysioNet into ``cache`` with ``wfdb``.

    Everything lands in ``cache/.download`` first and is moved into place once complete,
    so the cache never holds a partial file (wfdb resumes partial files left in the
    staging folder by an interrupted download).
    """
    if not files and not records:
        return
    import wfdb
    from tqdm.auto import tqdm

    staging = cache / ".download"
    staging.mkdir(parents=True, exist_ok=True)
    try:
        if files:
            with contextlib.redirect_stdout(io.StringIO()):  # wfdb prints every file name
                wfdb.dl_files(source.slug, str(staging), list(files))
            _move_into(staging, cache, files)
        with tqdm(
            total=len(records),
            desc=f"downloading {source.name}",
            unit="record",
            disable=not progress,
        ) as bar:
            for start in range(0, len(records), chunk):
                part = list(records[start : start + chunk])
                with contextlib.redirect_stdout(io.StringIO()):
                    wfdb.dl_database(
                        source.slug,
                        str(staging),
                        records=[source.remote_prefix + r for r in part],
                        annotators=list(annotators) or None,
                        keep_subdirs=source.keep_subdirs,
                    )
                _move_into(staging, cache, [r + s for r in part for s in suffixes])
                bar.update(len(part))
    finally:  # leave no empty folders behind (partial files stay, for wfdb to resume)
        inner = sorted((p for p in staging.rglob("*") if p.is_dir()), reverse=True)
        for folder in [*inner, staging, cache, cache.parent]:
            with contextlib.suppress(OSError):
                folder.rmdir()
    still = [r for r in records if not _complete(cache, r, suffixes)]
    if still:
        raise FileNotFoundError(
            f"PhysioNet did not provide every file of {source.name} records "
            f"{_shorten(still)} ({', '.join(suffixes)} expected)"
        )


def _move_into(staging: Path, cache: Path, names: Iterable[str]) -> None:
    for name in names:
        done = staging / name
        if done.is_file():
            target = cache / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(done, target)


def _record_ids(records: Iterable[Any] | None) -> list[str] | None:
    """Record ids as strings, checked once at the entry point."""
    if records is None:
        return None
    if isinstance(records, (str, bytes, int, np.integer)):
        raise TypeError(f"records must be a list of record ids, e.g. [{records!r}]")
    ids = [str(r) for r in records]
    if not ids:
        raise ValueError("records is empty; leave it out to load every record")
    repeated = sorted(i for i, count in Counter(ids).items() if count > 1)
    if repeated:
        raise ValueError(f"records lists {', '.join(repeated)} more than once")
    return ids


def _read_batch(
    folder: Path,
    records: dict[str, str],
    name: str,
    record_ids: list[Any],
    progress: bool,
    adc_gain: float | None = None,
) -> ECG:
    """Read records into one batch ``(n_records, n_leads, n_samples)``, in mV.

    ``record_ids`` (the ids as the metadata index holds them) go to ``meta["record_ids"]``.
    """
    from tqdm.auto import tqdm

    signal: np.ndarray | None = None
    first: ECG | None = None
    ids = list(records)
    for k, record_id in enumerate(
        tqdm(ids, desc=f"reading {name}", unit="record", disable=not progress)
    ):
        ecg = read(folder / records[record_id], adc_gain=adc_gain)
        if first is None:
            first = ecg
            signal = np.empty((len(ids), ecg.n_leads, ecg.n_samples), dtype=ecg.signal.dtype)
        if (ecg.fs, ecg.n_samples, sorted(ecg.leads)) != (
            first.fs,
            first.n_samples,
            sorted(first.leads),
        ):
            raise ValueError(
                f"{name} record {record_id} ({', '.join(ecg.leads)}; {ecg.n_samples} samples "
                f"at {ecg.fs:g} Hz) differs from record {ids[0]} ({', '.join(first.leads)}; "
                f"{first.n_samples} samples at {first.fs:g} Hz); a batch holds records of one "
                "shape: choose records of one shape with records=, or read them one by one "
                "with et.read"
            )
        signal[k] = ecg.signal if ecg.leads == first.leads else ecg[list(first.leads)].signal
    meta = {"database": name, "source_path": str(folder), "record_ids": list(record_ids)}
    return ECG(signal, fs=first.fs, leads=first.leads, meta=meta)


def _header_comments(header: Path) -> dict[str, str]:
    """``# Key: value`` comment lines of a WFDB header, as a dict."""
    out: dict[str, str] = {}
    for line in header.read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.match(r"#\s*<?([^:>]+)>?:\s*(.*)", line)
        if match:
            out[match.group(1).strip().lower()] = match.group(2).strip()
    return out


def _sex(values: Iterable[Any]) -> list[str | None]:
    """``"M"``/``"F"`` from the spellings of the databases (None where unknown)."""
    table = {"m": "M", "male": "M", "f": "F", "female": "F"}
    return [table.get(str(v).strip().lower()) for v in values]


def _age_columns(values: Iterable[Any]) -> dict[str, Any]:
    """``age`` in years (NaN where unknown) and ``age_over_89``.

    Ages above 89 are withheld (HIPAA): LUDB writes ``">89"``, PTB-XL ``300``; both
    become NaN with ``age_over_89`` True, so that averages are not distorted.
    """
    import pandas as pd

    text = pd.Series([str(v).strip() for v in values], dtype=object)
    age = pd.to_numeric(text, errors="coerce")
    over = text.str.startswith(">") | (age >= 300)
    return {"age": age.where(~over).to_numpy(dtype=float), "age_over_89": over.to_numpy()}


# -- LUDB -------------------------------------------------------------------------------
_LUDB = _Source("LUDB 1.0.1", "ludb", "1.0.1", ("ludb.csv",), remote_prefix="data/",
                keep_subdirs=False)  # fmt: skip
_LUDB_LEADS = ("i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6")
# Annotation codes of the MIT format (WFDB Applications Guide, "Annotation codes").
_WAVE_CODES = {24: "P", 1: "QRS", 27: "T"}  # "p", "N", "t": the peaks LUDB marks
_ONSET, _OFFSET = 39, 40  # "(" and ")"


def _ludb_listing(folder: Path) -> dict[str, str]:
    import pandas as pd

    ids = pd.read_csv(folder / "ludb.csv", usecols=["ID"])["ID"].astype(int)
    sub = "data/" if (folder / "data").is_dir() else ""  # PhysioNet's own layout
    return {str(i): f"{sub}{i}" for i in ids}


def load_ludb(
    path: str | os.PathLike[str] | None = None,
    *,
    records: Iterable[int] | None = None,
    annotations: bool = True,
    progress: bool = True,
) -> Dataset:
    """Load the Lobachevsky University Electrocardiography Database (LUDB 1.0.1).

    200 records of 10 s, 12 leads at 500 Hz, with P, QRS and T waves delineated by
    cardiologists in every lead and the diagnoses of ``ludb.csv``.

    Parameters
    ----------
    path : str or path-like, optional
        Folder of a LUDB copy (``ludb.csv`` and the records, flat or in ``data/`` as on
        PhysioNet). Default: the shared copy (:func:`data_dir` ``/ "ludb"``) when it
        holds the records asked for, else the download cache (:func:`cache_dir`), where
        missing records are downloaded from PhysioNet.
    records : iterable of int, optional
        Record ids (1–200). Default: every record of the local copy, or all 200 where
        they must be downloaded.
    annotations : bool
        Read the expert annotations (and require their files).
    progress : bool
        Show progress bars while downloading and reading.

    Returns
    -------
    Dataset
        ``ecg``: batch ``(n_records, 12, 5000)`` in mV. ``meta``: :func:`ludb_labels` of
        these records. ``annotations``: one row per wave (``record, lead, wave, onset,
        peak, offset``, sample indices at 500 Hz), or None if ``annotations=False``.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a LUDB copy with these records, or no copy is found and the
        download fails (offline); the message says where to get the data.
    ValueError
        For record ids that LUDB does not have.

    Notes
    -----
    LUDB 1.0.1's headers give every lead a gain equal to its own digital range, and an
    ADC zero ("baseline", a few units) from the same normalisation, while the digital
    values are µV from 0 in every lead. The records are therefore read with
    ``adc_gain=1000`` (see :func:`ecgtoolkit.read`) and the headers' baselines are
    undone: the signal is the digital values / 1000, in mV, for which Einthoven's law
    (III = II − I) holds exactly. Only the middle of each record (about samples
    187–4814) is annotated.

    References
    ----------
    Kalyakulina A.I. et al., "LUDB: A New Open-Access Validation Tool for
    Electrocardiogram Delineation Algorithms", IEEE Access 8 (2020),
    doi:10.1109/ACCESS.2020.3029211. Licence ODC-By 1.0.

    Examples
    --------
    >>> from ecgtoolkit.datasets import load_ludb
    >>> ludb = load_ludb(records=[1, 2], progress=False)  # doctest: +SKIP
    >>> ludb.ecg  # doctest: +SKIP
    <ECG batch | 2 records × 12 leads × 5000 samples (10 s at 500 Hz), mV>
    >>> ludb.meta.loc[1, ["sex", "age", "rhythm"]].tolist()  # doctest: +SKIP
    ['F', 51.0, 'Sinus bradycardia']
    """
    ids = _record_ids(records)
    suffixes = (".hea", ".dat") + (tuple("." + lead for lead in _LUDB_LEADS) if annotations else ())
    folder, chosen = _database_records(_LUDB, path, ids, None, _ludb_listing, suffixes, progress)
    record_ids = [int(i) for i in chosen]
    ecg = _read_batch(folder, chosen, _LUDB.name, record_ids, progress, adc_gain=1000.0)
    baselines = np.stack([_header_baselines(folder / (r + ".hea")) for r in chosen.values()])
    ecg.signal += baselines[:, :, None] / 1000.0
    meta = ludb_labels(folder).loc[record_ids]
    waves = _ludb_annotations(folder, chosen) if annotations else None
    return Dataset(ecg, meta, waves, _LUDB.name, folder)


def ludb_labels(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The cardiologists' labels of every LUDB record (``ludb.csv``), as tidy columns.

    Parameters
    ----------
    path : str or path-like
        ``ludb.csv`` or the folder that holds it.

    Returns
    -------
    pandas.DataFrame
        One row per record, indexed by ``record`` (int). Text columns as written in
        ``ludb.csv`` (``""`` where empty; several statements joined by ``"|"``):
        ``sex`` (``"M"``/``"F"``), ``rhythm``, ``axis``, ``conduction``,
        ``extrasystoles``, ``hypertrophy``, ``pacing``, ``ischaemia``,
        ``repolarization``, ``other``; ``age`` in years (NaN above 89, with
        ``age_over_89``); and booleans derived from the wording only:

        - ``sinus``: any sinus rhythm label (rhythm, bradycardia, tachycardia,
          arrhythmia, irregular sinus rhythm);
        - ``af_flutter``: atrial fibrillation or flutter;
        - ``paced``: any cardiac pacing;
        - ``complete_bbb``: complete right or left bundle-branch block;
        - ``av_block``: any atrioventricular block;
        - ``fully_normal``: sinus, no conduction abnormality, hypertrophy or overload,
          ischaemia or scar, extrasystole or pacing, and an axis that is normal,
          vertical or horizontal;
        - ``major_abnormal``: ``af_flutter``, ``complete_bbb``, ``av_block`` or ``paced``.

    Examples
    --------
    >>> from ecgtoolkit.datasets import data_dir, ludb_labels
    >>> labels = ludb_labels(data_dir() / "ludb")  # doctest: +SKIP
    >>> int(labels["af_flutter"].sum())  # doctest: +SKIP
    18
    """
    import pandas as pd

    path = Path(path)
    csv = path / "ludb.csv" if path.is_dir() else path
    if not csv.is_file():
        raise FileNotFoundError(f"{str(csv)!r} not found; pass LUDB's ludb.csv or its folder")
    raw = pd.read_csv(csv)

    def text(column: str, prefix: str = "") -> list[str]:
        return [
            "" if pd.isna(v) else str(v).strip().replace("\n", "|").removeprefix(prefix).strip()
            for v in raw[column]
        ]

    table = pd.DataFrame(
        {
            "sex": _sex(raw["Sex"]),
            **_age_columns(raw["Age"]),
            "rhythm": text("Rhythms"),
            "axis": text("Electric axis of the heart", "Electric axis of the heart: "),
            "conduction": text("Conduction abnormalities"),
            "extrasystoles": text("Extrasystolies"),
            "hypertrophy": text("Hypertrophies"),
            "pacing": text("Cardiac pacing"),
            "ischaemia": text("Ischemia"),
            "repolarization": text(
                "Non-specific repolarization abnormalities",
                "Non-specific repolarization abnormalities: ",
            ),
            "other": text("Other states"),
        },
        index=pd.Index(raw["ID"].astype(int), name="record"),
    )
    rhythm = table["rhythm"].str.lower()
    conduction = table["conduction"].str.lower()
    table["sinus"] = rhythm.str.contains("sinus")
    table["af_flutter"] = rhythm.str.contains("fibrillation|flutter")
    table["paced"] = table["pacing"] != ""
    table["complete_bbb"] = conduction.str.contains(r"(?<!in)complete (?:right|left) bundle")
    table["av_block"] = conduction.str.contains("av block|av-block")
    table["fully_normal"] = (
        table["sinus"]
        & (table["conduction"] == "")
        & (table["hypertrophy"] == "")
        & (table["ischaemia"] == "")
        & (table["extrasystoles"] == "")
        & ~table["paced"]
        & table["axis"].isin(["normal", "vertical", "horizontal"])
    )
    table["major_abnormal"] = (
        table["af_flutter"] | table["complete_bbb"] | table["av_block"] | table["paced"]
    )
    return table


def _header_baselines(header: Path) -> np.ndarray:
    """The ADC zero ("baseline", digital units) of each signal of a WFDB header."""
    lines = [
        line
        for line in header.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    n_signals = int(lines[0].split()[1])
    # Signal lines: file format gain(baseline)/units ...; no "(...)": the baseline is 0.
    found = [re.search(r"\((-?\d+)\)", line.split()[2]) for line in lines[1 : 1 + n_signals]]
    return np.array([int(m.group(1)) if m else 0 for m in found], dtype=np.float64)


def _ludb_annotations(folder: Path, records: dict[str, str]) -> pd.DataFrame:
    """One row per annotated wave of every lead of ``records``."""
    import pandas as pd

    parts = []
    for record_id, record in records.items():
        for lead in _LUDB_LEADS:
            samples, codes = _mit_annotations(folder / f"{record}.{lead}")
            is_wave = np.isin(codes, list(_WAVE_CODES))
            at = np.flatnonzero(is_wave)
            before, after = np.maximum(at - 1, 0), np.minimum(at + 1, len(codes) - 1)
            has_onset = (at > 0) & (codes[before] == _ONSET)
            has_offset = (at < len(codes) - 1) & (codes[after] == _OFFSET)
            parts.append(
                pd.DataFrame(
                    {
                        "record": int(record_id),
                        "lead": normalize_lead_name(lead),
                        "wave": [_WAVE_CODES[c] for c in codes[at]],
                        "onset": pd.array(np.where(has_onset, samples[before], -1), "Int64"),
                        "peak": pd.array(samples[at], "Int64"),
                        "offset": pd.array(np.where(has_offset, samples[after], -1), "Int64"),
                    }
                )
            )
    table = pd.concat(parts, ignore_index=True)
    for column in ("onset", "offset"):
        table[column] = table[column].mask(table[column] < 0)
    return table


def _mit_annotations(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Sample indices and annotation codes of a WFDB (MIT format) annotation file.

    A small reader of the format (WFDB Applications Guide, "annot(5)"): 16-bit
    little-endian words, the code in the upper 6 bits and the time since the previous
    annotation in the lower 10; codes 59–63 (SKIP, NUM, SUB, CHN, AUX) carry extra
    fields. ``wfdb.rdann`` gives the same samples and codes but parses the record's
    header for every file, which makes it some 20 times slower on LUDB.
    """
    words = np.fromfile(path, dtype="<u2").tolist()
    samples: list[int] = []
    codes: list[int] = []
    time, k = 0, 0
    while k < len(words) and words[k] != 0:  # a zero word ends the file
        code, value = words[k] >> 10, words[k] & 0x3FF
        if code == 59:  # SKIP: a 32-bit interval follows, high word first
            if k + 2 >= len(words):
                raise ValueError(
                    f"annotation file {str(path)!r} ends inside an annotation (truncated?); "
                    "download it again"
                )
            interval = (words[k + 1] << 16) | words[k + 2]
            time += interval - (1 << 32) if interval >= 1 << 31 else interval
            k += 3
        elif code == 63:  # AUX: ``value`` bytes of text, padded to an even count
            k += 1 + (value + 1) // 2
        elif code >= 60:  # NUM, SUB, CHN of the previous annotation
            k += 1
        else:
            time += value
            samples.append(time)
            codes.append(code)
            k += 1
    return np.asarray(samples, dtype=np.int64), np.asarray(codes, dtype=np.int64)


# -- PTB-XL -----------------------------------------------------------------------------
_PTBXL = _Source("PTB-XL 1.0.3", "ptb-xl", "1.0.3", ("ptbxl_database.csv", "scp_statements.csv"))
_PTBXL_SUPERCLASSES = ("NORM", "MI", "STTC", "CD", "HYP")


def load_ptbxl(
    path: str | os.PathLike[str] | None = None,
    *,
    n: int | None = None,
    sampling_rate: int = 500,
    records: Iterable[int] | None = None,
    progress: bool = True,
) -> Dataset:
    """Load PTB-XL 1.0.3: 21,799 clinical 12-lead ECGs of 10 s with SCP-ECG statements.

    Parameters
    ----------
    path : str or path-like, optional
        Folder of a PTB-XL copy as laid out on PhysioNet (``ptbxl_database.csv``,
        ``scp_statements.csv``, ``records500/00000/00001_hr.hea``, ...,
        ``records100/..._lr``). Default: the shared copy (:func:`data_dir`
        ``/ "ptb-xl"``) when it holds the records asked for, else the download cache
        (:func:`cache_dir`), where the two tables and the missing records are
        downloaded from PhysioNet.
    n : int, optional
        Load the first ``n`` records (by ``ecg_id``); of a local copy, the first ``n``
        it holds. Default: all (about 10 GB in memory at 500 Hz, 2 GB at 100 Hz).
    sampling_rate : {500, 100}
        Which version of the signals to load, in Hz.
    records : iterable of int, optional
        ``ecg_id`` values to load, in this order (instead of ``n``).
    progress : bool
        Show progress bars while downloading and reading.

    Returns
    -------
    Dataset
        ``ecg``: batch ``(n_records, 12, 10 * sampling_rate)`` in mV. ``meta``: the
        columns of ``ptbxl_database.csv`` indexed by ``record`` (the ``ecg_id``), with
        ``sex`` as ``"M"``/``"F"``, ``age`` in years (NaN above 89, with
        ``age_over_89``), ``scp_codes`` parsed into a dict (statement: likelihood in %),
        ``diagnostic_superclass`` (tuple of NORM, MI, STTC, CD, HYP) and one boolean
        column per superclass. ``annotations``: None.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a PTB-XL copy with these records, or no copy is found and the
        download fails (offline); the message says where to get the data.
    ValueError
        For a sampling rate other than 100 or 500 Hz, ``n`` < 1, both ``n`` and
        ``records``, or ids that PTB-XL does not have.

    Notes
    -----
    The diagnostic superclasses follow the PTB-XL authors' example code: every
    statement of ``scp_codes`` that ``scp_statements.csv`` marks as diagnostic
    contributes its ``diagnostic_class``, whatever its likelihood. Downloads use
    PhysioNet's current version of the database.

    References
    ----------
    Wagner P. et al., "PTB-XL, a large publicly available electrocardiography dataset",
    Sci Data 7, 154 (2020), doi:10.1038/s41597-020-0495-6. Licence CC-BY 4.0.

    Examples
    --------
    >>> from ecgtoolkit.datasets import load_ptbxl
    >>> ptbxl = load_ptbxl(n=10, progress=False)  # doctest: +SKIP
    >>> ptbxl.ecg  # doctest: +SKIP
    <ECG batch | 10 records × 12 leads × 5000 samples (10 s at 500 Hz), mV>
    >>> ptbxl.meta.loc[1, "diagnostic_superclass"]  # doctest: +SKIP
    ('NORM',)
    """
    if sampling_rate not in (100, 500):
        raise ValueError(f"sampling_rate must be 500 or 100 (Hz), got {sampling_rate!r}")
    if n is not None and records is not None:
        raise ValueError("pass either n (the first n records) or records (their ids), not both")
    if n is not None and (not isinstance(n, (int, np.integer)) or n < 1):
        raise ValueError(f"n must be a positive number of records, got {n!r}")
    ids = _record_ids(records)
    column = "filename_hr" if sampling_rate == 500 else "filename_lr"

    def listing(folder: Path) -> dict[str, str]:
        import pandas as pd

        table = pd.read_csv(folder / "ptbxl_database.csv", usecols=["ecg_id", column])
        return dict(zip(table["ecg_id"].astype(str), table[column], strict=True))

    folder, chosen = _database_records(_PTBXL, path, ids, n, listing, (".hea", ".dat"), progress)
    record_ids = [int(i) for i in chosen]
    ecg = _read_batch(folder, chosen, _PTBXL.name, record_ids, progress)
    return Dataset(ecg, _ptbxl_meta(folder).loc[record_ids], None, _PTBXL.name, folder)


def _ptbxl_meta(folder: Path) -> pd.DataFrame:
    import ast

    import pandas as pd

    table = pd.read_csv(folder / "ptbxl_database.csv", index_col="ecg_id")
    table.index = table.index.astype(int).rename("record")
    statements = pd.read_csv(folder / "scp_statements.csv", index_col=0)
    diagnostic = statements[statements["diagnostic"] == 1]["diagnostic_class"].to_dict()
    table["sex"] = [{0: "M", 1: "F"}.get(v) for v in table["sex"]]
    ages = _age_columns(table["age"])
    table["age"] = ages["age"]
    table.insert(table.columns.get_loc("age") + 1, "age_over_89", ages["age_over_89"])
    table["scp_codes"] = [ast.literal_eval(codes) for codes in table["scp_codes"]]
    table["diagnostic_superclass"] = [
        tuple(c for c in _PTBXL_SUPERCLASSES if c in {diagnostic.get(s) for s in codes})
        for codes in table["scp_codes"]
    ]
    for superclass in _PTBXL_SUPERCLASSES:
        table[superclass] = [superclass in s for s in table["diagnostic_superclass"]]
    return table


# -- PhysioNet/CinC Challenge 2021 ------------------------------------------------------
_CINC2021 = _Source(
    "PhysioNet/CinC Challenge 2021",
    "cinc2021",
    "1.0.3",
    (),
    downloadable=False,
    url="https://physionet.org/content/challenge-2021/1.0.3/",
)

#: Names of common SNOMED-CT codes of the Challenge's ``# Dx:`` lines (from its scored
#: diagnoses table); other codes are kept as codes.
CINC2021_DIAGNOSES: dict[str, str] = {
    "426783006": "sinus rhythm",
    "426177001": "sinus bradycardia",
    "427084000": "sinus tachycardia",
    "427393009": "sinus arrhythmia",
    "164889003": "atrial fibrillation",
    "164890007": "atrial flutter",
    "284470004": "premature atrial contraction",
    "164934002": "T-wave abnormal",
    "59118001": "right bundle branch block",
    "164909002": "left bundle branch block",
    "270492004": "first-degree AV block",
    "39732003": "left axis deviation",
    "47665007": "right axis deviation",
}


def _cinc_listing(folder: Path) -> dict[str, str]:
    headers = sorted(folder.rglob("*.hea"), key=lambda p: (p.stem, str(p)))
    return {h.stem: str(h.relative_to(folder).with_suffix("")) for h in headers}


def load_cinc2021(
    path: str | os.PathLike[str] | None = None,
    *,
    records: Iterable[str] | None = None,
    normal_only: bool = False,
    progress: bool = True,
) -> Dataset:
    """Load records of the PhysioNet/CinC Challenge 2021 (WFDB headers with ``.mat`` signals).

    Parameters
    ----------
    path : str or path-like, optional
        Folder holding the records (``E07500.hea`` + ``E07500.mat``, ...; subfolders
        are searched). Default: the shared copy (:func:`data_dir` ``/ "cinc2021"``).
        There is no automatic download: the Challenge data come as large archives.
    records : iterable of str, optional
        Record names (``"E07500"``), in this order. Default: all, sorted by name.
    normal_only : bool
        Keep only the records whose sole diagnosis is sinus rhythm (426783006).
    progress : bool
        Show a progress bar while reading.

    Returns
    -------
    Dataset
        ``ecg``: batch in mV (all records must share leads, length and rate).
        ``meta``: indexed by ``record`` (the name): ``age`` (years), ``sex``
        (``"M"``/``"F"``), ``dx_codes`` (tuple of SNOMED-CT codes, as in the header),
        ``dx`` (the same, named where :data:`CINC2021_DIAGNOSES` knows the code) and one
        boolean column per named diagnosis (``sinus_rhythm``, ``atrial_fibrillation``,
        ...). ``annotations``: None.

    Raises
    ------
    FileNotFoundError
        If no folder with these records is found; the message says where to get them.
    ValueError
        If ``normal_only`` leaves no record, or the records differ in shape.

    References
    ----------
    Reyna M.A. et al., "Will Two Do? Varying Dimensions in Electrocardiography: the
    PhysioNet/CinC Challenge 2021", Computing in Cardiology 48 (2021),
    doi:10.23919/CinC53138.2021.9662687. Licence CC-BY 4.0.

    Examples
    --------
    >>> from ecgtoolkit.datasets import load_cinc2021
    >>> cinc = load_cinc2021(records=["E07500"], progress=False)  # doctest: +SKIP
    >>> cinc.meta.loc["E07500", "dx"]  # doctest: +SKIP
    ('67741000119109', 'sinus bradycardia')
    """
    import pandas as pd

    ids = _record_ids(records)
    folder, chosen = _database_records(
        _CINC2021, path, ids, None, _cinc_listing, (".hea", ".mat"), progress
    )
    rows = {}
    for record_id, record in chosen.items():
        fields = _header_comments(folder / (record + ".hea"))
        codes = tuple(c.strip() for c in fields.get("dx", "").split(",") if c.strip())
        rows[record_id] = {
            "age": fields.get("age", ""),
            "sex": fields.get("sex", ""),
            "dx_codes": codes,
            "dx": tuple(CINC2021_DIAGNOSES.get(c, c) for c in codes),
        }
    meta = pd.DataFrame.from_dict(rows, orient="index")
    meta.index.name = "record"
    meta["sex"] = _sex(meta["sex"])
    meta["age"] = pd.to_numeric(meta["age"], errors="coerce").astype(float)
    for code, name in CINC2021_DIAGNOSES.items():
        column = re.sub(r"\W+", "_", name.lower()).strip("_")
        meta[column] = [code in codes for codes in meta["dx_codes"]]
    if normal_only:
        meta = meta[[codes == ("426783006",) for codes in meta["dx_codes"]]]
        if meta.empty:
            raise ValueError(
                f"none of the {len(chosen)} records has sinus rhythm as its only diagnosis"
            )
        chosen = {i: chosen[i] for i in meta.index}
    ecg = _read_batch(folder, chosen, _CINC2021.name, list(chosen), progress)
    return Dataset(ecg, meta, None, _CINC2021.name, folder)
