"""Hostile cases of the readers: files that say nonsense must be refused, not read.

Each test is a case a hostile tester found (issue 16, item 3) or a variant of one. Before,
a WFDB header with the rate ``-1``, ``nan`` or ``abc`` was read at 250 Hz (and measured
``ok``), ``1e9`` at 1 Hz; an empty header raised ``IndexError``; a CSV with 1,000 rows
missing was read at 399.98 Hz; a CSV with a byte-order mark lost its time column; a 2 GB
text file was parsed for 74 s into 4.2 GB before failing; MIMIC's variable-layout
multi-segment records raised ``KeyError: None`` or wfdb's own exception; respiration and
uterine contraction channels became ECG leads.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import wfdb

import ecgtoolkit as et


def wfdb_with_rate(folder: Path, rate: str) -> Path:
    np.zeros((500, 1), dtype="<i2").tofile(folder / "r.dat")
    (folder / "r.hea").write_text(f"r 1 {rate} 500\nr.dat 16 200/mV 16 0 0 0 0 II\n")
    return folder / "r"


def csv_rows(times: np.ndarray) -> str:
    return "\n".join(f"{t:.10g},{np.sin(t):.4f},{np.cos(t):.4f}" for t in times) + "\n"


# -- sampling rates ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rate", "problem"),
    [("-1", "not positive"), ("nan", "not a finite number"), ("abc", "not a number"),
     ("1e9", "above 100000 Hz"), ("0.5", "below 1 Hz"), ("0", "not positive"),
     ("-inf", "not a finite number"), ("1e-9", "below 1 Hz")],
)  # fmt: skip
def test_wfdb_header_rate_that_is_no_rate_is_refused(tmp_path, rate, problem):
    with pytest.raises(ValueError, match=rf"'r.hea' states a sampling rate of '{rate}' Hz") as err:
        et.read(wfdb_with_rate(tmp_path, rate))
    assert problem in str(err.value) and "the record line 'r 1 " in str(err.value)


def test_wfdb_header_rate_that_wfdb_misreads_is_read_as_written(tmp_path):
    # The wfdb package reads "1e3" as 1 Hz; WFDB's C library and et.read as 1000 Hz.
    assert et.read(wfdb_with_rate(tmp_path, "1e3")).fs == 1000.0


def test_wfdb_header_without_rate_is_the_documented_250_hz(tmp_path):
    np.zeros((10, 1), dtype="<i2").tofile(tmp_path / "r.dat")
    (tmp_path / "r.hea").write_text("r 1\nr.dat 16 200/mV 16 0 0 0 0 II\n")
    with pytest.warns(UserWarning, match="no sampling frequency; read at the WFDB default"):
        assert et.read(tmp_path / "r").fs == 250.0
    assert et.read(tmp_path / "r", fs=500).fs == 500.0


@pytest.mark.parametrize("fs", [-1, float("nan"), 1e9, 0.5, 0])
def test_given_rate_that_is_no_rate_is_refused(tmp_path, fs):
    (tmp_path / "a.csv").write_text("II,V5\n0.1,0.2\n0.3,0.4\n")
    with pytest.raises(ValueError, match=r"fs=.* read\(\) takes sampling rates from 1 to 100000"):
        et.read(tmp_path / "a.csv", fs=fs)


# -- empty and garbled headers --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "'r.hea' holds nothing, no record line"),
        ("# one comment\n# and another\n", "'r.hea' holds only comments, no record line"),
        ("\n\n   \n", "'r.hea' holds nothing, no record line"),
        ("r 3 250 10\nr.dat 16 200 16 0 0 0 0 I\n", "states 3 signals but has 1 signal line"),
        ("not a header at all\n", "the number of signals 'a' is not a whole number"),
        ("r 1 250 10\nr.dat sixteen\n", "the storage format, is missing or unreadable"),
        ("r/3 1 250 30\nr_1 10\n", "states 3 segments but has 1 segment line"),
    ],
)
def test_empty_or_garbled_wfdb_header_is_a_clear_value_error(tmp_path, text, match):
    (tmp_path / "r.hea").write_text(text)
    np.zeros((10, 3), dtype="<i2").tofile(tmp_path / "r.dat")
    with pytest.raises(ValueError, match=match):
        et.read(tmp_path / "r")


def test_binary_file_named_hea_is_a_clear_value_error(tmp_path):
    (tmp_path / "r.hea").write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError, match="WFDB header 'r.hea'"):
        et.read(tmp_path / "r")


# -- CSV --------------------------------------------------------------------------------------
def test_csv_with_1000_rows_missing_is_refused_naming_the_gap(tmp_path):
    times = np.delete(np.arange(10_000) / 400, np.s_[5000:6000])
    (tmp_path / "gap.csv").write_text("time_s,I,II\n" + csv_rows(times))
    with pytest.raises(ValueError, match=r"steps from 12.4975 s \(data row 5000\) to 15 s \(data "
                       r"row 5001\), 1001 sampling periods of 0.0025 s"):  # fmt: skip
        et.read(tmp_path / "gap.csv")


def test_csv_with_byte_order_mark_keeps_its_time_column(tmp_path):
    text = "\ufefftime_s,I,II\n" + csv_rows(np.arange(1000) / 500)
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-8"))
    ecg = et.read(tmp_path / "bom.csv")
    assert ecg.leads == ("I", "II") and ecg.fs == 500.0 and ecg.n_samples == 1000


def test_csv_with_byte_order_mark_and_no_time_column_keeps_its_first_lead_name(tmp_path):
    (tmp_path / "bom.csv").write_bytes("\ufeffII,V5\n0.1,0.2\n0.3,0.4\n".encode())
    ecg = et.read(tmp_path / "bom.csv", fs=500)
    assert ecg.leads == ("II", "V5")
    np.testing.assert_array_equal(ecg.signal, [[0.1, 0.3], [0.2, 0.4]])


def test_oversized_text_file_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    (tmp_path / "big.csv").write_text("time_s,I,II\n" + csv_rows(np.arange(5000) / 500))
    with pytest.raises(ValueError, match=r"'big.csv' is .* more than the 1,000 bytes of text"):
        et.read(tmp_path / "big.csv", max_text_bytes=1000)
    (tmp_path / "big.asc").write_text("0 0 0 0 0 0 0 0\n" * 500)
    with pytest.raises(ValueError, match="'big.asc' is 8,000 bytes, more than the 7,999 bytes"):
        et.read(tmp_path / "big.asc", max_text_bytes=7999)

    def no_parsing(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(np, "loadtxt", no_parsing)
    with pytest.raises(ValueError, match="pass max_text_bytes=None"):
        et.read(tmp_path / "big.csv", max_text_bytes=1000)


def test_two_gigabyte_text_file_is_refused_at_once_by_default(tmp_path):
    with open(tmp_path / "huge.csv", "wb") as handle:  # sparse: no disk space used
        handle.truncate(2 * 10**9)
    with pytest.raises(ValueError, match=r"'huge.csv' is 1,907.3 MiB, more than the 1,024.0 MiB"):
        et.read(tmp_path / "huge.csv")


# -- multi-segment records of MIMIC's variable layout ----------------------------------------
def _segment(folder: Path, name: str, channels: list[tuple[str, float, str]], n: int) -> None:
    rng = np.random.default_rng(len(name) + n)
    np.asarray(rng.integers(-300, 300, (n, len(channels))), dtype="<i2").tofile(
        folder / f"{name}.dat"
    )
    lines = [f"{name} {len(channels)} 125 {n} 16:57:09"]
    lines += [f"{name}.dat 16 {g:g}/{u} 16 0 0 0 0 {c}" for c, g, u in channels]
    (folder / f"{name}.hea").write_text("\n".join(lines) + "\n")


def test_variable_layout_multi_segment_record_is_read_as_wfdb_reads_it(tmp_path):
    (tmp_path / "3269321_layout.hea").write_text(
        "3269321_layout 4 125 0 16:57:09\n~ 0 255(-128)/NU 8 0 -128 0 0 PLETH\n"
        "~ 0 127(-64)/mV 8 0 -128 0 0 II\n~ 0 127(-64)/mV 8 0 -128 0 0 V\n"
        "~ 0 1.28(-109)/mmHg 8 0 -128 0 0 ABP\n"
    )
    _segment(tmp_path, "3269321_0001", [("PLETH", 255, "NU")], 200)
    _segment(tmp_path, "3269321_0002", [("II", 127, "mV"), ("PLETH", 255, "NU")], 175)
    _segment(tmp_path, "3269321_0003", [("V", 60, "mV"), ("II", 90, "mV"), ("ABP", 1.28, "mmHg")], 300)  # fmt: skip
    (tmp_path / "p000878.hea").write_text(
        "p000878/5 4 125 1050 16:57:09.000 26/10/2137\n3269321_layout 0\n~ 375\n"
        "3269321_0001 200\n3269321_0002 175\n3269321_0003 300\n"
    )
    with pytest.warns(UserWarning, match=r"left out channels that are not ECG: PLETH \(NU\), ABP"):
        ecg = et.read(tmp_path / "p000878")
    assert ecg.leads == ("II", "V") and ecg.fs == 125.0 and ecg.n_samples == 1050
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = wfdb.rdrecord(str(tmp_path / "p000878"))
    expected = reference.p_signal[:, [1, 2]].T
    np.testing.assert_allclose(ecg.signal, expected, rtol=1e-12, equal_nan=True)
    assert np.isnan(ecg.signal[:, :575]).all() and not np.isnan(ecg.signal[0, 575:]).any()


# -- channels that are not ECG ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("names", "units"),
    [
        (["II", "RESP", "UC", "ABP"], ["mV", "mV", "mV", "mmHg"]),
        (["ECG", "Resp", "TOCO", "ART"], ["mV", "NU", "mV", "mmHg"]),
        (["MLII", "resp", "PLETH", "EEG Fpz-Cz"], ["mV", "mV", "NU", "uV"]),
        (["ECG lead I", "Resp. Imp.", "CO2", "Temp"], ["mV", "mV", "mV", "degC"]),
        (["FECG", "UC", "SpO2", "Fp2-F4"], ["mV", "mV", "%", "uV"]),
    ],
)
def test_respiration_contraction_and_pressure_are_not_leads(tmp_path, names, units):
    signal = np.random.default_rng(0).normal(0, 0.5, (250, len(names)))
    wfdb.wrsamp("r", fs=250, units=units, sig_name=names, p_signal=signal,
                fmt=["16"] * len(names), write_dir=str(tmp_path))  # fmt: skip
    dropped = [f"{n} ({u})" for n, u in zip(names[1:], units[1:], strict=True)]
    with pytest.warns(UserWarning, match="left out channels that are not ECG"):
        ecg = et.read(tmp_path / "r")
    assert ecg.leads == (names[0],)
    assert ecg.meta["dropped_channels"] == dropped


def test_record_of_only_other_signals_is_refused(tmp_path):
    signal = np.zeros((250, 2))
    wfdb.wrsamp("r", fs=250, units=["mV", "mV"], sig_name=["RESP", "UC"], p_signal=signal,
                fmt=["16", "16"], write_dir=str(tmp_path))  # fmt: skip
    with pytest.raises(ValueError, match=r"'r' has no ECG channel .*channels: RESP \(mV\), UC"):
        et.read(tmp_path / "r")
