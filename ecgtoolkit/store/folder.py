"""Generate DeepFake ECGs into a folder of record files, one file set per record.

The folder's ``manifest.json`` (:class:`~ecgtoolkit.store.Manifest`) is written once,
when the dataset starts, and every later call is checked against it. Its
``checksums.crc32c`` holds the CRC-32C of every record file, added as the records are
written (:mod:`ecgtoolkit.store.integrity`); ``.ecgtoolkit.lock`` keeps a second writer
out (:class:`ecgtoolkit.core.lock.WriterLock`).
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .. import io
from ..core import validation
from ..core.files import check_free_space
from ..core.lock import WriterLock
from ..core.progress import progress_bar
from ..generators.generate import GeneratorSettings, check_n_leads, generate_records
from ..io import FORMATS
from ..io.folder import natural_key
from .integrity import CHECKSUMS, LOCK, ChecksumLog, file_checksum, parallel_map
from .manifest import Manifest
from .writers import write_behind, writer_threads

__all__ = ["BYTES_PER_LEAD", "MANIFEST", "check_records", "generate_to"]

#: The file name of a folder dataset's manifest.
MANIFEST = "manifest.json"
#: The dataset's own files besides its records.
_OWN_FILES = (MANIFEST, CHECKSUMS, LOCK)
#: Bytes per lead and per record of a generated 10 s record in each format (measured on
#: 64 DeepFakes; ``benchmarks``-free: they only size the free-space check), and the
#: bytes per record on top (headers, time column).
BYTES_PER_LEAD: dict[str, tuple[int, int]] = {
    "wfdb": (10_000, 600),
    "csv": (40_000, 6_500),
    "asc": (19_200, 0),
    "npy": (20_000, 130),
    "npz": (20_000, 1_500),
}


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
    generator: str | os.PathLike | None = None,
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
    records the seed, format, leads, batch size, id range, sampling rate, generator
    checkpoint (its sha256) and ecgtoolkit version, so that readers know fs and leads
    (for ``.npy``) and a resumed run is checked to continue the same dataset.

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
    generator : path, optional
        A checkpoint of the Pulse2Pulse generator to run instead of the published
        weights (see :func:`ecgtoolkit.generate`); its sha256 goes into the manifest.
    overwrite : bool
        Replace the dataset in the folder: the records its manifest lists are
        removed, then this one is written. Without a manifest, replace the files of
        these ids.
    resume : bool
        Continue the dataset of the folder's manifest: seed and batch size come from
        it when not given, and seed, generator (the checkpoint file's sha256; pass
        the same ``generator`` again), format, leads, batch size, first id and version
        must match it. Records of the manifest's ids whose files all match the
        checksums recorded when they were written are kept; every other record
        (missing, damaged, unfinished) is written again, so a resume also repairs.
        Leftovers of interrupted writes (the toolkit's own
        ``.<id>.<suffix>.tmp-<pid>-<thread>`` files) are removed. A larger ``n``
        extends the dataset (its manifest's count grows).
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
        neither ``overwrite`` nor ``resume`` is given, or ``out`` is a Zarr store.
        Nothing is written then.
    ecgtoolkit.core.lock.DatasetLocked
        If another process is writing this folder (the message names it).
    OSError
        If the disk has less free space than the records need (``errno.ENOSPC``;
        checked before anything is written).
    ValueError
        For bad arguments, a generator checkpoint that cannot be used (see
        :func:`ecgtoolkit.load_generator`); ``resume`` with settings that differ from
        the manifest's (the message names them, for the generator both sha256
        prefixes), or into a non-empty folder without a manifest.

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
    if (folder / "zarr.json").exists():
        raise FileExistsError(
            f"{folder} is a Zarr store, not a folder of record files; finish or extend it "
            "with ecgtoolkit.generate_store (`--format zarr`), or choose another folder"
        )
    created = not folder.exists()
    if created:
        _check_space(folder, n, format, n_leads)
    folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"cannot write to {folder}")
    try:
        with WriterLock(folder / LOCK, f"the folder {folder}"):
            _generate_locked(
                folder, n, format, start_id, seed=seed, n_leads=n_leads, device=device,
                batch_size=batch_size, generator=generator, overwrite=overwrite,
                resume=resume, progress=progress,
            )  # fmt: skip
    except BaseException:
        if created:  # a refused first call leaves no folder behind
            (folder / LOCK).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return folder


def _generate_locked(
    folder: Path, n: int, format: str, start_id: int, *, seed: int | None, n_leads: int,
    device: str, batch_size: int | None, generator: str | os.PathLike | None,
    overwrite: bool, resume: bool, progress: bool,
) -> None:  # fmt: skip
    """The body of :func:`generate_to`, run while this process holds the folder's lock."""
    old = Manifest.read(folder / MANIFEST)
    if resume:
        _check_space(folder, n - (0 if old is None else old.count), format, n_leads)
        manifest, todo, settings = _plan_resume(
            folder, old, n, format, start_id, seed=seed, n_leads=n_leads, device=device,
            batch_size=batch_size, generator=generator, progress=progress,
        )  # fmt: skip
    else:
        settings = GeneratorSettings.resolve(
            seed=seed, n_leads=n_leads, device=device, batch_size=batch_size,
            generator=generator,
        )  # fmt: skip
        manifest = Manifest.for_run(settings, format=format, first_id=start_id, count=n)
        _check_fresh_start(folder, old, manifest, overwrite)
        todo = np.arange(start_id, start_id + n, dtype=np.int64)
    _check_space(folder, len(todo), format, n_leads)
    if overwrite and old is not None:
        _remove_dataset(folder, old)
    if manifest != old:
        manifest.write(folder / MANIFEST, overwrite=resume)
    _write_records(
        folder, todo, manifest, settings, overwrite=overwrite or resume, progress=progress
    )


def _check_space(folder: Path, n: int, format: str, n_leads: int) -> None:
    per_lead, per_record = BYTES_PER_LEAD[format]
    needed = max(0, n) * (per_lead * n_leads + per_record)
    check_free_space(folder, needed, f"{n:,} ECGs as {format}")


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
    in_the_way = _record_files(folder, manifest.format, manifest.first_id, manifest.count)
    if in_the_way:
        raise FileExistsError(
            f"{len(in_the_way)} file(s) already exist in {folder} (first: {in_the_way[0]}); "
            "pass overwrite=True (--overwrite) to replace them or resume=True to skip them"
        )


def _record_files(folder: Path, format: str, first_id: int, count: int) -> list[str]:
    """Files in ``folder`` named as records ``first_id … first_id + count − 1`` of ``format``.

    Found by listing the folder, so the cost grows with the files there, not with
    ``count``.
    """
    suffixes = "|".join(map(re.escape, FORMATS[format]))
    pattern = re.compile(rf"(0|[1-9]\d*)({suffixes})")
    names = os.listdir(folder) if folder.is_dir() else []
    found = [
        name for name in names
        if (match := pattern.fullmatch(name)) and first_id <= int(match.group(1)) < first_id + count
    ]  # fmt: skip
    return sorted(found, key=natural_key)


def _plan_resume(
    folder: Path, old: Manifest | None, n: int, format: str, start_id: int, *,
    seed: int | None, n_leads: int, device: str, batch_size: int | None,
    generator: str | os.PathLike | None, progress: bool,
) -> tuple[Manifest, np.ndarray, GeneratorSettings]:  # fmt: skip
    """The manifest to continue (checked against ``old``), the ids left, the run's settings.

    A record is kept only if every one of its files is there and matches the CRC-32C
    recorded when it was written; all others (missing, damaged, or without a recorded
    checksum) are written again.
    """
    suffixes = FORMATS[format]
    if old is None:
        if seed is None:
            raise ValueError("resume needs the seed of the first run (no manifest.json found)")
        if folder.is_dir() and any(
            not _is_leftover(name, suffixes) and name not in _OWN_FILES
            for name in os.listdir(folder)
        ):
            raise ValueError(
                f"cannot resume: {folder} holds files but no {MANIFEST}, so they are not a "
                "dataset written by ecgtoolkit; use a new (or empty) folder"
            )
        settings = GeneratorSettings.resolve(
            seed=seed, n_leads=n_leads, device=device, batch_size=batch_size,
            generator=generator,
        )  # fmt: skip
        manifest = Manifest.for_run(settings, format=format, first_id=start_id, count=n)
        return manifest, np.arange(start_id, start_id + n, dtype=np.int64), settings
    settings = GeneratorSettings.resolve(
        seed=old.seed if seed is None else seed,
        n_leads=n_leads,
        device=device,
        batch_size=old.batch_size if batch_size is None else batch_size,
        generator=generator,
    )
    asked = Manifest.for_run(settings, format=format, first_id=start_id, count=old.count)
    differ = old.mismatch(asked, where="folder")
    if differ:
        raise ValueError(f"cannot resume: {differ}; use the same settings or a new folder")
    _remove_leftovers(folder, suffixes)
    end = old.first_id + old.count
    foreign = _record_files(folder, format, end, start_id + n - end) if start_id + n > end else []
    if foreign:
        raise FileExistsError(
            f"{len(foreign)} file(s) in {folder} (first: {foreign[0]}) have the names of "
            f"records beyond the {old.count} its {MANIFEST} lists, so they were not written "
            "by this dataset; move them away before extending it"
        )
    listed = range(start_id, min(start_id + n, end))
    problems = check_records(folder, old, listed, progress=progress)
    todo = np.array(
        sorted(problems) + list(range(max(start_id, end), start_id + n)), dtype=np.int64
    )
    manifest = old if n <= old.count else replace(old, count=n)
    return manifest, todo, settings


def check_records(
    folder: str | os.PathLike, manifest: Manifest, ids: range | None = None, *,
    progress: bool = False,
) -> dict[int, tuple[str, str]]:  # fmt: skip
    """What is wrong with each record of a folder dataset that is not intact.

    A record is intact when each of its files exists and has the CRC-32C that
    ``checksums.crc32c`` recorded when it was written.

    Parameters
    ----------
    folder : path
        The dataset's folder.
    manifest : Manifest
        Its manifest.
    ids : range, optional
        The record ids to check (default: all the manifest lists).
    progress : bool
        Show a progress bar while files are hashed.

    Returns
    -------
    dict of int to (str, str)
        Record id → (its first bad file, what is wrong with it), in id order; intact
        records are not in it.
    """
    folder = Path(folder)
    suffixes = FORMATS[manifest.format]
    ids = manifest.record_ids if ids is None else ids
    checksums = ChecksumLog(folder).read()
    existing = set(os.listdir(folder))
    problems: dict[int, tuple[str, str]] = {}
    to_hash: list[tuple[int, str]] = []
    for i in ids:
        for suffix in suffixes:
            name = f"{i}{suffix}"
            if name not in existing:
                problems.setdefault(i, (name, "missing"))
            elif name not in checksums:
                why = "no checksum recorded (the run stopped just after writing it, or an "
                problems.setdefault(i, (name, why + "older ecgtoolkit wrote it)"))
            else:
                to_hash.append((i, name))

    def checksum(item: tuple[int, str]) -> str | None:
        try:
            return file_checksum(folder / item[1])
        except FileNotFoundError:
            return None

    found = parallel_map(checksum, to_hash, total=len(to_hash), desc="checking", progress=progress)
    for (i, name), value in zip(to_hash, found, strict=True):
        if value is None:
            problems.setdefault(i, (name, "missing"))
        elif value != checksums[name]:
            why = "damaged: its CRC-32C differs from the one recorded when it was written"
            problems.setdefault(i, (name, why))
    return dict(sorted(problems.items()))


def _is_leftover(name: str, suffixes: tuple[str, ...]) -> bool:
    """Whether ``name`` is a temporary file of an interrupted ecgtoolkit write."""
    own = "|".join(map(re.escape, (MANIFEST, CHECKSUMS)))
    pattern = rf"\.(\d+({'|'.join(map(re.escape, suffixes))})|{own})\.tmp-\d+-\d+"
    return re.fullmatch(pattern, name) is not None


def _remove_leftovers(folder: Path, suffixes: tuple[str, ...]) -> None:
    for name in os.listdir(folder):
        if _is_leftover(name, suffixes):
            (folder / name).unlink(missing_ok=True)


def _remove_dataset(folder: Path, old: Manifest) -> None:
    """Remove the manifest, then the records (and write leftovers) of the dataset ``old``."""
    suffixes = FORMATS[old.format]
    (folder / MANIFEST).unlink()
    (folder / CHECKSUMS).unlink(missing_ok=True)
    for name in _record_files(folder, old.format, old.first_id, old.count)[::-1]:
        (folder / name).unlink(missing_ok=True)
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
    """Generate the records ``todo``, write them behind the model, record their checksums."""
    suffixes = FORMATS[manifest.format]
    log = ChecksumLog(folder)
    names = {f"{i}{sfx}" for i in manifest.record_ids for sfx in suffixes}
    kept = {name: checksum for name, checksum in log.read().items() if name in names}
    log.rewrite(kept, order=natural_key)  # drops a torn last line of a killed run
    done = manifest.count - len(todo)
    bar = progress_bar(total=manifest.count, initial=done, desc=f"writing {manifest.format}",
                       unit="ECG", enabled=progress)  # fmt: skip
    with bar:

        def write_chunk(chunk: np.ndarray, signals_mv: np.ndarray) -> None:
            stems = [folder / str(int(i)) for i in chunk]
            io.write_batch(
                signals_mv,
                manifest.fs,
                manifest.leads,
                stems,
                manifest.format,
                overwrite=overwrite,  # resume: leftovers of unfinished records go
                metas=[{"seed": manifest.seed, "record_id": int(i)} for i in chunk],
            )
            files = [f"{stem.name}{suffix}" for stem in stems for suffix in suffixes]
            log.append({name: file_checksum(folder / name) for name in files})
            bar.update(len(chunk))

        threads = writer_threads(device=settings.device)
        write_behind(generate_records(todo, settings), write_chunk, threads=threads)
    checksums = {name: d for name, d in log.read().items() if name in names}
    log.rewrite(checksums, order=natural_key)
