"""Tests for ecgtoolkit.io: writers, readers, atomic writes and the real databases."""

from __future__ import annotations

import base64
import doctest
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import wfdb
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ecgtoolkit import ECG
from ecgtoolkit import io as ecg_io
from ecgtoolkit.core.files import atomic_write
from ecgtoolkit.core.leads import GENERATED_LEADS, STANDARD_LEADS
from ecgtoolkit.io import FORMATS, read, write

# WFDB stores 1 µV steps: rounding moves a value by at most half a step.
HALF_MICROVOLT = 0.5e-3 + 1e-9


def make_ecg(
    leads: tuple[str, ...] = STANDARD_LEADS,
    fs: float = 500.0,
    n_samples: int = 5000,
    seed: int = 0,
    amplitude_mv: float = 2.0,
    meta: dict | None = None,
) -> ECG:
    rng = np.random.default_rng(seed)
    signal = rng.uniform(-amplitude_mv, amplitude_mv, (len(leads), n_samples))
    return ECG(signal, fs=fs, leads=leads, meta=meta)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- round trips ---------------------------------------------------------------------------
def test_wfdb_round_trip_keeps_values_fs_leads_and_comments(tmp_path):
    ecg = make_ecg(fs=360.0, meta={"comments": ["Age: 50", "Dx: 426783006"]})
    written = write(ecg, tmp_path / "rec001")
    assert written == [tmp_path / "rec001.dat", tmp_path / "rec001.hea"]
    assert files_in(tmp_path) == ["rec001.dat", "rec001.hea"]

    back = read(tmp_path / "rec001")
    assert back.fs == 360.0
    assert back.leads == STANDARD_LEADS
    np.testing.assert_allclose(back.signal, ecg.signal, rtol=0, atol=HALF_MICROVOLT)
    assert back.meta["comments"] == ["Age: 50", "Dx: 426783006"]
    assert back.meta["record_name"] == "rec001"
    assert back.meta["dropped_channels"] == []


@pytest.mark.parametrize("name", ["rec.hea", "rec.dat"])
def test_wfdb_read_accepts_header_or_data_file(tmp_path, name):
    ecg = make_ecg(n_samples=100)
    write(ecg, tmp_path / "rec.hea")
    back = read(tmp_path / name)
    np.testing.assert_allclose(back.signal, ecg.signal, rtol=0, atol=HALF_MICROVOLT)


def test_wfdb_non_integer_rate_round_trips(tmp_path):
    ecg = make_ecg(leads=("II",), fs=257.5, n_samples=10)
    write(ecg, tmp_path / "r")
    assert read(tmp_path / "r").fs == 257.5


def test_csv_round_trip_infers_fs(tmp_path):
    for fs in (500.0, 360.0, 257.5):
        ecg = make_ecg(leads=("I", "II", "V1"), fs=fs, n_samples=1000, seed=int(fs))
        target = tmp_path / f"rec{int(fs)}.csv"
        assert write(ecg, target) == [target]
        assert target.read_text().splitlines()[0] == "time_s,I,II,V1"
        back = read(target)
        assert back.fs == fs
        assert back.leads == ("I", "II", "V1")
        np.testing.assert_allclose(back.signal, ecg.signal, rtol=0, atol=0.5e-4 + 1e-9)


def test_csv_without_time_column_needs_fs(tmp_path):
    target = tmp_path / "bare.csv"
    target.write_text("II,V5\n0.1,0.2\n0.3,0.4\n")
    with pytest.raises(ValueError, match="pass fs="):
        read(target)
    ecg = read(target, fs=360)
    np.testing.assert_array_equal(ecg.signal, [[0.1, 0.3], [0.2, 0.4]])


def test_asc_round_trip_matches_deepfake_layout(tmp_path):
    ecg = make_ecg(leads=GENERATED_LEADS)
    target = tmp_path / "0.asc"
    write(ecg, target)
    raw = np.loadtxt(target, dtype=np.int64)
    assert raw.shape == (5000, 8)
    np.testing.assert_array_equal(raw, np.rint(ecg.signal.T * 1000))
    back = read(target)
    assert back.fs == 500.0
    assert back.leads == GENERATED_LEADS
    np.testing.assert_allclose(back.signal, ecg.signal, rtol=0, atol=HALF_MICROVOLT)


def test_asc_reads_file_written_as_deepfake_ecg_does(tmp_path):
    # deepfake-ecg: np.savetxt(..., fmt="%i") of (5000, 8) integers in µV.
    microvolts = np.arange(5000 * 8).reshape(5000, 8) - 20000
    np.savetxt(tmp_path / "7.asc", microvolts, fmt="%i")
    ecg = read(tmp_path / "7.asc")
    np.testing.assert_allclose(ecg.signal, microvolts.T / 1000)


def test_asc_takes_its_eight_leads_from_a_12_lead_record(tmp_path):
    ecg = make_ecg()
    write(ecg, tmp_path / "r.asc")
    back = read(tmp_path / "r.asc")
    np.testing.assert_allclose(
        back.signal, ecg[list(GENERATED_LEADS)].signal, rtol=0, atol=HALF_MICROVOLT
    )


def test_npy_round_trip_with_keywords_and_with_manifest(tmp_path):
    ecg = make_ecg(leads=("I", "II"), n_samples=300)
    write(ecg, tmp_path / "r.npy")
    stored = np.load(tmp_path / "r.npy")
    assert stored.dtype == np.float32 and stored.shape == (2, 300)

    back = read(tmp_path / "r.npy", fs=500, leads=["i", "ii"])
    np.testing.assert_array_equal(back.signal, ecg.signal.astype(np.float32))
    assert back.leads == ("I", "II")

    (tmp_path / "manifest.json").write_text(json.dumps({"fs": 500, "leads": ["I", "II"]}))
    from_manifest = read(tmp_path / "r.npy")
    assert from_manifest.fs == 500.0 and from_manifest.leads == ("I", "II")


def test_npz_round_trip_is_exact_and_keeps_meta(tmp_path):
    ecg = make_ecg(leads=("V1", "aVR"), fs=1000, meta={"seed": np.int64(3), "source": "test"})
    write(ecg, tmp_path / "r.npz")
    back = read(tmp_path / "r.npz")
    np.testing.assert_array_equal(back.signal, ecg.signal.astype(np.float32))
    assert back.fs == 1000.0 and back.leads == ("V1", "aVR")
    assert back.meta["seed"] == 3 and back.meta["source"] == "test"
    with np.load(tmp_path / "r.npz", allow_pickle=False) as archive:
        assert set(archive.files) == {"signal", "fs", "leads", "units", "meta"}


def test_npz_rejects_meta_that_is_not_json(tmp_path):
    ecg = make_ecg(leads=("I",), n_samples=10, meta={"model": object()})
    with pytest.raises(TypeError, match="JSON"):
        write(ecg, tmp_path / "r.npz")
    assert files_in(tmp_path) == []


lead_subsets = st.lists(st.sampled_from(STANDARD_LEADS), min_size=1, max_size=12, unique=True)


@settings(max_examples=25, deadline=None)
@given(
    leads=lead_subsets,
    n_samples=st.integers(1, 200),
    fs=st.sampled_from([100, 250, 360, 500, 1000]),
    data=st.data(),
)
def test_wfdb_round_trip_property(leads, n_samples, fs, data):
    signal = data.draw(
        hnp.arrays(np.float64, (len(leads), n_samples), elements=st.floats(-32.767, 32.767))
    )
    ecg = ECG(signal, fs=fs, leads=leads)
    with tempfile.TemporaryDirectory() as folder:
        write(ecg, Path(folder) / "rec")
        back = read(Path(folder) / "rec")
    assert back.leads == ecg.leads and back.fs == fs
    np.testing.assert_allclose(back.signal, signal, rtol=0, atol=HALF_MICROVOLT)


@settings(max_examples=25, deadline=None)
@given(leads=lead_subsets, n_samples=st.integers(1, 200), fs=st.floats(1, 10_000), data=st.data())
def test_npz_round_trip_property(leads, n_samples, fs, data):
    signal = data.draw(
        hnp.arrays(np.float32, (len(leads), n_samples), elements=st.floats(-1e4, 1e4, width=32))
    )
    ecg = ECG(signal, fs=fs, leads=leads)
    with tempfile.TemporaryDirectory() as folder:
        write(ecg, Path(folder) / "rec.npz")
        back = read(Path(folder) / "rec.npz")
    assert back.leads == ecg.leads and back.fs == fs
    np.testing.assert_array_equal(back.signal, signal)


# -- our WFDB files as the wfdb package and the WFDB specification see them ----------------
def test_wfdb_package_reads_our_output(tmp_path):
    ecg = make_ecg(amplitude_mv=30.0, seed=4)
    write(ecg, tmp_path / "rec")
    record = wfdb.rdrecord(str(tmp_path / "rec"))
    assert record.record_name == "rec"
    assert record.fs == 500
    assert record.sig_name == list(STANDARD_LEADS)
    assert record.units == ["mV"] * 12
    assert record.fmt == ["16"] * 12 and record.adc_gain == [1000.0] * 12
    assert record.baseline == [0] * 12
    np.testing.assert_allclose(record.p_signal.T, ecg.signal, rtol=0, atol=HALF_MICROVOLT)


def test_wfdb_checksum_and_initial_values_match_the_samples(tmp_path):
    ecg = make_ecg(amplitude_mv=30.0, seed=5)
    write(ecg, tmp_path / "rec")
    samples = np.fromfile(tmp_path / "rec.dat", dtype="<i2").reshape(5000, 12)
    np.testing.assert_array_equal(samples, np.rint(ecg.signal.T * 1000))
    header = wfdb.rdheader(str(tmp_path / "rec"))
    sums = samples.sum(axis=0, dtype=np.int64)
    assert [(c - s) % 65536 for c, s in zip(header.checksum, sums, strict=True)] == [0] * 12
    assert all(-32768 <= c <= 32767 for c in header.checksum)  # signed, as PhysioNet writes
    assert header.init_value == samples[0].tolist()


def test_wfdb_nan_is_stored_as_invalid_sample_and_read_back_as_nan(tmp_path):
    signal = np.array([[0.1, np.nan, -0.2], [np.nan, 1.0, 2.0]])
    write(ECG(signal, fs=500, leads=["I", "II"]), tmp_path / "gap")
    samples = np.fromfile(tmp_path / "gap.dat", dtype="<i2").reshape(3, 2)
    assert samples[1, 0] == -32768 and samples[0, 1] == -32768
    back = read(tmp_path / "gap")
    np.testing.assert_allclose(back.signal, signal, rtol=0, atol=HALF_MICROVOLT)


def test_wfdb_full_scale_values_are_accepted(tmp_path):
    signal = np.array([[32.767, -32.767, 32.7674, -32.7674]])
    write(ECG(signal, fs=500, leads=["II"]), tmp_path / "edge")
    np.testing.assert_allclose(read(tmp_path / "edge").signal, signal, atol=HALF_MICROVOLT)


def test_write_signal_engine_takes_raw_arrays(tmp_path):
    signal = np.zeros((8, 50), dtype=np.float32)
    for format, suffixes in FORMATS.items():
        written = ecg_io._write_signal(
            signal, 500.0, GENERATED_LEADS, tmp_path / f"r_{format}", format, overwrite=False
        )
        assert [p.name for p in written] == [f"r_{format}{s}" for s in suffixes]
        assert all(p.is_file() for p in written)


# -- atomic writes, overwriting, folders ----------------------------------------------------
@pytest.mark.parametrize("format", sorted(FORMATS))
def test_failed_write_leaves_nothing_behind(tmp_path, monkeypatch, format):
    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(ecg_io.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write(make_ecg(leads=GENERATED_LEADS, n_samples=20), tmp_path / "r", format=format)
    assert files_in(tmp_path) == []


def test_wfdb_failure_on_header_removes_the_data_file_of_the_same_call(tmp_path, monkeypatch):
    real_replace = os.replace

    def replace_but_not_header(src, dst):
        if str(dst).endswith(".hea"):
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(ecg_io.os, "replace", replace_but_not_header)
    with pytest.raises(OSError, match="disk full"):
        write(make_ecg(n_samples=20), tmp_path / "r")
    assert files_in(tmp_path) == []


def test_failed_overwrite_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "r.npz"
    write(make_ecg(leads=("I",), n_samples=10, seed=1), target)
    before = target.read_bytes()

    def failing_replace(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(ecg_io.os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt):
        write(make_ecg(leads=("I",), n_samples=10, seed=2), target, overwrite=True)
    assert target.read_bytes() == before
    assert files_in(tmp_path) == ["r.npz"]


def test_existing_files_are_kept_unless_overwrite(tmp_path):
    first, second = make_ecg(n_samples=50, seed=1), make_ecg(n_samples=50, seed=2)
    write(first, tmp_path / "r")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write(second, tmp_path / "r")
    np.testing.assert_allclose(read(tmp_path / "r").signal, first.signal, atol=HALF_MICROVOLT)
    write(second, tmp_path / "r", overwrite=True)
    np.testing.assert_allclose(read(tmp_path / "r").signal, second.signal, atol=HALF_MICROVOLT)


def test_existing_header_alone_blocks_writing_the_data_file(tmp_path):
    (tmp_path / "r.hea").write_text("keep me\n")
    with pytest.raises(FileExistsError, match="r.hea"):
        write(make_ecg(n_samples=10), tmp_path / "r")
    assert files_in(tmp_path) == ["r.hea"]


def test_atomic_write_refuses_existing_file(tmp_path):
    target = tmp_path / "x.txt"
    atomic_write(target, "one", overwrite=False)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        atomic_write(target, b"two", overwrite=False)
    atomic_write(target, b"two", overwrite=True)
    assert target.read_text() == "two"
    assert files_in(tmp_path) == ["x.txt"]


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist; create it"):
        write(make_ecg(n_samples=10), tmp_path / "no" / "such" / "r")


def test_unwritable_folder_names_the_path(tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("ecgtoolkit.core.files.open", denied, raising=False)
    with pytest.raises(PermissionError, match="r.npz"):
        write(make_ecg(n_samples=10), tmp_path / "r.npz")
    assert files_in(tmp_path) == []


# -- errors ---------------------------------------------------------------------------------
def test_batch_is_refused_with_advice(tmp_path):
    batch = ECG(np.zeros((3, 2, 10)), fs=500, leads=["I", "II"])
    with pytest.raises(ValueError, match="one by one.*generate_to"):
        write(batch, tmp_path / "r")


def test_write_needs_an_ecg(tmp_path):
    with pytest.raises(TypeError, match="et.ECG"):
        write(np.zeros((2, 10)), tmp_path / "r")


def test_unknown_format_lists_the_choices(tmp_path):
    with pytest.raises(ValueError, match="'wfdb', 'csv', 'asc', 'npy', 'npz'"):
        write(make_ecg(n_samples=10), tmp_path / "r", format="edf")
    with pytest.raises(ValueError, match="pass format="):
        write(make_ecg(n_samples=10), tmp_path / "r.edf")
    with pytest.raises(ValueError, match="suffix of format 'csv'"):
        write(make_ecg(n_samples=10), tmp_path / "r.csv", format="npz")


def test_explicit_format_keeps_a_dotted_stem(tmp_path):
    written = write(make_ecg(n_samples=10), tmp_path / "run_0.5mV", format="npz")
    assert written == [tmp_path / "run_0.5mV.npz"]


@pytest.mark.parametrize("value", [32.768, -40.0, np.inf, -np.inf])
def test_wfdb_out_of_range_suggests_npz(tmp_path, value):
    signal = np.zeros((2, 10))
    signal[1, 3] = value
    with pytest.raises(ValueError, match="lead II .*format='npz'"):
        write(ECG(signal, fs=500, leads=["I", "II"]), tmp_path / "r")
    assert files_in(tmp_path) == []


def test_wfdb_record_name_must_be_valid(tmp_path):
    with pytest.raises(ValueError, match="letters, digits"):
        write(make_ecg(n_samples=10), tmp_path / "my record.hea")


def test_asc_needs_its_leads_and_500_hz(tmp_path):
    with pytest.raises(ValueError, match="lacks V1, V2"):
        write(make_ecg(leads=("I", "II"), n_samples=10), tmp_path / "r.asc")
    with pytest.raises(ValueError, match="360 Hz"):
        write(make_ecg(leads=GENERATED_LEADS, fs=360, n_samples=10), tmp_path / "r.asc")
    signal = np.zeros((8, 10))
    signal[0, 0] = np.nan
    with pytest.raises(ValueError, match="no NaN"):
        write(ECG(signal, fs=500, leads=GENERATED_LEADS), tmp_path / "r.asc")
    assert files_in(tmp_path) == []


def test_npy_without_fs_or_leads_explains_what_to_pass(tmp_path):
    write(make_ecg(leads=("I",), n_samples=10), tmp_path / "r.npy")
    with pytest.raises(ValueError, match="pass fs= and leads=.*npz"):
        read(tmp_path / "r.npy")
    with pytest.raises(ValueError, match="pass fs= and leads="):
        read(tmp_path / "r.npy", fs=500)


def test_mat_without_fs_or_leads_explains_what_to_pass(tmp_path):
    scipy.io.savemat(tmp_path / "one.mat", {"ecg": np.zeros((100, 1))})
    with pytest.raises(ValueError, match="pass leads="):
        read(tmp_path / "one.mat", fs=500)
    with pytest.raises(ValueError, match="pass fs="):
        read(tmp_path / "one.mat", leads=["II"])
    scipy.io.savemat(tmp_path / "other.mat", {"x": np.zeros(3)})
    with pytest.raises(ValueError, match="not a known ECG .mat layout"):
        read(tmp_path / "other.mat", fs=500)


def test_read_missing_file_names_it(tmp_path):
    for name in ("absent", "absent.hea", "absent.npz", "absent.mat"):
        with pytest.raises(FileNotFoundError, match="absent"):
            read(tmp_path / name)


def test_read_unknown_suffix_lists_supported_formats(tmp_path):
    (tmp_path / "r.edf").write_bytes(b"0")
    with pytest.raises(ValueError, match="supported: .*WFDB.*npz"):
        read(tmp_path / "r.edf")


def test_given_fs_must_agree_and_leads_select(tmp_path):
    ecg = make_ecg(leads=("I", "II", "V1"), n_samples=10)
    write(ecg, tmp_path / "r")
    with pytest.raises(ValueError, match="stores fs=500"):
        read(tmp_path / "r", fs=250)
    with pytest.raises(ValueError, match="leads V6 were asked for but 'r' holds I, II, V1"):
        read(tmp_path / "r", leads=["V6"])
    assert read(tmp_path / "r", fs=500, leads=["i", "ii", "v1"]).leads == ("I", "II", "V1")
    picked = read(tmp_path / "r", leads=["V1", "I"])
    assert picked.leads == ("V1", "I")
    np.testing.assert_allclose(picked.signal, ecg.signal[[2, 0]], atol=HALF_MICROVOLT)


def test_wfdb_units_are_converted_to_mv(tmp_path):
    samples = np.array([[1000, -500], [250, 0]], dtype="<i2")  # (n_samples, n_leads)
    samples.tofile(tmp_path / "uv.dat")
    (tmp_path / "uv.hea").write_text(
        "uv 2 500 2\nuv.dat 16 1(0)/uV 16 0 1000 1250 0 I\nuv.dat 16 1(0)/uV 16 0 -500 -500 0 II\n"
    )
    ecg = read(tmp_path / "uv")
    np.testing.assert_allclose(ecg.signal, [[1.0, 0.25], [-0.5, 0.0]])


def test_wfdb_without_ecg_channels_is_refused(tmp_path):
    np.zeros((2, 1), dtype="<i2").tofile(tmp_path / "bp.dat")
    (tmp_path / "bp.hea").write_text("bp 1 125 2\nbp.dat 16 100(0)/mmHg 16 0 0 0 0 ABP\n")
    with pytest.raises(ValueError, match=r"no ECG channel .*channels: ABP"):
        read(tmp_path / "bp")


def _wrsamp(folder, name, channels, units, fs=250.0, n=2500):
    """Write a PhysioNet record with the wfdb package, as other tools do."""
    rng = np.random.default_rng(0)
    signal = rng.normal(0, 0.5, (n, len(channels)))
    wfdb.wrsamp(name, fs=fs, units=units, sig_name=channels, p_signal=signal,
                fmt=["16"] * len(channels), write_dir=str(folder))  # fmt: skip
    return signal


@pytest.mark.parametrize(
    "channels",
    [
        ["ECG"],
        ["ECG1", "ECG2"],
        ["MLII", "CM5"],
        ["ML5", "V"],
        ["EKG 1", "EKG 2", "lead II"],
        ["I", "vx", "vy", "vz"],
    ],
)
def test_physionet_records_with_any_channel_names_are_read_whole(tmp_path, channels):
    # Holter, wearable and many PhysioNet databases name channels this way; they were
    # refused (or CM5 silently dropped), even with leads= given.
    signal = _wrsamp(tmp_path, "rec", channels, ["mV"] * len(channels))
    ecg = read(tmp_path / "rec")
    expected = tuple("II" if c == "lead II" else c for c in channels)
    assert ecg.leads == expected
    np.testing.assert_allclose(ecg.signal, signal.T, atol=1e-3)
    assert read(tmp_path / "rec", leads=[channels[-1]]).leads == (expected[-1],)


def test_channels_that_are_not_ecg_are_left_out_with_a_warning(tmp_path):
    _wrsamp(tmp_path, "mixed", ["ECG", "ABP", "EEG C3-A2", "Resp"], ["mV", "mmHg", "uV", "NU"])
    with pytest.warns(UserWarning, match=r"ABP \(mmHg\), EEG C3-A2 \(uV\), Resp \(NU\)"):
        ecg = read(tmp_path / "mixed")
    assert ecg.leads == ("ECG",)
    assert ecg.meta["dropped_channels"] == ["ABP (mmHg)", "EEG C3-A2 (uV)", "Resp (NU)"]


def test_repeated_channel_names_are_numbered(tmp_path):
    # wfdb.wrsamp refuses repeated names, but such headers exist: written by hand here.
    np.zeros((3, 2), dtype="<i2").tofile(tmp_path / "twice.dat")
    (tmp_path / "twice.hea").write_text(
        "twice 2 250 3\ntwice.dat 16 200(0)/mV 16 0 0 0 0 ECG\ntwice.dat 16 200(0)/mV 16 0 0 0 0 ECG\n"
    )
    with pytest.warns(UserWarning, match="numbered"):
        ecg = read(tmp_path / "twice")
    assert ecg.leads == ("ECG", "ECG (2)")


def test_truncated_signal_file_gives_a_clear_error(tmp_path):
    write(make_ecg(n_samples=1000), tmp_path / "cut")
    data = (tmp_path / "cut.dat").read_bytes()
    (tmp_path / "cut.dat").write_bytes(data[: len(data) // 2 + 3])
    with pytest.raises(ValueError, match="truncated or damaged .dat file"):
        read(tmp_path / "cut")


# -- the real databases ---------------------------------------------------------------------
def test_read_ludb(data_dir):
    ecg = read(data_dir / "ludb" / "1", adc_gain=1000)
    assert ecg.leads == STANDARD_LEADS
    assert ecg.fs == 500.0 and ecg.signal.shape == (12, 5000)
    raw = wfdb.rdrecord(str(data_dir / "ludb" / "1"), physical=False)
    expected = (raw.d_signal - np.asarray(raw.baseline)) / 1000.0
    np.testing.assert_allclose(ecg.signal, expected.T, atol=1e-12)
    # In µV the digital values obey Einthoven's law (up to the header's baselines).
    residual = ecg["III"] - (ecg["II"] - ecg["I"])
    assert np.ptp(residual) < 1e-9 and abs(residual.mean()) < 0.02
    assert ecg.meta["record_name"] == "1"
    assert ecg.meta["source_path"] == str(data_dir / "ludb" / "1")


def test_read_warns_when_every_lead_is_normalised_on_its_own(data_dir):
    with pytest.warns(UserWarning, match="adc_gain=1000"):
        ecg = read(data_dir / "ludb" / "1")
    np.testing.assert_allclose(np.ptp(ecg.signal, axis=1), 1.0)
    reference = wfdb.rdrecord(str(data_dir / "ludb" / "1")).p_signal.T
    np.testing.assert_allclose(ecg.signal, reference, atol=1e-12)


def test_adc_gain_is_checked(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros((1, 500)))
    with pytest.raises(ValueError, match="WFDB records only"):
        read(tmp_path / "a.npy", fs=500, leads=["I"], adc_gain=1000)


def test_ludb_record_survives_our_wfdb_writer(data_dir, tmp_path):
    ecg = read(data_dir / "ludb" / "1", adc_gain=1000)
    write(ecg, tmp_path / "ludb1")
    np.testing.assert_allclose(read(tmp_path / "ludb1").signal, ecg.signal, atol=HALF_MICROVOLT)


@pytest.mark.parametrize("name", ["E07500", "E07500.mat", "E07500.hea"])
def test_read_cinc2021_through_its_header(data_dir, name):
    ecg = read(data_dir / "cinc2021" / name)
    assert ecg.leads == STANDARD_LEADS
    assert ecg.fs == 500.0 and ecg.signal.shape == (12, 5000)
    assert "Dx: 67741000119109,426177001" in ecg.meta["comments"]
    assert "Age: 78" in ecg.meta["comments"]
    assert ecg.meta["record_name"] == "E07500"


def test_read_mitdb_keeps_the_modified_lead_names(data_dir):
    ecg = read(data_dir / "mitdb" / "100")
    assert ecg.leads == ("MLII", "V5")
    assert ecg.fs == 360.0 and ecg.n_samples == 650_000


def test_read_ptbdb_keeps_the_frank_leads(data_dir):
    ecg = read(data_dir / "ptbdb" / "s0010_re")
    assert ecg.leads == (*STANDARD_LEADS, "vx", "vy", "vz")
    assert ecg.fs == 1000.0 and ecg.n_samples == 38_400
    assert ecg.meta["dropped_channels"] == []


def test_read_cpsc2018_mat(data_dir):
    path = data_dir / "cpsc2018" / "A1980.mat"
    with pytest.raises(ValueError, match="pass fs="):
        read(path)
    ecg = read(path, fs=500)
    assert ecg.leads == STANDARD_LEADS and ecg.fs == 500.0
    raw = scipy.io.loadmat(path)["ECG"]["data"][0, 0]
    np.testing.assert_array_equal(ecg.signal, raw)
    assert ecg.meta["sex"] == "Male" and ecg.meta["age"] == 52


def test_read_cpsc2019_mat(data_dir):
    path = data_dir / "cpsc2019" / "data" / "data_00014.mat"
    with pytest.raises(ValueError, match="pass leads="):
        read(path, fs=500)
    ecg = read(path, fs=500, leads=["II"])
    assert ecg.leads == ("II",) and ecg.signal.shape == (1, 5000)
    np.testing.assert_array_equal(ecg.signal[0], scipy.io.loadmat(path)["ecg"][:, 0])


def test_read_cpsc2021(data_dir):
    ecg = read(data_dir / "cpsc2021" / "data_101_6")
    assert ecg.leads == ("I", "II")
    assert ecg.fs == 200.0 and ecg.n_samples == 22_355
    assert ecg.meta["comments"] == ["paroxysmal atrial fibrillation"]


# -- documentation --------------------------------------------------------------------------
def test_docstring_examples_run():
    result = doctest.testmod(ecg_io, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_write_batch_matches_record_by_record(tmp_path):
    """The batched WFDB path writes byte-for-byte what the single-record path writes."""
    from ecgtoolkit import io as eio

    rng = np.random.default_rng(5)
    signals = rng.normal(scale=2.0, size=(3, 4, 700)).astype(np.float32)
    signals[1, 2, 10] = np.nan
    leads = ("I", "II", "V1", "V2")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    eio.write_batch(
        signals, 360.0, leads, [tmp_path / "a" / f"r{i}" for i in range(3)], "wfdb", overwrite=False
    )
    for i in range(3):
        eio._write_signal(
            signals[i], 360.0, leads, tmp_path / "b" / f"r{i}", "wfdb", overwrite=False
        )
        for suffix in (".dat", ".hea"):
            assert (tmp_path / "a" / f"r{i}{suffix}").read_bytes() == (
                tmp_path / "b" / f"r{i}{suffix}"
            ).read_bytes()
    with pytest.raises(FileExistsError):
        eio.write_batch(
            signals,
            360.0,
            leads,
            [tmp_path / "a" / f"r{i}" for i in range(3)],
            "wfdb",
            overwrite=False,
        )
    bad = signals.copy()
    bad[2, 3, 5] = 40.0
    with pytest.raises(ValueError, match="lead V2 reaches 40 mV"):
        eio.write_batch(
            bad, 360.0, leads, [tmp_path / f"c{i}" for i in range(3)], "wfdb", overwrite=False
        )


@given(
    hnp.arrays(
        np.int64,
        st.tuples(st.integers(1, 20), st.integers(1, 9)),
        elements=st.integers(-(10**12), 10**12),
    )
)
def test_integer_table_matches_str_formatting(values):
    from ecgtoolkit.io._asc import integer_table

    expected = "".join(" ".join(map(str, row)) + "\n" for row in values.tolist())
    assert integer_table(values).decode("ascii") == expected


# -- GE MUSE XML ----------------------------------------------------------------------------
MUSE_UV_PER_BIT = 4.88
ONE_BIT_MV = MUSE_UV_PER_BIT / 1000 + 1e-9
MUSE_STORED = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")


@pytest.fixture(scope="module")
def generated():
    """One 12-lead DeepFake ECG (10 s at 500 Hz), the source of the synthetic MUSE files."""
    import ecgtoolkit as et

    return et.generate(1, seed=0)[0]


def muse_lead(name: str, values_mv: np.ndarray, payload: str | None = None) -> str:
    digital = np.rint(values_mv * 1000 / MUSE_UV_PER_BIT).astype("<i2")
    # MUSE wraps the base64 text in lines of 76 characters, as MIME does.
    text = base64.encodebytes(digital.tobytes()).decode("ascii") if payload is None else payload
    return f"""
      <LeadData>
        <LeadByteCountTotal>{2 * digital.size}</LeadByteCountTotal>
        <LeadTimeOffset>0</LeadTimeOffset>
        <LeadSampleCountTotal>{digital.size}</LeadSampleCountTotal>
        <LeadAmplitudeUnitsPerBit>{MUSE_UV_PER_BIT}</LeadAmplitudeUnitsPerBit>
        <LeadAmplitudeUnits>MICROVOLTS</LeadAmplitudeUnits>
        <LeadHighLimit>32767</LeadHighLimit>
        <LeadLowLimit>-32768</LeadLowLimit>
        <LeadID>{name}</LeadID>
        <LeadOffsetFirstSample>0</LeadOffsetFirstSample>
        <FirstSampleBaseline>0</FirstSampleBaseline>
        <LeadSampleSize>2</LeadSampleSize>
        <LeadOff>FALSE</LeadOff>
        <BaselineSway>FALSE</BaselineSway>
        <LeadDataCRC32>0</LeadDataCRC32>
        <WaveFormData>{text}</WaveFormData>
      </LeadData>"""


def muse_waveform(kind: str, leads: dict[str, np.ndarray], payloads: dict | None = None) -> str:
    body = "".join(muse_lead(n, v, (payloads or {}).get(n)) for n, v in leads.items())
    return f"""
  <Waveform>
    <WaveformType>{kind}</WaveformType>
    <WaveformStartTime>0</WaveformStartTime>
    <NumberofLeads>{len(leads)}</NumberofLeads>
    <SampleType>CONTINUOUS_SAMPLES</SampleType>
    <SampleBase>500</SampleBase>
    <SampleExponent>0</SampleExponent>
    <HighPassFilter>16</HighPassFilter>
    <LowPassFilter>150</LowPassFilter>
    <ACFilter>60</ACFilter>{body}
  </Waveform>"""


def muse_xml(ecg: ECG, leads=MUSE_STORED, extra=None, payloads=None, root="RestingECG") -> str:
    """A MUSE RestingECG export of ``ecg``: rhythm strip and a 1.2 s 'median beat'."""
    rhythm = {name: ecg[name] for name in leads} | (extra or {})
    median = {name: ecg[name][1000:1600] for name in MUSE_STORED}
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE {root} SYSTEM "restecg.dtd">
<{root}>
  <MuseInfo><MuseVersion>9.0.9.18167</MuseVersion></MuseInfo>
  <PatientDemographics>
    <PatientID>SECRET-ID-4711</PatientID>
    <PatientAge>67</PatientAge>
    <AgeUnits>YEARS</AgeUnits>
    <DateofBirth>03-14-1956</DateofBirth>
    <Gender>FEMALE</Gender>
    <PatientLastName>Doe</PatientLastName>
    <PatientFirstName>Jane</PatientFirstName>
  </PatientDemographics>
  <TestDemographics>
    <DataType>RESTING</DataType>
    <AcquisitionDevice>MAC55</AcquisitionDevice>
    <AcquisitionTime>10:11:12</AcquisitionTime>
    <AcquisitionDate>05-06-2023</AcquisitionDate>
  </TestDemographics>
  <RestingECGMeasurements>
    <VentricularRate>72</VentricularRate>
    <AtrialRate>72</AtrialRate>
    <PRInterval>164</PRInterval>
    <QRSDuration>92</QRSDuration>
    <QTInterval>386</QTInterval>
    <QTCorrected>422</QTCorrected>
    <PAxis>48</PAxis>
    <RAxis>-12</RAxis>
    <TAxis>37</TAxis>
    <QRSCount>12</QRSCount>
    <QOnset>219</QOnset>
    <ECGSampleBase>500</ECGSampleBase>
    <QTcFrederica>409</QTcFrederica>
  </RestingECGMeasurements>
  <Diagnosis>
    <Modality>RESTING</Modality>
    <DiagnosisStatement><StmtFlag>ENDSLINE</StmtFlag><StmtText>Normal sinus rhythm</StmtText></DiagnosisStatement>
    <DiagnosisStatement><StmtText>Left axis deviation</StmtText></DiagnosisStatement>
    <DiagnosisStatement><StmtFlag>ENDSLINE</StmtFlag><StmtText>with borderline T abnormalities</StmtText></DiagnosisStatement>
    <DiagnosisStatement><StmtFlag>ENDSLINE</StmtFlag><StmtText>Borderline ECG</StmtText></DiagnosisStatement>
  </Diagnosis>
  {muse_waveform("Median", median)}
  {muse_waveform("Rhythm", rhythm, payloads)}
</{root}>
"""


def test_muse_xml_round_trip_within_one_bit(tmp_path, generated):
    (tmp_path / "ecg.xml").write_text(muse_xml(generated), encoding="latin-1")
    ecg = read(tmp_path / "ecg.xml")
    assert ecg.leads == STANDARD_LEADS
    assert ecg.fs == 500.0 and ecg.n_samples == 5000
    for name in MUSE_STORED:  # rounding to the nearest bit: within half a bit
        np.testing.assert_allclose(ecg[name], generated[name], rtol=0, atol=ONE_BIT_MV / 2)
    # The limb leads are derived from the stored I and II (Einthoven, Goldberger).
    np.testing.assert_allclose(ecg["III"], ecg["II"] - ecg["I"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ecg["aVR"], -(ecg["I"] + ecg["II"]) / 2, rtol=0, atol=1e-12)
    for name in ("III", "aVR", "aVL", "aVF"):
        np.testing.assert_allclose(ecg[name], generated[name], rtol=0, atol=ONE_BIT_MV)
    assert ecg.meta["record_name"] == "ecg"


def test_muse_xml_metadata_without_identifying_fields(tmp_path, generated):
    (tmp_path / "ecg.xml").write_text(muse_xml(generated), encoding="latin-1")
    meta = read(tmp_path / "ecg.xml").meta
    assert (meta["age"], meta["sex"], meta["device"]) == (67, "F", "MAC55")
    measured = meta["measurements"]
    assert measured["heart_rate"] == 72 and measured["pr_ms"] == 164
    assert (measured["qrs_ms"], measured["qt_ms"], measured["qtc_ms"]) == (92, 386, 422)
    assert measured["qtc_fridericia_ms"] == 409
    assert (measured["p_axis_deg"], measured["qrs_axis_deg"], measured["t_axis_deg"]) == (
        48, -12, 37,
    )  # fmt: skip
    assert measured["QOnset"] == 219  # fields without a toolkit name keep their MUSE name
    assert meta["diagnosis"] == [
        "Normal sinus rhythm",
        "Left axis deviation with borderline T abnormalities",
        "Borderline ECG",
    ]
    text = repr(meta)
    for secret in ("SECRET-ID-4711", "Doe", "Jane", "1956", "2023"):
        assert secret not in text
    median = meta["median_beats"]
    assert median.shape == (12, 600) and meta["median_beats_fs"] == 500.0
    assert meta["median_beats_leads"] == list(STANDARD_LEADS)
    v2 = meta["median_beats_leads"].index("V2")
    np.testing.assert_allclose(median[v2], generated["V2"][1000:1600], atol=ONE_BIT_MV / 2)


def test_muse_xml_keeps_leads_of_other_names(tmp_path, generated):
    extra = {"V4R": -generated["V4"]}
    (tmp_path / "ecg.xml").write_text(muse_xml(generated, extra=extra), encoding="latin-1")
    ecg = read(tmp_path / "ecg.xml")
    assert ecg.leads == (*STANDARD_LEADS, "V4R")
    np.testing.assert_allclose(ecg["V4R"], -generated["V4"], atol=ONE_BIT_MV / 2)
    assert read(tmp_path / "ecg.xml", leads=["V4R", "II"]).leads == ("V4R", "II")


def test_muse_xml_that_is_not_a_resting_ecg_is_refused(tmp_path, generated):
    (tmp_path / "other.xml").write_text(muse_xml(generated, root="AnnotatedECG"), "latin-1")
    with pytest.raises(ValueError, match="not a GE MUSE resting ECG export.*<AnnotatedECG>"):
        read(tmp_path / "other.xml")
    (tmp_path / "broken.xml").write_text("<RestingECG><Waveform>", encoding="utf-8")
    with pytest.raises(ValueError, match="not well-formed XML"):
        read(tmp_path / "broken.xml")


def test_muse_xml_missing_lead_is_named(tmp_path, generated):
    leads = tuple(name for name in MUSE_STORED if name != "V3")
    (tmp_path / "ecg.xml").write_text(muse_xml(generated, leads=leads), encoding="latin-1")
    with pytest.raises(ValueError, match=r"lacks lead\(s\) V3 .*pass leads="):
        read(tmp_path / "ecg.xml")
    assert read(tmp_path / "ecg.xml", leads=["I", "aVF", "V6"]).leads == ("I", "aVF", "V6")


@pytest.mark.parametrize(
    ("cut", "match"),
    [(3, "not valid base64"), (8, "holds 4998 samples but LeadSampleCountTotal says 5000")],
)
def test_muse_xml_truncated_waveform_is_refused(tmp_path, generated, cut, match):
    digital = np.rint(generated["V5"] * 1000 / MUSE_UV_PER_BIT).astype("<i2")
    text = base64.b64encode(digital.tobytes()).decode("ascii")
    xml = muse_xml(generated, payloads={"V5": text[: len(text) - cut - len(text) % 4]})
    (tmp_path / "ecg.xml").write_text(xml, encoding="latin-1")
    with pytest.raises(ValueError, match=f"Rhythm waveform, lead V5: .*{match}"):
        read(tmp_path / "ecg.xml")


def test_muse_xml_given_fs_must_agree(tmp_path, generated):
    (tmp_path / "ecg.xml").write_text(muse_xml(generated), encoding="latin-1")
    with pytest.raises(ValueError, match="fs=250.0 was given"):
        read(tmp_path / "ecg.xml", fs=250)
    with pytest.raises(ValueError, match="adc_gain applies to WFDB records only"):
        read(tmp_path / "ecg.xml", adc_gain=1000)
