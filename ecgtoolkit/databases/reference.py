"""Reference distributions of real ECGs, measured with the toolkit's own ruler.

The main job compares generated ECGs against real ones without any download: the package
embeds the :func:`ecgtoolkit.measure` results (and median beats) of the real ECGs that
cardiologists call normal in the shared public databases, measured with this toolkit, so
that a difference between fakes and the reference is a difference between the ECGs, not
between two rulers. Published figures measured by other programs are kept apart
(:data:`PUBLISHED`) and never mixed into a reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Reference", "load_reference", "REFERENCES", "PUBLISHED"]

_FOLDER = Path(__file__).resolve().parent / "_reference"

#: The embedded references: name -> description.
REFERENCES: dict[str, str] = {
    "normal-adults": (
        "36 real 12-lead ECGs of adults that cardiologists call normal: the 31 'fully "
        "normal' records among the 150 shared LUDB 1.0.1 records (sinus rhythm, no "
        "conduction abnormality, hypertrophy, ischaemia, extrasystole or pacing, axis not "
        "deviated; Kalyakulina et al. 2020, doi:10.1109/ACCESS.2020.3029211, ODC-By 1.0), "
        "each measured with the segmentation network of its cross-validation fold (one "
        "that never saw it), and the 5 shared PhysioNet/CinC Challenge 2021 records coded "
        "sinus rhythm only (Reyna et al. 2021, CC-BY 4.0). Built by "
        "benchmarks/build_reference.py."
    ),
}

#: Interval means published for the real ECGs behind the Pulse2Pulse model, measured by
#: GE MUSE 12SL on median beats (Thambawita et al. 2021, doi:10.1038/s41598-021-01295-2):
#: another program's ruler, for display beside a comparison only.
PUBLISHED: pd.DataFrame = pd.DataFrame(
    {"pr_ms": [159.0], "qrs_ms": [93.0], "qt_ms": [406.0]},
    index=pd.Index(["7,233 real training ECGs, GE MUSE 12SL (Thambawita et al. 2021)"]),
)


@dataclass(frozen=True)
class Reference:
    """An embedded reference group.

    Attributes
    ----------
    name : str
        Its name in :data:`REFERENCES`.
    table : pandas.DataFrame
        One :func:`ecgtoolkit.measure` row per record (``physiology=True``), with
        ``database`` and ``record_id`` columns naming the record.
    beats : numpy.ndarray
        The records' median beats ``(n_records, 8, n_times)`` in mV (see
        ``measure(return_beats=True)``).
    description : str
        Which records, from where, how measured.
    """

    name: str
    table: pd.DataFrame
    beats: np.ndarray
    description: str

    def __repr__(self) -> str:
        return f"<Reference {self.name!r}: {len(self.table)} records>"


@cache
def _load(name: str) -> Reference:
    stem = _FOLDER / name.replace("-", "_")
    text = ("record_id", "unusable_leads", "status", "reason")
    table = pd.read_csv(f"{stem}.csv", dtype=dict.fromkeys(text, str))
    for column in ("unusable_leads", "reason"):
        table[column] = table[column].fillna("")
    with np.load(f"{stem}_beats.npz") as data:
        beats = data["beats"].astype(np.float32)
    return Reference(name=name, table=table, beats=beats, description=REFERENCES[name])


def load_reference(name: str = "normal-adults") -> Reference:
    """Load an embedded reference group of real ECGs.

    Parameters
    ----------
    name : str
        One of :data:`REFERENCES` (``"normal-adults"``).

    Returns
    -------
    Reference
        Its measurements, median beats and description. The same object on every
        call; copy the table before changing it.

    Raises
    ------
    ValueError
        For an unknown name.

    Examples
    --------
    >>> from ecgtoolkit.databases import load_reference
    >>> ref = load_reference("normal-adults")
    >>> ref
    <Reference 'normal-adults': 36 records>
    >>> ref.table["database"].value_counts().to_dict()
    {'LUDB 1.0.1': 31, 'PhysioNet/CinC 2021': 5}
    """
    if name not in REFERENCES:
        raise ValueError(f"unknown reference {name!r}; the embedded ones are {list(REFERENCES)}")
    return _load(name)
