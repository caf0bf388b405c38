"""NumPy files: ``.npy`` (the signal only) and ``.npz`` (signal, fs, leads, units, metadata)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.ecg import ECG
from ..core.files import json_default
from ._files import check_given, file_fs, given_fs, select_leads


def npy_bytes(signal_mv: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(signal_mv, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()


def npz_bytes(
    signal_mv: np.ndarray, fs: float, leads: Sequence[str], meta: Mapping[str, Any] | None
) -> bytes:
    try:
        meta_json = json.dumps(dict(meta or {}), default=json_default)
    except TypeError as err:
        raise TypeError(f"npz stores metadata as JSON: {err}") from None
    buffer = io.BytesIO()
    np.savez(
        buffer,
        signal=np.asarray(signal_mv, dtype=np.float32),
        fs=np.float64(fs),
        leads=np.array(list(leads), dtype=str),
        units=np.array("mV"),
        meta=np.array(meta_json),
    )
    return buffer.getvalue()


def read_npy(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    signal = np.load(path, allow_pickle=False)
    if fs is None or leads is None:
        manifest = path.parent / "manifest.json"
        if manifest.is_file():
            try:
                described = json.loads(manifest.read_text(encoding="utf-8"))
            except json.JSONDecodeError as err:
                raise ValueError(
                    f"{str(manifest)!r} is not valid JSON ({err}); fix or remove it"
                ) from None
            if not isinstance(described, dict):
                raise ValueError(f"{str(manifest)!r} must hold a JSON object with 'fs' and 'leads'")
            if fs is None and described.get("fs") is not None:
                fs = file_fs(described["fs"], manifest, "its 'fs'")
            leads = described.get("leads") if leads is None else leads
    if fs is None or leads is None:
        raise ValueError(
            f"{path.name!r} holds only samples; pass fs= and leads= (or keep a manifest.json "
            "with 'fs' and 'leads' in the same folder), or write records as .npz, which "
            "stores both"
        )
    return ECG(signal, fs=fs, leads=leads)


def read_npz(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    with np.load(path, allow_pickle=False) as archive:
        missing = [key for key in ("signal", "fs", "leads") if key not in archive.files]
        if missing:
            raise ValueError(
                f"{path.name!r} lacks {', '.join(missing)}; it was not written by "
                "ecgtoolkit.write (load it with numpy.load)"
            )
        signal = archive["signal"]
        found_fs = file_fs(archive["fs"], path, "its array 'fs'")
        found_leads = archive["leads"].tolist()
        units = str(archive["units"]) if "units" in archive.files else "mV"
        meta = json.loads(str(archive["meta"])) if "meta" in archive.files else {}
    check_given("fs", given_fs(fs), found_fs, path)
    ecg = ECG(signal, fs=found_fs, leads=found_leads, units=units, meta=meta)
    return select_leads(ecg, leads, path)
