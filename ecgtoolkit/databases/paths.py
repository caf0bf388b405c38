"""Where the databases are: the shared copy and the download cache."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "DATA_ENV", "cache_dir", "data_dir"]

#: Environment variable naming the folder of shared databases (``ludb/``, ``mitdb/``, ...).
DATA_ENV = "ECGTOOLKIT_DATA"
#: Environment variable naming the download cache.
CACHE_ENV = "ECGTOOLKIT_CACHE"


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
    >>> from ecgtoolkit.databases import data_dir
    >>> folder = data_dir()   # None where the data are absent
    """
    env = os.environ.get(DATA_ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(
                f"{DATA_ENV}={env!r} is not a folder; point it at the shared data"
            )
        return path
    project_root = Path(__file__).resolve().parents[2]
    for candidate in (
        project_root.parent / "shared" / "data",
        Path.cwd().parent / "shared" / "data",
    ):
        if candidate.is_dir():
            return candidate
    if required:
        raise FileNotFoundError(
            f"no ECG data folder found: set {DATA_ENV} to the folder that holds ludb/, mitdb/, ..."
        )
    return None


def cache_dir() -> Path:
    """Return the folder where downloaded databases are kept (one subfolder each).

    Returns
    -------
    pathlib.Path
        ``$ECGTOOLKIT_CACHE`` if set, else ``~/.cache/ecgtoolkit``. It need not exist
        yet; a download creates it.

    Examples
    --------
    >>> from ecgtoolkit.databases import cache_dir
    >>> (cache_dir() / "ludb").name
    'ludb'
    """
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ecgtoolkit"
