"""The Pulse2Pulse generator network (Thambawita et al., Sci Rep 11:21896, 2021).

Architecture: a U-Net-like 1-D convolutional network. Six strided convolutions encode
the (8, 5000) noise down to (250, 2); six "upsampling blocks" decode it back to
(8, 5000), each block concatenating the matching encoder output (skip connection),
repeating every sample ``u`` times (nearest-neighbour upsampling, ``u`` = 5 or 2),
zero-padding by 12 and applying a 25-tap convolution. A tanh bounds the output.

Parameter names follow the published state dict so that it loads directly.

Fast, exact form of the upsampling blocks
-----------------------------------------
Upsampling by repetition followed by a K-tap convolution is a polyphase filter. With
``P = K // 2`` and output index ``n = u q + r`` (phase ``r`` in ``0..u-1``)::

    y[u q + r] = sum_k w[k] x_up[u q + r - P + k] = sum_j W_r[j] x[q + j],
    W_r[j] = sum of w[k] over the k with floor((r - P + k) / u) == j.

Zero padding of the upsampled signal equals zero padding of ``x`` (an index outside
the upsampled signal maps to one outside ``x``), so every phase is an ordinary
convolution at the *input* rate with a short kernel (5–6 taps for u = 5, 13 for u = 2,
instead of 25 at u times the rate). Phases whose taps span the same window run as one
convolution with ``n_phases * C_out`` output channels (for u = 5: phases 0–2 over
offsets −3…2 and phases 3–4 over −2…3), and the phase outputs are interleaved. This
makes the whole network need 2.7x fewer multiply-adds than the published form (0.23
instead of 0.63 GFLOP per ECG) and gives the same result up to
float rounding.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .device import resolve_device

__all__ = ["Pulse2PulseGenerator", "WEIGHTS_SHA256", "load_generator"]

#: Where the published weights ship: the ``deepfake-ecg`` 1.1.2 wheel (MIT licence).
WEIGHTS_PACKAGE = "deepfakeecg"
WEIGHTS_FILE = "checkpoints/g_stat.pt"
#: sha256 of the published checkpoint ``g_stat.pt``.
WEIGHTS_SHA256 = "676619cb3b81ed637e5ef93fabd591220d047bc4f5e199ffce930a3affb05cba"

KERNEL = 25
MODEL_SIZE = 50
N_CHANNELS = 8
N_SAMPLES = 5000


def _phase_support(kernel: int, up: int, phase: int) -> tuple[int, int]:
    """Input offsets (first, last) that output phase ``phase`` reads."""
    pad = kernel // 2
    return (phase - pad) // up, (phase - pad + kernel - 1) // up


def _phase_groups(kernel: int, up: int) -> list[tuple[list[int], int, int]]:
    """Consecutive phases that share one window of input offsets: (phases, first, last).

    A phase joins the current group while the group's window stays as short as the
    longest single-phase support, so grouping never adds multiply-adds.
    """
    supports = [_phase_support(kernel, up, r) for r in range(up)]
    longest = max(hi - lo for lo, hi in supports)
    groups: list[tuple[list[int], int, int]] = []
    for r, (lo, hi) in enumerate(supports):
        if groups:
            phases, g_lo, g_hi = groups[-1]
            if max(g_hi, hi) - min(g_lo, lo) <= longest:
                groups[-1] = (phases + [r], min(g_lo, lo), max(g_hi, hi))
                continue
        groups.append(([r], lo, hi))
    return groups


def _polyphase_matrix(
    kernel: int, up: int, phases: list[int], first: int, last: int
) -> torch.Tensor:
    """0/1 tensor M (len(phases), taps, kernel): W_r[j] = sum_k M[r, j - first, k] w[k]."""
    pad = kernel // 2
    mat = torch.zeros(len(phases), last - first + 1, kernel)
    for row, r in enumerate(phases):
        for k in range(kernel):
            mat[row, (r - pad + k) // up - first, k] = 1.0
    return mat


class _UpsampleConv(nn.Module):
    """Nearest-neighbour upsampling by ``up``, zero padding K//2, K-tap convolution."""

    def __init__(self, in_channels: int, out_channels: int, up: int) -> None:
        super().__init__()
        self.up = up
        self.conv1d = nn.Conv1d(in_channels, out_channels, KERNEL)
        self.groups = _phase_groups(KERNEL, up)

    def fused_weights(self) -> list[tuple[torch.Tensor, torch.Tensor, int, int]]:
        """Per phase group: weights ``(n_phases * out, in, taps)`` (phase-major), bias,
        and the left/right zero padding of the input."""
        w, b = self.conv1d.weight.detach(), self.conv1d.bias.detach()
        fused = []
        for phases, first, last in self.groups:
            mat = _polyphase_matrix(KERNEL, self.up, phases, first, last)
            # Sum the taps in float64 so that each fused weight is rounded only once.
            weight = torch.einsum("oik,rjk->roij", w.double(), mat.to(w.device, torch.float64))
            weight = weight.to(w.dtype).reshape(len(phases) * w.shape[0], w.shape[1], -1)
            fused.append((weight, b.repeat(len(phases)), -first, last))
        return fused

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The published computation: repeat samples, zero-pad, 25-tap convolution."""
        x = torch.repeat_interleave(x, self.up, dim=-1)
        return self.conv1d(F.pad(x, (KERNEL // 2, KERNEL // 2)))


def _as_2d_weight(weight: torch.Tensor) -> torch.Tensor:
    """(out, in, K) -> (out, in, 1, K) in channels-last memory format."""
    return weight.detach().unsqueeze(2).contiguous(memory_format=torch.channels_last)


class Pulse2PulseGenerator(nn.Module):
    """Pulse2Pulse generator: noise ``(B, 8, 5000)`` in (-1, 1) to ECG ``(B, 8, 5000)``.

    The output is tanh-bounded; multiplied by 6000 it is in µV, by 6 in mV. Leads, in
    order: I, II, V1, V2, V3, V4, V5, V6.

    In eval mode the forward pass uses the exact polyphase form of the upsampling
    blocks and keeps activations time-major (``(B, C, 1, L)`` in channels-last memory
    format), where interleaving the phases is a free reshape and the small-channel
    convolutions run several times faster. In training mode, or with
    ``reference=True``, it runs the published computation.

    Parameters
    ----------
    reference : bool
        Always use the published (slower) computation. For verification.
    """

    def __init__(self, reference: bool = False) -> None:
        super().__init__()
        d = MODEL_SIZE
        self.reference = reference
        self.conv_1 = nn.Conv1d(N_CHANNELS, d // 5, KERNEL, stride=2, padding=KERNEL // 2)
        self.conv_2 = nn.Conv1d(d // 5, d // 2, KERNEL, stride=5, padding=KERNEL // 2)
        self.conv_3 = nn.Conv1d(d // 2, d, KERNEL, stride=2, padding=KERNEL // 2)
        self.conv_4 = nn.Conv1d(d, 3 * d, KERNEL, stride=5, padding=KERNEL // 2)
        self.conv_5 = nn.Conv1d(3 * d, 5 * d, KERNEL, stride=5, padding=KERNEL // 2)
        self.conv_6 = nn.Conv1d(5 * d, 5 * d, KERNEL, stride=5, padding=KERNEL // 2)
        self.deconv_1 = _UpsampleConv(5 * d, 5 * d, up=5)
        self.deconv_2 = _UpsampleConv(10 * d, 3 * d, up=5)
        self.deconv_3 = _UpsampleConv(6 * d, d, up=5)
        self.deconv_5 = _UpsampleConv(2 * d, d // 2, up=2)
        self.deconv_6 = _UpsampleConv(d, d // 5, up=5)
        self.deconv_7 = _UpsampleConv(d // 5, N_CHANNELS, up=2)
        # Fast-path weights, derived from the parameters; dropped whenever those may
        # change (train(), load_state_dict(), .to()/.double()).
        self._fast: dict[str, list[tuple[torch.Tensor, torch.Tensor, int, int]]] | None = None
        self.register_load_state_dict_post_hook(lambda module, _: module._drop_fast_weights())

    def _drop_fast_weights(self) -> None:
        self._fast = None

    def train(self, mode: bool = True) -> Pulse2PulseGenerator:
        self._drop_fast_weights()
        return super().train(mode)

    def _apply(self, fn, recurse=True):  # noqa: ANN001 - torch's signature
        self._drop_fast_weights()
        return super()._apply(fn, recurse)

    def _fast_weights(self) -> dict[str, list[tuple[torch.Tensor, torch.Tensor, int, int]]]:
        if self._fast is None:
            fast = {}
            for name, module in self.named_children():
                if isinstance(module, _UpsampleConv):
                    groups = module.fused_weights()
                else:
                    groups = [(module.weight, module.bias, KERNEL // 2, KERNEL // 2)]
                fast[name] = [
                    (_as_2d_weight(w), b.detach().clone(), left, right)
                    for w, b, left, right in groups
                ]
            self._fast = fast
        return self._fast

    def forward(self, noise: torch.Tensor) -> torch.Tensor:
        """Map noise ``(B, 8, 5000)`` to a tanh-bounded ECG ``(B, 8, 5000)``."""
        if noise.ndim != 3 or noise.shape[1:] != (N_CHANNELS, N_SAMPLES):
            raise ValueError(
                f"noise must have shape (batch, {N_CHANNELS}, {N_SAMPLES}), got {tuple(noise.shape)}"
            )
        if self.reference or self.training:
            return self._forward_reference(noise)
        return self._forward_fast(noise)

    def _forward_reference(self, noise: torch.Tensor) -> torch.Tensor:
        e1 = F.leaky_relu(self.conv_1(noise))
        e2 = F.leaky_relu(self.conv_2(e1))
        e3 = F.leaky_relu(self.conv_3(e2))
        e4 = F.leaky_relu(self.conv_4(e3))
        e5 = F.leaky_relu(self.conv_5(e4))
        x = F.leaky_relu(self.conv_6(e5))
        x = F.relu(self.deconv_1(x))
        x = F.relu(self.deconv_2(torch.cat((x, e5), 1)))
        x = F.relu(self.deconv_3(torch.cat((x, e4), 1)))
        x = F.relu(self.deconv_5(torch.cat((x, e3), 1)))
        x = F.relu(self.deconv_6(torch.cat((x, e2), 1)))
        return torch.tanh(self.deconv_7(x))

    def _forward_fast(self, noise: torch.Tensor) -> torch.Tensor:
        w = self._fast_weights()

        def down(name: str, x: torch.Tensor, stride: int) -> torch.Tensor:
            ((weight, bias, pad, _),) = w[name]
            return F.leaky_relu(F.conv2d(x, weight, bias, stride=(1, stride), padding=(0, pad)))

        def up(name: str, x: torch.Tensor) -> torch.Tensor:
            parts = []
            for weight, bias, left, right in w[name]:
                if left == right:
                    parts.append(F.conv2d(x, weight, bias, padding=(0, left)))
                else:
                    parts.append(F.conv2d(F.pad(x, (left, right)), weight, bias))
            y = parts[0] if len(parts) == 1 else torch.cat(parts, 1)
            # Time-major memory (B, 1, L, up*C) with phase-major channels is already
            # (B, 1, L*up, C): interleaving the phases is a reshape, not a copy.
            factor = getattr(self, name).up
            batch, channels, _, length = y.shape
            y = y.permute(0, 2, 3, 1).reshape(batch, 1, length * factor, channels // factor)
            return y.permute(0, 3, 1, 2)

        x = noise.unsqueeze(2).contiguous(memory_format=torch.channels_last)
        e1 = down("conv_1", x, 2)
        e2 = down("conv_2", e1, 5)
        e3 = down("conv_3", e2, 2)
        e4 = down("conv_4", e3, 5)
        e5 = down("conv_5", e4, 5)
        x = down("conv_6", e5, 5)
        x = F.relu(up("deconv_1", x))
        x = F.relu(up("deconv_2", torch.cat((x, e5), 1)))
        x = F.relu(up("deconv_3", torch.cat((x, e4), 1)))
        x = F.relu(up("deconv_5", torch.cat((x, e3), 1)))
        x = F.relu(up("deconv_6", torch.cat((x, e2), 1)))
        return torch.tanh(up("deconv_7", x)).squeeze(2)


# Entries of the published checkpoint that its forward pass never uses: a dense layer,
# a post-processing filter and transposed convolutions left over from WaveGAN.
_UNUSED_PREFIXES = ("fc1.", "ppfilter1.")
_UNUSED_INFIX = ".Conv1dTrans."


def convert_published_state_dict(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Drop the published checkpoint's unused entries; the rest load strictly."""
    return {
        k: v for k, v in state.items() if not (k.startswith(_UNUSED_PREFIXES) or _UNUSED_INFIX in k)
    }


# -- the published weights ---------------------------------------------------------------
def _weights_path() -> Path:
    from importlib import resources

    try:
        root = resources.files(WEIGHTS_PACKAGE)
    except ModuleNotFoundError:
        raise FileNotFoundError(
            "the Pulse2Pulse weights ship in the 'deepfake-ecg' package, which is not "
            "installed: pip install deepfake-ecg==1.1.2"
        ) from None
    path = Path(str(root.joinpath(WEIGHTS_FILE)))
    if not path.is_file():
        raise FileNotFoundError(
            f"Pulse2Pulse weights not found at {path}; reinstall deepfake-ecg==1.1.2"
        )
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_generator(device: str | None = None, *, weights: str | os.PathLike | None = None):
    """Load the pretrained Pulse2Pulse generator.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "cuda:N"} or None
        Where to put the model; None or ``"auto"`` picks CUDA when available.
    weights : path, optional
        A checkpoint to load instead of the one in the installed ``deepfake-ecg``
        package. Its sha256 must still match the published file.

    Returns
    -------
    torch.nn.Module
        :class:`Pulse2PulseGenerator` in eval mode. Its input
        is noise ``(B, 8, 5000)`` uniform on (−1, 1); its output ``(B, 8, 5000)`` is
        tanh-bounded, × 6 = mV, leads I, II, V1–V6.

    Raises
    ------
    FileNotFoundError
        If the weights file is missing.
    ValueError
        If the weights file is not the published one (sha256 mismatch).
    RuntimeError
        If CUDA is asked for but not available.

    Examples
    --------
    >>> import torch, ecgtoolkit as et
    >>> model = et.load_generator("cpu")
    >>> with torch.inference_mode():
    ...     out = model(torch.rand(2, 8, 5000) * 2 - 1)
    >>> tuple(out.shape)
    (2, 8, 5000)
    """
    dev = resolve_device(device)
    path = Path(weights) if weights is not None else _weights_path()
    if not path.is_file():
        raise FileNotFoundError(f"weights file {path} does not exist")
    digest = _sha256(path)
    if digest != WEIGHTS_SHA256:
        raise ValueError(
            f"{path} is not the published Pulse2Pulse checkpoint (sha256 {digest[:12]}…, "
            f"expected {WEIGHTS_SHA256[:12]}…); reinstall deepfake-ecg==1.1.2"
        )
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(checkpoint, dict) or "stat_dict" not in checkpoint:
        raise ValueError(f"{path} has no 'stat_dict' entry; is it the generator checkpoint?")
    model = Pulse2PulseGenerator()
    model.load_state_dict(convert_published_state_dict(checkpoint["stat_dict"]))
    return model.to(dev).eval()
