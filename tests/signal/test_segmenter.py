"""Tests of ecgtoolkit.signal.segmenter: the P/QRS/T labelling network and its helpers."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from ecgtoolkit.signal import segmenter as seg

torch = pytest.importorskip("torch")


def test_shipped_weights_are_a_plain_state_dict_of_the_network():
    with resources.files("ecgtoolkit.signal").joinpath("_weights", "segmenter.pt").open("rb") as fh:
        state = torch.load(fh, map_location="cpu", weights_only=True)
    net = seg.build_network()
    assert set(state) == set(net.state_dict())
    assert all(torch.is_tensor(v) and torch.isfinite(v.float()).all() for v in state.values())
    net.load_state_dict(state)  # shapes match, strictly


def test_folded_network_gives_the_trained_outputs():
    with resources.files("ecgtoolkit.signal").joinpath("_weights", "segmenter.pt").open("rb") as fh:
        state = torch.load(fh, map_location="cpu", weights_only=True)
    plain = seg.build_network()
    plain.load_state_dict(state)
    plain.eval()
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((3, 2, 1008)).astype("f4"))
    with torch.inference_mode():
        expected, got = plain(x), seg._network()(x)
    assert got.shape == (3, 4, 1008)
    assert torch.allclose(got, expected, atol=1e-4)


def test_preprocess_resamples_normalises_and_adds_the_context_channel():
    fs = 500.0
    t = np.arange(int(4 * fs)) / fs
    x = np.stack([np.sin(2 * np.pi * 5 * t), 3 * np.sin(2 * np.pi * 7 * t)])
    out = seg.preprocess(x, fs)
    assert out.shape == (2, 2, 1000) and out.dtype == np.float32
    # Each lead is scaled to a 99th percentile of |x| of one, whatever its amplitude.
    assert np.percentile(np.abs(out[:, 0]), 99, axis=-1) == pytest.approx(1, abs=1e-3)
    inner = np.abs(out[:, 0, 100:-100]).max(axis=-1)
    assert inner[0] == pytest.approx(inner[1], rel=0.05)
    rms = np.sqrt(np.mean(out[:, 0] ** 2, axis=0))
    assert np.allclose(out[0, 1], rms, atol=1e-6) and np.allclose(out[1, 1], rms, atol=1e-6)


def test_runs_merge_and_edges_on_known_labels():
    labels = np.array([[0, 2, 2, 0, 2, 0, 0, 0, 2, 2, 2, 0], [2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]])
    lead, first, last = seg.runs(labels, 2)
    assert lead.tolist() == [0, 0, 0, 1, 1]
    assert first.tolist() == [1, 4, 8, 0, 11]
    assert last.tolist() == [2, 4, 10, 1, 11]
    # A one-sample gap joins the first two runs; runs shorter than 2 samples go.
    lead, first, last = seg.merge_runs(lead, first, last, gap=2, shortest=2)
    assert list(zip(lead.tolist(), first.tolist(), last.tolist(), strict=True)) == [
        (0, 1, 4),
        (0, 8, 10),
        (1, 0, 1),
    ]
    # The margin changes sign a quarter of the way from sample 7 to sample 8.
    margin = np.array([[-1.0] * 7 + [-0.25, 0.75] + [1.0] * 3])
    pos = seg.edge(margin, np.array([0]), np.array([8]), np.array([7]))
    assert pos == pytest.approx([7.25])
    # At the record's end there is no neighbour: the run's own last sample.
    assert seg.edge(margin, np.array([0]), np.array([11]), np.array([12])) == pytest.approx([11])


def test_any_record_length_and_lead_count_runs_without_retracing(monkeypatch):
    # The network used to be traced for every new input shape (0.2 s each; tracing and
    # freezing once cost 1.8 s of start-up for no gain on one core): it runs eagerly.
    def no_tracing(*args, **kwargs):
        raise AssertionError("the network was traced")

    monkeypatch.setattr(torch.jit, "trace", no_tracing)
    seg._load.cache_clear()
    rng = np.random.default_rng(1)
    for n_leads, n in ((12, 5000), (1, 2347), (3, 1001)):
        prob, inputs = seg.probabilities(rng.normal(0, 0.3, (n_leads, n)), 500.0)
        m = int(np.ceil(n * seg.FS / 500.0))
        assert prob.shape == (n_leads, 4, m) and inputs.shape == (n_leads, 2, m)
        np.testing.assert_allclose(prob.sum(axis=1), 1.0, atol=1e-5)


def test_context_channel_uses_only_the_chosen_leads():
    rng = np.random.default_rng(2)
    x = rng.normal(0, 0.3, (3, 2000))
    mask = np.array([True, False, True])
    out = seg.preprocess(x, 500.0, mask)
    rms = np.sqrt(np.mean(out[mask, 0] ** 2, axis=0))
    np.testing.assert_allclose(out[1, 1], rms, atol=1e-6)


def test_weights_can_be_swapped_for_a_block(tmp_path):
    net = seg.build_network()
    state = {k: v * 0 for k, v in net.state_dict().items()}
    torch.save(state, tmp_path / "zero.pt")
    x = np.random.default_rng(3).normal(0, 0.3, (1, 2000))
    shipped, _ = seg.probabilities(x, 500.0)
    with seg.weights(tmp_path / "zero.pt"):
        zero, _ = seg.probabilities(x, 500.0)
    np.testing.assert_allclose(zero, 0.25, atol=1e-6)  # all-zero weights: uniform output
    again, _ = seg.probabilities(x, 500.0)
    np.testing.assert_array_equal(again, shipped)
