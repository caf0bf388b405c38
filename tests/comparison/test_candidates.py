"""Sources of the leaderboard: every kind read into records of the 12 standard leads."""

from __future__ import annotations

import numpy as np
import pytest

import ecgtoolkit as et
from ecgtoolkit.comparison.candidates import common_signals, load_candidate


@pytest.fixture(scope="module")
def gan():
    return et.generate(6, seed=2, n_leads=8, progress=False)


def test_eight_leads_are_completed_to_twelve_by_the_laws(gan):
    c = load_candidate(gan, name="gan", progress=False)
    (batch,) = c.batches
    assert batch.leads == et.STANDARD_LEADS
    i, ii = batch["I"], batch["II"]
    np.testing.assert_allclose(batch["III"], ii - i, atol=1e-6)
    np.testing.assert_allclose(batch["aVR"], -(i + ii) / 2, atol=1e-6)
    assert c.notes == []


def test_a_subset_is_seeded_and_kept_in_order(gan):
    a = load_candidate(gan, n=3, seed=5, progress=False)
    b = load_candidate(gan, n=3, seed=5, progress=False)
    assert a.record_ids == b.record_ids
    assert a.record_ids == sorted(a.record_ids) and len(a) == 3


def test_a_folder_of_mixed_formats_and_rates_with_a_bad_file(tmp_path, gan):
    et.write(gan[0], tmp_path / "a.hea")
    et.write(gan[1].resample(250), tmp_path / "b.npz")
    et.write(gan[2][["I", "II", "V1"]], tmp_path / "c.csv")
    (tmp_path / "d.csv").write_text("not,an\necg,at all\n")
    c = load_candidate(tmp_path, progress=False)
    assert c.name == tmp_path.name
    assert len(c) == 3 and c.rates == [250.0, 500.0]
    assert any("d.csv" in note for note in c.notes)  # one bad file is left out, said
    assert any("V2" in note and "NaN" in note for note in c.notes)  # c.csv lacks chests
    signals, fs, n = common_signals([c], progress=False)
    assert fs == 250 and n == 2500 and signals[0].shape == (3, 12, 2500)


def test_array_files_need_their_rate(tmp_path, gan):
    np.save(tmp_path / "x.npy", gan.signal)
    with pytest.raises(ValueError, match="--fs"):
        load_candidate(tmp_path / "x.npy", progress=False)
    c = load_candidate(tmp_path / "x.npy", fs=500, progress=False)
    assert c.name == "x" and len(c) == 6  # 8 unnamed leads taken as I, II, V1-V6
    np.testing.assert_allclose(c.batches[0]["V1"], gan.signal[:, 2], atol=1e-6)


def test_a_store_and_a_generator(tmp_path):
    et.generate_store(tmp_path / "s.zarr", 5, seed=1, records_per_chunk=2, progress=False)
    c = load_candidate(tmp_path / "s.zarr", n=3, progress=False)
    assert c.name == "s" and len(c) == 3
    direct = et.open_store(tmp_path / "s.zarr")
    first = c.record_ids[0]
    np.testing.assert_array_equal(c.batches[0].signal[0], direct[int(first)].signal)
    g = load_candidate("generator:deepfake", n=2, seed=1, progress=False)
    assert g.name == "deepfake" and len(g) == 2


def test_long_records_are_cut(gan):
    long = et.ECG(np.tile(gan.signal[:1], 3), fs=500, leads=gan.leads)
    c = load_candidate(long, duration_s=10, progress=False)
    assert c.batches[0].n_samples == 5000


@pytest.mark.parametrize(
    ("source", "error", "match"),
    [("generator:nope", ValueError, "unknown generator"),
     ("generator:deepfake", ValueError, "number of records"),
     ("database:nope", ValueError, "database source"),
     ("/no/such/folder", FileNotFoundError, "does not exist"),
     (3.5, TypeError, "a source is")],
)  # fmt: skip
def test_bad_sources_are_refused_clearly(source, error, match):
    with pytest.raises(error, match=match):
        load_candidate(source, progress=False)


def test_a_database_with_a_boolean_column(data_dir):
    c = load_candidate("database:ludb:fully_normal", progress=False)
    meta = et.load_ludb(annotations=False, progress=False).meta
    assert c.name == "ludb" and len(c) == int(meta["fully_normal"].sum())
    with pytest.raises(ValueError, match="boolean column"):
        load_candidate("database:ludb:rhythm", progress=False)
