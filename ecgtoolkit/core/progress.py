"""Progress bars for long work: one look and one default everywhere.

Every function that can take long has ``progress: bool = True``. The bar (tqdm's, as a
widget in Jupyter) appears only once the work has taken :data:`DELAY_S` seconds, so that
short calls stay silent while long ones say how far they are and how long is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["DELAY_S", "progress_bar"]

#: Seconds of work before a bar appears.
DELAY_S = 1.0


def progress_bar(
    iterable: Iterable[Any] | None = None,
    *,
    total: int | None = None,
    desc: str,
    unit: str = "record",
    enabled: bool = True,
    initial: int = 0,
) -> Any:
    """A tqdm progress bar (a no-op when not ``enabled``).

    Parameters
    ----------
    iterable : iterable, optional
        What to iterate over (as ``tqdm(iterable)``); or None and ``update`` by hand.
    total : int, optional
        Number of units of work.
    desc : str
        What is being done ("measure", "writing wfdb").
    unit : str
        The unit counted ("record", "ECG", "batch").
    enabled : bool
        False: show nothing (the object still takes ``update`` calls).
    initial : int
        Units already done (a resumed run).

    Returns
    -------
    tqdm.tqdm
        Usable as a context manager and as an iterable.

    Examples
    --------
    >>> with progress_bar(total=3, desc="demo", enabled=False) as bar:
    ...     bar.update(3)
    """
    from tqdm.auto import tqdm

    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        disable=not enabled,
        initial=initial,
        delay=DELAY_S,
    )
