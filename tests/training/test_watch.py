"""The copy audit's membership-inference test finds a leak and stays quiet without one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecgtoolkit.training.watch import AUDIT_ALPHA, _membership, passes_audit


def _table(values):
    names = [f"f{j}" for j in range(values.shape[1])]
    return pd.DataFrame(values, columns=names).assign(status="ok"), names


def test_membership_inference_finds_fakes_that_copy_training_records():
    rng = np.random.default_rng(0)
    train, names = _table(rng.normal(size=(30, 6)))
    holdout, _ = _table(rng.normal(size=(30, 6)))
    copies, _ = _table(train[names].to_numpy() + rng.normal(scale=0.05, size=(30, 6)))
    auc, p = _membership(train, holdout, copies, names)
    assert auc > 0.9 and p < 0.001
    independent, _ = _table(rng.normal(size=(30, 6)))
    aucs = [
        _membership(*[_table(rng.normal(size=(30, 6)))[0] for _ in range(3)], names)[1]
        for _ in range(40)
    ]
    assert np.mean(np.array(aucs) < AUDIT_ALPHA) <= 0.15  # about 5% false alarms
    assert 0.2 < _membership(train, holdout, independent, names)[0] < 0.8


def test_the_audit_fails_on_either_test():
    ok = {"copies_p": 0.5, "membership_p": 0.5}
    assert passes_audit(ok)
    assert not passes_audit({**ok, "copies_p": 0.01})
    assert not passes_audit({**ok, "membership_p": 0.01})
