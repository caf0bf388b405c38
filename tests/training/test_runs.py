"""A run read back from its folder; evaluated steps and the best step by the loop's rules."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.training import TrainingRun, best_step, evaluated_steps, load_run
from ecgtoolkit.training.watch import AUDIT_ALPHA, EVAL_COLUMNS


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    # Six records: one held out, too few to evaluate; two quick steps.
    out = tmp_path_factory.mktemp("runs") / "run"
    run = et.train_generator(et.generate(6, seed=3, progress=False), out, steps=2,
                             batch_size=2, warmup=0, critic=2, seed=1, progress=False)  # fmt: skip
    return run


def _scores(**columns) -> pd.DataFrame:
    frame = pd.DataFrame({"step": [0, 5, 10, 15]})
    for name, values in columns.items():
        frame[name] = values
    return frame


def test_a_folder_reads_back_as_the_run_that_wrote_it(trained):
    run = load_run(trained.folder)
    assert isinstance(run, TrainingRun)
    assert run.settings == trained.settings  # betas back to a tuple, critic an int
    assert run.data == trained.data
    pd.testing.assert_frame_equal(run.metrics, trained.metrics, check_dtype=False)
    assert run.metrics.index.name == "step" and run.metrics.index.tolist() == [1, 2]
    timed = trained.metrics["seconds"]
    assert run.seconds == pytest.approx(timed.sum())
    assert run.steps_per_second == pytest.approx(2 / timed.sum())
    assert any("steps' own times" in note for note in run.notes)
    assert et.load_run is load_run


def test_evaluated_steps_judge_the_audit_as_the_loop_does():
    metrics = _scores(
        c2st_auc=[0.7, np.nan, 0.6, 0.5],
        copies_p=[0.5, np.nan, AUDIT_ALPHA, AUDIT_ALPHA / 2],
        membership_p=[0.5, np.nan, np.nan, 0.9],
    )
    scores = evaluated_steps(metrics)
    assert scores.index.tolist() == [0, 10, 15]  # step 5 was not evaluated
    assert list(scores.columns) == [*EVAL_COLUMNS, "audit_passed"]
    # p = AUDIT_ALPHA passes; a missing p fails, as passes_audit says; p < alpha fails.
    assert scores["audit_passed"].tolist() == [True, False, False]


def test_the_best_step_is_the_lowest_auc_that_passes_the_audit_earliest_on_ties():
    passing = dict(copies_p=[0.5] * 4, membership_p=[0.5] * 4)
    assert best_step(_scores(c2st_auc=[0.7, 0.6, 0.6, 0.65], **passing)) == 5
    assert best_step(_scores(c2st_auc=[0.7, np.nan, 0.6, 0.65], **passing)) == 10
    failing = _scores(c2st_auc=[0.7, 0.6, 0.5, 0.65], copies_p=[0.5, 0.5, 0.01, 0.5],
                      membership_p=[0.5] * 4)  # fmt: skip
    assert best_step(failing) == 5  # step 10 scores best but fails the audit
    assert (
        best_step(_scores(c2st_auc=[0.7] * 4, copies_p=[0.01] * 4, membership_p=[0.5] * 4)) is None
    )
    assert best_step(_scores(wasserstein=[np.nan, 1.0, 2.0, 3.0])) is None  # never evaluated


def _folder(tmp_path, metrics: pd.DataFrame):
    """A run folder written as train_generator writes it, with these metrics."""
    settings = {"steps": 15, "batch_size": 4, "seed": 0, "critic": "small", "init": "published",
                "holdout": 0.2, "warmup": 0, "critic_steps": 5, "gp_weight": 10.0, "lr": 1e-4,
                "betas": [0.5, 0.9], "eval_every": 5, "eval_fakes": 32}  # fmt: skip
    summary = {"settings": settings, "data": {"source": "test"}, "step": 15}
    (tmp_path / "settings.json").write_text(json.dumps(summary))
    metrics.to_csv(tmp_path / "metrics.csv", index=False)
    return tmp_path


def test_best_step_reads_what_the_loop_saved_where_it_did(tmp_path):
    metrics = _scores(c2st_auc=[0.7, 0.6, 0.5, 0.65], copies_p=[0.5] * 4, membership_p=[0.5] * 4)
    run = load_run(_folder(tmp_path, metrics))
    assert best_step(run) == 10  # nothing saved: the loop's rule on the metrics
    saved = json.loads((tmp_path / "settings.json").read_text())
    (tmp_path / "settings.json").write_text(json.dumps({**saved, "best_step": 5}))
    assert best_step(run) == 5  # the step best.pt holds, as saved, wins over the metrics
    (tmp_path / "settings.json").write_text(json.dumps({**saved, "best_step": "five"}))
    assert best_step(run) == 10  # unusable: the rule again


def test_the_loop_saves_the_best_step_and_the_device(trained):
    # (tests/report/test_training.py checks best_step against best.pt of an evaluated run)
    saved = json.loads((trained.folder / "settings.json").read_text())
    assert saved["device"] == "cpu" and saved["step"] == 2
    assert saved["best_step"] is None and best_step(trained) is None  # nothing evaluated


def test_a_folder_with_unknown_settings_reads_with_a_note(tmp_path):
    folder = _folder(tmp_path, _scores(c2st_auc=[0.7, np.nan, 0.6, np.nan]))
    saved = json.loads((folder / "settings.json").read_text())
    saved["settings"]["future_option"] = 1
    (folder / "settings.json").write_text(json.dumps(saved))
    run = load_run(folder)
    assert run.settings.betas == (0.5, 0.9) and run.settings.critic == "small"
    assert any("future_option" in note for note in run.notes)
    assert math.isnan(run.steps_per_second)  # no step was timed
    assert set(EVAL_COLUMNS) <= set(run.metrics.columns)


def test_what_is_not_a_run_is_refused(tmp_path):
    with pytest.raises(TypeError, match="path"):
        load_run(3)
    with pytest.raises(FileNotFoundError, match="settings.json"):
        load_run(tmp_path)
    (tmp_path / "settings.json").write_text(json.dumps({"step": 3}))
    (tmp_path / "metrics.csv").write_text("step\n1\n")
    with pytest.raises(ValueError, match="settings"):
        load_run(tmp_path)
    with pytest.raises(ValueError, match="step"):
        evaluated_steps(pd.DataFrame({"c2st_auc": [0.5]}))
