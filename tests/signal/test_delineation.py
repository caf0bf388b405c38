"""Tests of ecgtoolkit.delineation: P/QRS/T boundaries per lead and beat."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecgtoolkit import ECG
from ecgtoolkit.signal.delineation import FIDUCIAL_COLUMNS, delineate
from ecgtoolkit.signal.rpeaks import detect_rpeaks

FS = 500.0
# Constructed beats: every wave is a Hann pulse with exact support, so its onset and
# offset are known (seconds relative to the R peak).
P_ON, P_OFF = -0.20, -0.10
QRS_ON, QRS_OFF = -0.04, 0.05
T_ON, T_OFF = 0.14, 0.36


def _hann(t, onset, duration, height):
    x = (t - onset) / duration
    return height * np.where((x >= 0) & (x <= 1), 0.5 - 0.5 * np.cos(2 * np.pi * x), 0.0)


def _lead(beats, gains, duration=10.0, p_wave=True):
    t = np.arange(int(duration * FS)) / FS
    gp, gq, gr, gs, gt = gains
    x = np.zeros_like(t)
    for b in beats:
        if p_wave:
            x += _hann(t, b + P_ON, P_OFF - P_ON, gp)
        x += _hann(t, b + QRS_ON, 0.02, -gq) + _hann(t, b - 0.02, 0.04, gr)
        x += _hann(t, b + 0.02, QRS_OFF - 0.02, -gs) + _hann(t, b + T_ON, T_OFF - T_ON, gt)
    return x


_GAINS = [
    (0.10, 0.10, 1.0, 0.2, 0.3),
    (0.15, 0.05, 1.2, 0.1, 0.35),
    (0.08, 0.10, 0.5, 0.6, -0.2),
]


def _record(beats, p_wave=True, duration=10.0):
    return ECG(
        np.stack([_lead(beats, g, duration=duration, p_wave=p_wave) for g in _GAINS]),
        fs=FS,
        leads=["I", "II", "V2"],
    )


BEATS = np.arange(0.6, 9.6, 0.8)


@pytest.fixture(scope="module")
def synthetic_table() -> pd.DataFrame:
    return delineate(_record(BEATS))


def test_table_shape_and_columns(synthetic_table):
    table = synthetic_table
    assert list(table.columns) == ["lead", "beat", "usable", *FIDUCIAL_COLUMNS]
    assert table.usable.all()
    assert len(table) == 3 * BEATS.size
    assert list(table.lead.unique()) == ["I", "II", "V2"]
    for lead in ("I", "II", "V2"):
        assert table[table.lead == lead].beat.tolist() == list(range(BEATS.size))
    marks = table[list(FIDUCIAL_COLUMNS)].to_numpy()
    ordered = np.diff(marks, axis=1)
    assert (ordered[np.isfinite(ordered)] >= 0).all(), "fiducials must be in temporal order"


@pytest.mark.parametrize(
    ("column", "truth", "tolerance_ms"),
    [
        ("P_on", P_ON, 15),
        ("P_off", P_OFF, 15),
        ("QRS_on", QRS_ON, 12),
        ("QRS_off", QRS_OFF, 20),
        ("T_off", T_OFF, 30),
        ("P_peak", (P_ON + P_OFF) / 2, 4),
        # The top of this 220 ms Hann pulse stays within 0.5% of its height for ±8 ms.
        ("T_peak", (T_ON + T_OFF) / 2, 8),
    ],
)
def test_known_boundaries_of_constructed_beats(synthetic_table, column, truth, tolerance_ms):
    table = synthetic_table
    nearest = BEATS[
        np.argmin(np.abs(BEATS[None, :] - table.R_peak.to_numpy()[:, None] / FS), axis=1)
    ]
    error_ms = 1000 * (table[column].to_numpy() / FS - (nearest + truth))
    inner = (nearest > BEATS[0]) & (nearest < BEATS[-1])  # edge beats may lack a P or T
    assert np.isfinite(error_ms[inner]).all()
    assert np.abs(error_ms[inner]).max() <= tolerance_ms


def _irregular_beats() -> np.ndarray:
    beats = np.cumsum(np.random.default_rng(3).uniform(0.45, 1.1, 20)) + 0.3
    return beats[beats < 9.4]


@pytest.mark.parametrize(
    ("beats", "seed", "amplitude", "f_hz", "wobble", "wobble_hz"),
    [
        (_irregular_beats(), 3, 0.05, 6.3, 2, 0.4),  # AF, irregular ventricular rhythm
        pytest.param(
            BEATS,
            5,
            0.06,
            5.7,
            3,
            0.23,
            marks=pytest.mark.xfail(
                strict=True,
                reason="known limitation: with a regular ventricular rhythm the network "
                "takes the f-wave hump before each QRS for a P wave",
            ),
        ),  # AF with a regular (paced) ventricular rhythm
    ],
    ids=["irregular", "regular"],
)
def test_no_p_waves_without_atrial_activity(beats, seed, amplitude, f_hz, wobble, wobble_hz):
    """Fibrillatory waves and no P wave: P must be reported on almost no beat."""
    rng = np.random.default_rng(seed)
    ecg = _record(beats, p_wave=False)
    t = np.arange(ecg.n_samples) / FS
    fibrillation = amplitude * np.sin(
        2 * np.pi * f_hz * t
        + rng.uniform(0, 6, (3, 1))
        + wobble * np.sin(2 * np.pi * wobble_hz * t)
    )
    table = delineate(ECG(ecg.signal + fibrillation, fs=FS, leads=ecg.leads))
    assert table.P_peak.isna().mean() > 0.8


def test_t_wave_is_not_taken_from_the_next_p_wave_at_fast_rates():
    # At 97 bpm the next beat's P wave (tall) starts 0.42 s after R, inside a fixed T
    # window; the small T wave must still be found, and end before that P wave.
    beats = np.arange(0.6, 9.6, 0.62)
    gains = [(0.30, 0.10, 1.0, 0.2, 0.08), (0.35, 0.05, 1.2, 0.1, 0.3)]
    ecg = ECG(np.stack([_lead(beats, g) for g in gains]), fs=FS, leads=["I", "II"])
    table = delineate(ecg)
    inner = table[(table.R_peak / FS > beats[0] + 0.1) & (table.R_peak / FS < beats[-1] - 0.1)]
    t_peak = (inner.T_peak - inner.R_peak) / FS
    t_off = (inner.T_off - inner.R_peak) / FS
    assert np.abs(t_peak - (T_ON + T_OFF) / 2).max() < 0.02
    # The last 35 ms of this 220 ms Hann pulse stay below 12% of its small height, where
    # an expert would end the T wave too; it must end well before the next P (0.42 s).
    assert np.abs(t_off - T_OFF).max() < 0.04
    assert (t_off < 0.62 + P_ON).all()


def test_r_peak_is_the_beat_found_on_all_leads():
    # R_peak used to be each lead's largest deflection: in V2, whose S wave is deeper
    # than its R wave, that was the S wave, 20-30 ms after the beat's R peak.
    ecg = _record(BEATS)
    table = delineate(ecg)
    per_lead = table.pivot(index="beat", columns="lead", values="R_peak")
    assert (per_lead.nunique(axis=1) == 1).all()
    np.testing.assert_array_equal(per_lead["V2"].to_numpy(), detect_rpeaks(ecg))
    np.testing.assert_allclose(per_lead["V2"].to_numpy() / FS, BEATS, atol=0.004)


def test_an_unusable_lead_gets_no_marks_and_does_not_disturb_the_others(synthetic_table):
    x = _record(BEATS).signal.copy()
    x[1, 100] = np.inf
    table = delineate(ECG(x, fs=FS, leads=["I", "II", "V2"]))
    lead_ii = table[table.lead == "II"]
    assert not lead_ii.usable.any()
    assert lead_ii[[c for c in FIDUCIAL_COLUMNS if c != "R_peak"]].isna().all().all()
    for lead in ("I", "V2"):
        mine = table[table.lead == lead][["QRS_on", "QRS_off", "T_off"]].to_numpy()
        clean = synthetic_table[synthetic_table.lead == lead][["QRS_on", "QRS_off", "T_off"]]
        assert np.nanmax(np.abs(mine - clean.to_numpy())) <= 3


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="one record"):
        delineate(ECG(np.zeros((2, 1, 5000)), fs=FS, leads=["II"]))
    with pytest.raises(ValueError, match="at least 2 s"):
        delineate(ECG(np.zeros((1, 500)), fs=FS, leads=["II"]))


def _ludb(data_dir, record):
    wfdb = pytest.importorskip("wfdb")
    path = str(data_dir / "ludb" / str(record))
    rec = wfdb.rdrecord(path)
    ecg = ECG(rec.p_signal.T, fs=rec.fs, leads=rec.sig_name)
    marks = {}
    for ext, lead in zip(rec.sig_name, ecg.leads, strict=True):
        ann = wfdb.rdann(path, ext)
        sym, smp = ann.symbol, ann.sample
        marks[lead] = [
            (sym[k], smp[k - 1], smp[k + 1])
            for k in range(1, len(sym) - 1)
            if sym[k] in "pNt" and sym[k - 1] == "(" and sym[k + 1] == ")"
        ]
    return ecg, marks


@pytest.mark.parametrize("record", [1, 2, 6])  # sanity check on training records
def test_ludb_expert_boundaries(data_dir, record):
    ecg, marks = _ludb(data_dir, record)
    table = delineate(ecg)
    errors = {"QRS_on": [], "QRS_off": [], "P_on": [], "T_off": []}
    for lead, waves in marks.items():
        det = table[table.lead == lead]
        for wave, on, off in waves:
            pairs = {
                "N": (("QRS_on", on), ("QRS_off", off)),
                "p": (("P_on", on),),
                "t": (("T_off", off),),
            }[wave]
            for column, truth in pairs:
                d = det[column].to_numpy() - truth
                d = d[np.isfinite(d)]
                if d.size and np.abs(d).min() <= 75:
                    errors[column].append(d[np.argmin(np.abs(d))] * 1000 / ecg.fs)
    for column, tolerance in (("QRS_on", 15), ("QRS_off", 20), ("P_on", 30), ("T_off", 40)):
        assert len(errors[column]) > 50
        assert abs(np.median(errors[column])) <= tolerance, column


def test_ludb_atrial_fibrillation_has_few_p_waves(data_dir):
    ecg, _ = _ludb(data_dir, 38)  # atrial fibrillation (a training record)
    assert delineate(ecg).P_peak.notna().mean() < 0.2


@pytest.mark.slow
def test_long_records_are_delineated_in_blocks_like_a_whole(monkeypatch):
    import ecgtoolkit.signal.delineation as module

    beats = np.cumsum(np.random.default_rng(7).uniform(0.7, 0.9, 200)) + 0.5
    ecg = _record(beats[beats < 149.0], duration=150.0)  # 150 s: three 60 s blocks
    blocks = delineate(ecg)
    monkeypatch.setattr(module, "_BLOCK_S", 1e6)
    whole = delineate(ecg)
    assert len(blocks) == len(whole) == 3 * np.sum(beats < 149.0)
    for column in ("P_on", "QRS_on", "QRS_off", "T_off"):
        a, b = blocks[column].to_numpy(), whole[column].to_numpy()
        assert (np.isfinite(a) == np.isfinite(b)).mean() > 0.99, column
        both = np.isfinite(a) & np.isfinite(b)
        assert np.abs(a[both] - b[both]).max() <= 3, column
