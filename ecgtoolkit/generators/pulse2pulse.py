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

import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .checkpoints import (
    OUTPUT_SCALE_MV,
    WEIGHTS_SHA256,
    GeneratorCheckpoint,
    file_sha256,
    read_checkpoint,
)
from .device import resolve_device

__all__ = ["Pulse2PulseGenerator", "WEIGHTS_SHA256", "load_generator"]

#: Where the published weights ship: the ``deepfake-ecg`` 1.1.2 wheel (MIT licence).
WEIGHTS_PACKAGE = "deepfakeecg"
WEIGHTS_FILE = "checkpoints/g_stat.pt"

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

    The output is ``output_gain`` × tanh; multiplied by 6000 it is in µV, by 6 in mV.
    Leads, in order: I, II, V1, V2, V3, V4, V5, V6.

    In eval mode the forward pass uses the exact polyphase form of the upsampling
    blocks and keeps activations time-major (``(B, C, 1, L)`` in channels-last memory
    format), where interleaving the phases is a free reshape and the small-channel
    convolutions run several times faster. In training mode, or with
    ``reference=True``, it runs the published computation.

    Parameters
    ----------
    reference : bool
        Always use the published (slower) computation. For verification.
    output_gain : float
        Factor on the tanh output (1 for the published weights): a checkpoint whose
        output unit is not mV / 6 (an ECGEN one trained on mV, say) gets the factor that
        brings it there, so that output × 6 = mV for every checkpoint.

    Examples
    --------
    >>> import torch
    >>> model = Pulse2PulseGenerator().eval()
    >>> with torch.inference_mode():
    ...     out = model(torch.zeros(1, 8, 5000))
    >>> tuple(out.shape), bool(out.abs().max() <= 1)
    ((1, 8, 5000), True)
    """

    def __init__(self, reference: bool = False, output_gain: float = 1.0) -> None:
        super().__init__()
        d = MODEL_SIZE
        self.reference = reference
        self.output_gain = float(output_gain)
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
            out = self._forward_reference(noise)
        else:
            out = self._forward_fast(noise)
        return out if self.output_gain == 1.0 else out * self.output_gain

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


# Entries of Pulse2Pulse checkpoints that the forward pass never uses: a dense layer, a
# post-processing filter and transposed convolutions left over from WaveGAN (ECGEN
# names the latter ``conv1d_transpose``). ECGEN's ``post_proc_filter`` is not among
# them: ECGEN applies it, so a checkpoint that has one does not fit this network.
_UNUSED_PREFIXES = ("fc1.", "ppfilter1.")
_UNUSED_INFIXES = (".Conv1dTrans.", ".conv1d_transpose.")


def convert_published_state_dict(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Drop the unused entries of a Pulse2Pulse or ECGEN state dict; the rest load strictly.

    Examples
    --------
    >>> import torch
    >>> state = {"fc1.bias": torch.zeros(500), "deconv_7.Conv1dTrans.bias": torch.zeros(8),
    ...          "deconv_7.conv1d.bias": torch.zeros(8)}
    >>> list(convert_published_state_dict(state))
    ['deconv_7.conv1d.bias']
    """
    return {
        k: v
        for k, v in state.items()
        if not (k.startswith(_UNUSED_PREFIXES) or any(infix in k for infix in _UNUSED_INFIXES))
    }


def _listed(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, … ({len(names)} in all)"


def _fitting_state(checkpoint: GeneratorCheckpoint, model: nn.Module) -> dict[str, torch.Tensor]:
    """The checkpoint's weights under the model's names, or an error saying what differs."""
    state = convert_published_state_dict(checkpoint.state)
    expected = model.state_dict()
    missing = [name for name in expected if name not in state]
    unexpected = [name for name in state if name not in expected]
    shapes = [
        f"{name} is {tuple(state[name].shape)} in the file, {tuple(value.shape)} in Pulse2Pulse"
        for name, value in expected.items()
        if name in state and state[name].shape != value.shape
    ]
    if not (missing or unexpected or shapes):
        return state
    problems = []
    if missing:
        problems.append(f"missing {_listed(missing)}")
    if unexpected:
        problems.append(f"unexpected {_listed(unexpected)}")
    if shapes:
        problems.append(f"shapes differ: {_listed(shapes, 3)}")
    hints = [
        hint
        for prefix, hint in (
            ("films.", "FiLM layers: a conditional generator"),
            ("post_proc_filter.", "a post-processing filter this network does not have"),
        )
        if any(name.startswith(prefix) for name in unexpected)
    ]
    if len(missing) == len(expected):
        hints.append("none of its names is a Pulse2Pulse generator's: is it a generator?")
    hint = f" ({'; '.join(hints)})" if hints else ""
    raise ValueError(
        f"{checkpoint.path} ({checkpoint.layout}) does not fit the Pulse2Pulse generator"
        f"{hint}: {'; '.join(problems)}. ecgtoolkit runs the Pulse2Pulse "
        "architecture (Thambawita et al. 2021: model size 50, 8 leads, 5000 samples) only"
    )


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


def load_generator(device: str | None = None, *, weights: str | os.PathLike | None = None):
    """Load the Pulse2Pulse generator: the published weights, or any checkpoint of it.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "cuda:N"} or None
        Where to put the model; None or ``"auto"`` picks CUDA when available.
    weights : path, optional
        A checkpoint of the Pulse2Pulse generator to load instead of the published one
        (the installed ``deepfake-ecg`` package's, pinned to its sha256): the published
        layout, a Pulse2Pulse training checkpoint, an ECGEN (PyTorch Lightning)
        ``.ckpt`` or a bare ``state_dict``
        (:func:`ecgtoolkit.generators.checkpoints.read_checkpoint`). Its weights must
        fit the network exactly, after the unused entries of the published layout
        (:func:`convert_published_state_dict`) are dropped.

    Returns
    -------
    torch.nn.Module
        :class:`Pulse2PulseGenerator` in eval mode. Its input is noise ``(B, 8, 5000)``
        uniform on (−1, 1); its output ``(B, 8, 5000)`` × 6 = mV, leads I, II, V1–V6.
        ``model.weights_sha256`` is the checkpoint file's sha256,
        ``model.weights_layout`` says what the file looked like and
        ``model.weights_training`` how it was trained (a checkpoint of
        :func:`ecgtoolkit.train_generator`; else None).

    Raises
    ------
    TypeError
        If ``weights`` is not a path.
    FileNotFoundError
        If the weights file is missing.
    ValueError
        If the default file is not the published one (sha256 mismatch); if
        ``weights`` is not a PyTorch checkpoint, needs unsafe unpickling, holds no
        generator weights, or its weights do not fit the network (the message names
        the file, its layout and the missing or unexpected names or the shapes that
        differ).
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
    >>> model.weights_sha256 == WEIGHTS_SHA256
    True
    """
    dev = resolve_device(device)
    if weights is None:
        path = _weights_path()
        digest = file_sha256(path)
        if digest != WEIGHTS_SHA256:
            raise ValueError(
                f"{path} is not the published Pulse2Pulse checkpoint (sha256 {digest[:12]}…, "
                f"expected {WEIGHTS_SHA256[:12]}…); reinstall deepfake-ecg==1.1.2"
            )
        weights = path
    checkpoint = read_checkpoint(weights)
    model = Pulse2PulseGenerator(output_gain=checkpoint.output_mv / OUTPUT_SCALE_MV)
    model.load_state_dict(_fitting_state(checkpoint, model))
    model.weights_sha256 = checkpoint.sha256
    model.weights_layout = checkpoint.layout
    model.weights_training = checkpoint.training
    return model.to(dev).eval()
