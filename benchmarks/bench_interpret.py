"""How well ``interpret()`` and ``is_normal()`` agree with cardiologists.

LUDB (the 150 shared records, each measured with the segmentation network of its
cross-validation fold, ``ludb_cv.py``) against the labels of ``ludb.csv``:

* confusion tables of rhythm, frontal axis, bundle-branch block and first-degree AV block;
* targets: atrial fibrillation/flutter found in >= 90% of the records so labelled, and
  >= 97% of the sinus-rhythm records not called fibrillation/flutter;
* the one data-chosen limit, ``AF_PR_IQR_MS``, cross-validated: for each fold the value
  is chosen on the other four folds (best balanced accuracy of AF/flutter against sinus)
  and the held-out fold is scored with it;
* ``is_normal``: >= 90% of the records the cardiologists call fully normal pass, >= 90%
  of those with atrial fibrillation/flutter, complete bundle-branch block, AV block or
  pacing fail.

The PhysioNet/CinC 2021 records (never seen by the network) give an external check of
rhythm statements from their SNOMED-CT codes. LUDB's bradycardia/tachycardia and axis
categories follow another convention than the AHA/ACC/HRS one: the tables show it and
nothing is fitted to it.

Run: ``python benchmarks/bench_interpret.py`` (needs the shared data and the fold networks).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ludb_cv import cv_measurements, ludb_labels  # noqa: E402
from ludb_split import ludb_folds  # noqa: E402

import ecgtoolkit as et  # noqa: E402
import ecgtoolkit.measurement.interpretation as interpret_module  # noqa: E402
from ecgtoolkit.databases import CINC2021_DIAGNOSES, data_dir  # noqa: E402

AF_RHYTHMS = ("atrial fibrillation", "atrial flutter")


def af_rates(said: pd.DataFrame, labels: pd.DataFrame) -> tuple[float, float, int, int]:
    called = said["rhythm"].isin(AF_RHYTHMS)
    found = called[labels["af_flutter"]].mean()
    sinus_ok = (~called[labels["sinus"]]).mean()
    return (
        float(found),
        float(sinus_ok),
        int(labels["af_flutter"].sum()),
        int(labels["sinus"].sum()),
    )


def cross_validated_af(table: pd.DataFrame, labels: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """Choose AF_PR_IQR_MS on four folds, score the fifth."""
    candidates = np.arange(4.0, 42.0, 2.0)
    default = interpret_module.AF_PR_IQR_MS
    said_by = {}
    for value in candidates:
        interpret_module.AF_PR_IQR_MS = float(value)
        said_by[value] = et.interpret(table)
    interpret_module.AF_PR_IQR_MS = default
    held = []
    rows = []
    for k, records in enumerate(ludb_folds(folder)):
        train = [r for r in table.index if r not in set(records)]
        test = [r for r in table.index if r in set(records)]

        def balanced(value, idx):
            found, sinus_ok, _, _ = af_rates(said_by[value].loc[idx], labels.loc[idx])
            return (np.nan_to_num(found) + sinus_ok) / 2

        best = max(candidates, key=lambda v: (balanced(v, train), -abs(v - default)))
        held.append(said_by[best].loc[test])
        rows.append({"fold": k, "chosen_ms": best})
    pooled = pd.concat(held).loc[table.index]
    found, sinus_ok, n_af, n_sinus = af_rates(pooled, labels)
    print("Cross-validated AF_PR_IQR_MS (chosen on four folds, scored on the fifth):")
    print(pd.DataFrame(rows).to_string(index=False))
    print(
        f"  held-out: AF/flutter found {found:.1%} of {n_af}; sinus not called AF "
        f"{sinus_ok:.1%} of {n_sinus}"
    )
    return pooled


def cinc_check(folder: Path) -> None:
    rows = []
    for header in sorted((folder / "cinc2021").glob("*.hea")):
        codes = []
        for line in header.read_text().splitlines():
            if line.startswith("# Dx:"):
                codes = [c.strip() for c in line.split(":", 1)[1].split(",")]
        truth = [
            CINC2021_DIAGNOSES[c]
            for c in codes
            if c in CINC2021_DIAGNOSES and CINC2021_DIAGNOSES[c].startswith(("sinus", "atrial"))
        ]
        m = et.measure(et.read(header.with_suffix("")))
        said = et.interpret(m)
        rows.append(
            {
                "record": header.stem,
                "labelled": ", ".join(truth) or "(no rhythm code)",
                "said": said["rhythm"],
                "normal": bool(et.is_normal(m)["normal"]),
                "only_sinus_code": codes == ["426783006"],
                "pac": "284470004" in codes,
            }
        )
    t = pd.DataFrame(rows)
    af = t["labelled"].str.contains("atrial")
    sinus = t["labelled"].str.contains("sinus") & ~af & ~t["pac"]
    pac = t["labelled"].str.contains("sinus") & ~af & t["pac"]
    print(
        f"\nCinC 2021 ({len(t)} records, shipped network): AF/flutter found "
        f"{t[af]['said'].isin(AF_RHYTHMS).mean():.0%} of {af.sum()}, sinus not called AF "
        f"{(~t[sinus]['said'].isin(AF_RHYTHMS)).mean():.0%} of {sinus.sum()} without premature atrial "
        f"contractions, {(~t[pac]['said'].isin(AF_RHYTHMS)).mean():.0%} of {pac.sum()} with them "
        f"(SNOMED 284470004, the Ningbo records); records coded "
        f"sinus rhythm only: {t['only_sinus_code'].sum()}, called normal "
        f"{t[t['only_sinus_code']]['normal'].mean():.0%}"
    )
    t["labelled"] += np.where(t["pac"], " + PACs", "")
    print(pd.crosstab(t["labelled"], t["said"]).to_string())


def main() -> None:
    folder = data_dir(required=True)
    ludb = folder / "ludb"
    table = cv_measurements(ludb)
    labels = ludb_labels(ludb).loc[table.index]
    said = et.interpret(table)
    found, sinus_ok, n_af, n_sinus = af_rates(said, labels)
    print(f"LUDB, {len(table)} records, every one measured with its fold's network\n")
    print(
        f"AF/flutter found (default AF_PR_IQR_MS = {interpret_module.AF_PR_IQR_MS:g} ms): "
        f"{found:.1%} of {n_af} (target >= 90%); sinus not called AF/flutter: "
        f"{sinus_ok:.1%} of {n_sinus} (target >= 97%)"
    )
    cross_validated_af(table, labels, ludb)
    first_rhythm = labels["rhythm"].str.split("|").str[0]
    print("\nRhythm (rows: cardiologists, columns: interpret):")
    print(pd.crosstab(first_rhythm, said["rhythm"]).to_string())
    print("\nFrontal axis (rows: LUDB's own categories, columns: AHA/ACCF/HRS):")
    print(pd.crosstab(labels["axis"], said["axis"]).to_string())
    bbb = np.select(
        [
            labels["conduction"].str.lower().str.contains(r"(?<!in)complete right bundle"),
            labels["conduction"].str.lower().str.contains(r"(?<!in)complete left bundle"),
        ],
        ["complete RBBB", "complete LBBB"],
        default="no complete BBB",
    )
    bbb = np.where(labels["paced"], "paced", bbb)
    print("\nConduction (rows: cardiologists, columns: interpret):")
    print(
        pd.crosstab(
            pd.Series(bbb, index=labels.index, name="labelled"), said["conduction"]
        ).to_string()
    )
    av1 = labels["conduction"].str.contains("I degree av block", regex=False)
    print("\nFirst-degree AV block (rows: labelled, columns: said):")
    print(pd.crosstab(av1.rename("labelled"), said["first_degree_av_block"]).to_string())

    normal = et.is_normal(table)
    passed = normal["normal"][labels["fully_normal"]]
    failed = ~normal["normal"][labels["major_abnormal"]]
    print(
        f"\nis_normal: fully normal records passing {passed.mean():.1%} of {passed.size} "
        f"(target >= 90%); AF/flutter, complete BBB, AV block or pacing failing "
        f"{failed.mean():.1%} of {failed.size} (target >= 90%)"
    )
    print("  normal records that fail, and why:")
    for record in passed.index[~passed]:
        print(f"    {record}: {normal.loc[record, 'reasons']}")
    print("  abnormal records that pass:")
    for record in failed.index[~failed]:
        print(f"    {record}: {labels.loc[record, ['rhythm', 'conduction', 'pacing']].tolist()}")
    other = ~labels["fully_normal"] & ~labels["major_abnormal"]
    print(
        f"  other records (hypertrophy, ischaemia, ...) passing: {normal['normal'][other].mean():.1%}"
    )
    cinc_check(folder)


if __name__ == "__main__":
    main()
