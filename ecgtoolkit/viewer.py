"""Look through an ECG in Jupyter: scroll, zoom, switch leads, read calipers off ECG paper."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .ecg import ECG

if TYPE_CHECKING:
    import ipywidgets
    import pandas as pd

__all__ = ["CaliperReading", "ECGViewer", "decimate_minmax", "view"]

_SPEED_MM_S = 25.0  # paper speed, mm per second
_GAIN_MM_MV = 10.0  # amplitude, mm per mV
_MINOR_S, _MINOR_MV = 0.04, 0.1  # one 1 mm box
_ROW_S = 10.0  # longer windows wrap into rows of 10 s, as on a full-disclosure page
#: The window lengths offered (seconds); any length from 2.5 to 60 s is accepted.
WINDOW_CHOICES_S = (2.5, 5.0, 10.0, 20.0, 30.0, 60.0)
_PAPER = "#fff6f4"
_GRID_MINOR = "#f4c2c2"
_GRID_MAJOR = "#e07f7f"
_WAVES = {"P": "#1f5fbf", "QRS": "#c8102e", "T": "#1e8c3a"}
#: Columns of :func:`ecgtoolkit.delineate` drawn for each wave: onset, peak, offset.
_WAVE_COLUMNS = {
    "P": ("P_on", "P_peak", "P_off"),
    "QRS": ("QRS_on", "R_peak", "QRS_off"),
    "T": ("T_on", "T_peak", "T_off"),
}
_MARK_COLUMNS = tuple(c for columns in _WAVE_COLUMNS.values() for c in columns)
_CALIPER_COLORS = ("#0b3d91", "#d2691e")
_MARK_BLOCK_S = 60.0  # long records are delineated a minute at a time, when first shown
_MARK_CONTEXT_S = 5.0
_PAD_PX = 4
_GAP_PX = 6


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


def decimate_minmax(x: np.ndarray, n_columns: int) -> np.ndarray:
    """Indices of the samples to draw so that ``n_columns`` pixel columns look undecimated.

    The samples are cut into at most ``n_columns`` runs of equal length; each run keeps
    its smallest and largest sample (in time order), so every peak and trough is drawn
    at its own height and time, while a long window costs at most ``2 * n_columns``
    points. NaN samples are kept only where a whole run is NaN, so gaps stay visible.

    Parameters
    ----------
    x : numpy.ndarray
        One-dimensional signal.
    n_columns : int
        Pixel columns the signal is drawn across (≥ 1).

    Returns
    -------
    numpy.ndarray
        Sorted int64 indices into ``x``; all of them when ``x`` has at most
        ``2 * n_columns`` samples.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros(10_000)
    >>> x[1234] = 5.0
    >>> idx = decimate_minmax(x, 100)
    >>> len(idx) <= 200, x[idx].max()
    (True, np.float64(5.0))
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"x has {x.ndim} dimensions, expected one")
    if int(n_columns) < 1:
        raise ValueError(f"n_columns must be at least 1, got {n_columns}")
    n = x.size
    if n <= 2 * int(n_columns):
        return np.arange(n, dtype=np.int64)
    run = -(-n // int(n_columns))
    n_runs = -(-n // run)
    padded = np.full(n_runs * run, np.nan)
    padded[:n] = x
    runs = padded.reshape(n_runs, run)
    missing = np.isnan(runs)
    lows = np.where(missing, np.inf, runs).argmin(axis=1)
    highs = np.where(missing, -np.inf, runs).argmax(axis=1)
    offsets = np.arange(n_runs, dtype=np.int64) * run
    idx = np.concatenate([lows + offsets, highs + offsets])
    return np.unique(idx[idx < n])


def _grid_segments(
    xs: np.ndarray, ys: np.ndarray, width: float, bottom: float, height: float
) -> np.ndarray:
    """Vertical lines at ``xs`` and horizontal lines at ``ys``, as ``(n, 2, 2)`` segments."""
    vertical = np.empty((xs.size, 2, 2))
    vertical[:, :, 0] = xs[:, None]
    vertical[:, :, 1] = (bottom, bottom + height)
    horizontal = np.empty((ys.size, 2, 2))
    horizontal[:, :, 0] = (0.0, width)
    horizontal[:, :, 1] = ys[:, None]
    return np.concatenate([vertical, horizontal])


def _clock(seconds: float) -> str:
    """``m:ss.s`` (or ``h:mm:ss.s``) for a time in seconds."""
    minutes, sec = divmod(max(seconds, 0.0), 60.0)
    hours, minutes = divmod(int(minutes), 60)
    if hours:
        return f"{hours}:{minutes:02d}:{sec:04.1f}"
    return f"{minutes}:{sec:04.1f}"


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
    the smallest and largest sample of each (:func:`decimate_minmax`), so a 60 s window
    of a 1 kHz record draws about 2 points per column yet shows every QRS peak. The
    figure, axes and line artists are made once per layout (leads shown, window
    length) and only get new data while scrolling.

    The paper grid is the standard one (AHA/ACC/HRS recommendations for the
    standardization of the ECG, Kligfield et al. 2007, doi:10.1161/CIRCULATIONAHA.
    106.180200): 1 mm boxes are 0.04 s by 0.1 mV, 5 mm boxes 0.2 s by 0.5 mV.

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit.ecg import ECG
    >>> from ecgtoolkit.viewer import ECGViewer
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
        self._figure: Any = None
        self._background: Any = None
        self._layout_key: tuple | None = None
        self._strips: list[dict[str, Any]] = []
        self._drawn: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._marks_by_lead: dict[str, np.ndarray] = {}
        self._mark_blocks: set[int] = set()
        self._marks_frame = None
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
                self._marks_frame = self._check_marks(marks)
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
        strip_mm = [self._bands[name] * _GAIN_MM_MV for name in shown] * (-(-n // row_n))
        width_mm = row_n / self.fs * _SPEED_MM_S
        spare_w = self._width_px - 2 * _PAD_PX
        spare_h = self._max_height_px - 2 * _PAD_PX - _GAP_PX * (len(strip_mm) - 1)
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
        self._ensure_layout()
        height = self._figure.bbox.height
        for strip in self._strips:
            box = strip["ax"].bbox
            if box.x0 <= x_px <= box.x1 and box.y0 <= height - y_px <= box.y1:
                offset = (x_px - box.x0) / box.width * self.row_s
                t = (self._start + strip["row"] * self._row_n) / self.fs + offset
                return float(min(t, self.end_s))
        return None

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
            self._load_marks(self._start, self._start + self._n)
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

    def _check_marks(self, frame: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in ("lead", *_MARK_COLUMNS) if c not in getattr(frame, "columns", ())]
        if missing:
            raise ValueError(
                "marks must be True or a DataFrame from ecgtoolkit.delineate; "
                f"this one lacks {', '.join(missing)}"
            )
        return frame

    def _load_marks(self, first: int, stop: int) -> None:
        """Have the fiducials of samples ``first:stop`` at hand, delineating if needed."""
        if self._marks_frame is not None:
            if not self._marks_by_lead:
                self._add_marks(self._marks_frame, 0, None)
            return
        from .delineation import delineate

        n = self._ecg.n_samples
        block = int(round(_MARK_BLOCK_S * self.fs))
        if n <= 2 * block:
            if not self._mark_blocks:
                self._add_marks(delineate(self._ecg), 0, None)
                self._mark_blocks.add(0)
            return
        context = int(round(_MARK_CONTEXT_S * self.fs))
        for b in range(first // block, (stop - 1) // block + 1):
            if b in self._mark_blocks:
                continue
            lo, hi = max(b * block - context, 0), min((b + 1) * block + context, n)
            piece = self._ecg.crop(lo / self.fs, hi / self.fs)
            self._add_marks(delineate(piece), lo, (b * block, (b + 1) * block))
            self._mark_blocks.add(b)

    def _add_marks(self, frame: pd.DataFrame, shift: int, keep: tuple[int, int] | None) -> None:
        for name in self._ecg.leads:
            rows = frame[frame["lead"] == name]
            values = rows[list(_MARK_COLUMNS)].to_numpy(dtype=float) + shift
            if keep is not None:
                r_peak = values[:, _MARK_COLUMNS.index("R_peak")]
                values = values[(r_peak >= keep[0]) & (r_peak < keep[1])]
            old = self._marks_by_lead.get(name)
            self._marks_by_lead[name] = values if old is None else np.vstack([old, values])

    # -- drawing -----------------------------------------------------------------------------
    @property
    def figure(self):
        """The matplotlib Figure that :meth:`render` draws (made on first use)."""
        self._ensure_layout()
        return self._figure

    def drawn(self, lead: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The points last drawn for a lead: times in s from the record start, values in mV.

        These are the decimated samples of the visible window (all rows together).
        """
        name = self.lead if lead is None else self._resolve_leads(lead)[0]
        if name not in self._drawn:
            raise KeyError(f"lead {name!r} is not shown (shown: {', '.join(self._shown)})")
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

    def _row(self, lead: str) -> int:
        return self._ecg.leads.index(lead)

    def _ensure_layout(self) -> None:
        """Make the figure, its paper and its artists again if the leads or rows changed."""
        key = (self._shown, self._row_n, self.n_rows)
        if key == self._layout_key:
            return
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import LineCollection
        from matplotlib.figure import Figure

        px_mm, strip_mm, width_mm = self._scale(self._shown, self._n)
        n_strips = len(strip_mm)
        ax_w = width_mm * px_mm
        heights = [mm * px_mm for mm in strip_mm]
        fig_w = int(np.ceil(ax_w + 2 * _PAD_PX))
        fig_h = int(np.ceil(sum(heights) + 2 * _PAD_PX + _GAP_PX * (n_strips - 1)))
        if self._figure is None:
            self._figure = Figure(dpi=self._dpi, facecolor="white")
            FigureCanvasAgg(self._figure)
        fig = self._figure
        fig.clear()
        fig.set_size_inches(fig_w / self._dpi, fig_h / self._dpi)
        k = np.arange(int(np.floor(self.row_s / _MINOR_S + 1e-9)) + 1)
        gx, gx_major = k * _MINOR_S, k % 5 == 0
        self._strips = []
        top = fig_h - _PAD_PX
        for i, height in enumerate(heights):
            row, name = divmod(i, len(self._shown))
            lead = self._shown[name]
            band = self._bands[lead]
            bottom = top - height
            top = bottom - _GAP_PX
            ax = fig.add_axes(
                (_PAD_PX / fig_w, bottom / fig_h, ax_w / fig_w, height / fig_h),
                facecolor=_PAPER,
            )
            ax.set_xlim(0, self.row_s)
            ax.set_ylim(0, band)  # the trace is drawn from the strip's bottom edge
            ax.set_axis_off()
            ax.patch.set_visible(True)
            j = np.arange(int(round(band / _MINOR_MV)) + 1)
            gy, gy_major = j * _MINOR_MV, j % 5 == 0
            if px_mm >= 2.5:  # finer 1 mm lines would merge into a pink wash
                ax.add_collection(
                    LineCollection(
                        _grid_segments(gx[~gx_major], gy[~gy_major], self.row_s, 0.0, band),
                        colors=_GRID_MINOR,
                        linewidths=0.35,
                        zorder=0,
                    )
                )
            ax.add_collection(
                LineCollection(
                    _grid_segments(gx[gx_major], gy[gy_major], self.row_s, 0.0, band),
                    colors=_GRID_MAJOR,
                    linewidths=0.7,
                    zorder=0,
                )
            )
            (trace,) = ax.plot([], [], color="black", lw=0.9, animated=True)
            waves = {}
            for wave, color in _WAVES.items():
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
        if self._show_marks:
            self._load_marks(self._start, self._start + self._n)
        pieces: dict[str, tuple[list, list]] = {name: ([], []) for name in self._shown}
        caliper_t = self.calipers
        for strip in self._strips:
            name = strip["lead"]
            row_first = self._start + strip["row"] * self._row_n
            row_stop = min(row_first + self._row_n, self._start + self._n)
            x = self._signal[self._row(name), row_first:row_stop]
            idx = decimate_minmax(x, strip["columns"])
            t_rel, y = idx / self.fs, x[idx]
            pieces[name][0].append(t_rel + row_first / self.fs)
            pieces[name][1].append(y)
            y_lo = self._strip_bottom(y, self._bands[name])
            strip["trace"].set_data(t_rel, y - y_lo)

            marks = self._marks_by_lead.get(name) if self._show_marks else None
            for wave, (bounds, peaks) in strip["waves"].items():
                if marks is None:
                    bounds.set_data([], [])
                    peaks.set_data([], [])
                    continue
                on, peak, off = (_MARK_COLUMNS.index(c) for c in _WAVE_COLUMNS[wave])
                for artist, chosen in ((bounds, [on, off]), (peaks, [peak])):
                    points = marks[:, chosen].ravel()
                    points = points[(points >= row_first) & (points < row_stop)] - row_first
                    values = np.interp(points, np.arange(x.size), x) - y_lo
                    artist.set_data(points / self.fs, values)

            row_start_s = row_first / self.fs
            for line, t in zip(strip["calipers"], caliper_t, strict=True):
                inside = self.show_calipers and row_start_s <= t <= row_stop / self.fs
                line.set_visible(bool(inside))
                if inside:
                    line.set_xdata([t - row_start_s] * 2)
            first_lead = name == self._shown[0]
            strip["label"].set_text(f"{name}  {_clock(row_start_s)}" if first_lead else name)
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

    # -- the widget ----------------------------------------------------------------------------
    @property
    def widget(self) -> ipywidgets.VBox:
        """The viewer as an ipywidgets ``VBox`` (made on first use; see :func:`view`)."""
        if getattr(self, "_widget", None) is None:
            self._widget = _build_widget(self)
        return self._widget

    def _status_text(self) -> str:
        where = (
            f"{_clock(self.start_s)}–{_clock(self.end_s)} of {_clock(self.duration_s)} "
            f"· {self.fs:g} Hz · 25 mm/s, 10 mm/mV"
        )
        return where + (f" · {self.note}" if self.note else "")


def _build_widget(viewer: ECGViewer) -> ipywidgets.VBox:
    """Controls around the picture; every change goes through the viewer's methods."""
    import ipywidgets as w

    all_leads = "all leads"
    button = w.Layout(width="42px")
    previous = w.Button(description="◀", tooltip="previous window", layout=button)
    following = w.Button(description="▶", tooltip="next window", layout=button)
    start = w.FloatSlider(
        description="start (s)",
        step=0.01,
        readout_format=".2f",
        continuous_update=False,
        layout=w.Layout(width="460px"),
    )
    window = w.Dropdown(description="window", layout=w.Layout(width="170px"))
    lead_options = list(viewer.available_leads)
    if len(lead_options) > 1:
        lead_options.append(all_leads)
    lead = w.Dropdown(options=lead_options, description="lead", layout=w.Layout(width="170px"))
    marks = w.Checkbox(value=viewer.show_marks, description="fiducials", indent=False)
    marks.layout.width = "90px"
    slider = {"step": 1 / viewer.fs, "readout_format": ".3f", "continuous_update": False}
    c1 = w.FloatSlider(description="caliper 1 (s)", layout=w.Layout(width="420px"), **slider)
    c2 = w.FloatSlider(description="caliper 2 (s)", layout=w.Layout(width="420px"), **slider)
    for control in (c1, c2):
        control.style.description_width = "90px"
    show = w.Checkbox(value=viewer.show_calipers, description="calipers", indent=False)
    snap = w.Checkbox(value=False, description="snap to peak", indent=False)
    show.layout.width = snap.layout.width = "110px"
    reading = w.HTML()
    status = w.HTML()
    image = w.Image(format="png")
    image.layout.max_width = "100%"
    image.layout.height = "auto"
    legend = w.HTML(
        "<small>Fiducials: <b style='color:#1f5fbf'>P</b>, <b style='color:#c8102e'>QRS</b>, "
        "<b style='color:#1e8c3a'>T</b> (| onset and offset, • peak).</small>"
    )
    syncing = {"on": False}

    def refresh() -> None:
        """Show the viewer's state in the controls and the picture."""
        syncing["on"] = True
        try:
            lo, hi = viewer.slider_range
            # One message per slider, so the browser never clamps a value to the old range.
            with start.hold_sync(), start.hold_trait_notifications():
                start.min, start.max = lo, max(hi, lo)
                start.value = viewer.start_s
            start.disabled = hi <= lo
            choices = sorted(
                {*[c for c in WINDOW_CHOICES_S if c <= viewer.duration_s], viewer.window_s}
            )
            with window.hold_sync():
                window.options = [(f"{c:g} s", c) for c in choices]
                window.value = viewer.window_s
            lead.value = (
                all_leads if len(viewer.leads) == len(viewer.available_leads) > 1 else viewer.lead
            )
            marks.value = viewer.show_marks
            show.value = viewer.show_calipers
            t1, t2 = viewer.calipers
            for control, t in ((c1, t1), (c2, t2)):
                with control.hold_sync(), control.hold_trait_notifications():
                    control.min, control.max = viewer.start_s, viewer.end_s
                    control.value = t
                control.disabled = not viewer.show_calipers
            reading.value = f"<b>{viewer.caliper_text}</b>" if viewer.show_calipers else ""
            status.value = f"<small>{viewer._status_text()}</small>"
            image.value = viewer.render()
            image.width = str(int(viewer.figure.bbox.width))  # shown pixel for pixel
        finally:
            syncing["on"] = False

    def act(change_model):
        """A control's handler: change the model (which redraws), or show why not."""

        def handler(*args):
            if syncing["on"]:
                return
            try:
                change_model(*args)
            except (ValueError, KeyError) as error:
                viewer.note = str(error).strip("'\"")
                refresh()

        return handler

    def set_lead(change):
        viewer.leads = viewer.available_leads if change["new"] == all_leads else change["new"]

    def set_marks(change):
        if change["new"]:
            status.value = "<small>delineating…</small>"
        viewer.show_marks = change["new"]

    previous.on_click(act(lambda _: viewer.previous()))
    following.on_click(act(lambda _: viewer.next()))
    start.observe(act(lambda change: setattr(viewer, "start_s", change["new"])), "value")
    window.observe(act(lambda change: setattr(viewer, "window_s", change["new"])), "value")
    lead.observe(act(set_lead), "value")
    marks.observe(act(set_marks), "value")
    for control in (c1, c2):
        control.observe(
            act(lambda _: viewer.set_calipers(c1.value, c2.value, snap=snap.value)), "value"
        )
    show.observe(act(lambda change: setattr(viewer, "show_calipers", change["new"])), "value")

    controls = [
        w.HBox([previous, start, following, window, lead, marks]),
        image,
        w.HBox([c1, c2, show, snap]),
        reading,
        status,
        legend,
    ]
    try:
        from ipyevents import Event
    except ImportError:
        hint = "Install ipyevents to place the calipers by clicking on the trace."
    else:
        hint = (
            "Click the trace to place caliper 1, then caliper 2; with the pointer on the "
            "picture, ← → scroll and + − zoom."
        )
        keys = {
            "ArrowRight": viewer.next,
            "ArrowLeft": viewer.previous,
            "+": viewer.zoom_in,
            "=": viewer.zoom_in,
            "-": viewer.zoom_out,
        }

        def on_event(event):
            if event.get("type") == "click" and "dataX" in event:
                viewer.click(event["dataX"], event["dataY"], snap=snap.value)
            elif event.get("type") == "keydown" and event.get("key") in keys:
                keys[event["key"]]()

        events = Event(
            source=image, watched_events=["click", "keydown"], prevent_default_action=True
        )
        events.on_dom_event(act(on_event))
        viewer._events = events  # the click and key listener lives as long as the viewer
    controls.append(w.HTML(f"<small>{hint}</small>"))
    refresh()
    viewer.on_change(refresh)
    return w.VBox(controls)


def view(
    ecg: ECG,
    *,
    lead: str | Sequence[str] | None = None,
    start_s: float = 0.0,
    window_s: float = 10.0,
    marks: bool | pd.DataFrame | None = None,
    record: int | None = None,
) -> ipywidgets.VBox:
    """Show an ECG in Jupyter on ECG paper, to scroll, zoom, switch leads and measure.

    ◀ ▶ move by one window, the slider anywhere in the record, the window menu zooms
    (2.5 to 60 s; windows over 10 s wrap into rows of 10 s), the lead menu switches
    leads (or shows them all). Two calipers (dashed lines) read Δt in ms, the rate in
    bpm that Δt means as an RR interval, and ΔV in mV between the values of the top lead
    at the two calipers; move them with their sliders or, with ipyevents installed, by
    clicking the trace (first click caliper 1, next click caliper 2).

    Parameters
    ----------
    ecg : ECG
        One record, or a batch with ``record``.
    lead : str or sequence of str, optional
        Lead(s) shown first. Default: II if present, else the first lead.
    start_s : float
        Start of the first window in seconds.
    window_s : float
        Window length in seconds, 2.5 to 60.
    marks : bool or pandas.DataFrame, optional
        ``True`` draws the fiducials of :func:`ecgtoolkit.delineate` (P, QRS and T
        onsets, peaks and offsets); a DataFrame from it is drawn as given.
    record : int, optional
        Record of a batch to show.

    Returns
    -------
    ipywidgets.VBox
        The widget; its ``viewer`` attribute is the :class:`ECGViewer` behind it.

    Raises
    ------
    TypeError, ValueError, KeyError
        As :class:`ECGViewer`.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> from ecgtoolkit.viewer import view
    >>> ecg = et.read("mitdb/100")  # doctest: +SKIP
    >>> view(ecg, lead="V5", window_s=20, marks=True)  # doctest: +SKIP
    """
    viewer = ECGViewer(
        ecg, lead=lead, start_s=start_s, window_s=window_s, marks=marks, record=record
    )
    box = viewer.widget
    box.viewer = viewer
    return box
