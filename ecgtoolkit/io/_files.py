"""Writing a record's files together, and the argument checks shared by every format."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.ecg import ECG
from ..core.files import atomic_write
from ..core.leads import normalize_lead_name, normalize_lead_names


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
