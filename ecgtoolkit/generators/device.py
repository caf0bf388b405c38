"""Where the generator runs: CPU, CUDA or MPS."""

from __future__ import annotations

__all__ = ["resolve_device"]


def resolve_device(device: str | None) -> str:
    """The torch device to use: ``"auto"`` (or None) picks CUDA when available.

    Raises
    ------
    RuntimeError
        If CUDA is asked for but not available.
    ValueError
        For an unknown device.
    """
    import torch

    if device is None or device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, str):
        device = str(device)
    kind = device.split(":")[0]
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"device {device!r} was asked for but this PyTorch has no usable CUDA GPU; "
            "use device='cpu' or 'auto'"
        )
    if kind not in ("cpu", "cuda", "mps"):
        raise ValueError(f"unknown device {device!r}; use 'auto', 'cpu' or 'cuda'")
    return device
