"""measure, measure_leads, amplitudes (ecgtoolkit/measurement/measure.py, record.py,
intervals.py, batch.py): global intervals, QTc, axes, amplitudes, batches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecgtoolkit import ECG, STANDARD_LEADS
from ecgtoolkit.measurement.intervals import qtc
from ecgtoolkit.measurement.measure import (
    AMPLITUDE_WAVES,
    GLOBAL_COLUMNS,
    LEAD_COLUMNS,
    amplitudes,
    measure,
    measure_leads,
)
from ecgtoolkit.signal.synthetic import known_interval_record

FS = 500.0
RR = 0.8  # s: 75 bpm
# Known timing (s from the R peak) of Hann-pulse waves: PR 160 ms, QRS 90 ms, QT 400 ms.
P_ON, P_OFF, QRS_ON, QRS_OFF, T_ON, T_OFF = -0.20, -0.10, -0.04, 0.05, 0.14, 0.36


def _hann(t, onset, duration, height):
    x = (t - onset) / duration
    return height * np.where((x >= 0) & (x <= 1), 0.5 - 0.5 * np.cos(2 * np.pi * x), 0.0)


def _waveform(t, beats, scale=1.0):
    """A beat train whose waves all share one polarity pattern, scaled by ``scale``."""
    x = np.zeros_like(t)
    for b in beats:
        x += _hann(t, b + P_ON, P_OFF - P_ON, 0.15) + _hann(t, b + QRS_ON, 0.02, -0.1)
        x += _hann(t, b - 0.02, 0.04, 1.2) + _hann(t, b + 0.02, QRS_OFF - 0.02, -0.2)
        x += _hann(t, b + T_ON, T_OFF - T_ON, 0.35)
    return scale * x


def _dipole_record(axis_deg: float, duration: float = 10.0) -> ECG:
    """Limb leads of a heart vector pointing at ``axis_deg`` (Einthoven triangle) plus V2."""
    t = np.arange(int(duration * FS)) / FS
    beats = np.arange(0.6, duration - 0.5, RR)
    w = _waveform(t, beats)
    theta = np.radians(axis_deg)
    lead_i = np.cos(theta) * w
    lead_ii = np.cos(theta - np.radians(60)) * w
    return ECG(
        np.stack([lead_i, lead_ii, lead_ii - lead_i, 0.8 * w]),
        fs=FS,
        leads=["I", "II", "III", "V2"],
    )


@pytest.fixture(scope="module")
def synthetic() -> pd.Series:
    return measure(_dipole_record(60.0))


def test_series_holds_the_documented_columns(synthetic):
    assert isinstance(synthetic, pd.Series)
    for column in (
        *GLOBAL_COLUMNS,
        "unusable_leads",
        "status",
        "reason",
        "r_amp_mv_II",
        "st60_amp_mv_V2",
        "p_amp_mv_I",
    ):
        assert column in synthetic.index
    assert synthetic["status"] == "ok"


def test_rate_and_intervals_of_constructed_record(synthetic):
    assert synthetic["heart_rate"] == pytest.approx(75.0, abs=0.2)
    assert synthetic["rr_mean_ms"] == pytest.approx(800.0, abs=2)
    assert synthetic["rr_sd_ms"] < 3
    assert synthetic["pr_ms"] == pytest.approx(1000 * (QRS_ON - P_ON), abs=20)
    assert synthetic["qrs_ms"] == pytest.approx(1000 * (QRS_OFF - QRS_ON), abs=20)
    assert synthetic["qt_ms"] == pytest.approx(1000 * (T_OFF - QRS_ON), abs=30)


def test_qt_is_not_set_by_one_lead_with_a_late_t_end():
    # Five leads with a T end 400 ms after QRS onset and one whose T wave (a U wave, a
    # misplaced end) lasts 150 ms longer: the global QT follows the five.
    t = np.arange(int(10 * FS)) / FS
    beats = np.arange(0.6, 9.6, RR)
    late = np.zeros_like(t)
    for b in beats:
        late += _hann(t, b + QRS_ON, 0.02, -0.1) + _hann(t, b - 0.02, 0.04, 1.2)
        late += _hann(t, b + 0.02, QRS_OFF - 0.02, -0.2)
        late += _hann(t, b + T_ON, T_OFF - T_ON + 0.15, 0.35)
    signal = np.stack([_waveform(t, beats, g) for g in (1.0, 0.8, 0.6, 1.2, 0.9)] + [late])
    m = measure(ECG(signal, fs=FS, leads=["I", "II", "V1", "V2", "V3", "V4"]))
    assert m["qt_ms"] == pytest.approx(1000 * (T_OFF - QRS_ON), abs=30)


def test_amplitudes_of_constructed_record(synthetic):
    # Lead II of a 60° dipole carries the full waveform: R 1.2 mV, T 0.35, P 0.15 mV.
    assert synthetic["r_amp_mv_II"] == pytest.approx(1.2, abs=0.1)
    assert synthetic["t_amp_mv_II"] == pytest.approx(0.35, abs=0.05)
    assert synthetic["p_amp_mv_II"] == pytest.approx(0.15, abs=0.03)
    assert synthetic["s_amp_mv_II"] < -0.1
    assert synthetic["st60_amp_mv_II"] == pytest.approx(0.0, abs=0.05)


@pytest.mark.parametrize("axis", [-45.0, 0.0, 60.0, 100.0])
def test_frontal_axes_of_a_dipole(axis):
    m = measure(_dipole_record(axis))
    for column in ("p_axis_deg", "qrs_axis_deg", "t_axis_deg"):
        assert m[column] == pytest.approx(axis, abs=5), column


def test_qtc_formulas_known_values():
    at_60 = qtc(400.0, 1.0, 60.0)
    assert all(v == pytest.approx(400.0) for v in at_60.values())
    fast = qtc(360.0, 0.64, 93.75)
    assert fast["qtc_bazett_ms"] == pytest.approx(450.0)  # 360 / 0.8
    assert fast["qtc_fridericia_ms"] == pytest.approx(360.0 / 0.64 ** (1 / 3))
    assert fast["qtc_framingham_ms"] == pytest.approx(360.0 + 154.0 * 0.36)
    assert fast["qtc_hodges_ms"] == pytest.approx(360.0 + 1.75 * 33.75)


def test_a_bad_lead_is_left_out_and_listed():
    x = _dipole_record(60.0).signal.copy()
    clean = measure(ECG(x, fs=FS, leads=["I", "II", "III", "V2"]))
    x[0, 10] = np.nan
    m = measure(ECG(x, fs=FS, leads=["I", "II", "III", "V2"]))
    assert m["status"] == "ok" and m["unusable_leads"] == "I"
    assert np.isnan(m["r_amp_mv_I"]) and np.isfinite(m["r_amp_mv_II"])
    for key in ("heart_rate", "pr_ms", "qrs_ms", "qt_ms", "qrs_axis_deg"):
        assert m[key] == pytest.approx(clean[key], abs=2), key


def test_records_without_a_usable_ecg_say_why():
    x = _dipole_record(60.0).signal
    m = measure(ECG(1000 * x, fs=FS, leads=["I", "II", "III", "V2"]))
    assert m["status"] == "unusable" and "units='uV'" in m["reason"]
    assert np.isnan(m["heart_rate"]) and np.isnan(m["qt_ms"])
    with pytest.raises(TypeError, match="ecgtoolkit.ECG"):
        measure(x)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 2 s"):
        measure(ECG(x[:, :500], fs=FS, leads=["I", "II", "III", "V2"]))


def test_axes_need_two_limb_leads():
    x = _dipole_record(60.0).signal
    m = measure(ECG(x[[1, 3]], fs=FS, leads=["MLII", "V2"]))
    assert m["status"] == "ok" and np.isfinite(m["qt_ms"])
    assert np.isnan(m["qrs_axis_deg"]) and "two usable limb leads" in m["reason"]


@pytest.mark.parametrize("n_leads", [1, 2, 12])
@pytest.mark.parametrize("fs", [250.0, 500.0, 1000.0])
def test_known_intervals_in_one_two_and_twelve_leads(n_leads, fs):
    # Before, fixed shifts fitted to LUDB's 12 experts moved every onset and offset out:
    # a 90 ms QRS measured 102 ms with 1, 2 or 12 leads.
    # The built T wave is a half sine that stops dead at 400 ms, an end no expert marked:
    # networks of the same recipe put it 4-7 ms late (the issue-20 networks +6 to +7 at
    # 500 and 1000 Hz), while on expert-marked T waves (cross-validated) they are unbiased.
    ecg, truth = known_interval_record(fs, n_leads, 1.0, np.random.default_rng(4))
    m = measure(ecg)
    for key, limit in (("pr_ms", 4.0), ("qrs_ms", 4.0), ("qt_ms", 8.0)):
        assert m[key] == pytest.approx(truth[key], abs=limit), key
    # With every other lead inverted (the only lead, for one lead), the network ends an
    # inverted T wave up to 8 ms late: a known limitation, checked so it cannot grow.
    ecg, truth = known_interval_record(fs, n_leads, -1.0, np.random.default_rng(4))
    m = measure(ecg)
    for key, limit in (("pr_ms", 4.0), ("qrs_ms", 4.0), ("qt_ms", 10.0)):
        assert m[key] == pytest.approx(truth[key], abs=limit), key


def test_one_noise_lead_does_not_move_the_global_intervals():
    ecg, _ = known_interval_record(FS, 12, 1.0, np.random.default_rng(5))
    clean = measure(ecg)
    rng = np.random.default_rng(6)
    for lead in (0, 6, 11):
        x = ecg.signal.copy()
        x[lead] = rng.normal(0, 0.5, x.shape[1])
        m = measure(ECG(x, fs=FS, leads=ecg.leads))
        assert m["unusable_leads"] == ecg.leads[lead]
        for key in ("pr_ms", "qrs_ms", "qt_ms"):
            assert m[key] == pytest.approx(clean[key], abs=5.0), key
    hum = 0.2 * np.sin(2 * np.pi * 60.0 * ecg.times)
    m = measure(ECG(ecg.signal + hum, fs=FS, leads=ecg.leads))
    for key in ("pr_ms", "qrs_ms", "qt_ms"):
        assert m[key] == pytest.approx(clean[key], abs=5.0), key


def test_heart_rate_ignores_partial_complexes_at_the_edges():
    ecg, _ = known_interval_record(FS, 2, 1.0, np.random.default_rng(8))
    x = ecg.signal.copy()
    # A QRS cut by the record's end, 0.6 s after the last beat (the LUDB record 2 case).
    x[:, -12:] += np.linspace(0, 1.0, 12)
    m = measure(ECG(x, fs=FS, leads=ecg.leads))
    assert m["heart_rate"] == pytest.approx(75.0, abs=0.2)


def test_measure_leads_gives_each_lead_on_its_own():
    ecg, truth = known_interval_record(FS, 12, -1.0, np.random.default_rng(9))
    x = ecg.signal.copy()
    x[3] = np.random.default_rng(1).normal(0, 0.4, x.shape[1])
    table = measure_leads(ECG(x, fs=FS, leads=ecg.leads))
    assert table.columns.tolist() == ["lead", *LEAD_COLUMNS]
    assert table.lead.tolist() == list(ecg.leads)
    assert table.usable.tolist() == [i != 3 for i in range(12)]
    assert table.loc[3, ["p_ms", "pr_ms", "qrs_ms", "qt_ms"]].isna().all()
    good = table[table.usable]
    for key, limit in (("pr_ms", 6), ("qrs_ms", 6), ("qt_ms", 10), ("p_ms", 6)):
        assert (good[key] - truth[key]).abs().max() <= limit, key
    batch = measure_leads(ECG(np.stack([x, ecg.signal]), fs=FS, leads=ecg.leads), progress=False)
    assert batch.columns[0] == "record_id" and len(batch) == 24


def _batch_records() -> ECG:
    good = _dipole_record(45.0).signal
    bad = good.copy()
    bad[2, :] = np.nan
    noise = np.random.default_rng(3).normal(0, 0.5, good.shape)
    return ECG(np.stack([good, bad, noise]), fs=FS, leads=["I", "II", "III", "V2"])


def test_batch_gives_one_row_per_record_and_reasons():
    batch = _batch_records()
    table = measure(batch, n_jobs=1, progress=False)
    assert isinstance(table, pd.DataFrame) and len(table) == 3
    assert table.status.tolist() == ["ok", "ok", "unusable"]
    assert table.unusable_leads.tolist() == ["", "III", "I, II, III, V2"]
    assert "no usable lead" in table.reason[2] and "no QRS complexes" in table.reason[2]
    assert np.isnan(table.qt_ms[2]) and np.isfinite(table.qt_ms[1])
    single = measure(batch[0])
    assert table.qt_ms[0] == pytest.approx(single["qt_ms"])


def test_small_batches_start_no_worker_process(monkeypatch):
    import loky

    def refuse(*args, **kwargs):
        raise AssertionError("a worker pool was started for a small batch")

    monkeypatch.setattr(loky, "get_reusable_executor", refuse)
    table = measure(_batch_records(), progress=False)  # all cores allowed
    assert len(table) == 3


def test_parallel_batch_equals_serial(monkeypatch):
    import ecgtoolkit.measurement.batch as module

    records = [_dipole_record(a).signal for a in (-30.0, 0.0, 45.0, 90.0)]
    batch = ECG(np.stack(records * 3), fs=FS, leads=["I", "II", "III", "V2"])
    serial = measure(batch, n_jobs=1, progress=False)
    monkeypatch.setattr(module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(module, "CHUNK", 1)
    parallel = measure(batch, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(parallel, serial)


@pytest.mark.slow
def test_batch_in_a_plain_script_without_main_guard(tmp_path):
    # Spawned workers used to re-run the script: BrokenProcessPool without a guard.
    import subprocess
    import sys

    script = tmp_path / "measure_batch.py"
    script.write_text(
        "import numpy as np\n"
        "import ecgtoolkit as et\n"
        "from ecgtoolkit.signal.synthetic import known_interval_record\n"
        "ecg, _ = known_interval_record(500.0, 2, 1.0, np.random.default_rng(0))\n"
        "batch = et.ECG(np.stack([ecg.signal] * 60), fs=500, leads=ecg.leads)\n"
        "table = et.measure(batch, n_jobs=2, progress=False)\n"
        "print('statuses', sorted(set(table.status)), len(table))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "statuses ['ok'] 60" in done.stdout


def test_ludb_heart_rate_and_intervals(data_dir):
    wfdb = pytest.importorskip("wfdb")
    path = str(data_dir / "ludb" / "1")
    rec = wfdb.rdrecord(path)
    ann = wfdb.rdann(path, "ii")
    r = np.array([s for s, y in zip(ann.sample, ann.symbol, strict=True) if y == "N"])
    m = measure(ECG(rec.p_signal.T, fs=rec.fs, leads=rec.sig_name))
    assert m["heart_rate"] == pytest.approx(60 * rec.fs / np.diff(r).mean(), abs=1.0)
    assert 80 <= m["qrs_ms"] <= 130
    assert 100 <= m["pr_ms"] <= 220
    assert 380 <= m["qt_ms"] <= 520


def test_amplitudes_long_table_matches_the_wide_columns(synthetic):
    table = amplitudes(synthetic)
    leads = ["I", "II", "III", "V2"]
    assert table.columns.tolist() == ["record_id", "lead", "wave", "amplitude_mv"]
    assert len(table) == len(leads) * len(AMPLITUDE_WAVES)
    assert table.lead.unique().tolist() == leads
    for row in table.itertuples():
        expected = synthetic[f"{row.wave}_amp_mv_{row.lead}"]
        assert row.amplitude_mv == pytest.approx(expected, nan_ok=True)
    # Known answer: lead II carries the waveform scaled by cos(0) = 1 at a 60° axis.
    r_ii = table[(table.lead == "II") & (table.wave == "r")].amplitude_mv.item()
    assert r_ii == pytest.approx(1.2, abs=0.1)


def test_amplitudes_of_a_batch_keep_the_record_index():
    batch = ECG(
        np.stack([_dipole_record(0.0).signal, _dipole_record(75.0).signal]),
        fs=FS,
        leads=["I", "II", "III", "V2"],
    )
    table = amplitudes(measure(batch, n_jobs=1, progress=False))
    per_record = 4 * len(AMPLITUDE_WAVES)  # four leads
    assert table.record_id.tolist() == [0] * per_record + [1] * per_record
    r_i = table[(table.lead == "I") & (table.wave == "r")].set_index("record_id").amplitude_mv
    # Lead I sees the heart vector's projection: cos(0°) and cos(75°) of it.
    assert r_i[0] == pytest.approx(1.2, abs=0.1)
    assert r_i[1] == pytest.approx(1.2 * np.cos(np.radians(75.0)), abs=0.1)


def test_amplitudes_rejects_other_tables():
    with pytest.raises(ValueError, match="ecgtoolkit.measure"):
        amplitudes(pd.DataFrame({"qt_ms": [400.0]}))


@pytest.mark.parametrize("fs", [250.0, 500.0, 1000.0])
@pytest.mark.parametrize("n_leads", [1, 12])
def test_median_beat_convention_on_known_intervals(fs, n_leads):
    """PR 160, QRS 90, QT 400 ms: the spatial boundaries of the 40 Hz median beat sit a
    few ms outside the sharp corners of the built waves."""
    ecg, truth = known_interval_record(fs, n_leads, -1.0, np.random.default_rng(0))
    row = measure(ecg, convention="median-beat")
    assert abs(row["pr_ms"] - truth["pr_ms"]) <= 10
    assert abs(row["qrs_ms"] - truth["qrs_ms"]) <= 15
    assert abs(row["qt_ms"] - truth["qt_ms"]) <= 15
    assert row.attrs["convention"] == "median-beat"


def test_convention_changes_only_the_global_intervals():
    ecg, _ = known_interval_record(500.0, 12, 1.0, np.random.default_rng(1))
    batch = ECG(np.stack([ecg.signal, 0.8 * ecg.signal]), fs=500.0, leads=list(ecg.leads))
    default = measure(batch, progress=False)
    spatial = measure(batch, progress=False, convention="median-beat")
    assert default.attrs["convention"] == "consistent-leads"
    assert spatial.attrs["convention"] == "median-beat"
    changed = {"pr_ms", "qrs_ms", "qt_ms"} | {c for c in default.columns if c.startswith("qtc_")}
    same = [c for c in default.columns if c not in changed]
    pd.testing.assert_frame_equal(default[same], spatial[same])
    assert not np.allclose(default["qrs_ms"], spatial["qrs_ms"])


def test_unknown_convention_is_refused():
    ecg, _ = known_interval_record(500.0, 2, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="median-beat"):
        measure(ecg, convention="12SL")


def _vector_record(qrs_vector, t_vector) -> ECG:
    """Twelve leads whose QRS complexes and T waves are two fixed heart vectors (X, Y, Z).

    I, II and V1-V6 are the smallest leads that Kors's matrix turns back into exactly
    these vectors; III, aVR, aVL and aVF follow by Einthoven's and Goldberger's laws.
    """
    from ecgtoolkit.signal.vcg import vcg_matrix

    t = np.arange(int(10 * FS)) / FS
    beats = np.arange(0.6, 9.5, RR)
    qrs = sum(_hann(t, b - 0.02, 0.04, 1.2) + _hann(t, b + 0.02, 0.03, -0.2) for b in beats)
    p = sum(_hann(t, b + P_ON, P_OFF - P_ON, 0.15) for b in beats)
    tw = sum(_hann(t, b + T_ON, T_OFF - T_ON, 0.35) for b in beats)
    preimage = np.linalg.pinv(vcg_matrix("kors"))  # (8, 3)
    q_leads = preimage @ np.asarray(qrs_vector, float)
    t_leads = preimage @ np.asarray(t_vector, float)
    eight = np.outer(q_leads, qrs) + np.outer(t_leads, tw) + np.outer(np.abs(q_leads), p)
    lead_i, lead_ii = eight[0], eight[1]
    limb = [lead_ii - lead_i, -(lead_i + lead_ii) / 2, lead_i - lead_ii / 2, lead_ii - lead_i / 2]
    x = np.vstack([lead_i, lead_ii, *limb, eight[2:]])
    return ECG(x, fs=FS, leads=list(STANDARD_LEADS))


@pytest.mark.parametrize(
    "t_vector",
    [(0.4, 0.24, 0.12), (1.0, 0.6, -0.3), (0.2, -0.5, 0.4), (-0.4, -0.2, -0.1)],
    ids=["parallel", "narrow", "wide", "opposite"],
)
def test_spatial_qrs_t_angle_between_known_vectors(t_vector):
    qrs_vector = (1.0, 0.6, 0.3)
    row = measure(_vector_record(qrs_vector, t_vector))
    a, b = np.asarray(qrs_vector), np.asarray(t_vector)
    expected = np.degrees(np.arccos(a @ b / np.linalg.norm(a) / np.linalg.norm(b)))
    assert row["qrs_t_angle_deg"] == pytest.approx(expected, abs=3.0)  # measured: within 1°


def test_spatial_qrs_t_angle_needs_the_chest_leads(synthetic):
    # The dipole record has limb leads and V2 only: frontal axes, but no spatial angle.
    assert np.isfinite(synthetic["qrs_axis_deg"])
    assert np.isnan(synthetic["qrs_t_angle_deg"])


@pytest.mark.parametrize(
    "qrs_vector",
    [(1.0, 0.6, 0.3), (0.5, 0.8, -0.6), (-0.3, -0.7, 0.2)],
    ids=["left-inferior-posterior", "inferior-anterior", "right-superior"],
)
def test_spatial_qrs_axis_of_a_known_vector(qrs_vector):
    x, y, z = qrs_vector
    row = measure(_vector_record(qrs_vector, (0.4, 0.24, 0.12)))
    assert row["qrs_azimuth_deg"] == pytest.approx(np.degrees(np.arctan2(z, x)), abs=3.0)
    elevation = np.degrees(np.arctan2(y, np.hypot(x, z)))
    assert row["qrs_elevation_deg"] == pytest.approx(elevation, abs=3.0)


def test_spatial_qrs_axis_needs_the_chest_leads(synthetic):
    assert np.isnan(synthetic["qrs_azimuth_deg"]) and np.isnan(synthetic["qrs_elevation_deg"])


def test_j_point_and_st60_levels_of_a_known_st_shift():
    # A record whose ST segment is lifted by 0.2 mV in every lead, from the QRS end on.
    t = np.arange(int(10 * FS)) / FS
    beats = np.arange(0.6, 9.5, RR)
    x = _waveform(t, beats)
    lifted = x + sum(0.2 * ((t >= b + QRS_OFF) & (t < b + T_OFF)) for b in beats)
    row = measure(ECG(np.stack([lifted, 0.8 * lifted]), fs=FS, leads=["I", "II"]))
    assert row["j_amp_mv_I"] == pytest.approx(0.2, abs=0.05)
    assert row["j_amp_mv_II"] == pytest.approx(0.16, abs=0.05)
    # 60 ms later the segment is still at the lifted level, before the T wave starts.
    assert row["st60_amp_mv_I"] == pytest.approx(0.2, abs=0.05)
    plain = measure(ECG(np.stack([x, 0.8 * x]), fs=FS, leads=["I", "II"]))
    assert abs(plain["j_amp_mv_I"]) < 0.05
