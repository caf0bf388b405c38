"""The Pulse2Pulse critic: the WaveGAN discriminator that the published generator was trained with.

Architecture (Thambawita et al. 2021, published code ``models/pulse2pulse.py``,
``WaveGANDiscriminator``; after Donahue et al. 2019): seven 1-D convolutions of 25 taps,
padding 11, with strides 2, 2, 2, 2, 4, 4, 4 and ``d``, 2d, 5d, 10d, 20d, 25d, 100d
output channels for model size ``d``. Each is followed by a leaky ReLU (slope 0.2); the
first six are followed by phase shuffle (shift factor 2). The last feature map is
flattened into one linear layer with a single output, the critic's score (no sigmoid:
a Wasserstein critic). For 5000 samples the feature-map lengths are 2499, 1249, 624,
311, 78, 19 and 5, so the linear layer reads ``100 d × 5`` = 500 d inputs: 25,000 at the
published ``d`` = 50, the ``nn.Linear(25000, 1)`` hard-coded there. Weights of the
convolutions and the linear layer start from He-normal (``kaiming_normal_``, fan-in,
gain √2) as published; biases from PyTorch's default. Parameter names (``conv1`` …
``conv7``, ``fc1``) follow the published state dict, so a Pulse2Pulse training
checkpoint's critic weights load directly.

Sizes (:data:`CRITIC_SIZES`), measured with torch 2.13 on 2 CPU cores (best of 5
runs for ``small``, of 2 for the published forward and backward, one run for its
WGAN-GP step): "fw+bw" is one forward pass and ``backward()`` of the scores' sum; a
"WGAN-GP step" is one :func:`~ecgtoolkit.training.wgan.critic_loss` (real and fake
scored, and the gradient penalty with its double backward), ``backward()`` and an Adam
step.

=============  ==  ===========  =========  ===========  ============  ============
size           d   parameters   GFLOP/ECG  fw+bw,       WGAN-GP step  WGAN-GP step
                                (forward)  batch 16     batch 16      batch 32
=============  ==  ===========  =========  ===========  ============  ============
``published``  50  203,918,151  7.8        66 s         290 s         not measured
``small``      8   5,226,105    0.21       0.13 s       0.50 s        1.0 s
=============  ==  ===========  =========  ===========  ============  ============

The published critic has 203.9 M parameters, as the issue says (~200 M): 156.3 M of
them in the last convolution (1250 → 5000 channels × 25 taps) and 31.3 M in the one
before; the final linear layer itself has only 25,001. The multiply-adds grow as ``d²``
(3.9 G multiply-adds, 7.8 GFLOP, per forward pass of one ECG at ``d`` = 50), so the
published size needs a GPU for training. ``small`` keeps the architecture (every
layer, stride, kernel and the phase shuffle) and only narrows the channels, for CPU
runs and continuous integration: at ``d`` = 8 one forward and backward pass of 16 ECGs
takes well under a second on 2 cores, and its forward pass costs a third of the
generator's (0.63 GFLOP per ECG in training mode). On a CPU the published critic's
backward pass is far slower than its FLOPs suggest (its last layers are wide, 1250 and
5000 channels, over 19 and 5 samples); a batch of 32 was not timed (about twice 290 s).

Phase shuffle (Donahue et al. 2019, section 3.3) moves each ECG's feature map by a
whole number of samples drawn uniformly from ``-n … n``, filling the vacated end by
reflection, so that the critic cannot use the exact phase of upsampling artefacts. Here
the shifts come from torch's global random number generator only (one draw of
``batch`` integers per layer, on the input's device), so ``torch.manual_seed`` makes a
step reproducible; and phase shuffle is off in eval mode, so that scoring held-out ECGs
is deterministic. (The published code shuffles in eval mode too.)

References
----------
.. [1] Thambawita V, Isaksen JL, Hicks SA, et al. DeepFake electrocardiograms using
       generative adversarial networks are the beginning of the end for privacy issues
       in medicine. Sci Rep. 2021;11:21896. doi:10.1038/s41598-021-01295-2. Code:
       https://github.com/vlbthambawita/Pulse2Pulse
.. [2] Donahue C, McAuley J, Puckette M. Adversarial audio synthesis. ICLR 2019.
       arXiv:1802.04208.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..core.validation import check_int, check_positive

__all__ = ["CRITIC_SIZES", "Pulse2PulseCritic", "count_parameters", "make_critic"]

#: Model sizes ``d`` by name: ``"published"`` is Pulse2Pulse's; ``"small"`` runs on a CPU.
CRITIC_SIZES: dict[str, int] = {"published": 50, "small": 8}

KERNEL = 25
PADDING = 11
#: Output channels of the seven convolutions, in multiples of the model size.
CHANNEL_MULTIPLIERS = (1, 2, 5, 10, 20, 25, 100)
STRIDES = (2, 2, 2, 2, 4, 4, 4)


def _conv_length(n_samples: int, stride: int) -> int:
    return (n_samples + 2 * PADDING - KERNEL) // stride + 1


def _feature_lengths(n_samples: int) -> list[int]:
    """The length of each convolution's output for ``n_samples`` input samples."""
    lengths = []
    for stride in STRIDES:
        n_samples = _conv_length(n_samples, stride)
        lengths.append(n_samples)
    return lengths


class _PhaseShuffle(nn.Module):
    """Shift each item of a batch by a random ``-n … n`` samples, reflecting at the ends."""

    def __init__(self, shift_factor: int) -> None:
        super().__init__()
        self.shift_factor = shift_factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.shift_factor == 0:
            return x
        n = self.shift_factor
        batch, channels, length = x.shape
        shifts = torch.randint(-n, n + 1, (batch, 1), device=x.device)
        # Output sample t reads input t - shift, reflected about the first and last sample.
        source = (torch.arange(length, device=x.device) - shifts).abs()
        source = torch.where(source > length - 1, 2 * (length - 1) - source, source)
        return torch.gather(x, 2, source.unsqueeze(1).expand(batch, channels, length))


class Pulse2PulseCritic(nn.Module):
    """The Pulse2Pulse (WaveGAN) critic: ECGs ``(B, 8, 5000)`` to scores ``(B,)``.

    Parameters
    ----------
    model_size : int
        ``d``: the convolutions have d, 2d, 5d, 10d, 20d, 25d and 100d channels. 50 is
        the published critic; :data:`CRITIC_SIZES` names the sizes in use.
    n_channels : int
        Leads of the input (8: I, II, V1–V6).
    n_samples : int
        Samples per ECG (5000: 10 s at 500 Hz); it sets the linear layer's width.
    shift_factor : int
        Phase shuffle moves feature maps by up to this many samples (0 turns it off).
    alpha : float
        Slope of the leaky ReLU for negative inputs.

    Raises
    ------
    TypeError
        If ``model_size``, ``n_channels``, ``n_samples`` or ``shift_factor`` is not an
        integer.
    ValueError
        If one of them is out of range, or ``n_samples`` is too short for seven strided
        convolutions and the phase shuffle.

    Notes
    -----
    The input is in the generator's unit (mV / 6, in (−1, 1)). The score is a real
    number, higher for ECGs the critic takes for real. Phase shuffle runs in training
    mode only and draws from torch's global random number generator; see the module
    notes for the architecture and sizes.

    Examples
    --------
    >>> import torch
    >>> critic = Pulse2PulseCritic(model_size=4).eval()
    >>> with torch.no_grad():
    ...     scores = critic(torch.zeros(3, 8, 5000))
    >>> tuple(scores.shape), critic.fc1.in_features
    ((3,), 2000)
    """

    def __init__(
        self,
        model_size: int = 50,
        *,
        n_channels: int = 8,
        n_samples: int = 5000,
        shift_factor: int = 2,
        alpha: float = 0.2,
    ) -> None:
        super().__init__()
        self.model_size = check_int(model_size, "model_size", minimum=1)
        self.n_channels = check_int(n_channels, "n_channels", minimum=1)
        self.n_samples = check_int(n_samples, "n_samples", minimum=1)
        self.shift_factor = check_int(shift_factor, "shift_factor", minimum=0)
        self.alpha = check_positive(alpha, "alpha")
        lengths = _feature_lengths(self.n_samples)
        # Reflection needs more samples than the shift in every shuffled feature map.
        if min(lengths) < 1 or min(lengths[:-1]) <= self.shift_factor:
            raise ValueError(
                f"n_samples={self.n_samples} is too short for the critic's seven strided "
                f"convolutions with shift_factor={self.shift_factor}: its feature maps "
                f"would have {lengths} samples; use at least 1000 samples"
            )
        widths = [self.n_channels] + [m * self.model_size for m in CHANNEL_MULTIPLIERS]
        for i, (stride, c_in, c_out) in enumerate(
            zip(STRIDES, widths[:-1], widths[1:], strict=True), 1
        ):
            conv = nn.Conv1d(c_in, c_out, KERNEL, stride=stride, padding=PADDING)
            self.add_module(f"conv{i}", conv)
        self.shuffles = nn.ModuleList(
            _PhaseShuffle(self.shift_factor) for _ in range(len(STRIDES) - 1)
        )
        self.fc1 = nn.Linear(widths[-1] * lengths[-1], 1)
        for module in self.modules():
            if isinstance(module, (nn.Conv1d, nn.Linear)):
                nn.init.kaiming_normal_(module.weight)

    @property
    def convs(self) -> list[nn.Conv1d]:
        """The seven convolutions, input first."""
        return [getattr(self, f"conv{i}") for i in range(1, len(STRIDES) + 1)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Score ECGs ``(B, n_channels, n_samples)``: a float tensor ``(B,)``."""
        if x.ndim != 3 or tuple(x.shape[1:]) != (self.n_channels, self.n_samples):
            raise ValueError(
                f"critic input must have shape (batch, {self.n_channels}, {self.n_samples}), "
                f"got {tuple(x.shape)}"
            )
        convs = self.convs
        for conv, shuffle in zip(convs[:-1], self.shuffles, strict=True):
            x = shuffle(F.leaky_relu(conv(x), negative_slope=self.alpha))
        x = F.leaky_relu(convs[-1](x), negative_slope=self.alpha)
        return self.fc1(x.flatten(1)).squeeze(1)


def make_critic(size: str | int) -> Pulse2PulseCritic:
    """A critic for the 8-lead, 5000-sample ECGs of Pulse2Pulse, by size name or model size.

    Parameters
    ----------
    size : {"published", "small"} or int
        A name from :data:`CRITIC_SIZES` or a model size ``d`` (a positive integer).

    Returns
    -------
    Pulse2PulseCritic
        In training mode, with freshly initialised weights (seed with
        ``torch.manual_seed`` first for reproducible ones).

    Raises
    ------
    ValueError
        If ``size`` is neither a known name nor a positive integer.

    Examples
    --------
    >>> critic = make_critic("small")
    >>> critic.model_size == CRITIC_SIZES["small"], critic.training
    (True, True)
    """
    if isinstance(size, str):
        if size not in CRITIC_SIZES:
            raise ValueError(
                f"unknown critic size {size!r}: use one of {sorted(CRITIC_SIZES)} or a "
                "model size (a positive integer)"
            )
        return Pulse2PulseCritic(CRITIC_SIZES[size])
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(
            f"critic size must be one of {sorted(CRITIC_SIZES)} or a positive integer "
            f"model size, got {size!r}"
        )
    return Pulse2PulseCritic(size)


def count_parameters(module: nn.Module) -> int:
    """The number of parameter values in ``module`` (trainable or not).

    Works on modules built on the ``meta`` device, which hold no memory.

    Examples
    --------
    >>> import torch
    >>> with torch.device("meta"):
    ...     critic = make_critic("published")
    >>> count_parameters(critic)
    203918151
    """
    return sum(p.numel() for p in module.parameters())
