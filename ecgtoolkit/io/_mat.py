"""MATLAB files of the CPSC 2018 and 2019 challenges (read only)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.ecg import ECG
from ..core.leads import STANDARD_LEADS
from ._files import given_leads


def read(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    import scipy.io

    content = scipy.io.loadmat(path, simplify_cells=True)
    meta: dict[str, Any] = {}
    if isinstance(content.get("ECG"), dict) and "data" in content["ECG"]:  # CPSC 2018
        struct = content["ECG"]
        signal = np.atleast_2d(np.asarray(struct["data"], dtype=np.float64))
        for key in ("age", "sex"):
            if key in struct:
                value = np.asarray(struct[key])
                meta[key] = value.item() if value.size == 1 else value.tolist()
        default_leads: tuple[str, ...] | None = (
            STANDARD_LEADS if signal.shape[0] == len(STANDARD_LEADS) else None
        )
    elif "ecg" in content:  # CPSC 2019: one unnamed lead
        signal = np.asarray(content["ecg"], dtype=np.float64).reshape(1, -1)
        default_leads = None
        if leads is None:
            raise ValueError(
                f"{path.name!r} holds one lead without a name (CPSC 2019); "
                "pass leads=['II'] (or the lead it is)"
            )
    elif "val" in content:
        raise ValueError(
            f"{path.name!r} holds digital WFDB samples (PhysioNet/CinC) without gain or "
            f"sampling rate; read it through its header {path.with_suffix('.hea').name!r}"
        )
    else:
        keys = [k for k in content if not k.startswith("__")]
        raise ValueError(
            f"{path.name!r} is not a known ECG .mat layout (variables: {', '.join(keys)}); "
            "expected struct 'ECG' with field 'data' (CPSC 2018) or 'ecg' (CPSC 2019)"
        )
    if fs is None:
        raise ValueError(
            f"{path.name!r} stores no sampling rate; pass fs= in Hz (500 for CPSC 2018 and 2019)"
        )
    names = given_leads(leads) or default_leads
    if names is None:
        raise ValueError(
            f"{path.name!r} has {signal.shape[0]} leads without names; pass leads=[...]"
        )
    return ECG(signal, fs=fs, leads=names, meta=meta)
