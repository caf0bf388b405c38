"""Fidelity of ecgtoolkit's Pulse2Pulse implementation to the published module."""

import copy

import numpy as np
import pytest
import torch

import ecgtoolkit as et
from ecgtoolkit.generators.pulse2pulse import (
    Pulse2PulseGenerator,
    _phase_groups,
    _polyphase_matrix,
    _UpsampleConv,
    _weights_path,
)

deepfakeecg = pytest.importorskip("deepfakeecg")


@pytest.fixture(scope="module")
def models():
    ours = et.load_generator("cpu")
    published = deepfakeecg.models.Generator()
    state = torch.load(_weights_path(), map_location="cpu", weights_only=True)["stat_dict"]
    published.load_state_dict(state)
    return ours, published.eval()


@pytest.fixture(scope="module")
def noise():
    return torch.rand(4, 8, 5000, generator=torch.Generator().manual_seed(7)) * 2 - 1


def test_fast_path_is_the_same_function_exactly_in_float64(models, noise):
    """In float64 rounding is negligible: the polyphase form must equal the published one."""
    ours, published = (copy.deepcopy(m).double() for m in models)
    with torch.inference_mode():
        diff = (ours(noise.double()) - published(noise.double())).abs().max().item()
    assert diff < 1e-10


def test_published_computation_reproduced_to_1e5(models, noise):
    """Our module in its published-computation mode matches the published module."""
    ours, published = models
    reference = copy.deepcopy(ours)
    reference.reference = True
    with torch.inference_mode():
        diff = (reference(noise) - published(noise)).abs().max().item()
    assert diff <= 1e-5


def test_fast_float32_path_is_as_accurate_as_the_published_float32(models, noise):
    """float32 rounding is amplified by this network (mostly by its first layers): the
    published module itself is ~5e-5 from the exact (float64) output and differs from
    itself by ~2.5e-5 between batch sizes. The fast path must agree with the published
    float32 output to within that roundoff, and be no less accurate than it."""
    ours, published = models
    exact = copy.deepcopy(published).double()
    with torch.inference_mode():
        truth = exact(noise.double())
        fast = ours(noise).double()
        pub = published(noise).double()
    assert (fast - pub).abs().max().item() < 1e-4  # 0.6 µV after × 6000
    assert (fast - truth).abs().max().item() <= 2 * (pub - truth).abs().max().item()


def test_phase_groups_and_taps():
    # u = 5: phase r reads input offsets floor((r - 12) / 5) ... floor((r + 12) / 5)
    assert _phase_groups(25, 5) == [([0, 1, 2], -3, 2), ([3, 4], -2, 3)]
    assert _phase_groups(25, 2) == [([0, 1], -6, 6)]
    for up in (2, 5):
        for phases, first, last in _phase_groups(25, up):
            mat = _polyphase_matrix(25, up, phases, first, last)
            # every original tap lands in exactly one fused tap of every phase
            np.testing.assert_array_equal(mat.sum(dim=1).numpy(), np.ones((len(phases), 25)))


@pytest.mark.parametrize("up", [2, 5])
def test_polyphase_block_equals_upsample_then_convolve(up):
    """Known answer at block level, edges included, in float64."""
    block = _UpsampleConv(3, 4, up).double()
    x = torch.randn(2, 3, 11, dtype=torch.float64)
    expected = block(x)  # repeat samples, zero-pad 12, 25-tap convolution
    parts = []
    for weight, bias, left, right in block.fused_weights():
        parts.append(
            torch.nn.functional.conv1d(torch.nn.functional.pad(x, (left, right)), weight, bias)
        )
    y = torch.cat(parts, 1)  # (B, up * out, L), phase-major
    y = y.view(2, up, 4, 11).permute(0, 2, 3, 1).reshape(2, 4, 11 * up)
    assert (y - expected).abs().max().item() < 1e-12


def test_fast_weights_follow_parameter_changes(models, noise):
    ours, _ = models
    model = copy.deepcopy(ours)
    with torch.inference_mode():
        before = model(noise[:1])
    with torch.no_grad():
        model.deconv_7.conv1d.bias.add_(0.5)
    model.load_state_dict(model.state_dict())  # what any reload does
    with torch.inference_mode():
        after = model(noise[:1])
    assert (after - before).abs().max().item() > 1e-3


def test_training_mode_has_the_published_gradients(models, noise):
    """In training mode our module computes as the published one does, gradients
    included: the gradients of one loss agree in float64 for every parameter."""
    ours, published = (copy.deepcopy(m).double().train() for m in models)
    x = noise[:1].double()
    for model in (ours, published):
        model.zero_grad()
        (model(x) ** 2).sum().backward()
    theirs = dict(published.named_parameters())
    compared = 0
    for name, param in ours.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
        torch.testing.assert_close(param.grad, theirs[name].grad, rtol=1e-9, atol=1e-12)
        compared += 1
    assert compared == len(list(published.parameters())) - _unused(published)


def _unused(published) -> int:
    """Parameters of the published module that its forward pass never uses."""
    return sum(
        1 for name, _ in published.named_parameters()
        if name.startswith(("fc1.", "ppfilter1.")) or ".Conv1dTrans." in name
    )  # fmt: skip


def test_wrong_noise_shape():
    with pytest.raises(ValueError, match="noise must have shape"):
        Pulse2PulseGenerator().eval()(torch.zeros(1, 8, 100))


def test_default_weights_pinned_to_their_sha256(tmp_path, monkeypatch):
    """The installed package's file must be the published one; a file given by the
    user is any checkpoint (tests/generators/test_checkpoints.py)."""
    from ecgtoolkit.generators import pulse2pulse

    altered = tmp_path / "g_stat.pt"
    torch.save({"stat_dict": et.load_generator("cpu").state_dict()}, altered)
    monkeypatch.setattr(pulse2pulse, "_weights_path", lambda: altered)
    with pytest.raises(ValueError, match="not the published Pulse2Pulse checkpoint.*reinstall"):
        et.load_generator("cpu")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        et.load_generator("cpu", weights=tmp_path / "missing.pt")


def test_model_in_eval_mode_on_device():
    model = et.load_generator("cpu")
    assert not model.training
    assert next(model.parameters()).device.type == "cpu"
    published = torch.load(_weights_path(), map_location="cpu", weights_only=True)["stat_dict"]
    assert sum(v.numel() for v in published.values()) == 10_590_997  # "10.6 M parameters"
    used = {
        k: v
        for k, v in published.items()
        if not k.startswith(("fc1.", "ppfilter1.")) and ".Conv1dTrans." not in k
    }
    assert sum(p.numel() for p in model.parameters()) == sum(v.numel() for v in used.values())
