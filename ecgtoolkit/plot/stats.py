"""The statistics of groups of ECGs, as scientists plot them: median beats, QT against
RR, Bland–Altman agreement.

Every function takes an optional ``fig`` (and, where one panel suffices, ``ax``), never
calls ``pyplot``, and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..comparison.qt_rr import fit_line, qt_rr_pairs
from ..core.validation import check_positive
from ..measurement.intervals import BEAT_LEADS
from ..measurement.record import BEAT_FS, BEAT_WINDOW_S
from .layout import single_axes
from .paper import OKABE_ITO

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_bland_altman", "plot_median_beats", "plot_qt_rr"]


def plot_median_beats(
    beats: np.ndarray | Sequence[np.ndarray],
    *,
    leads: Sequence[str] | None = None,
    fs: float | None = None,
    start_s: float | None = None,
    labels: Sequence[str] | None = None,
    ncols: int = 4,
    fig: Figure | None = None,
) -> Figure:
    """Median beats per lead: each group's median over its records, with a 25–75 % band.

    Parameters
    ----------
    beats : numpy.ndarray or sequence of numpy.ndarray
        One group ``(n_records, n_leads, n_times)`` (or one record ``(n_leads,
        n_times)``) of median beats in mV, as ``measure(..., return_beats=True)``
        returns them; or a list of groups, e.g. ``[real_beats, fake_beats]``. Records
        that are all NaN (not measured) are left out.
    leads : sequence of str, optional
        Lead names, one per row of ``n_leads``; default
        :data:`ecgtoolkit.measurement.intervals.BEAT_LEADS` (I, II, V1–V6).
    fs : float, optional
        Sampling rate of the beats, Hz; default :data:`~ecgtoolkit.measurement.record.BEAT_FS`
        (250 Hz).
    start_s : float, optional
        Time of the first sample relative to the R peak, seconds; default the start of
        :data:`~ecgtoolkit.measurement.record.BEAT_WINDOW_S` (-0.3 s).
    labels : sequence of str, optional
        One name per group for the legend (default "group 1", "group 2", ...; no legend
        for a single unnamed group).
    ncols : int
        Panels per row.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per lead (shared axes, mV against ms from the R peak), in each one
        line per group (its median) over a shaded 25–75 % band, groups in Okabe–Ito
        colours (blue, orange, ...).

    Raises
    ------
    ValueError
        For beats that are not 2-D or 3-D, a lead count that does not match ``leads``,
        an empty group, or a number of labels other than the number of groups.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> from ecgtoolkit import plot_median_beats
    >>> _, beats = et.measure(et.generate(4, seed=1), return_beats=True, progress=False)
    >>> fig = plot_median_beats([beats[:2], beats[2:]], labels=["first two", "last two"])
    >>> len(fig.axes), len(fig.axes[0].lines)
    (8, 2)
    """
    from matplotlib.figure import Figure

    leads = list(BEAT_LEADS if leads is None else leads)
    fs = float(BEAT_FS if fs is None else fs)
    start_s = float(BEAT_WINDOW_S[0] if start_s is None else start_s)
    check_positive(fs, "fs")
    groups = [beats] if isinstance(beats, np.ndarray) else list(beats)
    if not groups:
        raise ValueError("no beats given")
    arrays = []
    for g, group in enumerate(groups):
        arr = np.asarray(group, dtype=float)
        if arr.ndim == 2:
            arr = arr[np.newaxis]
        if arr.ndim != 3 or arr.shape[1] != len(leads) or arr.shape[0] == 0 or arr.shape[2] < 2:
            raise ValueError(
                f"beats group {g} has shape {arr.shape}; expected (n_records, {len(leads)}, "
                f"n_times) with n_records ≥ 1 for leads {', '.join(leads)} "
                "(pass leads= for another lead set)"
            )
        arrays.append(arr)
    if labels is not None and len(labels) != len(arrays):
        raise ValueError(f"{len(labels)} labels for {len(arrays)} groups of beats")
    if int(ncols) < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    ncols = min(int(ncols), len(leads))
    nrows = -(-len(leads) // ncols)
    panel_in, legend_in = (2.3, 1.8), 0.35
    if fig is None:
        fig = Figure(figsize=(0.7 + panel_in[0] * ncols, 0.6 + legend_in + panel_in[1] * nrows))
    else:
        fig.clear()
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=0.6 / width,
        right=1 - 0.15 / width,
        bottom=0.55 / height,
        top=1 - (legend_in + 0.3) / height,
        wspace=0.1,
        hspace=0.45,
    )
    first = None
    for i, lead in enumerate(leads):
        ax = fig.add_subplot(nrows, ncols, i + 1, sharex=first, sharey=first)
        if first is None:
            first = ax
        for g, arr in enumerate(arrays):
            colour = OKABE_ITO[g % len(OKABE_ITO)]
            x_ms = 1000.0 * (start_s + np.arange(arr.shape[2]) / fs)
            lead_beats = arr[:, i]
            lead_beats = lead_beats[np.isfinite(lead_beats).any(axis=1)]
            if lead_beats.size == 0:
                lead_beats = np.full((1, arr.shape[2]), np.nan)
            with warnings.catch_warnings():  # a time with no finite value stays a gap
                warnings.simplefilter("ignore", RuntimeWarning)
                q25, median, q75 = np.nanquantile(lead_beats, [0.25, 0.5, 0.75], axis=0)
            ax.fill_between(x_ms, q25, q75, color=colour, alpha=0.25, lw=0)
            label = labels[g] if labels is not None else f"group {g + 1}"
            ax.plot(x_ms, median, color=colour, lw=1.3, label=f"{label} (n = {len(lead_beats)})")
        ax.set_title(lead, fontsize=10, weight="bold")
        ax.grid(lw=0.3, alpha=0.6)
        ax.tick_params(labelsize=7)
        if i % ncols:
            ax.tick_params(labelleft=False)
        else:
            ax.set_ylabel("mV", fontsize=8)
        if i >= len(leads) - ncols:
            ax.set_xlabel("ms from R peak", fontsize=8)
        else:
            ax.tick_params(labelbottom=False)
    if labels is not None or len(arrays) > 1:
        fig.legend(
            handles=first.lines,
            loc="upper center",
            bbox_to_anchor=(0.5, 1 - 0.05 / height),
            ncols=len(arrays),
            frameon=False,
            fontsize=9,
        )
    return fig


def plot_qt_rr(
    tables: pd.DataFrame | Sequence[pd.DataFrame],
    labels: Sequence[str] | None = None,
    *,
    fig: Figure | None = None,
    ax: Axes | None = None,
) -> Figure:
    """QT against RR per group, with each group's least-squares line.

    Parameters
    ----------
    tables : pandas.DataFrame or sequence of pandas.DataFrame
        Measurements as :func:`ecgtoolkit.measure` returns them, one table per group,
        with columns ``rr_mean_ms`` and ``qt_ms``; only rows with ``status == "ok"``
        count (all rows when there is no ``status`` column), and rows where either
        value is NaN are left out.
    labels : sequence of str, optional
        One name per group (default "group 1", "group 2", ...).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: the records as points and, per group with at least 3 records and
        some spread of RR, the fitted line over that group's RR range; the legend gives
        each line's equation and the group size.

    Raises
    ------
    ValueError
        For a table without ``rr_mean_ms`` or ``qt_ms``, no tables, or a number of
        labels other than the number of tables.

    Notes
    -----
    The line is the ordinary least-squares fit ``QT = a + b · RR`` (ms). How steeply
    QT follows RR is a physiological signature that a generator should reproduce; the
    plot follows Figure 3 of Thambawita et al. (2021), and
    :func:`ecgtoolkit.compare` tests the difference of the slopes.

    References
    ----------
    Thambawita V, Isaksen JL, Hicks SA, et al. DeepFake electrocardiograms using
    generative adversarial networks are the beginning of the end for privacy issues in
    medicine. Sci Rep 2021;11:21896. doi:10.1038/s41598-021-01295-2

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ecgtoolkit import plot_qt_rr
    >>> rr = np.linspace(600, 1200, 20)
    >>> fig = plot_qt_rr(pd.DataFrame({"rr_mean_ms": rr, "qt_ms": 250 + 0.16 * rr}))
    >>> x, y = fig.axes[0].lines[0].get_data()
    >>> round(float((y[1] - y[0]) / (x[1] - x[0])), 3)
    0.16
    """
    import pandas as pd

    groups = [tables] if isinstance(tables, pd.DataFrame) else list(tables)
    if not groups:
        raise ValueError("no tables given")
    if labels is not None and len(labels) != len(groups):
        raise ValueError(f"{len(labels)} labels for {len(groups)} tables")
    pairs = []
    for g, table in enumerate(groups):
        try:
            pairs.append(qt_rr_pairs(table))
        except (TypeError, ValueError) as err:
            raise type(err)(f"table {g}: {err}") from None
    fig, ax = single_axes(fig, ax, (5.5, 4.2))
    for g, (rr, qt) in enumerate(pairs):
        colour = OKABE_ITO[g % len(OKABE_ITO)]
        label = labels[g] if labels is not None else f"group {g + 1}"
        ax.scatter(rr, qt, s=10, color=colour, alpha=0.45, lw=0)
        line = fit_line(rr, qt)
        if np.isfinite(line["slope"]):
            slope, intercept = line["slope"], line["intercept_ms"]
            x = np.array([rr.min(), rr.max()])
            ax.plot(
                x,
                intercept + slope * x,
                color=colour,
                lw=2,
                label=f"{label}: QT = {intercept:.0f} + {slope:.3f} · RR (n = {rr.size})",
            )
        else:
            ax.plot([], [], color=colour, lw=2, label=f"{label}: no fit (n = {rr.size})")
    ax.set_xlabel("RR interval (ms)")
    ax.set_ylabel("QT interval (ms)")
    ax.grid(lw=0.3, alpha=0.6)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return fig


def plot_bland_altman(
    a: Any,
    b: Any,
    *,
    labels: tuple[str, str] = ("method A", "method B"),
    unit: str = "ms",
    fig: Figure | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Bland–Altman plot: agreement of two methods measuring the same quantity.

    Parameters
    ----------
    a, b : array_like or pandas.Series
        Paired measurements, one per record or beat, in ``unit``. Pairs where either
        value is NaN are left out. Two Series must share their index (align them first,
        e.g. ``a, b = a.align(b, join="inner")``).
    labels : (str, str)
        Names of the two methods.
    unit : str
        Unit of the values, for the axis labels and annotations ("" for none).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: the mean of each pair against its difference ``a − b``, with the bias
        (mean difference, solid line, label ``"bias"``) and the 95 % limits of agreement
        (bias ± 1.96 SD, dashed, labels ``"+1.96 SD"`` and ``"-1.96 SD"``), each
        annotated with its value.

    Raises
    ------
    ValueError
        For inputs that are not 1-D, of different lengths or indexes, or with fewer
        than 2 complete pairs.

    Notes
    -----
    The SD is that of the differences (``ddof=1``); the limits assume roughly normal
    differences whose size does not depend on the magnitude (check the plot for a
    trend or a funnel).

    References
    ----------
    Bland JM, Altman DG. Statistical methods for assessing agreement between two methods
    of clinical measurement. Lancet 1986;1(8476):307–310. doi:10.1016/S0140-6736(86)90837-8

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit import plot_bland_altman
    >>> qt_manual = np.array([400.0, 410, 380, 420, 395])
    >>> qt_auto = qt_manual - np.array([4.0, 6, 2, 4, 4])
    >>> fig = plot_bland_altman(qt_manual, qt_auto, labels=("manual", "automatic"))
    >>> [(ln.get_label(), round(float(ln.get_ydata()[0]), 2)) for ln in fig.axes[0].lines]
    [('bias', 4.0), ('+1.96 SD', 6.77), ('-1.96 SD', 1.23)]
    """
    import pandas as pd

    if isinstance(a, pd.Series) and isinstance(b, pd.Series) and not a.index.equals(b.index):
        raise ValueError(
            "a and b have different indexes; align them first "
            "(a, b = a.align(b, join='inner')) or pass arrays paired by position"
        )
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.ndim != 1 or y.ndim != 1 or x.size != y.size:
        raise ValueError(f"a and b must be 1-D and paired, got shapes {x.shape} and {y.shape}")
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        raise ValueError(f"need at least 2 pairs without NaN, got {int(ok.sum())}")
    x, y = x[ok], y[ok]
    mean, diff = (x + y) / 2, x - y
    bias = float(diff.mean())
    sd = float(diff.std(ddof=1))
    limits = (bias + 1.96 * sd, bias - 1.96 * sd)
    fig, ax = single_axes(fig, ax, (5.5, 4.2))
    ax.scatter(mean, diff, s=12, color=OKABE_ITO[0], alpha=0.6, lw=0)
    suffix = f" {unit}" if unit else ""
    digits = max(0, 2 - math.floor(math.log10(sd))) if sd > 0 else 2
    for value, name, style in (
        (bias, "bias", "-"),
        (limits[0], "+1.96 SD", "--"),
        (limits[1], "-1.96 SD", "--"),
    ):
        colour = OKABE_ITO[5] if name == "bias" else "0.3"
        ax.axhline(value, color=colour, ls=style, lw=1.2, label=name)
        ax.annotate(
            f"{name} {value:.{digits}f}{suffix}",
            xy=(1.0, value),
            xycoords=ax.get_yaxis_transform(),
            xytext=(-3, 2),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=8,
        )
    unit_text = f" ({unit})" if unit else ""
    name_a, name_b = labels
    ax.set_xlabel(f"mean of {name_a} and {name_b}{unit_text}")
    ax.set_ylabel(f"{name_a} − {name_b}{unit_text}")
    ax.set_title(f"Bland–Altman, n = {x.size} pairs", fontsize=10)
    ax.grid(lw=0.3, alpha=0.6)
    return fig
