"""Where the real ECG databases live on this machine.

The toolkit never downloads data at run time. Tests, benchmarks and notebooks find the
shared databases (LUDB, CinC 2021, CPSC, MIT-BIH, PTB) through :func:`data_dir`: the
folder named by the environment variable ``ECGTOOLKIT_DATA``, or ``../shared/data``
next to the project when that exists.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir"]

_ENV = "ECGTOOLKIT_DATA"


def data_dir(required: bool = False) -> Path | None:
    """Return the folder holding the shared ECG databases, or None.

    Parameters
    ----------
    required : bool
        Raise instead of returning None when no folder is found.

    Returns
    -------
    pathlib.Path or None
        ``$ECGTOOLKIT_DATA`` if set, else ``../shared/data`` relative to the project
        root (or to the working directory) when it exists.

    Raises
    ------
    FileNotFoundError
        If ``ECGTOOLKIT_DATA`` names a missing folder, or ``required`` and none is found.

    Examples
    --------
    >>> from ecgtoolkit.datasets import data_dir
    >>> folder = data_dir()   # None where the data are absent
    """
    env = os.environ.get(_ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"{_ENV}={env!r} is not a folder; point it at the shared data")
        return path
    project_root = Path(__file__).resolve().parent.parent
    for candidate in (
        project_root.parent / "shared" / "data",
        Path.cwd().parent / "shared" / "data",
    ):
        if candidate.is_dir():
            return candidate
    if required:
        raise FileNotFoundError(
            f"no ECG data folder found: set {_ENV} to the folder that holds ludb/, mitdb/, ..."
        )
    return None
