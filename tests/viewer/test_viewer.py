"""The interactive viewer, driven through its model (no browser needed)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import ecgtoolkit as et
from ecgtoolkit.plot.paper import decimate_minmax
from ecgtoolkit.signal.synthetic import KNOWN, known_beats
from ecgtoolkit.viewer import SNAP_KINDS, ECGViewer, view
from ecgtoolkit.viewer.calipers import snap_kind
from ecgtoolkit.viewer.marks import blocks_to_load
from ecgtoolkit.viewer.render import MARK_COLUMNS
from ecgtoolkit.viewer.widget import WATCHED_EVENTS, on_image_event

FS = 500
RR_S = 0.8  # 75 bpm
FIRST_R_S = 0.3


def _beats(duration_s: float, fs: float = FS) -> tuple[np.ndarray, np.ndarray]:
    """A P-QRS-T train with RR 800 ms: lead II has 1.2 mV R waves, V1 0.6 mV deep S waves."""
    t = np.arange(int(round(duration_s * fs))) / fs
    r_times = np.arange(FIRST_R_S, duration_s, RR_S)
    ii = np.zeros_like(t)
    v1 = np.zeros_like(t)
    for r in r_times:
        ii += 1.2 * np.exp(-0.5 * ((t - r) / 0.012) ** 2)
        ii += 0.15 * np.exp(-0.5 * ((t - r + 0.16) / 0.025) ** 2)  # P wave
        ii += 0.3 * np.exp(-0.5 * ((t - r - 0.28) / 0.05) ** 2)  # T wave
        v1 -= 0.6 * np.exp(-0.5 * ((t - r) / 0.012) ** 2)
    return np.stack([ii, v1]), r_times


@pytest.fixture(scope="module")
def minute():
    signal, _ = _beats(60.0)
    return et.ECG(signal, fs=FS, leads=["II", "V1"])


# -- window arithmetic ------------------------------------------------------------------
def test_start_is_clamped_at_both_ends(minute):
    viewer = ECGViewer(minute, window_s=10)
    viewer.start_s = 1000
    assert viewer.start_s == 50.0 and viewer.end_s == 60.0
    assert "past the end" in viewer.note
    viewer.next()
    assert viewer.start_s == 50.0
    viewer.start_s = -3
    assert viewer.start_s == 0.0
    viewer.previous()
    assert viewer.start_s == 0.0
    viewer.start_s = 47.3
    viewer.next()
    assert viewer.start_s == 50.0  # the last full window, not past the end
    with pytest.raises(ValueError, match="finite"):
        viewer.start_s = float("nan")


def test_next_and_previous_move_by_one_window(minute):
    viewer = ECGViewer(minute, start_s=5, window_s=5)
    viewer.next()
    assert viewer.start_s == 10.0
    viewer.previous()
    viewer.previous()
    assert viewer.start_s == 0.0


def test_slider_range_follows_the_window_length(minute):
    viewer = ECGViewer(minute, start_s=45, window_s=10)
    assert viewer.slider_range == (0.0, 50.0)
    viewer.window_s = 20
    assert viewer.slider_range == (0.0, 40.0)
    assert viewer.start_s == 40.0  # moved back so the longer window fits
    assert viewer.n_rows == 2 and viewer.row_s == 10.0
    viewer.window_s = 60
    assert viewer.slider_range == (0.0, 0.0) and viewer.n_rows == 6
    viewer.zoom_in()
    assert viewer.window_s == 30.0
    viewer.window_s = 2.5
    assert viewer.slider_range == (0.0, 57.5) and viewer.n_rows == 1


def test_window_longer_than_the_record_is_clamped_with_a_note():
    signal, _ = _beats(8.0)
    viewer = ECGViewer(et.ECG(signal, fs=FS, leads=["II", "V1"]), window_s=10)
    assert viewer.window_s == 8.0 and viewer.slider_range == (0.0, 0.0)
    assert "only 8 s long" in viewer.note
    viewer.zoom_out()
    assert viewer.window_s == 8.0
    assert viewer.render().startswith(b"\x89PNG")


def test_bad_inputs_give_clear_errors(minute):
    with pytest.raises(ValueError, match="between 2.5 and 60 s"):
        ECGViewer(minute, window_s=1)
    with pytest.raises(ValueError, match="between 2.5 and 60 s"):
        ECGViewer(minute, window_s=90)
    with pytest.raises(KeyError, match="leads: II, V1"):
        ECGViewer(minute, lead="V5")
    with pytest.raises(ValueError, match="listed twice"):
        ECGViewer(minute, lead=["II", "ii"])
    with pytest.raises(TypeError, match="ecgtoolkit.ECG"):
        ECGViewer(minute.signal)
    with pytest.raises(ValueError, match="single record"):
        ECGViewer(minute, record=2)
    with pytest.raises(ValueError, match="marks must be True or a DataFrame"):
        ECGViewer(minute, marks=pd.DataFrame({"lead": ["II"]}))
    viewer = ECGViewer(minute)
    with pytest.raises(KeyError, match="not in this ECG"):
        viewer.lead = "aVR"
    assert viewer.lead == "II"  # unchanged by the failed switch


def test_a_batch_needs_record():
    signal, _ = _beats(10.0)
    batch = et.ECG(np.stack([signal, 2 * signal]), fs=FS, leads=["II", "V1"])
    with pytest.raises(ValueError, match="batch of 2 records; pass record="):
        ECGViewer(batch)
    second = ECGViewer(batch, record=1)
    second.render()
    assert second.drawn("II")[1].max() == pytest.approx(2.4, abs=0.01)
    single = ECGViewer(batch[:1])  # a batch of one record is unambiguous
    assert single.ecg.n_leads == 2 and not single.ecg.is_batch


def test_too_many_strips_are_refused_before_anything_changes():
    ecg = et.ECG(np.tile(_beats(60.0)[0][:1], (12, 1)), fs=FS, leads=et.STANDARD_LEADS)
    viewer = ECGViewer(ecg, window_s=60, lead="II")
    with pytest.raises(ValueError, match="do not fit"):
        viewer.leads = ecg.leads
    assert viewer.leads == ("II",)
    viewer.window_s = 10
    viewer.leads = ecg.leads  # 12 strips of 10 s fit, scaled down
    assert len(viewer.figure.axes) == 12


# -- drawing ------------------------------------------------------------------------------
def test_lead_switching_changes_the_drawn_data(minute):
    viewer = ECGViewer(minute)
    assert viewer.lead == "II"
    viewer.render()
    t, v = viewer.drawn()
    assert v.max() == pytest.approx(1.2, abs=0.01) and v.min() > -0.01
    assert t.min() >= 0 and t.max() < 10
    viewer.lead = "v1"
    viewer.render()
    t, v = viewer.drawn()
    assert viewer.lead == "V1"
    assert v.min() == pytest.approx(-0.6, abs=0.01) and v.max() < 0.01
    with pytest.raises(KeyError, match="not shown"):
        viewer.drawn("II")
    viewer.leads = ["II", "V1"]
    viewer.render()
    assert len(viewer.figure.axes) == 2
    assert viewer.drawn("II")[1].max() == pytest.approx(1.2, abs=0.01)


def test_only_the_window_is_drawn_and_artists_are_reused(minute):
    viewer = ECGViewer(minute, start_s=20, window_s=20)
    viewer.render()
    axes = viewer.figure.axes
    trace = axes[0].lines[0]
    t, _ = viewer.drawn()
    assert t.min() >= 20 and t.max() < 40
    viewer.next()
    viewer.render()
    assert viewer.figure.axes == axes and axes[0].lines[0] is trace
    assert viewer.drawn()[0].min() >= 40


def test_paper_keeps_ecg_proportions(minute):
    viewer = ECGViewer(minute, window_s=10)
    viewer.render()
    ax = viewer.figure.axes[0]
    x_mm = ax.bbox.width / (np.diff(ax.get_xlim())[0] * 25)  # pixels per mm, 25 mm/s
    y_mm = ax.bbox.height / (np.diff(ax.get_ylim())[0] * 10)  # pixels per mm, 10 mm/mV
    assert x_mm == pytest.approx(y_mm, rel=0.01)
    grid = ax.collections
    assert len(grid) == 2  # 1 mm and 5 mm lines
    minor, major = (c.get_segments() for c in grid)
    vertical_major = sorted({s[0][0] for s in major if s[0][0] == s[1][0]})
    assert np.allclose(np.diff(vertical_major), 0.2)  # 5 mm = 0.2 s
    horizontal_minor = sorted({s[0][1] for s in minor if s[0][1] == s[1][1]})
    assert np.allclose(np.diff(horizontal_minor)[:3], 0.1)  # 1 mm = 0.1 mV


def test_decimation_keeps_every_peak_of_a_long_window():
    fs = 1000
    signal, r_times = _beats(60.0, fs=fs)
    viewer = ECGViewer(et.ECG(signal, fs=fs, leads=["II", "V1"]), window_s=60)
    viewer.render()
    t, v = viewer.drawn()
    columns = viewer._renderer._strips[0]["columns"]
    assert len(t) <= 2 * columns * viewer.n_rows < signal.shape[1] / 4
    for r in r_times:
        near = np.abs(t - r) < 0.002
        assert near.any() and v[near].max() == pytest.approx(1.2, abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 3000), elements=st.floats(-5, 5)),
    st.integers(1, 400),
)
def test_decimate_minmax_keeps_extremes(x, n_columns):
    idx = decimate_minmax(x, n_columns)
    assert np.all(np.diff(idx) > 0) and idx[0] >= 0 and idx[-1] < x.size
    assert len(idx) <= max(2 * n_columns, x.size)
    assert x[idx].max() == x.max() and x[idx].min() == x.min()


def test_decimate_minmax_keeps_gaps_and_rejects_bad_input():
    x = np.sin(np.arange(10_000) / 50.0)
    x[4000:6000] = np.nan
    kept = x[decimate_minmax(x, 100)]
    assert np.isnan(kept).any() and np.nanmax(kept) == np.nanmax(x)
    with pytest.raises(ValueError, match="one"):
        decimate_minmax(np.zeros((2, 10)), 5)
    with pytest.raises(ValueError, match="at least 1"):
        decimate_minmax(np.zeros(10), 0)


def test_a_window_of_a_30_minute_record_draws_at_most_two_points_per_pixel(data_dir):
    # (Its render time is measured by benchmarks/bench_viewer.py.)
    ecg = et.read(data_dir / "mitdb" / "100")
    assert ecg.duration_s > 1800
    viewer = ECGViewer(ecg, start_s=900, window_s=60)
    viewer.render()
    viewer.next()
    png = viewer.render()
    assert png.startswith(b"\x89PNG")
    assert len(viewer.drawn()[0]) <= 2 * 1100 * viewer.n_rows


# -- calipers ------------------------------------------------------------------------------
def test_calipers_read_rr_rate_and_amplitude(minute):
    viewer = ECGViewer(minute)
    viewer.set_calipers(FIRST_R_S, FIRST_R_S + RR_S)
    reading = viewer.caliper_reading
    assert reading.dt_ms == pytest.approx(800.0)
    assert reading.rate_bpm == pytest.approx(75.0)
    assert reading.v1_mv == pytest.approx(1.2, abs=0.01) and reading.dv_mv == pytest.approx(0)
    assert "Δt 800 ms (75 bpm if RR)" in viewer.caliper_text
    viewer.set_calipers(FIRST_R_S + RR_S - 0.3, FIRST_R_S + RR_S)  # baseline to R peak
    assert viewer.caliper_reading.dv_mv == pytest.approx(1.2, abs=0.005)
    assert "ΔV +1.20 mV in II" in viewer.caliper_text
    viewer.set_calipers(FIRST_R_S, FIRST_R_S - 0.3)  # backwards: Δt < 0, the rate still reads
    assert viewer.caliper_reading.dt_ms == pytest.approx(-300.0)
    assert viewer.caliper_reading.rate_bpm == pytest.approx(200.0)
    viewer.lead = "V1"  # from V1's S wave back to its baseline
    assert viewer.caliper_reading.dv_mv == pytest.approx(0.6, abs=0.01)
    viewer.set_calipers(1.0, 1.0)
    assert np.isnan(viewer.caliper_reading.rate_bpm) and "bpm" not in viewer.caliper_text


@pytest.mark.parametrize("fs", [250, 360, 500, 1000])
def test_calipers_start_on_two_consecutive_r_peaks(fs):
    # known_beats: QRS onsets at 0.6 s + k × 0.8 s, R apex 40% into a 90 ms QRS.
    true_r = 0.6 + 0.4 * KNOWN["qrs_ms"] / 1000 + 0.8 * np.arange(25)
    ecg = et.ECG(known_beats(fs, 20.0)[None], fs=fs, leads=["II"])
    for start_s, first_r in ((0.0, true_r[0]), (3.1, true_r[4])):
        viewer = ECGViewer(ecg, start_s=start_s, window_s=10)
        assert viewer.show_calipers and viewer.calipers_in_view == (True, True)
        t1, t2 = viewer.calipers
        assert t1 == pytest.approx(first_r, abs=2 / fs)
        assert t2 == pytest.approx(first_r + 0.8, abs=2 / fs)  # the next beat
        reading = viewer.caliper_reading
        assert reading.dt_ms == pytest.approx(800, abs=2000 / fs)
        assert reading.rate_bpm == pytest.approx(75, abs=0.5)
        assert viewer.caliper_text.startswith("Δt 800 ms (75 bpm if RR)")


def test_calipers_start_on_annotated_beats_of_a_real_record(data_dir):
    wfdb = pytest.importorskip("wfdb")
    path = str(data_dir / "mitdb" / "100")
    ann = wfdb.rdann(path, "atr", sampfrom=360 * 895, sampto=360 * 915)
    beats = np.array([s for s, y in zip(ann.sample, ann.symbol, strict=True) if y in "NAV"]) / 360
    viewer = ECGViewer(et.read(path), start_s=900, window_s=10)
    t1, t2 = viewer.calipers
    first = np.searchsorted(beats, 900)
    assert t1 == pytest.approx(beats[first], abs=0.02)
    assert t2 == pytest.approx(beats[first + 1], abs=0.02)
    assert viewer._peaks._blocks == {"MLII": {15}}  # one minute of one lead searched


def test_a_click_between_beats_snaps_to_the_nearer_r_peak_not_the_t_wave(minute):
    viewer = ECGViewer(minute, window_s=10)
    viewer.render()
    box = viewer.figure.axes[0].bbox
    height = viewer.figure.bbox.height

    def pixel(t):
        return box.x0 + t / viewer.row_s * box.width, height - (box.y0 + box.y1) / 2

    r = FIRST_R_S + 2 * RR_S
    assert viewer.click(*pixel(r + 0.28), snap=True)  # on the T wave's apex
    assert viewer.click(*pixel(r + 0.5), snap="R")  # nearer the next beat
    assert viewer.calipers == pytest.approx((r, r + RR_S))
    assert viewer.caliper_reading.dt_ms == pytest.approx(800)
    viewer.set_calipers(r + 0.35, r + RR_S + 0.39, snap=True)  # far from any R peak
    assert viewer.calipers == pytest.approx((r, r + RR_S))
    viewer.set_calipers(r + 0.28, r + 0.5)  # snap=False: exactly there
    assert viewer.calipers == pytest.approx((r + 0.28, r + 0.5))
    assert viewer.fiducials_in_view() == pytest.approx(np.arange(FIRST_R_S, 10, RR_S))


def test_calipers_snap_to_other_fiducials(minute):
    viewer = ECGViewer(minute, window_s=10, marks=_marks_frame())
    r = FIRST_R_S + RR_S
    viewer.set_calipers(r + 0.1, r + 0.1, snap="qrs onset")
    assert viewer.calipers == pytest.approx((r - 0.04, r - 0.04))
    viewer.move_caliper(2, r + 0.5, snap="T end")
    assert viewer.calipers == pytest.approx((r - 0.04, r + 0.38))
    viewer.move_caliper(1, r - 0.15, snap="P_on")
    assert viewer.calipers[0] == pytest.approx(r - 0.2)
    assert viewer.fiducials_in_view("T_peak") == pytest.approx(
        np.arange(FIRST_R_S, 9.7, RR_S) + 0.28
    )
    with pytest.raises(ValueError, match="names no fiducial; use True"):
        viewer.set_calipers(1, 2, snap="U wave")
    with pytest.raises(TypeError, match="snap takes"):
        viewer.set_calipers(1, 2, snap=3)
    with pytest.raises(ValueError, match="1 or 2"):
        viewer.move_caliper(3, 1.0)
    assert viewer.calipers[0] == pytest.approx(r - 0.2)  # unchanged by refused calls


def test_snap_kinds_are_fiducials_the_viewer_knows():
    assert all(kind == "R" or kind in MARK_COLUMNS for kind in SNAP_KINDS)
    assert [snap_kind(s) for s in (True, "r", "R_peak", "QRS-offset", "t end", None)] == [
        "R",
        "R",
        "R",
        "QRS_off",
        "T_off",
        None,
    ]


def test_zoom_and_scroll_never_move_the_calipers(minute):
    viewer = ECGViewer(minute, window_s=10)
    placed = viewer.calipers
    assert placed == pytest.approx((FIRST_R_S, FIRST_R_S + RR_S))
    for change in (
        viewer.zoom_in,
        viewer.zoom_in,
        viewer.zoom_out,
        viewer.zoom_out,
        viewer.zoom_out,
        lambda: setattr(viewer, "window_s", 2.5),
        viewer.next,
        viewer.previous,
        lambda: setattr(viewer, "start_s", 0.2),
    ):
        change()
        assert viewer.calipers == placed
    viewer.window_s = 2.5
    viewer.start_s = 0
    viewer.render()
    lines = viewer._renderer._strips[0]["calipers"]
    assert [line.get_visible() for line in lines] == [True, True]
    viewer.next()  # now 2.5–5 s: the calipers stay at 0.3 and 1.1 s, off-screen
    viewer.render()
    assert viewer.calipers == placed and viewer.calipers_in_view == (False, False)
    assert [line.get_visible() for line in lines] == [False, False]
    assert viewer.caliper_text.endswith("both off-screen")
    assert viewer.calipers_to_beats()
    assert viewer.calipers == pytest.approx((FIRST_R_S + 3 * RR_S, FIRST_R_S + 4 * RR_S))
    viewer.window_s = 10  # 2.5–12.5 s
    viewer.move_caliper(2, 12.1, snap=True)  # the R peak at 12.3 s
    viewer.start_s = 5
    assert viewer.calipers_in_view == (False, True)
    assert viewer.calipers == pytest.approx((FIRST_R_S + 3 * RR_S, 12.3))
    assert viewer.caliper_text.endswith("caliper 1 off-screen")


def test_calipers_start_hidden_without_two_beats_in_view():
    flat = et.ECG(np.zeros((1, 10 * FS)), fs=FS, leads=["II"])
    viewer = ECGViewer(flat, window_s=10)
    assert viewer.calipers is None and not viewer.show_calipers
    assert viewer.caliper_reading is None and viewer.calipers_in_view == (False, False)
    assert "Fewer than two R peaks in view in II: calipers hidden" in viewer.note
    assert "No calipers placed" in viewer.caliper_text
    assert viewer.render().startswith(b"\x89PNG")
    assert not viewer.calipers_to_beats() and viewer.calipers is None
    viewer.show_calipers = True
    assert viewer.calipers is None and "click the trace" in viewer.note
    viewer.move_caliper(2, 4.0, snap=True)  # nothing to snap to: placed as asked
    assert viewer.calipers == (4.0, 4.0) and "No R peak in view" in viewer.note

    t = np.arange(30 * FS) / FS  # 20 bpm: one beat in a 2.5 s window
    slow = sum(np.exp(-0.5 * ((t - r) / 0.012) ** 2) for r in np.arange(1.0, 30, 3.0))
    viewer = ECGViewer(et.ECG(slow[None], fs=FS, leads=["II"]), window_s=2.5)
    assert viewer.calipers is None and not viewer.show_calipers
    viewer.window_s = 10
    viewer.show_calipers = True  # now two beats are in view: they go there
    assert viewer.calipers == pytest.approx((1.0, 4.0))


def test_peaks_are_searched_per_lead_and_a_minute_at_a_time(minute):
    assert blocks_to_load(100 * FS, FS, 0, 10 * FS, set()) == [(0, 0, 100 * FS, None)]
    assert blocks_to_load(100 * FS, FS, 0, 10 * FS, {0}) == []
    minute_n, context = 60 * FS, 5 * FS
    assert blocks_to_load(300 * FS, FS, 55 * FS, 65 * FS, {0}) == [
        (1, minute_n - context, 2 * minute_n + context, (minute_n, 2 * minute_n))
    ]
    five_minutes = minute.replace(np.tile(minute.signal, 5))  # 60 s holds 75 whole RR
    viewer = ECGViewer(five_minutes, start_s=115, window_s=10)
    assert viewer._peaks._blocks == {"II": {1, 2}}
    placed = viewer.calipers
    assert placed == pytest.approx((115.5, 116.3))
    viewer.lead = "V1"  # deep S waves: its own peaks, and the calipers stay
    assert viewer.calipers == placed
    r_times = np.arange(FIRST_R_S, 300, RR_S)
    assert viewer.fiducials_in_view() == pytest.approx(r_times[(r_times >= 115) & (r_times < 125)])
    assert viewer._peaks._blocks == {"II": {1, 2}, "V1": {1, 2}}


def test_clicks_place_the_calipers(minute):
    viewer = ECGViewer(minute, window_s=10)
    viewer.render()
    box = viewer.figure.axes[0].bbox
    height = viewer.figure.bbox.height

    def pixel(t):
        return box.x0 + t / viewer.row_s * box.width, height - (box.y0 + box.y1) / 2

    assert viewer.click(*pixel(1.1))
    assert viewer.click(*pixel(1.9))
    t1, t2 = viewer.calipers
    one_pixel = viewer.row_s / box.width
    assert t1 == pytest.approx(1.1, abs=one_pixel) and t2 == pytest.approx(1.9, abs=one_pixel)
    assert not viewer.click(1.0, 1.0)  # the margin, not a strip
    assert viewer.calipers == (t1, t2)


# -- fiducials ------------------------------------------------------------------------------
def _r_marks(viewer):
    qrs_peaks = viewer._renderer._strips[0]["waves"]["QRS"][1]
    return np.asarray(qrs_peaks.get_xdata()) + viewer.start_s


def _marks_frame():
    """Fiducials of lead II of the ``minute`` fixture, where its waves are."""
    r_samples = np.round(np.arange(FIRST_R_S, 60, RR_S) * FS)
    frame = pd.DataFrame({"lead": "II", "beat": np.arange(r_samples.size)})
    for name, shift in (
        ("P_on", -0.2),
        ("P_peak", -0.16),
        ("P_off", -0.12),
        ("QRS_on", -0.04),
        ("R_peak", 0.0),
        ("QRS_off", 0.04),
        ("T_on", 0.18),
        ("T_peak", 0.28),
        ("T_off", 0.38),
    ):
        frame[name] = r_samples + shift * FS
    return frame


def test_marks_from_a_dataframe_are_drawn_where_they_are(minute):
    r_samples = np.round(np.arange(FIRST_R_S, 60, RR_S) * FS)
    viewer = ECGViewer(minute, start_s=10, window_s=5, marks=_marks_frame())
    viewer.render()
    expected = r_samples[(r_samples >= 10 * FS) & (r_samples < 15 * FS)] / FS
    assert np.allclose(_r_marks(viewer), expected)
    viewer.show_marks = False
    viewer.render()
    assert _r_marks(viewer).size == 0


def test_marks_true_delineates_the_record(minute):
    viewer = ECGViewer(minute, window_s=10, marks=True)
    viewer.render()
    found = _r_marks(viewer)
    expected = np.arange(FIRST_R_S, 10, RR_S)
    assert found.size == expected.size
    assert np.allclose(found, expected, atol=0.02)


def test_marks_of_a_long_record_are_delineated_as_they_come_into_view(data_dir):
    ecg = et.read(data_dir / "mitdb" / "100")
    viewer = ECGViewer(ecg, start_s=600, window_s=10, marks=True)
    viewer.render()
    first = _r_marks(viewer)
    assert 8 <= first.size <= 20  # about 75 bpm
    assert np.all((first >= 600) & (first < 610))
    viewer.start_s = 1500
    viewer.render()
    assert np.all((_r_marks(viewer) >= 1500) & (_r_marks(viewer) < 1510))


# -- the widget ------------------------------------------------------------------------------
def _controls(box):
    found = {}
    stack = [box]
    while stack:
        widget = stack.pop()
        stack.extend(getattr(widget, "children", ()))
        description = getattr(widget, "description", None)
        if description:
            found[description] = widget
    return found


def test_view_returns_a_widget_driven_by_the_viewer(minute):
    ipywidgets = pytest.importorskip("ipywidgets")
    box = view(minute, window_s=10)
    assert isinstance(box, ipywidgets.VBox)
    viewer = box.viewer
    controls = _controls(box)
    image = next(c for c in box.children if isinstance(c, ipywidgets.Image))
    first = bytes(image.value)
    assert first.startswith(b"\x89PNG")

    controls["▶"].click()
    assert viewer.start_s == 10.0 and controls["start (s)"].value == 10.0
    assert bytes(image.value) != first
    controls["◀"].click()
    assert viewer.start_s == 0.0

    controls["window"].value = 20.0
    assert viewer.window_s == 20.0 and controls["start (s)"].max == 40.0
    controls["start (s)"].value = 33.0
    assert viewer.start_s == 33.0

    controls["lead"].value = "V1"
    assert viewer.leads == ("V1",)
    controls["lead"].value = "all leads"
    assert viewer.leads == ("II", "V1")

    assert "both off-screen" in box.children[3].value  # still on 0.3 and 1.1 s
    assert controls["snap to"].value == "R"
    controls["caliper 1 (s)"].value = 33.0 + FIRST_R_S + 0.1  # snapped to 33.1 s ...
    controls["caliper 2 (s)"].value = 33.0 + FIRST_R_S + 0.9  # ... and 33.9 s
    assert viewer.calipers == pytest.approx((33.1, 33.9))
    assert controls["caliper 1 (s)"].value == pytest.approx(33.1)
    assert "Δt 800 ms (75 bpm if RR)" in box.children[3].value
    controls["snap to"].value = False
    controls["caliper 2 (s)"].value = 34.0
    assert viewer.calipers == pytest.approx((33.1, 34.0))
    controls["calipers to beats"].click()
    assert viewer.calipers == pytest.approx((33.1, 33.9))
    assert "consecutive R peaks" in box.children[-1].value  # how to measure RR

    viewer.set_calipers(40.0, 40.4)  # changes made from code show at once
    assert controls["caliper 2 (s)"].value == 40.4
    assert "Δt 400 ms (150 bpm if RR)" in box.children[3].value
    viewer.next()
    assert controls["start (s)"].value == 40.0


def test_widget_shows_why_a_change_was_refused():
    pytest.importorskip("ipywidgets")
    ecg = et.ECG(np.tile(_beats(60.0)[0][:1], (12, 1)), fs=FS, leads=et.STANDARD_LEADS)
    box = view(ecg, window_s=60)
    controls = _controls(box)
    controls["lead"].value = "all leads"
    assert box.viewer.leads == ("II",) and controls["lead"].value == "II"
    assert "do not fit" in box.children[4].value


def test_widget_listens_to_clicks_and_keys_on_the_picture(minute):
    ipyevents = pytest.importorskip("ipyevents")
    box = view(minute, window_s=10)
    events = box.viewer._events
    assert isinstance(events, ipyevents.Event)
    assert events.source is box.children[1]  # the picture
    assert tuple(events.watched_events) == WATCHED_EVENTS


def test_clicks_and_keys(minute):
    viewer = ECGViewer(minute, window_s=10)
    box_px = viewer.figure.axes[0].bbox
    y = viewer.figure.bbox.height - (box_px.y0 + box_px.y1) / 2
    for t in (2.0, 2.8):
        # what ipyevents sends for a click on the picture, in the image's own pixels
        on_image_event(
            viewer, {"type": "click", "dataX": box_px.x0 + t / 10 * box_px.width, "dataY": y}
        )
    assert viewer.caliper_reading.dt_ms == pytest.approx(800, abs=20)
    on_image_event(viewer, {"type": "keydown", "key": "ArrowRight"})
    assert viewer.start_s == 10.0
    on_image_event(viewer, {"type": "keydown", "key": "-"})
    assert viewer.window_s == 20.0
    on_image_event(viewer, {"type": "keydown", "key": "q"})  # other keys do nothing
    assert (viewer.start_s, viewer.window_s) == (10.0, 20.0)
