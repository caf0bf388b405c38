"""How realistic are the DeepFake ECGs? 500 generated ECGs against real normal adults.

1. Generate ``N`` ECGs (seed 11), measure them (with physiology and median beats),
   interpret them, check their leads.
2. Compare them with the embedded ``normal-adults`` reference (real ECGs that
   cardiologists call normal, measured with the same ruler): the feature table, the
   classifier two-sample test, MMD on median beats, the Fréchet distance, the
   memorisation check and the QT-RR slopes.
3. The same after keeping only the fakes that pass ``is_normal`` (``accept="normal"``),
   with its acceptance rate.

Writes ``benchmarks/_out/realism_report.html``. Run: ``python benchmarks/bench_realism.py
[N]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ecgtoolkit as et  # noqa: E402
from ecgtoolkit.databases import PUBLISHED, load_reference  # noqa: E402

OUT = Path(__file__).resolve().parent / "_out"
KEY = [
    "heart_rate", "rr_sd_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_framingham_ms", "qtc_bazett_ms",
    "p_axis_deg", "qrs_axis_deg", "t_axis_deg", "rmssd_ms", "morphology_corr", "dipole_share",
    "r_amp_mv_II", "r_amp_mv_V5", "s_amp_mv_V1", "t_amp_mv_II", "t_amp_mv_V2",
]  # fmt: skip
COLUMNS = [
    "mean_real",
    "sd_real",
    "mean_fake",
    "sd_fake",
    "smd",
    "sd_ratio",
    "different",
    "verdict",
]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    OUT.mkdir(exist_ok=True)
    ref = load_reference("normal-adults")
    t0 = time.perf_counter()
    fakes = et.generate(n, seed=11)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    table, beats = et.measure(fakes, physiology=True, return_beats=True, progress=False)
    t_measure = time.perf_counter() - t0
    print(f"{n} fakes: generated in {t_gen:.1f} s, measured in {t_measure:.1f} s")
    print(f"status: {table['status'].value_counts().to_dict()}")

    said = et.interpret(table)
    print("\nInterpretation of the fakes:")
    print(said["rhythm"].value_counts().to_string())
    print(said["axis"].value_counts().to_string())
    print(
        f"first-degree AV block {said['first_degree_av_block'].mean():.1%}, wide QRS "
        f"{said['wide_qrs'].mean():.1%} ({said['conduction'].value_counts().to_dict()})"
    )
    normal = et.is_normal(table)
    print(f"is_normal: {normal['normal'].mean():.1%} pass; most frequent reasons:")
    reasons = normal["reasons"][~normal["normal"]].str.split("; ").explode()
    print(reasons.str.replace(r"[-\d.]+", "#", regex=True).value_counts().head(8).to_string())

    checks = et.check_leads(fakes)
    flagged = checks[[c for c in checks.columns if str(checks[c].dtype) in ("bool", "boolean")]]
    print("\nLead checks on the fakes (share of records):")
    print(flagged.mean().round(3).to_string())

    t0 = time.perf_counter()
    result = et.compare(ref, (table, beats), labels=("real normal adults", "DeepFake"))
    t_compare = time.perf_counter() - t0
    print(f"\nComparison with {ref.name} ({len(ref.table)} records), {t_compare:.1f} s:")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(result.table.loc[[k for k in KEY if k in result.table.index], COLUMNS].round(3))
    n_diff = int(result.table["different"].sum())
    print(f"features different: {n_diff} of {len(result.table)}")
    print(result.distances.round(4).to_string())
    print(result.qt_rr.round(3).to_string())
    memo = result.memorisation
    print(f"memorisation: {int(memo['flag'].sum())} of {len(memo)} fakes flagged")
    print("\nPublished (GE MUSE 12SL, another ruler, for display only):")
    print(PUBLISHED.to_string())
    print("\n" + result.summary())
    result.to_html(OUT / "realism_report.html", overwrite=True)

    t0 = time.perf_counter()
    accepted = et.generate(n, seed=11, accept="normal")
    t_acc = time.perf_counter() - t0
    acc = accepted.meta["acceptance"]
    print(
        f"\naccept='normal': {acc['passed']} of {acc['candidates']} candidates passed "
        f"(acceptance rate {acc['rate']:.1%}), {t_acc:.1f} s for {n} accepted"
    )
    after = et.compare(ref, accepted, labels=("real normal adults", "DeepFake, normal only"))
    print(f"after the filter: features different {int(after.table['different'].sum())}")
    print(after.distances.round(4).to_string())
    print(after.summary())
    np.save(OUT / "realism_fake_ids.npy", accepted.meta["record_ids"])


if __name__ == "__main__":
    main()
