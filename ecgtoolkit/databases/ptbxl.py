"""PTB-XL 1.0.3: 21,799 clinical 12-lead ECGs of 10 s with SCP-ECG statements."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import validation
from .physionet import Database, _age_columns, _database_records, _read_batch, _record_ids, _Source

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_ptbxl"]

_PTBXL = _Source("PTB-XL 1.0.3", "ptb-xl", "1.0.3", ("ptbxl_database.csv", "scp_statements.csv"))
_PTBXL_SUPERCLASSES = ("NORM", "MI", "STTC", "CD", "HYP")


def load_ptbxl(
    path: str | os.PathLike[str] | None = None,
    *,
    n: int | None = None,
    fs: int = 500,
    records: Iterable[int] | None = None,
    progress: bool = True,
) -> Database:
    """Load PTB-XL 1.0.3: 21,799 clinical 12-lead ECGs of 10 s with SCP-ECG statements.

    Parameters
    ----------
    path : str or path-like, optional
        Folder of a PTB-XL copy as laid out on PhysioNet (``ptbxl_database.csv``,
        ``scp_statements.csv``, ``records500/00000/00001_hr.hea``, ...,
        ``records100/..._lr``). Default: the shared copy (:func:`~ecgtoolkit.databases.data_dir`
        ``/ "ptb-xl"``) when it holds the records asked for, else the download cache
        (:func:`~ecgtoolkit.databases.cache_dir`), where the two tables and the missing records are
        downloaded from PhysioNet.
    n : int, optional
        Load the first ``n`` records (by ``ecg_id``); of a local copy, the first ``n``
        it holds. Default: all (about 10 GB in memory at 500 Hz, 2 GB at 100 Hz).
    fs : {500, 100}
        Which version of the signals to load: its sampling rate in Hz.
    records : iterable of int, optional
        ``ecg_id`` values to load, in this order (instead of ``n``).
    progress : bool
        Show progress bars while downloading and reading.

    Returns
    -------
    Database
        ``ecg``: batch ``(n_records, 12, 10 * fs)`` in mV. ``meta``: the
        columns of ``ptbxl_database.csv`` indexed by ``record_id`` (the ``ecg_id``), with
        ``sex`` as ``"M"``/``"F"``, ``age`` in years (NaN above 89, with
        ``age_over_89``), ``scp_codes`` parsed into a dict (statement: likelihood in %),
        ``diagnostic_superclass`` (tuple of NORM, MI, STTC, CD, HYP) and one boolean
        column per superclass. ``annotations``: None.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a PTB-XL copy with these records, or no copy is found and the
        download fails (offline); the message says where to get the data.
    ValueError
        For an fs other than 100 or 500 Hz, ``n`` < 1, both ``n`` and ``records``, or ids
        that PTB-XL does not have.
    TypeError
        For an ``n`` that is not an integer.

    Notes
    -----
    The diagnostic superclasses follow the PTB-XL authors' example code: every
    statement of ``scp_codes`` that ``scp_statements.csv`` marks as diagnostic
    contributes its ``diagnostic_class``, whatever its likelihood. Downloads use
    PhysioNet's current version of the database.

    References
    ----------
    Wagner P. et al., "PTB-XL, a large publicly available electrocardiography dataset",
    Sci Data 7, 154 (2020), doi:10.1038/s41597-020-0495-6. Licence CC-BY 4.0.

    Examples
    --------
    >>> from ecgtoolkit import load_ptbxl
    >>> ptbxl = load_ptbxl(n=10, progress=False)  # doctest: +SKIP
    >>> ptbxl.ecg  # doctest: +SKIP
    <ECG batch | 10 records × 12 leads × 5000 samples (10 s at 500 Hz), mV>
    >>> ptbxl.meta.loc[1, "diagnostic_superclass"]  # doctest: +SKIP
    ('NORM',)
    """
    if fs not in (100, 500):
        raise ValueError(f"fs must be 500 or 100 (Hz), got {fs!r}")
    if n is not None and records is not None:
        raise ValueError("pass either n (the first n records) or records (their ids), not both")
    if n is not None:
        validation.count(n)
    ids = _record_ids(records)
    column = "filename_hr" if fs == 500 else "filename_lr"

    def listing(folder: Path) -> dict[str, str]:
        import pandas as pd

        table = pd.read_csv(folder / "ptbxl_database.csv", usecols=["ecg_id", column])
        return dict(zip(table["ecg_id"].astype(str), table[column], strict=True))

    folder, chosen = _database_records(_PTBXL, path, ids, n, listing, (".hea", ".dat"), progress)
    record_ids = [int(i) for i in chosen]
    ecg = _read_batch(folder, chosen, _PTBXL.name, record_ids, progress)
    return Database(ecg, _ptbxl_meta(folder).loc[record_ids], None, _PTBXL.name, folder)


def _ptbxl_meta(folder: Path) -> pd.DataFrame:
    import ast

    import pandas as pd

    table = pd.read_csv(folder / "ptbxl_database.csv", index_col="ecg_id")
    table.index = table.index.astype(int).rename("record_id")
    statements = pd.read_csv(folder / "scp_statements.csv", index_col=0)
    diagnostic = statements[statements["diagnostic"] == 1]["diagnostic_class"].to_dict()
    table["sex"] = [{0: "M", 1: "F"}.get(v) for v in table["sex"]]
    ages = _age_columns(table["age"])
    table["age"] = ages["age"]
    table.insert(table.columns.get_loc("age") + 1, "age_over_89", ages["age_over_89"])
    table["scp_codes"] = [ast.literal_eval(codes) for codes in table["scp_codes"]]
    table["diagnostic_superclass"] = [
        tuple(c for c in _PTBXL_SUPERCLASSES if c in {diagnostic.get(s) for s in codes})
        for codes in table["scp_codes"]
    ]
    for superclass in _PTBXL_SUPERCLASSES:
        table[superclass] = [superclass in s for s in table["diagnostic_superclass"]]
    return table
