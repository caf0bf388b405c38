import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

import ecgtoolkit as et

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def twelve():
    t = np.arange(5000) / 500
    beats = np.exp(-(((t % 0.8) - 0.4) ** 2) / (2 * 0.01**2))  # a 75 bpm spike train, 1 mV
    return et.ECG(
        np.tile(beats, (12, 1)), fs=500, leads=et.STANDARD_LEADS, meta={"record_name": "synthetic"}
    )


def test_clinical_layout(twelve):
    fig = et.plot_ecg(twelve)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.texts}
    assert set(et.STANDARD_LEADS) <= labels
    assert len(ax.lines) > 12 + 1  # 12 segments, a rhythm strip, grid lines
    assert fig.get_suptitle().startswith("synthetic")
    assert ax.get_aspect() == pytest.approx(0.4)  # 10 mm/mV over 25 mm/s


def test_traces_keep_amplitude_in_mv(twelve):
    fig = et.plot_ecg(twelve, layout="stack")
    ax = fig.axes[0]
    traces = [ln for ln in ax.lines if len(ln.get_xdata()) == 5000]
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
