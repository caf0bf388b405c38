"""The viewer's model: a window onto one record, its leads, calipers and fiducials.

Everything the widget does is a method or property of :class:`ECGViewer`, so it can be
driven (and tested) without a browser; :mod:`.render` draws it, :mod:`.widget` wraps it
in ipywidgets controls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..core.ecg import ECG
from ..plot.paper import GAIN_MM_MV, SPEED_MM_S
from .calipers import SNAP_KINDS, CaliperReading, PeakCache, reading_text, snap_kind
from .marks import MarkCache
from .render import GAP_PX, MARK_COLUMNS, PAD_PX, StripRenderer, clock

if TYPE_CHECKING:
    import ipywidgets
    import pandas as pd

__all__ = ["WINDOW_CHOICES_S", "ECGViewer"]

_ROW_S = 10.0  # longer windows wrap into rows of 10 s, as on a full-disclosure page
#: The window lengths offered (seconds); any length from 2.5 to 60 s is accepted.
WINDOW_CHOICES_S = (2.5, 5.0, 10.0, 20.0, 30.0, 60.0)


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
        first one is the one the calipers read and snap on. Default: ``"II"`` if
        present, else the first lead.
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
        past the end, calipers left hidden or unsnapped for want of beats), or ``""``.

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
    the smallest and largest sample of each
    (:func:`ecgtoolkit.plot.paper.decimate_minmax`), so a 60 s window of a 1 kHz
    record draws about 2 points per column yet shows every QRS peak. The
    figure, axes and line artists are made once per layout (leads shown, window
    length) and only get new data while scrolling.

    The paper grid is the standard one (AHA/ACC/HRS recommendations for the
    standardization of the ECG, Kligfield et al. 2007, doi:10.1161/CIRCULATIONAHA.
    106.180200): 1 mm boxes are 0.04 s by 0.1 mV, 5 mm boxes 0.2 s by 0.5 mV.

    The two calipers are held in record time, like marks on the paper: scrolling and
    zooming never move them, and a caliper outside the visible window is not drawn
    (its reading still holds, and :attr:`caliper_text` says it is off-screen);
    :meth:`calipers_to_beats` brings them back onto the first two R peaks in view. They
    start there too: on two consecutive R peaks of :attr:`lead` in the first window,
    found by the DSP detector of :func:`ecgtoolkit.detect_rpeaks` on that lead alone
    (:class:`~ecgtoolkit.viewer.calipers.PeakCache`). With fewer than two R peaks in
    view (a flat lead, a window shorter than one RR interval) they start hidden and
    unplaced, rather than anywhere. Snapping (``snap=True`` or a kind of
    :data:`~ecgtoolkit.viewer.calipers.SNAP_KINDS`) moves a caliper to the nearest R
    peak (or other fiducial) in the visible window, however far from where it was put.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit import ECG, ECGViewer
    >>> t = np.arange(30 * 500) / 500
    >>> r_peaks = np.arange(0.3, 30, 0.8)  # 1 mV R waves, RR 800 ms
    >>> beats = sum(np.exp(-0.5 * ((t - r) / 0.01) ** 2) for r in r_peaks)
    >>> viewer = ECGViewer(ECG(beats[None], fs=500, leads=["II"]), window_s=10)
    >>> viewer.calipers  # on the first two R peaks in view
    (0.3, 1.1)
    >>> viewer.caliper_text
    'Δt 800 ms (75 bpm if RR) · ΔV +0.00 mV in II (0.300 s → 1.100 s)'
    >>> viewer.zoom_in()  # zooming and scrolling leave the calipers on their beats
    >>> viewer.next()
    >>> viewer.start_s, viewer.calipers, viewer.calipers_in_view
    (5.0, (0.3, 1.1), (False, False))
    >>> viewer.calipers_to_beats()
    True
    >>> viewer.calipers
    (5.1, 5.9)
    >>> viewer.set_calipers(5.3, 6.4, snap=True)  # to the nearest R peaks
    >>> viewer.calipers
    (5.1, 6.7)
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
        self._peaks = PeakCache(one)
        self._show_marks = False
        self._next_click = 0
        self._show_calipers = True
        self._caliper_times: tuple[float, float] | None = None
        self._listeners: list[Callable[[], None]] = []

        self._shown = self._resolve_leads("II" if lead is None and "II" in one.leads else lead)
        self._n = 1
        self._start = 0
        notes = [self._set_window(window_s)]
        notes.append(self._set_start(start_s))
        if not self._place_on_beats():
            self._show_calipers = False
            notes.append(self._no_beats_note("calipers hidden"))
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
        note = self._set_window(value)
        self.note = " ".join(n for n in (note, self._set_start(self.start_s)) if n)
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
    def calipers(self) -> tuple[float, float] | None:
        """Caliper times ``(t1, t2)`` in seconds from the start of the record, or None.

        They are fixed to the record: scrolling and zooming never move them. None while
        they are not placed (at start, when the first window holds fewer than two R
        peaks of :attr:`lead`).
        """
        return self._caliper_times

    @property
    def calipers_in_view(self) -> tuple[bool, bool]:
        """Whether each caliper is inside the visible window (and so drawn)."""
        if self._caliper_times is None:
            return False, False
        t1, t2 = (self.start_s - 1e-9 <= t <= self.end_s + 1e-9 for t in self._caliper_times)
        return t1, t2

    def set_calipers(self, t1: float, t2: float, *, snap: bool | str = False) -> None:
        """Put the calipers at ``t1`` and ``t2`` seconds (inside the visible window).

        Placing the calipers shows them (:attr:`show_calipers`).

        Parameters
        ----------
        t1, t2 : float
            Times in seconds from the start of the record.
        snap : bool or str
            ``False``: exactly there. ``True`` or ``"R"``: at the nearest R peak of
            :attr:`lead` in the visible window, to read an RR interval. Another kind of
            :data:`~ecgtoolkit.viewer.calipers.SNAP_KINDS` (``"QRS_on"``,
            ``"qrs onset"``, ``"T end"``, ...): at the nearest such fiducial of
            :func:`ecgtoolkit.delineate` (delineating the window if needed). With none
            in view the caliper stays where it was put, and :attr:`note` says so.

        Raises
        ------
        ValueError
            For a time that is not finite or outside the window (scroll there first),
            or an unknown ``snap``.
        TypeError
            For a ``snap`` that is neither a bool nor a string.
        """
        kind = snap_kind(snap)
        times = (self._snapped("t1", t1, kind), self._snapped("t2", t2, kind))
        self._caliper_times = times
        self._show_calipers = True
        self._changed()

    def move_caliper(self, which: int, t: float, *, snap: bool | str = False) -> None:
        """Move one caliper to ``t`` seconds (inside the visible window), the other stays.

        Parameters
        ----------
        which : {1, 2}
            The caliper to move.
        t : float
            Time in seconds from the start of the record. Calipers not placed yet are
            both put there.
        snap : bool or str
            As in :meth:`set_calipers`.

        Raises
        ------
        ValueError
            For ``which`` other than 1 or 2, or as :meth:`set_calipers`.
        """
        if which not in (1, 2):
            raise ValueError(f"which must be 1 or 2 (the caliper to move), got {which!r}")
        moved = self._snapped(f"t{which}", t, snap_kind(snap))
        times = list(self._caliper_times or (moved, moved))
        times[which - 1] = moved
        self._caliper_times = (times[0], times[1])
        self._show_calipers = True
        self._changed()

    def calipers_to_beats(self) -> bool:
        """Put the calipers on the first two R peaks of :attr:`lead` in view, and show them.

        Returns
        -------
        bool
            Whether there were two R peaks in view; if not, the calipers stay where they
            were and :attr:`note` says why.
        """
        placed = self._place_on_beats()
        if placed:
            self._show_calipers = True
        else:
            self.note = self._no_beats_note("calipers not moved")
        self._changed()
        return placed

    def fiducials_in_view(self, kind: str = "R") -> np.ndarray:
        """Times (s from the record start) of one kind of fiducial of :attr:`lead` in view.

        Parameters
        ----------
        kind : str
            ``"R"`` for R peaks (detected on :attr:`lead`, cached), or another kind of
            :data:`~ecgtoolkit.viewer.calipers.SNAP_KINDS` (from the fiducials of
            :func:`ecgtoolkit.delineate`, delineated as for :attr:`show_marks`).

        Returns
        -------
        numpy.ndarray
            Sorted times in seconds within the visible window.
        """
        kind = snap_kind(kind) or "R"
        first, stop = self._start, self._start + self._n
        if kind == "R":
            return self._peaks.between(self.lead, first, stop) / self.fs
        self._marks.load(first, stop)
        marks = self._marks.by_lead.get(self.lead)
        samples = np.zeros(0) if marks is None else marks[:, MARK_COLUMNS.index(kind)]
        return np.sort(samples[(samples >= first) & (samples < stop)]) / self.fs

    def click(self, x_px: float, y_px: float, *, snap: bool | str = False) -> bool:
        """Put a caliper where the picture was clicked (alternately the first and second).

        Parameters
        ----------
        x_px, y_px : float
            Position in the picture's pixels, from its top left corner.
        snap : bool or str
            As in :meth:`set_calipers`: ``True`` moves the caliper to the nearest R
            peak in view, so a click between two beats lands on the nearer one.

        Returns
        -------
        bool
            Whether the click fell on a strip (clicks elsewhere are ignored).
        """
        t = self.time_at(x_px, y_px)
        if t is None:
            return False
        self.move_caliper(self._next_click + 1, t, snap=snap)
        self._next_click = 1 - self._next_click
        return True

    def time_at(self, x_px: float, y_px: float) -> float | None:
        """The record time under a pixel of the picture, or None off the strips."""
        return self._renderer.time_at(x_px, y_px)

    def _snapped(self, name: str, t: float, kind: str | None) -> float:
        """``t`` checked to be in view, moved to the nearest fiducial of ``kind`` if any."""
        t = float(t)
        if not np.isfinite(t) or not self.start_s - 1e-9 <= t <= self.end_s + 1e-9:
            raise ValueError(
                f"caliper {name}={t:g} s is outside the visible window "
                f"{self.start_s:g}–{self.end_s:g} s; scroll there first"
            )
        if kind is None:
            return t
        times = self.fiducials_in_view(kind)
        if times.size == 0:
            self.note = f"No {SNAP_KINDS[kind]} in view in {self.lead}: {name} not snapped."
            return t
        return float(times[np.argmin(np.abs(times - t))])

    def _place_on_beats(self) -> bool:
        """Calipers on the first two R peaks in view; False (nothing moved) if fewer."""
        peaks = self.fiducials_in_view("R")
        if peaks.size < 2:
            return False
        self._caliper_times = (float(peaks[0]), float(peaks[1]))
        self._next_click = 0
        return True

    def _no_beats_note(self, outcome: str) -> str:
        return f"Fewer than two R peaks in view in {self.lead}: {outcome}."

    def _value_at(self, lead: str, t: float) -> float:
        x = self._signal[self._row(lead)]
        position = t * self.fs
        i = int(np.clip(np.floor(position), 0, x.size - 1))
        j = min(i + 1, x.size - 1)
        fraction = position - i
        return float(x[i] + (x[j] - x[i]) * fraction) if fraction else float(x[i])

    @property
    def caliper_reading(self) -> CaliperReading | None:
        """Δt, ΔV and rate between the calipers, on :attr:`lead` (None if not placed)."""
        if self._caliper_times is None:
            return None
        t1, t2 = self._caliper_times
        v1, v2 = self._value_at(self.lead, t1), self._value_at(self.lead, t2)
        dt_ms = round((t2 - t1) * 1000.0, 6)
        rate = 60000.0 / abs(dt_ms) if dt_ms else float("nan")
        return CaliperReading(self.lead, t1, t2, v1, v2, dt_ms, v2 - v1, rate)

    @property
    def caliper_text(self) -> str:
        """The caliper reading as one line of text (saying which are off-screen)."""
        reading = self.caliper_reading
        if reading is None:
            return "No calipers placed: click the trace to place them."
        return reading_text(reading, self.calipers_in_view)

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
        """Whether the calipers are drawn and read.

        Showing calipers that were never placed puts them on the first two R peaks in
        view, if there are two.
        """
        return self._show_calipers

    @show_calipers.setter
    def show_calipers(self, value: bool) -> None:
        if value and self._caliper_times is None and not self._place_on_beats():
            self.note = self._no_beats_note("click the trace to place the calipers")
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
