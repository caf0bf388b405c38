"""The fixed development / test split of the shared LUDB records.

Rule (deterministic, decided before any development): sort the record numbers present
in ``ludb/`` numerically and put every third one (positions 2, 5, 8, … in 0-based
order) into the held-out TEST set; all others form the DEV set. Methods are developed
and tuned on DEV only; TEST is run only to report.
"""

from __future__ import annotations

from pathlib import Path


def ludb_records(folder: Path) -> list[int]:
    """Return the LUDB record numbers found in ``folder``, sorted numerically."""
    return sorted(int(p.stem) for p in Path(folder).glob("*.hea") if p.stem.isdigit())


def ludb_split(folder: Path) -> tuple[list[int], list[int]]:
    """Return ``(dev, test)`` record numbers: every third sorted record is TEST."""
    records = ludb_records(folder)
    test = records[2::3]
    held = set(test)
    dev = [r for r in records if r not in held]
    return dev, test
