"""Records of PhysioNet databases: a local copy, or the records asked for downloaded.

Each loader (:func:`~ecgtoolkit.load_ludb`, :func:`~ecgtoolkit.load_ptbxl`,
:func:`~ecgtoolkit.load_cinc2021`) returns a :class:`Database`: the records as one
:class:`~ecgtoolkit.ECG` batch in mV, a metadata table with one row per record
(demographics and diagnoses as tidy columns) and, where the database has them, the
experts' wave annotations.

Where the data come from, in this order:

1. the folder passed as ``path`` (and nothing else: a folder named explicitly is never
   replaced by a download);
2. the shared copy under :func:`~ecgtoolkit.databases.data_dir` (``$ECGTOOLKIT_DATA`` or
   ``../shared/data``), when it holds the records asked for;
3. the download cache under :func:`~ecgtoolkit.databases.cache_dir`
   (``$ECGTOOLKIT_CACHE`` or ``~/.cache/ecgtoolkit``): what is missing there is
   downloaded from PhysioNet with ``wfdb`` (only the records asked for), into a staging
   folder first, so that an interrupted download never leaves a half-written file among
   the records.

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

from ..core.display import format_count, summary_html
from ..core.ecg import ECG
from ..core.progress import progress_bar
from ..io import read
from .paths import CACHE_ENV, DATA_ENV, cache_dir, data_dir

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Database"]


# -- the result -------------------------------------------------------------------------
@dataclass(frozen=True, repr=False, eq=False)
class Database:
    """Records of one database with their metadata and expert annotations.

    Attributes
    ----------
    ecg : ECG
        The records as one batch ``(n_records, n_leads, n_samples)`` in mV;
        ``ecg.meta["record_ids"]`` holds the record ids in batch order.
    meta : pandas.DataFrame
        One row per record, in batch order, indexed by ``record_id`` (the database's own
        record id): demographics (``age`` in years, ``sex`` ``"M"``/``"F"``) and the
        database's diagnoses as tidy columns.
    annotations : pandas.DataFrame or None
        Expert wave annotations, one row per wave: ``record_id, lead, wave`` (``"P"``,
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
            f"<Database {self.name} | {len(self)} records × {self.ecg.n_leads} leads × "
            f"{self.ecg.n_samples} samples ({self.ecg.duration_s:g} s at {self.ecg.fs:g} Hz); "
            f"meta: {self.meta.shape[1]} columns; {notes}>"
        )

    def _repr_html_(self) -> str:
        """A Jupyter display: the records' shape, who they are, and what is annotated."""
        ecg, meta = self.ecg, self.meta
        rows = [
            ("records", format_count(len(self))),
            ("leads", f"{ecg.n_leads}: {', '.join(ecg.leads)}"),
            ("duration", f"{ecg.duration_s:g} s ({format_count(ecg.n_samples)} samples)"),
            ("sampling rate", f"{ecg.fs:g} Hz"),
            ("units", ecg.units),
        ]
        if "sex" in meta:
            sexes = meta["sex"].value_counts()
            text = ", ".join(f"{k} {format_count(v)}" for k, v in sexes.items())
            unknown = len(meta) - int(sexes.sum())
            rows.append(("sex", text + (f", unknown {format_count(unknown)}" if unknown else "")))
        if "age" in meta:
            rows.append(("age", _age_text(meta)))
        columns = [str(c) for c in meta.columns]
        shown = ", ".join(columns[:_COLUMNS_SHOWN])
        more = f", … ({len(columns)} in all)" if len(columns) > _COLUMNS_SHOWN else ""
        rows.append(("metadata columns", shown + more if columns else "none"))
        annotated = "none"
        if self.annotations is not None:
            waves = (
                self.annotations["wave"].value_counts(sort=False)
                if "wave" in self.annotations
                else {}
            )
            parts = ", ".join(f"{k} {format_count(v)}" for k, v in dict(waves).items())
            annotated = f"{format_count(len(self.annotations))} waves" + (
                f" ({parts})" if parts else ""
            )
        rows.append(("expert annotations", annotated))
        if self.path is not None:
            rows.append(("read from", str(self.path)))
        return summary_html(f"Database {self.name}", rows)


#: Metadata columns named in a Database's display before "… (n in all)".
_COLUMNS_SHOWN = 12


def _age_text(meta: pd.DataFrame) -> str:
    """``"median 58 years (46–70); 3 over 89; 2 unknown"``."""
    ages = meta["age"].to_numpy(dtype=float)
    known = ages[np.isfinite(ages)]
    over = int(meta["age_over_89"].sum()) if "age_over_89" in meta else 0
    parts = []
    if known.size:
        q1, median, q3 = np.percentile(known, [25.0, 50.0, 75.0])
        parts.append(f"median {median:.0f} years ({q1:.0f}–{q3:.0f})")
    if over:
        parts.append(f"{format_count(over)} over 89")
    unknown = ages.size - known.size - over
    if unknown:
        parts.append(f"{format_count(unknown)} unknown")
    return "; ".join(parts) or "unknown"


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
            f"Get it from {source.page} and pass its folder as path=, or set {DATA_ENV} to "
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
            f"Download it from that page and pass its folder as path=, or set {DATA_ENV} to "
            f"a folder that holds {source.slug}/ ({CACHE_ENV} chooses where downloads go)"
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

    staging = cache / ".download"
    staging.mkdir(parents=True, exist_ok=True)
    try:
        if files:
            with contextlib.redirect_stdout(io.StringIO()):  # wfdb prints every file name
                wfdb.dl_files(source.slug, str(staging), list(files))
            _move_into(staging, cache, files)
        with progress_bar(
            total=len(records), desc=f"downloading {source.name}", enabled=progress
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
    signal: np.ndarray | None = None
    first: ECG | None = None
    ids = list(records)
    for k, record_id in enumerate(progress_bar(ids, desc=f"reading {name}", enabled=progress)):
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
