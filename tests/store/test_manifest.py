import json
from dataclasses import replace

import pytest

from ecgtoolkit.store import Manifest

BASE = Manifest(
    seed=1,
    format="wfdb",
    leads=("I", "II"),
    batch_size=8,
    first_id=0,
    count=2,
    version="0.1.0",
    generator={"device": "cpu"},
)


def test_round_trip_through_json(tmp_path):
    path = tmp_path / "manifest.json"
    BASE.write(path, overwrite=False)
    assert Manifest.read(path) == BASE
    data = json.loads(path.read_text())
    assert data["ecgtoolkit"] == "0.1.0" and data["leads"] == ["I", "II"]
    assert data["fs"] == 500.0 and data["units"] == "mV"


def test_written_once_unless_asked(tmp_path):
    path = tmp_path / "manifest.json"
    BASE.write(path, overwrite=False)
    with pytest.raises(FileExistsError):
        replace(BASE, seed=2).write(path, overwrite=False)
    assert Manifest.read(path).seed == 1
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_mismatch_names_what_differs():
    asked = replace(BASE, format="csv")
    assert BASE.mismatch(asked, where="folder") == (
        "this folder was generated with seed=1, format=wfdb; you asked for seed=1, format=csv"
    )
    message = BASE.mismatch(replace(BASE, seed=3, batch_size=16, version="0.2.0"))
    assert message == (
        "this dataset was generated with seed=1, batch_size=8, version=0.1.0; "
        "you asked for seed=3, batch_size=16, version=0.2.0"
    )
    assert "2 leads" in BASE.mismatch(replace(BASE, leads=("I",)))


def test_equal_settings_match_whatever_the_generator_info():
    assert BASE.mismatch(replace(BASE, generator={"device": "cuda"})) is None
    assert BASE.mismatch(replace(BASE, count=5), keys=("seed", "format")) is None


def test_missing_manifest_is_none(tmp_path):
    assert Manifest.read(tmp_path / "manifest.json") is None


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("{not json", "not a readable manifest"),
        ("[1, 2]", "not a manifest"),
        ('{"seed": 1, "format": "wfdb"}', "lacks the setting"),
    ],
)
def test_unreadable_manifests_are_refused_clearly(tmp_path, content, match):
    path = tmp_path / "manifest.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=match):
        Manifest.read(path)
