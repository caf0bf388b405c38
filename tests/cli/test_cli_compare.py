"""``ecgtoolkit compare``: a leaderboard from the command line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.cli import main


def test_compare_folders_and_an_array_file_writes_the_report_and_csv(tmp_path, capsys):
    real = tmp_path / "real"
    real.mkdir()
    for i, record in enumerate(et.generate(24, seed=31, progress=False)):
        et.write(record, real / f"r{i}.npz")
    np.save(tmp_path / "gan.npy", et.generate(12, seed=32, n_leads=8, progress=False).signal)
    out = tmp_path / "out"
    argv = [str(real), f"mine={tmp_path / 'gan.npy'}", "-o", str(out), "-n", "12",
            "--splits", "2", "--no-costly", "--fs", "500", "--n-jobs", "1", "-q"]  # fmt: skip
    assert main(["compare", *argv]) == 0
    printed = capsys.readouterr().out
    assert "real (held-out half)" in printed and "mine" in printed and "measure" in printed
    table = pd.read_csv(out / "leaderboard.csv")
    assert table.columns[0] == "name"
    assert set(table["name"]) == {"real (held-out half)", "mine"}
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
    # a second run does not overwrite without being asked
    assert main(["compare", *argv]) == 1
    assert "--overwrite" in capsys.readouterr().err


def test_an_array_without_its_rate_is_a_clear_error(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((3, 12, 100), dtype=np.float32))
    code = main(["compare", str(tmp_path / "x.npy"), "generator:deepfake", "-o",
                 str(tmp_path / "o"), "-q"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("ecgtoolkit: error:") and "--fs" in err
    assert not (tmp_path / "o").exists()


def test_unknown_generator(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["compare", "-o", str(tmp_path)])
    assert main(["compare", "generator:deepfake", "generator:nope", "-o", str(tmp_path / "o"),
                 "-q"]) == 1  # fmt: skip
    assert "unknown generator" in capsys.readouterr().err
