"""Drawing the viewer's window: strips of ECG paper, traces, fiducials and calipers.

The figure, its paper and its artists are made once per layout (leads shown, window
length); scrolling only gives the artists new data and redraws them over the cached
paper (matplotlib's blitting), which keeps the viewer fast on long records.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from ..plot.paper import PAPER, WAVES, add_grid, decimate_minmax

if TYPE_CHECKING:
    from .model import ECGViewer

__all__ = ["GAP_PX", "MARK_COLUMNS", "PAD_PX", "WAVE_COLUMNS", "StripRenderer", "clock"]

_MINOR_S, _MINOR_MV = 0.04, 0.1  # one 1 mm box at 25 mm/s and 10 mm/mV
_CALIPER_COLORS = ("#0b3d91", "#d2691e")
PAD_PX = 4
GAP_PX = 6
#: Columns of :func:`ecgtoolkit.delineate` drawn for each wave: onset, peak, offset.
WAVE_COLUMNS = {wave: columns for wave, (columns, _) in WAVES.items()}
#: Those columns in one tuple: the marks the viewer keeps per beat, in this order.
MARK_COLUMNS = tuple(c for columns in WAVE_COLUMNS.values() for c in columns)


def clock(seconds: float) -> str:
    """``m:ss.s`` (or ``h:mm:ss.s``) for a time in seconds."""
    minutes, sec = divmod(max(seconds, 0.0), 60.0)
    hours, minutes = divmod(int(minutes), 60)
    if hours:
        return f"{hours}:{minutes:02d}:{sec:04.1f}"
    return f"{minutes}:{sec:04.1f}"


class StripRenderer:
    """Draws an :class:`~ecgtoolkit.viewer.model.ECGViewer`'s visible window."""

    def __init__(self, viewer: ECGViewer) -> None:
        self.viewer = viewer
        self._figure: Any = None
        self._background: Any = None
        self._layout_key: tuple | None = None
        self._strips: list[dict[str, Any]] = []
        self._drawn: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def figure(self):
        """The matplotlib Figure that :meth:`render` draws (made on first use)."""
        self._ensure_layout()
        return self._figure

    def drawn(self, lead: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The points last drawn for a lead: times in s from the record start, values in mV.

        These are the decimated samples of the visible window (all rows together).
        """
        name = self.viewer.lead if lead is None else self.viewer._resolve_leads(lead)[0]
        if name not in self._drawn:
            raise KeyError(f"lead {name!r} is not shown (shown: {', '.join(self.viewer._shown)})")
        return self._drawn[name]

    def render(self) -> bytes:
        """Draw the visible window and return it as PNG bytes."""
        from PIL import Image

        self._ensure_layout()
        self._update_artists()
        canvas = self._figure.canvas
        if self._background is None:  # paper and grid: drawn once per layout
            canvas.draw()
            self._background = canvas.copy_from_bbox(self._figure.bbox)
        else:
            canvas.restore_region(self._background)
        for strip in self._strips:
            for artist in strip["animated"]:
                strip["ax"].draw_artist(artist)
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(
            buffer, format="png", compress_level=1
        )
        return buffer.getvalue()

    def _ensure_layout(self) -> None:
        """Make the figure, its paper and its artists again if the leads or rows changed."""
        key = (self.viewer._shown, self.viewer._row_n, self.viewer.n_rows)
        if key == self._layout_key:
            return
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        px_mm, strip_mm, width_mm = self.viewer._scale(self.viewer._shown, self.viewer._n)
        n_strips = len(strip_mm)
        ax_w = width_mm * px_mm
        heights = [mm * px_mm for mm in strip_mm]
        fig_w = int(np.ceil(ax_w + 2 * PAD_PX))
        fig_h = int(np.ceil(sum(heights) + 2 * PAD_PX + GAP_PX * (n_strips - 1)))
        if self._figure is None:
            self._figure = Figure(dpi=self.viewer._dpi, facecolor="white")
            FigureCanvasAgg(self._figure)
        fig = self._figure
        fig.clear()
        fig.set_size_inches(fig_w / self.viewer._dpi, fig_h / self.viewer._dpi)
        self._strips = []
        top = fig_h - PAD_PX
        for i, height in enumerate(heights):
            row, name = divmod(i, len(self.viewer._shown))
            lead = self.viewer._shown[name]
            band = self.viewer._bands[lead]
            bottom = top - height
            top = bottom - GAP_PX
            ax = fig.add_axes((PAD_PX / fig_w, bottom / fig_h, ax_w / fig_w, height / fig_h))
            # The trace is drawn from the strip's bottom edge; finer than 2.5 px, the 1 mm
            # lines would merge into a pink wash.
            add_grid(ax, (0, self.viewer.row_s), (0, band), _MINOR_S, _MINOR_MV, minor=px_mm >= 2.5)
            (trace,) = ax.plot([], [], color=PAPER["trace"], lw=0.9, animated=True)
            waves = {}
            for wave, (_, color) in WAVES.items():
                style = {"ls": "none", "color": color, "animated": True}
                (bounds,) = ax.plot([], [], marker="|", ms=9, mew=1.4, **style)
                (peaks,) = ax.plot([], [], marker="o", ms=3.5, **style)
                waves[wave] = (bounds, peaks)
            calipers = [
                ax.axvline(0, color=c, lw=1.1, ls="--", visible=False, animated=True)
                for c in _CALIPER_COLORS
            ]
            label = ax.text(
                0.004,
                0.97,
                "",
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=9,
                fontweight="bold",
                animated=True,
            )
            self._strips.append(
                {
                    "ax": ax,
                    "row": row,
                    "lead": lead,
                    "trace": trace,
                    "waves": waves,
                    "calipers": calipers,
                    "label": label,
                    "animated": [
                        trace,
                        *(a for pair in waves.values() for a in pair),
                        *calipers,
                        label,
                    ],
                    "columns": max(int(ax_w), 1),
                }
            )
        self._background = None
        self._layout_key = key

    def _update_artists(self) -> None:
        """Give the strips' artists the visible window's data (nothing is made anew)."""
        if self.viewer._show_marks:
            self.viewer._marks.load(self.viewer._start, self.viewer._start + self.viewer._n)
        pieces: dict[str, tuple[list, list]] = {name: ([], []) for name in self.viewer._shown}
        caliper_t = self.viewer.calipers if self.viewer.show_calipers else None
        for strip in self._strips:
            name = strip["lead"]
            row_first = self.viewer._start + strip["row"] * self.viewer._row_n
            row_stop = min(row_first + self.viewer._row_n, self.viewer._start + self.viewer._n)
            x = self.viewer._signal[self.viewer._row(name), row_first:row_stop]
            idx = decimate_minmax(x, strip["columns"])
            t_rel, y = idx / self.viewer.fs, x[idx]
            pieces[name][0].append(t_rel + row_first / self.viewer.fs)
            pieces[name][1].append(y)
            y_lo = self._strip_bottom(y, self.viewer._bands[name])
            strip["trace"].set_data(t_rel, y - y_lo)

            marks = self.viewer._marks.by_lead.get(name) if self.viewer._show_marks else None
            for wave, (bounds, peaks) in strip["waves"].items():
                if marks is None:
                    bounds.set_data([], [])
                    peaks.set_data([], [])
                    continue
                on, peak, off = (MARK_COLUMNS.index(c) for c in WAVE_COLUMNS[wave])
                for artist, chosen in ((bounds, [on, off]), (peaks, [peak])):
                    points = marks[:, chosen].ravel()
                    points = points[(points >= row_first) & (points < row_stop)] - row_first
                    values = np.interp(points, np.arange(x.size), x) - y_lo
                    artist.set_data(points / self.viewer.fs, values)

            row_start_s = row_first / self.viewer.fs
            # Calipers are held in record time: one outside this row is not drawn.
            for line, t in zip(strip["calipers"], caliper_t or (None, None), strict=True):
                inside = t is not None and row_start_s <= t <= row_stop / self.viewer.fs
                line.set_visible(inside)
                if inside:
                    line.set_xdata([t - row_start_s] * 2)
            first_lead = name == self.viewer._shown[0]
            strip["label"].set_text(f"{name}  {clock(row_start_s)}" if first_lead else name)
        self._drawn = {
            name: (np.concatenate(ts), np.concatenate(ys)) for name, (ts, ys) in pieces.items()
        }

    @staticmethod
    def _strip_bottom(y: np.ndarray, band: float) -> float:
        """The value (mV) at a strip's bottom edge: the trace centred in its band."""
        finite = y[np.isfinite(y)]
        if finite.size == 0:
            return -band / 2
        if np.ptp(finite) <= 0.9 * band:
            return 0.5 * float(finite.min() + finite.max()) - band / 2
        # An artefact taller than the strip: keep the baseline (the median) in view.
        return float(np.median(finite)) - 0.4 * band

    def time_at(self, x_px: float, y_px: float) -> float | None:
        """The record time under a pixel of the picture, or None off the strips."""
        self._ensure_layout()
        height = self._figure.bbox.height
        for strip in self._strips:
            box = strip["ax"].bbox
            if box.x0 <= x_px <= box.x1 and box.y0 <= height - y_px <= box.y1:
                offset = (x_px - box.x0) / box.width * self.viewer.row_s
                t = (
                    self.viewer._start + strip["row"] * self.viewer._row_n
                ) / self.viewer.fs + offset
                return float(min(t, self.viewer.end_s))
        return None
