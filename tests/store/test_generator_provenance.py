"""The generator checkpoint in a dataset's provenance (ecgtoolkit/store/manifest.py,
folder.py, zarr_store.py): its sha256 is in the manifest and in every record read back,
and a resume with another generator file is refused naming both sha256 prefixes."""

import hashlib
import json
from dataclasses import replace

import numpy as np
import pytest
import torch

import ecgtoolkit as et
from ecgtoolkit.generators.checkpoints import WEIGHTS_SHA256
from ecgtoolkit.store import Manifest, generate_store, open_store

pytest.importorskip("deepfakeecg")

FAST = {"n_leads": 8, "batch_size": 2, "progress": False, "device": "cpu"}


def _write_checkpoint(path, shift):
    """The published weights, the last layer's bias moved by ``shift``, as a bare state_dict."""
    state = {k: v.clone() for k, v in et.load_generator("cpu").state_dict().items()}
    state["deconv_7.conv1d.bias"] += shift
    torch.save(state, path)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    folder = tmp_path_factory.mktemp("checkpoints")
    return _write_checkpoint(folder / "mine.pt", 0.05), _write_checkpoint(
        folder / "other.pt", -0.05
    )


def test_manifest_names_the_generator_file():
    base = Manifest(seed=1, format="npy", leads=("I",), batch_size=2, first_id=0, count=2,
                    version="0.1.0")  # fmt: skip
    assert base.weights_sha256 == WEIGHTS_SHA256  # manifests from before generator=
    mine = replace(base, generator={"weights": "/data/mine.pt", "weights_sha256": "ab" * 32})
    assert base.mismatch(mine, where="folder") == (
        f"this folder was generated with seed=1, the published generator (sha256 "
        f"{WEIGHTS_SHA256[:12]}…); you asked for seed=1, generator mine.pt (sha256 "
        f"{'ab' * 6}…)"
    )


def test_folder_records_the_sha256_and_resumes_only_with_the_same_file(tmp_path, checkpoints):
    (mine, mine_sha), (other, other_sha) = checkpoints
    out = et.generate_to(tmp_path / "ds", 2, seed=1, format="npy", generator=mine, **FAST)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["generator"]["weights_sha256"] == mine_sha
    assert manifest["generator"]["weights"] == str(mine.resolve())
    expected = et.generate(2, seed=1, generator=mine, **FAST)
    np.testing.assert_allclose(et.read(out / "1.npy").signal, expected.signal[1], atol=1e-6)
    assert np.abs(expected.signal - et.generate(2, seed=1, **FAST).signal).max() > 0.05

    for asked, sha in ((None, WEIGHTS_SHA256), (other, other_sha)):
        with pytest.raises(ValueError, match="cannot resume") as info:
            et.generate_to(out, 3, seed=1, format="npy", generator=asked, resume=True, **FAST)
        message = str(info.value)
        assert mine_sha[:12] in message and sha[:12] in message
        assert "mine.pt" in message
    assert not (out / "2.npy").exists()
    et.generate_to(out, 3, format="npy", generator=mine, resume=True, **FAST)
    more = et.generate(1, seed=1, start_id=2, generator=mine, **FAST)
    np.testing.assert_allclose(et.read(out / "2.npy").signal, more.signal[0], atol=1e-6)
    with pytest.raises(FileExistsError, match=f"generator mine.pt \\(sha256 {mine_sha[:12]}…"):
        et.generate_to(out, 3, seed=1, format="npy", **FAST)


def test_a_folder_of_the_published_weights_refuses_another_generator(tmp_path, checkpoints):
    (mine, mine_sha), _ = checkpoints
    out = et.generate_to(tmp_path / "ds", 1, seed=2, format="npy", **FAST)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["generator"]["weights_sha256"] == WEIGHTS_SHA256
    with pytest.raises(ValueError, match=f"{WEIGHTS_SHA256[:12]}.*{mine_sha[:12]}"):
        et.generate_to(out, 2, format="npy", generator=mine, resume=True, **FAST)
    # A manifest written before generator= existed counts as the published weights.
    del manifest["generator"]["weights_sha256"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    et.generate_to(out, 2, format="npy", resume=True, **FAST)
    assert (out / "1.npy").exists()


def test_store_records_the_sha256_and_resumes_only_with_the_same_file(tmp_path, checkpoints):
    (mine, mine_sha), _ = checkpoints
    path = generate_store(tmp_path / "x.zarr", 3, seed=1, generator=mine, records_per_chunk=2,
                          encoding="float32", **FAST)  # fmt: skip
    store = open_store(path)
    assert store.manifest.weights_sha256 == mine_sha
    assert store[2].meta["generator"]["weights_sha256"] == mine_sha
    assert store[0:2].meta["generator"]["weights"] == str(mine.resolve())
    expected = et.generate(3, seed=1, generator=mine, **FAST)
    np.testing.assert_array_equal(store[0:3].signal, expected.signal)
    with pytest.raises(ValueError, match="cannot resume") as info:
        generate_store(path, 3, seed=1, records_per_chunk=2, **FAST)
    assert mine_sha[:12] in str(info.value) and WEIGHTS_SHA256[:12] in str(info.value)
    generate_store(path, 3, seed=1, generator=mine, **FAST)  # the same file: nothing to do
    np.testing.assert_array_equal(open_store(path)[0:3].signal, expected.signal)
