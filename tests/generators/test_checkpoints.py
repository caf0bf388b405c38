"""Any checkpoint of the Pulse2Pulse generator (ecgtoolkit/generators/checkpoints.py and
``generator=`` of et.generate): every layout loads the same weights, the rest is refused
with a message that names the file and says what is wrong."""

import hashlib
import importlib

import numpy as np
import pandas as pd
import pytest
import torch

import ecgtoolkit as et
from ecgtoolkit.generators.checkpoints import WEIGHTS_SHA256, read_checkpoint
from ecgtoolkit.generators.generate import PUBLISHED_WEIGHTS, GeneratorSettings, generate_records
from ecgtoolkit.generators.pulse2pulse import _weights_path

pytest.importorskip("deepfakeecg")

#: Added to the last layer's bias: moves the output by about 0.3 mV.
SHIFT = 0.05
FAST = {"n_leads": 8, "batch_size": 2, "progress": False, "device": "cpu"}
ECGEN_INFO = {"lead_names": list(et.GENERATED_LEADS), "fs": 500, "seq_length": 5000, "scale": 6}
ECGEN_PARAMS = {"model_size": 50, "num_channels": 8, "seq_length": 5000, "conditioning": None}


@pytest.fixture(scope="module")
def published_names():
    """The published state dict (its own names, unused entries included), perturbed."""
    state = torch.load(_weights_path(), map_location="cpu", weights_only=True)["stat_dict"]
    state = {name: value.clone() for name, value in state.items()}
    state["deconv_7.conv1d.bias"] += SHIFT
    return state


@pytest.fixture(scope="module")
def ours(published_names):
    """The same perturbed weights under ecgtoolkit's names."""
    model = et.load_generator("cpu")
    state = {name: value.clone() for name, value in model.state_dict().items()}
    state["deconv_7.conv1d.bias"] += SHIFT
    return state


def _ecgen(published_names):
    """ECGEN's generator: transposed convolutions renamed, no fc1 nor ppfilter1."""
    return {
        name.replace("Conv1dTrans", "conv1d_transpose"): value
        for name, value in published_names.items()
        if not name.startswith(("fc1.", "ppfilter1."))
    }


def _lightning(state, prefix="netG.", **extra):
    return {
        "state_dict": {
            **{prefix + name: value for name, value in state.items()},
            "netD.conv1.weight": torch.zeros(50, 8, 25),
        },
        "epoch": 7,
        "global_step": 700,
        "pytorch-lightning_version": "2.4.0",
        "optimizer_states": [{"state": {}, "param_groups": [{"lr": 1e-4, "params": [0]}]}],
        **extra,
    }


LAYOUTS = {
    "published": (
        lambda pub, ours: {"stat_dict": pub},
        "the published Pulse2Pulse layout ('stat_dict')",
    ),
    "pulse2pulse-training": (
        lambda pub, ours: {
            "epoch": 3000,
            "netG_state_dict": pub,
            "netD_state_dict": {"conv1.weight": torch.zeros(50, 8, 25)},
            "optimizerG_state_dict": {"state": {}, "param_groups": [{"lr": 1e-4, "params": []}]},
            "optimizerD_state_dict": {"state": {}, "param_groups": [{"lr": 1e-4, "params": []}]},
        },
        "a Pulse2Pulse training checkpoint ('netG_state_dict'), epoch 3000",
    ),
    "ecgen-lightning": (
        lambda pub, ours: _lightning(
            _ecgen(pub),
            ecgen_family="pulse2pulse",
            hyper_parameters={**ECGEN_PARAMS, "output_scale": 1.0},
            ecgen_data_info=ECGEN_INFO,
        ),
        "an ECGEN checkpoint (PyTorch Lightning, family 'pulse2pulse'), epoch 7, "
        "generator under 'netG.'",
    ),
    "lightning-model-generator": (
        lambda pub, ours: _lightning(ours, prefix="model.generator."),
        "a PyTorch Lightning checkpoint (pytorch-lightning 2.4.0), epoch 7, "
        "generator under 'model.generator.'",
    ),
    "bare": (lambda pub, ours: ours, "a bare state_dict"),
    "bare-dataparallel": (
        lambda pub, ours: {"module." + name: value for name, value in ours.items()},
        "a bare state_dict",
    ),
}


@pytest.fixture(scope="module")
def default_batch():
    return et.generate(2, seed=1, **FAST)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_loads_the_same_weights(tmp_path, published_names, ours, layout):
    content, described = LAYOUTS[layout]
    path = tmp_path / "generator.ckpt"
    torch.save(content(published_names, ours), path)
    model = et.load_generator("cpu", weights=path)
    assert model.weights_layout == described
    assert model.weights_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert model.output_gain == 1.0
    loaded = model.state_dict()
    assert loaded.keys() == ours.keys()
    for name, value in ours.items():
        torch.testing.assert_close(loaded[name], value, rtol=0, atol=0)


def test_generate_with_another_checkpoint_differs_and_records_it(
    tmp_path, published_names, ours, default_batch
):
    outputs = []
    for layout in ("pulse2pulse-training", "ecgen-lightning"):
        path = tmp_path / f"{layout}.pt"
        torch.save(LAYOUTS[layout][0](published_names, ours), path)
        batch = et.generate(2, seed=1, generator=path, **FAST)
        info = batch.meta["generator"]
        assert info["weights_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert info["weights"] == str(path.resolve())
        outputs.append(batch.signal)
    # The last layer's bias moved by SHIFT: tanh moves by up to SHIFT, × 6 mV.
    change = np.abs(outputs[0] - default_batch.signal).max()
    assert 0.05 < change <= 6 * SHIFT + 1e-4
    np.testing.assert_array_equal(outputs[0], outputs[1])


def test_default_and_the_published_file_given_are_the_published_weights(tmp_path, default_batch):
    info = default_batch.meta["generator"]
    assert info["weights_sha256"] == WEIGHTS_SHA256 and info["weights"] == PUBLISHED_WEIGHTS
    copy = tmp_path / "copy_of_g_stat.pt"
    copy.write_bytes(_weights_path().read_bytes())
    settings = GeneratorSettings.resolve(seed=1, device="cpu", generator=copy)
    assert settings.generator is None and settings.weights_sha256 == WEIGHTS_SHA256


def test_accept_runs_the_given_generator(tmp_path, ours, monkeypatch):
    acceptance = importlib.import_module("ecgtoolkit.measurement.acceptance")
    # The check sees every candidate; measuring them is not what is tested here.
    monkeypatch.setattr(
        acceptance, "measure", lambda batch, progress: pd.DataFrame(index=range(batch.n_records))
    )
    path = tmp_path / "g.pt"
    torch.save(ours, path)
    batch = et.generate(2, seed=2, generator=path, accept=lambda table: [True] * len(table),
                        **FAST)  # fmt: skip
    assert (
        batch.meta["generator"]["weights_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    plain = et.generate(2, seed=2, generator=path, **FAST)
    np.testing.assert_array_equal(batch.signal, plain.signal)


def test_ecgen_output_units_from_its_data_scale(tmp_path, published_names):
    """ECGEN trained on mV (scale 'none') with output_scale 2: its output 2 tanh is in mV,
    so the network's output is 2 / 6 of the tanh, in Pulse2Pulse's unit (× 6 = mV)."""
    path = tmp_path / "mv.ckpt"
    torch.save(
        _lightning(_ecgen(published_names), ecgen_family="pulse2pulse",
                   hyper_parameters={**ECGEN_PARAMS, "output_scale": 2.0},
                   ecgen_data_info={**ECGEN_INFO, "scale": "none"}),
        path,
    )  # fmt: skip
    assert read_checkpoint(path).output_mv == 2.0
    model = et.load_generator("cpu", weights=path)
    assert model.output_gain == pytest.approx(2.0 / 6.0)
    noise = torch.rand(1, 8, 5000, generator=torch.Generator().manual_seed(3)) * 2 - 1
    model.output_gain = 1.0
    with torch.inference_mode():
        tanh = model(noise)
    model.output_gain = 2.0 / 6.0
    with torch.inference_mode():
        scaled = model(noise)
    torch.testing.assert_close(scaled, tanh * (2.0 / 6.0))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ecgen_data_info": {**ECGEN_INFO, "scale": "zscore"}}, "z-scored record by record"),
        ({"ecgen_family": "vae"}, "ECGEN 'vae' model, not a Pulse2Pulse generator"),
        ({"hyper_parameters": {**ECGEN_PARAMS, "conditioning": {"age": {}}}}, "conditional"),
        ({"hyper_parameters": {**ECGEN_PARAMS, "seq_length": 2500}}, "seq_length=2500"),
        ({"ecgen_data_info": {**ECGEN_INFO, "fs": 250}}, "250 Hz"),
        ({"ecgen_data_info": {**ECGEN_INFO, "lead_names": ["I", "II", "III", "aVR", "aVL",
                                                          "aVF", "V1", "V2"]}}, "makes the leads"),
        ({"hyper_parameters": {**ECGEN_PARAMS, "output_scale": 8.0}}, "no known unit"),
    ],
)  # fmt: skip
def test_ecgen_checkpoints_ecgtoolkit_cannot_run_are_refused(
    tmp_path, published_names, extra, message
):
    path = tmp_path / "ecgen.ckpt"
    torch.save(_lightning(_ecgen(published_names), **extra), path)
    with pytest.raises(ValueError, match=message) as info:
        et.generate(1, seed=1, generator=path, **FAST)
    assert str(path) in str(info.value)


def test_weights_that_do_not_fit_are_named(tmp_path, ours):
    wrong = dict(ours)
    wrong["conv_1.weight"] = torch.zeros(10, 9, 25)  # one more input channel
    del wrong["deconv_7.conv1d.bias"]
    wrong["post_proc_filter.weight"] = torch.zeros(8, 8, 512)
    path = tmp_path / "wrong.pt"
    torch.save({"netG_state_dict": wrong, "epoch": 5}, path)
    with pytest.raises(ValueError) as info:
        et.load_generator("cpu", weights=path)
    message = str(info.value)
    assert str(path) in message
    assert "a Pulse2Pulse training checkpoint ('netG_state_dict'), epoch 5" in message
    assert "missing deconv_7.conv1d.bias" in message
    assert "unexpected post_proc_filter.weight" in message
    assert "post-processing filter" in message
    assert "conv_1.weight is (10, 9, 25) in the file, (10, 8, 25) in Pulse2Pulse" in message


def test_a_conditional_ecgen_generator_without_metadata_is_refused_by_its_names(
    tmp_path, published_names
):
    state = _ecgen(published_names)
    state["films.0.linear.weight"] = torch.zeros(500, 16)
    path = tmp_path / "film.ckpt"
    torch.save(_lightning(state), path)
    with pytest.raises(ValueError, match=r"FiLM layers.*unexpected films\.0\.linear\.weight"):
        et.load_generator("cpu", weights=path)


def test_a_file_of_other_weights_is_refused(tmp_path):
    path = tmp_path / "resnet.pt"
    torch.save({"layer1.weight": torch.zeros(3), "fc.bias": torch.zeros(2)}, path)
    with pytest.raises(ValueError, match="none of its names is a Pulse2Pulse generator's"):
        et.load_generator("cpu", weights=path)


class Unpicklable:
    """A class instance in a checkpoint: loading it would need unsafe unpickling."""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([torch.zeros(3)], "holds a list, not a dict of weights"),
        ({"optimizer": {"lr": 0.1}}, "holds no generator weights.*'optimizer'"),
        ({"stat_dict": [1, 2]}, r"its 'stat_dict' entry is a list"),
        ({"netG_state_dict": {"conv_1.bias": 3}}, "not tensors"),
        ({"conv_1.bias": torch.full((10,), float("nan"))}, "NaN or infinite weights in conv_1.bias"),
        ({"model": Unpicklable()}, r"needs unsafe unpickling.*Unpicklable.*weights_only=True"),
    ],
)  # fmt: skip
def test_files_that_are_not_generator_weights_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.pt"
    torch.save(content, path)
    with pytest.raises(ValueError, match=message) as info:
        et.generate(1, seed=1, generator=path, **FAST)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("data", [b"", b"hello world", b"PK\x03\x04 broken zip"])
def test_bytes_that_are_no_checkpoint_are_refused(tmp_path, data):
    path = tmp_path / "garbage.pt"
    path.write_bytes(data)
    with pytest.raises(ValueError, match="is not a readable PyTorch checkpoint"):
        et.load_generator("cpu", weights=path)


def test_generator_argument_checked(tmp_path):
    with pytest.raises(TypeError, match="generator must be the path of a checkpoint"):
        et.generate(1, seed=1, generator=3, **FAST)
    with pytest.raises(FileNotFoundError, match="missing.pt does not exist"):
        et.generate(1, seed=1, generator=tmp_path / "missing.pt", **FAST)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        et.generate(1, seed=1, generator=tmp_path, **FAST)  # a folder


def test_a_checkpoint_changed_during_a_run_is_refused(tmp_path, ours):
    path = tmp_path / "g.pt"
    torch.save(ours, path)
    settings = GeneratorSettings.resolve(seed=1, n_leads=8, device="cpu", generator=path)
    changed = dict(ours)
    changed["conv_1.bias"] = changed["conv_1.bias"] + 1
    torch.save({"stat_dict": changed}, path)
    with pytest.raises(ValueError, match="changed since the run's settings were made"):
        next(generate_records([0], settings))


def test_a_training_checkpoint_says_how_it_was_trained(tmp_path):
    import math

    from ecgtoolkit.generators.checkpoints import TRAINING_FORMAT

    path = tmp_path / "last.pt"
    torch.save(
        {
            "format": TRAINING_FORMAT,
            "model_state_dict": {"conv_1.bias": torch.zeros(10)},
            "step": 40,
            "settings": {"init": "published", "critic": "small", "batch_size": 16, "seed": 0},
            "data": {"source": "database:ludb:sinus", "sha256": "ab" * 32,
                     "n_records": {"train": 100, "holdout": 25}},
            "training": {"ecgtoolkit": "0.1", "device": "cpu",
                         "held_out": {"c2st_auc": 0.8, "mmd2": math.nan},
                         "copy_audit": {"passed": True}},
        },
        path,
    )  # fmt: skip
    checkpoint = read_checkpoint(path)
    assert checkpoint.layout == "an ecgtoolkit training checkpoint, step 40"
    assert checkpoint.training["step"] == 40 and checkpoint.training["critic"] == "small"
    assert checkpoint.training["data"]["n_records"] == {"train": 100, "holdout": 25}
    assert checkpoint.training["held_out"] == {"c2st_auc": 0.8, "mmd2": None}  # JSON: no NaN
    torch.save({"netG_state_dict": {"conv_1.bias": torch.zeros(10)}}, tmp_path / "g.pt")
    assert read_checkpoint(tmp_path / "g.pt").training is None
