"""The viewer's fiducials: given, or delineated a minute at a time as they come into view."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..core.ecg import ECG
from .render import MARK_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MarkCache", "blocks_to_load"]

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

        fs = self.ecg.fs
        for block, lo, hi, keep in blocks_to_load(
            self.ecg.n_samples, fs, first, stop, self._blocks
        ):
            piece = self.ecg if keep is None else self.ecg.crop(lo / fs, hi / fs)
            self._add(delineate(piece), lo, keep)
            self._blocks.add(block)

    def _add(self, frame: pd.DataFrame, shift: int, keep: tuple[int, int] | None) -> None:
        for name in self.ecg.leads:
            rows = frame[frame["lead"] == name]
            values = rows[list(MARK_COLUMNS)].to_numpy(dtype=float) + shift
            if keep is not None:
                r_peak = values[:, MARK_COLUMNS.index("R_peak")]
                values = values[(r_peak >= keep[0]) & (r_peak < keep[1])]
            old = self.by_lead.get(name)
            self.by_lead[name] = values if old is None else np.vstack([old, values])


def blocks_to_load(
    n_samples: int, fs: float, first: int, stop: int, loaded: set[int]
) -> list[tuple[int, int, int, tuple[int, int] | None]]:
    """The pieces of a record to analyse so that samples ``first:stop`` are covered.

    Records of up to 2 minutes are one piece, the whole record; longer ones are cut
    into minutes, each analysed with 5 s of signal on either side so that beats at its
    edges are whole. Blocks already in ``loaded`` are skipped.

    Returns
    -------
    list of (block, lo, hi, keep)
        Block number, the samples ``lo:hi`` to analyse, and the samples ``keep`` whose
        results belong to this block (``None``: the whole record, keep everything).
    """
    block = int(round(_BLOCK_S * fs))
    if n_samples <= 2 * block:
        return [] if 0 in loaded else [(0, 0, n_samples, None)]
    context = int(round(_CONTEXT_S * fs))
    pieces = []
    for b in range(max(first, 0) // block, (min(stop, n_samples) - 1) // block + 1):
        if b not in loaded:
            lo, hi = max(b * block - context, 0), min((b + 1) * block + context, n_samples)
            pieces.append((b, lo, hi, (b * block, (b + 1) * block)))
    return pieces
