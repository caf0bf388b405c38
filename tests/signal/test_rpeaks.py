"""Multi-lead R-peak detection (ecgtoolkit/signal/rpeaks.py, its DSP core signal/qrs.py)."""

from __future__ import annotations

import numpy as np
import pytest

from ecgtoolkit import ECG
from ecgtoolkit.signal.rpeaks import detect_rpeaks

FS = 500.0


def _spikes(beats: np.ndarray, duration: float, fs: float = FS, width: float = 0.012) -> np.ndarray:
    """Narrow Gaussian QRS-like spikes (1 mV) at ``beats`` seconds."""
    t = np.arange(int(duration * fs)) / fs
    x = np.zeros_like(t)
    for b in beats:
        x += np.exp(-0.5 * ((t - b) / width) ** 2)
    return x


def _f1(ref: np.ndarray, det: np.ndarray, window: float) -> float:
    hits = sum(np.min(np.abs(det - r)) <= window for r in ref) if det.size else 0
    return 2 * hits / (ref.size + det.size)


def _ecg(x: np.ndarray, leads: list[str] | None = None, fs: float = FS) -> ECG:
    x = np.atleast_2d(x)
    return ECG(x, fs=fs, leads=leads or ["I", "II", "V1", "V2", "V3", "V4"][: x.shape[0]])


def test_exact_positions_on_clean_spikes():
    beats = np.arange(0.5, 9.5, 0.75)
    peaks = detect_rpeaks(_ecg(_spikes(beats, 10)))
    assert peaks.dtype == np.int64
    np.testing.assert_allclose(peaks / FS, beats, atol=0.004)


def test_inverted_polarity_baseline_wander_and_noise():
    rng = np.random.default_rng(0)
    beats = np.cumsum(rng.uniform(0.6, 1.1, 12)) - 0.3
    beats = beats[beats < 9.7]
    t = np.arange(int(10 * FS)) / FS
    x = -_spikes(beats, 10) + 0.8 * np.sin(2 * np.pi * 0.3 * t) + rng.normal(0, 0.05, t.size)
    peaks = detect_rpeaks(_ecg(x))
    assert peaks.size == beats.size
    np.testing.assert_allclose(peaks / FS, beats, atol=0.01)


def test_tall_t_waves_are_not_beats():
    beats = np.arange(0.5, 9.5, 1.0)
    t = np.arange(int(10 * FS)) / FS
    t_waves = sum(1.2 * np.exp(-0.5 * ((t - b - 0.3) / 0.05) ** 2) for b in beats)
    peaks = detect_rpeaks(_ecg(_spikes(beats, 10) + t_waves))
    np.testing.assert_allclose(peaks / FS, beats, atol=0.01)


def test_lead_fusion_survives_one_noisy_lead():
    rng = np.random.default_rng(1)
    beats = np.arange(0.4, 9.6, 0.8)
    clean = _spikes(beats, 10)
    noisy = clean * 0.3 + rng.normal(0, 0.3, clean.size)
    peaks = detect_rpeaks(_ecg(np.stack([clean, 0.7 * clean, noisy])))
    assert _f1(beats * FS, peaks, 0.05 * FS) == 1.0


def test_small_normal_beats_between_large_ectopics():
    beats = np.arange(0.5, 9.5, 0.7)
    amplitude = np.where(np.arange(beats.size) % 4 == 2, 6.0, 0.6)
    t = np.arange(int(10 * FS)) / FS
    x = sum(
        a * np.exp(-0.5 * ((t - b) / 0.012) ** 2) for a, b in zip(amplitude, beats, strict=True)
    )
    peaks = detect_rpeaks(_ecg(x))
    assert _f1(beats * FS, peaks, 0.05 * FS) == 1.0


@pytest.mark.slow
def test_long_record_is_chunked_without_duplicates():
    fs = 200.0
    beats = np.arange(0.5, 12 * 60 - 0.5, 0.9)  # 12 minutes: crosses chunk seams
    peaks = detect_rpeaks(_ecg(_spikes(beats, 12 * 60, fs=fs), fs=fs))
    assert peaks.size == beats.size
    assert np.all(np.diff(peaks) > 0)
    np.testing.assert_allclose(peaks / fs, beats, atol=0.01)


@pytest.mark.parametrize(
    ("signal", "fs", "match"),
    [
        (_spikes(np.arange(0.5, 1.5, 0.8), 1.5)[None], 500, "at least 2 s"),
        (_spikes(np.arange(0.5, 9.5, 0.8), 10, fs=90)[None], 90, "below the minimum"),
    ],
)
def test_records_that_cannot_be_analysed_give_clear_errors(signal, fs, match):
    with pytest.raises(ValueError, match=match):
        detect_rpeaks(ECG(signal, fs=fs, leads=["II"]))


@pytest.mark.parametrize(
    ("signal", "match"),
    [
        (np.full((1, 5000), np.nan), "non-finite"),
        (np.ones((1, 5000)), "flat"),
        (1000 * _spikes(np.arange(0.5, 9.5, 0.8), 10)[None], "units='uV'"),
        (np.clip(3 * _spikes(np.arange(0.5, 9.5, 0.8), 10), None, 1.0)[None], "clipped"),
        (np.random.default_rng(0).normal(0, 0.5, (1, 5000)), "no QRS complexes"),
    ],
)
def test_no_usable_lead_gives_no_peaks_and_says_why(signal, match):
    with pytest.warns(UserWarning, match=match):
        peaks = detect_rpeaks(ECG(signal, fs=FS, leads=["II"]))
    assert peaks.size == 0 and peaks.dtype == np.int64


@pytest.mark.parametrize("bad", ["nan", "flat", "noise"])
def test_a_bad_lead_is_left_out_of_the_fusion(bad):
    beats = np.arange(0.5, 9.5, 0.8)
    clean = _spikes(beats, 10)
    other = {
        "nan": np.full(clean.size, np.nan),
        "flat": np.zeros(clean.size),
        "noise": np.random.default_rng(2).normal(0, 1.0, clean.size),
    }[bad]
    peaks = detect_rpeaks(_ecg(np.stack([clean, other, 0.5 * clean])))
    np.testing.assert_allclose(peaks / FS, beats, atol=0.004)


def test_no_beat_in_partial_complexes_at_the_edges():
    # QRS complexes cut by the record's start and end (R peak 10 ms inside) are not
    # beats; before, the detector reported them and the heart rate counted them.
    beats = np.r_[0.01, np.arange(0.5, 9.5, 0.9), 9.99]
    peaks = detect_rpeaks(_ecg(_spikes(beats, 10)))
    np.testing.assert_allclose(peaks / FS, beats[1:-1], atol=0.004)


@pytest.mark.parametrize("fs", [100.0, 250.0, 360.0, 1000.0])
def test_same_beats_at_other_sampling_rates(data_dir, fs):
    from fractions import Fraction

    from scipy import signal as sps

    import ecgtoolkit as et

    for record in ("66", "90", "74"):  # paced and ectopic records that used to differ
        ecg = et.read(data_dir / "ludb" / record, adc_gain=1000)
        ratio = Fraction(fs / ecg.fs).limit_denominator(100)
        x = sps.resample_poly(ecg.signal, ratio.numerator, ratio.denominator, axis=-1)
        at_500 = detect_rpeaks(ecg) / ecg.fs
        at_fs = detect_rpeaks(ECG(x, fs=fs, leads=ecg.leads)) / fs
        assert at_fs.size == at_500.size, record
        np.testing.assert_allclose(at_fs, at_500, atol=0.012)


def test_dsp_method_and_unknown_method():
    beats = np.arange(0.5, 9.5, 0.75)
    peaks = detect_rpeaks(_ecg(_spikes(beats, 10)), method="dsp")
    np.testing.assert_allclose(peaks / FS, beats, atol=0.004)
    with pytest.raises(ValueError, match="unknown method"):
        detect_rpeaks(_ecg(_spikes(beats, 10)), method="fast")


def test_batch_and_arrays_are_rejected():
    with pytest.raises(ValueError, match="one record"):
        detect_rpeaks(ECG(np.zeros((2, 1, 5000)), fs=500, leads=["II"]))
    with pytest.raises(TypeError, match="ecgtoolkit.ECG"):
        detect_rpeaks(np.zeros((1, 5000)))  # type: ignore[arg-type]


def test_mitbih_100_first_ten_minutes(data_dir):
    wfdb = pytest.importorskip("wfdb")
    rec = wfdb.rdrecord(str(data_dir / "mitdb" / "100"), sampto=360 * 600)
    ann = wfdb.rdann(str(data_dir / "mitdb" / "100"), "atr", sampto=360 * 600)
    ref = np.array([s for s, y in zip(ann.sample, ann.symbol, strict=True) if y in "NAV"])
    peaks = detect_rpeaks(ECG(rec.p_signal.T, fs=rec.fs, leads=["II", "V5"]))
    peaks = peaks[(peaks > ref.min() - 50) & (peaks < ref.max() + 50)]
    assert _f1(ref, peaks, 0.075 * rec.fs) > 0.998


def test_ludb_twelve_lead_records(data_dir):
    wfdb = pytest.importorskip("wfdb")
    for record in ("1", "2", "5"):  # development-split records
        path = str(data_dir / "ludb" / record)
        rec = wfdb.rdrecord(path)
        ann = wfdb.rdann(path, "ii")
        ref = np.array([s for s, y in zip(ann.sample, ann.symbol, strict=True) if y == "N"])
        peaks = detect_rpeaks(ECG(rec.p_signal.T, fs=rec.fs, leads=rec.sig_name))
        peaks = peaks[(peaks > ref.min() - 40) & (peaks < ref.max() + 40)]
        assert _f1(ref, peaks, 0.075 * rec.fs) == 1.0


def test_exactly_flat_baseline_is_not_taken_for_clipping():
    # Synthetic signals often rest at exactly 0 between beats: the minimum recurs in
    # many runs, yet nothing is saturated.
    beats = np.arange(0.5, 9.5, 0.8)
    t = np.arange(int(10 * FS)) / FS
    x = sum(np.where(np.abs(t - b) < 0.02, np.cos(np.pi * (t - b) / 0.04) ** 2, 0.0) for b in beats)
    assert (x == 0).mean() > 0.5
    peaks = detect_rpeaks(_ecg(x))
    np.testing.assert_allclose(peaks / FS, beats, atol=0.004)
