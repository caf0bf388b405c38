"""Reading WFDB records (ecgtoolkit/io/_wfdb_read.py, _wfdb_header.py): headers checked,
multi-segment records of both layouts, frames, invalid samples, units."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import wfdb

from ecgtoolkit.io import read


def header(folder: Path, name: str, text: str, samples: np.ndarray | None = None) -> Path:
    """Write ``name.hea`` (and, given samples ``(n, n_columns)``, ``name.dat`` in format 16)."""
    (folder / f"{name}.hea").write_text(text)
    if samples is not None:
        np.asarray(samples, dtype="<i2").tofile(folder / f"{name}.dat")
    return folder / name


def one_signal(folder: Path, name: str, rate: str, n: int = 100, line: str = "") -> Path:
    signal = line or f"{name}.dat 16 200/mV 16 0 0 0 0 II"
    return header(folder, name, f"{name} 1 {rate} {n}\n{signal}\n", np.zeros((n, 1)))


# -- the header's sampling frequency --------------------------------------------------------
@pytest.mark.parametrize(
    ("rate", "problem"),
    [
        ("-1", "not positive"),
        ("0", "not positive"),
        ("nan", "not a finite number"),
        ("inf", "not a finite number"),
        ("abc", "not a number"),
        ("1e9", "above 100000 Hz"),
        ("0.5", "below 1 Hz"),
        ("200000", "above 100000 Hz"),
    ],
)
def test_header_rate_is_refused_unless_plausible(tmp_path, rate, problem):
    stem = one_signal(tmp_path, "r", rate)
    with pytest.raises(ValueError, match=rf"'r.hea' states a sampling rate of '{rate}' Hz") as err:
        read(stem)
    assert problem in str(err.value)
    assert "the record line 'r 1 " in str(err.value)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("1", 1.0), ("360", 360.0), ("62.4725", 62.4725), ("250/24000", 250.0), ("1e3", 1000.0),
     ("128(0)", 128.0), ("100000", 100000.0)],
)  # fmt: skip
def test_header_rate_as_the_wfdb_library_reads_it(tmp_path, rate, expected):
    # 1e3 is 1000 Hz for WFDB's C library (sscanf %lf); the wfdb package read 1 Hz.
    assert read(one_signal(tmp_path, "r", rate)).fs == expected


def test_header_without_rate_is_250_hz_with_a_warning_unless_fs_is_given(tmp_path):
    stem = header(tmp_path, "r", "r 1\nr.dat 16 200/mV 16 0 0 0 0 II\n", np.zeros((50, 1)))
    with pytest.warns(UserWarning, match="states no sampling frequency; read at the WFDB default"):
        assert read(stem).fs == 250.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read(stem, fs=360).fs == 360.0


def test_given_fs_is_checked_before_the_file(tmp_path):
    stem = one_signal(tmp_path, "r", "250")
    with pytest.raises(ValueError, match="fs=-250 is not positive"):
        read(stem, fs=-250)
    with pytest.raises(TypeError, match="fs must be a number in Hz"):
        read(stem, fs="250")
    with pytest.raises(ValueError, match="fs=250.0 was given but 'r' stores fs=500.0"):
        read(one_signal(tmp_path, "r", "500"), fs=250.0)


# -- damaged headers --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "'r.hea' holds nothing, no record line"),
        ("   \n\n", "'r.hea' holds nothing, no record line"),
        ("# a comment\n#another\n", "'r.hea' holds only comments, no record line"),
        ("r\n", "it does not start with a record name and a count"),
        ("r two 250\n", "the number of signals 'two' is not a whole number"),
        ("r 1 250 many\nr.dat 16 200 16 0 0 0 0 II\n", "the number of samples 'many'"),
        ("r 2 250 10\nr.dat 16 200 16 0 0 0 0 II\n", "states 2 signals but has 1 signal line;"),
        ("r 1 250 10\n", "states 1 signal but has 0 signal lines"),
        ("r 1 250 10\nr.dat 16 200 16 0 0 0 0 I\nr.dat 16 200 16 0 0 0 0 II\n",
         "states 1 signal but has 2 signal lines"),
        ("r 0 250\n", "states 0 signals"),
        ("r 1 250 0\nr.dat 16 200 16 0 0 0 0 II\n", "states 0 samples"),
        ("r 1 250 10\nr.dat\n", "the storage format, is missing or unreadable"),
        ("r 1 250 10\nr.dat 17 200 16 0 0 0 0 II\n", "17 is not a WFDB storage format"),
        ("r 1 250 10\nr.dat 16x0 200 16 0 0 0 0 II\n", "it states 0 samples per frame"),
        ("r 1 250 10\nr.dat 16 gain/mV 16 0 0 0 0 II\n", "its gain field 'gain/mV' is not"),
        ("r/x 1 250 10\n", "the number of segments 'x' is not a whole number"),
        ("r/0 1 250 10\n", "it states 0 segments"),
        ("r/2 1 250 10\nr_1 10\n", "states 2 segments but has 1 segment line"),
        ("r/1 1 250 10\nr_1 ten\n", "the segment line 'r_1 ten' should read"),
    ],
)  # fmt: skip
def test_damaged_header_is_refused_with_what_is_wrong(tmp_path, text, match):
    stem = header(tmp_path, "r", text, np.zeros((10, 1)))
    with pytest.raises(ValueError, match=match):
        read(stem)


def test_binary_header_is_refused(tmp_path):
    (tmp_path / "r.hea").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ValueError, match="'r.hea': the record line .* cannot be read"):
        read(tmp_path / "r")


def test_missing_signal_file_is_named(tmp_path):
    header(tmp_path, "r", "r 1 250 10\nelsewhere.dat 16 200 16 0 0 0 0 II\n")
    with pytest.raises(FileNotFoundError, match="signal file 'elsewhere.dat', named by 'r.hea'"):
        read(tmp_path / "r")


def test_signal_file_of_a_dropped_channel_is_not_needed(tmp_path):
    np.zeros((10, 1), dtype="<i2").tofile(tmp_path / "ecg.dat")
    header(tmp_path, "r", "r 2 250 10\necg.dat 16 200/mV 16 0 0 0 0 II\n"
           "bp.dat 16 10/mmHg 16 0 0 0 0 ABP\n")  # fmt: skip
    with pytest.warns(UserWarning, match=r"ABP \(mmHg\)"):
        assert read(tmp_path / "r").leads == ("II",)


def test_format_61_with_frames_is_refused_clearly(tmp_path):
    header(tmp_path, "r", "r 1 250 10\nr.dat 61x2 200 16 0 0 0 0 II\n", np.zeros((20, 1)))
    with pytest.raises(ValueError, match="format 61 with several samples per frame"):
        read(tmp_path / "r")


# -- values: invalid samples, units, formats ---------------------------------------------------
@pytest.mark.parametrize("fmt", ["212", "80", "16", "24", "32", "516"])
def test_invalid_samples_are_nan_in_every_format(tmp_path, fmt):
    # Before, only -32768 (format 16) was NaN: format 212's -2048 was read as -10 mV.
    signal = np.tile(np.linspace(-1.0, 1.0, 30), (2, 1)).T.copy()
    signal[7, 0] = np.nan
    wfdb.wrsamp("r", fs=250, units=["mV", "mV"], sig_name=["I", "II"], p_signal=signal,
                fmt=[fmt, fmt], adc_gain=[100.0, 100.0], baseline=[0, 0], write_dir=str(tmp_path))  # fmt: skip
    ecg = read(tmp_path / "r")
    assert np.isnan(ecg.signal[0, 7]) and np.isnan(ecg.signal).sum() == 1
    reference = wfdb.rdrecord(str(tmp_path / "r")).p_signal.T
    np.testing.assert_allclose(ecg.signal, reference, rtol=1e-12, atol=0)


def test_units_of_each_channel_are_converted(tmp_path):
    samples = np.array([[1000, 1000, 1000]] * 4)
    header(tmp_path, "r", "r 3 250 4\nr.dat 16 1/uV 16 0 0 0 0 I\nr.dat 16 1/nV 16 0 0 0 0 II\n"
           "r.dat 16 1000 16 0 0 0 0 V1\n", samples)  # fmt: skip
    ecg = read(tmp_path / "r")
    np.testing.assert_allclose(ecg.signal[:, 0], [1.0, 1e-3, 1.0])


def test_garbled_unit_is_not_read_as_millivolts(tmp_path):
    # The wfdb package turns a unit it cannot spell into mV.
    (tmp_path / "r.hea").write_bytes(
        b"r 2 250 4\nr.dat 16 1/mV 16 0 0 0 0 ECG\nr.dat 16 1/\xb0\xff 16 0 0 0 0 sine\n"
    )
    np.zeros((4, 2), dtype="<i2").tofile(tmp_path / "r.dat")
    with pytest.warns(
        UserWarning, match=r"left out channels that are not ECG: sine \(\ufffd\ufffd\)"
    ):
        assert read(tmp_path / "r").leads == ("ECG",)


def test_comments_are_kept_in_order(tmp_path):
    stem = header(tmp_path, "r", "# before\nr 1 250 2\n#Age: 50\nr.dat 16 200 16 0 0 0 0 II\n"
                  "  # Dx: 164889003\n", np.zeros((2, 1)))  # fmt: skip
    assert read(stem).meta["comments"] == ["before", "Age: 50", "Dx: 164889003"]


# -- frames ---------------------------------------------------------------------------------
def frames_record(folder: Path, spf: tuple[int, int]) -> np.ndarray:
    """A record of 10 frames at 250 Hz, signals of ``spf`` samples per frame (values kept)."""
    rng = np.random.default_rng(1)
    values = [rng.integers(-500, 500, 10 * k) for k in spf]
    frames = np.concatenate([v.reshape(10, k) for v, k in zip(values, spf, strict=True)], axis=1)
    lines = [f"r.dat 16x{k} 100/mV 16 0 0 0 0 {n}" for k, n in zip(spf, ("ECG", "V"), strict=True)]
    header(folder, "r", "r 2 250 10\n" + "\n".join(lines) + "\n", frames)
    return values


def test_signals_with_several_samples_per_frame_are_read_at_their_full_rate(tmp_path):
    values = frames_record(tmp_path, (4, 4))
    ecg = read(tmp_path / "r")
    assert ecg.fs == 1000.0 and ecg.n_samples == 40
    np.testing.assert_array_equal(ecg.signal, np.stack(values) / 100)


def test_frames_of_one_second_give_the_signal_its_rate(tmp_path):
    # As test_generator_2 and wave_4 of wfdb's sample data: 1 frame per second.
    values = frames_record(tmp_path, (200, 200))
    (tmp_path / "r.hea").write_text((tmp_path / "r.hea").read_text().replace("r 2 250", "r 2 1"))
    ecg = read(tmp_path / "r")
    assert ecg.fs == 200.0
    np.testing.assert_array_equal(ecg.signal, np.stack(values) / 100)


def test_leads_of_different_frame_rates_are_averaged_with_a_warning(tmp_path):
    values = frames_record(tmp_path, (2, 1))
    with pytest.warns(UserWarning, match=r"ECG: 2, V: 1\); every lead was averaged"):
        ecg = read(tmp_path / "r")
    assert ecg.fs == 250.0
    np.testing.assert_allclose(ecg["ECG"], values[0].reshape(10, 2).mean(axis=1) / 100)
    full = read(tmp_path / "r", leads=["ECG"])
    assert full.fs == 500.0
    np.testing.assert_array_equal(full["ECG"], values[0] / 100)


# -- multi-segment records ---------------------------------------------------------------------
def segment(folder: Path, name: str, channels: list[tuple[str, float]], n: int, value: int):
    lines = [f"{name} {len(channels)} 125 {n}"]
    lines += [f"{name}.dat 16 {gain:g}/mV 16 0 0 0 0 {c}" for c, gain in channels]
    header(folder, name, "\n".join(lines) + "\n", np.full((n, len(channels)), value))


def variable_layout(folder: Path) -> Path:
    """MIMIC's layout: a layout segment, segments holding some channels, a gap."""
    header(folder, "v_layout", "v_layout 3 125 0\n~ 0 100/mV 16 0 0 0 0 II\n"
           "~ 0 100/mV 16 0 0 0 0 V\n~ 0 1/mmHg 16 0 0 0 0 ABP\n")  # fmt: skip
    segment(folder, "v_0001", [("II", 100), ("ABP", 1)], 50, 100)
    segment(folder, "v_0002", [("V", 200), ("II", 50)], 30, 100)  # other order and gains
    return header(folder, "v", "v/4 3 125 110\nv_layout 0\nv_0001 50\n~ 30\nv_0002 30\n")


def test_variable_layout_multi_segment_record_is_the_union_of_its_segments(tmp_path):
    stem = variable_layout(tmp_path)
    with pytest.warns(UserWarning, match=r"ABP \(mmHg\)"):
        ecg = read(stem)
    assert ecg.leads == ("II", "V") and ecg.fs == 125.0 and ecg.n_samples == 110
    expected = np.full((2, 110), np.nan)
    expected[0, :50] = 1.0  # 100 adu at 100 adu/mV
    expected[:, 80:] = [[2.0], [0.5]]  # 100 adu at 50 and 200 adu/mV
    np.testing.assert_array_equal(ecg.signal, expected)
    assert ecg.meta["dropped_channels"] == ["ABP (mmHg)"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        reference = wfdb.rdrecord(str(stem)).p_signal.T[:2]
    np.testing.assert_allclose(ecg.signal, reference, rtol=1e-12, equal_nan=True)


def test_variable_layout_leads_and_adc_gain(tmp_path):
    stem = variable_layout(tmp_path)
    with pytest.warns(UserWarning, match="ABP"):
        ecg = read(stem, leads=["V"], adc_gain=1000)
    assert ecg.leads == ("V",)
    np.testing.assert_array_equal(ecg.signal[0, 80:], 0.1)
    assert np.isnan(ecg.signal[0, :80]).all()


def test_fixed_layout_multi_segment_record_is_read_end_to_end(tmp_path):
    segment(tmp_path, "f_1", [("I", 100), ("II", 100)], 20, 100)
    segment(tmp_path, "f_2", [("I", 100), ("II", 100)], 10, -50)
    stem = header(tmp_path, "f", "f/3 2 125 40\nf_1 20\n~ 10\nf_2 10\n")
    ecg = read(stem)
    assert ecg.leads == ("I", "II") and ecg.n_samples == 40
    np.testing.assert_array_equal(ecg.signal[:, :20], 1.0)
    assert np.isnan(ecg.signal[:, 20:30]).all()
    np.testing.assert_array_equal(ecg.signal[:, 30:], -0.5)


@pytest.mark.parametrize(
    ("master", "match"),
    [
        ("m/1 1 125 10\nabsent 10\n", "the header of its segment 'absent'"),
        ("m/2 1 125 20\n~ 10\n~ 10\n", "every segment is a gap"),
        ("m/1 1 125 99\nm_1 10\n", "its segments hold 10 samples but its record line states 99"),
        ("m/1 1 250 10\nm_1 10\n", "segment 'm_1' is sampled at 125 Hz but the record at 250"),
        ("m/1 2 125 10\nm_1 10\n", "states 2 signals but its first segment 'm_1' has 1"),
        ("m/1 1 125 20\nm_1 20\n", "segment 'm_1' holds 10 samples but the record's header"),
    ],
)
def test_damaged_multi_segment_record_is_refused(tmp_path, master, match):
    segment(tmp_path, "m_1", [("II", 100)], 10, 1)
    with pytest.raises((ValueError, FileNotFoundError), match=match):
        read(header(tmp_path, "m", master))


# -- the real databases ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "record", ["mitdb/100", "ptbdb/s0010_re", "cinc2021/E07500", "cpsc2021/data_101_6"]
)
def test_real_records_equal_the_wfdb_package_sample_for_sample(data_dir, record):
    ecg = read(data_dir / record)
    reference = wfdb.rdrecord(str(data_dir / record))
    assert ecg.fs == reference.fs and ecg.meta["dropped_channels"] == []
    np.testing.assert_allclose(ecg.signal, reference.p_signal.T, rtol=1e-12, atol=0)
