"""The viewer's fiducials: given, or delineated a minute at a time as they come into view."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..core.ecg import ECG
from .render import MARK_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MarkCache"]

_BLOCK_S = 60.0  # long records are delineated a minute at a time, when first shown
_CONTEXT_S = 5.0  # with this much signal on either side of each minute


class MarkCache:
    """Per lead, the fiducials of the beats seen so far: ``by_lead[lead]`` is an array
    ``(n_beats, 9)`` of sample indices in the order of :data:`MARK_COLUMNS`.

    Parameters
    ----------
    ecg : ECG
        The record shown.
    frame : pandas.DataFrame, optional
        A delineation of it (:func:`ecgtoolkit.delineate`); without one, the record is
        delineated when its marks are first asked for (records over 2 minutes, one minute
        at a time).

    Raises
    ------
    ValueError
        For a frame that lacks the delineation's columns.
    """

    def __init__(self, ecg: ECG, frame: pd.DataFrame | None = None) -> None:
        if frame is not None:
            columns = getattr(frame, "columns", ())
            missing = [c for c in ("lead", *MARK_COLUMNS) if c not in columns]
            if missing:
                raise ValueError(
                    "marks must be True or a DataFrame from ecgtoolkit.delineate; "
                    f"this one lacks {', '.join(missing)}"
                )
        self.ecg = ecg
        self.frame = frame
        self.by_lead: dict[str, np.ndarray] = {}
        self._blocks: set[int] = set()

    def load(self, first: int, stop: int) -> None:
        """Have the fiducials of samples ``first:stop`` at hand, delineating if needed."""
        if self.frame is not None:
            if not self.by_lead:
                self._add(self.frame, 0, None)
            return
        from ..signal.delineation import delineate

        n = self.ecg.n_samples
        fs = self.ecg.fs
        block = int(round(_BLOCK_S * fs))
        if n <= 2 * block:
            if not self._blocks:
                self._add(delineate(self.ecg), 0, None)
                self._blocks.add(0)
            return
        context = int(round(_CONTEXT_S * fs))
        for b in range(first // block, (stop - 1) // block + 1):
            if b in self._blocks:
                continue
            lo, hi = max(b * block - context, 0), min((b + 1) * block + context, n)
            piece = self.ecg.crop(lo / fs, hi / fs)
            self._add(delineate(piece), lo, (b * block, (b + 1) * block))
            self._blocks.add(b)

    def _add(self, frame: pd.DataFrame, shift: int, keep: tuple[int, int] | None) -> None:
        for name in self.ecg.leads:
            rows = frame[frame["lead"] == name]
            values = rows[list(MARK_COLUMNS)].to_numpy(dtype=float) + shift
            if keep is not None:
                r_peak = values[:, MARK_COLUMNS.index("R_peak")]
                values = values[(r_peak >= keep[0]) & (r_peak < keep[1])]
            old = self.by_lead.get(name)
            self.by_lead[name] = values if old is None else np.vstack([old, values])
