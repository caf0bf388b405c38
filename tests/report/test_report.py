"""Tests of ecgtoolkit.report: the realism report behind the main job."""

from __future__ import annotations

import pytest

import ecgtoolkit as et


@pytest.fixture(scope="module")
def fakes():
    return et.generate(8, seed=31)


@pytest.mark.slow
def test_report_has_every_section_and_the_figures(fakes, tmp_path):
    path = tmp_path / "r.html"
    report = et.realism_report(fakes, out=path, n_permutations=50, progress=False)
    text = path.read_text()
    assert text == report.html and text.startswith("<!DOCTYPE html>")
    for heading in (
        "Realism report",
        "In short",
        "on ECG paper",
        "Interpretation",
        "Lead checks",
        "compared with real normal adults",
        "QT–RR rate adaptation",
        "Methods",
    ):
        assert heading in text, heading
    assert text.count("data:image/png;base64,") >= 3  # the ECG, histograms, QT–RR
    assert "seed 31" in text
    assert f"weights sha256 {fakes.meta['generator']['weights_sha256'][:12]}…" in text
    assert len(report.measurements) == len(report.statements) == len(report.checks) == 8
    assert "8 DeepFake ECGs: 8 measured" in report.summary
    assert set(report.comparisons) == {"real normal adults"}


def test_report_never_overwrites_silently(fakes, tmp_path):
    path = tmp_path / "r.html"
    path.write_text("earlier report")
    with pytest.raises(FileExistsError, match="overwrite"):
        et.realism_report(fakes, out=path, n_permutations=50, progress=False)
    assert path.read_text() == "earlier report"


def test_report_needs_a_batch(fakes):
    with pytest.raises(TypeError, match="ECG batch"):
        et.realism_report(fakes[0], progress=False)
