"""What every reader checks (ecgtoolkit/io/_files.py, _channels.py, _csv.py): sampling
rates, text sizes, CSV time columns and byte-order marks, channels that are not ECG."""

from __future__ import annotations

import base64
import json
import warnings

import numpy as np
import pytest
import scipy.io

from ecgtoolkit import ECG
from ecgtoolkit.io import MAX_READ_FS, MAX_TEXT_BYTES, MIN_READ_FS, read, write
from ecgtoolkit.io._channels import NOT_ECG, ecg_channels


def csv_text(times: np.ndarray, header: str = "time_s,I,II", fmt: str = "%.10g") -> str:
    rows = [f"{fmt % t},{np.sin(t):.4f},{np.cos(t):.4f}" for t in times]
    return header + "\n" + "\n".join(rows) + "\n"


# -- sampling rates, given or stored ------------------------------------------------------------
def test_rate_limits_are_named_constants():
    assert (MIN_READ_FS, MAX_READ_FS) == (1.0, 100_000.0)


@pytest.mark.parametrize("fs", [0, -500, 0.5, 1e6, float("nan"), float("inf")])
def test_given_fs_outside_the_range_is_refused_for_every_format(tmp_path, fs):
    np.save(tmp_path / "a.npy", np.zeros((1, 100)))
    (tmp_path / "a.csv").write_text("II\n0.1\n0.2\n")
    scipy.io.savemat(tmp_path / "a.mat", {"ecg": np.zeros((100, 1))})
    for name in ("a.npy", "a.csv", "a.mat"):
        with pytest.raises(ValueError, match=r"fs=.* read\(\) takes sampling rates from 1 to"):
            read(tmp_path / name, fs=fs, leads=["II"] if name != "a.csv" else None)


@pytest.mark.parametrize("fs", ["500", True, b"500", [500]])
def test_given_fs_of_the_wrong_type_is_a_type_error(tmp_path, fs):
    np.save(tmp_path / "a.npy", np.zeros((1, 100)))
    with pytest.raises(TypeError, match="fs must be a number in Hz"):
        read(tmp_path / "a.npy", fs=fs, leads=["II"])


@pytest.mark.parametrize("fs", [1.0, 100_000.0])
def test_the_range_includes_its_limits(tmp_path, fs):
    np.save(tmp_path / "a.npy", np.zeros((1, 100)))
    assert read(tmp_path / "a.npy", fs=fs, leads=["II"]).fs == fs


@pytest.mark.parametrize(
    ("fs", "problem"), [(np.nan, "not a finite number"), (-1.0, "not positive"),
                        (0.2, "below 1 Hz"), (np.array([250.0, 500.0]), "not a number")],
)  # fmt: skip
def test_npz_rate_is_checked(tmp_path, fs, problem):
    np.savez(tmp_path / "a.npz", signal=np.zeros((1, 10)), fs=fs, leads=np.array(["II"]))
    with pytest.raises(ValueError, match=rf"'a.npz' states a sampling rate of .*{problem}"):
        read(tmp_path / "a.npz")


def test_npy_manifest_rate_is_checked(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros((1, 10)))
    (tmp_path / "manifest.json").write_text(json.dumps({"fs": "fast", "leads": ["II"]}))
    with pytest.raises(ValueError, match="'manifest.json' states a sampling rate of 'fast' Hz"):
        read(tmp_path / "a.npy")
    (tmp_path / "manifest.json").write_text(json.dumps({"fs": 360, "leads": ["II"]}))
    assert read(tmp_path / "a.npy").fs == 360.0


def muse_file(path, base: str, exponent: str = "0") -> None:
    """A minimal MUSE RestingECG export: leads I, II, V1–V6 of 10 zero samples."""
    payload = base64.b64encode(np.zeros(10, dtype="<i2").tobytes()).decode("ascii")
    leads = "".join(
        f"<LeadData><LeadSampleCountTotal>10</LeadSampleCountTotal>"
        f"<LeadAmplitudeUnitsPerBit>4.88</LeadAmplitudeUnitsPerBit>"
        f"<LeadAmplitudeUnits>MICROVOLTS</LeadAmplitudeUnits><LeadID>{name}</LeadID>"
        f"<WaveFormData>{payload}</WaveFormData></LeadData>"
        for name in ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")
    )
    path.write_text(
        f"<RestingECG><Waveform><WaveformType>Rhythm</WaveformType><SampleBase>{base}"
        f"</SampleBase><SampleExponent>{exponent}</SampleExponent>{leads}</Waveform>"
        "</RestingECG>"
    )


@pytest.mark.parametrize(
    ("base", "exponent", "problem"),
    [("0", "0", "not positive"), ("500", "9", "above 100000 Hz"),
     ("500", "400", "not a finite number"), ("-500", "0", "not positive")],
)  # fmt: skip
def test_muse_rate_is_checked(tmp_path, base, exponent, problem):
    muse_file(tmp_path / "a.xml", base, exponent)
    with pytest.raises(ValueError, match=rf"'a.xml' states a sampling rate .*Rhythm.* {problem}"):
        read(tmp_path / "a.xml")
    muse_file(tmp_path / "b.xml", "500")
    assert read(tmp_path / "b.xml").fs == 500.0


# -- CSV ------------------------------------------------------------------------------------
def test_csv_with_missing_rows_names_the_first_gap(tmp_path):
    times = np.delete(np.arange(2000) / 500, np.s_[700:701])  # one row missing
    (tmp_path / "gap.csv").write_text(csv_text(times))
    with pytest.raises(ValueError, match=r"steps from 1.398 s \(data row 700\) to 1.402 s \(data "
                       r"row 701\), 2 sampling periods of 0.002 s; rows are missing"):  # fmt: skip
        read(tmp_path / "gap.csv")


def test_csv_with_rows_out_of_order_is_refused(tmp_path):
    times = np.arange(100) / 500
    times[[40, 41]] = times[[41, 40]]
    (tmp_path / "swap.csv").write_text(csv_text(times))
    with pytest.raises(ValueError, match=r"data row 40\).*out of order"):
        read(tmp_path / "swap.csv")


@pytest.mark.parametrize(
    ("start", "fs", "fmt"),
    [(0.0, 500.0, "%.10g"), (86_000.0, 500.0, "%.10g"), (0.0, 360.0, "%.3f"),
     (0.0, 257.5, "%.10g"), (3_600.0, 1000.0, "%.10g")],
)  # fmt: skip
def test_csv_times_written_to_fewer_digits_are_uniform(tmp_path, start, fs, fmt):
    # Our writer's %.10g, a day into a recording; whole ms at 360 Hz (steps of 2 or 3 ms).
    (tmp_path / "a.csv").write_text(csv_text(start + np.arange(1000) / fs, fmt=fmt))
    assert read(tmp_path / "a.csv").fs == pytest.approx(fs, rel=1e-5)


def test_csv_times_in_milliseconds_are_refused_with_a_hint(tmp_path):
    (tmp_path / "ms.csv").write_text(csv_text(np.arange(100) * 2.0))
    with pytest.raises(ValueError, match="below 1 Hz.*Is time_s in milliseconds"):
        read(tmp_path / "ms.csv")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "is empty or starts with a blank line"),
        ("time_s,I\n", "holds no rows of samples"),
        ("0,1\n0.002,2\n", "starts with a row of numbers, not of column names"),
        ("time_s,I\n0,1\n0.002,one\n", "holds something other than rows of numbers"),
        ("time_s,I\n0,1\n0.002,2,3\n", "holds something other than rows of numbers"),
        ("time_s,I\n0,1\nnan,2\n0.004,3\n", "the time_s column holds nan at data row 2"),
        ("time_s,I\n0.004,1\n0.002,2\n0,3\n", "the time_s column does not increase"),
    ],
)
def test_csv_that_is_not_a_table_of_numbers_is_refused(tmp_path, text, match):
    (tmp_path / "bad.csv").write_text(text)
    with pytest.raises(ValueError, match=match):
        read(tmp_path / "bad.csv")


def test_csv_that_is_not_utf8_is_refused(tmp_path):
    (tmp_path / "latin.csv").write_bytes("Ableitung_\xe4,II\n1,2\n".encode("latin-1"))
    with pytest.raises(ValueError, match="is not UTF-8 text"):
        read(tmp_path / "latin.csv", fs=500)


def test_csv_byte_order_mark_quotes_and_windows_line_ends(tmp_path):
    text = csv_text(np.arange(100) / 250, header='"time_s","I","II"').replace("\n", "\r\n")
    (tmp_path / "excel.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    ecg = read(tmp_path / "excel.csv")
    assert ecg.leads == ("I", "II") and ecg.fs == 250.0


def test_csv_columns_that_are_not_ecg_are_left_out(tmp_path):
    text = csv_text(np.arange(100) / 250, header="time_s,II,RESP").replace("\n", ",0.5\n")
    (tmp_path / "mixed.csv").write_text(text.replace("RESP,0.5", "RESP,SpO2"))
    with pytest.warns(
        UserWarning, match=r"'mixed.csv': left out channels that are not ECG: RESP, SpO2"
    ):
        ecg = read(tmp_path / "mixed.csv")
    assert ecg.leads == ("II",) and ecg.meta["dropped_channels"] == ["RESP", "SpO2"]
    (tmp_path / "resp.csv").write_text("time_s,RESP\n0,1\n0.002,2\n")
    with pytest.raises(ValueError, match="'resp.csv' has no ECG channel"):
        read(tmp_path / "resp.csv")


def test_csv_round_trip_is_untouched(tmp_path):
    ecg = ECG(np.random.default_rng(0).normal(size=(3, 2000)), fs=500, leads=["I", "II", "V1"])
    write(ecg, tmp_path / "a.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = read(tmp_path / "a.csv")
    assert back.fs == 500.0 and back.meta["dropped_channels"] == []
    np.testing.assert_allclose(back.signal, ecg.signal, atol=0.5e-4 + 1e-12)


# -- size of text files ---------------------------------------------------------------------
def test_default_text_limit_is_one_gibibyte():
    assert MAX_TEXT_BYTES == 2**30
    assert read.__kwdefaults__["max_text_bytes"] == MAX_TEXT_BYTES


def test_text_files_above_the_limit_are_refused_before_parsing(tmp_path):
    (tmp_path / "a.csv").write_text(csv_text(np.arange(100) / 500))
    size = (tmp_path / "a.csv").stat().st_size
    assert read(tmp_path / "a.csv", max_text_bytes=size).n_samples == 100
    with pytest.raises(ValueError, match=rf"'a.csv' is {size:,} bytes, more than the {size - 1:,}"):
        read(tmp_path / "a.csv", max_text_bytes=size - 1)
    assert read(tmp_path / "a.csv", max_text_bytes=None).n_samples == 100


def test_text_limit_applies_to_asc_xml_and_wfdb_headers_not_to_binary_files(tmp_path):
    ecg = ECG(np.zeros((12, 5000)), fs=500, leads=["I", "II", "III", "aVR", "aVL", "aVF",
              "V1", "V2", "V3", "V4", "V5", "V6"])  # fmt: skip
    for name in ("a.asc", "a", "a.npy", "a.npz"):
        write(ecg, tmp_path / name)
    muse_file(tmp_path / "a.xml", "500")
    for name in ("a.asc", "a.xml", "a"):
        with pytest.raises(ValueError, match="pass max_text_bytes=None"):
            read(tmp_path / name, max_text_bytes=10)
    assert read(tmp_path / "a.npz", max_text_bytes=10).n_samples == 5000
    assert read(tmp_path / "a.npy", fs=500, leads=ecg.leads, max_text_bytes=10).n_leads == 12


@pytest.mark.parametrize(("limit", "error"), [(0, ValueError), (-1, ValueError),
                                              ("1", TypeError), (1.5, TypeError)])  # fmt: skip
def test_text_limit_is_checked(tmp_path, limit, error):
    (tmp_path / "a.csv").write_text("II\n1\n")
    with pytest.raises(error, match="max_text_bytes"):
        read(tmp_path / "a.csv", fs=500, max_text_bytes=limit)


# -- which channels are ECG -------------------------------------------------------------------
ECG_NAMES = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V6", "MLII", "MLI", "MLIII", "V",
             "ECG", "ECG1", "ECG 2", "EKG", "ECG lead I", "ECG lead II", "CM5", "MCL1", "ML5",
             "FECG", "vx", "D1", "lead II", "C1", "Thorax_1", "Abdomen_1", "Direct_1",
             "ECG_1", "sig 0, fmt 8", "col 0", "ramp", "ch1"]  # fmt: skip
NOT_ECG_NAMES = ["RESP", "Resp", "resp", "Resp. Imp.", "Respiration", "UC", "TOCO", "ABP",
                 "ART", "ART1", "PAP", "CVP", "ICP", "BP", "NBPSys", "ABPMean", "PLETH",
                 "Pleth", "SpO2", "SaO2", "PULSE", "HR", "EEG", "EEG C3-A2", "EOG", "EMG",
                 "Fp2-F4", "C3-A2", "E1-M2", "Fpz-Cz", "Pz-Oz", "CO2", "etCO2", "Temp",
                 "DEV_Temperature", "foot GSR", "marker", "Marker", "EDF Annotations",
                 "Accelerometer_X", "THOR RES", "ABDO RES", "Airflow", "Snore", "Chin1-Chin2",
                 "EKG artifact", "PCG", "Position"]  # fmt: skip


@pytest.mark.parametrize("name", ECG_NAMES)
def test_ecg_names_are_kept(name):
    assert not NOT_ECG.search(name)
    assert ecg_channels([name], ["mV"]) == ([0], [])


@pytest.mark.parametrize("name", NOT_ECG_NAMES)
def test_names_of_other_signals_are_left_out_whatever_their_unit(name):
    assert ecg_channels([name], ["mV"]) == ([], [f"{name} (mV)"])
    assert ecg_channels([name], [None]) == ([], [name])


@pytest.mark.parametrize("unit", ["mmHg", "%", "bpm", "NU", "degC", "Ohm", "mg", "ms", "", "?"])
def test_units_that_are_not_a_voltage_are_left_out(unit):
    assert ecg_channels(["II"], [unit]) == ([], [f"II ({unit})"])


@pytest.mark.parametrize("unit", ["mV", "uV", "µV", "V", "nV", None])
def test_voltages_and_a_missing_unit_are_kept(unit):
    assert ecg_channels(["Signal 1"], [unit]) == ([0], [])
