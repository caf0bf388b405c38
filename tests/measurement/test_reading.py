"""Tests of ecgtoolkit.measurement.reading: check_reading() and its Reading verdict."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import ecgtoolkit as et
from ecgtoolkit.measurement.reading import READING_TOLERANCES, Reading

MEASURED = pd.Series(
    {
        "heart_rate": 72.0,
        "pr_ms": 160.0,
        "qrs_ms": 96.0,
        "qt_ms": 380.0,
        "qrs_axis_deg": 45.0,
        "status": "ok",
        "reason": "",
    }
)


@pytest.fixture(scope="module")
def generated_measurements() -> pd.Series:
    return et.measure(et.generate(1, seed=5, progress=False)[0], progress=False)


@pytest.mark.parametrize("quantity", sorted(READING_TOLERANCES))
def test_a_reading_within_the_tolerance_is_ok(quantity):
    value = MEASURED[quantity]
    tolerance = READING_TOLERANCES[quantity]
    for answer in (value, value - tolerance, value + tolerance, value + tolerance / 2):
        reading = et.check_reading(MEASURED, quantity, answer)
        assert reading.ok is True, reading.message
        assert reading.message.startswith("✓")
        assert "Hint" not in reading.message
        assert reading.toolkit == value
        assert reading.tolerance == tolerance


@pytest.mark.parametrize("quantity", sorted(READING_TOLERANCES))
@pytest.mark.parametrize("side", [-1, 1])
def test_a_reading_outside_the_tolerance_misses_with_a_hint(quantity, side):
    answer = MEASURED[quantity] + side * (READING_TOLERANCES[quantity] + 1)
    reading = et.check_reading(MEASURED, quantity, answer)
    assert reading.ok is False
    assert reading.message.startswith("✗")
    assert "Hint: " in reading.message
    assert reading.message.split("Hint: ")[1].strip(), "the hint is not empty"
    assert reading.answer == answer


@pytest.mark.parametrize("quantity", sorted(READING_TOLERANCES))
def test_low_and_high_readings_get_different_hints(quantity):
    miss = 3 * READING_TOLERANCES[quantity]
    low = et.check_reading(MEASURED, quantity, MEASURED[quantity] - miss)
    high = et.check_reading(MEASURED, quantity, MEASURED[quantity] + miss)
    assert low.ok is False and high.ok is False
    assert low.message.split("Hint: ")[1] != high.message.split("Hint: ")[1]


def test_the_verdict_names_both_values_with_units():
    reading = et.check_reading(MEASURED, "pr_ms", 240)
    assert "PR interval" in reading.message
    assert "240 ms" in reading.message and "160 ms" in reading.message
    assert "40 ms" in reading.message
    axis = et.check_reading(MEASURED, "qrs_axis_deg", -30)
    assert "-30°" in axis.message and "45°" in axis.message


def test_a_given_tolerance_replaces_the_default():
    assert et.check_reading(MEASURED, "qt_ms", 420, tolerance=50).ok is True
    assert et.check_reading(MEASURED, "qt_ms", 420, tolerance=30).ok is False
    assert et.check_reading(MEASURED, "qt_ms", 420, tolerance=30).tolerance == 30.0


@pytest.mark.parametrize(
    ("toolkit", "answer", "ok"),
    [
        (-175.0, 175.0, True),  # 10° apart across ±180°, not 350°
        (175.0, -175.0, True),
        (170.0, -160.0, True),  # 30° apart: on the tolerance
        (-150.0, 175.0, False),  # 35° apart
        (-90.0, 270.0, True),  # the same direction written two ways
        (0.0, 180.0, False),
    ],
)
def test_the_axis_difference_wraps_around_180_degrees(toolkit, answer, ok):
    measured = pd.Series({"qrs_axis_deg": toolkit})
    assert et.check_reading(measured, "qrs_axis_deg", answer).ok is ok


def test_an_axis_reading_missed_across_180_degrees_gets_the_hint_of_its_side():
    # 175° read for a toolkit axis of -120°: 65° below it going round past ±180° (-185°),
    # not 295° above it, so the hint is the one of a low reading.
    measured = pd.Series({"qrs_axis_deg": -120.0})
    across = et.check_reading(measured, "qrs_axis_deg", 175.0)
    low = et.check_reading(measured, "qrs_axis_deg", -170.0)
    high = et.check_reading(measured, "qrs_axis_deg", -55.0)
    assert across.ok is False
    assert across.message.split("Hint: ")[1] == low.message.split("Hint: ")[1]
    assert across.message.split("Hint: ")[1] != high.message.split("Hint: ")[1]


@pytest.mark.parametrize("quantity", [*sorted(READING_TOLERANCES), "rhythm"])
def test_no_reading_yet_says_what_to_do(quantity):
    reading = et.check_reading(MEASURED, quantity, None, rhythm="sinus rhythm")
    assert reading.ok is None
    assert reading.answer is None
    assert "write your reading" in reading.message
    assert "Hint" not in reading.message


def test_an_unknown_quantity_is_refused():
    with pytest.raises(ValueError, match="quantity must be one of"):
        et.check_reading(MEASURED, "st_elevation_mv", 0.1)


def test_a_value_the_toolkit_did_not_measure_is_refused_with_the_reason():
    measured = MEASURED.copy()
    measured["pr_ms"] = np.nan
    measured["reason"] = "no P wave"
    with pytest.raises(ValueError, match=r"could not measure the PR interval.*no P wave"):
        et.check_reading(measured, "pr_ms", 160)
    with pytest.raises(ValueError, match="could not measure the QT interval"):
        et.check_reading(MEASURED.drop("qt_ms"), "qt_ms", 380)


def test_the_rhythm_must_match_whatever_the_case():
    for answer in ("sinus rhythm", "Sinus Rhythm", "  SINUS RHYTHM "):
        reading = et.check_reading(MEASURED, "rhythm", answer, rhythm="sinus rhythm")
        assert reading.ok is True, answer
        assert reading.tolerance is None
    wrong = et.check_reading(MEASURED, "rhythm", "Atrial fibrillation", rhythm="sinus rhythm")
    assert wrong.ok is False
    assert "'atrial fibrillation'" in wrong.message and "'sinus rhythm'" in wrong.message
    assert "Hint: " in wrong.message


def test_a_rhythm_the_toolkit_could_not_name_is_refused():
    with pytest.raises(ValueError, match="could not name this record's rhythm"):
        et.check_reading(MEASURED, "rhythm", "sinus rhythm", rhythm="")


def test_the_rhythm_of_a_measured_generated_ecg_comes_from_interpret(generated_measurements):
    rhythm = et.interpret(generated_measurements)["rhythm"]
    assert rhythm, "the generated ECG has a rhythm statement"
    assert et.check_reading(generated_measurements, "rhythm", rhythm.upper()).ok is True
    other = "atrial fibrillation" if rhythm != "atrial fibrillation" else "sinus rhythm"
    missed = et.check_reading(generated_measurements, "rhythm", other)
    assert missed.ok is False
    assert missed.toolkit == rhythm


def test_a_measured_generated_ecg_checks_its_own_values(generated_measurements):
    for quantity in READING_TOLERANCES:
        value = float(generated_measurements[quantity])
        assert et.check_reading(generated_measurements, quantity, round(value)).ok is True


def test_the_reading_is_a_frozen_result_that_prints_its_message():
    reading = et.check_reading(MEASURED, "qrs_ms", 100)
    assert isinstance(reading, Reading)
    assert str(reading) == reading.message
    with pytest.raises(dataclasses.FrozenInstanceError):
        reading.ok = False  # type: ignore[misc]


@pytest.mark.parametrize(("answer", "mark"), [(100, "✓"), (160, "✗"), (None, "…")])
def test_the_notebook_display_shows_the_verdict_mark(answer, mark):
    html = et.check_reading(MEASURED, "qrs_ms", answer)._repr_html_()
    assert f"<b>{mark}</b>" in html
    assert html.startswith("<p") and html.endswith("</p>")


def test_a_table_or_a_wordy_answer_gets_a_clear_error():
    table = pd.DataFrame({"pr_ms": [160.0, 170.0]})
    with pytest.raises(TypeError, match="one record's row"):
        et.check_reading(table, "pr_ms", 160)
    with pytest.raises(ValueError, match="plain number"):
        et.check_reading(pd.Series({"pr_ms": 160.0}), "pr_ms", "about 160")
    assert et.check_reading(pd.Series({"pr_ms": 160.0}), "pr_ms", "160").ok
