"""The heart's vector drawn: the P, QRS and T loops of the vectorcardiogram in three planes.

:func:`plot_vcg` returns a :class:`matplotlib.figure.Figure` and never uses ``pyplot``.
The loops are those of the record's median beat (the one :func:`ecgtoolkit.measure`
measures), reconstructed by :func:`ecgtoolkit.vcg`, split into P, QRS and T by the
global fiducials of ``measure`` and drawn from the level at the QRS onset; the arrows and
the title are ``measure``'s own mean vectors and angles.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..core.ecg import ECG
from ..core.validation import validate_record
from ..measurement.intervals import axes, global_fiducials, wave_vectors
from ..measurement.record import analyse_record
from ..signal.kernels import nan_median
from ..signal.vcg import vcg, vcg_matrix
from .layout import one_record
from .paper import WAVES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["PLANES", "plot_vcg"]

#: The planes drawn: name, (horizontal component, vertical component), and how each
#: direction is labelled. Y (inferior positive) points down the page, as the heart sits,
#: so the frontal plane reads as the hexaxial reference (0° to the right, +90° down).
PLANES: dict[str, tuple[tuple[int, int], tuple[str, str]]] = {
    "frontal": ((0, 1), ("X: right → left", "Y: superior → inferior")),
    "horizontal": ((0, 2), ("X: right → left", "Z: anterior → posterior")),
    "sagittal": ((2, 1), ("Z: anterior → posterior", "Y: superior → inferior")),
}


def _loops(
    one: ECG, method: str
) -> tuple[np.ndarray, dict[str, tuple[int, int]], dict[str, np.ndarray], dict[str, float]]:
    """The median beat's X, Y, Z ``(3, n)`` from its QRS-onset level, each wave's span
    (samples), the mean QRS and T vectors and :func:`ecgtoolkit.measure`'s axes."""
    x, fs, leads = validate_record(one)
    analysis = analyse_record(x, fs, leads)
    if analysis.problem:
        raise ValueError(f"this record cannot be measured: {analysis.problem}")
    beat = analysis.beat
    if beat is None:
        raise ValueError("no dominant beat morphology (fewer than 3 similar beats): no loops")
    xyz = vcg(ECG(beat.fast, fs=fs, leads=list(leads)), method).signal
    fid = global_fiducials(beat, fs)
    if not (math.isfinite(fid["QRS_on"]) and math.isfinite(fid["QRS_off"])):
        raise ValueError("the median beat has no QRS onset and offset: no loops to draw")
    p_off = nan_median(np.where(beat.usable, beat.marks["P_off"], np.nan)[None])[0]
    xyz = xyz - xyz[:, [int(fid["QRS_on"])]]
    spans = {"QRS": (int(fid["QRS_on"]), int(fid["QRS_off"]))}
    if math.isfinite(fid["T_off"]):
        spans["T"] = (int(fid["QRS_off"]), int(fid["T_off"]))
    if math.isfinite(fid["P_on"]) and math.isfinite(p_off) and p_off > fid["P_on"]:
        spans["P"] = (int(fid["P_on"]), int(p_off))
    return xyz, spans, wave_vectors(beat, leads, method), axes(beat, leads)


def plot_vcg(
    ecg: ECG,
    *,
    record: int = 0,
    method: str = "kors",
    planes: tuple[str, ...] = ("frontal", "horizontal", "sagittal"),
    title: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Draw the vectorcardiogram's P, QRS and T loops of a 12-lead ECG in three planes.

    Parameters
    ----------
    ecg : ECG
        One record (or a batch, then ``record`` picks which) with leads I, II (or two
        limb leads) and V1–V6, in mV, at least 2 s with three similar beats.
    record : int
        Record of a batch; 0 for a single record.
    method : {"kors", "inverse-dower"}
        How X, Y and Z are reconstructed (:func:`ecgtoolkit.vcg`).
    planes : tuple of str
        Which of :data:`PLANES` to draw, side by side.
    title : str, optional
        The figure's title (default: the method and the frontal QRS axis).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per plane, equal scales in mV, the loops coloured as the waves are on
        the ECG plots (P green, QRS blue, T orange; ``gid`` ``"loop:P"``, ``"loop:QRS"``,
        ``"loop:T"``), arrows from the origin towards the mean QRS and T vectors (``gid``
        ``"axis:QRS"``, ``"axis:T"``; :func:`ecgtoolkit.measurement.intervals.wave_vectors`)
        and the origin marked. The title gives :func:`ecgtoolkit.measure`'s spatial
        QRS–T angle and frontal QRS axis (from the limb leads; the loop's own frontal
        direction may differ by a few tens of degrees).

    Raises
    ------
    ValueError
        For an unknown plane or method, or a record without a measurable QRS.
    KeyError
        When a chest lead is missing.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> fig = et.plot_vcg(et.generate(1, seed=0, progress=False))
    >>> [ax.get_title() for ax in fig.axes]
    ['frontal', 'horizontal', 'sagittal']
    """
    unknown = [p for p in planes if p not in PLANES]
    if unknown or not planes:
        raise ValueError(f"unknown planes {unknown}; use some of {', '.join(PLANES)}")
    vcg_matrix(method)  # an unknown method fails before any work
    one = one_record(ecg, record, "plot_vcg")
    xyz, spans, vectors, measured = _loops(one, method)
    from matplotlib.figure import Figure

    if fig is None:
        fig = Figure(figsize=(3.6 * len(planes), 4.2))
    else:
        fig.clear()
    reach = float(np.abs(xyz[:, min(s[0] for s in spans.values()) :]).max()) * 1.1 or 1.0
    for k, name in enumerate(planes):
        ax = fig.add_subplot(1, len(planes), k + 1)
        _draw_plane(ax, name, xyz, spans, vectors, reach)
    default = (
        f"Vectorcardiogram ({method}): spatial QRS–T angle "
        f"{measured['qrs_t_angle_deg']:.0f}°, frontal QRS axis {measured['qrs_axis_deg']:.0f}°"
    )
    fig.suptitle(title or default, fontsize=11)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=0.84, wspace=0.3)
    return fig


def _draw_plane(
    ax: Axes,
    name: str,
    xyz: np.ndarray,
    spans: dict[str, tuple[int, int]],
    vectors: dict[str, np.ndarray],
    reach: float,
) -> None:
    (h, v), (h_label, v_label) = PLANES[name]
    for wave in ("P", "QRS", "T"):
        if wave not in spans:
            continue
        lo, hi = spans[wave]
        ax.plot(
            xyz[h, lo : hi + 1],
            xyz[v, lo : hi + 1],
            color=WAVES[wave][1],
            lw=1.6,
            label=wave,
            gid=f"loop:{wave}",
        )
    for wave in ("QRS", "T"):
        if wave not in vectors:
            continue
        mean = vectors[wave]
        scale = 0.8 * reach / max(float(np.hypot(mean[h], mean[v])), 1e-9)
        ax.annotate(
            "",
            xy=(mean[h] * scale, mean[v] * scale),
            xytext=(0, 0),
            arrowprops={"arrowstyle": "->", "color": WAVES[wave][1], "lw": 1.2, "ls": "--"},
            gid=f"axis:{wave}",
        )
    ax.plot([0], [0], "k+", ms=8)
    ax.axhline(0, color="0.85", lw=0.6, zorder=0)
    ax.axvline(0, color="0.85", lw=0.6, zorder=0)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    if v == 1:
        ax.invert_yaxis()  # inferior at the bottom of the page, as the heart sits
    ax.set_title(name, fontsize=10)
    ax.set_xlabel(f"{h_label} (mV)", fontsize=8)
    ax.set_ylabel(f"{v_label} (mV)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="upper right", frameon=False)
