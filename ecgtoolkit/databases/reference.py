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

from ..core.display import format_count, format_value, summary_html

__all__ = ["Reference", "load_reference", "load_reference_checks", "REFERENCES", "PUBLISHED"]

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

    def _repr_html_(self) -> str:
        """A Jupyter display: the records, their sources and typical intervals."""
        rows = [("records", format_count(len(self.table)))]
        if "database" in self.table:
            counts = self.table["database"].value_counts(sort=False)
            rows.append(("from", ", ".join(f"{k}: {format_count(v)}" for k, v in counts.items())))
        if "status" in self.table:
            status = self.table["status"].value_counts()
            rows.append(("status", ", ".join(f"{k}: {format_count(v)}" for k, v in status.items())))
        n, n_leads, n_times = self.beats.shape
        rows.append(("median beats", f"{format_count(n)} × {n_leads} leads × {n_times} samples"))
        for label, column, unit in _TYPICAL:
            if column in self.table:
                rows.append((label, _median_iqr(self.table[column], unit)))
        return summary_html(
            f"Reference {self.name!r}",
            rows,
            paragraphs=[self.description],
            notes=["typical values: median (interquartile range) over the records measured"],
        )


#: Measurements a reference's display summarises: label, column, unit.
_TYPICAL = (
    ("heart rate", "heart_rate", "bpm"),
    ("PR", "pr_ms", "ms"),
    ("QRS", "qrs_ms", "ms"),
    ("QT", "qt_ms", "ms"),
    ("QTc (Framingham)", "qtc_framingham_ms", "ms"),
    ("QRS axis", "qrs_axis_deg", "°"),
)


def _median_iqr(values: pd.Series, unit: str) -> str:
    """``"66.0 bpm (61.3–68.8)"``: median (IQR) of the finite values, or "not measurable"."""
    finite = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return format_value(np.nan, unit, why="in no record")
    q1, median, q3 = np.percentile(finite, [25.0, 50.0, 75.0])
    middle = format_value(median)
    decimals = len(middle.partition(".")[2])  # the quartiles to the median's precision
    text = f"{format_value(median, unit)} ({q1:.{decimals}f}–{q3:.{decimals}f})"
    if finite.size < len(values):
        text += f", {format_count(finite.size)} of {format_count(len(values))} records"
    return text


@cache
def _load(name: str) -> Reference:
    stem = _FOLDER / name.replace("-", "_")
    text = ("record_id", "unusable_leads", "pacing", "status", "reason")
    table = pd.read_csv(f"{stem}.csv", dtype=dict.fromkeys(text, str))
    for column in ("unusable_leads", "pacing", "reason"):
        if column in table:
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


def load_reference_checks(name: str = "normal-adults") -> pd.DataFrame | None:
    """The lead checks (:func:`ecgtoolkit.check_leads`) of a reference's real records.

    Parameters
    ----------
    name : str
        An embedded reference (:data:`REFERENCES`).

    Returns
    -------
    pandas.DataFrame or None
        One row per record (``database``, ``record_id``, then one boolean column per
        check), built by ``benchmarks/build_reference_checks.py`` from the same records
        as the reference; None for a reference without them.

    Examples
    --------
    >>> checks = load_reference_checks("normal-adults")
    >>> len(checks), bool(checks["einthoven_ok"].all())
    (36, True)
    """
    if name not in REFERENCES:
        raise ValueError(f"unknown reference {name!r}; choose from {sorted(REFERENCES)}")
    path = _FOLDER / f"{name.replace('-', '_')}_checks.csv"
    if not path.exists():
        return None
    return pd.read_csv(path, dtype={"record_id": str})
