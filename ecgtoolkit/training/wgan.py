"""WGAN-GP losses and optimisers, with the settings Pulse2Pulse was trained with.

The critic ``D`` estimates the Wasserstein-1 distance between real and generated ECGs
as ``D(real).mean() − D(fake).mean()`` while a gradient penalty keeps it close to
1-Lipschitz (Gulrajani et al. 2017). The critic minimises
``D(fake).mean() − D(real).mean() + λ·GP`` (:func:`critic_loss`), the generator
``−D(fake).mean()`` (:func:`generator_loss`), with :data:`CRITIC_STEPS` critic updates,
each on a fresh real batch, per generator update.

The settings are those of the published Pulse2Pulse training (Thambawita et al. 2021,
``pulse2pulse_train.py``, ``utils/utils.py`` and ``config.yaml`` of
https://github.com/vlbthambawita/Pulse2Pulse: ``lmbda: 10.0``, ``lr: 0.0001``,
``b1: 0.5``, ``b2: 0.9``, a generator step on every fifth batch), which are WaveGAN's
(Donahue et al. 2019, table of hyperparameters); Gulrajani et al. use the same λ, number
of critic steps and learning rate, with β₁ = 0.

Every random draw (the interpolation weights here, the critic's phase shuffle) comes
from torch's global random number generator, so ``torch.manual_seed`` makes a step
reproducible.

References
----------
.. [1] Gulrajani I, Ahmed F, Arjovsky M, Dumoulin V, Courville A. Improved training of
       Wasserstein GANs. NeurIPS 2017. arXiv:1704.00028.
.. [2] Thambawita V, Isaksen JL, Hicks SA, et al. DeepFake electrocardiograms using
       generative adversarial networks are the beginning of the end for privacy issues
       in medicine. Sci Rep. 2021;11:21896. doi:10.1038/s41598-021-01295-2.
.. [3] Donahue C, McAuley J, Puckette M. Adversarial audio synthesis. ICLR 2019.
       arXiv:1802.04208.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "ADAM_BETAS",
    "ADAM_LR",
    "CRITIC_STEPS",
    "GP_WEIGHT",
    "critic_loss",
    "generator_loss",
    "gradient_penalty",
    "make_optimizers",
]

#: λ, the weight of the gradient penalty (Pulse2Pulse ``lmbda``; [1]_, [3]_).
GP_WEIGHT = 10.0
#: Critic updates per generator update (Pulse2Pulse: a generator step every 5th batch).
CRITIC_STEPS = 5
#: Adam learning rate of both networks (Pulse2Pulse ``lr``).
ADAM_LR = 1e-4
#: Adam (β₁, β₂) of both networks (Pulse2Pulse ``b1``, ``b2``; WaveGAN's).
ADAM_BETAS = (0.5, 0.9)


def _as_input(x: torch.Tensor, name: str) -> torch.Tensor:
    """``x`` cut from any graph, usable in autograd even if made under inference mode."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    x = x.detach()
    return x.clone() if x.is_inference() else x


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """The WGAN-GP penalty: mean of (‖∇D(x̂)‖₂ − 1)² over random interpolates x̂.

    Parameters
    ----------
    critic : torch.nn.Module
        Maps a batch ``(B, ...)`` to scores ``(B,)`` (or ``(B, 1)``).
    real, fake : torch.Tensor
        Batches of the same shape ``(B, n_leads, n_samples)``. Both are detached: the
        penalty's gradient reaches the critic only.

    Returns
    -------
    torch.Tensor
        A scalar, unweighted (:func:`critic_loss` multiplies it by λ), differentiable
        with respect to the critic's parameters.

    Raises
    ------
    TypeError
        If ``real`` or ``fake`` is not a tensor.
    ValueError
        If their shapes differ.

    Notes
    -----
    x̂ = ε·real + (1 − ε)·fake with one ε ~ U(0, 1) per ECG, drawn from torch's global
    random number generator; the gradient norm is taken over all leads and samples of
    each ECG (Gulrajani et al. 2017, Algorithm 1). The gradient is computed with
    ``create_graph=True`` so that the penalty itself can be differentiated.

    Examples
    --------
    A linear critic whose gradient has unit norm everywhere has no penalty:

    >>> import torch
    >>> critic = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 1, bias=False))
    >>> with torch.no_grad():
    ...     _ = critic[1].weight.fill_(0.5)
    >>> real, fake = torch.randn(2, 1, 4), torch.randn(2, 1, 4)
    >>> gradient_penalty(critic, real, fake).item()
    0.0
    """
    real, fake = _as_input(real, "real"), _as_input(fake, "fake")
    if real.shape != fake.shape:
        raise ValueError(
            f"real and fake must have the same shape, got {tuple(real.shape)} and "
            f"{tuple(fake.shape)}"
        )
    eps_shape = (real.shape[0],) + (1,) * (real.ndim - 1)
    eps = torch.rand(eps_shape, device=real.device, dtype=real.dtype)
    with torch.enable_grad():
        interpolates = (eps * real + (1 - eps) * fake).requires_grad_(True)
        scores = critic(interpolates)
        (grad,) = torch.autograd.grad(scores.sum(), interpolates, create_graph=True)
        return ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()


def critic_loss(
    critic: nn.Module,
    real: torch.Tensor,
    fake: torch.Tensor,
    gp_weight: float = GP_WEIGHT,
) -> tuple[torch.Tensor, dict[str, float]]:
    """The critic's WGAN-GP loss on one batch, and its parts as numbers.

    Parameters
    ----------
    critic : torch.nn.Module
        Maps ECGs ``(B, 8, 5000)`` to scores ``(B,)``, e.g.
        :class:`~ecgtoolkit.training.critic.Pulse2PulseCritic`.
    real : torch.Tensor
        Real ECGs ``(B, 8, 5000)`` in the generator's unit (mV / 6).
    fake : torch.Tensor
        Generated ECGs of the same shape. Detached here, so the generator gets no
        gradient; a tensor made under ``torch.inference_mode`` is fine.
    gp_weight : float
        λ, the weight of the gradient penalty.

    Returns
    -------
    loss : torch.Tensor
        ``D(fake).mean() − D(real).mean() + gp_weight · GP``, a scalar to call
        ``backward()`` on (after ``opt_d.zero_grad()``).
    parts : dict of str to float
        ``"wasserstein"``: the critic's estimate ``D(real).mean() − D(fake).mean()``;
        ``"gradient_penalty"``: GP, unweighted; ``"critic_loss"``: the loss.

    Raises
    ------
    TypeError, ValueError
        As :func:`gradient_penalty`.

    Notes
    -----
    Real and fake ECGs are scored in one forward pass; the penalty takes a second
    (:func:`gradient_penalty`). With a phase-shuffling critic the shifts, like the
    interpolation weights, come from torch's global random number generator.

    Examples
    --------
    >>> import torch
    >>> from ecgtoolkit.training.critic import Pulse2PulseCritic
    >>> _ = torch.manual_seed(0)
    >>> critic = Pulse2PulseCritic(model_size=2)
    >>> real, fake = torch.rand(2, 2, 8, 5000) * 2 - 1
    >>> loss, parts = critic_loss(critic, real, fake)
    >>> loss.backward()
    >>> sorted(parts)
    ['critic_loss', 'gradient_penalty', 'wasserstein']
    """
    real, fake = _as_input(real, "real"), _as_input(fake, "fake")
    penalty = gradient_penalty(critic, real, fake)
    scores = critic(torch.cat((real, fake))).reshape(-1)
    wasserstein = scores[: len(real)].mean() - scores[len(real) :].mean()
    loss = -wasserstein + gp_weight * penalty
    values = torch.stack((wasserstein, penalty, loss)).detach().tolist()
    return loss, dict(zip(("wasserstein", "gradient_penalty", "critic_loss"), values, strict=True))


def generator_loss(critic: nn.Module, fake: torch.Tensor) -> torch.Tensor:
    """The generator's WGAN loss, ``−D(fake).mean()``.

    Parameters
    ----------
    critic : torch.nn.Module
        The critic; its parameters get gradients too unless their ``requires_grad`` is
        switched off for the generator step (as the published training does), so zero
        them before the next critic step.
    fake : torch.Tensor
        Generated ECGs ``(B, 8, 5000)``, still attached to the generator's graph.

    Returns
    -------
    torch.Tensor
        A scalar; ``backward()`` sends its gradient into the generator.

    Examples
    --------
    >>> import torch
    >>> from ecgtoolkit.training.critic import Pulse2PulseCritic
    >>> critic = Pulse2PulseCritic(model_size=2).eval()
    >>> fake = torch.zeros(2, 8, 5000, requires_grad=True)
    >>> generator_loss(critic, fake).backward()
    >>> tuple(fake.grad.shape)
    (2, 8, 5000)
    """
    return -critic(fake).mean()


def make_optimizers(
    generator: nn.Module,
    critic: nn.Module,
    *,
    lr: float = ADAM_LR,
    generator_lr: float | None = None,
    betas: tuple[float, float] = ADAM_BETAS,
) -> tuple[torch.optim.Adam, torch.optim.Adam]:
    """Adam optimisers for the generator and the critic, as Pulse2Pulse was trained.

    Parameters
    ----------
    generator, critic : torch.nn.Module
        The two networks.
    lr : float
        Learning rate (:data:`ADAM_LR`, the published 1e-4, by default).
    generator_lr : float, optional
        The generator's learning rate where it differs from ``lr`` (fine-tuning a trained
        generator against a new critic may want a smaller one); None: ``lr``.
    betas : tuple of float
        Adam's betas (:data:`ADAM_BETAS`, the published (0.5, 0.9), by default).

    Returns
    -------
    opt_g, opt_d : torch.optim.Adam
        Over each network's parameters.

    Examples
    --------
    >>> import torch
    >>> opt_g, opt_d = make_optimizers(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1),
    ...                                generator_lr=1e-5)
    >>> opt_d.defaults["lr"], opt_d.defaults["betas"], opt_g.defaults["lr"]
    (0.0001, (0.5, 0.9), 1e-05)
    """
    g_lr = lr if generator_lr is None else generator_lr
    opt_g = torch.optim.Adam(generator.parameters(), lr=g_lr, betas=tuple(betas))
    opt_d = torch.optim.Adam(critic.parameters(), lr=lr, betas=tuple(betas))
    return opt_g, opt_d
