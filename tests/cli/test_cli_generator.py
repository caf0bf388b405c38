"""``ecgtoolkit generate --generator PATH``: any checkpoint of the generator, recorded in
the manifest; a resume with another file and an unusable file are one-line errors."""

import hashlib
import json

import pytest
import torch

import ecgtoolkit as et
from ecgtoolkit.cli import main
from ecgtoolkit.generators.checkpoints import WEIGHTS_SHA256
from ecgtoolkit.store import open_store

pytest.importorskip("deepfakeecg")

FAST = ["-n", "2", "--seed", "1", "--n-leads", "8", "--batch-size", "2", "--device", "cpu", "-q"]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A Pulse2Pulse training checkpoint of the published weights, last bias moved."""
    state = {k: v.clone() for k, v in et.load_generator("cpu").state_dict().items()}
    state["deconv_7.conv1d.bias"] += 0.05
    path = tmp_path_factory.mktemp("checkpoint") / "epoch_3000.pt"
    torch.save({"epoch": 3000, "netG_state_dict": state}, path)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_generate_with_a_checkpoint_and_resume(tmp_path, checkpoint, capsys):
    path, sha = checkpoint
    out = tmp_path / "fakes"
    given = ["-o", str(out), "--format", "npy", *FAST]
    assert main(["generate", *given, "--generator", str(path)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["generator"]["weights_sha256"] == sha
    expected = et.generate(2, seed=1, n_leads=8, batch_size=2, generator=path, progress=False)
    assert (et.read(out / "0.npy").signal == expected.signal[0]).all()

    assert main(["generate", *given, "--resume"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("ecgtoolkit: error: cannot resume") and "\n" not in err
    assert sha[:12] in err and WEIGHTS_SHA256[:12] in err
    assert main(["generate", *given, "--resume", "--generator", str(path)]) == 0


def test_a_store_records_the_checkpoint(tmp_path, checkpoint):
    path, sha = checkpoint
    out = tmp_path / "fakes.zarr"
    assert main(["generate", "-o", str(out), *FAST, "--generator", str(path)]) == 0
    assert open_store(out).manifest.weights_sha256 == sha


def test_an_unusable_checkpoint_is_one_line_and_leaves_nothing(tmp_path, capsys):
    bad = tmp_path / "model.pt"
    torch.save({"conv_1.weight": torch.zeros(10, 9, 25)}, bad)
    out = tmp_path / "fakes"
    assert main(["generate", "-o", str(out), *FAST, "--generator", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"ecgtoolkit: error: {bad} (a bare state_dict) does not fit")
    assert "conv_1.weight is (10, 9, 25) in the file" in err and "\n" not in err
    assert not out.exists()
    missing = tmp_path / "missing.pt"
    assert main(["generate", "-o", str(out), *FAST, "--generator", str(missing)]) == 1
    assert "missing.pt does not exist" in capsys.readouterr().err
    assert not out.exists()
