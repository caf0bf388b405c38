"""Generate DeepFake ECGs with the published Pulse2Pulse GAN.

Thambawita V. et al., "DeepFake electrocardiograms using generative adversarial networks
are the beginning of the end for privacy issues in medicine", Sci Rep 11:21896 (2021),
doi:10.1038/s41598-021-01295-2. The pretrained weights ship in the ``deepfake-ecg``
1.1.2 wheel (MIT licence); this module implements the network itself
(:mod:`ecgtoolkit._pulse2pulse`) and only reads the weights from that package.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .ecg import ECG
from .leads import GENERATED_LEADS, STANDARD_LEADS

if TYPE_CHECKING:
    from .manifest import Manifest

__all__ = ["generate", "generate_to", "load_generator"]

FS = 500.0
N_SAMPLES = 5000
#: tanh output × 6 = mV (× 6000 = µV, as in the published package).
OUTPUT_SCALE_MV = 6.0
WEIGHTS_PACKAGE = "deepfakeecg"
WEIGHTS_FILE = "checkpoints/g_stat.pt"
WEIGHTS_SHA256 = "676619cb3b81ed637e5ef93fabd591220d047bc4f5e199ffce930a3affb05cba"
DEFAULT_BATCH_SIZE = {"cpu": 64, "cuda": 512}

_MODEL_CACHE: dict[str, Any] = {}


def _resolve_device(device: str | None) -> str:
    import torch

    if device is None or device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, str):
        device = str(device)
    kind = device.split(":")[0]
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"device {device!r} was asked for but this PyTorch has no usable CUDA GPU; "
            "use device='cpu' or 'auto'"
        )
    if kind not in ("cpu", "cuda", "mps"):
        raise ValueError(f"unknown device {device!r}; use 'auto', 'cpu' or 'cuda'")
    return device


def _weights_path() -> Path:
    from importlib import resources

    try:
        root = resources.files(WEIGHTS_PACKAGE)
    except ModuleNotFoundError:
        raise FileNotFoundError(
            "the Pulse2Pulse weights ship in the 'deepfake-ecg' package, which is not "
            "installed: pip install deepfake-ecg==1.1.2"
        ) from None
    path = Path(str(root.joinpath(WEIGHTS_FILE)))
    if not path.is_file():
        raise FileNotFoundError(
            f"Pulse2Pulse weights not found at {path}; reinstall deepfake-ecg==1.1.2"
        )
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_generator(device: str | None = None, *, weights: str | os.PathLike | None = None):
    """Load the pretrained Pulse2Pulse generator.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "cuda:N"} or None
        Where to put the model; None or ``"auto"`` picks CUDA when available.
    weights : path, optional
        A checkpoint to load instead of the one in the installed ``deepfake-ecg``
        package. Its sha256 must still match the published file.

    Returns
    -------
    torch.nn.Module
        :class:`ecgtoolkit._pulse2pulse.Pulse2PulseGenerator` in eval mode. Its input
        is noise ``(B, 8, 5000)`` uniform on (−1, 1); its output ``(B, 8, 5000)`` is
        tanh-bounded, × 6 = mV, leads I, II, V1–V6.

    Raises
    ------
    FileNotFoundError
        If the weights file is missing.
    ValueError
        If the weights file is not the published one (sha256 mismatch).
    RuntimeError
        If CUDA is asked for but not available.

    Examples
    --------
    >>> import torch, ecgtoolkit as et
    >>> model = et.load_generator("cpu")
    >>> with torch.inference_mode():
    ...     out = model(torch.rand(2, 8, 5000) * 2 - 1)
    >>> tuple(out.shape)
    (2, 8, 5000)
    """
    import torch

    from ._pulse2pulse import Pulse2PulseGenerator, convert_published_state_dict

    dev = _resolve_device(device)
    path = Path(weights) if weights is not None else _weights_path()
    if not path.is_file():
        raise FileNotFoundError(f"weights file {path} does not exist")
    digest = _sha256(path)
    if digest != WEIGHTS_SHA256:
        raise ValueError(
            f"{path} is not the published Pulse2Pulse checkpoint (sha256 {digest[:12]}…, "
            f"expected {WEIGHTS_SHA256[:12]}…); reinstall deepfake-ecg==1.1.2"
        )
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(checkpoint, dict) or "stat_dict" not in checkpoint:
        raise ValueError(f"{path} has no 'stat_dict' entry; is it the generator checkpoint?")
    model = Pulse2PulseGenerator()
    model.load_state_dict(convert_published_state_dict(checkpoint["stat_dict"]))
    return model.to(dev).eval()


def _cached_generator(device: str):
    if device not in _MODEL_CACHE:
        _MODEL_CACHE[device] = load_generator(device)
    return _MODEL_CACHE[device]


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


def _check_count(n: Any, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {n!r}")
    if n <= 0:
        raise ValueError(f"{name} must be a positive number of ECGs, got {n}")
    return int(n)


def _check_leads(leads: Any) -> int:
    if leads not in (8, 12):
        raise ValueError(f"leads must be 8 (I, II, V1–V6 as generated) or 12, got {leads!r}")
    return int(leads)


def _resolve_seed(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    return int(seed)


def _to_leads(out: np.ndarray, leads: int, dest: np.ndarray | None = None) -> np.ndarray:
    """tanh output ``(B, 8, N)`` -> mV ``(B, 8 or 12, N)`` in the standard order, float32.

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
    ids: np.ndarray, entropy: int, device: str, batch_size: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (ids, tanh-bounded model output ``(len(ids), 8, 5000)``) batch by batch.

    The model always sees a full batch (the last one is padded with zeros), so every
    record goes through identical kernels whatever n, start id or chunking: a record's
    output depends only on (seed, id, device, batch size). A helper thread draws the
    next batch's noise while the model runs.
    """
    from concurrent.futures import ThreadPoolExecutor

    import torch

    model = _cached_generator(device)
    chunks = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
    if not chunks:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecgtoolkit-noise") as pool:
        pending = pool.submit(_noise_batch, entropy, chunks[0], batch_size)
        for k, chunk in enumerate(chunks):
            noise = pending.result()
            if k + 1 < len(chunks):
                pending = pool.submit(_noise_batch, entropy, chunks[k + 1], batch_size)
            with torch.inference_mode():
                out = model(torch.from_numpy(noise).to(device))[: len(chunk)]
                yield chunk, out.float().cpu().numpy()


def generate(
    n: int,
    *,
    seed: int | None = None,
    leads: int = 12,
    device: str = "auto",
    batch_size: int | None = None,
    start_id: int = 0,
    progress: bool = False,
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
    leads : {12, 8}
        12: I, II, III, aVR, aVL, aVF, V1–V6, with III, aVR, aVL, aVF derived by
        Einthoven's and Goldberger's laws. 8: the generated I, II, V1–V6.
    device : {"auto", "cpu", "cuda", "cuda:N"}
        Where to run the model; ``"auto"`` picks CUDA when available.
    batch_size : int, optional
        ECGs per forward pass (default 64 on CPU, 512 on CUDA). Outputs are identical
        for a given (seed, device, batch size); other batch sizes change them by float
        rounding only (< 1e-4 mV).
    start_id : int
        Id of the first record (see ``seed``).
    progress : bool
        Show a tqdm progress bar.
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
        with an error that gives the acceptance rate.

    Returns
    -------
    ECG
        A batch ``(n, leads, 5000)`` in mV, float32, fs 500 Hz. ``meta`` holds
        ``seed``, ``record_ids``, ``generator``; with ``accept`` also ``acceptance``:
        the check, the candidates measured, how many of them passed and the acceptance
        rate (passed / candidates).

    Raises
    ------
    ValueError
        For n ≤ 0, leads not 8 or 12, a negative seed or a bad batch size.
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
    """
    if accept is not None:
        return _generate_accepted(
            n, accept, max_candidates, seed=seed, leads=leads, device=device,
            batch_size=batch_size, start_id=start_id, progress=progress,
        )  # fmt: skip
    n = _check_count(n)
    leads = _check_leads(leads)
    entropy = _resolve_seed(seed)
    dev = _resolve_device(device)
    size = _resolve_batch_size(batch_size, dev)
    start_id = _check_start_id(start_id)
    ids = np.arange(start_id, start_id + n, dtype=np.int64)
    out = np.empty((n, leads, N_SAMPLES), dtype=np.float32)
    batches = _iter_batches(ids, entropy, dev, size)
    if progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, total=-(-n // size), unit="batch", desc="generating")
    for chunk, tanh_out in batches:
        first = int(chunk[0]) - start_id
        _to_leads(tanh_out, leads, dest=out[first : first + len(chunk)])
    names = STANDARD_LEADS if leads == 12 else GENERATED_LEADS
    meta = {"seed": entropy, "record_ids": ids, "generator": _generator_meta(dev, size)}
    return ECG(out, fs=FS, leads=names, units="mV", meta=meta)


def _acceptance_check(accept: Any):
    """A function: measurements table -> bool array, and a description of it."""
    from .interpretation import NormalCriteria, is_normal

    if isinstance(accept, str):
        if accept != "normal":
            raise ValueError(
                f"accept must be 'normal', a NormalCriteria or a callable, got {accept!r}"
            )
        accept = NormalCriteria()
    if isinstance(accept, NormalCriteria):
        criteria = accept
        return (lambda table: is_normal(table, criteria)["normal"].to_numpy(bool)), (
            f"is_normal({criteria})"
        )
    if callable(accept):
        name = getattr(accept, "__name__", type(accept).__name__)

        def check(table):
            verdict = np.asarray(accept(table), dtype=bool)
            if verdict.shape != (len(table),):
                raise ValueError(
                    f"the accept callable {name} returned shape {verdict.shape}; it must "
                    f"return one bool per row of the measurements ({len(table)} rows)"
                )
            return verdict

        return check, name
    raise TypeError(
        f"accept must be 'normal', a NormalCriteria or a callable, got {type(accept).__name__}"
    )


def _generate_accepted(
    n: int, accept: Any, max_candidates: int | None, *, seed: int | None, leads: int,
    device: str, batch_size: int | None, start_id: int, progress: bool,
) -> ECG:  # fmt: skip
    """Rejection sampling: the first ``n`` candidate records (by id) that pass ``accept``."""
    from .measurement import measure

    n = _check_count(n)
    leads = _check_leads(leads)
    entropy = _resolve_seed(seed)
    start_id = _check_start_id(start_id)
    limit = (
        20 * n + 200 if max_candidates is None else _check_count(max_candidates, "max_candidates")
    )
    check, described = _acceptance_check(accept)
    kept: list[np.ndarray] = []
    kept_ids: list[np.ndarray] = []
    tried = passed = 0
    rate = 1.0
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, unit="ECG", desc="generating (accepted)")
    while sum(k.shape[0] for k in kept) < n and tried < limit:
        missing = n - sum(k.shape[0] for k in kept)
        size = min(limit - tried, max(16, int(np.ceil(1.2 * missing / max(rate, 0.05)))))
        batch = generate(
            size, seed=entropy, leads=12, device=device, batch_size=batch_size,
            start_id=start_id + tried,
        )  # fmt: skip
        verdict = check(measure(batch, progress=False))
        tried += size
        passed += int(verdict.sum())
        take = np.flatnonzero(verdict)[:missing]
        kept.append(batch.signal[take])
        kept_ids.append(batch.meta["record_ids"][take])
        accepted = sum(k.shape[0] for k in kept)
        rate = max(passed, 1) / tried
        if bar is not None:
            bar.update(take.size)
            bar.set_postfix(acceptance=f"{passed / tried:.0%}", tried=tried)
    if bar is not None:
        bar.close()
    accepted = sum(k.shape[0] for k in kept)
    if accepted < n:
        raise RuntimeError(
            f"only {accepted} of {tried} generated ECGs passed {described} (acceptance rate "
            f"{passed / tried:.1%}); {n} were asked for. Loosen the criteria or raise "
            "max_candidates"
        )
    signal = np.concatenate(kept)
    ids = np.concatenate(kept_ids)
    if leads == 8:
        signal = signal[:, [STANDARD_LEADS.index(name) for name in GENERATED_LEADS]]
    dev = _resolve_device(device)
    meta = {
        "seed": entropy,
        "record_ids": ids,
        "generator": _generator_meta(dev, _resolve_batch_size(batch_size, dev)),
        "acceptance": {
            "check": described,
            "candidates": int(tried),
            "passed": int(passed),
            "rate": passed / tried,
        },
    }
    names = STANDARD_LEADS if leads == 12 else GENERATED_LEADS
    return ECG(np.ascontiguousarray(signal), fs=FS, leads=names, units="mV", meta=meta)


def _generator_meta(device: str, batch_size: int) -> dict[str, Any]:
    from . import __version__

    return {
        "model": "Pulse2Pulse (Thambawita et al. 2021, doi:10.1038/s41598-021-01295-2)",
        "weights_sha256": WEIGHTS_SHA256,
        "ecgtoolkit": __version__,
        "device": device,
        "batch_size": batch_size,
    }


def _resolve_batch_size(batch_size: int | None, device: str) -> int:
    if batch_size is None:
        return DEFAULT_BATCH_SIZE[device.split(":")[0] if device.startswith("cuda") else "cpu"]
    return _check_count(batch_size, "batch_size")


def _check_start_id(start_id: Any) -> int:
    if isinstance(start_id, bool) or not isinstance(start_id, (int, np.integer)) or start_id < 0:
        raise ValueError(f"start_id must be a non-negative integer, got {start_id!r}")
    return int(start_id)


MANIFEST = "manifest.json"


def generate_to(
    out_dir: str | os.PathLike,
    n: int,
    *,
    format: str = "wfdb",
    seed: int | None = None,
    start_id: int = 0,
    leads: int = 12,
    device: str = "auto",
    batch_size: int | None = None,
    overwrite: bool = False,
    resume: bool = False,
    progress: bool = True,
) -> Path:
    """Generate ECGs straight to files, in chunks, with bounded memory.

    Records get ids ``start_id … start_id + n − 1`` and file names ``<id>.<suffix>``
    (as the published package names them). Each file is written under a temporary
    name and renamed when complete, so an interrupted run leaves no partial record;
    ``resume=True`` then skips the ids already written. A ``manifest.json``
    (:class:`ecgtoolkit.manifest.Manifest`), written once when the dataset starts,
    records the seed, format, leads, batch size, id range, sampling rate and
    ecgtoolkit version, so that readers know fs and leads (for ``.npy``) and a resumed
    run is checked to continue the same dataset.

    Parameters
    ----------
    out_dir : path
        Output folder, created if missing.
    n : int
        Number of ECGs.
    format : {"wfdb", "csv", "asc", "npy", "npz"}
        File format (see :func:`ecgtoolkit.write`). ``"asc"`` is the published
        package's format: integer µV, 8 columns, so it implies ``leads=8``.
    seed : int, optional
        Noise seed; None draws one (or, with ``resume``, reuses the manifest's).
    start_id : int
        First record id.
    leads : {12, 8}
        Leads to write (see :func:`generate`).
    device, batch_size
        As in :func:`generate`.
    overwrite : bool
        Replace the dataset in the folder: the records its manifest lists are
        removed, then this one is written. Without a manifest, replace the files of
        these ids.
    resume : bool
        Continue the dataset of the folder's manifest: seed and batch size come from
        it when not given, and seed, format, leads, batch size, first id and version
        must match it. Records of the manifest's ids whose last file (e.g. ``.hea``)
        exists are kept; leftovers of interrupted writes (the toolkit's own
        ``.<id>.<suffix>.tmp-<pid>-<thread>`` files) are removed and unfinished records
        rewritten. A larger ``n`` extends the dataset (its manifest's count grows).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    pathlib.Path
        The output folder.

    Raises
    ------
    FileExistsError
        If files of these ids or another dataset's manifest are in the way and
        neither ``overwrite`` nor ``resume`` is given. Nothing is written then.
    ValueError
        For bad arguments; ``resume`` with settings that differ from the manifest's
        (the message names them), or into a non-empty folder without a manifest.

    Examples
    --------
    >>> import tempfile, ecgtoolkit as et
    >>> folder = et.generate_to(tempfile.mkdtemp(), 3, seed=1, progress=False)
    >>> sorted(p.name for p in folder.iterdir())[:3]
    ['0.dat', '0.hea', '1.dat']
    """
    n = _check_count(n)
    format, leads, start_id = _check_file_arguments(format, leads, start_id, overwrite, resume)
    dev = _resolve_device(device)
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} exists and is not a folder")
    old = _read_manifest(folder / MANIFEST)
    if resume:
        manifest, todo = _plan_resume(
            folder, old, n, format, seed, start_id, leads, dev, batch_size
        )
    else:
        entropy = _resolve_seed(seed)
        size = _resolve_batch_size(batch_size, dev)
        manifest = _new_manifest(format, entropy, leads, size, start_id, n, dev)
        _check_fresh_start(folder, old, manifest, overwrite)
        todo = np.arange(start_id, start_id + n, dtype=np.int64)

    folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"cannot write to {folder}")
    if overwrite and old is not None:
        _remove_dataset(folder, old)
    if manifest != old:
        manifest.write(folder / MANIFEST, overwrite=resume)
    _write_records(folder, todo, manifest, dev, overwrite=overwrite or resume, progress=progress)
    return folder


def _check_file_arguments(
    format: Any, leads: Any, start_id: Any, overwrite: bool, resume: bool
) -> tuple[str, int, int]:
    from .io import FORMATS

    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    leads = _check_leads(leads)
    if format == "asc":
        leads = 8  # the published format has exactly the 8 generated leads
    if overwrite and resume:
        raise ValueError("overwrite=True and resume=True contradict each other; pick one")
    return format, leads, _check_start_id(start_id)


def _new_manifest(
    format: str, seed: int, leads: int, batch_size: int, first_id: int, count: int, device: str
) -> Manifest:
    from . import __version__
    from .manifest import Manifest

    return Manifest(
        seed=seed,
        format=format,
        leads=STANDARD_LEADS if leads == 12 else GENERATED_LEADS,
        batch_size=batch_size,
        first_id=first_id,
        count=count,
        version=__version__,
        fs=FS,
        units="mV",
        generator=_generator_meta(device, batch_size),
    )


def _check_fresh_start(
    folder: Path, old: Manifest | None, manifest: Manifest, overwrite: bool
) -> None:
    """Refuse a new dataset where another one (or files of these ids) would be mixed in."""
    from .io import FORMATS

    if overwrite:
        return
    if old is not None:
        differ = old.mismatch(manifest, where="folder")
        raise FileExistsError(
            f"{folder} already holds a dataset (ids {old.first_id}–{old.first_id + old.count - 1}"
            f"{'; ' + differ if differ else ''}); pass resume=True (--resume) to continue it, "
            "overwrite=True (--overwrite) to replace it, or use a new folder"
        )
    existing = set(os.listdir(folder)) if folder.is_dir() else set()
    in_the_way = [
        f"{i}{sfx}" for i in manifest.record_ids for sfx in FORMATS[manifest.format]
        if f"{i}{sfx}" in existing
    ]  # fmt: skip
    if in_the_way:
        raise FileExistsError(
            f"{len(in_the_way)} file(s) already exist in {folder} (first: {in_the_way[0]}); "
            "pass overwrite=True (--overwrite) to replace them or resume=True to skip them"
        )


def _plan_resume(
    folder: Path, old: Manifest | None, n: int, format: str, seed: int | None, start_id: int, leads: int,
    device: str, batch_size: int | None,
) -> tuple[Manifest, np.ndarray]:  # fmt: skip
    """The manifest to continue (checked against ``old``) and the record ids left to write."""
    from .io import FORMATS

    suffixes = FORMATS[format]
    if old is None:
        if seed is None:
            raise ValueError("resume needs the seed of the first run (no manifest.json found)")
        if folder.is_dir() and any(not _is_leftover(name, suffixes) for name in os.listdir(folder)):
            raise ValueError(
                f"cannot resume: {folder} holds files but no {MANIFEST}, so they are not a "
                "dataset written by ecgtoolkit; use a new (or empty) folder"
            )
        size = _resolve_batch_size(batch_size, device)
        manifest = _new_manifest(format, _resolve_seed(seed), leads, size, start_id, n, device)
        return manifest, np.arange(start_id, start_id + n, dtype=np.int64)
    asked = _new_manifest(
        format,
        old.seed if seed is None else _resolve_seed(seed),
        leads,
        old.batch_size if batch_size is None else _resolve_batch_size(batch_size, device),
        start_id,
        old.count,
        device,
    )
    differ = old.mismatch(asked, where="folder")
    if differ:
        raise ValueError(f"cannot resume: {differ}; use the same settings or a new folder")
    _remove_leftovers(folder, suffixes)
    existing = set(os.listdir(folder))
    ids = np.arange(start_id, start_id + n, dtype=np.int64)
    listed = ids < old.first_id + old.count
    done = listed & np.array([f"{i}{suffixes[-1]}" in existing for i in ids.tolist()], bool)
    foreign = [
        f"{i}{sfx}" for i in ids[~listed].tolist() for sfx in suffixes if f"{i}{sfx}" in existing
    ]
    if foreign:
        raise FileExistsError(
            f"{len(foreign)} file(s) in {folder} (first: {foreign[0]}) have the names of "
            f"records beyond the {old.count} its {MANIFEST} lists, so they were not written "
            "by this dataset; move them away before extending it"
        )
    manifest = old if n <= old.count else replace(old, count=n)
    return manifest, ids[~done]


def _is_leftover(name: str, suffixes: tuple[str, ...]) -> bool:
    """Whether ``name`` is a temporary file of an interrupted ecgtoolkit write."""
    import re

    pattern = rf"\.(\d+({'|'.join(map(re.escape, suffixes))})|{re.escape(MANIFEST)})\.tmp-\d+-\d+"
    return re.fullmatch(pattern, name) is not None


def _remove_leftovers(folder: Path, suffixes: tuple[str, ...]) -> None:
    for name in os.listdir(folder):
        if _is_leftover(name, suffixes):
            (folder / name).unlink(missing_ok=True)


def _remove_dataset(folder: Path, old: Manifest) -> None:
    """Remove the manifest, then the records (and write leftovers) of the dataset ``old``."""
    from .io import FORMATS

    suffixes = FORMATS[old.format]
    (folder / MANIFEST).unlink()
    for i in old.record_ids:
        for suffix in suffixes[::-1]:  # the completion marker first
            (folder / f"{i}{suffix}").unlink(missing_ok=True)
    _remove_leftovers(folder, suffixes)


def _write_records(
    folder: Path,
    todo: np.ndarray,
    manifest: Manifest,
    device: str,
    *,
    overwrite: bool,
    progress: bool,
) -> None:
    """Generate the records ``todo`` and write them, one writer thread behind the model."""
    from . import io as ecg_io

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=manifest.count,
            initial=manifest.count - len(todo),
            unit="ECG",
            desc=f"writing {manifest.format}",
        )

    def write_chunk(chunk: np.ndarray, tanh_out: np.ndarray) -> None:
        ecg_io.write_batch(
            _to_leads(tanh_out, len(manifest.leads)),
            FS,
            manifest.leads,
            [folder / str(int(i)) for i in chunk],
            manifest.format,
            overwrite=overwrite,  # resume: leftovers of unfinished records go
            metas=[{"seed": manifest.seed, "record_id": int(i)} for i in chunk],
        )
        if bar is not None:
            bar.update(len(chunk))

    try:
        _run_with_writer(
            _iter_batches(todo, manifest.seed, device, manifest.batch_size), write_chunk
        )
    finally:
        if bar is not None:
            bar.close()


def _run_with_writer(batches: Iterator[tuple[np.ndarray, np.ndarray]], write) -> None:
    """Call ``write(ids, output)`` for each batch in one writer thread.

    The writer overlaps the file system work of batch k with the model's work on batch
    k + 1; waiting for it before handing over the next batch keeps at most two batches
    in memory and re-raises a writer's error at once.
    """
    from concurrent.futures import ThreadPoolExecutor

    pending = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecgtoolkit-writer") as pool:
        for chunk, tanh_out in batches:
            if pending is not None:
                pending.result()
            pending = pool.submit(write, chunk, tanh_out)
        if pending is not None:
            pending.result()


def _read_manifest(path: Path) -> Manifest | None:
    from .manifest import Manifest

    return Manifest.read(path)
