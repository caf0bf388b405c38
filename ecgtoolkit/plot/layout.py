"""Figures and axes with fixed margins in inches (no layout engine rescales the paper)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.ecg import ECG

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["inches_to_fraction", "margins", "one_record", "single_axes"]


def one_record(ecg: Any, record: int, caller: str) -> ECG:
    """The record to plot: ``ecg`` itself, or record ``record`` of a batch."""
    if not isinstance(ecg, ECG):
        raise TypeError(f"{caller} expects an ecgtoolkit.ECG, got {type(ecg).__name__}")
    if ecg.is_batch:
        return ecg[record]
    if record != 0:
        raise ValueError(f"record={record} but this ECG is one record, not a batch; use 0")
    return ecg


def inches_to_fraction(
    fig: Figure, left: float, bottom: float, width: float, height: float
) -> tuple[float, float, float, float]:
    """An axes rectangle given in inches, as figure fractions."""
    fw, fh = fig.get_size_inches()
    return left / fw, bottom / fh, width / fw, height / fh


def margins(
    fig: Figure, left: float, right: float, bottom: float, top: float
) -> tuple[float, float, float, float]:
    """Axes rectangle (figure fraction) leaving fixed margins in inches, where they fit."""
    fw, fh = fig.get_size_inches()
    fx = min(1.0, 0.5 * fw / (left + right))  # shrink margins on a tiny figure
    fy = min(1.0, 0.5 * fh / (bottom + top))
    return inches_to_fraction(
        fig, left * fx, bottom * fy, fw - (left + right) * fx, fh - (bottom + top) * fy
    )


def single_axes(
    fig: Figure | None, ax: Axes | None, size_in: tuple[float, float]
) -> tuple[Figure, Axes]:
    """The figure and axes to draw one panel into: ``ax``, a cleared ``fig``, or new ones."""
    from matplotlib.figure import Figure

    if ax is not None:
        return ax.figure, ax
    if fig is None:
        fig = Figure(figsize=size_in)
    else:
        fig.clear()
    return fig, fig.add_axes(margins(fig, 0.75, 0.2, 0.6, 0.4))
