"""Signal quality (ecgtoolkit/signal/quality.py): which leads carry a usable ECG."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal as sps

import ecgtoolkit as et
from ecgtoolkit.signal.quality import (
    MAX_STEEP_FRACTION,
    MAX_STEP_RATIO,
    QUALITY_COLUMNS,
    assess,
    lead_checks,
    signal_quality,
)
from ecgtoolkit.signal.synthetic import known_beats

FS = 500.0
N = int(10 * FS)


def _twelve(x: np.ndarray) -> et.ECG:
    return et.ECG(x, fs=FS, leads=et.STANDARD_LEADS)


def _clean_twelve() -> np.ndarray:
    lead = known_beats(FS)
    return np.stack([g * lead for g in np.linspace(-1.2, 1.5, 12)])


def _non_ecg(kind: str, seed: int = 11) -> np.ndarray:
    """Twelve leads of a signal that is not an ECG; the same every time for a seed."""
    rng = np.random.default_rng(seed)
    t = np.arange(N) / FS
    phase = rng.uniform(0, 2 * np.pi, (12, 1))
    return {
        "gaussian noise": rng.normal(0, 0.5, (12, N)),
        "random walk": np.cumsum(rng.normal(0, 0.02, (12, N)), axis=1),
        "1.2 Hz sine": np.sin(2 * np.pi * 1.2 * t + phase),
        "mains only": 0.3 * np.sin(2 * np.pi * 50 * t + phase),
        "muscle noise": sps.sosfilt(
            sps.butter(2, [20, 150], "bandpass", fs=FS, output="sos"), rng.normal(0, 0.3, (12, N))
        ),
        "flat line": np.full((12, N), 0.4),
    }[kind]


def test_table_layout_on_a_clean_record():
    table = signal_quality(_twelve(_clean_twelve()))
    assert table.columns.tolist() == ["lead", *QUALITY_COLUMNS]
    assert table.lead.tolist() == list(et.STANDARD_LEADS)
    assert table.usable.all() and (table.reason == "").all()
    assert (table.qrs_snr > 5).all() and (table.template_corr > 0.95).all()
    assert (table.n_beats == 11).all()


@pytest.mark.parametrize(
    "kind",
    ["gaussian noise", "random walk", "1.2 Hz sine", "mains only", "muscle noise", "flat line"],
)
def test_signals_without_an_ecg_have_no_usable_lead(kind):
    # Before, noise, a random walk or a sine got about 20 "R peaks", a heart rate of
    # 113-145 bpm and status "ok".
    result = assess(_non_ecg(kind), FS)
    assert not result.usable.any()
    assert result.peaks.size == 0
    assert result.problem.startswith("no usable lead")
    assert et.measure(_twelve(_non_ecg(kind)))["status"] == "unusable"


@pytest.mark.parametrize("level_mv", [0.1, 0.3, 1.0])
def test_one_noise_lead_is_the_only_unusable_one(level_mv):
    x = _clean_twelve()
    x[4] = np.random.default_rng(4).normal(0, level_mv, N)
    table = signal_quality(_twelve(x))
    assert table.usable.tolist() == [i != 4 for i in range(12)]
    assert "no QRS complexes" in table.reason[4]


@pytest.mark.parametrize(
    ("defect", "match"),
    [
        ("nan", "non-finite"),
        ("flat", "flat"),
        ("clipped", "clipped"),
        ("microvolts", "units='uV'"),
    ],
)
def test_lead_checks_name_the_defect(defect, match):
    x = _clean_twelve()
    if defect == "nan":
        x[9, 100:110] = np.nan
    elif defect == "flat":
        x[9] = 0.3
    elif defect == "clipped":
        x[9] = np.clip(x[9], None, 0.5 * x[9].max())
    else:
        x[9] *= 1000
    ok, reasons = lead_checks(x, FS)
    assert ok.tolist() == [i != 9 for i in range(12)]
    assert match in reasons[9]
    assert all(r == "" for i, r in enumerate(reasons) if i != 9)


@pytest.mark.parametrize("f0", [50.0, 60.0])
def test_mains_hum_is_found_and_removed(f0):
    x = _clean_twelve()
    t = np.arange(N) / FS
    result = assess(x + 0.2 * np.sin(2 * np.pi * f0 * t), FS)
    assert result.mains_hz == f0
    assert result.usable.all()
    # The notch leaves the ECG: the cleaned signal is close to the original.
    assert np.abs(result.signal - x)[:, 500:-500].max() < 0.05
    assert assess(x, FS).mains_hz == 0.0


def test_batch_table_has_a_record_id_column():
    batch = et.ECG(np.stack([_clean_twelve(), _non_ecg("gaussian noise")]), fs=FS,
                   leads=et.STANDARD_LEADS)  # fmt: skip
    table = signal_quality(batch)
    assert table.columns[0] == "record_id" and len(table) == 24
    assert table.groupby("record_id").usable.sum().tolist() == [12, 0]


def test_real_leads_are_usable(data_dir):
    # One lead of these is not: LUDB 103 (atrial flutter) lead III, where flutter waves
    # fill the cycle around QRS complexes of 0.1 mV; the shape rule takes it for a
    # periodic wave (one of the few real leads it rejects: benchmarks/bench_periodic.py).
    for path in sorted((data_dir / "ludb").glob("*.hea"))[:10]:
        table = signal_quality(et.read(path, adc_gain=1000))
        expected = [not (path.stem == "103" and lead == "III") for lead in table.lead]
        assert table.usable.tolist() == expected, (path.name, table[~table.usable])
        with pytest.warns(UserWarning, match="normalised"):
            as_stored = et.read(path)  # every lead spans 1 mV: still usable
        assert signal_quality(as_stored).usable.tolist() == expected


def test_rejects_arrays_and_short_records():
    with pytest.raises(TypeError, match="ecgtoolkit.ECG"):
        signal_quality(np.zeros((1, 5000)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 2 s"):
        signal_quality(et.ECG(np.zeros((1, 500)), fs=FS, leads=["II"]))
    flat = signal_quality(et.ECG(np.zeros((1, 5000)), fs=FS, leads=["II"]))
    assert flat.lead.tolist() == ["II"] and not flat.usable.any()
    assert flat.reason[0].startswith("flat") and flat.n_beats[0] == 0


def test_fast_heart_rates_keep_their_leads():
    # At 222 bpm the beats leave little background between them; the window around
    # each beat shrinks with the RR interval so the lead is still judged.
    t = np.arange(N) / FS
    x = sum(np.exp(-0.5 * ((t - b) / 0.01) ** 2) for b in np.arange(0.2, 9.9, 0.27))
    table = signal_quality(et.ECG(np.stack([x, 0.5 * x]), fs=FS, leads=["I", "II"]))
    assert table.usable.all()
    assert et.measure(et.ECG(np.stack([x, 0.5 * x]), fs=FS, leads=["I", "II"]))[
        "heart_rate"
    ] == pytest.approx(60 / 0.27, abs=0.5)


def _periodic(kind: str, fs: float = FS, rate_hz: float = 1.2, seed: int = 5) -> np.ndarray:
    """Twelve leads of a periodic test wave (peak to peak 1 mV before the gains), with
    per-lead gains of 0.5-1.5 and sign flips and 10 µV of noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(10 * fs)) / fs
    phase = rate_hz * t
    cycle = np.mod(phase, 1.0)
    wave = {
        "sawtooth": sps.sawtooth(2 * np.pi * phase),
        "falling sawtooth": sps.sawtooth(2 * np.pi * phase, 0.0),
        "square": sps.square(2 * np.pi * phase) / 2,
        "pulse train, 30 % duty": (cycle < 0.3).astype(float),
        "exponential decays": np.exp(-cycle / 0.3),
        "clipped sine": np.clip(np.sin(2 * np.pi * phase), -0.5, 0.5),
        "trapezoid": np.interp(cycle, [0, 0.15, 0.45, 0.6, 1], [0, 1, 1, 0, 0]),
        "triangle": sps.sawtooth(2 * np.pi * phase, 0.5) / 2,
        "rectified sine": np.abs(np.sin(np.pi * phase)),
    }[kind]
    gains = rng.uniform(0.5, 1.5, (12, 1)) * rng.choice([-1.0, 1.0], (12, 1))
    return gains * wave + rng.normal(0, 0.01, (12, t.size))


def _qrs_indices_pass(indices: dict[str, np.ndarray]) -> np.ndarray:
    """The verdict of the QRS indices alone, without the shape rule."""
    return (indices["qrs_snr"] >= 2.0) | (
        (indices["template_corr"] >= 0.6) & (indices["kurtosis"] >= 2.5)
    )


def test_a_sawtooth_on_twelve_leads_is_not_an_ecg():
    # Before, a 1.2 Hz sawtooth passed the QRS indices (its step looks like a QRS in the
    # 5-40 Hz band): measure gave status "ok", 72 bpm, "sinus rhythm, LBBB pattern".
    x = _periodic("sawtooth")
    result = assess(x, FS)
    assert _qrs_indices_pass(result.indices).all()
    assert not result.usable.any()
    assert all("does not return to baseline" in r for r in result.reasons)
    assert np.all(result.indices["step_ratio"] > 0.9)
    m = et.measure(_twelve(x))
    assert m["status"] == "unusable"
    assert m["reason"].startswith("no usable lead: a periodic wave without QRS complexes")


@pytest.mark.parametrize(
    ("kind", "found"),
    [
        ("falling sawtooth", "does not return to baseline"),
        ("square", "does not return to baseline"),
        ("pulse train, 30 % duty", "does not return to baseline"),
        ("exponential decays", "does not return to baseline"),
        ("clipped sine", "does not return to baseline"),
        ("trapezoid", "does not return to baseline"),
        ("triangle", "of each cycle"),
        ("rectified sine", "of each cycle"),
    ],
)
@pytest.mark.parametrize("fs", [250.0, 500.0, 1000.0])
def test_periodic_waves_are_not_ecgs(kind, found, fs):
    result = assess(_periodic(kind, fs), fs)
    assert not result.usable.any()
    # Only the shape rule names these findings: without it the leads would pass.
    assert all(found in r for r in result.reasons), result.reasons
    assert result.problem.startswith("no usable lead: a periodic wave without QRS complexes")


def test_shape_indices_of_known_beats_and_waves():
    # A QRS returns to baseline and is brief; a sawtooth steps; a triangle is steep all along.
    clean = assess(_clean_twelve(), FS).indices
    assert np.all(clean["step_ratio"] < 0.1) and np.all(clean["steep_fraction"] < 0.2)
    saw = assess(_periodic("sawtooth"), FS).indices
    assert np.all(saw["step_ratio"] > 0.9) and np.all(saw["steep_fraction"] < 0.1)
    triangle = assess(_periodic("triangle"), FS).indices
    assert np.all(triangle["step_ratio"] < 0.1) and np.all(triangle["steep_fraction"] > 0.9)
    assert 0 < MAX_STEP_RATIO < 0.9 and 0.2 < MAX_STEEP_FRACTION < 0.9


def test_one_sawtooth_lead_is_the_only_unusable_one():
    # The sawtooth steps at each R peak (0.636 s + k 0.8 s), so the QRS indices accept it.
    x = _clean_twelve()
    t = np.arange(N) / FS
    x[4] = sps.sawtooth(2 * np.pi * (t - 0.636) / 0.8)
    result = assess(x, FS)
    assert _qrs_indices_pass(result.indices).all()
    assert result.usable.tolist() == [i != 4 for i in range(12)]
    assert "does not return to baseline" in result.reasons[4]
    table = signal_quality(_twelve(x))
    assert table.step_ratio[4] > 0.9 and (table.step_ratio.drop(4) < 0.1).all()


def test_a_few_large_ectopic_beats_do_not_hide_the_usual_small_qrs():
    """Low-voltage beats with three large ectopic beats and tall T waves between them: the
    background is the usual interval's, not one percentile inflated by the ectopic beats
    (a CPSC 2019 strip lost all its beats this way)."""
    fs = 500.0
    t = np.arange(5000) / fs
    x = 0.12 * known_beats(fs)
    for centre in (2.6, 5.0, 7.4):
        x += -0.6 * np.exp(-0.5 * ((t - centre) / 0.025) ** 2)
        x += 1.5 * np.exp(-0.5 * ((t - centre - 0.17) / 0.04) ** 2)
    x = x + np.random.default_rng(0).normal(0, 0.004, t.size)
    result = assess(x[None], fs)
    assert result.usable[0], result.reasons[0]
    onsets = np.arange(0.6, 9.4, 0.8) * fs
    found = [np.min(np.abs(result.peaks - onset)) < 0.06 * fs for onset in onsets]
    # The three beats just after an ectopic T wave fall in the detector's refractory time.
    assert sum(found) >= 8, "the small beats are found (a percentile over the record: none)"


def test_cpsc2019_strip_with_ectopic_beats_keeps_its_beats(data_dir):
    import scipy.io

    folder = data_dir / "cpsc2019"
    x = scipy.io.loadmat(folder / "data" / "data_01068.mat")["ecg"].astype(float).ravel()
    ref = scipy.io.loadmat(folder / "ref" / "R_01068.mat")["R_peak"].ravel()
    found = et.detect_rpeaks(et.ECG(x[None], fs=500.0, leads=["II"]))
    assert found.size == ref.size
    assert np.abs(found - ref).max() < 0.075 * 500
