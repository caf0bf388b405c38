"""Hostile cases of judging ECGs (issue 16, item 4): compare, interpret, reasons, demo."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.cli import main
from ecgtoolkit.cli.demo import _real_group, measure_folder
from ecgtoolkit.databases import load_reference
from ecgtoolkit.io import FolderSource
from ecgtoolkit.measurement import record as record_module
from ecgtoolkit.measurement.record import empty_result, row_columns, safe_record
from ecgtoolkit.measurement.sources import record_notes


def table(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """A measure()-like table of 12 correlated features; ``shift`` in SDs on three."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    z = 0.5 * common + np.sqrt(0.75) * rng.normal(size=(n, 12))
    z[:, :3] += shift
    names = ["heart_rate", "pr_ms", "qrs_ms", "qt_ms", "p_axis_deg", "qrs_axis_deg"]
    names += [f"r_amp_mv_{lead}" for lead in ("I", "II", "V1", "V2", "V5", "V6")]
    out = pd.DataFrame(z * 10 + 100, columns=names)
    out["status"] = "ok"
    return out


def auc(result: et.Comparison) -> tuple[float, float, float]:
    d = result.distances
    return d["c2st_auc"], d["c2st_ci_low"], d["c2st_ci_high"]


# --- the classifier two-sample test of identical groups ---------------------------------


def test_a_table_against_itself_is_indistinguishable():
    same = table(200, 1)
    value, low, high = auc(et.compare(same, same))
    # Before: 0.26 (CI 0.22–0.31): each record's twin trained the model with the
    # other label in another fold.
    assert value == pytest.approx(0.5, abs=0.02)
    assert low <= 0.5 <= high


def test_the_reference_against_itself_is_indistinguishable():
    result = et.compare("normal-adults", "normal-adults")
    value, low, high = auc(result)
    assert value == pytest.approx(0.5, abs=0.02)  # before: 0.01 (CI 0.00–0.02)
    assert low <= 0.5 <= high
    assert any("36 fake records are near-copies of real records" in n for n in result.notes)


@pytest.mark.parametrize("jitter_sd", [1e-6, 0.05])
def test_near_identical_groups_are_indistinguishable(jitter_sd):
    real = table(150, 2)
    fake = real.copy()
    numeric = fake.columns.drop("status")
    noise = np.random.default_rng(3).normal(size=(len(fake), len(numeric)))
    fake[numeric] += jitter_sd * real[numeric].std().to_numpy() * noise
    value, low, high = auc(et.compare(real, fake))
    assert 0.4 <= value <= 0.6  # before: 0.23 (CI 0.18–0.28) for both
    assert low <= 0.5 <= high


def test_independent_and_different_groups_keep_their_auc():
    same = auc(et.compare(table(150, 4), table(150, 5)))
    different = et.compare(table(150, 6), table(150, 7, shift=1.0))
    assert 0.35 <= same[0] <= 0.65 and same[1] <= 0.5 <= same[2]
    assert auc(different)[0] > 0.8 and auc(different)[1] > 0.7
    # Independent records are near-copies only by chance (about 1%).
    copies = [int(n.split()[0]) for n in different.notes if "near-copies" in n]
    assert sum(copies) <= 5


def test_identical_groups_with_a_constant_feature():
    same = table(60, 8)
    same["n_leads_used"] = 12.0  # constant in both groups: left out, not a degenerate fit
    result = et.compare(same, same)
    assert auc(result)[0] == pytest.approx(0.5, abs=0.02)  # before: 0.10
    assert "n_leads_used" not in result.table.index
    fake = same.copy()
    fake.loc[:4, "n_leads_used"] = 11.0  # constant in real only: compared, still no crash
    value = auc(et.compare(same, fake))[0]
    assert 0.4 <= value <= 0.7


def test_the_same_ecgs_as_both_groups_are_indistinguishable():
    batch = et.generate(6, seed=11, progress=False)
    value, low, high = auc(et.compare(batch, batch))
    assert value == pytest.approx(0.5, abs=0.02)  # before: 0.00 (CI 0.00–0.00)
    assert low <= 0.5 <= high


# --- a reference against a plain measurement table ---------------------------------------


def test_reference_against_a_plain_table():
    plain = load_reference("normal-adults").table.drop(columns=["database"])
    for real, fake in (("normal-adults", plain), (plain, "normal-adults")):
        # Before: "give both real_beats and fake_beats, or neither".
        result = et.compare(real, fake)
        assert np.isnan(result.distances["mmd_p"])
        assert result.memorisation.attrs["space"] == "standardised features"
        assert any(n.startswith("median beats only for") for n in result.notes)


def test_reference_against_what_measure_source_returns():
    measured = et.measure_source(et.generate(6, seed=12, progress=False), n_jobs=1, progress=False)
    result = et.compare("normal-adults", measured)
    assert result.distances["n_real"] == 36 and result.distances["n_fake"] == 6
    assert "median beats only for real: MMD not computed" in " ".join(result.notes)


def test_beats_given_for_one_group_only_are_still_refused():
    beats = load_reference("normal-adults").beats
    plain = load_reference("normal-adults").table
    with pytest.raises(ValueError, match="real_beats was given but fake has no median beats"):
        et.compare(plain, plain, real_beats=beats)


def test_records_without_a_median_beat_leave_the_others_compared():
    ref = load_reference("normal-adults")
    beats = ref.beats.copy()
    beats[:6] = np.nan  # measured, status ok, but no dominant beat (a 2.2 s record)
    # Before: every lead-time sample was NaN in more than 5% of the records: ValueError.
    result = et.compare(ref, (ref.table, beats))
    assert np.isfinite(result.distances["mmd_p"])
    assert "6 fake records without a median beat left out" in " ".join(result.notes)
    assert len(result.memorisation) == 30


# --- interpretation of rows that hold no measurement -------------------------------------


def unmeasured_row(status: str = "ok") -> pd.Series:
    values = dict.fromkeys(row_columns(("I", "II", "V1", "V5", "V6"), physiology=True), np.nan)
    return pd.Series({**values, "unusable_leads": "", "status": status, "reason": ""}, dtype=object)


def test_an_all_nan_row_with_status_ok_is_not_interpreted():
    said = et.interpret(unmeasured_row())
    # Before: "other: regular rhythm without P waves (found before nan% of beats):
    # junctional, paced, ...".
    assert said["rhythm"] == "" and said["axis"] == "not measurable" and said["conduction"] == ""
    assert not said["wide_qrs"] and not said["first_degree_av_block"]
    assert said["reasons"] == "not interpreted: nothing was measured (every value is NaN)"
    verdict = et.is_normal(unmeasured_row())
    assert not verdict["normal"] and verdict["reasons"] == said["reasons"]


def test_unmeasured_rows_in_a_table_whatever_their_status():
    rows = pd.DataFrame([unmeasured_row(), unmeasured_row("unusable")], index=["a", "b"])
    said = et.interpret(rows)
    assert said["rhythm"].tolist() == ["", ""]
    assert said.at["b", "reasons"].startswith("not interpreted: measurement status 'unusable'")


def test_a_row_with_some_nans_is_interpreted_as_far_as_it_goes():
    row = unmeasured_row()
    row[["heart_rate", "p_wave_share", "rr_irregularity", "qrs_ms"]] = [72.0, 1.0, 0.02, 96.0]
    said = et.interpret(row)
    assert said["rhythm"] == "sinus rhythm" and said["axis"] == "not measurable"
    row["p_wave_share"] = np.nan  # unknown P waves are not "no P waves"
    said = et.interpret(row)
    assert said["rhythm"] == ""
    assert said["reasons"] == "rhythm not determined: p_wave_share not measured"


# --- third-party warnings never reach a record's reason ----------------------------------


def write_wfdb_folder(folder: Path, n: int, seed: int) -> None:
    folder.mkdir()
    for i, ecg in enumerate(et.generate(n, seed=seed, progress=False)):
        et.write(ecg, folder / f"r{i}.hea")


@pytest.mark.parametrize("flags", [[], ["-W", "error::DeprecationWarning"]])
def test_measure_source_in_a_fresh_process_keeps_library_warnings_out(tmp_path, flags):
    folder = tmp_path / "wfdb"
    write_wfdb_folder(folder, 3, seed=13)
    code = (
        "import sys, ecgtoolkit as et\n"
        "t = et.measure_source(sys.argv[1], n_jobs=1, progress=False)\n"
        "print(repr(t['status'].tolist())); print(repr(t['reason'].tolist()))\n"
    )
    done = subprocess.run(
        [sys.executable, *flags, "-c", code, str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    status, reasons = done.stdout.strip().splitlines()[-2:]
    # Before: record 0's reason was pandas' "The inplace keyword in
    # DataFrame.set_index is deprecated ..." (twice), raised when wfdb is first imported.
    assert status == repr(["ok", "ok", "ok"])
    assert reasons == repr(["", "", ""])


def test_ludb_records_keep_their_reader_notes_only(tmp_path, data_dir):
    folder = tmp_path / "ludb"
    folder.mkdir()
    for stem in ("1", "2"):
        for suffix in (".hea", ".dat"):
            (folder / f"{stem}{suffix}").write_bytes(
                (data_dir / "ludb" / f"{stem}{suffix}").read_bytes()
            )
    code = (
        "import json, sys, ecgtoolkit as et\n"
        "t = et.measure_source(sys.argv[1], n_jobs=1, progress=False)\n"
        "print(json.dumps(t['reason'].tolist()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True
    )
    reasons = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(reasons) == 2
    for stem, reason in zip(("1", "2"), reasons, strict=True):
        # LUDB 1.0.1 stores each lead normalised on its own: the reader's note stays.
        assert reason.startswith(f"read: WFDB record '{stem}': every lead's gain equals")
        assert "deprecated" not in reason and reason.count("read: ") == 1


def test_record_notes_keep_the_toolkits_own_warnings_only():
    own = str(Path(et.__file__).parent / "io" / "_wfdb.py")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn_explicit("inplace is deprecated", DeprecationWarning, "/x/pandas/frame.py", 1)
        warnings.warn_explicit("left out channels", UserWarning, own, 1)
        warnings.warn_explicit("left out channels", UserWarning, own, 1)
        warnings.warn_explicit("header oddity", UserWarning, "/x/wfdb/io/record.py", 1)
    assert record_notes(caught) == ["left out channels"]


class WarningFolder(FolderSource):
    """A folder whose reader meets a library's deprecation, and notes one of its own."""

    def read(self, name: str) -> et.ECG:
        warnings.warn_explicit(
            "The inplace keyword is deprecated", DeprecationWarning, "/site-packages/pd.py", 9
        )
        warnings.warn_explicit(
            f"{name}: a note", UserWarning, str(Path(et.__file__).parent / "io" / "x.py"), 1
        )
        return super().read(name)


def test_measure_source_keeps_reader_notes_and_drops_library_warnings(tmp_path):
    folder = tmp_path / "wfdb"
    write_wfdb_folder(folder, 2, seed=14)
    measured = et.measure_source(WarningFolder(folder), n_jobs=1, progress=False)
    assert measured["status"].tolist() == ["ok", "ok"]
    assert measured["reason"].tolist() == ["read: r0.hea: a note", "read: r1.hea: a note"]


def test_a_warning_while_measuring_is_no_reason(monkeypatch):
    def measure_with_a_warning(x, fs, leads, physiology=False, convention="consistent-leads"):
        warnings.warn("numpy.something is deprecated", DeprecationWarning, stacklevel=1)
        return empty_result(leads, "ok", "")

    monkeypatch.setattr(record_module, "measure_record", measure_with_a_warning)
    x = np.zeros((2, 5000))
    with pytest.warns(DeprecationWarning, match="numpy.something"):
        row, _ = safe_record(x, 500.0, ("I", "II"))
    assert row["status"] == "ok" and row["reason"] == ""
    # Under an "error" filter (-W error, pytest's filterwarnings = error) the record
    # became status "error" with reason "DeprecationWarning: numpy.something is ...";
    # now the warning reaches the caller as the filter asks, and no reason is made of it.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DeprecationWarning, match="numpy.something"):
            safe_record(x, 500.0, ("I", "II"))


# --- the demo's own real records ---------------------------------------------------------

MUSE_STORED = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")


def muse_xml(ecg: et.ECG) -> str:
    """A minimal GE MUSE RestingECG export of ``ecg`` (500 Hz, 4.88 µV per bit)."""
    leads = []
    for name in MUSE_STORED:
        digital = np.rint(ecg[name] * 1000 / 4.88).astype("<i2")
        leads.append(
            f"<LeadData><LeadSampleCountTotal>{digital.size}</LeadSampleCountTotal>"
            "<LeadAmplitudeUnitsPerBit>4.88</LeadAmplitudeUnitsPerBit>"
            f"<LeadAmplitudeUnits>MICROVOLTS</LeadAmplitudeUnits><LeadID>{name}</LeadID>"
            f"<WaveFormData>{base64.b64encode(digital.tobytes()).decode()}</WaveFormData>"
            "</LeadData>"
        )
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?><RestingECG><Waveform>'
        "<WaveformType>Rhythm</WaveformType><SampleBase>500</SampleBase>"
        f"{''.join(leads)}</Waveform></RestingECG>"
    )


def demo_folder(folder: Path, n_good: int) -> Path:
    """``n_good`` WFDB records, one MUSE xml, a broken CSV, a 1.5 s record and a 2.2 s
    record without a median beat (measured with status ok, its beat all NaN)."""
    special = et.generate(3, seed=15, progress=False)
    folder.mkdir()
    for i, ecg in enumerate(et.generate(n_good, seed=16, progress=False)):
        et.write(ecg, folder / f"r{i}.hea")
    (folder / "muse.xml").write_text(muse_xml(special[0]), encoding="latin-1")
    (folder / "broken.csv").write_text("not,an\necg,file\n")
    for name, k, n_samples in (("short", 2, 750), ("no_beat", 1, 1100)):
        cut = et.ECG(special[k].signal[:, :n_samples], fs=500.0, leads=special.leads)
        et.write(cut, folder / f"{name}.hea")
    return folder


def test_the_demo_measures_every_readable_record_and_says_why_not_the_others(tmp_path):
    folder = demo_folder(tmp_path / "real", n_good=2)
    measured, beats, skipped, _ = measure_folder(folder, progress=False)
    assert sorted(measured.index) == ["muse.xml", "no_beat.hea", "r0.hea", "r1.hea"]
    assert beats.shape[0] == 4 and np.isnan(beats[measured.index.get_loc("no_beat.hea")]).all()
    assert skipped[0].startswith("broken.csv: skipped (cannot read: ValueError:")
    assert skipped[1] == (
        "short.hea: skipped (record lasts 1.50 s; at least 2 s (1000 samples at 500 Hz) are needed)"
    )
    group, lines = _real_group(folder)
    assert group is None  # 4 records: too few to compare, the demo goes on without them
    assert lines[0] == "Real records (real): 4 of 6 measured and compared."
    assert lines[1] == "Left out 2 of 6 records:"
    assert lines[-1] == (
        "A comparison needs at least 5 measured records: the report compares with the "
        "embedded real normal adults only."
    )


@pytest.mark.slow
def test_demo_with_a_muse_file_a_short_and_a_bad_one_finishes(tmp_path, capsys):
    folder = demo_folder(tmp_path / "real", n_good=4)
    out = tmp_path / "out"
    # Before: "ecgtoolkit: error: every lead-time sample of the beats is NaN in more than
    # 5% of the compared records" after all the work, exit status 1.
    assert main(["demo", "-o", str(out), "-n", "5", "--real", str(folder)]) == 0
    printed = capsys.readouterr().out
    assert "Against your records (real) (6)" in printed
    assert "Real records (real): 6 of 8 measured and compared." in printed
    assert "  short.hea: skipped (record lasts 1.50 s" in printed
    assert "  broken.csv: skipped (cannot read" in printed
    assert (out / "report.html").exists()
