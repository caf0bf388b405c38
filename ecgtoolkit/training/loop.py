"""Fine-tune the Pulse2Pulse generator on real ECGs: WGAN-GP, checkpoints, exact resume.

:func:`train_generator` (``ecgtoolkit train``) runs the published recipe (WGAN-GP with
λ = 10, five critic steps per generator step, Adam 1e-4 with betas (0.5, 0.9);
Thambawita et al. 2021; Gulrajani et al. 2017) from the published generator (or a
checkpoint of it, or from scratch) and a critic trained from scratch after a warm-up.

A run folder holds:

- ``last.pt``: generator, critic, both optimisers, the step, the settings and the
  training data's description; tensors and plain data only (``torch.load(...,
  weights_only=True)`` reads it, and so does ``et.generate(generator=...)``);
- ``metrics.csv``: one row per generator step (losses, gradient penalty, seconds), with
  the held-out realism and the copy audit at step 0 and every ``eval_every`` steps
  (:mod:`ecgtoolkit.training.watch`);
- ``best.pt``: the generator with the best held-out realism (lowest classifier AUC)
  among the checkpoints that pass the copy audit, with the step, settings, data and
  scores of ``last.pt`` at that step but not the critic and optimisers (only resuming
  needs those; with the published critic they weigh over 90 times the generator);
- ``settings.json``: the settings, the data's description, the step reached, the step
  ``best.pt`` holds and the device, readable without torch (and without reading the
  checkpoints, which with the published critic weigh gigabytes).

**Exact resume.** Every random draw of a step (which real windows, the generator's
noise, the gradient penalty's interpolation weights, the critic's phase shuffle) comes
from generators seeded by ``(seed, step)``, so a step depends only on the weights and
optimiser states that ``last.pt`` holds: K steps, then a resume to 2K, equal a straight
run of 2K steps to the bit on CPU (tested).

**The critic's warm-up.** The critic starts from random weights while the generator is
already trained: a random critic's gradients would push the published generator
anywhere. The first ``warmup`` critic updates therefore train the critic alone against
the generator's fakes (the generator frozen), so that the first generator step follows
a critic that already tells its fakes from the real records; 100 updates (20 generator
steps' worth of critic updates) is the default.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import pickle
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from ..core.files import atomic_write
from ..core.lock import WriterLock
from ..core.progress import progress_bar
from ..core.validation import check_int
from ..core.version import __version__
from ..generators.checkpoints import TRAINING_FORMAT
from ..generators.device import resolve_device
from ..generators.pulse2pulse import N_CHANNELS, N_SAMPLES, Pulse2PulseGenerator, load_generator
from .critic import CRITIC_SIZES, make_critic
from .data import TrainingData, prepare_training_data
from .watch import (
    AUDIT_COLUMNS,
    EVAL_COLUMNS,
    REALISM_COLUMNS,
    evaluate,
    passes_audit,
    prepare_watch,
)
from .wgan import (
    ADAM_BETAS,
    ADAM_LR,
    CRITIC_STEPS,
    GP_WEIGHT,
    critic_loss,
    generator_loss,
    make_optimizers,
)

__all__ = [
    "CHECKPOINT_FORMAT",
    "WARMUP_STEPS",
    "TrainSettings",
    "TrainingRun",
    "default_critic",
    "train_generator",
]

#: What a checkpoint written here says it is.
CHECKPOINT_FORMAT = TRAINING_FORMAT
#: What only resuming needs: in ``last.pt``, not in ``best.pt``.
_RESUME_ONLY = ("critic_state_dict", "optimizer_g", "optimizer_d", "warmup_done")
#: Critic updates before the first generator step (see the module's notes).
WARMUP_STEPS = 100
_METRIC_COLUMNS = (
    "step", "wasserstein", "gradient_penalty", "critic_loss", "generator_loss", "seconds",
)  # fmt: skip


@dataclass(frozen=True)
class TrainSettings:
    """How a run trains (saved in every checkpoint and in ``settings.json``)."""

    steps: int
    batch_size: int = 16
    seed: int = 0
    critic: str | int = "small"
    init: str = "published"
    holdout: float = 0.2
    warmup: int = WARMUP_STEPS
    critic_steps: int = CRITIC_STEPS
    gp_weight: float = GP_WEIGHT
    lr: float = ADAM_LR
    generator_lr: float | None = None
    betas: tuple[float, float] = ADAM_BETAS
    eval_every: int = 50
    eval_fakes: int = 32


@dataclass
class TrainingRun:
    """What :func:`train_generator` did.

    Attributes
    ----------
    folder : pathlib.Path
        The run folder (``last.pt``, ``metrics.csv``, ``settings.json``).
    settings : TrainSettings
        The settings.
    metrics : pandas.DataFrame
        One row per generator step (``step`` index): ``wasserstein``,
        ``gradient_penalty``, ``critic_loss``, ``generator_loss``, ``seconds``, and at
        evaluated steps (step 0 is the starting generator) the columns of
        :data:`ecgtoolkit.training.watch.EVAL_COLUMNS`.
    data : dict
        The training data's description.
    seconds : float
        Wall time of this call.
    steps_per_second : float
        Generator steps per second in this call (each with its critic steps).
    notes : list of str
        What was left out or adjusted, and why.
    """

    folder: Path
    settings: TrainSettings
    metrics: pd.DataFrame
    data: dict
    seconds: float
    steps_per_second: float
    notes: list[str] = field(default_factory=list)

    @property
    def last(self) -> Path:
        """The last checkpoint (``et.generate(generator=run.last)``)."""
        return self.folder / "last.pt"

    def __repr__(self) -> str:
        done = int(self.metrics.index.max()) if len(self.metrics) else 0
        return (
            f"<TrainingRun {self.folder} | {done} of {self.settings.steps} steps, batch "
            f"{self.settings.batch_size}, critic {self.settings.critic}; "
            f"{self.steps_per_second:.3g} steps/s>"
        )

    def plot(self) -> Any:
        """The run's curves: the critic, held-out realism, the copy audit, ``best.pt``.

        Returns
        -------
        matplotlib.figure.Figure
            See :func:`ecgtoolkit.plot.training.plot_training`.
        """
        from ..plot.training import plot_training
        from .runs import best_step

        return plot_training(self.metrics, best_step=best_step(self))

    def to_html(self, out: str | os.PathLike | None = None, *, overwrite: bool = False) -> str:
        """A self-contained HTML report of the run (see
        :func:`ecgtoolkit.report.training.training_report`)."""
        from ..report.training import training_report

        return training_report(self, out, overwrite=overwrite)

    def _repr_html_(self) -> str:
        from ..report.training import training_summary_html

        return training_summary_html(self)


def _seed(*parts: int | str) -> int:
    """A 63-bit seed from the parts (stable across processes and platforms)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def default_critic(device: str) -> str:
    """The critic's size when none is given: the published one on CUDA, else the small one.

    Examples
    --------
    >>> default_critic("cpu"), default_critic("cuda:0")
    ('small', 'published')
    """
    return "published" if torch.device(device).type == "cuda" else "small"


def _batch(data: np.ndarray, size: int, seed: int, device: torch.device) -> torch.Tensor:
    rows = np.random.default_rng(seed).integers(0, len(data), size)
    return torch.from_numpy(data[rows]).to(device)


def _noise(size: int, seed: int, device: torch.device) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(size, N_CHANNELS, N_SAMPLES, generator=gen) * 2 - 1).to(device)


def _critic_update(generator, critic, opt_d, real, noise, gp_weight) -> dict[str, float]:
    """One critic update against the generator's fakes.

    The generator is frozen here; the caller puts it in eval mode once for a run of
    critic updates, so that they share its fast inference path (the same function as in
    training mode, computed several times faster, its fused weights built once).
    """
    with torch.inference_mode():
        fake = generator(noise)
    fake = fake.clone()  # an inference tensor cannot enter autograd
    opt_d.zero_grad(set_to_none=True)
    loss, parts = critic_loss(critic, real, fake, gp_weight=gp_weight)
    loss.backward()
    opt_d.step()
    return parts


def _initial_generator(init: str, device: torch.device, seed: int) -> Pulse2PulseGenerator:
    if init == "scratch":
        torch.manual_seed(_seed(seed, "init-generator"))
        return Pulse2PulseGenerator().to(device)
    weights = None if init == "published" else init
    return load_generator(str(device), weights=weights)


def _data_digest(data: TrainingData) -> str:
    h = hashlib.sha256()
    for array in (data.train, data.holdout):
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def _save(path: Path, content: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    torch.save(content, buffer)
    atomic_write(path, buffer.getvalue(), overwrite=True)


def _check_settings(settings: TrainSettings) -> None:
    check_int(settings.steps, "steps", minimum=1)
    check_int(settings.batch_size, "batch_size", minimum=1)
    check_int(settings.seed, "seed", minimum=0)
    check_int(settings.warmup, "warmup", minimum=0)
    check_int(settings.eval_every, "eval_every", minimum=1)
    check_int(settings.eval_fakes, "eval_fakes", minimum=1)
    for name in ("lr", "generator_lr"):
        value = getattr(settings, name)
        if value is None and name == "generator_lr":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be a number (e.g. 1e-4), got {value!r}")
        if not (math.isfinite(value) and 0 < value < 1):
            raise ValueError(f"{name} must be in (0, 1), e.g. 1e-4, got {value!r}")
    if isinstance(settings.critic, str) and settings.critic not in CRITIC_SIZES:
        raise ValueError(
            f"critic must be one of {sorted(CRITIC_SIZES)} or a model size (int), "
            f"got {settings.critic!r}"
        )
    if settings.init not in ("published", "scratch") and not Path(settings.init).is_file():
        raise FileNotFoundError(
            f"init={settings.init!r} is neither 'published', 'scratch' nor a checkpoint file"
        )


def train_generator(
    real: Any,
    out: str | os.PathLike,
    *,
    steps: int,
    batch_size: int = 16,
    seed: int = 0,
    device: str | None = "cpu",
    resume: bool = False,
    holdout: float = 0.2,
    critic: str | int | None = None,
    init: str | os.PathLike = "published",
    warmup: int = WARMUP_STEPS,
    eval_every: int = 50,
    eval_fakes: int = 32,
    lr: float = ADAM_LR,
    generator_lr: float | None = None,
    progress: bool = True,
) -> TrainingRun:
    """Fine-tune the Pulse2Pulse generator on real ECGs with WGAN-GP.

    Parameters
    ----------
    real : str, path, ECG, Database, ...
        The real records: anything :func:`ecgtoolkit.training.data.prepare_training_data`
        reads (a folder, a store, an ECG batch, ``"database:ludb:sinus"``, …); they are
        resampled to 500 Hz, cut into 10 s windows of the 8 generated leads, scaled as
        the generator's output, and split into training and held-out records by record.
    out : str or path-like
        The run folder (created). A folder that already holds a run is refused unless
        ``resume`` is True.
    steps : int
        Generator updates in all (with ``resume``, the run continues to this step).
    batch_size : int
        Windows per critic and generator update.
    seed : int
        Seeds the split, the critic's initial weights and every step's random draws.
    device : str or None
        ``"cpu"`` (default; exact resume is guaranteed there), ``"cuda"``, or None /
        ``"auto"``.
    resume : bool
        Continue the run in ``out`` from its ``last.pt`` (same data and settings, except
        ``steps``).
    holdout : float
        Share of the records held out (never trained on), for evaluation.
    critic : {"small", "published"}, int or None
        The critic's size (:data:`ecgtoolkit.training.critic.CRITIC_SIZES`): the
        published WaveGAN discriminator (model size 50, 204 M parameters), or the small
        one (model size 8, 5.2 M) that a CPU can train. None (default): the published
        critic on a CUDA device, the small one elsewhere.
    init : {"published", "scratch"} or path
        The generator's starting weights: the published ones, random ones, or a
        checkpoint.
    warmup : int
        Critic updates before the first generator step.
    eval_every : int
        Every this many steps (and at step 0 and the end): score the generator's fixed
        fakes against the held-out records and audit them for copying
        (:mod:`ecgtoolkit.training.watch`), write ``last.pt``, ``metrics.csv`` and, when
        the held-out realism is the best so far among checkpoints that pass the copy
        audit, ``best.pt``.
    eval_fakes : int
        Fakes scored at each evaluation (fixed noise, the same every time).
    lr : float
        Adam's learning rate (the published 1e-4).
    generator_lr : float, optional
        The generator's learning rate, where it differs from ``lr``. Fine-tuning the
        published generator against a new small critic at the published 1e-4 made it
        *less* realistic within 25 steps on LUDB + CinC (``benchmarks/bench_finetune.py``);
        at 1e-5 it drifted more slowly, the same way. None: ``lr``.
    progress : bool
        A progress bar.

    Returns
    -------
    TrainingRun
        The folder, settings, metrics and speed.

    Raises
    ------
    FileExistsError
        If ``out`` holds a run and ``resume`` is False.
    FileNotFoundError
        If ``resume`` is True and ``out`` holds no ``last.pt``; or ``init`` is neither a
        known name nor a file.
    ValueError
        For bad settings, or a resume whose data or settings differ from the run's.

    Examples
    --------
    >>> import tempfile, ecgtoolkit as et
    >>> from ecgtoolkit.training import train_generator
    >>> run = train_generator(et.generate(6, seed=1, progress=False), tempfile.mkdtemp(),
    ...                       steps=1, batch_size=2, warmup=1, progress=False)
    >>> run.metrics.index.tolist(), run.last.name
    ([1], 'last.pt')
    """
    if critic is None:
        critic = default_critic(resolve_device(device))
    settings = TrainSettings(
        steps=steps, batch_size=batch_size, seed=seed, critic=critic, init=str(init),
        holdout=holdout, warmup=warmup, eval_every=eval_every, eval_fakes=eval_fakes,
        lr=lr, generator_lr=generator_lr,
    )  # fmt: skip
    _check_settings(settings)
    folder = Path(out)
    last = folder / "last.pt"
    if last.exists() and not resume:
        raise FileExistsError(
            f"{folder} already holds a training run (last.pt): pass resume=True (--resume) "
            "to continue it, or choose another folder"
        )
    if resume and not last.exists():
        raise FileNotFoundError(f"nothing to resume: {folder} holds no last.pt")
    folder.mkdir(parents=True, exist_ok=True)
    with WriterLock(folder / ".lock", f"the training run {folder}"):
        return _train(real, folder, settings, device, resume, progress)


def _train(real, folder, settings, device, resume, progress) -> TrainingRun:
    started = time.perf_counter()
    dev = torch.device(resolve_device(device))
    data = prepare_training_data(real, holdout=settings.holdout, seed=settings.seed,
                                 progress=progress)  # fmt: skip
    notes = list(data.notes)
    description = {**data.description, "sha256": _data_digest(data)}
    watch, watch_note = prepare_watch(data, n_fakes=settings.eval_fakes, seed=settings.seed)
    if watch_note:
        notes.append(watch_note)
    generator = _initial_generator(settings.init, dev, settings.seed).train()
    torch.manual_seed(_seed(settings.seed, "init-critic"))
    critic = make_critic(settings.critic).to(dev).train()
    opt_g, opt_d = make_optimizers(generator, critic, lr=settings.lr,
                                   generator_lr=settings.generator_lr, betas=settings.betas)  # fmt: skip
    step, warmed, rows = 0, 0, []
    best = {"step": -1, "c2st_auc": math.inf}
    if resume:
        try:
            with warnings.catch_warnings():  # torch warns of pickle protocols it may not read
                warnings.simplefilter("ignore", UserWarning)
                state = torch.load(folder / "last.pt", map_location=dev, weights_only=True)
        except pickle.UnpicklingError as err:
            raise ValueError(
                f"{folder / 'last.pt'} holds more than tensors and plain data (pickled code?): "
                f"refused without running it ({str(err).splitlines()[0]})"
            ) from None
        saved = TrainSettings(**{**state["settings"], "betas": tuple(state["settings"]["betas"])})
        if {**asdict(saved), "steps": 0} != {**asdict(settings), "steps": 0}:
            raise ValueError(
                f"resume with the run's own settings (only steps may change): the run has "
                f"{asdict(saved)}, this call {asdict(settings)}"
            )
        if state["data"]["sha256"] != description["sha256"]:
            raise ValueError(
                "resume with the run's own training data: these records differ from the "
                f"ones in {folder / 'last.pt'} ({state['data'].get('source')})"
            )
        generator.load_state_dict(state["model_state_dict"])
        critic.load_state_dict(state["critic_state_dict"])
        opt_g.load_state_dict(state["optimizer_g"])
        opt_d.load_state_dict(state["optimizer_d"])
        step, warmed = int(state["step"]), int(state["warmup_done"])
        best = dict(state.get("best", best))
        if (folder / "metrics.csv").exists():
            rows = pd.read_csv(folder / "metrics.csv").to_dict("records")
            rows = [r for r in rows if r["step"] <= step]
        if step >= settings.steps:
            notes.append(f"the run is already at step {step} ≥ steps={settings.steps}")
    b, s = settings.batch_size, settings.seed

    def checkpoint() -> None:
        scores = None
        if watch is not None:
            scores = evaluate(generator, watch)
            generator.train()
            if rows and rows[-1]["step"] == step:
                rows[-1].update(scores)
            else:
                rows.append({"step": step, **scores})
            if passes_audit(scores) and scores["c2st_auc"] < best["c2st_auc"]:
                best.update(step=step, c2st_auc=scores["c2st_auc"])
        held_out = None if scores is None else {k: scores[k] for k in REALISM_COLUMNS}
        audit = None if scores is None else {k: scores[k] for k in AUDIT_COLUMNS}
        if audit is not None:
            audit["passed"] = bool(passes_audit(scores))
        content = {
            "format": CHECKPOINT_FORMAT,
            "model_state_dict": generator.state_dict(),
            "critic_state_dict": critic.state_dict(),
            "optimizer_g": opt_g.state_dict(),
            "optimizer_d": opt_d.state_dict(),
            "step": step,
            "warmup_done": warmed,
            "settings": {**asdict(settings), "betas": list(settings.betas)},
            "data": description,
            "training": {
                "ecgtoolkit": __version__,
                "device": str(dev),
                "step": step,
                "held_out": held_out,
                "copy_audit": audit,
            },
            "best": dict(best),
        }
        _save(folder / "last.pt", content)
        if best["step"] == step:
            _save(folder / "best.pt", {k: v for k, v in content.items() if k not in _RESUME_ONLY})
        frame = pd.DataFrame(rows, columns=[*_METRIC_COLUMNS, *EVAL_COLUMNS])
        atomic_write(folder / "metrics.csv", frame.to_csv(index=False), overwrite=True)
        summary = {
            "settings": content["settings"],
            "data": description,
            "step": step,
            "best_step": best["step"] if best["step"] >= 0 else None,  # what best.pt holds
            "device": str(dev),
        }
        atomic_write(folder / "settings.json", json.dumps(summary, indent=1), overwrite=True)

    if not resume and watch is not None:
        checkpoint()  # step 0: the starting generator, scored as the baseline
    # The critic's warm-up: the generator frozen (see the module's notes).
    generator.eval()
    with progress_bar(total=max(settings.warmup - warmed, 0), desc="critic warm-up",
                      unit="update", enabled=progress and warmed < settings.warmup) as bar:  # fmt: skip
        while warmed < settings.warmup:
            torch.manual_seed(_seed(s, "warmup", warmed))
            real_batch = _batch(data.train, b, _seed(s, "warmup-real", warmed), dev)
            _critic_update(generator, critic, opt_d, real_batch,
                           _noise(b, _seed(s, "warmup-noise", warmed), dev),
                           settings.gp_weight)  # fmt: skip
            warmed += 1
            bar.update(1)
    first = step
    loop_start = time.perf_counter()
    with progress_bar(total=max(settings.steps - step, 0), desc="training", unit="step",
                      enabled=progress) as bar:  # fmt: skip
        while step < settings.steps:
            t0 = time.perf_counter()
            k = step + 1
            generator.eval()
            for j in range(settings.critic_steps):
                torch.manual_seed(_seed(s, "critic", k, j))
                parts = _critic_update(
                    generator, critic, opt_d, _batch(data.train, b, _seed(s, "real", k, j), dev),
                    _noise(b, _seed(s, "noise", k, j), dev), settings.gp_weight,
                )  # fmt: skip
            torch.manual_seed(_seed(s, "generator", k))
            generator.train()
            for p in critic.parameters():
                p.requires_grad_(False)
            opt_g.zero_grad(set_to_none=True)
            g_loss = generator_loss(critic, generator(_noise(b, _seed(s, "g-noise", k), dev)))
            g_loss.backward()
            opt_g.step()
            for p in critic.parameters():
                p.requires_grad_(True)
            step = k
            rows.append({"step": k, **{c: parts.get(c, math.nan) for c in _METRIC_COLUMNS[1:4]},
                         "generator_loss": float(g_loss.detach()), "seconds": time.perf_counter() - t0})  # fmt: skip
            bar.update(1)
            if step % settings.eval_every == 0 or step == settings.steps:
                checkpoint()
    if step == first:  # nothing trained in this call: still leave a complete folder
        checkpoint()
    done = step - first
    loop_seconds = time.perf_counter() - loop_start
    metrics = pd.DataFrame(rows, columns=[*_METRIC_COLUMNS, *EVAL_COLUMNS]).set_index("step")
    return TrainingRun(
        folder=folder,
        settings=settings,
        metrics=metrics,
        data=description,
        seconds=time.perf_counter() - started,
        steps_per_second=done / loop_seconds if done and loop_seconds > 0 else math.nan,
        notes=notes,
    )
