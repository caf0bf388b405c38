"""The training loop: finite losses, checkpoints that generate, exact resume, refusals."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import ecgtoolkit as et
from ecgtoolkit.training import train_generator


@pytest.fixture(scope="module")
def real():
    # Six records: five to train on, one held out; small enough for seconds per step.
    return et.generate(6, seed=3, progress=False)


def _train(real, out, steps, **kwargs):
    options = dict(batch_size=2, warmup=2, eval_every=1, seed=5, critic=2, progress=False)
    return train_generator(real, out, steps=steps, **{**options, **kwargs})


def _state(path):
    return torch.load(path, weights_only=True)


def _same(a, b):
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_a_resumed_run_equals_a_straight_run_to_the_bit(real, tmp_path):
    straight = _train(real, tmp_path / "straight", 2)
    _train(real, tmp_path / "resumed", 1)
    resumed = _train(real, tmp_path / "resumed", 2, resume=True)
    a, b = _state(straight.last), _state(resumed.last)
    for key in ("model_state_dict", "critic_state_dict", "optimizer_g", "optimizer_d"):
        assert _same(a[key], b[key]), key
    assert a["step"] == b["step"] == 2
    columns = ["wasserstein", "gradient_penalty", "critic_loss", "generator_loss"]
    np.testing.assert_array_equal(
        straight.metrics[columns].to_numpy(), resumed.metrics[columns].to_numpy()
    )
    assert np.isfinite(straight.metrics[columns].to_numpy()).all()
    assert (tmp_path / "resumed" / "settings.json").is_file()


def test_the_checkpoint_generates_reproducibly_and_differs_from_the_published(real, tmp_path):
    run = _train(real, tmp_path / "run", 1)
    first = et.generate(2, seed=9, generator=run.last, progress=False)
    again = et.generate(2, seed=9, generator=run.last, progress=False)
    published = et.generate(2, seed=9, progress=False)
    np.testing.assert_array_equal(first.signal, again.signal)
    assert not np.array_equal(first.signal, published.signal)  # one step changed the weights
    assert (
        first.meta["generator"]["weights_sha256"] != published.meta["generator"]["weights_sha256"]
    )
    content = _state(run.last)
    assert content["format"] == "ecgtoolkit-train-1"
    assert content["data"]["sha256"] == run.data["sha256"]


def test_a_run_is_never_overwritten_and_resumes_only_as_itself(real, tmp_path):
    out = tmp_path / "run"
    _train(real, out, 1)
    with pytest.raises(FileExistsError, match="resume"):
        _train(real, out, 2)
    with pytest.raises(ValueError, match="only steps may change"):
        _train(real, out, 2, resume=True, batch_size=3)
    with pytest.raises(ValueError, match="training data"):
        _train(et.generate(6, seed=4, progress=False), out, 2, resume=True)
    with pytest.raises(FileNotFoundError, match="nothing to resume"):
        _train(real, tmp_path / "empty", 2, resume=True)


def test_a_checkpoint_with_pickled_code_is_refused_without_running_it(real, tmp_path):
    out = tmp_path / "run"
    _train(real, out, 1)

    class Payload:
        def __reduce__(self):
            return (print, ("this must never run",))

    with open(out / "last.pt", "wb") as handle:
        pickle.dump({"model_state_dict": Payload()}, handle)
    with pytest.raises(ValueError, match="refused without running it"):
        _train(real, out, 2, resume=True)


def test_bad_settings_are_refused(real, tmp_path):
    with pytest.raises(ValueError, match="critic must be"):
        _train(real, tmp_path / "a", 1, critic="huge")
    with pytest.raises(FileNotFoundError, match="init"):
        _train(real, tmp_path / "b", 1, init=str(tmp_path / "nope.pt"))
    with pytest.raises(ValueError):
        _train(real, tmp_path / "c", 0)
    with pytest.raises(ValueError, match="generator_lr must be in"):
        _train(real, tmp_path / "d", 1, generator_lr=0.0)
    with pytest.raises(TypeError, match="lr must be a number"):
        _train(real, tmp_path / "e", 1, lr="fast")


def test_the_critic_defaults_to_the_small_one_on_a_cpu(real, tmp_path):
    run = _train(real, tmp_path / "run", 1, critic=None, warmup=0)
    assert run.settings.critic == "small"
    assert _state(run.last)["settings"]["critic"] == "small"


def test_the_generator_learning_rate_is_used_and_saved(real, tmp_path):
    run = _train(real, tmp_path / "run", 1, generator_lr=1e-6, warmup=0)
    content = _state(run.last)
    assert content["settings"]["generator_lr"] == 1e-6 and content["settings"]["lr"] == 1e-4
    assert content["optimizer_g"]["param_groups"][0]["lr"] == 1e-6
    assert content["optimizer_d"]["param_groups"][0]["lr"] == 1e-4


def test_the_command_line_trains_and_resumes(real, tmp_path, capsys):
    from ecgtoolkit.cli import main

    folder = tmp_path / "records"
    et.generate_to(folder, 6, seed=3, progress=False)
    out = tmp_path / "run"
    args = [str(folder), "-o", str(out), "--steps", "1", "--batch-size", "2", "--warmup", "1",
            "--critic", "2", "-q"]  # fmt: skip
    assert main(["train", *args]) == 0
    assert "Generate from it" in capsys.readouterr().out
    assert main(["train", *args]) == 1  # a run is there: refused without --resume
    assert "resume" in capsys.readouterr().err
    assert main(["train", *args[:4], "2", *args[5:], "--resume"]) == 0
    assert _state(out / "last.pt")["step"] == 2


def test_the_command_line_pools_several_sources(tmp_path, capsys):
    import json

    from ecgtoolkit.cli import main

    first, second = tmp_path / "first", tmp_path / "second"
    et.generate_to(first, 3, seed=3, progress=False)
    et.generate_to(second, 3, seed=4, progress=False)
    out = tmp_path / "run"
    assert main(["train", str(first), str(second), "-o", str(out), "--steps", "1",
                 "--batch-size", "2", "--warmup", "0", "--critic", "2", "-q"]) == 0  # fmt: skip
    data = json.loads((out / "settings.json").read_text())["data"]
    assert sum(data["n_records"].values()) == 6
    assert str(first) in data["source"] and str(second) in data["source"]
    assert "Generate from it" in capsys.readouterr().out


def test_held_out_realism_and_the_copy_audit_are_watched(tmp_path):
    # Twenty records, half held out: ten held-out windows to score against.
    real = et.generate(20, seed=8, progress=False)
    run = _train(real, tmp_path / "run", 1, holdout=0.5, eval_fakes=12)
    from ecgtoolkit.training.watch import EVAL_COLUMNS

    assert run.metrics.index.tolist() == [0, 1]  # step 0 scores the starting generator
    scored = run.metrics[list(EVAL_COLUMNS)]
    assert np.isfinite(scored.to_numpy()).all()
    assert scored["c2st_auc"].between(0, 1).all() and scored["membership_auc"].between(0, 1).all()
    # Training and held-out records come from one generator here: no leak to find.
    assert (scored["membership_p"] > 0.01).all() and (scored["copies_p"] > 0.01).all()
    assert (tmp_path / "run" / "best.pt").is_file()
    best = _state(tmp_path / "run" / "best.pt")
    assert best["best"]["step"] == best["step"] in (0, 1)
    # the generator and how it was trained; the critic and optimisers only in last.pt
    assert not {"critic_state_dict", "optimizer_g", "optimizer_d"} & set(best)
    assert {"critic_state_dict", "optimizer_g", "optimizer_d"} <= set(_state(run.last))
    saved = __import__("pandas").read_csv(tmp_path / "run" / "metrics.csv")
    assert set(EVAL_COLUMNS) <= set(saved.columns) and len(saved) == 2


def test_records_of_a_training_checkpoint_carry_how_it_was_trained(tmp_path):
    real = et.generate(20, seed=8, progress=False)  # ten held out: enough to score
    run = _train(real, tmp_path / "run", 1, holdout=0.5, eval_fakes=12)
    best = tmp_path / "run" / "best.pt"
    step = _state(best)["step"]
    fakes = et.generate(2, seed=1, generator=best, progress=False)
    training = fakes.meta["generator"]["training"]
    assert training["format"] == "ecgtoolkit-train-1" and training["step"] == step
    assert training["init"] == "published" and training["critic"] == 2
    assert training["data"]["sha256"] == run.data["sha256"]
    assert training["data"]["n_records"] == {"train": 10, "holdout": 10}
    held = run.metrics.loc[step, "c2st_auc"]
    assert training["held_out"]["c2st_auc"] == pytest.approx(held)
    assert training["copy_audit"]["passed"] in (True, False)
    # ... in the rich display, the realism of its ECG ...
    assert f"fine-tuned by ecgtoolkit for {step} steps" in fakes[0]._repr_html_()
    # ... and in a written dataset's manifest, beside the checkpoint's sha256.
    folder = et.generate_to(tmp_path / "fakes", 2, seed=1, generator=best, progress=False)
    manifest = __import__("json").loads((folder / "manifest.json").read_text())
    assert manifest["generator"]["training"] == training
    assert manifest["generator"]["weights_sha256"] == fakes.meta["generator"]["weights_sha256"]
    # The published weights have no training provenance.
    assert "training" not in et.generate(1, seed=1, progress=False).meta["generator"]
