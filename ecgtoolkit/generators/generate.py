"""Generate DeepFake ECGs with the published Pulse2Pulse GAN.

Thambawita V. et al., "DeepFake electrocardiograms using generative adversarial networks
are the beginning of the end for privacy issues in medicine", Sci Rep 11:21896 (2021),
doi:10.1038/s41598-021-01295-2. The pretrained weights ship in the ``deepfake-ecg``
1.1.2 wheel (MIT licence); the network itself is implemented in
:mod:`ecgtoolkit.generators.pulse2pulse`, which reads only the weights from that package.
Any other checkpoint of the same network (``generator=PATH``: a Pulse2Pulse training
checkpoint, an ECGEN one, …; :mod:`ecgtoolkit.generators.checkpoints`) runs the same
way, and the sha256 of the file that made a batch is in its metadata.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core import validation
from ..core.ecg import ECG
from ..core.leads import GENERATED_LEADS, STANDARD_LEADS
from ..core.progress import progress_bar
from ..core.version import __version__
from .checkpoints import OUTPUT_SCALE_MV, WEIGHTS_SHA256, file_sha256
from .device import resolve_device

__all__ = ["FS", "N_SAMPLES", "GeneratorSettings", "generate", "generate_records"]

#: Sampling rate (Hz) and length (samples) of every generated record.
FS = 500.0
N_SAMPLES = 5000
DEFAULT_BATCH_SIZE = {"cpu": 64, "cuda": 512}
#: What the metadata says of the published weights (other checkpoints: their path).
PUBLISHED_WEIGHTS = "deepfake-ecg 1.1.2 (published)"

#: Loaded generators by (device, sha256 of their checkpoint); the oldest goes first.
_MODEL_CACHE: dict[tuple[str, str], Any] = {}
_MODEL_CACHE_SIZE = 4


def _load_generator(device: str, path: str | None) -> tuple[Any, str]:
    """The generator of checkpoint ``path`` (None: the published one) on ``device``,
    loaded once per (device, file content), and the file's sha256 (the model's
    ``weights_training`` says how a training checkpoint was trained)."""
    sha256 = WEIGHTS_SHA256 if path is None else file_sha256(path)
    model = _MODEL_CACHE.get((device, sha256))
    if model is None:
        from .pulse2pulse import load_generator

        model = load_generator(device, weights=path)
        sha256 = model.weights_sha256
        while len(_MODEL_CACHE) >= _MODEL_CACHE_SIZE:
            del _MODEL_CACHE[next(iter(_MODEL_CACHE))]
        _MODEL_CACHE[(device, sha256)] = model
    return model, sha256


def _check_generator(generator: Any) -> str | None:
    """``generator`` as an absolute path string (None stays None)."""
    if generator is None:
        return None
    if not isinstance(generator, (str, os.PathLike)):
        raise TypeError(
            "generator must be the path of a checkpoint file (str or pathlib.Path) or None "
            f"for the published weights, got {type(generator).__name__}"
        )
    path = Path(generator).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"generator checkpoint {path} does not exist (or is not a file)")
    return str(path.resolve())


def _record_noise(entropy: int, record_id: int, out: np.ndarray | None = None) -> np.ndarray:
    """Noise ``(8, 5000)`` for one record, a function of (seed, record id) only.

    Each record has its own PCG64 stream keyed by ``SeedSequence(seed, spawn_key=(id,))``,
    so records can be generated in any order, in parallel or resumed, identically. The
    top 24 bits of each 32-bit draw ``k`` give ``(k + 0.5) / 2**23 − 1``: uniform on the
    open interval (−1, 1) on a grid of 2**24 values, as the model was trained with
    (``torch.Tensor.uniform_(-1, 1)``), at 3x the speed of ``Generator.random``.
    """
    n_values = len(GENERATED_LEADS) * N_SAMPLES
    raw = np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(record_id,))).random_raw(
        n_values // 2
    )
    top = raw.view(np.uint32) >> np.uint32(8)
    if out is None:
        out = np.empty((len(GENERATED_LEADS), N_SAMPLES), dtype=np.float32)
    flat = out.reshape(-1)
    np.multiply(top, np.float32(2.0**-23), out=flat, casting="unsafe")
    flat += np.float32(2.0**-24 - 1.0)
    return out


def check_n_leads(n_leads: Any) -> int:
    """``n_leads`` checked: 12 (limb leads derived) or the 8 generated leads."""
    validation.check_int(n_leads, "n_leads")
    if n_leads not in (8, 12):
        raise ValueError(f"n_leads must be 8 (I, II, V1–V6 as generated) or 12, got {n_leads!r}")
    return int(n_leads)


def _resolve_seed(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    return validation.check_int(seed, "seed", minimum=0)


def _to_leads(out: np.ndarray, leads: int, dest: np.ndarray | None = None) -> np.ndarray:
    """Model output ``(B, 8, N)`` (× 6 = mV) -> mV ``(B, 8 or 12, N)`` in the standard order, float32.

    Written into ``dest`` when given (no extra copy of a large batch).
    """
    if dest is None:
        dest = np.empty((out.shape[0], leads, out.shape[-1]), dtype=np.float32)
    scale = np.float32(OUTPUT_SCALE_MV)
    if leads == 8:
        np.multiply(out, scale, out=dest)
        return dest
    np.multiply(out[:, :2], scale, out=dest[:, :2])
    np.multiply(out[:, 2:], scale, out=dest[:, 6:])
    lead_i, lead_ii = dest[:, 0], dest[:, 1]
    np.subtract(lead_ii, lead_i, out=dest[:, 2])  # III = II − I
    np.add(lead_i, lead_ii, out=dest[:, 3])  # aVR = −(I + II)/2
    dest[:, 3] *= np.float32(-0.5)
    np.multiply(lead_ii, np.float32(0.5), out=dest[:, 4])  # aVL = I − II/2
    np.subtract(lead_i, dest[:, 4], out=dest[:, 4])
    np.multiply(lead_i, np.float32(0.5), out=dest[:, 5])  # aVF = II − I/2
    np.subtract(lead_ii, dest[:, 5], out=dest[:, 5])
    return dest


def _noise_batch(entropy: int, chunk: np.ndarray, batch_size: int) -> np.ndarray:
    """Noise for the records of ``chunk``, zero-padded to ``batch_size`` rows."""
    noise = np.zeros((batch_size, len(GENERATED_LEADS), N_SAMPLES), dtype=np.float32)
    for row, record_id in enumerate(chunk):
        _record_noise(entropy, int(record_id), out=noise[row])
    return noise


def _iter_batches(
    ids: np.ndarray, settings: GeneratorSettings
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (ids, model output ``(len(ids), 8, 5000)``, × 6 = mV) batch by batch.

    The model always sees a full batch (the last one is padded with zeros), so every
    record goes through identical kernels whatever n, start id or chunking: a record's
    output depends only on (seed, id, device, batch size, checkpoint). A helper thread
    draws the next batch's noise while the model runs.
    """
    from concurrent.futures import ThreadPoolExecutor

    import torch

    entropy, device, batch_size = settings.seed, settings.device, settings.batch_size
    model, sha256 = _load_generator(device, settings.generator)
    if sha256 != settings.weights_sha256:
        raise ValueError(
            f"the generator checkpoint {settings.generator or PUBLISHED_WEIGHTS} changed "
            f"since the run's settings were made (sha256 {sha256[:12]}… now, "
            f"{settings.weights_sha256[:12]}… then); put the file back or start again"
        )
    chunks = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
    if not chunks:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecgtoolkit-noise") as pool:
        pending = pool.submit(_noise_batch, entropy, chunks[0], batch_size)
        for k, chunk in enumerate(chunks):
            noise = pending.result()
            if k + 1 < len(chunks):
                pending = pool.submit(_noise_batch, entropy, chunks[k + 1], batch_size)
            with torch.inference_mode(), _full_fp32():
                out = model(torch.from_numpy(noise).to(device))[: len(chunk)]
                result = out.float().cpu().numpy()
            yield chunk, result


@contextlib.contextmanager
def _full_fp32() -> Iterator[None]:
    """Run CUDA convolutions and matrix products in full fp32, not TF32.

    PyTorch lets cuDNN use TF32 for fp32 convolutions by default; for this model that
    moves the output by up to 0.43 mV (RMS 4.8 µV, 2.4% of the signal's RMS) against
    fp32, measured on an H200 (``benchmarks/bench_gpu_generate.py``), where full fp32
    matches the CPU within 0.4 µV. The user's own settings are restored afterwards.
    """
    import torch

    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


def generate(
    n: int,
    *,
    seed: int | None = None,
    n_leads: int = 12,
    device: str = "auto",
    batch_size: int | None = None,
    generator: str | os.PathLike | None = None,
    start_id: int = 0,
    progress: bool = True,
    accept: Any = None,
    max_candidates: int | None = None,
) -> ECG:
    """Generate ``n`` DeepFake 10 s, 500 Hz ECGs with the Pulse2Pulse GAN.

    Parameters
    ----------
    n : int
        Number of ECGs (> 0).
    seed : int, optional
        Seed for the input noise. Record ``i`` depends only on ``(seed, start_id + i)``,
        so ``generate(10, seed=1)[3]`` equals ``generate(1, seed=1, start_id=3)[0]``.
        None draws fresh entropy, stored in ``meta["seed"]`` for reproduction.
    n_leads : {12, 8}
        12: I, II, III, aVR, aVL, aVF, V1–V6, with III, aVR, aVL, aVF derived by
        Einthoven's and Goldberger's laws. 8: the generated I, II, V1–V6.
    device : {"auto", "cpu", "cuda", "cuda:N"}
        Where to run the model; ``"auto"`` picks CUDA when available.
    batch_size : int, optional
        ECGs per forward pass (default 64 on CPU, 512 on CUDA). Outputs are identical
        for a given (seed, device, batch size); other batch sizes change them by float
        rounding only (< 1e-4 mV).
    generator : path, optional
        A checkpoint of the Pulse2Pulse generator to run instead of the published
        weights, e.g. one of your own training: the published layout
        (``{"stat_dict": …}``), a Pulse2Pulse training checkpoint (``netG_state_dict``),
        an ECGEN (PyTorch Lightning) ``.ckpt`` or a bare ``state_dict``; read with
        ``torch.load(weights_only=True)``, its weights must fit the network exactly
        (:func:`ecgtoolkit.load_generator`). The file's sha256 goes into
        ``meta["generator"]["weights_sha256"]``. None: the published weights.
    start_id : int
        Id of the first record (see ``seed``).
    progress : bool
        Show a progress bar (once the work has taken a second).
    accept : {None, "normal"} or NormalCriteria or callable, optional
        Keep only ECGs that pass a check (rejection sampling): ``"normal"`` applies
        :func:`ecgtoolkit.is_normal` with its default adult criteria, a
        :class:`~ecgtoolkit.NormalCriteria` applies those criteria, and a callable
        receives the :func:`ecgtoolkit.measure` table of the candidates and returns
        one bool per row. Candidates are record ids ``start_id, start_id + 1, …`` in
        order, and the accepted set is the first ``n`` that pass, so record ``i`` of
        the result still depends only on the seed (and the check).
    max_candidates : int, optional
        With ``accept``: give up after this many candidates (default ``20 * n + 200``)
        with an error that gives the acceptance rate. The rejection sampling itself is
        :func:`ecgtoolkit.measurement.acceptance.generate_accepted`.

    Returns
    -------
    ECG
        A batch ``(n, n_leads, 5000)`` in mV, float32, fs 500 Hz. ``meta`` holds
        ``seed``, ``record_ids``, ``generator`` (model, ``weights``: the checkpoint,
        ``weights_sha256``: its file's sha256, ecgtoolkit version, device, batch size);
        with ``accept`` also ``acceptance``: the check, the candidates measured, how
        many of them passed and the acceptance rate (passed / candidates).

    Raises
    ------
    TypeError
        For a non-integer n, n_leads, seed, batch size or start id, or a generator
        that is not a path.
    FileNotFoundError
        If the generator checkpoint does not exist.
    ValueError
        For n ≤ 0, n_leads not 8 or 12, a negative seed or a batch size below 1; a
        generator checkpoint that cannot be read safely or does not fit the network.
    RuntimeError
        If CUDA is asked for but not available, or with ``accept`` when fewer than
        ``n`` of ``max_candidates`` candidates pass.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> batch = et.generate(2, seed=0)
    >>> batch
    <ECG batch | 2 records × 12 leads × 5000 samples (10 s at 500 Hz), mV>
    >>> batch[0]["II"].shape
    (5000,)
    >>> normal = et.generate(2, seed=0, accept="normal")
    >>> 0 < normal.meta["acceptance"]["rate"] <= 1
    True

    Any checkpoint of the network, here the published weights saved as a bare
    ``state_dict``:

    >>> import tempfile, torch
    >>> from ecgtoolkit.generators.checkpoints import file_sha256
    >>> path = tempfile.mkdtemp() + "/generator.pt"
    >>> torch.save(et.load_generator("cpu").state_dict(), path)
    >>> mine = et.generate(2, seed=0, generator=path)
    >>> mine.meta["generator"]["weights_sha256"] == file_sha256(path)
    True
    >>> bool((mine.signal == batch.signal).all())  # the same weights
    True
    """
    if accept is not None:
        from ..measurement.acceptance import generate_accepted

        return generate_accepted(
            n, accept, max_candidates=max_candidates, seed=seed, n_leads=n_leads,
            device=device, batch_size=batch_size, generator=generator, start_id=start_id,
            progress=progress,
        )  # fmt: skip
    n = validation.count(n)
    settings = GeneratorSettings.resolve(
        seed=seed, n_leads=n_leads, device=device, batch_size=batch_size, generator=generator
    )
    start_id = validation.record_id(start_id)
    ids = np.arange(start_id, start_id + n, dtype=np.int64)
    out = np.empty((n, settings.n_leads, N_SAMPLES), dtype=np.float32)
    batches = _iter_batches(ids, settings)
    with progress_bar(total=n, desc="generating", unit="ECG", enabled=progress) as bar:
        for chunk, model_out in batches:
            first = int(chunk[0]) - start_id
            _to_leads(model_out, settings.n_leads, dest=out[first : first + len(chunk)])
            bar.update(len(chunk))
    meta = {"seed": settings.seed, "record_ids": ids, "generator": settings.info()}
    return ECG(out, fs=FS, leads=settings.leads, units="mV", meta=meta)


def _generator_meta(
    device: str,
    batch_size: int,
    generator: str | None,
    weights_sha256: str,
    training: dict[str, Any] | None = None,
) -> dict[str, Any]:
    meta = {
        "model": "Pulse2Pulse (Thambawita et al. 2021, doi:10.1038/s41598-021-01295-2)",
        "weights": PUBLISHED_WEIGHTS if generator is None else generator,
        "weights_sha256": weights_sha256,
        "ecgtoolkit": __version__,
        "device": device,
        "batch_size": batch_size,
    }
    if training is not None:
        meta["training"] = training
    return meta


def _resolve_batch_size(batch_size: int | None, device: str) -> int:
    if batch_size is None:
        return DEFAULT_BATCH_SIZE[device.split(":")[0] if device.startswith("cuda") else "cpu"]
    return validation.count(batch_size, "batch_size")


@dataclass(frozen=True)
class GeneratorSettings:
    """The settings that fix a run of the generator, checked and resolved.

    With these, record ``i`` of a run is a function of ``(seed, i)`` only: the array
    layer under :func:`generate`, for code that writes records as they come (the
    dataset writers of :mod:`ecgtoolkit.store`).

    Parameters
    ----------
    seed : int
        Noise seed.
    n_leads : {12, 8}
        Leads per record (see :func:`generate`).
    device : str
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` (resolved, never ``"auto"``).
    batch_size : int
        ECGs per forward pass.
    generator : str or None
        Absolute path of the generator checkpoint; None for the published weights (also
        when the file given is the published one).
    weights_sha256 : str
        sha256 of the checkpoint file: what the records' provenance names, and what a
        resumed dataset must match.
    training : dict or None
        How the checkpoint was trained, for a checkpoint of
        :func:`ecgtoolkit.train_generator` (plain data, see
        :class:`~ecgtoolkit.generators.checkpoints.GeneratorCheckpoint`); None otherwise.
        Provenance only: it takes no part in comparisons (the sha256 does).

    Examples
    --------
    >>> from ecgtoolkit.generators.generate import GeneratorSettings
    >>> settings = GeneratorSettings.resolve(seed=3, n_leads=8, device="cpu")
    >>> settings
    GeneratorSettings(seed=3, n_leads=8, device='cpu', batch_size=64, generator=None)
    >>> settings.weights_sha256[:12]
    '676619cb3b81'
    """

    seed: int
    n_leads: int
    device: str
    batch_size: int
    generator: str | None = None
    weights_sha256: str = field(default=WEIGHTS_SHA256, repr=False)
    training: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def resolve(
        cls,
        *,
        seed: int | None = None,
        n_leads: int = 12,
        device: str = "auto",
        batch_size: int | None = None,
        generator: str | os.PathLike | None = None,
    ) -> GeneratorSettings:
        """Check the arguments of :func:`generate` and fill in the defaults.

        ``seed=None`` draws fresh entropy, ``device="auto"`` picks CUDA when available
        and ``batch_size=None`` takes the device's default (64 on CPU, 512 on CUDA).
        The generator is loaded here (once per device and checkpoint), so that a
        checkpoint that cannot be used is refused before anything is written.

        Raises
        ------
        TypeError
            For a seed, n_leads or batch size that is not an integer, or a generator
            that is not a path.
        FileNotFoundError
            If the generator checkpoint does not exist.
        ValueError
            For a negative seed, n_leads other than 8 or 12, an unknown device, a
            batch size below 1, or a generator checkpoint that cannot be read safely or
            does not fit the network (see :func:`ecgtoolkit.load_generator`).
        RuntimeError
            For CUDA asked for but not available.
        """
        dev = resolve_device(device)
        seed, n_leads = _resolve_seed(seed), check_n_leads(n_leads)
        batch_size = _resolve_batch_size(batch_size, dev)
        path = _check_generator(generator)
        model, sha256 = _load_generator(dev, path)
        return cls(
            seed=seed,
            n_leads=n_leads,
            device=dev,
            batch_size=batch_size,
            generator=None if sha256 == WEIGHTS_SHA256 else path,
            weights_sha256=sha256,
            training=getattr(model, "weights_training", None),
        )

    @property
    def leads(self) -> tuple[str, ...]:
        """The lead names of each record, in order."""
        return STANDARD_LEADS if self.n_leads == 12 else GENERATED_LEADS

    def info(self) -> dict[str, Any]:
        """Model, weights (the checkpoint and its sha256), ecgtoolkit version, device,
        batch size and, for a training checkpoint, how it was trained, for metadata."""
        return _generator_meta(
            self.device, self.batch_size, self.generator, self.weights_sha256, self.training
        )


def generate_records(
    record_ids: np.ndarray | range, settings: GeneratorSettings
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Generate the records ``record_ids`` batch by batch, for writing as they come.

    Parameters
    ----------
    record_ids : array of int
        Record ids, in the order wanted (each record depends only on its id).
    settings : GeneratorSettings
        Seed, number of leads, device, batch size and generator checkpoint.

    Yields
    ------
    ids : numpy.ndarray
        int64 ids of this batch (at most ``settings.batch_size``).
    signals : numpy.ndarray
        float32 ``(len(ids), n_leads, 5000)`` in mV at 500 Hz, leads
        ``settings.leads``; a new array each time.

    Examples
    --------
    >>> from ecgtoolkit.generators.generate import GeneratorSettings, generate, generate_records
    >>> settings = GeneratorSettings.resolve(seed=5, device="cpu", batch_size=2)
    >>> [ids.tolist() for ids, _ in generate_records([7, 8, 9], settings)]
    [[7, 8], [9]]
    >>> _, signals = next(generate_records([8], settings))
    >>> bool((signals[0] == generate(1, seed=5, start_id=8, batch_size=2).signal[0]).all())
    True
    """
    ids = np.asarray(record_ids, dtype=np.int64).reshape(-1)
    if ids.size and ids.min() < 0:
        raise ValueError("record ids must be non-negative integers")
    batches = _iter_batches(ids, settings)
    for chunk, model_out in batches:
        yield chunk, _to_leads(model_out, settings.n_leads)
