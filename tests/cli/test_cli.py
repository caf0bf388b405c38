import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.cli import main


def test_generate_command_writes_files(tmp_path, capsys):
    assert (
        main(["generate", "-n", "3", "-o", str(tmp_path), "--seed", "1", "--format", "csv", "-q"])
        == 0
    )
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == ["0.csv", "1.csv", "2.csv"]
    rec = et.read(tmp_path / "2.csv")
    np.testing.assert_allclose(rec.signal, et.generate(3, seed=1)[2].signal, atol=1e-4)


def test_start_id_leads_and_resume(tmp_path):
    common = ["-o", str(tmp_path), "--seed", "3", "--n-leads", "8", "--start-id", "10", "-q"]
    assert main(["generate", "-n", "2", *common]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.hea")) == ["10.hea", "11.hea"]
    assert et.read(tmp_path / "10.hea").leads == et.GENERATED_LEADS
    assert main(["generate", "-n", "3", *common, "--resume"]) == 0
    assert (tmp_path / "12.hea").exists()


def test_a_run_time_error_exits_1_with_one_line(tmp_path, capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    out = tmp_path / "out"
    assert main(["generate", "-n", "2", "-o", str(out), "--device", "cuda"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("ecgtoolkit: error:") and "CUDA" in err and "\n" not in err
    assert not out.exists() or not any(out.iterdir())


def test_contradicting_flags_exit_2_before_any_work(tmp_path, capsys):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as info:
        main(["generate", "-n", "2", "-o", str(out), "--overwrite", "--resume"])
    assert info.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    "bad", [["-n", "0"], ["-n", "x"], ["--format", "edf", "-n", "1"], ["-n", "1", "--seed", "-2"]]
)
def test_argument_errors_exit_2(tmp_path, capsys, bad):
    with pytest.raises(SystemExit) as info:
        main(["generate", "-o", str(tmp_path), *bad])
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_files_in_the_way_are_kept(tmp_path, capsys):
    (tmp_path / "1.hea").write_text("precious")
    assert main(["generate", "-n", "2", "-o", str(tmp_path), "--seed", "0", "-q"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("ecgtoolkit: error:") and "--overwrite" in err and "\n" not in err
    assert (tmp_path / "1.hea").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.hea"]


def test_output_path_under_a_file(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["generate", "-n", "1", "-o", str(blocker / "sub"), "-q"]) == 1
    assert "ecgtoolkit: error:" in capsys.readouterr().err


def test_version_and_module_entry_point():
    done = subprocess.run(
        [sys.executable, "-m", "ecgtoolkit", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == f"ecgtoolkit {et.__version__}"


@pytest.mark.slow
def test_demo_command(tmp_path, capsys):
    real = tmp_path / "real"
    real.mkdir()
    for i, record in enumerate(et.generate(6, seed=9)):
        et.write(record, real / f"r{i}.hea")
    (real / "broken.csv").write_text("not,an,ecg\n")
    out = tmp_path / "out"
    assert main(["demo", "-o", str(out), "-n", "6", "--real", str(real)]) == 0
    printed = capsys.readouterr().out
    assert "Report:" in printed and "Against real normal adults (36)" in printed
    assert "Against your records (real) (6)" in printed and "broken.csv: skipped" in printed
    report = (out / "report.html").read_text()
    assert report.startswith("<!DOCTYPE html>") and "data:image/png;base64," in report
    assert "compared with your records" in report
    table = pd.read_csv(out / "measurements.csv", index_col=0)
    assert len(table) == 6 and {"heart_rate", "rhythm", "normal"} <= set(table.columns)
    assert (out / "ecg_0.png").stat().st_size > 10_000
    assert main(["demo", "-o", str(out), "-n", "6"]) == 1  # no silent overwrite


def test_measure_command_measures_a_folder(tmp_path, capsys):
    folder = tmp_path / "records"
    folder.mkdir()
    for i, record in enumerate(et.generate(3, seed=4)):
        et.write(record, folder / f"{i}.npz")
    out = tmp_path / "m.csv"
    assert main(["measure", str(folder), "-o", str(out), "--n-jobs", "1", "-q"]) == 0
    table = pd.read_csv(out)
    assert table["record_id"].tolist() == ["0.npz", "1.npz", "2.npz"]
    assert (table["status"] == "ok").all()
    assert main(["measure", str(folder), "-o", str(out), "-q"]) == 1  # no silent overwrite
    assert "exists" in capsys.readouterr().err
    spatial = tmp_path / "spatial.csv"
    args = ["measure", str(folder), "-o", str(spatial), "--n-jobs", "1", "-q"]
    assert main([*args, "--convention", "median-beat"]) == 0
    other = pd.read_csv(spatial)
    assert (other["heart_rate"] == table["heart_rate"]).all()
    assert not np.allclose(other["qrs_ms"], table["qrs_ms"])
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--convention", "12SL"])
    assert exit_info.value.code == 2


def test_measure_command_knows_the_measurement_conventions():
    from ecgtoolkit.cli.measure import CONVENTIONS
    from ecgtoolkit.measurement.intervals import CONVENTIONS as MEASURED

    assert CONVENTIONS == MEASURED


def test_generate_store_resumes_and_refuses_other_settings(tmp_path, capsys):
    store = str(tmp_path / "x.zarr")
    common = ["generate", "-n", "5", "-o", store, "--batch-size", "8", "-q"]
    assert main([*common, "--seed", "2"]) == 0
    expected = et.generate(5, seed=2, batch_size=8)
    from ecgtoolkit.store import open_store

    # int16 µV by default: within half a microvolt of the model's output
    assert np.abs(open_store(store)[0:5].signal - expected.signal).max() <= 0.0005 + 1e-6
    assert main([*common, "--seed", "2"]) == 0  # same settings: nothing left to do
    assert main([*common, "--seed", "9"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("ecgtoolkit: error: cannot resume") and "seed=9" in err
    assert "\n" not in err
    assert main([*common, "--seed", "9", "--overwrite"]) == 0
    assert open_store(store).seed == 9


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "a Zarr store needs --seed"),
        (["--seed", "1", "--start-id", "3"], "--start-id does not apply"),
        (["--seed", "1", "--resume"], "--resume does not apply"),
    ],
)
def test_store_argument_errors_exit_2(tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit) as info:
        main(["generate", "-n", "2", "-o", str(tmp_path / "x.zarr"), *extra])
    assert info.value.code == 2
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_store_encoding_flag(tmp_path, capsys):
    from ecgtoolkit.cli import main
    from ecgtoolkit.store import open_store

    path = tmp_path / "f.zarr"
    assert (
        main(
            [
                "generate",
                "-n",
                "2",
                "-o",
                str(path),
                "--seed",
                "1",
                "--encoding",
                "float32",
                "-q",
            ]
        )
        == 0
    )
    assert open_store(path).manifest.generator["encoding"] == "float32"
    with pytest.raises(SystemExit):
        main(["generate", "-n", "2", "-o", str(tmp_path / "d"), "--encoding", "int16"])
    assert "--encoding applies to a Zarr store only" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_ranks_deepfake_and_neurokit_against_real_records(tmp_path, capsys, monkeypatch):
    from ecgtoolkit.cli import demo

    monkeypatch.setattr(demo, "DEMO_NEUROKIT", 10)  # about a second per simulated record
    real = tmp_path / "real"
    real.mkdir()
    for i, record in enumerate(et.generate(24, seed=19)):
        et.write(record, real / f"r{i}.npz")
    out = tmp_path / "out"
    assert main(["demo", "-o", str(out), "-n", "10", "--real", str(real)]) == 0
    printed = capsys.readouterr().out
    assert "Leaderboard against 24 real records: 1. " in printed
    assert "NeuroKit2" in printed and "DeepFake" in printed
    report = (out / "report.html").read_text()
    assert "Which generator is most realistic?" in report and "real (held-out half)" in report
