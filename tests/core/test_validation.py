"""One exception type per kind of mistake (ecgtoolkit/core/validation.py, files.py, units.py)."""

from __future__ import annotations

import numpy as np
import pytest

import ecgtoolkit as et
from ecgtoolkit.core.files import atomic_write, check_output
from ecgtoolkit.core.units import column_unit, unit_factor
from ecgtoolkit.core.validation import check_int, check_n_jobs, check_positive, validate_record


@pytest.mark.parametrize("value", [1.0, "3", None, True, np.float64(2.0)])
def test_a_non_integer_is_a_type_error(value):
    with pytest.raises(TypeError, match="n must be an integer"):
        check_int(value, "n", minimum=1)


@pytest.mark.parametrize(("value", "minimum", "words"), [(0, 1, "a positive integer"),
                                                         (-1, 0, "zero or positive"),
                                                         (2, 3, "at least 3")])  # fmt: skip
def test_an_integer_out_of_range_is_a_value_error(value, minimum, words):
    with pytest.raises(ValueError, match=f"n must be {words}, got {value}"):
        check_int(value, "n", minimum=minimum)


def test_n_jobs_none_means_every_core():
    assert check_n_jobs(None) >= 1 and check_n_jobs(np.int64(2)) == 2
    with pytest.raises(ValueError, match="n_jobs"):
        check_n_jobs(0)


def test_positive_numbers():
    assert check_positive(np.float32(2.5), "fs") == 2.5
    with pytest.raises(TypeError):
        check_positive("500", "fs")
    for bad in (0.0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="fs must be a positive number"):
            check_positive(bad, "fs")


def test_the_public_functions_follow_the_convention():
    """The same mistake raises the same type in generation, measurement and comparison."""
    batch = et.generate(2, seed=0, progress=False)
    with pytest.raises(TypeError):
        et.generate(1.5, progress=False)
    with pytest.raises(TypeError):
        et.measure(batch, n_jobs=1.5, progress=False)
    with pytest.raises(TypeError):
        et.measure_source(batch, n_jobs="2", progress=False)
    with pytest.raises(ValueError):
        et.measure(batch, n_jobs=0, progress=False)
    with pytest.raises(TypeError):
        et.load_ptbxl(n=2.0, progress=False)


def test_validate_record():
    batch = et.ECG(np.zeros((2, 1, 1000)), fs=500, leads=["II"])
    with pytest.raises(ValueError, match="batch of 2"):
        validate_record(batch)
    with pytest.raises(ValueError, match="at least 2 s"):
        validate_record(et.ECG(np.zeros((1, 500)), fs=500, leads=["II"]))
    with pytest.raises(TypeError, match="ecgtoolkit.ECG"):
        validate_record(np.zeros((1, 5000)))


def test_output_paths_are_checked_before_any_work(tmp_path):
    (tmp_path / "old.csv").write_text("x")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        check_output(tmp_path / "old.csv", overwrite=False)
    assert check_output(tmp_path / "old.csv", overwrite=True).name == "old.csv"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        check_output(tmp_path / "no" / "t.csv", overwrite=False)
    with pytest.raises(ValueError, match=r"\*.parquet or \*.csv"):
        check_output(tmp_path / "t.xlsx", overwrite=False, suffixes=(".parquet", ".csv"))


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write(target, "first", overwrite=False)

    class Broken:
        def __len__(self):
            raise OSError("disk full")

    with pytest.raises(TypeError):
        atomic_write(target, Broken(), overwrite=True)  # type: ignore[arg-type]
    assert target.read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_units():
    assert unit_factor(" µV ") == 1e-3 and unit_factor("MV") == 1.0
    with pytest.raises(ValueError, match="unknown units"):
        unit_factor("mmHg")
    with pytest.raises(TypeError):
        unit_factor(1.0)  # type: ignore[arg-type]
    assert [column_unit(c) for c in ("qt_ms", "t_amp_mv_V2", "p_axis_deg", "pnn50")] == [
        "ms", "mV", "°", ""
    ]  # fmt: skip
