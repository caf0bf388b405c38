import pytest

from ecgtoolkit.datasets import data_dir


def test_env_variable_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("ECGTOOLKIT_DATA", str(tmp_path))
    assert data_dir() == tmp_path


def test_env_variable_pointing_nowhere(tmp_path, monkeypatch):
    monkeypatch.setenv("ECGTOOLKIT_DATA", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        data_dir()


def test_default_is_shared_data_when_present(monkeypatch):
    monkeypatch.delenv("ECGTOOLKIT_DATA", raising=False)
    folder = data_dir()
    if folder is None:
        pytest.skip("shared ECG data not present on this machine")
    assert (folder / "ludb").is_dir()
