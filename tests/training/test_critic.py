"""The Pulse2Pulse critic: the published architecture, the small size, phase shuffle."""

from __future__ import annotations

from itertools import pairwise

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ecgtoolkit.training.critic import (
    CRITIC_SIZES,
    Pulse2PulseCritic,
    count_parameters,
    make_critic,
)

#: Published WaveGANDiscriminator (models/pulse2pulse.py of vlbthambawita/Pulse2Pulse).
PUBLISHED_STRIDES = [2, 2, 2, 2, 4, 4, 4]
PUBLISHED_CHANNELS = [50, 100, 250, 500, 1000, 1250, 5000]
#: Conv1d output lengths for 5000 samples, kernel 25, padding 11: (L + 22 − 25) // s + 1.
LENGTHS_5000 = [2499, 1249, 624, 311, 78, 19, 5]


def expected_parameters(d: int) -> int:
    """Parameters of the critic at model size d, counted by hand from the layer list."""
    widths = [8] + [m * d for m in (1, 2, 5, 10, 20, 25, 100)]
    convs = sum(c_in * c_out * 25 + c_out for c_in, c_out in pairwise(widths))
    return convs + 100 * d * 5 + 1


def feature_shapes(critic: Pulse2PulseCritic, x: torch.Tensor) -> list[tuple[int, ...]]:
    shapes = []
    hooks = [
        conv.register_forward_hook(lambda _m, _i, out: shapes.append(tuple(out.shape)))
        for conv in critic.convs
    ]
    with torch.no_grad():
        critic(x)
    for hook in hooks:
        hook.remove()
    return shapes


def test_published_critic_layers_and_size_on_meta_device():
    with torch.device("meta"):
        critic = make_critic("published")
    assert CRITIC_SIZES["published"] == 50
    assert [c.stride[0] for c in critic.convs] == PUBLISHED_STRIDES
    assert [c.out_channels for c in critic.convs] == PUBLISHED_CHANNELS
    assert {(c.kernel_size[0], c.padding[0]) for c in critic.convs} == {(25, 11)}
    assert critic.convs[0].in_channels == 8
    assert (critic.fc1.in_features, critic.fc1.out_features) == (25_000, 1)
    assert count_parameters(critic) == expected_parameters(50) == 203_918_151
    assert [s.shift_factor for s in critic.shuffles] == [2] * 6
    assert critic.alpha == 0.2


def test_published_critic_scores_a_batch():
    critic = make_critic("published").eval()
    with torch.no_grad():
        scores = critic(torch.rand(2, 8, 5000) * 2 - 1)
    assert scores.shape == (2,) and scores.dtype == torch.float32
    assert torch.isfinite(scores).all()


def test_small_critic_shapes_and_size():
    d = CRITIC_SIZES["small"]
    critic = make_critic("small")
    assert critic.model_size == d and critic.training
    assert count_parameters(critic) == expected_parameters(d)
    x = torch.rand(3, 8, 5000) * 2 - 1
    channels = [m * d for m in (1, 2, 5, 10, 20, 25, 100)]
    assert feature_shapes(critic, x) == [
        (3, c, n) for c, n in zip(channels, LENGTHS_5000, strict=True)
    ]
    scores = critic(x)
    assert scores.shape == (3,) and torch.isfinite(scores).all()
    scores.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in critic.parameters())


def test_linear_layer_follows_n_samples():
    critic = Pulse2PulseCritic(2, n_channels=3, n_samples=2500)
    assert critic.fc1.in_features == 100 * 2 * 2  # lengths 1249, 624, 311, 155, 39, 10, 2
    assert critic(torch.zeros(2, 3, 2500)).shape == (2,)


def test_phase_shuffle_is_reproducible_under_manual_seed():
    critic = make_critic(4)
    x = torch.rand(6, 8, 5000) * 2 - 1
    with torch.no_grad():
        torch.manual_seed(7)
        first = critic(x)
        torch.manual_seed(7)
        again = critic(x)
        torch.manual_seed(8)
        other = critic(x)
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_phase_shuffle_is_off_in_eval_mode():
    critic = make_critic(4).eval()
    unshuffled = Pulse2PulseCritic(4, shift_factor=0)
    unshuffled.load_state_dict(critic.state_dict())
    x = torch.rand(6, 8, 5000) * 2 - 1
    with torch.no_grad():
        torch.manual_seed(1)
        state = torch.random.get_rng_state()
        first = critic(x)
        assert torch.equal(torch.random.get_rng_state(), state)  # no draws
        torch.manual_seed(2)
        assert torch.equal(critic(x), first)
        assert torch.allclose(unshuffled(x), first)


def test_phase_shuffle_shifts_by_at_most_two_with_reflection():
    shuffle = make_critic(1).shuffles[0]
    x = torch.arange(10.0).repeat(64, 3, 1)
    # The published shuffle: drop k samples at one end, reflect-pad k at the other.
    candidates = [F.pad(x[:1, :, :-k], (k, 0), mode="reflect") for k in (1, 2)]
    candidates += [F.pad(x[:1, :, k:], (0, k), mode="reflect") for k in (1, 2)]
    candidates.append(x[:1])
    torch.manual_seed(0)
    out = shuffle(x)
    seen = set()
    for item in out:
        matches = [i for i, c in enumerate(candidates) if torch.equal(item, c[0])]
        assert len(matches) == 1
        seen.add(matches[0])
    assert seen == set(range(5))  # all five shifts occur among 64 ECGs
    assert torch.equal(shuffle.eval()(x), x)


def test_make_critic_sizes():
    assert make_critic(3).model_size == 3
    for bad in ("huge", 0, -2, 2.5, True, None):
        with pytest.raises(ValueError, match="critic size|unknown critic size"):
            make_critic(bad)


def test_critic_rejects_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="too short"):
        Pulse2PulseCritic(2, n_samples=300)
    with pytest.raises(ValueError, match="model_size"):
        Pulse2PulseCritic(0)
    with pytest.raises(TypeError, match="shift_factor"):
        Pulse2PulseCritic(2, shift_factor=1.5)
    with pytest.raises(ValueError, match=r"\(batch, 8, 5000\)"):
        make_critic(1)(torch.zeros(2, 12, 5000))


def test_count_parameters():
    assert count_parameters(nn.Linear(3, 2)) == 8
    frozen = nn.Linear(3, 2).requires_grad_(False)
    assert count_parameters(nn.Sequential(frozen, nn.Linear(2, 1))) == 11
