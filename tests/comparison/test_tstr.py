"""tstr: train on synthetic, test on real, on records whose heart rate and QRS are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from ecgtoolkit.comparison.tstr import TSTR_FS, tstr

FS = 250.0
TARGETS = ("heart_rate", "qrs_ms")


def known_records(n: int, seed: int) -> tuple[np.ndarray, pd.DataFrame]:
    """Two leads of 5 s: beats at a known rate (50–110 /min) whose QRS, a triangle, lasts
    a known time (70–130 ms), a T wave 300 ms later, and noise; and their table."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(5 * FS)) / FS
    heart_rate = rng.uniform(50, 110, n)
    qrs_ms = rng.uniform(70, 130, n)
    signals = np.zeros((n, 2, t.size))
    for i in range(n):
        rr = 60.0 / heart_rate[i]
        half = qrs_ms[i] / 2000.0
        for onset in np.arange(rng.uniform(0, rr), t[-1], rr):
            qrs = np.clip(1 - np.abs(t - onset - half) / half, 0, None)
            wave = 0.3 * np.exp(-(((t - onset - 0.3) / 0.06) ** 2))
            signals[i] += np.array([[1.0], [-0.6]]) * qrs + wave
    signals += 0.02 * rng.normal(size=signals.shape)
    table = pd.DataFrame({"heart_rate": heart_rate, "qrs_ms": qrs_ms, "status": "ok"})
    return signals, table


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Train on one thread here: on a busy shared machine, torch's threads wait for each
    other at every small operation (4 times slower); tstr itself leaves the count alone."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def real():
    return known_records(60, seed=0)


@pytest.fixture(scope="module")
def candidate():
    return known_records(48, seed=1)


def run(real, candidate, **kwargs) -> pd.DataFrame:
    options = {"targets": TARGETS, "epochs": 40, "progress": False, **kwargs}
    return tstr(real[0], real[1], candidate[0], candidate[1], FS, **options)


@pytest.fixture(scope="module")
def good(real, candidate):
    return run(real, candidate)


def test_records_like_the_real_ones_teach_as_well(good):
    assert list(good.index) == list(TARGETS) and good.index.name == "target"
    assert list(good.columns) == ["mae_synthetic", "mae_real", "ratio", "mae_constant", "n_test"]
    assert (good["n_test"] == 60).all()
    # The network learns: well below the error of always predicting the mean.
    assert good.loc["heart_rate", "mae_real"] < 0.5 * good.loc["heart_rate", "mae_constant"]
    assert 0.6 < good.attrs["ratio"] < 1.5
    np.testing.assert_allclose(good["ratio"], good["mae_synthetic"] / good["mae_real"])
    assert good.attrs["ratio"] == pytest.approx(good["ratio"].mean())
    assert good.attrs["n_train"] == 48 and good.attrs["fs"] == TSTR_FS
    assert good.attrs["epochs"] == 40 and good.attrs["seconds"] > 0


def test_records_that_do_not_match_their_table_teach_worse(real, candidate, good):
    """The bad control: each lead comes from another record than the table's row."""
    rng = np.random.default_rng(5)
    shuffled = candidate[0].copy()
    for lead in range(shuffled.shape[1]):
        shuffled[:, lead] = shuffled[rng.permutation(len(shuffled)), lead]
    bad = run(real, (shuffled, candidate[1]))
    assert bad.attrs["ratio"] > 1.5
    assert bad.attrs["ratio"] > good.attrs["ratio"] + 0.5
    assert bad.loc["heart_rate", "ratio"] > good.loc["heart_rate", "ratio"]


def test_unmeasured_rows_are_left_out(real, candidate):
    fake_table = candidate[1].copy()
    fake_table.loc[:5, "status"] = "error"
    fake_table.loc[:5, TARGETS] = 1e6  # never trained on
    real_table = real[1].copy()
    real_table.loc[:2, "qrs_ms"] = np.nan
    result = run((real[0], real_table), (candidate[0], fake_table), epochs=2)
    assert result.loc["qrs_ms", "n_test"] == 57 and result.loc["heart_rate", "n_test"] == 60
    assert result.attrs["n_train"] == 42
    # Trained on the 42 measured records only: nowhere near the 1e6 of the others.
    assert (result["mae_synthetic"] < 1000).all()


def test_a_target_the_candidate_never_measured_has_no_ratio(real, candidate):
    fake_table = candidate[1].assign(qrs_ms=np.nan)
    result = run(real, (candidate[0], fake_table), epochs=2)
    assert np.isnan(result.loc["qrs_ms", "mae_synthetic"])
    assert np.isnan(result.loc["qrs_ms", "ratio"])
    assert np.isfinite(result.loc["qrs_ms", "mae_real"])
    assert result.attrs["ratio"] == pytest.approx(result.loc["heart_rate", "ratio"])


def test_same_seed_same_result_and_the_callers_random_state_is_kept(real, candidate):
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    first = run(real, candidate, epochs=2, seed=3)
    assert torch.equal(torch.random.get_rng_state(), before)
    again = run(real, candidate, epochs=2, seed=3)
    pd.testing.assert_frame_equal(first, again)


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"real_table": "drop"}, ValueError, "59 rows for 60 records"),
        ({"targets": ("heart_rate", "qt_ms")}, ValueError, "no column 'qt_ms'"),
        ({"targets": "heart_rate"}, TypeError, "sequence of column names"),
        ({"fake": "one lead"}, ValueError, "same leads"),
        ({"fake": "short"}, ValueError, "at least 2 s"),
        ({"fs": 50.0}, ValueError, "below the minimum of 100 Hz"),
        ({"real_table": "array"}, TypeError, "DataFrame"),
        ({"epochs": 0}, ValueError, "epochs must be a positive integer"),
        ({"fake_table": "unmeasured"}, ValueError, "0 fake records have a measured target"),
    ],
)
def test_wrong_inputs_are_refused(real, candidate, change, error, message):
    args = {
        "real": real[0],
        "real_table": real[1],
        "fake": candidate[0],
        "fake_table": candidate[1],
        "fs": FS,
        "targets": TARGETS,
        "epochs": 1,
    }
    replacements = {
        "drop": real[1].iloc[1:],
        "array": real[1].to_numpy(),
        "one lead": candidate[0][:, :1],
        "short": candidate[0][..., : int(FS)],
        "unmeasured": candidate[1].assign(status="error"),
    }
    for key, value in change.items():
        args[key] = replacements.get(value, value) if isinstance(value, str) else value
    if change.get("targets") == "heart_rate":
        args["targets"] = "heart_rate"
    with pytest.raises(error, match=message):
        tstr(
            args.pop("real"),
            args.pop("real_table"),
            args.pop("fake"),
            args.pop("fake_table"),
            args.pop("fs"),
            progress=False,
            **args,
        )
