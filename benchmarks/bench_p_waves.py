"""P waves where nothing was tuned: found before the beats of sinus rhythms, absent in AF.

The segmentation network was trained on LUDB only. On the shared records of other
databases no P wave is marked, but their rhythm labels say where P waves must be: before
(nearly) every beat of a sinus rhythm, before none in atrial fibrillation. For each
record ``measure`` gives ``p_wave_share``, the share of beats with a P wave found in at
least a third of the usable leads.

* PhysioNet/CinC 2021 (40 records, 12 leads, 500 Hz): sinus rhythm, bradycardia,
  tachycardia and arrhythmia by their SNOMED-CT codes (premature beats allowed);
* PTB s0010_re (sinus rhythm, 1000 Hz);
* CPSC 2021 (leads I and II, 200 Hz): 10-s windows wholly in atrial fibrillation or
  wholly outside it (see ``bench_atrial.py``).

For the sinus records the table gives the share with P waves before at least 90% and
at least 50% of the beats, and what distinguishes the records where P waves are missed
(heart rate, QRS width, P amplitude in II where a P was found, premature beats).

Run: ``.venv/bin/python benchmarks/bench_p_waves.py`` (about a minute).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_atrial import cpsc2021_windows  # noqa: E402

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.databases import data_dir  # noqa: E402

SINUS_CODES = {"426783006": "sinus rhythm", "426177001": "sinus bradycardia",
               "427084000": "sinus tachycardia", "427393009": "sinus arrhythmia"}  # fmt: skip
AF_CODES = {"164889003", "164890007"}  # atrial fibrillation, flutter
PREMATURE_CODES = {"284470004", "427172004", "63593006", "17338001"}


def dx_codes(header: Path) -> set[str]:
    for line in header.read_text().splitlines():
        if line.startswith("#") and "Dx" in line:
            return {c.strip() for c in line.split(":", 1)[1].split(",")}
    return set()


def cinc(root: Path) -> pd.DataFrame:
    headers = sorted((root / "cinc2021").glob("*.hea"))
    batch = et.ECG(
        np.stack([et.read(h.with_suffix("")).signal for h in headers]),
        fs=500.0, leads=list(et.STANDARD_LEADS),
        meta={"record_ids": [h.stem for h in headers]},
    )  # fmt: skip
    m = et.measure(batch, progress=False)
    codes = [dx_codes(h) for h in headers]
    m["sinus"] = [bool(c & set(SINUS_CODES)) and not (c & AF_CODES) for c in codes]
    m["premature"] = [bool(c & PREMATURE_CODES) for c in codes]
    m["database"] = "CinC 2021"
    return m


def summary(name: str, share: pd.Series) -> dict:
    return {"records": name, "n": len(share),
            "P before >= 90% of beats": f"{(share >= 0.9).mean():.1%}",
            "P before >= 50%": f"{(share >= 0.5).mean():.1%}",
            "median share": f"{share.median():.2f}"}  # fmt: skip


def main() -> None:
    root = data_dir()
    rows = []
    c = cinc(root)
    sinus = c[c["sinus"]]
    rows.append(summary("CinC 2021 sinus rhythms", sinus["p_wave_share"]))
    rows.append(
        summary("  of them without premature beats", sinus.loc[~sinus["premature"], "p_wave_share"])
    )
    ptb = root / "ptbdb" / "s0010_re"
    if ptb.with_suffix(".hea").exists():
        record = et.read(ptb)[list(et.STANDARD_LEADS)]
        rows.append(
            summary(
                "PTB s0010_re (sinus, 1000 Hz)", pd.Series([et.measure(record)["p_wave_share"]])
            )
        )
    windows, af = cpsc2021_windows(root / "cpsc2021")
    w = et.measure(windows, progress=False)
    rows.append(summary("CPSC 2021 windows outside AF (I, II, 200 Hz)", w.loc[~af, "p_wave_share"]))
    rows.append(summary("CPSC 2021 windows in AF (P should be absent)", w.loc[af, "p_wave_share"]))
    print(pd.DataFrame(rows).to_string(index=False))
    missed = sinus["p_wave_share"] < 0.9
    print("\nCinC 2021 sinus records: where P waves are missed (< 90% of beats) and found")
    cols = ["heart_rate", "qrs_ms", "p_amp_mv_II", "rr_irregularity"]
    table = sinus.assign(missed=missed, premature=sinus["premature"].astype(float))
    print(table.groupby("missed")[[*cols, "premature"]].median().round(3).to_string())
    print("\nthe sinus records with P before < 90% of beats:")
    print(table.loc[missed, ["p_wave_share", *cols, "premature"]].round(3).to_string())


if __name__ == "__main__":
    main()
