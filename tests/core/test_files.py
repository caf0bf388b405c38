import errno
import shutil
from collections import namedtuple

import pytest

from ecgtoolkit.core.files import check_free_space, format_bytes

Usage = namedtuple("Usage", "total used free")


def test_format_bytes_uses_decimal_units():
    assert format_bytes(0) == "0 B"
    assert format_bytes(120_506) == "121 kB"
    assert format_bytes(2.5e9) == "2.5 GB"


def test_a_write_larger_than_the_free_space_is_refused_with_both_sizes(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10**12, 10**12 - 10**9, 10**9))
    check_free_space(tmp_path / "new" / "deeper", 10**9 - 1, "some ECGs")
    with pytest.raises(
        OSError, match=r"some ECGs need about 2 GB but .* has only 1 GB free"
    ) as err:
        check_free_space(tmp_path / "new" / "deeper", 2 * 10**9, "some ECGs")
    assert err.value.errno == errno.ENOSPC
