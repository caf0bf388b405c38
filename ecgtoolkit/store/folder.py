"""Generate DeepFake ECGs into a folder of record files, one file set per record.

The folder's ``manifest.json`` (:class:`~ecgtoolkit.store.Manifest`) is written once,
when the dataset starts, and every later call is checked against it.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .. import io
from ..core import validation
from ..core.progress import progress_bar
from ..generators.generate import GeneratorSettings, check_n_leads, generate_records
from ..io import FORMATS
from .manifest import Manifest
from .writers import write_behind, writer_threads

__all__ = ["MANIFEST", "generate_to"]

#: The file name of a folder dataset's manifest.
MANIFEST = "manifest.json"


def generate_to(
    out: str | os.PathLike,
    n: int,
    *,
    format: str = "wfdb",
    seed: int | None = None,
    start_id: int = 0,
    n_leads: int = 12,
    device: str = "auto",
    batch_size: int | None = None,
    overwrite: bool = False,
    resume: bool = False,
    progress: bool = True,
) -> Path:
    """Generate ECGs straight to files, in chunks, with bounded memory.

    Records get ids ``start_id … start_id + n − 1`` and file names ``<id>.<suffix>``
    (as the published package names them). Each file is written under a temporary
    name and renamed when complete, so an interrupted run leaves no partial record;
    ``resume=True`` then skips the ids already written. A ``manifest.json``
    (:class:`ecgtoolkit.store.Manifest`), written once when the dataset starts,
    records the seed, format, leads, batch size, id range, sampling rate and
    ecgtoolkit version, so that readers know fs and leads (for ``.npy``) and a resumed
    run is checked to continue the same dataset.

    Parameters
    ----------
    out : path
        Output folder, created if missing.
    n : int
        Number of ECGs.
    format : {"wfdb", "csv", "asc", "npy", "npz"}
        File format (see :func:`ecgtoolkit.write`). ``"asc"`` is the published
        package's format: integer µV, 8 columns, so it implies ``n_leads=8``.
    seed : int, optional
        Noise seed; None draws one (or, with ``resume``, reuses the manifest's).
    start_id : int
        First record id.
    n_leads : {12, 8}
        Leads to write (see :func:`ecgtoolkit.generate`).
    device, batch_size
        As in :func:`generate`.
    overwrite : bool
        Replace the dataset in the folder: the records its manifest lists are
        removed, then this one is written. Without a manifest, replace the files of
        these ids.
    resume : bool
        Continue the dataset of the folder's manifest: seed and batch size come from
        it when not given, and seed, format, leads, batch size, first id and version
        must match it. Records of the manifest's ids whose last file (e.g. ``.hea``)
        exists are kept; leftovers of interrupted writes (the toolkit's own
        ``.<id>.<suffix>.tmp-<pid>-<thread>`` files) are removed and unfinished records
        rewritten. A larger ``n`` extends the dataset (its manifest's count grows).
    progress : bool
        Show a progress bar.

    Returns
    -------
    pathlib.Path
        The output folder.

    Raises
    ------
    FileExistsError
        If files of these ids or another dataset's manifest are in the way and
        neither ``overwrite`` nor ``resume`` is given. Nothing is written then.
    ValueError
        For bad arguments; ``resume`` with settings that differ from the manifest's
        (the message names them), or into a non-empty folder without a manifest.

    Examples
    --------
    >>> import tempfile, ecgtoolkit as et
    >>> folder = et.generate_to(tempfile.mkdtemp(), 3, seed=1, progress=False)
    >>> sorted(p.name for p in folder.iterdir())[:3]
    ['0.dat', '0.hea', '1.dat']
    """
    n = validation.count(n)
    format, n_leads, start_id = _check_file_arguments(format, n_leads, start_id, overwrite, resume)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} exists and is not a folder")
    old = Manifest.read(folder / MANIFEST)
    if resume:
        manifest, todo, settings = _plan_resume(
            folder, old, n, format, start_id, seed=seed, n_leads=n_leads, device=device,
            batch_size=batch_size,
        )  # fmt: skip
    else:
        settings = GeneratorSettings.resolve(
            seed=seed, n_leads=n_leads, device=device, batch_size=batch_size
        )
        manifest = Manifest.for_run(settings, format=format, first_id=start_id, count=n)
        _check_fresh_start(folder, old, manifest, overwrite)
        todo = np.arange(start_id, start_id + n, dtype=np.int64)
    folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"cannot write to {folder}")
    if overwrite and old is not None:
        _remove_dataset(folder, old)
    if manifest != old:
        manifest.write(folder / MANIFEST, overwrite=resume)
    _write_records(
        folder, todo, manifest, settings, overwrite=overwrite or resume, progress=progress
    )
    return folder


def _check_file_arguments(
    format: Any, n_leads: Any, start_id: Any, overwrite: bool, resume: bool
) -> tuple[str, int, int]:
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    n_leads = check_n_leads(n_leads)
    if format == "asc":
        n_leads = 8  # the published format has exactly the 8 generated leads
    if overwrite and resume:
        raise ValueError("overwrite=True and resume=True contradict each other; pick one")
    return format, n_leads, validation.record_id(start_id)


def _check_fresh_start(
    folder: Path, old: Manifest | None, manifest: Manifest, overwrite: bool
) -> None:
    """Refuse a new dataset where another one (or files of these ids) would be mixed in."""
    if overwrite:
        return
    if old is not None:
        differ = old.mismatch(manifest, where="folder")
        raise FileExistsError(
            f"{folder} already holds a dataset (ids {old.first_id}–{old.first_id + old.count - 1}"
            f"{'; ' + differ if differ else ''}); pass resume=True (--resume) to continue it, "
            "overwrite=True (--overwrite) to replace it, or use a new folder"
        )
    existing = set(os.listdir(folder)) if folder.is_dir() else set()
    in_the_way = [
        f"{i}{sfx}" for i in manifest.record_ids for sfx in FORMATS[manifest.format]
        if f"{i}{sfx}" in existing
    ]  # fmt: skip
    if in_the_way:
        raise FileExistsError(
            f"{len(in_the_way)} file(s) already exist in {folder} (first: {in_the_way[0]}); "
            "pass overwrite=True (--overwrite) to replace them or resume=True to skip them"
        )


def _plan_resume(
    folder: Path, old: Manifest | None, n: int, format: str, start_id: int, *,
    seed: int | None, n_leads: int, device: str, batch_size: int | None,
) -> tuple[Manifest, np.ndarray, GeneratorSettings]:  # fmt: skip
    """The manifest to continue (checked against ``old``), the ids left, the run's settings."""
    suffixes = FORMATS[format]
    if old is None:
        if seed is None:
            raise ValueError("resume needs the seed of the first run (no manifest.json found)")
        if folder.is_dir() and any(not _is_leftover(name, suffixes) for name in os.listdir(folder)):
            raise ValueError(
                f"cannot resume: {folder} holds files but no {MANIFEST}, so they are not a "
                "dataset written by ecgtoolkit; use a new (or empty) folder"
            )
        settings = GeneratorSettings.resolve(
            seed=seed, n_leads=n_leads, device=device, batch_size=batch_size
        )
        manifest = Manifest.for_run(settings, format=format, first_id=start_id, count=n)
        return manifest, np.arange(start_id, start_id + n, dtype=np.int64), settings
    settings = GeneratorSettings.resolve(
        seed=old.seed if seed is None else seed,
        n_leads=n_leads,
        device=device,
        batch_size=old.batch_size if batch_size is None else batch_size,
    )
    asked = Manifest.for_run(settings, format=format, first_id=start_id, count=old.count)
    differ = old.mismatch(asked, where="folder")
    if differ:
        raise ValueError(f"cannot resume: {differ}; use the same settings or a new folder")
    _remove_leftovers(folder, suffixes)
    existing = set(os.listdir(folder))
    ids = np.arange(start_id, start_id + n, dtype=np.int64)
    listed = ids < old.first_id + old.count
    done = listed & np.array([f"{i}{suffixes[-1]}" in existing for i in ids.tolist()], bool)
    foreign = [
        f"{i}{sfx}" for i in ids[~listed].tolist() for sfx in suffixes if f"{i}{sfx}" in existing
    ]
    if foreign:
        raise FileExistsError(
            f"{len(foreign)} file(s) in {folder} (first: {foreign[0]}) have the names of "
            f"records beyond the {old.count} its {MANIFEST} lists, so they were not written "
            "by this dataset; move them away before extending it"
        )
    manifest = old if n <= old.count else replace(old, count=n)
    return manifest, ids[~done], settings


def _is_leftover(name: str, suffixes: tuple[str, ...]) -> bool:
    """Whether ``name`` is a temporary file of an interrupted ecgtoolkit write."""
    pattern = rf"\.(\d+({'|'.join(map(re.escape, suffixes))})|{re.escape(MANIFEST)})\.tmp-\d+-\d+"
    return re.fullmatch(pattern, name) is not None


def _remove_leftovers(folder: Path, suffixes: tuple[str, ...]) -> None:
    for name in os.listdir(folder):
        if _is_leftover(name, suffixes):
            (folder / name).unlink(missing_ok=True)


def _remove_dataset(folder: Path, old: Manifest) -> None:
    """Remove the manifest, then the records (and write leftovers) of the dataset ``old``."""
    suffixes = FORMATS[old.format]
    (folder / MANIFEST).unlink()
    for i in old.record_ids:
        for suffix in suffixes[::-1]:  # the completion marker first
            (folder / f"{i}{suffix}").unlink(missing_ok=True)
    _remove_leftovers(folder, suffixes)


def _write_records(
    folder: Path,
    todo: np.ndarray,
    manifest: Manifest,
    settings: GeneratorSettings,
    *,
    overwrite: bool,
    progress: bool,
) -> None:
    """Generate the records ``todo`` and write them, one writer thread behind the model."""
    done = manifest.count - len(todo)
    bar = progress_bar(total=manifest.count, initial=done, desc=f"writing {manifest.format}",
                       unit="ECG", enabled=progress)  # fmt: skip
    with bar:

        def write_chunk(chunk: np.ndarray, signals_mv: np.ndarray) -> None:
            io.write_batch(
                signals_mv,
                manifest.fs,
                manifest.leads,
                [folder / str(int(i)) for i in chunk],
                manifest.format,
                overwrite=overwrite,  # resume: leftovers of unfinished records go
                metas=[{"seed": manifest.seed, "record_id": int(i)} for i in chunk],
            )
            bar.update(len(chunk))

        threads = writer_threads(device=settings.device)
        write_behind(generate_records(todo, settings), write_chunk, threads=threads)
