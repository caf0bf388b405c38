"""A training run as a self-contained HTML report: what it did, its curves, its checkpoints.

The report reads a run the way the training loop judged it: the evaluated steps, the copy
audit (:func:`ecgtoolkit.training.watch.passes_audit`) and the best step
(:func:`ecgtoolkit.training.runs.best_step`) come from the training layer, which is
imported on first use only (it loads torch).
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..comparison.tables import MIN_RECORDS
from ..core.display import format_count, format_p, format_share, format_value, summary_html
from ..core.files import atomic_write, check_output
from ..core.version import __version__
from ..generators.checkpoints import file_sha256
from .html import collapsible, csv_link, document, esc, html_table, png_tag

if TYPE_CHECKING:
    from ..training.loop import TrainingRun

__all__ = ["evaluated_frame", "training_report", "training_summary_html"]

#: Below this many evaluated steps the table is shown open; above, in a closed block.
MAX_OPEN_ROWS = 30
_MISSING = "–"
_SETTINGS = {
    "steps": "generator updates in all",
    "batch_size": "windows per critic and generator update",
    "seed": "seeds the split, the critic's first weights and every step's random draws",
    "critic": "the critic's size (small: for CPU; published: the WaveGAN discriminator)",
    "init": "the generator's starting weights",
    "holdout": "share of the records held out, never trained on",
    "warmup": "critic updates before the first generator step (generator frozen)",
    "critic_steps": "critic updates per generator step",
    "gp_weight": "λ, the weight of the gradient penalty",
    "lr": "Adam's learning rate",
    "generator_lr": "the generator's learning rate, where it differs from lr (none: lr)",
    "betas": "Adam's betas",
    "eval_every": "steps between evaluations and checkpoints",
    "eval_fakes": "fakes scored at each evaluation (the same noise every time)",
}
_DATA = {
    "source": "source",
    "origin": "what it is",
    "n_records": "records",
    "n_windows": "10 s windows",
    "original_fs_hz": "sampling rate of the records (Hz)",
    "fs_hz": "trained at (Hz)",
    "leads": "leads",
    "windows": "windows",
    "baseline": "baseline",
    "max_windows_per_record": "windows per record, at most",
    "scale": "scale",
    "sha256": "sha256 of the training and held-out windows",
}


def _resolve(run: Any) -> TrainingRun:
    from ..training.loop import TrainingRun
    from ..training.runs import load_run

    if isinstance(run, TrainingRun):
        return run
    if isinstance(run, str | os.PathLike):
        return load_run(run)
    raise TypeError(
        f"run must be a TrainingRun (what et.train_generator returns) or a run folder, got "
        f"{type(run).__name__}"
    )


def _number(value: Any, digits: int = 3) -> str:
    """A value in a table: three significant digits, "–" where it was not measured."""
    text = format_value(value, digits=digits)
    return _MISSING if text.startswith("not measurable") else text


def _share(value: Any) -> str:
    text = format_share(value)
    return _MISSING if text == "n/a" else text


def _p(value: Any) -> str:
    text = format_p(value)
    return _MISSING if text == "n/a" else text


def _p_phrase(value: Any) -> str:
    """A p-value after "p": "= 0.172", "< 0.001", "not measured"."""
    text = format_p(value)
    if text == "n/a":
        return "not measured"
    return text if text.startswith("<") else f"= {text}"


def evaluated_frame(scores: pd.DataFrame, best: int | None = None) -> pd.DataFrame:
    """The evaluated steps as the report shows them: every number formatted.

    Parameters
    ----------
    scores : pandas.DataFrame
        :func:`ecgtoolkit.training.runs.evaluated_steps` of a run.
    best : int, optional
        The step ``best.pt`` holds (its row says so).

    Returns
    -------
    pandas.DataFrame
        One row per evaluated step, text only ("–" where a value was not measured).
    """
    index = [
        f"{step} (best.pt)" if step == best else f"{step} (start)" if step == 0 else str(step)
        for step in scores.index
    ]
    return pd.DataFrame(
        {
            "C2ST AUC": scores["c2st_auc"].map(_number),
            "MMD²": scores["mmd2"].map(_number),
            "Fréchet": scores["frechet"].map(_number),
            "measurements different": scores["features_different"].map(_share),
            "density": scores["density"].map(_number),
            "coverage": scores["coverage"].map(_number),
            "copies": scores["copies_share"].map(_share),
            "copies p": scores["copies_p"].map(_p),
            "membership AUC": scores["membership_auc"].map(_number),
            "membership p": scores["membership_p"].map(_p),
            "copy audit": scores["audit_passed"].map({True: "passed", False: "FAILED"}),
        }
    ).set_axis(pd.Index(index, name="step"))


def _checkpoint_facts(folder: Path) -> tuple[str | None, str | None]:
    """The device the run trained on (``settings.json``) and best.pt's sha256 (the one
    file read whole: what records generated from it name)."""
    from ..training.runs import saved_summary

    best = folder / "best.pt"
    return saved_summary(folder).get("device"), file_sha256(best) if best.is_file() else None


def _facts(run: TrainingRun) -> dict[str, Any]:
    """What the summary and the report say, computed once."""
    from ..training.runs import best_step, evaluated_steps
    from ..training.watch import AUDIT_ALPHA

    scores = evaluated_steps(run.metrics)
    best = best_step(run)
    done = int(run.metrics.index.max()) if len(run.metrics) else 0
    speed = run.steps_per_second
    return {
        "scores": scores,
        "best": best,
        "best_row": scores.loc[best] if best is not None and best in scores.index else None,
        "start_row": scores.loc[0] if 0 in scores.index else None,
        "done": done,
        "speed": f"{format_value(speed)} steps/s" if math.isfinite(speed) else None,
        "alpha": AUDIT_ALPHA,
    }


def _versus_start(facts: dict[str, Any], column: str, formatter) -> str:
    """A best-step value with the starting generator's beside it."""
    row, start = facts["best_row"], facts["start_row"]
    shown = formatter(row[column])
    if facts["best"] == 0:
        return f"{shown} (the starting generator itself)"
    if start is None:
        return f"{shown} (the starting generator was not scored)"
    return f"{shown} (step 0, the starting generator: {formatter(start[column])})"


def _audit_phrase(row: pd.Series, alpha: float) -> str:
    verdict = "passed" if row["audit_passed"] else "FAILED"
    return (
        f"{verdict}: {_share(row['copies_share'])} of the fakes flagged as copies "
        f"(p {_p_phrase(row['copies_p'])}), membership-inference AUC "
        f"{_number(row['membership_auc'])} (p {_p_phrase(row['membership_p'])}); a step "
        f"fails when either p is below {alpha:g}"
    )


def _held_out(run: TrainingRun) -> tuple[int | None, int | None]:
    """Held-out records and windows, where the data description says."""
    records = (run.data.get("n_records") or {}).get("holdout")
    windows = (run.data.get("n_windows") or {}).get("holdout")
    return records, windows


def _realism_sentences(run: TrainingRun, facts: dict[str, Any]) -> list[str]:
    scores, best, row = facts["scores"], facts["best"], facts["best_row"]
    records, windows = _held_out(run)
    held = (
        f"{format_count(records)} held-out records" if records is not None else "held-out records"
    )
    if scores.empty:
        return [
            f"No step was scored against {held}: the watch needs at least {MIN_RECORDS} "
            f"held-out windows and {MIN_RECORDS} fakes (this run: "
            f"{format_count(windows) if windows is not None else 'unknown'} windows, "
            f"{run.settings.eval_fakes} fakes), so this run has no realism curve and no "
            "best.pt."
        ]
    failed = int((~scores["audit_passed"]).sum())
    counted = f"{len(scores)} steps" + (", step 0 among them," if 0 in scores.index else "")
    text = [f"{counted} were scored against {held}"]
    text[0] += (
        f"; {failed} of them fail the copy audit (red in the figure and the table)."
        if failed
        else "; every one passes the copy audit."
    )
    if best is None:
        text.append("No evaluated step passes the copy audit, so there is no best.pt.")
        return text
    if row is None:
        text.append(f"best.pt holds step {best}, which metrics.csv does not score.")
        return text
    text.append(
        f"best.pt holds step {best}: held-out C2ST AUC "
        f"{_versus_start(facts, 'c2st_auc', _number)}, where 0.5 is indistinguishable; "
        f"measurements that differ: {_versus_start(facts, 'features_different', _share)}."
    )
    text.append(f"Copy audit at step {best}: {_audit_phrase(row, facts['alpha'])}.")
    return text


def _power_sentence(run: TrainingRun) -> str:
    """What the held-out set's size allows one to conclude."""
    records, windows = _held_out(run)
    m, n = windows or records, run.settings.eval_fakes
    if not m or m < MIN_RECORDS:
        return (
            f"With {format_count(m) if m else 'no'} held-out windows nothing could be scored: "
            "hold out more records (holdout=) to watch realism while training."
        )
    spread = math.sqrt((m + n + 1) / (12 * m * n))  # SD of the Mann–Whitney AUC under H0
    return (
        f"With m = {format_count(m)} held-out windows (from {format_count(records)} "
        f"records) against n = {n} fakes, an AUC varies by about ±{spread:.2f} (one SD) by "
        "chance alone when nothing differs (the null spread of the Mann–Whitney statistic, "
        f"√((m + n + 1) / 12mn)): steps whose AUCs differ by less than about "
        f"{2 * spread:.2f} cannot be told apart. Windows of one record are not "
        "independent, so the true spread is wider still. The copy audit's two tests have "
        "little power with few records: passing it says that no copying was detected, not "
        "that none happened. Hold out more records (holdout=) or score more fakes "
        "(eval_fakes=) for firmer numbers."
    )


def training_summary_html(run: TrainingRun) -> str:
    """Jupyter's display of a training run (``TrainingRun._repr_html_``): steps, speed,
    best.pt with its held-out realism beside the starting generator's, its copy audit."""
    facts = _facts(run)
    best, row = facts["best"], facts["best_row"]
    rows = [
        ("folder", str(run.folder)),
        ("steps", f"{facts['done']} of {run.settings.steps}"),
        ("speed", facts["speed"] or "not measured"),
    ]
    if facts["scores"].empty:
        rows.append(("best.pt", "none: no step was scored against held-out records"))
    elif best is None:
        rows.append(("best.pt", "none: no evaluated step passes the copy audit"))
    elif row is None:
        rows.append(("best.pt", f"step {best} (not scored in metrics.csv)"))
    else:
        rows += [
            ("best.pt", f"step {best}"),
            ("held-out C2ST AUC", _versus_start(facts, "c2st_auc", _number)
             + "; 0.5 = indistinguishable"),
            ("measurements different", _versus_start(facts, "features_different", _share)),
            (f"copy audit at step {best}", _audit_phrase(row, facts["alpha"])),
        ]  # fmt: skip
    return summary_html(
        f"Training run: {run.folder.name}",
        rows,
        notes=[*run.notes, "the whole report, with the curves: run.to_html(out=...)"],
    )


def _settings_frame(run: TrainingRun) -> pd.DataFrame:
    values = asdict(run.settings)

    def shown(value: Any) -> str:
        if value is None:
            return "none"
        if isinstance(value, list | tuple):
            return ", ".join(shown(v) for v in value)
        return f"{value:g}" if isinstance(value, float) else str(value)

    return pd.DataFrame(
        {
            "value": [shown(values[k]) for k in values],
            "meaning": [_SETTINGS.get(k, "") for k in values],
        },
        index=pd.Index(list(values), name="setting"),
    )


def _data_value(key: str, value: Any) -> str:
    if key in ("n_records", "n_windows") and isinstance(value, dict):
        return (
            f"{format_count(value.get('train'))} training, "
            f"{format_count(value.get('holdout'))} held out"
        )
    if value is None:
        return "no limit" if key == "max_windows_per_record" else _MISSING
    if key == "scale" and isinstance(value, dict) and "units" in value:
        clip = value.get("clip")
        return str(value["units"]) + (f", clipped to [{clip[0]:g}, {clip[1]:g}]" if clip else "")
    if isinstance(value, dict):
        return "; ".join(f"{k} {_data_value(k, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) if isinstance(v, float) else str(v) for v in value)
    return format_value(value) if isinstance(value, float) else str(value)


def _data_frame(run: TrainingRun) -> pd.DataFrame:
    keys = [k for k in _DATA if k in run.data]
    return pd.DataFrame(
        {"value": [_data_value(k, run.data[k]) for k in keys]},
        index=pd.Index([_DATA[k] for k in keys], name="training data"),
    )


def training_report(
    run: TrainingRun | str | os.PathLike,
    out: str | os.PathLike | None = None,
    *,
    overwrite: bool = False,
) -> str:
    """A self-contained HTML report of a training run (also ``run.to_html()``).

    A summary (steps, speed, device, ``best.pt`` with its held-out realism beside the
    starting generator's, the copy audit there), the curves
    (:func:`ecgtoolkit.plot.training.plot_training`), a table of the evaluated steps
    (failing ones in red), the settings, the training data and its sha256, the notes,
    and what the held-out set's size allows one to conclude.

    Parameters
    ----------
    run : TrainingRun, str or path-like
        What :func:`ecgtoolkit.train_generator` returned, or a run folder (read with
        :func:`ecgtoolkit.training.runs.load_run`).
    out : str or path-like, optional
        Also write the report there (atomically).
    overwrite : bool
        Replace an existing file at ``out``.

    Returns
    -------
    str
        The HTML; the figure is embedded as a base64 PNG, 1,000 px wide.

    Raises
    ------
    TypeError
        If ``run`` is neither a TrainingRun nor a path.
    FileNotFoundError
        If a folder holds no run, or the folder of ``out`` does not exist.
    FileExistsError
        When ``out`` exists and ``overwrite`` is False (before any work is done).

    Examples
    --------
    >>> import tempfile, ecgtoolkit as et
    >>> out = tempfile.mkdtemp()
    >>> run = et.train_generator(et.generate(6, seed=1, progress=False), out, steps=1,
    ...                          batch_size=2, warmup=0, critic=2, progress=False)
    >>> html = et.training_report(out)
    >>> html.startswith("<!DOCTYPE html>"), "1 of 1 generator steps trained" in html
    (True, True)
    """
    path = None if out is None else check_output(out, overwrite)
    run = _resolve(run)
    facts = _facts(run)
    scores, best = facts["scores"], facts["best"]
    device, best_sha = _checkpoint_facts(Path(run.folder))
    settings = run.settings
    critic = (
        f"the {settings.critic} critic"
        if isinstance(settings.critic, str)
        else f"a critic of model size {settings.critic}"
    )
    init = {"published": "the published weights", "scratch": "random weights"}.get(
        settings.init, f"checkpoint {settings.init}"
    )
    warmup = f"after {settings.warmup} warm-up updates" if settings.warmup else "no warm-up"
    first = (
        f"{facts['done']} of {settings.steps} generator steps trained"
        + (f" at {facts['speed']}" if facts["speed"] else "")
        + f", from {init}, against {critic} ({settings.critic_steps} critic updates per "
        f"generator step, {warmup}), batch {settings.batch_size}"
        + (f", on {device}" if device else "")
        + "."
    )
    summary = " ".join([first, *_realism_sentences(run, facts)])
    from ..plot.training import plot_training

    figure = plot_training(run.metrics, best_step=best)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<h1>Training run: {esc(Path(run.folder).name)}</h1>",
        f"<p><small>{esc(run.folder)}; ecgtoolkit {esc(__version__)}, {stamp}</small></p>",
        f"<p>{esc(summary)}</p>",
        "<h2>The curves</h2>",
        png_tag(figure, "The critic, held-out realism and the copy audit, step by step", dpi=100),
        "<h2>Evaluated steps</h2>",
    ]
    if scores.empty:
        body.append("<p>None: no step was scored against held-out records.</p>")
    else:
        table = html_table(
            evaluated_frame(scores, best),
            highlight=~scores["audit_passed"].to_numpy(),
            text_columns=(),
        )
        if len(scores) > MAX_OPEN_ROWS:
            table = collapsible(f"All {len(scores)} evaluated steps", table)
        body += [
            "<p>Each evaluated step's fixed fakes scored against the held-out records (C2ST "
            "AUC: 0.5 = indistinguishable; MMD² on median beats, Fréchet distance and the "
            "share of measurements that differ: lower is closer; density and coverage: "
            "about 1 for fakes like the held-out records) and audited against the training "
            "records (copies, membership inference: 0.5 = no leak). Red rows fail the copy "
            f"audit (copies p or membership p below {facts['alpha']:g}); – : not measured."
            "</p>",
            table,
            "<p>" + csv_link(scores, "evaluated_steps.csv", "Download these values (CSV)")
            + "; every step's losses are in metrics.csv in the run folder.</p>",
        ]  # fmt: skip
    body += [
        "<h2>What the held-out set allows</h2>",
        f"<p>{esc(_power_sentence(run))}</p>",
        "<h2>Settings</h2>",
        html_table(_settings_frame(run), text_columns=("meaning",)),
        "<h2>Training data</h2>",
        html_table(_data_frame(run), text_columns=("value",)),
        "<h2>Checkpoints</h2><ul>",
        f"<li>last.pt: step {facts['done']}; continue with <code>ecgtoolkit train … -o "
        f"{esc(run.folder)} --steps N --resume</code></li>",
    ]
    if best is not None:
        body.append(
            f"<li>best.pt: step {best}"
            + (f", sha256 {esc(best_sha)}" if best_sha else "")
            + f"; generate from it with <code>ecgtoolkit generate -n 100 -o fakes --generator "
            f"{esc(Path(run.folder) / 'best.pt')}</code></li>"
        )
    body.append("</ul>")
    notes = list(run.notes)
    if notes:
        body += ["<h2>Notes</h2><ul>", *(f"<li>{esc(n)}</li>" for n in notes), "</ul>"]
    text = document(f"Training run: {Path(run.folder).name}", "".join(body))
    if path is not None:
        atomic_write(path, text, overwrite=overwrite)
    return text
