"""Check a generated dataset against the checksums recorded when it was written.

:func:`verify` takes a Zarr store or a folder dataset and names every record that is
missing, damaged or not generated yet, with the command that repairs them: the same
generate command (``--resume`` for a folder), which rewrites exactly those records.
"""

from __future__ import annotations

import os
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..core.display import format_count, summary_html, wrap
from .folder import MANIFEST, check_records
from .integrity import CHECKSUMS
from .manifest import Manifest
from .zarr_reader import ECGStore, chunk_problems

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Verification", "verify"]


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` found.

    Attributes
    ----------
    path : pathlib.Path
        The dataset.
    kind : {"store", "folder"}
        A Zarr store or a folder of record files.
    n_records : int
        Records the dataset's manifest lists.
    problems : pandas.DataFrame
        One row per record that is not intact, indexed by ``record_id``: ``file`` (the
        file or chunk, relative to ``path``) and ``problem`` (what is wrong). Empty when
        every record is intact.
    repair_command : str
        The command line that rewrites exactly the records in ``problems``.
    seconds : float
        How long the check took.
    notes : tuple of str
        Other findings that lose no record (e.g. a damaged array of record ids, which
        follows from the manifest and is rewritten by the next run).

    Examples
    --------
    >>> import tempfile, ecgtoolkit as et
    >>> folder = et.generate_to(tempfile.mkdtemp(), 2, seed=1, progress=False)
    >>> result = et.verify(folder, progress=False)
    >>> result.ok, len(result.problems)
    (True, 0)
    """

    path: Path
    kind: str
    n_records: int
    problems: pd.DataFrame
    repair_command: str
    seconds: float
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether every record is there and matches its checksum."""
        return self.problems.empty

    @property
    def record_ids(self) -> list:
        """The ids of the records that are not intact."""
        return self.problems.index.tolist()

    @property
    def _verdict(self) -> str:
        if self.ok:
            return "all records intact"
        return f"{format_count(len(self.problems))} record(s) missing or damaged"

    @property
    def _timing(self) -> str:
        """``"0.02 s (300 records/s)"``."""
        text = f"{self.seconds:.2f} s"
        if self.seconds > 0:
            text += f" ({format_count(self.n_records / self.seconds)} records/s)"
        return text

    def summary(self) -> str:
        """A few lines for people: the verdict, the first problems, the repair command.

        Lines are wrapped at word boundaries to 88 characters, except the repair
        command, which stays on one line so that it can be copied into a shell whole.
        """
        head = (
            f"{self.path} ({self.kind}, {format_count(self.n_records)} records, checked in "
            f"{self._timing}): {self._verdict}"
        )
        lines = [wrap(head)]
        if not self.ok:
            runs = _runs(self.problems)
            lines += [wrap(f"  {run}") for run in runs[:_RUNS_SHOWN]]
            if len(runs) > _RUNS_SHOWN:
                lines.append(f"  … and {format_count(len(runs) - _RUNS_SHOWN)} more")
            lines.append(f"repair (rewrites only these records): {self.repair_command}")
        lines += [wrap(f"note: {note}") for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        state = "intact" if self.ok else self._verdict
        return (
            f"<Verification of {self.path} | {self.kind}, "
            f"{format_count(self.n_records)} records: {state}>"
        )

    def _repr_html_(self) -> str:
        """A Jupyter display: the verdict, the first problems and the repair command."""
        rows = [
            ("dataset", str(self.path)),
            ("kind", "Zarr store" if self.kind == "store" else "folder of record files"),
            ("records", format_count(self.n_records)),
            ("verdict", self._verdict),
            ("checked in", self._timing),
        ]
        paragraphs: list[str] = []
        if not self.ok:
            runs = _runs(self.problems)
            paragraphs += runs[:_RUNS_SHOWN]
            if len(runs) > _RUNS_SHOWN:
                paragraphs.append(f"… and {format_count(len(runs) - _RUNS_SHOWN)} more")
            rows.append(("repair", self.repair_command))
        return summary_html(
            f"Verification of {self.path.name}", rows, paragraphs=paragraphs, notes=self.notes
        )


#: Lines of problems a summary shows before "… and n more".
_RUNS_SHOWN = 10


def _runs(problems: pd.DataFrame) -> list[str]:
    """Lines of consecutive records with the same file and problem (a store's chunk)."""
    lines: list[str] = []
    run: list = []
    for record_id, file, problem in zip(
        problems.index, problems["file"], problems["problem"], strict=True
    ):
        if run and [file, problem] == run[2:] and record_id == run[1] + 1:
            run[1] = record_id
            continue
        if run:
            lines.append(_run_line(*run))
        run = [record_id, record_id, file, problem]
    if run:
        lines.append(_run_line(*run))
    return lines


def _run_line(first: int, last: int, file: str, problem: str) -> str:
    which = f"record {first}" if first == last else f"records {first}–{last}"
    return f"{which}: {file}: {problem}"


def verify(path: str | os.PathLike, *, progress: bool = True) -> Verification:
    """Check every record of a generated dataset against its recorded checksums.

    A Zarr store's chunks end with a CRC-32C written with them; a folder's record files
    have their CRC-32C in ``checksums.crc32c`` (see :mod:`ecgtoolkit.store.integrity`).
    Every record is read once; nothing is written.

    Parameters
    ----------
    path : path
        A store written by :func:`ecgtoolkit.generate_store` or a folder written by
        :func:`ecgtoolkit.generate_to`.
    progress : bool
        Show a progress bar.

    Returns
    -------
    Verification
        ``.ok``, the ``problems`` table (one row per record not intact), the command
        that repairs them, and ``.summary()``.

    Raises
    ------
    FileNotFoundError
        If there is nothing at ``path``.
    ValueError
        If ``path`` is not a dataset written by ecgtoolkit (no ``zarr.json`` and no
        ``manifest.json``), or its manifest cannot be read.
    ecgtoolkit.store.DamagedRecordError
        If a store's metadata is damaged (its settings are lost).

    Examples
    --------
    >>> import os, tempfile, ecgtoolkit as et
    >>> folder = et.generate_to(tempfile.mkdtemp(), 3, seed=1, progress=False)
    >>> os.remove(folder / "1.dat")
    >>> result = et.verify(folder, progress=False)
    >>> result.problems[["file", "problem"]].to_dict("index")
    {1: {'file': '1.dat', 'problem': 'missing'}}
    >>> result.repair_command.endswith("--resume")
    True
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"nothing to verify at {path}")
    start = time.perf_counter()
    if (path / "zarr.json").is_file():
        return _verify_store(path, progress, start)
    if path.is_dir() and (path / MANIFEST).is_file():
        return _verify_folder(path, progress, start)
    raise ValueError(
        f"{path} is not a dataset written by ecgtoolkit (it has neither zarr.json nor "
        f"{MANIFEST}), so there are no checksums to verify it against"
    )


def _table(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    import pandas as pd

    table = pd.DataFrame(rows, columns=["record_id", "file", "problem"])
    return table.set_index("record_id").sort_index()


def _verify_store(path: Path, progress: bool, start: float) -> Verification:
    store = ECGStore(path, allow_incomplete=True)
    done = np.flatnonzero(store._done).tolist()
    problems = chunk_problems(path, store._signals, done, progress=progress)
    rows = []
    for k in range(len(store._done)):
        if k in problems or not store._done[k]:
            why = problems.get(k, "not generated yet (the generation was interrupted)")
            file = str(store.chunk_file(k).relative_to(path))
            rows += [
                (int(store.manifest.first_id + r), file, f"chunk {k}: {why}")
                for r in store.chunk_records(k)
            ]
    notes = []
    first, count = store.manifest.first_id, store.manifest.count
    if not np.array_equal(store.record_ids, np.arange(first, first + count)):
        notes.append("the array of record ids is damaged; the ids follow from the manifest")
    return Verification(
        path=path,
        kind="store",
        n_records=len(store),
        problems=_table(rows),
        repair_command=store.finish_command,
        seconds=time.perf_counter() - start,
        notes=tuple(notes),
    )


def _verify_folder(path: Path, progress: bool, start: float) -> Verification:
    manifest = Manifest.read(path / MANIFEST)
    assert manifest is not None
    notes = []
    if not (path / CHECKSUMS).is_file():
        notes.append(
            f"no {CHECKSUMS}: this folder was written before ecgtoolkit kept checksums; "
            "its records cannot be verified (the repair command rewrites them all)"
        )
    problems = check_records(path, manifest, progress=progress)
    rows = [(i, file, why) for i, (file, why) in problems.items()]
    leads = "" if len(manifest.leads) == 12 or manifest.format == "asc" else " --n-leads 8"
    command = (
        f"ecgtoolkit generate -n {manifest.count} -o {shlex.quote(str(path))} --format "
        f"{manifest.format} --seed {manifest.seed}{leads} --batch-size {manifest.batch_size}"
        f"{'' if manifest.first_id == 0 else f' --start-id {manifest.first_id}'} --resume"
    )
    return Verification(
        path=path,
        kind="folder",
        n_records=manifest.count,
        problems=_table(rows),
        repair_command=command,
        seconds=time.perf_counter() - start,
        notes=tuple(notes),
    )
