"""The Lobachevsky University Electrocardiography Database (LUDB 1.0.1), with expert waves."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..core.leads import normalize_lead_name
from .physionet import (
    Database,
    _age_columns,
    _database_records,
    _read_batch,
    _record_ids,
    _sex,
    _Source,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_ludb", "ludb_labels"]

_LUDB = _Source("LUDB 1.0.1", "ludb", "1.0.1", ("ludb.csv",), remote_prefix="data/",
                keep_subdirs=False)  # fmt: skip
_LUDB_LEADS = ("i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6")
# Annotation codes of the MIT format (WFDB Applications Guide, "Annotation codes").
_WAVE_CODES = {24: "P", 1: "QRS", 27: "T"}  # "p", "N", "t": the peaks LUDB marks
_ONSET, _OFFSET = 39, 40  # "(" and ")"


def _ludb_listing(folder: Path) -> dict[str, str]:
    import pandas as pd

    ids = pd.read_csv(folder / "ludb.csv", usecols=["ID"])["ID"].astype(int)
    sub = "data/" if (folder / "data").is_dir() else ""  # PhysioNet's own layout
    return {str(i): f"{sub}{i}" for i in ids}


def load_ludb(
    path: str | os.PathLike[str] | None = None,
    *,
    records: Iterable[int] | None = None,
    annotations: bool = True,
    progress: bool = True,
) -> Database:
    """Load the Lobachevsky University Electrocardiography Database (LUDB 1.0.1).

    200 records of 10 s, 12 leads at 500 Hz, with P, QRS and T waves delineated by
    cardiologists in every lead and the diagnoses of ``ludb.csv``.

    Parameters
    ----------
    path : str or path-like, optional
        Folder of a LUDB copy (``ludb.csv`` and the records, flat or in ``data/`` as on
        PhysioNet). Default: the shared copy (:func:`~ecgtoolkit.databases.data_dir`
        ``/ "ludb"``) when it holds the records asked for, else the download cache
        (:func:`~ecgtoolkit.databases.cache_dir`), where
        missing records are downloaded from PhysioNet.
    records : iterable of int, optional
        Record ids (1–200). Default: every record of the local copy, or all 200 where
        they must be downloaded.
    annotations : bool
        Read the expert annotations (and require their files).
    progress : bool
        Show progress bars while downloading and reading.

    Returns
    -------
    Database
        ``ecg``: batch ``(n_records, 12, 5000)`` in mV. ``meta``: :func:`ludb_labels` of
        these records. ``annotations``: one row per wave (``record, lead, wave, onset,
        peak, offset``, sample indices at 500 Hz, with ``record_id`` first), or None if
        ``annotations=False``.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a LUDB copy with these records, or no copy is found and the
        download fails (offline); the message says where to get the data.
    ValueError
        For record ids that LUDB does not have.

    Notes
    -----
    LUDB 1.0.1's headers give every lead a gain equal to its own digital range, and an
    ADC zero ("baseline", a few units) from the same normalisation, while the digital
    values are µV from 0 in every lead. The records are therefore read with
    ``adc_gain=1000`` (see :func:`ecgtoolkit.read`) and the headers' baselines are
    undone: the signal is the digital values / 1000, in mV, for which Einthoven's law
    (III = II − I) holds exactly. Only the middle of each record (about samples
    187–4814) is annotated.

    References
    ----------
    Kalyakulina A.I. et al., "LUDB: A New Open-Access Validation Tool for
    Electrocardiogram Delineation Algorithms", IEEE Access 8 (2020),
    doi:10.1109/ACCESS.2020.3029211. Licence ODC-By 1.0.

    Examples
    --------
    >>> from ecgtoolkit import load_ludb
    >>> ludb = load_ludb(records=[1, 2], progress=False)  # doctest: +SKIP
    >>> ludb.ecg  # doctest: +SKIP
    <ECG batch | 2 records × 12 leads × 5000 samples (10 s at 500 Hz), mV>
    >>> ludb.meta.loc[1, ["sex", "age", "rhythm"]].tolist()  # doctest: +SKIP
    ['F', 51.0, 'Sinus bradycardia']
    """
    ids = _record_ids(records)
    suffixes = (".hea", ".dat") + (tuple("." + lead for lead in _LUDB_LEADS) if annotations else ())
    folder, chosen = _database_records(_LUDB, path, ids, None, _ludb_listing, suffixes, progress)
    record_ids = [int(i) for i in chosen]
    ecg = _read_batch(folder, chosen, _LUDB.name, record_ids, progress, adc_gain=1000.0)
    baselines = np.stack([_header_baselines(folder / (r + ".hea")) for r in chosen.values()])
    ecg.signal += baselines[:, :, None] / 1000.0
    meta = ludb_labels(folder).loc[record_ids]
    waves = _ludb_annotations(folder, chosen) if annotations else None
    return Database(ecg, meta, waves, _LUDB.name, folder)


def ludb_labels(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The cardiologists' labels of every LUDB record (``ludb.csv``), as tidy columns.

    Parameters
    ----------
    path : str or path-like
        ``ludb.csv`` or the folder that holds it.

    Returns
    -------
    pandas.DataFrame
        One row per record, indexed by ``record_id`` (int). Text columns as written in
        ``ludb.csv`` (``""`` where empty; several statements joined by ``"|"``):
        ``sex`` (``"M"``/``"F"``), ``rhythm``, ``axis``, ``conduction``,
        ``extrasystoles``, ``hypertrophy``, ``pacing``, ``ischaemia``,
        ``repolarization``, ``other``; ``age`` in years (NaN above 89, with
        ``age_over_89``); and booleans derived from the wording only:

        - ``sinus``: any sinus rhythm label (rhythm, bradycardia, tachycardia,
          arrhythmia, irregular sinus rhythm);
        - ``af_flutter``: atrial fibrillation or flutter;
        - ``paced``: any cardiac pacing;
        - ``complete_bbb``: complete right or left bundle-branch block;
        - ``av_block``: any atrioventricular block;
        - ``fully_normal``: sinus, no conduction abnormality, hypertrophy or overload,
          ischaemia or scar, extrasystole or pacing, and an axis that is normal,
          vertical or horizontal;
        - ``major_abnormal``: ``af_flutter``, ``complete_bbb``, ``av_block`` or ``paced``.

    Examples
    --------
    >>> from ecgtoolkit.databases import data_dir, ludb_labels
    >>> labels = ludb_labels(data_dir() / "ludb")  # doctest: +SKIP
    >>> int(labels["af_flutter"].sum())  # doctest: +SKIP
    18
    """
    import pandas as pd

    path = Path(path)
    csv = path / "ludb.csv" if path.is_dir() else path
    if not csv.is_file():
        raise FileNotFoundError(f"{str(csv)!r} not found; pass LUDB's ludb.csv or its folder")
    raw = pd.read_csv(csv)

    def text(column: str, prefix: str = "") -> list[str]:
        return [
            "" if pd.isna(v) else str(v).strip().replace("\n", "|").removeprefix(prefix).strip()
            for v in raw[column]
        ]

    table = pd.DataFrame(
        {
            "sex": _sex(raw["Sex"]),
            **_age_columns(raw["Age"]),
            "rhythm": text("Rhythms"),
            "axis": text("Electric axis of the heart", "Electric axis of the heart: "),
            "conduction": text("Conduction abnormalities"),
            "extrasystoles": text("Extrasystolies"),
            "hypertrophy": text("Hypertrophies"),
            "pacing": text("Cardiac pacing"),
            "ischaemia": text("Ischemia"),
            "repolarization": text(
                "Non-specific repolarization abnormalities",
                "Non-specific repolarization abnormalities: ",
            ),
            "other": text("Other states"),
        },
        index=pd.Index(raw["ID"].astype(int), name="record_id"),
    )
    rhythm = table["rhythm"].str.lower()
    conduction = table["conduction"].str.lower()
    table["sinus"] = rhythm.str.contains("sinus")
    table["af_flutter"] = rhythm.str.contains("fibrillation|flutter")
    table["paced"] = table["pacing"] != ""
    table["complete_bbb"] = conduction.str.contains(r"(?<!in)complete (?:right|left) bundle")
    table["av_block"] = conduction.str.contains("av block|av-block")
    table["fully_normal"] = (
        table["sinus"]
        & (table["conduction"] == "")
        & (table["hypertrophy"] == "")
        & (table["ischaemia"] == "")
        & (table["extrasystoles"] == "")
        & ~table["paced"]
        & table["axis"].isin(["normal", "vertical", "horizontal"])
    )
    table["major_abnormal"] = (
        table["af_flutter"] | table["complete_bbb"] | table["av_block"] | table["paced"]
    )
    return table


def _header_baselines(header: Path) -> np.ndarray:
    """The ADC zero ("baseline", digital units) of each signal of a WFDB header."""
    lines = [
        line
        for line in header.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    n_signals = int(lines[0].split()[1])
    # Signal lines: file format gain(baseline)/units ...; no "(...)": the baseline is 0.
    found = [re.search(r"\((-?\d+)\)", line.split()[2]) for line in lines[1 : 1 + n_signals]]
    return np.array([int(m.group(1)) if m else 0 for m in found], dtype=np.float64)


def _ludb_annotations(folder: Path, records: dict[str, str]) -> pd.DataFrame:
    """One row per annotated wave of every lead of ``records``."""
    import pandas as pd

    parts = []
    for record_id, record in records.items():
        for lead in _LUDB_LEADS:
            samples, codes = _mit_annotations(folder / f"{record}.{lead}")
            is_wave = np.isin(codes, list(_WAVE_CODES))
            at = np.flatnonzero(is_wave)
            before, after = np.maximum(at - 1, 0), np.minimum(at + 1, len(codes) - 1)
            has_onset = (at > 0) & (codes[before] == _ONSET)
            has_offset = (at < len(codes) - 1) & (codes[after] == _OFFSET)
            parts.append(
                pd.DataFrame(
                    {
                        "record_id": int(record_id),
                        "lead": normalize_lead_name(lead),
                        "wave": [_WAVE_CODES[c] for c in codes[at]],
                        "onset": pd.array(np.where(has_onset, samples[before], -1), "Int64"),
                        "peak": pd.array(samples[at], "Int64"),
                        "offset": pd.array(np.where(has_offset, samples[after], -1), "Int64"),
                    }
                )
            )
    table = pd.concat(parts, ignore_index=True)
    for column in ("onset", "offset"):
        table[column] = table[column].mask(table[column] < 0)
    return table


def _mit_annotations(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Sample indices and annotation codes of a WFDB (MIT format) annotation file.

    A small reader of the format (WFDB Applications Guide, "annot(5)"): 16-bit
    little-endian words, the code in the upper 6 bits and the time since the previous
    annotation in the lower 10; codes 59–63 (SKIP, NUM, SUB, CHN, AUX) carry extra
    fields. ``wfdb.rdann`` gives the same samples and codes but parses the record's
    header for every file, which makes it some 20 times slower on LUDB.
    """
    words = np.fromfile(path, dtype="<u2").tolist()
    samples: list[int] = []
    codes: list[int] = []
    time, k = 0, 0
    while k < len(words) and words[k] != 0:  # a zero word ends the file
        code, value = words[k] >> 10, words[k] & 0x3FF
        if code == 59:  # SKIP: a 32-bit interval follows, high word first
            if k + 2 >= len(words):
                raise ValueError(
                    f"annotation file {str(path)!r} ends inside an annotation (truncated?); "
                    "download it again"
                )
            interval = (words[k + 1] << 16) | words[k + 2]
            time += interval - (1 << 32) if interval >= 1 << 31 else interval
            k += 3
        elif code == 63:  # AUX: ``value`` bytes of text, padded to an even count
            k += 1 + (value + 1) // 2
        elif code >= 60:  # NUM, SUB, CHN of the previous annotation
            k += 1
        else:
            time += value
            samples.append(time)
            codes.append(code)
            k += 1
    return np.asarray(samples, dtype=np.int64), np.asarray(codes, dtype=np.int64)
