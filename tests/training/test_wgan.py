"""WGAN-GP losses and optimisers: known answers, and a small critic that learns."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from ecgtoolkit.generators.pulse2pulse import load_generator
from ecgtoolkit.signal.synthetic import known_beats
from ecgtoolkit.training.critic import make_critic
from ecgtoolkit.training.wgan import (
    ADAM_BETAS,
    ADAM_LR,
    CRITIC_STEPS,
    GP_WEIGHT,
    critic_loss,
    generator_loss,
    gradient_penalty,
    make_optimizers,
)

SHAPE = (4, 8, 5000)


class LinearCritic(nn.Module):
    """D(x) = <w, x> + b: its gradient is w everywhere, so the penalty is (‖w‖ − 1)²."""

    def __init__(self, norm: float) -> None:
        super().__init__()
        w = torch.randn(SHAPE[1:], generator=torch.Generator().manual_seed(3))
        self.w = nn.Parameter(w * norm / w.norm())
        self.b = nn.Parameter(torch.tensor(0.5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x * self.w).sum(dim=(1, 2)) + self.b


class HalfSquaredNorm(nn.Module):
    """D(x) = ‖x‖² / 2: its gradient at x is x itself."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * x.pow(2).sum(dim=(1, 2))


def test_published_settings():
    assert GP_WEIGHT == 10.0
    assert CRITIC_STEPS == 5
    assert ADAM_LR == 1e-4
    assert ADAM_BETAS == (0.5, 0.9)


@pytest.mark.parametrize(("norm", "expected"), [(1.0, 0.0), (3.0, 4.0), (0.25, 0.5625)])
def test_gradient_penalty_of_a_linear_critic(norm, expected):
    real, fake = torch.randn(SHAPE), torch.randn(SHAPE)
    penalty = gradient_penalty(LinearCritic(norm), real, fake)
    assert penalty.ndim == 0
    assert penalty.item() == pytest.approx(expected, abs=1e-5)


def test_gradient_penalty_interpolates_with_one_uniform_weight_per_ecg():
    direction = torch.randn(SHAPE)
    direction /= direction.flatten(1).norm(dim=1)[:, None, None]
    real, fake = 3.0 * direction, torch.zeros(SHAPE)
    torch.manual_seed(11)
    penalty = gradient_penalty(HalfSquaredNorm(), real, fake)
    torch.manual_seed(11)
    eps = torch.rand(SHAPE[0])
    # x̂ = 3 ε u, so ‖∇D(x̂)‖ = ‖x̂‖ = 3 ε.
    assert penalty.item() == pytest.approx(((3 * eps - 1) ** 2).mean().item(), rel=1e-5)


def test_gradient_penalty_trains_the_critic_only():
    critic = LinearCritic(2.0)
    source = torch.ones(SHAPE, requires_grad=True)
    penalty = gradient_penalty(critic, source * 2, source * 0.5)
    penalty.backward()
    assert source.grad is None
    # d/dw (‖w‖ − 1)² = 2 (‖w‖ − 1) w / ‖w‖ = w for ‖w‖ = 2.
    torch.testing.assert_close(critic.w.grad, critic.w.detach())


def test_gradient_penalty_rejects_mismatched_batches():
    with pytest.raises(ValueError, match="same shape"):
        gradient_penalty(LinearCritic(1.0), torch.zeros(SHAPE), torch.zeros(2, 8, 5000))
    with pytest.raises(TypeError, match="torch.Tensor"):
        gradient_penalty(LinearCritic(1.0), np.zeros(SHAPE), torch.zeros(SHAPE))


def test_critic_loss_known_answer_and_detached_fake():
    critic = LinearCritic(3.0)
    real = torch.randn(SHAPE)
    gain = torch.tensor(1.0, requires_grad=True)  # stands in for the generator
    fake = gain * torch.randn(SHAPE)
    loss, parts = critic_loss(critic, real, fake, gp_weight=2.0)
    w = critic.w.detach()
    wasserstein = float(((real - fake.detach()) * w).sum(dim=(1, 2)).mean())
    assert set(parts) == {"wasserstein", "gradient_penalty", "critic_loss"}
    assert all(isinstance(v, float) for v in parts.values())
    assert parts["wasserstein"] == pytest.approx(wasserstein, rel=1e-4, abs=1e-4)
    assert parts["gradient_penalty"] == pytest.approx(4.0, rel=1e-5)
    assert parts["critic_loss"] == pytest.approx(-wasserstein + 8.0, rel=1e-4, abs=1e-4)
    assert loss.item() == pytest.approx(parts["critic_loss"])
    loss.backward()
    assert gain.grad is None
    assert critic.b.grad is not None and critic.b.grad.item() == 0.0  # cancels out


def test_critic_loss_of_the_critic_is_finite_and_reproducible():
    critic = make_critic(2)
    real = torch.rand(SHAPE) * 2 - 1
    with torch.inference_mode():  # as load_generator's output usually is
        fake = torch.rand(SHAPE) * 2 - 1
    results = []
    for _ in range(2):
        torch.manual_seed(5)
        critic.zero_grad()
        loss, parts = critic_loss(critic, real, fake)
        loss.backward()
        results.append((parts, [p.grad.clone() for p in critic.parameters()]))
    (parts, grads), (parts_again, grads_again) = results
    assert all(np.isfinite(v) for v in parts.values())
    assert parts == parts_again
    assert all(torch.equal(a, b) for a, b in zip(grads, grads_again, strict=True))
    assert all(torch.isfinite(g).all() for g in grads)


def test_generator_loss_is_minus_the_mean_score():
    critic = LinearCritic(1.0)
    fake = torch.randn(SHAPE, requires_grad=True)
    loss = generator_loss(critic, fake)
    assert loss.item() == pytest.approx(-critic(fake).mean().item())
    loss.backward()
    torch.testing.assert_close(fake.grad, -critic.w.detach().expand(SHAPE) / SHAPE[0])


def test_make_optimizers_use_the_published_settings():
    generator, critic = nn.Linear(3, 3), LinearCritic(1.0)
    opt_g, opt_d = make_optimizers(generator, critic)
    for opt, model in ((opt_g, generator), (opt_d, critic)):
        assert isinstance(opt, torch.optim.Adam)
        (group,) = opt.param_groups
        assert group["lr"] == ADAM_LR and group["betas"] == ADAM_BETAS
        assert [id(p) for p in group["params"]] == [id(p) for p in model.parameters()]


#: Polarity of the beats in leads I, II, V1–V6 of a normal ECG: V1 mostly negative.
POLARITY = np.array([1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0])[:, None]


def real_windows(n: int, rng: np.random.Generator) -> torch.Tensor:
    """Sinus-like 8-lead ECGs in the generator's unit (mV / 6): beats of known timing every
    0.8 s started at a random phase, a random gain per lead (V1 inverted) and 20 µV of
    white noise."""
    beats = known_beats(500.0)
    leads = np.stack([np.roll(beats, shift) for shift in rng.integers(0, 400, n)])[:, None]
    gains = rng.uniform(0.4, 1.5, (n, 8, 1)) * POLARITY
    windows = leads * gains + rng.normal(0.0, 0.02, (n, 8, beats.size))
    return torch.as_tensor(windows / 6, dtype=torch.float32)


def test_small_critic_learns_to_tell_real_from_published_fakes():
    n, n_train, batch = 64, 48, 2
    real = real_windows(n, np.random.default_rng(0))
    torch.manual_seed(0)
    generator = load_generator("cpu")
    with torch.inference_mode():
        fake = generator(torch.rand(n, 8, 5000) * 2 - 1)
    critic = make_critic("small")
    _, opt_d = make_optimizers(generator, critic)
    for _ in range(50):
        i, j = torch.randint(0, n_train, (2, batch))
        opt_d.zero_grad()
        loss, parts = critic_loss(critic, real[i], fake[j])
        loss.backward()
        opt_d.step()
        assert all(np.isfinite(v) for v in parts.values())
    critic.eval()
    with torch.no_grad():
        real_scores, fake_scores = critic(real[n_train:]), critic(fake[n_train:])
    wasserstein = float(real_scores.mean() - fake_scores.mean())
    spread = float(torch.cat((real_scores, fake_scores)).std())
    assert wasserstein > spread > 0  # the means differ by more than one pooled SD
    assert float((real_scores[:, None] > fake_scores[None, :]).float().mean()) >= 0.8
