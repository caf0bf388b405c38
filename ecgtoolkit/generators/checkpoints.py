"""Generator checkpoints: which file layout, which weights, which units.

A checkpoint of the Pulse2Pulse generator comes in one of these layouts:

- **published**: deepfake-ecg 1.1.2's ``g_stat.pt``, ``{"stat_dict": state_dict}``;
- **Pulse2Pulse training**: what the Pulse2Pulse repository's ``pulse2pulse_train.py``
  saves every few epochs, ``{"epoch", "netG_state_dict", "netD_state_dict",
  "optimizerG_state_dict", "optimizerD_state_dict"}``;
- **PyTorch Lightning**: a ``.ckpt`` as ECGEN (PyPI ``ecgen``, the authors' successor
  package) writes it: ``{"state_dict": {"netG.<name>": …, "netD.<name>": …},
  "hyper_parameters", "epoch", "pytorch-lightning_version", …}``, ECGEN adding
  ``"ecgen_family"`` and ``"ecgen_data_info"`` (leads, fs and the data's amplitude
  scale);
- **bare**: the generator's ``state_dict()`` itself (``model_state_dict`` in a dict
  also works).

:func:`read_checkpoint` finds the generator's weights in any of them (stripping the
``module.`` of ``DataParallel``, the ``_orig_mod.`` of ``torch.compile`` and the
generator's attribute name in a training module, e.g. ``netG.`` or
``model.generator.``), and the unit of the network's output. Every file is read with
``torch.load(weights_only=True)``: a checkpoint that needs unsafe unpickling (one that
holds Python objects other than tensors and plain containers) is refused, never
executed. Which weights fit the network is decided by
:func:`ecgtoolkit.generators.pulse2pulse.load_generator`.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.files import plain_data
from ..core.leads import GENERATED_LEADS

__all__ = [
    "OUTPUT_SCALE_MV",
    "WEIGHTS_SHA256",
    "GeneratorCheckpoint",
    "file_sha256",
    "read_checkpoint",
]

#: sha256 of the published checkpoint ``g_stat.pt`` (deepfake-ecg 1.1.2).
WEIGHTS_SHA256 = "676619cb3b81ed637e5ef93fabd591220d047bc4f5e199ffce930a3affb05cba"
#: mV per unit of the Pulse2Pulse generator's output: it was trained on µV / 6000
#: (``norm_num=6000`` in the Pulse2Pulse repository), so tanh output × 6 = mV.
OUTPUT_SCALE_MV = 6.0

#: Where a training module keeps its generator, tried in this order.
GENERATOR_PREFIXES = ("model.netG.", "model.generator.", "netG.", "generator.", "model.")
#: What wrappers add in front of every name: DataParallel/DDP and torch.compile.
_WRAPPER_PREFIXES = ("module.", "_orig_mod.")
#: What a checkpoint of :func:`ecgtoolkit.train_generator` says it is (its ``format``).
TRAINING_FORMAT = "ecgtoolkit-train-1"
#: Entries that hold the generator's state dict, and the layout each one names.
_STATE_ENTRIES = (
    ("stat_dict", "the published Pulse2Pulse layout ('stat_dict')"),
    ("netG_state_dict", "a Pulse2Pulse training checkpoint ('netG_state_dict')"),
    ("state_dict", "a checkpoint with a 'state_dict'"),
    ("model_state_dict", "a training checkpoint ('model_state_dict')"),
)
_SHA_CACHE: dict[tuple[str, int, int, int], str] = {}


@dataclass(frozen=True)
class GeneratorCheckpoint:
    """The generator's weights found in a checkpoint file, with where they came from.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    sha256 : str
        sha256 of the file's bytes (hex).
    layout : str
        What the file looked like, in words (e.g. ``"a Pulse2Pulse training checkpoint
        ('netG_state_dict'), epoch 3000"``).
    state : dict of str to torch.Tensor
        The generator's entries, their names as the generator module has them (wrapper
        and training-module prefixes stripped), nothing else of the file.
    output_mv : float
        mV per unit of the network's output (6 for Pulse2Pulse: tanh output × 6 = mV).
    training : dict or None
        For a checkpoint of :func:`ecgtoolkit.train_generator`: how it was trained, in
        plain data (step, starting weights, critic, batch size, seed, the training
        data's source and records with their sha256, the device, and the held-out
        realism and copy audit at that step where they were measured). None otherwise.

    Examples
    --------
    >>> import tempfile, torch
    >>> path = tempfile.mkdtemp() + "/g.pt"
    >>> torch.save({"netG_state_dict": {"conv_1.bias": torch.zeros(10)}, "epoch": 25}, path)
    >>> checkpoint = read_checkpoint(path)
    >>> checkpoint.layout
    "a Pulse2Pulse training checkpoint ('netG_state_dict'), epoch 25"
    >>> list(checkpoint.state), checkpoint.output_mv
    (['conv_1.bias'], 6.0)
    """

    path: Path
    sha256: str
    layout: str
    state: dict[str, Any]
    output_mv: float = OUTPUT_SCALE_MV
    training: dict[str, Any] | None = None


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 of a file's bytes (hex), read in 1 MiB blocks.

    Remembered per file (path, size, modification time and inode), so that asking again
    for an unchanged file costs one ``stat``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x"
    >>> _ = path.write_bytes(b"abc")
    >>> file_sha256(path)[:16]
    'ba7816bf8f01cfea'
    """
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if key not in _SHA_CACHE:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _SHA_CACHE[key] = digest.hexdigest()
    return _SHA_CACHE[key]


def read_checkpoint(path: str | os.PathLike) -> GeneratorCheckpoint:
    """Read the generator's weights from a checkpoint of any known layout.

    Parameters
    ----------
    path : path
        A file written by ``torch.save``: the published ``g_stat.pt``, a Pulse2Pulse
        training checkpoint, a PyTorch Lightning (ECGEN) ``.ckpt`` or a bare
        ``state_dict`` (the module docstring lists the layouts).

    Returns
    -------
    GeneratorCheckpoint
        The generator's entries (not yet checked against the network), the file's
        sha256, its layout in words and the unit of the network's output.

    Raises
    ------
    TypeError
        If ``path`` is not a path.
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file is not a PyTorch checkpoint, needs unsafe unpickling, holds no
        generator weights, holds non-finite weights, or (ECGEN) is not an
        unconditional 8-lead, 500 Hz, 5000-sample Pulse2Pulse generator whose output
        converts to mV.

    Notes
    -----
    The unit: the published and the Pulse2Pulse training checkpoints give tanh output
    × 6 = mV. An ECGEN checkpoint says how its data were scaled
    (``ecgen_data_info["scale"]``: ``"none"`` for mV, a number ``s`` for mV / ``s``)
    and by what its generator multiplies the tanh (``hyper_parameters["output_scale"]``);
    one trained on ECGs z-scored record by record has no unit and is refused. A file
    that does not say is taken to follow the Pulse2Pulse convention.

    Examples
    --------
    >>> import tempfile, torch
    >>> path = tempfile.mkdtemp() + "/last.ckpt"
    >>> torch.save({"state_dict": {"netG.conv_1.bias": torch.zeros(10),
    ...                            "netD.conv1.bias": torch.zeros(50)},
    ...             "pytorch-lightning_version": "2.4.0", "epoch": 7}, path)
    >>> checkpoint = read_checkpoint(path)
    >>> list(checkpoint.state)
    ['conv_1.bias']
    >>> checkpoint.layout
    "a PyTorch Lightning checkpoint (pytorch-lightning 2.4.0), epoch 7, generator under 'netG.'"
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"a generator checkpoint must be a path (str or pathlib.Path), got "
            f"{type(path).__name__}"
        )
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"generator checkpoint {path} does not exist (or is not a file)")
    sha256 = file_sha256(path)
    content = _load(path)
    layout, state, output_mv = _generator_entries(content, path)
    training = None
    if isinstance(content, Mapping) and content.get("format") == TRAINING_FORMAT:
        training = _training_provenance(content)
        layout = f"an ecgtoolkit training checkpoint, step {training['step']}"
    return GeneratorCheckpoint(path, sha256, layout, state, output_mv, training)


def _training_provenance(content: Mapping[str, Any]) -> dict[str, Any]:
    """How an ecgtoolkit training checkpoint was trained, in plain data."""
    settings = content.get("settings") or {}
    data = content.get("data") or {}
    info = content.get("training") or {}
    keys = ("init", "critic", "batch_size", "seed", "steps", "lr", "eval_every")
    return plain_data({
        "format": TRAINING_FORMAT,
        "ecgtoolkit": info.get("ecgtoolkit"),
        "step": int(content.get("step", 0)),
        **{key: settings.get(key) for key in keys},
        "data": {key: data.get(key) for key in ("source", "origin", "n_records", "sha256")},
        "device": info.get("device"),
        "held_out": info.get("held_out"),
        "copy_audit": info.get("copy_audit"),
    })  # fmt: skip


def _load(path: Path) -> Any:
    """``torch.load`` with ``weights_only=True``, its failures said for people."""
    import torch

    try:
        # A zip checkpoint is memory-mapped: a training checkpoint's discriminator and
        # optimiser states (gigabytes) are never read from disk.
        return torch.load(
            path, map_location="cpu", weights_only=True, mmap=zipfile.is_zipfile(path)
        )
    except pickle.UnpicklingError as exc:
        unsafe = re.search(r"Unsupported global: GLOBAL (\S+)", str(exc))
        if unsafe:
            raise ValueError(
                f"{path} needs unsafe unpickling: it holds a Python object of type "
                f"{unsafe.group(1)}, and ecgtoolkit loads checkpoints with "
                "torch.load(weights_only=True), which never runs code from a file. Where "
                "you trust the file, save just the generator's weights: "
                "torch.save(generator.state_dict(), 'generator.pt')"
            ) from None
        raise ValueError(
            f"{path} is not a readable PyTorch checkpoint (its bytes are not pickle data "
            "that torch.load(weights_only=True) accepts); is it the file torch.save wrote?"
        ) from None
    except Exception as exc:  # noqa: BLE001 - torch.load fails on garbage in many ways
        reason = _first_line(exc)
        raise ValueError(
            f"{path} is not a readable PyTorch checkpoint ({type(exc).__name__}"
            f"{': ' + reason if reason else ''}); is it the file torch.save wrote?"
        ) from None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else ""


def _generator_entries(content: Any, path: Path) -> tuple[str, dict[str, Any], float]:
    """(layout in words, the generator's entries, mV per output unit) of a loaded file."""
    import torch

    if not isinstance(content, Mapping):
        raise ValueError(
            f"{path} holds a {type(content).__name__}, not a dict of weights; save the "
            "generator's state_dict: torch.save(generator.state_dict(), 'generator.pt')"
        )
    output_mv = OUTPUT_SCALE_MV
    found = next(((key, label) for key, label in _STATE_ENTRIES if key in content), None)
    if found is not None:
        entry, layout = found
        state = content[entry]
        if entry == "state_dict":
            layout = _lightning_layout(content)
            output_mv = _lightning_output_mv(content, path)
        if "epoch" in content and isinstance(content["epoch"], int):
            layout += f", epoch {content['epoch']}"
        if not isinstance(state, Mapping):
            raise ValueError(
                f"{path} looks like {layout}, but its '{entry}' entry is a "
                f"{type(state).__name__}, not a dict of weights"
            )
    elif content and all(isinstance(value, torch.Tensor) for value in content.values()):
        entry, layout, state = None, "a bare state_dict", content
    else:
        keys = ", ".join(repr(key) for key in list(content)[:8])
        raise ValueError(
            f"{path} holds no generator weights that ecgtoolkit knows where to find "
            f"(its entries: {keys or 'none'}); expected 'stat_dict' (deepfake-ecg), "
            "'netG_state_dict' (Pulse2Pulse training), 'state_dict' (PyTorch Lightning, "
            "ECGEN) or the generator's bare state_dict"
        )
    state, prefix = _generator_names(dict(state))
    if prefix:
        layout += f", generator under '{prefix}'"
    not_tensors = [key for key, value in state.items() if not isinstance(value, torch.Tensor)]
    if not_tensors:
        raise ValueError(
            f"{path} ({layout}) holds entries that are not tensors where the generator's "
            f"weights should be: {', '.join(map(repr, not_tensors[:5]))}"
        )
    not_finite = [
        key for key, value in state.items()
        if value.is_floating_point() and not bool(torch.isfinite(value).all())
    ]  # fmt: skip
    if not_finite:
        raise ValueError(
            f"{path} ({layout}) holds NaN or infinite weights in {', '.join(not_finite[:5])}; "
            "the training diverged: take an earlier checkpoint"
        )
    return layout, state, output_mv


def _strip(name: str, prefixes: tuple[str, ...]) -> str:
    while name.startswith(prefixes):
        name = name[len(next(p for p in prefixes if name.startswith(p))) :]
    return name


def _generator_names(state: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The entries of the generator, wrapper and training-module prefixes stripped."""
    state = {_strip(str(key), _WRAPPER_PREFIXES): value for key, value in state.items()}
    prefix = next((p for p in GENERATOR_PREFIXES if any(k.startswith(p) for k in state)), "")
    if prefix:
        state = {
            _strip(key[len(prefix) :], _WRAPPER_PREFIXES): value
            for key, value in state.items()
            if key.startswith(prefix)
        }
    return state, prefix


def _lightning_layout(content: Mapping[str, Any]) -> str:
    version = content.get("pytorch-lightning_version")
    if "ecgen_family" in content or "ecgen_data_info" in content:
        family = content.get("ecgen_family", "unrecorded")
        return f"an ECGEN checkpoint (PyTorch Lightning, family {family!r})"
    if version is not None:
        return f"a PyTorch Lightning checkpoint (pytorch-lightning {version})"
    return "a checkpoint with a 'state_dict' entry"


def _lightning_output_mv(content: Mapping[str, Any], path: Path) -> float:
    """mV per output unit of a Lightning (ECGEN) generator; refuse what ecgtoolkit cannot run.

    Reads ECGEN's ``hyper_parameters`` (``Pulse2PulseConfig``) and ``ecgen_data_info``.
    """
    family = content.get("ecgen_family")
    if family is not None and family != "pulse2pulse":
        raise ValueError(
            f"{path} is an ECGEN {family!r} model, not a Pulse2Pulse generator; ecgtoolkit "
            "runs Pulse2Pulse generators (ECGEN family 'pulse2pulse') only"
        )
    params = content.get("hyper_parameters")
    params = params if isinstance(params, Mapping) else {}
    if params.get("conditioning"):
        raise ValueError(
            f"{path} is a conditional generator (conditioning: "
            f"{', '.join(map(str, params['conditioning']))}); ecgtoolkit generates from "
            "noise alone: use an unconditional model"
        )
    for key, ours in (("model_size", 50), ("num_channels", 8), ("seq_length", 5000)):
        if key in params and params[key] != ours:
            raise ValueError(
                f"{path} was trained with {key}={params[key]}; the Pulse2Pulse generator "
                f"ecgtoolkit runs has {key}={ours}"
            )
    info = content.get("ecgen_data_info")
    info = info if isinstance(info, Mapping) else {}
    if info.get("fs") is not None and float(info["fs"]) != 500.0:
        raise ValueError(
            f"{path} was trained on ECGs at {info['fs']} Hz; ecgtoolkit's generator makes "
            "500 Hz ECGs"
        )
    leads = info.get("lead_names")
    if leads is not None and [str(n).upper() for n in leads] != [
        n.upper() for n in GENERATED_LEADS
    ]:
        raise ValueError(
            f"{path} makes the leads {', '.join(map(str, leads))}; ecgtoolkit needs "
            f"{', '.join(GENERATED_LEADS)} in this order"
        )
    gain = params.get("output_scale", 1.0)
    if not _positive_number(gain):
        raise ValueError(f"{path} has output_scale={gain!r}; expected a positive number")
    if "scale" not in info:
        if gain != 1.0:
            raise ValueError(
                f"{path} multiplies its output by output_scale={gain} but does not say "
                "how its training data were scaled, so its output has no known unit"
            )
        return OUTPUT_SCALE_MV
    scale = info["scale"]
    if scale == "none":
        return float(gain)
    if _positive_number(scale):
        return float(gain) * float(scale)
    if scale == "zscore":
        raise ValueError(
            f"{path} was trained on ECGs z-scored record by record (ECGEN scale='zscore'), "
            "so its output has no unit and cannot be turned into mV; use a generator "
            "trained with scale='none' (mV) or a number"
        )
    raise ValueError(f"{path} has the data scale {scale!r}, which ecgtoolkit does not know")


def _positive_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )
