"""The viewer's model: a window onto one record, its leads, calipers and fiducials.

Everything the widget does is a method or property of :class:`ECGViewer`, so it can be
driven (and tested) without a browser; :mod:`.render` draws it, :mod:`.widget` wraps it
in ipywidgets controls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..core.ecg import ECG
from ..plot.paper import GAIN_MM_MV, SPEED_MM_S
from .marks import MarkCache
from .render import GAP_PX, PAD_PX, StripRenderer, clock

if TYPE_CHECKING:
    import ipywidgets
    import pandas as pd

__all__ = ["WINDOW_CHOICES_S", "CaliperReading", "ECGViewer"]

_ROW_S = 10.0  # longer windows wrap into rows of 10 s, as on a full-disclosure page
#: The window lengths offered (seconds); any length from 2.5 to 60 s is accepted.
WINDOW_CHOICES_S = (2.5, 5.0, 10.0, 20.0, 30.0, 60.0)


@dataclass(frozen=True)
class CaliperReading:
    """What the two calipers read off one lead.

    Attributes
    ----------
    lead : str
        The lead the voltages are read from.
    t1_s, t2_s : float
        Caliper times in seconds from the start of the record.
    v1_mv, v2_mv : float
        The lead's value at each caliper in mV (linear between samples).
    dt_ms : float
        ``t2 - t1`` in ms.
    dv_mv : float
        ``v2 - v1`` in mV.
    rate_bpm : float
        ``60000 / |dt_ms|``: the heart rate if the calipers span one RR interval
        (NaN when they coincide).
    """

    lead: str
    t1_s: float
    t2_s: float
    v1_mv: float
    v2_mv: float
    dt_ms: float
    dv_mv: float
    rate_bpm: float


def _band_mv(x: np.ndarray, fs: float) -> float:
    """Height of a lead's strip in mV: its typical peak-to-peak over 2 s, plus room.

    Strips have a fixed height per lead so that the picture does not jump while
    scrolling; the typical (90th percentile over 2 s pieces, at most 400 pieces looked
    at) rather than the largest swing keeps one artefact from shrinking every beat.
    """
    piece = max(int(round(2.0 * fs)), 1)
    n_pieces = x.size // piece
    if n_pieces == 0:
        spans = np.array([np.ptp(x[np.isfinite(x)])]) if np.isfinite(x).any() else np.zeros(1)
    else:
        chosen = np.unique(np.linspace(0, n_pieces - 1, min(n_pieces, 400)).astype(int))
        pieces = x[: n_pieces * piece].reshape(n_pieces, piece)[chosen]
        spans = np.fmax.reduce(pieces, axis=1) - np.fmin.reduce(pieces, axis=1)
        spans = spans[np.isfinite(spans)]
        if spans.size == 0:
            spans = np.zeros(1)
    typical = float(np.percentile(spans, 90))
    return float(np.clip(np.ceil((typical + 1.0) / 0.5) * 0.5, 2.0, 8.0))


class ECGViewer:
    """The model behind :func:`view`: a window onto one record, drawn on ECG paper.

    Everything the widget does is a method or property here, so it can be driven
    (and tested) without a browser; :attr:`widget` wraps it in ipywidgets controls.

    Parameters
    ----------
    ecg : ECG
        One record, or a batch with ``record`` to pick one (a batch of one record
        needs no ``record``).
    lead : str or sequence of str, optional
        Lead(s) shown, top to bottom (any spelling :meth:`ECG.lead_index` knows). The
        first one is the one the calipers read. Default: ``"II"`` if present, else
        the first lead.
    start_s : float
        Start of the window in seconds from the start of the record; clamped so the
        window stays inside the record.
    window_s : float
        Window length in seconds, 2.5 to 60 (shorter if the record is shorter, with a
        :attr:`note`). Windows longer than 10 s wrap into rows of 10 s.
    marks : bool or pandas.DataFrame, optional
        Fiducials to draw: ``True`` runs :func:`ecgtoolkit.delineate` (for records
        over 2 minutes, one minute at a time as it comes into view), a DataFrame is
        one returned by it, ``None``/``False`` draws none.
    record : int, optional
        Record of a batch.
    width_px, max_height_px : int
        Largest picture, in pixels. The paper keeps its proportions (square 1 mm
        boxes at 25 mm/s and 10 mm/mV); when the strips would be taller than
        ``max_height_px``, the whole picture is scaled down.
    dpi : float
        Pixels per inch of the picture (sets the size of text and lines).

    Attributes
    ----------
    note : str
        What was adjusted at the last change (a window clamped to the record, a start
        past the end), or ``""``.

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        For a batch of several records without ``record``, a window outside 2.5–60 s,
        a non-finite start, or a picture size that is too small.
    KeyError
        For a lead that the record does not have (the message lists the leads).

    Notes
    -----
    Only the visible window is drawn. Each strip is cut into pixel columns and keeps
    the smallest and largest sample of each (:func:`ecgtoolkit.plot.paper.decimate_minmax`), so a 60 s window
    of a 1 kHz record draws about 2 points per column yet shows every QRS peak. The
    figure, axes and line artists are made once per layout (leads shown, window
    length) and only get new data while scrolling.

    The paper grid is the standard one (AHA/ACC/HRS recommendations for the
    standardization of the ECG, Kligfield et al. 2007, doi:10.1161/CIRCULATIONAHA.
    106.180200): 1 mm boxes are 0.04 s by 0.1 mV, 5 mm boxes 0.2 s by 0.5 mV.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit import ECG, ECGViewer
    >>> t = np.arange(30 * 500) / 500
    >>> beats = np.exp(-0.5 * (((t - 0.3) % 0.8) / 0.01) ** 2)  # 1 mV R waves, RR 800 ms
    >>> viewer = ECGViewer(ECG(beats[None], fs=500, leads=["II"]), window_s=10)
    >>> viewer.next()
    >>> viewer.start_s
    10.0
    >>> viewer.set_calipers(10.3, 11.1)
    >>> viewer.caliper_text
    'Δt 800 ms (75 bpm if RR) · ΔV +0.00 mV in II (10.300 s → 11.100 s)'
    >>> png = viewer.render()
    """

    def __init__(
        self,
        ecg: ECG,
        *,
        lead: str | Sequence[str] | None = None,
        start_s: float = 0.0,
        window_s: float = 10.0,
        marks: bool | pd.DataFrame | None = None,
        record: int | None = None,
        width_px: int = 1100,
        max_height_px: int = 900,
        dpi: float = 100.0,
    ) -> None:
        if not isinstance(ecg, ECG):
            raise TypeError(f"view expects an ecgtoolkit.ECG, got {type(ecg).__name__}")
        if ecg.is_batch:
            if record is None and ecg.n_records > 1:
                raise ValueError(
                    f"this ECG is a batch of {ecg.n_records} records; pass record=i "
                    f"(0 to {ecg.n_records - 1}) to view one"
                )
            one = ecg[0 if record is None else record]
        else:
            if record not in (None, 0):
                raise ValueError(f"record={record} given, but this ECG is a single record")
            one = ecg
        if int(width_px) < 200 or int(max_height_px) < 100:
            raise ValueError(
                f"the picture must be at least 200 × 100 px, got {width_px} × {max_height_px}"
            )
        self._ecg = one
        self._signal = one.signal
        self.fs: float = one.fs
        self._width_px = int(width_px)
        self._max_height_px = int(max_height_px)
        self._dpi = float(dpi)
        self._bands = {name: _band_mv(self._signal[i], self.fs) for i, name in enumerate(one.leads)}
        self.note: str = ""
        self._renderer = StripRenderer(self)
        self._marks = MarkCache(one)
        self._show_marks = False
        self._next_click = 0
        self._show_calipers = True
        self._listeners: list[Callable[[], None]] = []

        self._shown = self._resolve_leads("II" if lead is None and "II" in one.leads else lead)
        self._n = 1
        self._start = 0
        notes = [self._set_window(window_s)]
        notes.append(self._set_start(start_s))
        self._caliper_offsets = (0.25 * self.row_s, 0.5 * self.row_s)
        if marks is not None and marks is not False:
            if marks is not True:
                self._marks = MarkCache(one, marks)
            self.show_marks = True
        self.note = " ".join(n for n in notes if n)

    # -- the record ---------------------------------------------------------------------
    @property
    def ecg(self) -> ECG:
        """The record shown (one record, even if a batch was given)."""
        return self._ecg

    @property
    def available_leads(self) -> tuple[str, ...]:
        """All the record's leads."""
        return self._ecg.leads

    @property
    def duration_s(self) -> float:
        """Length of the record in seconds."""
        return self._ecg.duration_s

    # -- window arithmetic ----------------------------------------------------------------
    @property
    def start_s(self) -> float:
        """Start of the window, seconds from the start of the record (clamped when set)."""
        return self._start / self.fs

    @start_s.setter
    def start_s(self, value: float) -> None:
        self.note = self._set_start(value)
        self._changed()

    @property
    def window_s(self) -> float:
        """Length of the window in seconds (2.5 to 60 s, at most the record)."""
        return self._n / self.fs

    @window_s.setter
    def window_s(self, value: float) -> None:
        old = self.window_s
        note = self._set_window(value)
        self.note = " ".join(n for n in (note, self._set_start(self.start_s)) if n)
        self._clamp_calipers(old)
        self._changed()

    @property
    def end_s(self) -> float:
        """End of the window in seconds."""
        return (self._start + self._n) / self.fs

    @property
    def max_start_s(self) -> float:
        """The latest start that keeps the whole window inside the record."""
        return (self._ecg.n_samples - self._n) / self.fs

    @property
    def slider_range(self) -> tuple[float, float]:
        """``(min, max)`` of the start slider: it follows the window length."""
        return 0.0, self.max_start_s

    @property
    def row_s(self) -> float:
        """Length of one row of the picture (the window, up to 10 s)."""
        return self._row_n / self.fs

    @property
    def n_rows(self) -> int:
        """Rows the window wraps into."""
        return -(-self._n // self._row_n)

    @property
    def _row_n(self) -> int:
        return min(self._n, int(round(_ROW_S * self.fs)))

    def next(self) -> None:
        """Move one window later (stopping at the end of the record)."""
        self.start_s = (self._start + self._n) / self.fs

    def previous(self) -> None:
        """Move one window earlier (stopping at the start of the record)."""
        self.start_s = (self._start - self._n) / self.fs

    def zoom_in(self) -> None:
        """Show the next shorter of :data:`WINDOW_CHOICES_S`."""
        shorter = [w for w in WINDOW_CHOICES_S if w < self.window_s - 1e-9]
        if shorter:
            self.window_s = shorter[-1]

    def zoom_out(self) -> None:
        """Show the next longer of :data:`WINDOW_CHOICES_S` (at most the record)."""
        longer = [w for w in WINDOW_CHOICES_S if w > self.window_s + 1e-9]
        if longer and self._n < self._ecg.n_samples:
            self.window_s = longer[0]

    def _set_window(self, value: float) -> str:
        value = float(value)
        if not WINDOW_CHOICES_S[0] <= value <= WINDOW_CHOICES_S[-1]:
            raise ValueError(
                f"window_s must be between {WINDOW_CHOICES_S[0]:g} and "
                f"{WINDOW_CHOICES_S[-1]:g} s, got {value:g}"
            )
        n = max(int(round(value * self.fs)), 1)
        clamped = n > self._ecg.n_samples
        n = min(n, self._ecg.n_samples)
        self._scale(self._shown, n)
        self._n = n
        if clamped:
            return (
                f"The record is only {self.duration_s:g} s long: the {value:g} s window "
                f"shows all of it."
            )
        return ""

    def _scale(self, shown: tuple[str, ...], n: int) -> tuple[float, list[float], float]:
        """Pixels per mm, strip heights (mm) and row width (mm) for these leads and window.

        Raises ValueError when the strips would be too thin to read, before anything
        changes.
        """
        row_n = min(n, int(round(_ROW_S * self.fs)))
        strip_mm = [self._bands[name] * GAIN_MM_MV for name in shown] * (-(-n // row_n))
        width_mm = row_n / self.fs * SPEED_MM_S
        spare_w = self._width_px - 2 * PAD_PX
        spare_h = self._max_height_px - 2 * PAD_PX - GAP_PX * (len(strip_mm) - 1)
        px_mm = min(spare_w / width_mm, spare_h / sum(strip_mm))
        if px_mm * min(strip_mm) < 12:
            raise ValueError(
                f"{len(strip_mm)} strips ({len(shown)} leads × {len(strip_mm) // len(shown)} "
                f"rows) do not fit in {self._max_height_px} px; show fewer leads or a "
                "shorter window, or raise max_height_px"
            )
        return px_mm, strip_mm, width_mm

    def _set_start(self, value: float) -> str:
        value = float(value)
        if not np.isfinite(value):
            raise ValueError(f"start_s must be a finite number of seconds, got {value}")
        wanted = int(round(value * self.fs))
        last = self._ecg.n_samples - self._n
        self._start = int(np.clip(wanted, 0, last))
        if wanted > last and value > self.duration_s:
            return (
                f"start {value:g} s is past the end of the record ({self.duration_s:g} s): "
                "showing the last window."
            )
        if wanted < 0 and value < -self.window_s:
            return f"start {value:g} s is before the record: showing the first window."
        return ""

    # -- leads ------------------------------------------------------------------------------
    @property
    def lead(self) -> str:
        """The lead the calipers read (the top one); setting it shows that lead alone."""
        return self._shown[0]

    @lead.setter
    def lead(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError("lead takes one lead name; set .leads to show several")
        self.leads = name

    @property
    def leads(self) -> tuple[str, ...]:
        """The leads shown, top to bottom; set it to a name or a sequence of names."""
        return self._shown

    @leads.setter
    def leads(self, names: str | Sequence[str]) -> None:
        resolved = self._resolve_leads(names)
        self._scale(resolved, self._n)
        self._shown = resolved
        self._changed()

    def _resolve_leads(self, names: str | Sequence[str] | None) -> tuple[str, ...]:
        if names is None:
            return (self._ecg.leads[0],)
        if isinstance(names, str):
            names = [names]
        names = list(names)
        if not names:
            raise ValueError("show at least one lead")
        resolved = tuple(self._ecg.leads[self._ecg.lead_index(n)] for n in names)
        if len(set(resolved)) != len(resolved):
            raise ValueError(f"a lead is listed twice: {', '.join(resolved)}")
        return resolved

    # -- calipers ---------------------------------------------------------------------------
    @property
    def calipers(self) -> tuple[float, float]:
        """Caliper times ``(t1, t2)`` in seconds from the start of the record.

        They keep their place on the screen when the window moves, like calipers laid
        on a monitor.
        """
        return (self.start_s + self._caliper_offsets[0], self.start_s + self._caliper_offsets[1])

    def set_calipers(self, t1: float, t2: float, *, snap: bool = False) -> None:
        """Put the calipers at ``t1`` and ``t2`` seconds (inside the visible window).

        Parameters
        ----------
        t1, t2 : float
            Times in seconds from the start of the record.
        snap : bool
            Move each caliper to the largest deflection of :attr:`lead` within 50 ms
            (see :meth:`snap_to_peak`), to read an RR interval or a peak height.

        Raises
        ------
        ValueError
            For a time that is not finite or outside the window (scroll there first).
        """
        times = []
        for name, t in (("t1", t1), ("t2", t2)):
            t = float(t)
            if not np.isfinite(t) or not self.start_s - 1e-9 <= t <= self.end_s + 1e-9:
                raise ValueError(
                    f"caliper {name}={t:g} s is outside the visible window "
                    f"{self.start_s:g}–{self.end_s:g} s; scroll there first"
                )
            times.append(self.snap_to_peak(t) if snap else t)
        self._caliper_offsets = (times[0] - self.start_s, times[1] - self.start_s)
        self._changed()

    def snap_to_peak(self, t: float, radius_s: float = 0.05) -> float:
        """The time of the largest deflection of :attr:`lead` within ``radius_s`` of ``t``.

        The deflection is measured from the median of those samples, so both an R wave
        and a deep S wave attract the caliper.
        """
        x = self._signal[self._row(self.lead)]
        centre = int(round(t * self.fs))
        radius = max(int(round(radius_s * self.fs)), 1)
        lo = max(centre - radius, self._start)
        hi = min(centre + radius + 1, self._start + self._n)
        piece = x[lo:hi]
        if piece.size == 0 or not np.isfinite(piece).any():
            return float(t)
        deflection = np.abs(piece - np.nanmedian(piece))
        return (lo + int(np.nanargmax(deflection))) / self.fs

    def click(self, x_px: float, y_px: float, *, snap: bool = False) -> bool:
        """Put a caliper where the picture was clicked (alternately the first and second).

        Parameters
        ----------
        x_px, y_px : float
            Position in the picture's pixels, from its top left corner.
        snap : bool
            Move the caliper to the nearby peak (see :meth:`snap_to_peak`).

        Returns
        -------
        bool
            Whether the click fell on a strip (clicks elsewhere are ignored).
        """
        t = self.time_at(x_px, y_px)
        if t is None:
            return False
        offsets = list(self._caliper_offsets)
        offsets[self._next_click] = (self.snap_to_peak(t) if snap else t) - self.start_s
        self._caliper_offsets = (offsets[0], offsets[1])
        self._next_click = 1 - self._next_click
        self._changed()
        return True

    def time_at(self, x_px: float, y_px: float) -> float | None:
        """The record time under a pixel of the picture, or None off the strips."""
        return self._renderer.time_at(x_px, y_px)

    def _clamp_calipers(self, old_window_s: float) -> None:
        """After a zoom, calipers that fell off the window are brought back, scaled."""
        if max(self._caliper_offsets) > self.window_s:
            scale = self.window_s / old_window_s
            self._caliper_offsets = tuple(o * scale for o in self._caliper_offsets)

    def _value_at(self, lead: str, t: float) -> float:
        x = self._signal[self._row(lead)]
        position = t * self.fs
        i = int(np.clip(np.floor(position), 0, x.size - 1))
        j = min(i + 1, x.size - 1)
        fraction = position - i
        return float(x[i] + (x[j] - x[i]) * fraction) if fraction else float(x[i])

    @property
    def caliper_reading(self) -> CaliperReading:
        """Δt, ΔV and rate between the calipers, on :attr:`lead`."""
        t1, t2 = self.calipers
        v1, v2 = self._value_at(self.lead, t1), self._value_at(self.lead, t2)
        dt_ms = round((t2 - t1) * 1000.0, 6)
        rate = 60000.0 / abs(dt_ms) if dt_ms else float("nan")
        return CaliperReading(self.lead, t1, t2, v1, v2, dt_ms, v2 - v1, rate)

    @property
    def caliper_text(self) -> str:
        """The caliper reading as one line of text."""
        r = self.caliper_reading
        rate = f" ({r.rate_bpm:.0f} bpm if RR)" if np.isfinite(r.rate_bpm) else ""
        return (
            f"Δt {abs(r.dt_ms):.0f} ms{rate} · ΔV {r.dv_mv:+.2f} mV in {r.lead} "
            f"({r.t1_s:.3f} s → {r.t2_s:.3f} s)"
        )

    # -- fiducials ---------------------------------------------------------------------------
    @property
    def show_marks(self) -> bool:
        """Whether fiducials are drawn (setting it computes them if needed)."""
        return self._show_marks

    @show_marks.setter
    def show_marks(self, value: bool) -> None:
        if value:
            self._marks.load(self._start, self._start + self._n)
        self._show_marks = bool(value)
        self._changed()

    @property
    def show_calipers(self) -> bool:
        """Whether the calipers are drawn and read."""
        return self._show_calipers

    @show_calipers.setter
    def show_calipers(self, value: bool) -> None:
        self._show_calipers = bool(value)
        self._changed()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after every change of window, leads, calipers or marks.

        The widget listens this way, so changes made from code (``viewer.next()``,
        ``viewer.set_calipers(...)``) show at once.
        """
        self._listeners.append(callback)

    def _changed(self) -> None:
        for callback in self._listeners:
            callback()

    # -- drawing (viewer/render.py) ---------------------------------------------------------
    @property
    def figure(self):
        """The matplotlib Figure that :meth:`render` draws (made on first use)."""
        return self._renderer.figure

    def drawn(self, lead: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The points last drawn for a lead: times in s from the record start, values in mV.

        These are the decimated samples of the visible window (all rows together).
        """
        return self._renderer.drawn(lead)

    def render(self) -> bytes:
        """Draw the visible window and return it as PNG bytes."""
        return self._renderer.render()

    def _row(self, lead: str) -> int:
        return self._ecg.leads.index(lead)

    # -- the widget (viewer/widget.py) --------------------------------------------------------
    @property
    def widget(self) -> ipywidgets.VBox:
        """The viewer as an ipywidgets ``VBox`` (made on first use; see :func:`view`)."""
        if getattr(self, "_widget", None) is None:
            from .widget import build_widget

            self._widget = build_widget(self)
        return self._widget

    def _status_text(self) -> str:
        where = (
            f"{clock(self.start_s)}–{clock(self.end_s)} of {clock(self.duration_s)} "
            f"· {self.fs:g} Hz · 25 mm/s, 10 mm/mV"
        )
        return where + (f" · {self.note}" if self.note else "")
