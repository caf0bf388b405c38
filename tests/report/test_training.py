"""The training report: summary, curves, evaluated steps, settings, data; fits the page."""

from __future__ import annotations

import base64
import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
import torch

import ecgtoolkit as et
from ecgtoolkit.core.display import format_value
from ecgtoolkit.report.html import PAGE_WIDTH_PX
from ecgtoolkit.report.training import training_report
from ecgtoolkit.training.watch import EVAL_COLUMNS

_CHAR_PX = 6.6  # a character of the tables' 12 px font, generously
_SCREEN_PX = 1000  # one screen's height


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    # Twenty records, half held out: ten held-out windows to score against, every step.
    out = tmp_path_factory.mktemp("training-report") / "run"
    return et.train_generator(et.generate(20, seed=8, progress=False), out, steps=2,
                              batch_size=2, warmup=0, eval_every=1, eval_fakes=12, holdout=0.5,
                              critic=2, seed=5, progress=False)  # fmt: skip


@pytest.fixture(scope="module")
def html(run):
    return training_report(run)


class _Page(HTMLParser):
    """Tables (rows of cell texts, wrapping or not) and images of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.tables, self.images, self._cell = [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = {"text": "", "wraps": "text" in (attrs.get("class") or "")}
            self.tables[-1][-1].append(self._cell)
        elif tag == "img":
            self.images.append(attrs)

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


def _visible(text: str) -> str:
    """What a reader sees: no embedded data, no tags."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"data:[^\"']+", "", text))


def _steps_table(page: _Page) -> list[list[str]]:
    (table,) = [t for t in page.tables if t[0][0]["text"] == "step"]
    return [[cell["text"] for cell in row] for row in table]


def test_the_report_shows_the_steps_and_the_best_checkpoint(run, html):
    best = torch.load(run.folder / "best.pt", weights_only=True)["step"]
    rows = _steps_table(_Page(html))
    assert rows[0][:2] == ["step", "C2ST AUC"] and rows[0][-1] == "copy audit"
    assert [row[0] for row in rows[1:]] == [
        f"{s} (best.pt)" if s == best else f"{s} (start)" if s == 0 else str(s) for s in (0, 1, 2)
    ]
    best_row = next(row for row in rows if row[0].endswith("(best.pt)"))
    auc = run.metrics.loc[best, "c2st_auc"]
    assert best_row[1] == format_value(auc)
    assert best_row[-1] == "passed"
    text = _visible(html)
    assert f"best.pt holds step {best}: held-out C2ST AUC" in text
    assert "2 of 2 generator steps trained" in text and "on cpu" in text
    assert "step 0, the starting generator" in text or best == 0
    assert "Copy audit at step" in text and "10 held-out records" in text
    for heading in ("The curves", "Evaluated steps", "What the held-out set allows",
                    "Settings", "Training data", "Checkpoints"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in html, heading
    assert run.data["sha256"] in text
    assert "±0.13" in text  # ten held-out windows against twelve fakes


def test_the_report_reads_as_text_without_nan_or_raw_numbers(html):
    text = _visible(html)
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)
    assert not re.search(r"\d\.\d+e[-+]?\d+", text), "numbers in exponent notation"
    long = [n for n in re.findall(r"\d+\.\d+", text) if len(n.replace(".", "").lstrip("0")) > 5]
    assert not long, long[:5]


def test_the_report_fits_the_page(html):
    from PIL import Image

    page = _Page(html)
    for table in page.tables:
        widths = [0.0] * max(len(row) for row in table)
        for row in table:
            for j, cell in enumerate(row):
                chars = len(cell["text"].strip())
                widths[j] = max(widths[j], min(chars, 40) if cell["wraps"] else chars)
        assert sum(w * _CHAR_PX + 14 for w in widths) <= PAGE_WIDTH_PX, table[0]
    (img,) = page.images
    size = Image.open(io.BytesIO(base64.b64decode(img["src"].split(",", 1)[1]))).size
    assert size[0] <= PAGE_WIDTH_PX and size[1] <= 2 * _SCREEN_PX


def test_the_report_never_overwrites_silently(run, tmp_path):
    path = tmp_path / "report.html"
    path.write_text("earlier report")
    with pytest.raises(FileExistsError, match="overwrite"):
        training_report(run, path)
    assert path.read_text() == "earlier report"
    text = run.to_html(path, overwrite=True)
    assert path.read_text() == text and text.startswith("<!DOCTYPE html>")


def test_a_folder_gives_the_same_steps(run, html):
    from_folder = et.training_report(str(run.folder))
    assert _steps_table(_Page(from_folder)) == _steps_table(_Page(html))
    assert "read back from" in _visible(from_folder)


def test_a_run_that_was_never_evaluated_reports_so(run, tmp_path):
    folder = tmp_path / "copy"
    folder.mkdir()
    saved = json.loads((run.folder / "settings.json").read_text())
    (folder / "settings.json").write_text(json.dumps({**saved, "best_step": None}))  # as saved
    metrics = pd.read_csv(run.folder / "metrics.csv")
    metrics[list(EVAL_COLUMNS)] = np.nan
    metrics.to_csv(folder / "metrics.csv", index=False)
    text = _visible(training_report(folder))
    assert "No step was scored against 10 held-out records" in text
    assert "best.pt:" not in text
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)
    html = et.load_run(folder)._repr_html_()
    assert "none: no step was scored" in html


def test_the_jupyter_display_gives_the_key_figures(run):
    best = torch.load(run.folder / "best.pt", weights_only=True)["step"]
    html = run._repr_html_()
    text = _visible(html)
    assert "Training run: run" in text and "2 of 2" in text and "steps/s" in text
    assert f"step {best}" in text
    assert format_value(run.metrics.loc[best, "c2st_auc"]) in text
    assert "0.5 = indistinguishable" in text
    assert f"copy audit at step {best}" in text and "passed" in text
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)


def test_the_plot_method_marks_best_pt(run):
    best = torch.load(run.folder / "best.pt", weights_only=True)["step"]
    fig = run.plot()
    marks = [line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == "best-step"]
    assert len(marks) == 4 and all(list(line.get_xdata()) == [best, best] for line in marks)


def test_what_is_not_a_run_is_refused():
    with pytest.raises(TypeError, match="TrainingRun"):
        training_report(42)


def test_the_train_command_writes_the_report(tmp_path, capsys):
    from ecgtoolkit.cli import main

    folder = tmp_path / "records"
    et.generate_to(folder, 6, seed=3, progress=False)
    out = tmp_path / "run"
    args = [str(folder), "-o", str(out), "--steps", "1", "--batch-size", "2", "--warmup", "0",
            "--critic", "2", "-q"]  # fmt: skip
    assert main(["train", *args]) == 0
    assert f"Report: {out / 'report.html'}" in capsys.readouterr().out
    assert "1 of 1 generator steps trained" in _visible((out / "report.html").read_text())
    assert main(["train", *args[:4], "2", *args[5:], "--resume"]) == 0  # replaced: its own
    assert "2 of 2 generator steps trained" in _visible((out / "report.html").read_text())
