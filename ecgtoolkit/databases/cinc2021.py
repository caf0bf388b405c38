"""Records of the PhysioNet/CinC Challenge 2021 (WFDB headers with ``.mat`` signals)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from .physionet import (
    Database,
    _database_records,
    _header_comments,
    _read_batch,
    _record_ids,
    _sex,
    _Source,
)

__all__ = ["CINC2021_DIAGNOSES", "load_cinc2021"]

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
) -> Database:
    """Load records of the PhysioNet/CinC Challenge 2021 (WFDB headers with ``.mat`` signals).

    Parameters
    ----------
    path : str or path-like, optional
        Folder holding the records (``E07500.hea`` + ``E07500.mat``, ...; subfolders
        are searched). Default: the shared copy (:func:`~ecgtoolkit.databases.data_dir` ``/ "cinc2021"``).
        There is no automatic download: the Challenge data come as large archives.
    records : iterable of str, optional
        Record names (``"E07500"``), in this order. Default: all, sorted by name.
    normal_only : bool
        Keep only the records whose sole diagnosis is sinus rhythm (426783006).
    progress : bool
        Show a progress bar while reading.

    Returns
    -------
    Database
        ``ecg``: batch in mV (all records must share leads, length and rate).
        ``meta``: indexed by ``record_id`` (the name): ``age`` (years), ``sex``
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
    >>> from ecgtoolkit import load_cinc2021
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
    meta.index.name = "record_id"
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
    return Database(ecg, meta, None, _CINC2021.name, folder)
