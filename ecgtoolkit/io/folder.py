"""A folder of record files, one record per file: which files are records, read lazily.

The one lister of record folders: :func:`ecgtoolkit.measure_source`, the demo's real
records and :class:`FolderSource` all see the same records in the same order.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from ..core.display import format_count, summary_html
from ..core.ecg import ECG

__all__ = ["RECORD_SUFFIXES", "FolderSource", "list_records", "natural_key"]

#: Suffixes of files that hold one record each (WFDB records are found by their ``.hea``).
RECORD_SUFFIXES = (".hea", ".csv", ".asc", ".npy", ".npz", ".mat", ".xml")


def natural_key(name: Any) -> tuple:
    """Sort key that puts ``"2.hea"`` before ``"10.hea"`` (numbers compared as numbers).

    Examples
    --------
    >>> sorted(["10.hea", "2.hea", "a.csv"], key=natural_key)
    ['2.hea', '10.hea', 'a.csv']
    """
    if isinstance(name, (int, np.integer)):
        return ("", int(name))
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name)))


def list_records(folder: str | os.PathLike[str]) -> list[str]:
    """The record files of a folder, in natural order.

    Records are the files with a suffix in :data:`RECORD_SUFFIXES` (any case): a WFDB
    record by its ``.hea`` (a ``.mat`` beside a ``.hea`` of the same name belongs to it,
    as in PhysioNet/CinC 2021), ``.csv``, ``.asc``, ``.npy``, ``.npz``, CPSC ``.mat`` and
    GE MUSE ``.xml`` files. Hidden files (an interrupted write's leftovers), subfolders
    and other files (``manifest.json``, ``.dat``, annotations) are not records.

    Parameters
    ----------
    folder : path
        The folder.

    Returns
    -------
    list of str
        File names (``"2.hea"``, ``"10.hea"``, ``"a.xml"``).

    Raises
    ------
    FileNotFoundError
        If ``folder`` is not a folder.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("10.hea", "10.dat", "2.hea", "2.mat", "b.xml", "manifest.json"):
    ...     (folder / name).touch()
    >>> list_records(folder)
    ['2.hea', '10.hea', 'b.xml']
    """
    path = Path(folder)
    if not path.is_dir():
        raise FileNotFoundError(f"{str(path)!r} is not a folder of record files")
    names = {p.name for p in path.iterdir() if p.is_file() and not p.name.startswith(".")}
    stems_with_header = {n[: -len(".hea")] for n in names if n.lower().endswith(".hea")}
    files = [
        n
        for n in names
        if n.lower().endswith(RECORD_SUFFIXES)
        and not (n.lower().endswith(".mat") and n[: -len(".mat")] in stems_with_header)
    ]
    return sorted(files, key=natural_key)


class FolderSource:
    """A folder of record files, one record per file, read lazily.

    Parameters
    ----------
    folder : path
        The folder; its records are those of :func:`list_records`, their record ids
        the file names.

    Raises
    ------
    FileNotFoundError
        If ``folder`` is not a folder.
    ValueError
        If it holds no record file.

    Notes
    -----
    ``fs`` and ``leads`` for files that do not store them (``.npy``) come from the
    folder's ``manifest.json`` (written by :func:`ecgtoolkit.generate_to`), as
    :func:`ecgtoolkit.read` finds them. Indexing with a slice reads those files as one
    batch; :func:`ecgtoolkit.measure_source` reads them file by file instead, so that
    one bad file gives one error row.

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
        self.folder = Path(folder)
        self.record_ids: list[str] = list_records(self.folder)
        if not self.record_ids:
            raise ValueError(
                f"{str(self.folder)!r} holds no record files "
                f"(suffixes {', '.join(RECORD_SUFFIXES)})"
            )

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
        from . import read

        return read(self.folder / name)

    def __repr__(self) -> str:
        return f"<FolderSource {str(self.folder)!r} | {format_count(len(self))} records>"

    def _repr_html_(self) -> str:
        """A Jupyter display: the folder, its records by format, first and last ids.

        Nothing is read but the folder's listing.
        """
        kinds = Counter(
            _FORMATS.get(Path(n).suffix.lower(), Path(n).suffix) for n in self.record_ids
        )
        ids = self.record_ids
        shown = ", ".join(ids) if len(ids) <= 4 else f"{ids[0]}, {ids[1]}, … {ids[-1]}"
        rows = [
            ("folder", str(self.folder)),
            ("records", format_count(len(self))),
            ("formats", ", ".join(f"{k} {format_count(v)}" for k, v in kinds.most_common())),
            ("record ids", shown),
        ]
        if (self.folder / "manifest.json").is_file():
            rows.append(("manifest", "manifest.json (fs and leads of files that lack them)"))
        return summary_html(f"FolderSource {self.folder.name}", rows)


#: How each record suffix reads in a folder's display.
_FORMATS = {
    ".hea": "WFDB",
    ".csv": "CSV",
    ".asc": "ASCII",
    ".npy": "NumPy .npy",
    ".npz": "NumPy .npz",
    ".mat": "MATLAB .mat",
    ".xml": "GE MUSE XML",
}
