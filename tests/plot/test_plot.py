import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import ecgtoolkit as et
from ecgtoolkit.measurement.measure import BEAT_LEADS
from ecgtoolkit.plot import (
    plot_bland_altman,
    plot_fiducials,
    plot_median_beats,
    plot_qt_rr,
)
from ecgtoolkit.signal.synthetic import KNOWN, known_beats

matplotlib.use("Agg")

FS = 500
# QRS onsets of known_beats: every 0.8 s from 0.6 s.
ONSETS_S = np.arange(0.6, 10.0 - 0.6, 0.8)


@pytest.fixture(scope="module")
def twelve():
    t = np.arange(5000) / 500
    beats = np.exp(-(((t % 0.8) - 0.4) ** 2) / (2 * 0.01**2))  # a 75 bpm spike train, 1 mV
    return et.ECG(
        np.tile(beats, (12, 1)), fs=500, leads=et.STANDARD_LEADS, meta={"record_name": "synthetic"}
    )


@pytest.fixture(scope="module")
def known():
    """12 leads with waves at known places, and their delineation written out by hand."""
    x = np.tile(known_beats(FS, 10.0), (12, 1))
    ecg = et.ECG(x, fs=FS, leads=et.STANDARD_LEADS)
    qrs_s, qt_s, p_s, pr_s = (KNOWN[k] / 1000 for k in ("qrs_ms", "qt_ms", "p_ms", "pr_ms"))
    waves = {
        "P_on": ONSETS_S - pr_s,
        "P_off": ONSETS_S - pr_s + p_s,
        "QRS_on": ONSETS_S,
        "QRS_off": ONSETS_S + qrs_s,
        "T_on": ONSETS_S + qrs_s + 0.08,
        "T_off": ONSETS_S + qt_s,
    }
    rows = []
    for lead in et.STANDARD_LEADS:
        for beat in range(ONSETS_S.size):
            row = {"lead": lead, "beat": beat, "usable": True}
            row.update({k: round(v[beat] * FS) for k, v in waves.items()})
            rows.append(row)
    marks = pd.DataFrame(rows).astype({k: float for k in waves})
    return ecg, marks


def _drawn(fig):
    FigureCanvasAgg(fig).draw()
    return fig


def _mm_per_unit(ax):
    """mm per second and mm per mV of the axes as drawn (position after set_aspect)."""
    fig = ax.figure
    box = ax.get_position()
    width_mm = box.width * fig.get_figwidth() * 25.4
    height_mm = box.height * fig.get_figheight() * 25.4
    return width_mm / np.ptp(ax.get_xlim()), height_mm / np.ptp(ax.get_ylim())


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


def _cal_pulses(ax):
    return [ln for ln in ax.lines if len(ln.get_xdata()) == 6]


# --- plot_ecg: layouts and true scale ---------------------------------------------------------


def test_clinical_layout(twelve):
    fig = et.plot_ecg(twelve)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.texts}
    assert set(et.STANDARD_LEADS) <= labels
    # 12 segments, the rhythm strip and 4 calibration pulses: the grid adds no Line2D.
    assert len(ax.lines) == 12 + 1 + 4
    assert fig.get_suptitle().startswith("synthetic")
    assert ax.get_aspect() == pytest.approx(0.4)  # 10 mm/mV over 25 mm/s


@pytest.mark.parametrize(("speed", "gain"), [(25.0, 10.0), (50.0, 5.0), (25.0, 20.0)])
def test_12_lead_figure_is_true_scale(twelve, speed, gain):
    fig = _drawn(et.plot_ecg(twelve, speed_mm_s=speed, gain_mm_mv=gain))
    mm_s, mm_mv = _mm_per_unit(fig.axes[0])
    assert mm_s == pytest.approx(speed, rel=1e-9)
    assert mm_mv == pytest.approx(gain, rel=1e-9)
    assert f"{speed:g} mm/s, {gain:g} mm/mV" in _texts(fig)


def _trace_bands(ax):
    """(trace, clip band low/high in mV) of every trace of a plot_ecg figure."""
    out = []
    for line in (ln for ln in ax.lines if len(ln.get_xdata()) > 6):
        box = line.get_clip_box()  # a rectangular clip path becomes the clip box
        assert box is not None and box is not ax.bbox, "a trace is not clipped to its row"
        low, high = ax.transData.inverted().transform(box.get_points())[:, 1]
        out.append((line, low, high))
    return out


def test_12_lead_traces_stay_in_their_rows():
    """Tall complexes (V2 4 mV deep, V5 4 mV tall) are cut at the edge of their row's
    band, as electrocardiographs print, instead of running over the rows around them."""
    t = np.arange(5000) / 500
    spikes = 4.0 * np.exp(-(((t % 0.8) - 0.4) ** 2) / (2 * 0.01**2))
    x = np.tile(0.25 * spikes, (12, 1))
    x[et.STANDARD_LEADS.index("V2")] = -spikes
    x[et.STANDARD_LEADS.index("V3")] = 0.0
    x[et.STANDARD_LEADS.index("V5")] = spikes
    fig = _drawn(et.plot_ecg(et.ECG(x, fs=500, leads=et.STANDARD_LEADS)))
    ax = fig.axes[0]
    bands = _trace_bands(ax)
    assert len(bands) == 13
    paper_low, paper_high = ax.get_ylim()
    rows = {}
    for line, low, high in bands:
        base = np.median(line.get_ydata())  # a trace's baseline: its row's
        row = round(-base / 3.0)
        assert base == pytest.approx(-3.0 * row, abs=0.05)
        # The band is the row's: 1.5 mV either side, the outer rows to the paper's edge.
        assert low == pytest.approx(max(base - 1.5, paper_low), abs=1e-6)
        assert high == pytest.approx(min(base + 1.5, paper_high) if row else paper_high, abs=1e-6)
        rows.setdefault(row, set()).add((round(low, 6), round(high, 6)))
    assert all(len(b) == 1 for b in rows.values())  # one band per row ...
    edges = sorted(next(iter(b)) for b in rows.values())
    assert all(a[1] <= b[0] + 1e-9 for a, b in zip(edges, edges[1:], strict=False))  # disjoint
    # The tall complexes reach past their bands, so the clipping is what keeps them in ...
    assert sum(ln.get_ydata().min() < low - 1.0 for ln, low, _ in bands) == 1  # V2
    assert sum(ln.get_ydata().max() > high + 1.0 for ln, _, high in bands) == 1  # V5
    # ... and nothing dark is drawn between V3's band edge and its label (V2's S waves
    # would reach 1 mV into V3's row, down to -7 mV).
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    height = image.shape[0]
    (x0, y0), (x1, y1) = ax.transData.transform([[5.5, -4.55], [7.5, -5.9]])
    region = image[int(height - y0) + 1 : int(height - y1), int(x0) : int(x1)]
    assert region.size and not (region.max(axis=-1) < 100).any()


def test_12_lead_figure_size_at_standard_scale(twelve):
    fig = et.plot_ecg(twelve)
    # 10 s + 10 mm lead-in at 25 mm/s = 260 mm wide; 12.5 mV at 10 mm/mV = 125 mm high;
    # fixed margins 0.25 + 0.25 in and 0.4 + 0.45 in.
    assert fig.get_size_inches() == pytest.approx((260 / 25.4 + 0.5, 125 / 25.4 + 0.85))
    assert fig.get_layout_engine() is None  # nothing may rescale the paper


def test_stack_figure_is_true_scale_for_any_leads():
    ecg = et.ECG(np.zeros((3, 2000)), fs=250, leads=["MLII", "V5", "CM5"])
    fig = _drawn(et.plot_ecg(ecg, speed_mm_s=50.0, gain_mm_mv=10.0))
    ax = fig.axes[0]
    assert _mm_per_unit(ax) == pytest.approx((50.0, 10.0), rel=1e-9)
    assert {"MLII", "V5", "CM5"} <= {t.get_text() for t in ax.texts}
    assert "50 mm/s, 10 mm/mV" in _texts(fig)


def test_grid_is_a_few_collections_at_1_and_5_mm(twelve):
    fig = et.plot_ecg(twelve, layout="stack")
    ax = fig.axes[0]
    assert len(ax.lines) == 2 * 12  # traces and calibration pulses only
    grid = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_zorder() == 0]
    assert len(grid) == 2
    minor, major = (
        np.array([s[0] for s in c.get_segments() if s[0][0] == s[1][0]])[:, 0] for c in grid
    )
    # Vertical lines every 0.04 s (1 mm), every fifth one major (0.2 s, 5 mm), from the
    # calibration lead-in (-0.4 s) to the end (10 s).
    every = np.sort(np.concatenate([minor, major]))
    assert np.diff(every) == pytest.approx(np.full(every.size - 1, 0.04))
    assert every[[0, -1]] == pytest.approx([-0.4, 10.0])
    assert np.diff(np.sort(major)) == pytest.approx(np.full(major.size - 1, 0.2))
    assert sum(len(c.get_segments()) for c in grid) > 300


def test_calibration_pulse_is_1_mv_for_0_2_s(twelve):
    ax = et.plot_ecg(twelve).axes[0]
    pulses = _cal_pulses(ax)
    assert len(pulses) == 4  # one per row
    for pulse in pulses:
        x, y = pulse.get_data()
        assert np.ptp(y) == pytest.approx(1.0)
        top = x[y == y.max()]
        assert np.ptp(top) == pytest.approx(0.2)
        assert x.max() < 0  # before the trace starts
    baselines = sorted(float(p.get_ydata()[0]) for p in pulses)
    assert baselines == pytest.approx([-9.0, -6.0, -3.0, 0.0])


def test_traces_keep_amplitude_in_mv(twelve):
    fig = et.plot_ecg(twelve, layout="stack")
    ax = fig.axes[0]
    traces = [ln for ln in ax.lines if len(ln.get_xdata()) == 5000]  # 10 s: drawn in full
    assert len(traces) == 12
    y = traces[0].get_ydata()
    assert np.ptp(y) == pytest.approx(1.0, abs=1e-3)


def test_stack_layout_for_few_leads_and_existing_axes():
    ecg = et.ECG(np.zeros((2, 1000)), fs=250, leads=["II", "V5"])
    fig = et.plot_ecg(ecg)  # auto falls back to stack
    assert len([ln for ln in fig.axes[0].lines if len(ln.get_xdata()) == 1000]) == 2
    own = Figure()
    ax = own.add_subplot()
    assert et.plot_ecg(ecg, ax=ax) is own
    given = Figure(figsize=(8, 3))
    assert et.plot_ecg(ecg, fig=given) is given
    assert tuple(given.get_size_inches()) == (8, 3) and len(given.axes) == 1


def test_given_axes_footer_states_the_scale_printed():
    ecg = et.ECG(np.zeros((2, 2500)), fs=250, leads=["II", "V5"])
    own = Figure(figsize=(6, 3))
    ax = own.add_axes((0.1, 0.1, 0.8, 0.8))
    _drawn(et.plot_ecg(ecg, ax=ax))
    footer = next(t for t in _texts(own) if "mm/s" in t)
    printed = [
        float(v) for v in re.findall(r"([\d.]+) mm/s, ([\d.]+) mm/mV at this size", footer)[0]
    ]
    assert printed == pytest.approx(_mm_per_unit(ax), rel=2e-3)
    assert "asked: 25 mm/s, 10 mm/mV" in footer


def test_long_record_is_compressed_to_max_width_and_decimated():
    rng = np.random.default_rng(0)
    n = 300 * FS  # 5 minutes
    x = np.tile(known_beats(FS, 300.0), (2, 1)) + 0.01 * rng.standard_normal((2, n))
    x[1, 123_457] = 5.0  # a lone spike must survive the decimation
    ecg = et.ECG(x, fs=FS, leads=["II", "V5"])
    fig = _drawn(et.plot_ecg(ecg, layout="stack", max_width_in=40))
    ax = fig.axes[0]
    assert fig.get_figwidth() == pytest.approx(40)
    mm_s, mm_mv = _mm_per_unit(ax)
    assert mm_mv == pytest.approx(10.0)
    footer = next(t for t in _texts(fig) if "mm/s" in t)
    assert f"{mm_s:.3g} mm/s" in footer and "asked: 25 mm/s" in footer
    trace = [ln for ln in ax.lines if len(ln.get_xdata()) > 6][1]
    t, y = trace.get_data()
    pixel_columns = 40 * 0.9875 * fig.dpi  # the trace's width in pixels
    assert y.size <= 2 * pixel_columns + 2 < n
    assert np.all(np.diff(t) > 0)  # still in time order
    assert t[np.argmax(y)] == pytest.approx(123_457 / FS)
    assert np.ptp(y) == pytest.approx(np.ptp(x[1]))
    # None keeps true scale however wide (the caller's choice): 300 s at 25 mm/s.
    wide = et.plot_ecg(ecg, layout="stack", max_width_in=None)
    assert wide.get_figwidth() == pytest.approx((300 * 25 + 10) / 25.4 + 0.5)


def test_batch_record_selection(twelve):
    batch = et.ECG(np.stack([twelve.signal, 2 * twelve.signal]), fs=500, leads=et.STANDARD_LEADS)
    fig = et.plot_ecg(batch, record=1, layout="stack")
    trace = [ln for ln in fig.axes[0].lines if len(ln.get_xdata()) == 5000][0]
    assert np.ptp(trace.get_ydata()) == pytest.approx(2.0, abs=1e-3)


def test_plot_errors(twelve):
    with pytest.raises(ValueError, match="unknown layout"):
        et.plot_ecg(twelve, layout="grid")
    with pytest.raises(ValueError, match="needs all 12 leads"):
        et.plot_ecg(twelve[["I", "II"]], layout="12")
    with pytest.raises(TypeError, match="expects an ecgtoolkit.ECG"):
        et.plot_ecg(np.zeros((12, 100)))
    with pytest.raises(ValueError, match="speed_mm_s must be a positive number"):
        et.plot_ecg(twelve, speed_mm_s=0)
    with pytest.raises(ValueError, match="one record, not a batch"):
        et.plot_ecg(twelve, record=2)
    with pytest.raises(ValueError, match="rhythm_lead 'MLII'"):
        et.plot_ecg(twelve, rhythm_lead="MLII")
    with pytest.raises(ValueError, match="leaves no room"):
        et.plot_ecg(twelve, layout="stack", max_width_in=0.5)


# --- delineation overlays ---------------------------------------------------------------------


def _spans(ax):
    """{wave: array of (start s, end s, bottom mV, top mV)} from the shaded collections."""
    out = {}
    for c in ax.collections:
        if isinstance(c, PolyCollection) and c.get_label() in ("P", "QRS", "T"):
            v = np.array([p.vertices[:4] for p in c.get_paths()])
            out[c.get_label()] = np.column_stack(
                [v[:, :, 0].min(1), v[:, :, 0].max(1), v[:, :, 1].min(1), v[:, :, 1].max(1)]
            )
    return out


def test_marks_shade_the_waves_where_they_are(known):
    ecg, marks = known
    ax = et.plot_ecg(ecg[["II", "V1"]], layout="stack", marks=marks).axes[0]
    spans = _spans(ax)
    assert set(spans) == {"P", "QRS", "T"}
    qrs = spans["QRS"]
    assert len(qrs) == 2 * ONSETS_S.size  # leads the ECG has, not the 12 of the marks
    first_row = qrs[qrs[:, 2] > -1.5]
    assert first_row[:, 0] == pytest.approx(ONSETS_S, abs=1 / FS)
    assert first_row[:, 1] - first_row[:, 0] == pytest.approx(KNOWN["qrs_ms"] / 1000, abs=1 / FS)
    assert ax.get_legend() is not None


def test_marks_in_12_layout_stay_inside_their_column(known):
    ecg, marks = known
    ax = et.plot_ecg(ecg, marks=marks).axes[0]
    qrs = _spans(ax)["QRS"]
    v1_row = qrs[(qrs[:, 2] < -3) & (qrs[:, 3] > -3)]  # second row: II, aVL, V2, V5
    assert len(qrs) == 3 * ONSETS_S.size + ONSETS_S.size  # 3 rows of 2.5 s + rhythm strip
    assert (v1_row[:, 0] >= 0).all() and (v1_row[:, 1] <= 10).all()
    v2 = v1_row[(v1_row[:, 0] >= 5.0) & (v1_row[:, 1] <= 7.5)]
    assert v2[:, 0] == pytest.approx(ONSETS_S[(ONSETS_S >= 5) & (ONSETS_S < 7.5)], abs=1 / FS)


def test_marks_that_do_not_fit_are_refused(known):
    ecg, marks = known
    with pytest.raises(ValueError, match="marks reach samples .* has 2500 samples"):
        et.plot_ecg(ecg.crop(0, 5.0), layout="stack", marks=marks)
    with pytest.raises(ValueError, match="none of which this ECG has"):
        et.plot_ecg(et.ECG(ecg.signal[:2], fs=FS, leads=["MLII", "V"]), marks=marks)
    with pytest.raises(ValueError, match="onset/offset columns"):
        et.plot_ecg(ecg, marks=marks[["lead", "beat"]])
    with pytest.raises(TypeError, match="DataFrame"):
        et.plot_ecg(ecg, marks=marks.to_numpy())


def test_plot_fiducials_shades_each_lead(known):
    ecg, marks = known
    fig = plot_fiducials(ecg, marks, leads=["II", "V1", "V5"], window_s=(0.0, 4.0))
    (ax,) = fig.axes
    assert len(ax.lines) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["II", "V1", "V5"]
    spans = _spans(ax)
    shown = ONSETS_S[ONSETS_S < 4.0]
    assert len(spans["QRS"]) == 3 * shown.size
    assert np.unique(np.round(spans["QRS"][:, 0], 6)) == pytest.approx(shown, abs=1 / FS)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["P", "QRS", "T"]
    assert ax.get_xlim() == (0.0, 4.0)


def test_plot_fiducials_delineates_when_no_marks_are_given(known):
    ecg, _ = known
    own = Figure()
    ax = own.add_subplot()
    assert plot_fiducials(ecg[["II", "V5"]], ax=ax) is own
    qrs = _spans(ax)["QRS"]
    assert len(qrs) >= 2 * (ONSETS_S.size - 2)  # the delineator found (nearly) every beat


def test_plot_fiducials_errors(known):
    ecg, marks = known
    with pytest.raises(ValueError, match="not in both the ECG and the marks"):
        plot_fiducials(ecg, marks, leads=["MLII"])
    with pytest.raises(ValueError, match="not inside the record"):
        plot_fiducials(ecg, marks, window_s=(5.0, 12.0))


# --- statistics -------------------------------------------------------------------------------


def test_median_beats_one_panel_per_lead_one_line_per_group():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(6, 8, 225))
    fake = rng.normal(size=(4, 8, 225)) + 1.0
    fig = plot_median_beats([real, fake], labels=["real", "fake"])
    assert len(fig.axes) == len(BEAT_LEADS) == 8
    assert [ax.get_title() for ax in fig.axes] == list(BEAT_LEADS)
    for i, ax in enumerate(fig.axes):
        assert len(ax.lines) == 2
        x, y = ax.lines[0].get_data()
        assert x[[0, -1]] == pytest.approx([-300.0, -300.0 + 224 * 4.0])  # ms at 250 Hz
        assert y == pytest.approx(np.median(real[:, i], axis=0))
        assert ax.lines[1].get_ydata() == pytest.approx(np.median(fake[:, i], axis=0))
        assert len(ax.collections) == 2  # the 25–75 % bands
    colours = {to_hex(ln.get_color()) for ln in fig.axes[0].lines}
    assert colours == {"#0072b2", "#e69f00"}  # Okabe–Ito blue and orange
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0].startswith("real") and legend[1].startswith("fake")


def test_median_beats_leave_out_unmeasured_records_and_take_other_leads():
    beats = np.ones((3, 2, 50))
    beats[1] = np.nan  # not measured: would warn (an error here) and bias nothing
    beats[2] = 3.0
    fig = plot_median_beats(beats[:, :, :], leads=["II", "V5"], fs=100.0, start_s=-0.2)
    assert len(fig.axes) == 2 and not fig.legends
    x, y = fig.axes[0].lines[0].get_data()
    assert y == pytest.approx(np.full(50, 2.0))
    assert x[0] == pytest.approx(-200.0) and x[1] - x[0] == pytest.approx(10.0)


def test_median_beats_reject_wrong_shapes():
    with pytest.raises(ValueError, match=r"shape \(5, 12, 225\); expected \(n_records, 8"):
        plot_median_beats(np.zeros((5, 12, 225)))
    with pytest.raises(ValueError, match="group 1 has shape"):
        plot_median_beats([np.zeros((2, 8, 225)), np.zeros((2, 2, 8, 225))])
    with pytest.raises(ValueError, match="3 labels for 1 groups"):
        plot_median_beats(np.zeros((2, 8, 225)), labels=["a", "b", "c"])


def test_qt_rr_lines_have_the_least_squares_slope():
    rr = np.linspace(600, 1200, 25)
    noise = np.tile([3.0, -3.0], 13)[:25]  # zero mean, uncorrelated with RR: same fit
    real = pd.DataFrame({"rr_mean_ms": rr, "qt_ms": 250 + 0.16 * rr, "status": "ok"})
    fake = pd.DataFrame({"rr_mean_ms": rr, "qt_ms": 300 + 0.10 * rr + noise})
    fake.loc[3, "qt_ms"] = np.nan
    failed = pd.DataFrame({"rr_mean_ms": [700.0], "qt_ms": [900.0], "status": ["error"]})
    fig = plot_qt_rr([pd.concat([real, failed]), fake], labels=["real", "fake"])
    (ax,) = fig.axes
    assert len(ax.lines) == 2
    for line, (a, b) in zip(ax.lines, [(250, 0.16), (300, 0.10)], strict=True):
        x, y = line.get_data()
        slope = (y[1] - y[0]) / (x[1] - x[0])
        assert slope == pytest.approx(b, abs=2e-3)
        assert y[0] - slope * x[0] == pytest.approx(a, abs=2.0)
    x, y = ax.lines[0].get_data()
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(0.16, rel=1e-9)  # the error row is out
    assert "0.160 · RR (n = 25)" in ax.lines[0].get_label()
    assert "(n = 24)" in ax.lines[1].get_label()  # the NaN row is out


def test_qt_rr_errors_and_given_axes():
    with pytest.raises(ValueError, match="lacks qt_ms"):
        plot_qt_rr(pd.DataFrame({"rr_mean_ms": [800.0]}))
    with pytest.raises(ValueError, match="2 labels for 1 tables"):
        plot_qt_rr([pd.DataFrame({"rr_mean_ms": [800.0], "qt_ms": [400.0]})], labels=["a", "b"])
    own = Figure()
    ax = own.add_subplot()
    fig = plot_qt_rr(pd.DataFrame({"rr_mean_ms": [800.0], "qt_ms": [400.0]}), ax=ax)
    assert fig is own and "no fit" in ax.lines[0].get_label()


def test_bland_altman_lines_are_bias_and_limits_of_agreement():
    a = pd.Series([400.0, 410, 380, 420, 395, np.nan, 402])
    b = pd.Series([396.0, 404, 378, 416, 391, 400, np.nan])
    fig = plot_bland_altman(a, b, labels=("manual", "auto"))
    (ax,) = fig.axes
    diff = np.array([4.0, 6, 2, 4, 4])
    bias, sd = diff.mean(), diff.std(ddof=1)
    lines = {ln.get_label(): ln.get_ydata()[0] for ln in ax.lines}
    assert lines == pytest.approx(
        {"bias": bias, "+1.96 SD": bias + 1.96 * sd, "-1.96 SD": bias - 1.96 * sd}
    )
    offsets = ax.collections[0].get_offsets()
    assert len(offsets) == 5  # pairs with a NaN are left out
    assert np.asarray(offsets[:, 1]) == pytest.approx(diff)
    texts = [t.get_text() for t in ax.texts]
    assert f"bias {bias:.2f} ms" in texts and f"+1.96 SD {bias + 1.96 * sd:.2f} ms" in texts
    assert ax.get_ylabel() == "manual − auto (ms)"


def test_bland_altman_errors():
    with pytest.raises(ValueError, match="1-D and paired"):
        plot_bland_altman([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="different indexes"):
        plot_bland_altman(pd.Series([1.0, 2.0]), pd.Series([1.0, 2.0], index=[5, 6]))
    with pytest.raises(ValueError, match="at least 2 pairs"):
        plot_bland_altman([1.0, np.nan], [2.0, 3.0])
