"""Global intervals by each convention of ``measure``, against LUDB's experts.

``convention="consistent-leads"`` (the default: earliest onset and latest offset over the
leads that mark them consistently) and ``convention="median-beat"`` (the boundaries of
the median beat's spatial velocity and magnitude over all leads, as interpretation
programs measure), on the 150 shared LUDB records, against the experts' global marks
(per beat the earliest onset / latest offset over the ≥ 8 leads they annotated, the
median over the beats: ``bench_delineation.reference_globals``).

Nothing of the median-beat convention was chosen on LUDB: its one fraction (5% of the
way from the isoelectric level to the peak of the spatial velocity) was fixed before
this comparison and the T end is the tangent method's. The records are measured with the
shipped network (the fold networks are not in the repository); both conventions use the
same median beat, so the difference between them is not flattered by it.

Run: ``.venv/bin/python benchmarks/bench_conventions.py`` (about a minute).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_delineation import load_ludb as load_with_marks  # noqa: E402
from bench_delineation import reference_globals  # noqa: E402

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.databases import data_dir  # noqa: E402
from ecgtoolkit.measurement.intervals import CONVENTIONS  # noqa: E402

INTERVALS = ("pr_ms", "qrs_ms", "qt_ms")


def main() -> None:
    folder = data_dir() / "ludb"
    db = et.load_ludb(folder, annotations=False, progress=False)
    experts = pd.DataFrame(
        [reference_globals(load_with_marks(folder, int(r))[1], 500.0) for r in db.meta.index],
        index=db.meta.index,
    )
    rows = []
    for convention in CONVENTIONS:
        measured = et.measure(db.ecg, progress=False, convention=convention)
        for name in INTERVALS:
            error = (measured[name] - experts[name]).dropna()
            rows.append(
                {"convention": convention, "interval": name, "records": len(error),
                 "mean (ms)": measured[name].mean(), "experts' mean": experts[name].mean(),
                 "bias": error.mean(), "SD": error.std(), "MAE": error.abs().mean(),
                 "within 10 ms": f"{(error.abs() <= 10).mean():.0%}"}
            )  # fmt: skip
    table = pd.DataFrame(rows)
    print("LUDB (150 records): measured − experts' union of leads (ms)")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.1f}"))


if __name__ == "__main__":
    main()
