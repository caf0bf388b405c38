import importlib

import numpy as np
import pytest

import ecgtoolkit as et

gen_module = importlib.import_module("ecgtoolkit.generators.generate")


def test_generate_shape_units_and_leads():
    batch = et.generate(3, seed=1)
    assert batch.signal.shape == (3, 12, 5000)
    assert batch.signal.dtype == np.float32
    assert batch.fs == 500 and batch.leads == et.STANDARD_LEADS
    assert np.abs(batch.signal).max() < 12  # tanh × 6 mV, III = II − I at most 12
    eight = et.generate(2, seed=1, n_leads=8)
    assert eight.leads == et.GENERATED_LEADS
    np.testing.assert_array_equal(eight.signal, batch.signal[:2][:, [0, 1, 6, 7, 8, 9, 10, 11]])


def test_derived_leads_follow_einthoven_and_goldberger():
    rec = et.generate(1, seed=3)[0]
    np.testing.assert_allclose(rec["III"], rec["II"] - rec["I"], atol=1e-6)
    np.testing.assert_allclose(rec["aVR"] + rec["aVL"] + rec["aVF"], 0, atol=1e-5)


def test_same_seed_same_output_and_record_depends_only_on_seed_and_id():
    a = et.generate(5, seed=11, batch_size=4)
    b = et.generate(5, seed=11, batch_size=4)
    np.testing.assert_array_equal(a.signal, b.signal)
    part = et.generate(2, seed=11, start_id=3, batch_size=4)  # other chunk boundaries
    np.testing.assert_array_equal(part.signal, a.signal[3:5])
    assert list(part.meta["record_ids"]) == [3, 4]
    other = et.generate(1, seed=12, batch_size=4)
    assert np.abs(other.signal[0] - a.signal[0]).max() > 0.05


def test_other_batch_size_changes_output_by_rounding_only():
    a = et.generate(2, seed=5, batch_size=2)
    b = et.generate(2, seed=5, batch_size=8)
    assert np.abs(a.signal - b.signal).max() < 1e-3  # mV; float32 roundoff of the model


def test_seed_none_is_recorded_and_reproducible():
    a = et.generate(1)
    seed = a.meta["seed"]
    np.testing.assert_array_equal(et.generate(1, seed=seed).signal, a.signal)


def test_noise_is_uniform_on_open_interval():
    noise = np.stack([gen_module._record_noise(99, i) for i in range(25)])  # 1e6 values
    assert noise.min() > -1 and noise.max() < 1
    assert abs(noise.mean()) < 3 * np.sqrt(1 / 3 / noise.size)
    assert abs(noise.var() - 1 / 3) < 0.002
    np.testing.assert_array_equal(gen_module._record_noise(99, 3), noise[3])


def test_fakes_look_like_ecgs():
    """Known answer from physiology: a heart rhythm between 30 and 200 bpm."""
    rec = et.generate(1, seed=8)[0]
    lead = rec["II"] - rec["II"].mean()
    ac = np.correlate(lead, lead, mode="full")[lead.size - 1 :]
    lags = np.arange(ac.size) / rec.fs
    window = (lags > 0.3) & (lags < 2.0)
    beat_s = lags[window][np.argmax(ac[window])]
    assert 0.3 < beat_s < 2.0 and ac[window].max() > 0.3 * ac[0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, "n must be a positive integer, got 0"),
        ({"n": 2.5}, TypeError, "integer"),
        ({"n": 1, "n_leads": 10}, ValueError, "n_leads must be 8"),
        ({"n": 1, "n_leads": 8.0}, TypeError, "n_leads must be an integer"),
        ({"n": 1, "seed": -1}, ValueError, "seed must be"),
        ({"n": 1, "seed": 1.5}, TypeError, "seed must be an integer"),
        ({"n": 1, "device": "tpu"}, ValueError, "unknown device"),
        ({"n": 1, "batch_size": 0}, ValueError, "batch_size"),
        ({"n": 1, "start_id": -3}, ValueError, "start_id"),
        ({"n": 1, "start_id": "3"}, TypeError, "start_id"),
    ],
)
def test_generate_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        et.generate(**kwargs)


def test_cuda_asked_for_but_absent(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="no usable CUDA"):
        et.generate(1, device="cuda")


def test_full_fp32_switches_tf32_off_and_restores_the_users_setting():
    import torch

    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = True
    try:
        with gen_module._full_fp32():
            assert not torch.backends.cudnn.allow_tf32
            assert not torch.backends.cuda.matmul.allow_tf32
        assert torch.backends.cudnn.allow_tf32 and torch.backends.cuda.matmul.allow_tf32
        et.generate(1, seed=0, device="cpu")
        assert torch.backends.cudnn.allow_tf32 and torch.backends.cuda.matmul.allow_tf32
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


def test_generate_records_is_the_array_layer_of_generate():
    from ecgtoolkit.generators.generate import GeneratorSettings, generate_records

    settings = GeneratorSettings.resolve(seed=4, n_leads=8, device="cpu", batch_size=3)
    assert settings.leads == et.GENERATED_LEADS
    got = list(generate_records(np.array([5, 6, 7, 8]), settings))
    assert [ids.tolist() for ids, _ in got] == [[5, 6, 7], [8]]
    whole = et.generate(4, seed=4, n_leads=8, start_id=5, batch_size=3, device="cpu").signal
    np.testing.assert_array_equal(np.concatenate([s for _, s in got]), whole)
    assert got[0][1].dtype == np.float32 and got[0][1].shape == (3, 8, 5000)
    with pytest.raises(ValueError, match="non-negative"):
        next(generate_records([-1], settings))
    with pytest.raises(ValueError, match="n_leads must be 8"):
        GeneratorSettings.resolve(seed=1, n_leads=10)
