"""A training run read back from its folder: settings, metrics, evaluated steps, best step.

:func:`load_run` turns a run folder (``settings.json``, ``metrics.csv``; see
:mod:`ecgtoolkit.training.loop`) back into a :class:`~ecgtoolkit.training.loop.TrainingRun`,
so that a run can be plotted and reported long after it trained, or while it trains.
:func:`evaluated_steps` and :func:`best_step` read a run's metrics with the rules of the
training loop itself (:func:`ecgtoolkit.training.watch.passes_audit`), so that a plot or
a report never judges a checkpoint otherwise than the loop did.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import fields
from pathlib import Path

import pandas as pd

from .loop import _METRIC_COLUMNS, TrainingRun, TrainSettings
from .watch import EVAL_COLUMNS, passes_audit

__all__ = ["best_step", "evaluated_steps", "load_run", "metrics_by_step", "saved_summary"]


def metrics_by_step(metrics: pd.DataFrame) -> pd.DataFrame:
    """A run's metrics indexed by generator step, sorted, every known column present.

    Parameters
    ----------
    metrics : pandas.DataFrame
        ``TrainingRun.metrics`` (indexed by ``step``) or ``metrics.csv`` as read (a
        ``step`` column).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``step`` (int); the loss columns and :data:`EVAL_COLUMNS
        <ecgtoolkit.training.watch.EVAL_COLUMNS>` (NaN where absent), then any others.

    Raises
    ------
    TypeError
        If ``metrics`` is not a DataFrame.
    ValueError
        If it has no ``step`` index or column.
    """
    if not isinstance(metrics, pd.DataFrame):
        raise TypeError(
            f"metrics must be a pandas DataFrame (TrainingRun.metrics or metrics.csv), got "
            f"{type(metrics).__name__}"
        )
    if "step" in metrics.columns:
        metrics = metrics.set_index("step")
    elif metrics.index.name != "step":
        raise ValueError(
            "metrics has neither a 'step' index nor a 'step' column: pass TrainingRun.metrics "
            "or pd.read_csv('RUN_DIR/metrics.csv')"
        )
    known = [*_METRIC_COLUMNS[1:], *EVAL_COLUMNS]
    others = [c for c in metrics.columns if c not in known]
    frame = metrics.reindex(columns=[*known, *others]).sort_index()
    frame.index = frame.index.astype(int)
    return frame


def evaluated_steps(metrics: pd.DataFrame) -> pd.DataFrame:
    """The steps scored against the held-out records, with the copy audit's verdict.

    Parameters
    ----------
    metrics : pandas.DataFrame
        A run's metrics (see :func:`metrics_by_step`).

    Returns
    -------
    pandas.DataFrame
        One row per evaluated step (any of :data:`EVAL_COLUMNS
        <ecgtoolkit.training.watch.EVAL_COLUMNS>` measured), those columns and
        ``audit_passed``: :func:`ecgtoolkit.training.watch.passes_audit` of the row (a
        missing p-value fails, as in the training loop). Empty when nothing was evaluated.

    Examples
    --------
    >>> import pandas as pd
    >>> metrics = pd.DataFrame({"step": [0, 1, 2], "c2st_auc": [0.7, None, 0.6],
    ...                         "copies_p": [0.5, None, 0.01], "membership_p": [0.4, None, 0.3]})
    >>> evaluated_steps(metrics)["audit_passed"].to_dict()
    {0: True, 2: False}
    """
    frame = metrics_by_step(metrics)[list(EVAL_COLUMNS)]
    scores = frame[frame.notna().any(axis=1)].copy()
    scores["audit_passed"] = [passes_audit(row) for _, row in scores.iterrows()]
    return scores.astype({"audit_passed": bool})


def saved_summary(folder: str | os.PathLike) -> dict:
    """What the loop wrote to a run folder's ``settings.json`` (settings, data, step,
    ``best_step``, device); an empty dict where there is none or it is not JSON."""
    try:
        saved = json.loads((Path(folder) / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


def best_step(run: TrainingRun | pd.DataFrame) -> int | None:
    """The step that ``best.pt`` holds: the best held-out realism that passes the audit.

    Parameters
    ----------
    run : TrainingRun or pandas.DataFrame
        A run (its folder's ``best.pt`` is read where there is one) or its metrics.

    Returns
    -------
    int or None
        The step ``best.pt`` holds, as the loop saved it in the folder's
        ``settings.json`` (the checkpoints themselves are not read: with the published
        critic they weigh gigabytes). Without it (metrics, or a folder of an earlier
        version): by the training loop's rule, the evaluated step with the lowest
        held-out ``c2st_auc`` among those that pass the copy audit, the earliest on
        ties. None when no step qualifies.

    Examples
    --------
    >>> import pandas as pd
    >>> metrics = pd.DataFrame({"step": [0, 1, 2], "c2st_auc": [0.7, 0.55, 0.5],
    ...                         "copies_p": [0.5, 0.5, 0.01], "membership_p": [0.4, 0.3, 0.3]})
    >>> best_step(metrics)  # step 2 scores best but fails the copy audit
    1
    """
    if isinstance(run, TrainingRun):
        saved = saved_summary(run.folder).get("best_step")
        if isinstance(saved, int) and not isinstance(saved, bool):
            return saved
        run = run.metrics
    scores = evaluated_steps(run)
    passing = scores.loc[scores["audit_passed"], "c2st_auc"].dropna()
    return None if passing.empty else int(passing.idxmin())


def load_run(folder: str | os.PathLike) -> TrainingRun:
    """Read a training run back from its folder.

    Parameters
    ----------
    folder : str or path-like
        A run folder written by :func:`ecgtoolkit.train_generator` (it holds
        ``settings.json`` and ``metrics.csv``; the checkpoints are not read).

    Returns
    -------
    TrainingRun
        Its settings, metrics and data description. ``seconds`` is the sum of the
        steps' own times and ``steps_per_second`` the steps over that sum (evaluations
        and checkpoints left out; NaN without timed steps); a note says so.

    Raises
    ------
    TypeError
        If ``folder`` is not a path.
    FileNotFoundError
        If the folder holds no ``settings.json`` or ``metrics.csv``.
    ValueError
        If ``settings.json`` is not a run's settings.

    Examples
    --------
    >>> import tempfile, ecgtoolkit as et
    >>> out = tempfile.mkdtemp()
    >>> _ = et.train_generator(et.generate(6, seed=1, progress=False), out, steps=1,
    ...                        batch_size=2, warmup=0, critic=2, progress=False)
    >>> run = et.load_run(out)
    >>> run.settings.steps, run.metrics.index.tolist()
    (1, [1])
    """
    if not isinstance(folder, str | os.PathLike):
        raise TypeError(f"folder must be a path to a run folder, got {type(folder).__name__}")
    folder = Path(folder).expanduser()
    for name in ("settings.json", "metrics.csv"):
        if not (folder / name).is_file():
            raise FileNotFoundError(
                f"{folder} holds no {name}: is it the folder that train_generator "
                "(ecgtoolkit train -o RUN_DIR) wrote?"
            )
    saved = saved_summary(folder)
    given = saved.get("settings")
    if not isinstance(given, dict) or "steps" not in given:
        raise ValueError(f"{folder / 'settings.json'} does not hold a training run's settings")
    known = {f.name for f in fields(TrainSettings)}
    notes = []
    unknown = sorted(set(given) - known)
    if unknown:
        notes.append(f"settings.json holds settings this version does not know: {unknown}")
    values = {k: v for k, v in given.items() if k in known}
    if "betas" in values:
        values["betas"] = tuple(values["betas"])
    metrics = metrics_by_step(pd.read_csv(folder / "metrics.csv"))
    timed = metrics["seconds"].dropna()
    seconds = float(timed.sum()) if len(timed) else math.nan
    notes.append(
        f"read back from {folder}: the speed is the steps' own times (evaluations and "
        "checkpoints left out)"
    )
    return TrainingRun(
        folder=folder,
        settings=TrainSettings(**values),
        metrics=metrics,
        data=dict(saved.get("data") or {}),
        seconds=seconds,
        steps_per_second=len(timed) / seconds if len(timed) and seconds > 0 else math.nan,
        notes=notes,
    )
