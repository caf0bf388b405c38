"""NeuroKit2's simulator as a baseline generator."""

from __future__ import annotations

import numpy as np
import pytest

import ecgtoolkit as et
from ecgtoolkit.generators.neurokit import HEART_RATE_BPM, simulate_neurokit


@pytest.fixture(scope="module")
def batch():
    return simulate_neurokit(2, seed=3, fs=250, duration_s=4, progress=False)


def test_twelve_standard_leads_in_mv_at_the_rate_asked(batch):
    assert batch.signal.shape == (2, 12, 1000)
    assert batch.leads == et.STANDARD_LEADS
    assert batch.fs == 250
    # QRS complexes of about a millivolt, not microvolts or volts
    assert 0.3 < np.abs(batch.signal).max() < 5


def test_records_depend_only_on_seed_and_id(batch):
    again = simulate_neurokit(1, seed=3, fs=250, duration_s=4, start_id=1, progress=False)
    np.testing.assert_array_equal(again.signal[0], batch.signal[1])
    assert batch.meta["record_ids"].tolist() == [0, 1]


def test_heart_rate_drawn_per_record_is_what_is_measured(batch):
    rates = batch.meta["heart_rate_bpm"]
    assert np.all((rates >= HEART_RATE_BPM[0]) & (rates <= HEART_RATE_BPM[1]))
    assert rates[0] != rates[1]
    table = et.measure(batch, n_jobs=1, progress=False)
    np.testing.assert_allclose(table["heart_rate"], rates, atol=6)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"n": 0}, ValueError), ({"n": 1.5}, TypeError), ({"n": 1, "seed": -1}, ValueError),
     ({"n": 1, "fs": 10}, ValueError), ({"n": 1, "duration_s": 0.1}, ValueError)],
)  # fmt: skip
def test_bad_arguments_are_refused(kwargs, error):
    with pytest.raises(error):
        simulate_neurokit(progress=False, **kwargs)
