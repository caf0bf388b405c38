"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecgtoolkit.databases import data_dir as _find_data_dir


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder holding the shared real ECG databases (ludb/, mitdb/, ...).

    Tests that use it are skipped where the data are absent.
    """
    folder = _find_data_dir()
    if folder is None:
        pytest.skip(
            "shared ECG data not found: set ECGTOOLKIT_DATA to the folder that holds "
            "ludb/, mitdb/, cinc2021/, ..."
        )
    return folder
