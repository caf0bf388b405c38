"""Lead checks of the embedded reference's real records, so reports can show real rates.

The realism report gives, beside each lead-check rate of the fakes, the rate of the same
check on real records. The embedded reference (``build_reference.py``) holds
measurements only; this script reads the same 36 records (the LUDB "fully normal" ones
and the CinC 2021 sinus-rhythm-only ones, listed in ``normal_adults.csv``) and writes
``ecgtoolkit/databases/_reference/normal_adults_checks.csv``: one row per record,
``database``, ``record_id`` and every boolean column of :func:`ecgtoolkit.check_leads`.

Run after ``build_reference.py``: ``python benchmarks/build_reference_checks.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from ludb_cv import load_record  # noqa: E402

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.databases import data_dir, load_reference  # noqa: E402

OUT = HERE.parent / "ecgtoolkit" / "databases" / "_reference" / "normal_adults_checks.csv"


def main() -> None:
    folder = data_dir(required=True)
    reference = load_reference("normal-adults").table
    rows = []
    for database, record_id in zip(reference["database"], reference["record_id"], strict=True):
        if database.startswith("LUDB"):
            ecg = load_record(folder / "ludb", int(record_id))
        else:
            ecg = et.read(folder / "cinc2021" / record_id)
        checks = et.check_leads(ecg)
        row = checks.iloc[0] if isinstance(checks, pd.DataFrame) else checks
        flags = {
            k: bool(v) for k, v in row.items() if isinstance(v, bool) or str(v) in ("True", "False")
        }
        rows.append({"database": database, "record_id": record_id, **flags})
    table = pd.DataFrame(rows)
    table.to_csv(OUT, index=False)
    flags = [c for c in table.columns if c not in ("database", "record_id")]
    print(f"{len(table)} records -> {OUT}")
    print(table[flags].mean().round(3).to_string())


if __name__ == "__main__":
    main()
