"""The leaderboard: real half best, a bad control worst, every column the right way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.comparison.leaderboard import COLUMNS, REAL_ROW, leaderboard


def shuffled_leads(batch: et.ECG, seed: int = 0) -> et.ECG:
    """A bad control: every record's leads in a random order (limb and chest mixed)."""
    rng = np.random.default_rng(seed)
    signal = np.stack([rec[rng.permutation(rec.shape[0])] for rec in batch.signal])
    return et.ECG(signal, fs=batch.fs, leads=batch.leads)


@pytest.fixture(scope="module")
def board():
    real = et.generate(60, seed=21, progress=False)
    twin = et.generate(30, seed=22, progress=False)
    control = shuffled_leads(et.generate(30, seed=23, progress=False))
    return leaderboard(
        real, {"twin": twin, "control": control}, n=30, n_splits=4, n_costly_splits=1,
        seed=0, n_jobs=1, progress=False,
    )  # fmt: skip


def test_the_real_half_and_an_identical_generator_lead_and_the_control_is_last(board):
    ranking = board.ranking()
    assert ranking[-1] == "control"
    assert set(ranking[:2]) == {REAL_ROW, "twin"}
    scores = board.table["score"]
    assert scores["control"] > 3 * max(scores[REAL_ROW], scores["twin"])
    assert 0.3 < scores[REAL_ROW] < 1.5  # about 0.8 for values spread as a normal


def test_each_column_moves_the_right_way_for_the_control(board):
    t = board.table
    assert t.loc["control", "c2st_auc"] > t.loc[REAL_ROW, "c2st_auc"] + 0.2
    assert t.loc["control", "signal_c2st_auc"] > 0.9
    assert abs(t.loc["twin", "signal_c2st_auc"] - 0.5) < 0.25
    assert t.loc["control", "inter_lead_corr_error"] > 3 * t.loc[REAL_ROW, "inter_lead_corr_error"]
    assert t.loc["control", "lead_physics_ok"] < 0.5 <= t.loc["twin", "lead_physics_ok"]
    assert t.loc["control", "features_different"] > t.loc[REAL_ROW, "features_different"]
    assert t.loc["control", "frechet"] > 2 * t.loc[REAL_ROW, "frechet"]
    assert t.loc["control", "coverage"] < t.loc[REAL_ROW, "coverage"]
    assert t.loc["control", "tstr_ratio"] > t.loc["twin", "tstr_ratio"]


def test_the_table_has_every_column_with_its_spread_and_documents_it(board):
    t = board.table
    for column in COLUMNS:
        assert column in t.columns and f"{column}_sd" in t.columns
    assert t.index.name == "name" and list(t["rank"]) == sorted(t["rank"])
    assert t.loc[REAL_ROW, "n_records"] == 30
    # every value of every split is kept, the costly ones on the first split only
    per_split = board.splits.groupby(["name", "metric"])["split"].nunique()
    assert per_split.loc[(REAL_ROW, "c2st_auc")] == 4
    assert per_split.loc[(REAL_ROW, "tstr_ratio")] == 1
    assert set(board.timings.index) >= {"load", "measure", "total"}


def test_csv_html_and_figure(board, tmp_path):
    board.to_csv(tmp_path / "leaderboard.csv")
    back = pd.read_csv(tmp_path / "leaderboard.csv")
    assert back.columns[0] == "name" and REAL_ROW in back["name"].tolist()
    html = board.to_html(tmp_path / "report.html")
    assert "Which generator is most realistic?" in html and "data:image/png;base64" in html
    assert html.count("<tr>") > len(COLUMNS)
    with pytest.raises(FileExistsError):
        board.to_html(tmp_path / "report.html")
    fig = board.plot()
    assert len([ax for ax in fig.axes if ax.get_visible()]) == len(
        [c for c in COLUMNS if c in board.table.columns]
    )
    assert "twin" in board.summary()
    assert repr(board) == "<Leaderboard of 2 candidates against 60 real records>"


def test_clear_errors():
    few = et.generate(10, seed=1, progress=False)
    with pytest.raises(ValueError, match="at least 20"):
        leaderboard(few, {"x": few}, costly=False, progress=False)
    real = et.generate(20, seed=1, progress=False)
    with pytest.raises(ValueError, match="at least one candidate"):
        leaderboard(real, {}, progress=False)
    with pytest.raises(ValueError, match="unique"):
        leaderboard(real, {REAL_ROW: few}, progress=False)
    with pytest.raises(ValueError, match="unknown generator"):
        leaderboard("generator:nope", {"x": few}, progress=False)
