"""A small 1-D U-Net that labels every sample of every lead as P, QRS, T or none.

The network behind :func:`ecgtoolkit.delineate`. It follows the U-Net encoder-decoder
with skip connections (Ronneberger et al. 2015, doi:10.1007/978-3-319-24574-4_28), as
applied to ECG delineation on LUDB by Moskalenko et al. 2020 (arXiv:2001.04689). Its
weights were trained by ``benchmarks/train_segmenter.py --all`` on the shared LUDB
records (the cross-validated figures come from five networks trained without each
fold), and ship in ``ecgtoolkit/signal/_weights/segmenter.pt`` (a plain state dict,
loaded with ``weights_only=True``).

Each lead is labelled on its own, with a second input channel that carries the whole
record's activity (root mean square over the normalised leads), so that a lead whose
P wave is tiny still "sees" where the other leads have theirs.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from .filters import highpass, resample

#: Sampling rate the network works at (Hz); records are resampled to it and back.
FS = 250.0
#: Output classes, in channel order.
CLASSES = ("none", "P", "QRS", "T")
WIDTHS = (8, 16, 24, 32, 48)
KERNEL = 9
#: File name of the shipped weights, in this package's ``_weights`` folder.
WEIGHTS_FILE = "segmenter.pt"


def normalise(x: np.ndarray) -> np.ndarray:
    """High-pass at 0.5 Hz and scale each lead to a 99th percentile of ``|x|`` of one.

    ``x`` is ``(..., n)`` at :data:`FS`, in any unit; the result is float64.
    """
    x = highpass(x, FS, 0.5)
    scale = np.percentile(np.abs(x), 99.0, axis=-1, keepdims=True)
    return x / np.maximum(scale, 1e-6)


def preprocess(
    x: np.ndarray,
    fs: float,
    context_leads: np.ndarray | None = None,
    resampled: np.ndarray | None = None,
) -> np.ndarray:
    """Network input for one record ``(n_leads, n)`` in mV: ``(n_leads, 2, m)`` float32.

    The record is resampled to :data:`FS` (or ``resampled`` is that already) and
    normalised (:func:`normalise`); channel 1 is the root mean square over the
    normalised leads selected by the boolean mask ``context_leads`` (default: all), so
    that unusable leads do not disturb it.
    """
    x = resample(x, fs, FS) if resampled is None else resampled
    x = normalise(x)
    chosen = x if context_leads is None or not np.any(context_leads) else x[context_leads]
    context = np.sqrt(np.mean(chosen * chosen, axis=0, keepdims=True))
    out = np.empty((x.shape[0], 2, x.shape[1]), dtype=np.float32)
    out[:, 0] = x
    out[:, 1] = context
    return out


def build_network(widths: tuple[int, ...] = WIDTHS, kernel: int = KERNEL):
    """Return an untrained network (``torch.nn.Module``)."""
    import torch
    from torch import nn

    # Time runs along the width of 2-D convolutions of height 1: in channels-last memory
    # these are several times faster on CPU than Conv1d at the small channel counts here.
    def block(c_in: int, c_out: int) -> nn.Sequential:
        layers = []
        for i in range(2):
            layers += [
                nn.Conv2d(
                    c_in if i == 0 else c_out,
                    c_out,
                    (1, kernel),
                    padding=(0, kernel // 2),
                    bias=False,
                ),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
            ]
        return nn.Sequential(*layers)

    class UNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            chans = (2, *widths)
            self.down = nn.ModuleList(block(chans[i], chans[i + 1]) for i in range(len(widths)))
            self.up = nn.ModuleList(
                block(widths[i + 1] + widths[i], widths[i]) for i in range(len(widths) - 1)
            )
            self.head = nn.Conv2d(widths[0], len(CLASSES), 1)
            self.factor = 2 ** (len(widths) - 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            """Logits ``(batch, 4, n)`` of inputs ``(batch, 2, n)``, n a multiple of 16."""
            x = x.unsqueeze(2).contiguous(memory_format=torch.channels_last)
            skips = []
            for i, stage in enumerate(self.down):
                if i:
                    x = nn.functional.max_pool2d(x, (1, 2))
                x = stage(x)
                skips.append(x)
            for i in range(len(self.up) - 1, -1, -1):
                x = nn.functional.interpolate(x, scale_factor=(1.0, 2.0), mode="bilinear")
                x = self.up[i](torch.cat([x, skips[i]], dim=1))
            return self.head(x)[:, :, 0, :]

    return UNet()


_OVERRIDE: list[Path] = []  # weights in use instead of the shipped ones (innermost last)


@contextmanager
def weights(path: str | Path):
    """Use the weights in ``path`` instead of the shipped ones within a ``with`` block.

    For the cross-validation benchmark, which scores each fold with the network trained
    without it (``benchmarks/train_segmenter.py --fold K``).
    """
    _OVERRIDE.append(Path(path))
    try:
        yield
    finally:
        _OVERRIDE.pop()


def _network():
    """The network with the weights in use (loaded once per weights file)."""
    return _load(_OVERRIDE[-1] if _OVERRIDE else None)


@lru_cache(maxsize=8)
def _load(path: Path | None):
    import torch

    net = build_network()
    if path is not None:
        state = torch.load(path, map_location="cpu", weights_only=True)
    else:
        with resources.files(__package__).joinpath("_weights", WEIGHTS_FILE).open("rb") as fh:
            state = torch.load(fh, map_location="cpu", weights_only=True)
    net.load_state_dict(state)
    net.eval()
    return _fold_batch_norm(net)


def _fold_batch_norm(net):
    """Fold each eval-mode BatchNorm into the convolution before it (same outputs, faster)."""
    import torch
    from torch import nn

    for seq in net.modules():
        if not isinstance(seq, nn.Sequential):
            continue
        for i in range(len(seq) - 1):
            conv, bn = seq[i], seq[i + 1]
            if not (isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)):
                continue
            scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            fused = nn.Conv2d(
                conv.in_channels, conv.out_channels, conv.kernel_size, padding=conv.padding
            )
            with torch.no_grad():
                fused.weight.copy_(conv.weight * scale[:, None, None, None])
                fused.bias.copy_(bn.bias - bn.running_mean * scale)
            seq[i], seq[i + 1] = fused, nn.Identity()
    return net.to(memory_format=torch.channels_last)


#: The network halves the time axis four times: inputs are padded to a multiple of this.
MULTIPLE = 2 ** (len(WIDTHS) - 1)


def probabilities(
    x: np.ndarray,
    fs: float,
    context_leads: np.ndarray | None = None,
    resampled: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities ``(n_leads, 4, m)`` at :data:`FS` of one record in mV.

    Also returns the network's input ``(n_leads, 2, m)`` (see :func:`preprocess`).
    """
    import torch

    inputs = preprocess(x, fs, context_leads, resampled)
    m = inputs.shape[-1]
    padded = np.zeros(inputs.shape[:-1] + (m + (-m) % MULTIPLE,), dtype=np.float32)
    padded[..., :m] = inputs
    with torch.inference_mode():
        logits = _network()(torch.from_numpy(padded))[..., :m]
        return torch.softmax(logits, dim=1).numpy(), inputs


def runs(labels: np.ndarray, cls: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of ``labels == cls`` in ``(n_leads, m)``: ``(lead, first, last)`` arrays.

    Sorted by lead, then time; ``last`` is inclusive.
    """
    mask = labels == cls
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    lead, first = np.nonzero(edges == 1)
    _, after = np.nonzero(edges == -1)
    return lead, first, after - 1


def merge_runs(
    lead: np.ndarray, first: np.ndarray, last: np.ndarray, gap: int, shortest: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Join runs of one lead less than ``gap`` samples apart, then drop runs shorter than ``shortest``."""
    if lead.size == 0:
        return lead, first, last
    new = np.r_[True, (lead[1:] != lead[:-1]) | (first[1:] - last[:-1] - 1 >= gap)]
    starts = np.flatnonzero(new)
    lead, first, last = lead[starts], first[starts], np.maximum.reduceat(last, starts)
    keep = last - first + 1 >= shortest
    return lead[keep], first[keep], last[keep]


def edge(
    margin: np.ndarray, lead: np.ndarray, inside: np.ndarray, outside: np.ndarray
) -> np.ndarray:
    """Sub-sample position where ``margin[lead]`` changes sign between two samples.

    ``inside`` is the last (first) sample of a run and ``outside`` its neighbour beyond
    it; the result is the linear zero crossing, or ``inside`` at the record's ends.
    """
    m = margin.shape[1]
    ok = (outside >= 0) & (outside < m)
    o = np.clip(outside, 0, m - 1)
    a, b = margin[lead, inside], margin[lead, o]
    frac = np.where(ok & (a != b), a / np.where(a != b, a - b, 1.0), 0.0)
    return inside + np.clip(frac, 0.0, 1.0) * (o - inside)
