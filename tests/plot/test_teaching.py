"""The teaching figures: a beat's intervals bracketed on ECG paper, and a lead reversal."""

import re

import matplotlib
import numpy as np
import pytest
from matplotlib.text import Text

import ecgtoolkit as et
from ecgtoolkit.plot import plot_beat_intervals, plot_lead_reversal
from ecgtoolkit.signal.synthetic import KNOWN, known_beats

matplotlib.use("Agg")

FS = 500


def _hann(t, start, width, gain):
    inside = (t >= start) & (t <= start + width)
    out = np.zeros_like(t)
    out[inside] = gain * np.sin(np.pi * (t[inside] - start) / width) ** 2
    return out


@pytest.fixture(scope="module")
def known():
    """12 leads of beats whose PR (160 ms), QRS (90 ms) and QT (400 ms) are known."""
    return et.ECG(np.tile(known_beats(FS, 10.0), (12, 1)), fs=FS, leads=et.STANDARD_LEADS)


@pytest.fixture(scope="module")
def fibrillation():
    """Atrial fibrillation: an irregular ventricular rhythm, f waves and no P wave."""
    t = np.arange(10 * FS) / FS
    beats = np.cumsum(np.random.default_rng(3).uniform(0.45, 1.1, 20)) + 0.3
    beats = beats[beats < 9.4]

    def lead(q, r, s, t_wave):
        return sum(
            _hann(t, b - 0.04, 0.02, -q)
            + _hann(t, b - 0.02, 0.04, r)
            + _hann(t, b + 0.02, 0.03, -s)
            + _hann(t, b + 0.14, 0.2, t_wave)
            for b in beats
        )

    phase = np.random.default_rng(0).uniform(0, 6, (2, 1))
    f_waves = 0.05 * np.sin(2 * np.pi * 6.3 * t + phase + 2 * np.sin(2 * np.pi * 0.4 * t))
    x = np.stack([lead(0.1, 1.0, 0.2, 0.3), lead(0.05, 1.2, 0.1, 0.35)]) + f_waves
    return et.ECG(x, fs=FS, leads=["I", "II"]).to_12_lead()


@pytest.fixture(scope="module")
def generated():
    return et.generate(1, seed=0, progress=False)[0]


def _gid(ax, kind):
    """{interval: artist} of the brackets (``kind="bracket"``) or their labels."""
    artists = [*ax.lines, *ax.texts]
    return {a.get_gid().split(":")[1]: a for a in artists if (a.get_gid() or "").startswith(kind)}


def _label_ms(text):
    return int(re.search(r"(\d+) ms", text.get_text()).group(1))


def _all_text(fig):
    return [t.get_text() for t in fig.findobj(Text)]


def _says_nan(fig):
    return [s for s in _all_text(fig) if re.search(r"\bnan\b", s, flags=re.IGNORECASE)]


def _check_against_measure(ecg, lead="II", beats=2):
    """The figure's brackets and labels against et.measure of the same ECG."""
    fig = plot_beat_intervals(ecg, lead=lead, beats=beats)
    ax = fig.axes[0]
    m = et.measure(ecg)
    brackets, labels = _gid(ax, "bracket"), _gid(ax, "label")
    for name, column in (("PR", "pr_ms"), ("QRS", "qrs_ms"), ("QT", "qt_ms")):
        if np.isnan(m[column]):
            assert name not in brackets and name not in labels
            continue
        assert abs(_label_ms(labels[name]) - m[column]) <= 1.0, name
        x = brackets[name].get_xdata()
        assert (max(x) - min(x)) * 1000 == pytest.approx(m[column], abs=1e-6), name
    assert f"heart rate {m['heart_rate']:.0f} bpm" in ax.get_title(loc="left")
    assert not _says_nan(fig)
    return fig, m


def test_brackets_carry_the_intervals_of_measure(known):
    fig, m = _check_against_measure(known)
    brackets = _gid(fig.axes[0], "bracket")
    assert set(brackets) == {"PR", "QRS", "QT", "RR"}
    # One global QRS onset ends PR and starts QRS and QT.
    assert max(brackets["PR"].get_xdata()) == min(brackets["QRS"].get_xdata())
    assert min(brackets["QRS"].get_xdata()) == min(brackets["QT"].get_xdata())
    # Known answers: the signal was built with these intervals.
    for name in ("PR", "QRS", "QT"):
        x = brackets[name].get_xdata()
        assert (max(x) - min(x)) * 1000 == pytest.approx(KNOWN[f"{name.lower()}_ms"], abs=12)


def test_two_beats_bracket_their_rr_interval(known):
    fig = plot_beat_intervals(known, beats=2)
    ax = fig.axes[0]
    x = _gid(ax, "bracket")["RR"].get_xdata()
    assert (max(x) - min(x)) * 1000 == pytest.approx(800.0, abs=1000 / FS)
    assert _gid(ax, "label")["RR"].get_text() == "RR 800 ms (75 bpm)"
    assert "RR 800 ms" in ax.get_title(loc="left")


def test_one_beat_has_no_rr_and_paper_keeps_its_scale(known):
    fig = plot_beat_intervals(known, lead="V1", beats=1, zoom=3.0)
    ax = fig.axes[0]
    assert set(_gid(ax, "bracket")) == {"PR", "QRS", "QT"}
    box = ax.get_position()
    mm_per_s = box.width * fig.get_figwidth() * 25.4 / np.ptp(ax.get_xlim())
    mm_per_mv = box.height * fig.get_figheight() * 25.4 / np.ptp(ax.get_ylim())
    assert (mm_per_s, mm_per_mv) == pytest.approx((3 * 25.0, 3 * 10.0), rel=1e-6)
    assert ax.get_title(loc="left").startswith("Lead V1: the beat most like the median beat")


def test_generated_ecg_matches_measure(generated):
    _check_against_measure(generated, lead="V2")


def test_fibrillation_says_pr_not_measurable(fibrillation):
    fig, m = _check_against_measure(fibrillation)
    assert np.isnan(m["pr_ms"])
    title = fig.axes[0].get_title(loc="left")
    assert "PR not measurable (no P wave)" in title
    assert set(_gid(fig.axes[0], "bracket")) == {"QRS", "QT", "RR"}


def test_real_records_match_measure(data_dir):
    sinus = et.read(data_dir / "ludb" / "1", adc_gain=1000)
    _check_against_measure(sinus)
    atrial_fibrillation = et.read(data_dir / "ludb" / "38", adc_gain=1000)
    fig, m = _check_against_measure(atrial_fibrillation, beats=1)
    assert np.isnan(m["pr_ms"])
    assert "PR not measurable (no P wave)" in fig.axes[0].get_title(loc="left")


def test_beat_intervals_draw_into_a_given_figure(known):
    from matplotlib.figure import Figure

    own = Figure(figsize=(6, 4))
    assert plot_beat_intervals(known, beats=1, fig=own) is own
    assert len(own.axes) == 1 and _gid(own.axes[0], "bracket")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lead": "V7"}, "not in this ECG"),
        ({"beats": 3}, "beats must be 1 or 2"),
        ({"zoom": 0.0}, "zoom"),
    ],
)
def test_beat_intervals_reject_wrong_arguments(known, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_beat_intervals(known, **kwargs)


def test_beat_intervals_reject_an_unusable_lead(known):
    x = known.signal.copy()
    x[known.lead_index("V3")] = 0.0
    with pytest.raises(ValueError, match="V3 carries no usable ECG"):
        plot_beat_intervals(known.replace(x), lead="V3")


@pytest.fixture(scope="module")
def reversal(generated):
    return plot_lead_reversal(generated, ("LA", "RA"))


def test_lead_reversal_shows_six_limb_leads_before_and_after(reversal, generated):
    axes = reversal.axes
    assert len(axes) == 12
    top, bottom = axes[:6], axes[6:]
    assert [ax.get_title() for ax in top] == ["I", "II", "III", "aVR", "aVL", "aVF"]
    assert [ax.get_title() for ax in bottom] == [
        "I: inverted",
        "II: now III",
        "III: now II",
        "aVR: now aVL",
        "aVL: now aVR",
        "aVF: unchanged",
    ]
    assert "mV" in top[0].get_ylabel() and "mV" in bottom[0].get_ylabel()
    assert all(ax.get_xlabel() == "time (s)" for ax in bottom)
    assert len({ax.get_ylim() for ax in axes}) == 1  # one amplitude scale
    before = {ax.get_title(): ax.lines[0].get_ydata() for ax in top}
    after = [ax.lines[0].get_ydata() for ax in bottom]
    np.testing.assert_allclose(after[0], -before["I"], atol=1e-9)
    np.testing.assert_allclose(after[1], before["III"], atol=1e-9)
    np.testing.assert_allclose(after[3], before["aVL"], atol=1e-9)
    np.testing.assert_allclose(after[5], before["aVF"], atol=1e-9)
    x = top[0].lines[0].get_xdata()
    assert (x[0], x[-1]) == pytest.approx((0.0, 2.0), abs=2 / generated.fs)
    title = reversal._suptitle.get_text()
    assert "I inverted, II ↔ III, aVR ↔ aVL; aVF unchanged" in title
    assert not _says_nan(reversal)


def test_lead_reversal_gives_the_reasons_in_full(reversal, generated):
    reasons = et.check_leads(et.swap_electrodes(generated, "LA", "RA"))["reasons"]
    assert len(reasons) > 60
    shown = " ".join(" ".join(_all_text(reversal)).split())
    assert " ".join(reasons.split()) in shown
    assert "as recorded: no problem found" in shown


@pytest.mark.parametrize(
    ("swap", "titles"),
    [
        (("LA", "LL"), ["I: now II", "II: now I", "III: inverted", "aVR: unchanged"]),
        (("RA", "LL"), ["I: now −III (inverted III)", "II: inverted", "III: now −I"]),
    ],
)
def test_lead_reversal_titles_follow_the_swap(known, swap, titles):
    fig = plot_lead_reversal(known, swap, check=False)
    shown = [ax.get_title() for ax in fig.axes[6:]]
    assert all(any(s.startswith(t) for s in shown) for t in titles)


def test_lead_reversal_of_chest_electrodes_and_derived_limb_leads(known):
    fig = plot_lead_reversal(known, ("V2", "V3"), check=False)
    assert [ax.get_title() for ax in fig.axes[:6]] == list(et.STANDARD_LEADS[6:])
    assert fig.axes[7].get_title() == "V2: now V3"
    only_i_ii = et.ECG(known.signal[:2], fs=FS, leads=["I", "II"])
    fig = plot_lead_reversal(only_i_ii, check=False)
    assert len(fig.axes) == 12
    assert fig.axes[6].get_title() == "I: inverted"


def test_lead_reversal_rejects_wrong_arguments(known):
    with pytest.raises(ValueError, match="unknown electrode"):
        plot_lead_reversal(known, ("LA", "RL"))
    with pytest.raises(ValueError, match="not inside the record"):
        plot_lead_reversal(known, window_s=(9.0, 12.0))
    chest_only = et.ECG(known.signal[6:], fs=FS, leads=et.STANDARD_LEADS[6:])
    with pytest.raises(ValueError, match="lead reversal"):
        plot_lead_reversal(chest_only, check=False)
