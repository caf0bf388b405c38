"""Atomic file writing and the argument checks shared by every format."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..ecg import ECG
from ..leads import normalize_lead_name, normalize_lead_names


def check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise FileNotFoundError(
            f"folder {str(folder)!r} does not exist; create it first "
            "(Path(folder).mkdir(parents=True))"
        )


def check_targets(stem: Path, targets: list[Path], overwrite: bool) -> None:
    check_folder(stem.parent)
    if not overwrite:
        for target in targets:
            if target.exists():
                raise FileExistsError(f"{str(target)!r} exists; pass overwrite=True to replace it")


def write_payloads(targets: list[Path], payloads: list[Any], overwrite: bool) -> list[Path]:
    """Write each payload atomically, in order; on failure remove what this call wrote."""
    if overwrite and len(targets) > 1:
        # Remove the completion marker first, so that it never sits next to files of
        # another version of the record.
        targets[-1].unlink(missing_ok=True)
    written: list[Path] = []
    try:
        for target, payload in zip(targets, payloads, strict=True):
            atomic_write(target, payload, overwrite=overwrite)
            written.append(target)
    except BaseException:
        for done in written:
            with contextlib.suppress(OSError):
                done.unlink()
        raise
    return written


def atomic_write(path: Path, data: bytes | memoryview | str, *, overwrite: bool) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The temporary file ``.NAME.tmp-<pid>-<thread>`` lies in the target folder (a rename
    is atomic only within one file system) and is removed if anything fails, so either
    the complete new file or the previous state is on disk.

    Parameters
    ----------
    path : pathlib.Path
        Target file.
    data : bytes, memoryview or str
        Content; text is encoded as UTF-8.
    overwrite : bool
        Replace an existing ``path``; otherwise raise :class:`FileExistsError`.
    """
    path = os.fspath(path)
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(f"{path!r} exists; pass overwrite=True to replace it")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, PermissionError):
            raise PermissionError(
                err.errno,
                f"cannot write {path!r} ({err.strerror}); choose a folder you can write to",
            ) from err
        if isinstance(err, FileNotFoundError) and not os.path.isdir(folder or "."):
            raise FileNotFoundError(
                err.errno,
                f"folder {folder!r} does not exist; create it first "
                "(Path(folder).mkdir(parents=True))",
            ) from err
        raise


def json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (Path, os.PathLike)):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(
        f"metadata value of type {type(value).__name__} is not JSON-serialisable; "
        "convert it to a number, string, list or dict first"
    )


def check_given(name: str, given: Any, found: Any, source: Path) -> None:
    if given is not None and given != found:
        raise ValueError(
            f"{name}={given!r} was given but {source.name!r} stores {name}={found!r}; "
            f"leave out {name}= for this file"
        )


def given_fs(fs: float | None) -> float | None:
    return None if fs is None else float(fs)


def given_leads(leads: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if leads is None else normalize_lead_names(leads)


def unique_names(raw: Sequence[str]) -> tuple[list[str], list[str]]:
    """Channel names made unique ("ECG", "ECG (2)"); also the renamed originals."""
    names: list[str] = []
    renamed: list[str] = []
    for name in raw:
        kept = normalize_lead_name(name) if name.strip() else f"channel {len(names) + 1}"
        if kept in names:
            k = 2
            while f"{kept} ({k})" in names:
                k += 1
            renamed.append(name)
            kept = f"{kept} ({k})"
        names.append(kept)
    return names, renamed


def select_leads(ecg: ECG, leads: Sequence[str] | None, source: Path) -> ECG:
    """The record with only the ``leads`` asked for, in that order (all if None)."""
    if leads is None:
        return ecg
    wanted = normalize_lead_names(leads)
    absent = [name for name in wanted if name not in ecg.leads]
    if absent:
        raise ValueError(
            f"leads {', '.join(absent)} were asked for but {source.name!r} holds "
            f"{', '.join(ecg.leads)}; leave out leads= to read them all"
        )
    return ecg if wanted == ecg.leads else ecg[list(wanted)]
