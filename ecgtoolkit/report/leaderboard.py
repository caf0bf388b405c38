"""A leaderboard as a self-contained HTML report: ranking, figure, what each column means."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..comparison.leaderboard import COLUMNS, REAL_ROW, Leaderboard
from ..core.display import summary_html
from ..core.files import atomic_write, check_output
from ..plot.leaderboard import plot_leaderboard
from .html import document, esc, html_table, png_tag

__all__ = ["leaderboard_html", "leaderboard_summary_html", "ranking_frame"]

_BETTER = {"0.5": "0.5", "lower": "lower", "higher": "higher", "as real": "as the real half"}


def _mean_sd(mean: float, sd: float) -> str:
    if not np.isfinite(mean):
        return "—"
    return f"{mean:.3g} ± {sd:.2g}" if np.isfinite(sd) else f"{mean:.3g}"


def ranking_frame(board: Leaderboard) -> pd.DataFrame:
    """The ranking as text: one row per measure, one column per candidate (so it never
    grows sideways with the number of measures), mean ± SD over the splits."""
    table = board.table
    columns = [c for c in COLUMNS if c in table.columns]
    shown = pd.DataFrame(
        index=pd.Index(
            ["rank", "score", "records", *[COLUMNS[c].title for c in columns]], name="measure"
        )
    )
    for name, row in table.iterrows():
        shown[name] = [
            str(int(row["rank"])), f"{row['score']:.2f}", str(int(row["n_records"])),
            *[_mean_sd(row[c], row[f"{c}_sd"]) for c in columns],
        ]  # fmt: skip
    shown.insert(0, "better", ["", "lower", "", *[_BETTER[COLUMNS[c].better] for c in columns]])
    return shown


def leaderboard_summary_html(board: Leaderboard) -> str:
    """Jupyter's display of a leaderboard: the ranking and its table."""
    ranking = ", ".join(f"{i}. {n}" for i, n in enumerate(board.table.index, start=1))
    return summary_html(
        f"Leaderboard against {board.n_real} real records",
        [("ranking (most realistic first)", ranking)],
        paragraphs=["Score: how far each column is from what a held-out half of the real "
                    "records scores, in that half's SDs, averaged; lower is more realistic."],
        notes=list(board.notes),
        extra_html=html_table(ranking_frame(board)),
    )  # fmt: skip


def leaderboard_html(
    board: Leaderboard,
    out: str | os.PathLike | None = None,
    *,
    overwrite: bool = False,
    fragment: bool = False,
) -> str:
    """A self-contained HTML report of a leaderboard (also ``board.to_html()``).

    The ranking comes first, as one column per candidate and one row per measure (so the
    page never scrolls sideways), then the figure, what each column catches, the notes
    and the seconds per stage.

    Parameters
    ----------
    board : Leaderboard
        What :func:`ecgtoolkit.leaderboard` returned.
    out : str or path-like, optional
        Also write the report there (atomically).
    overwrite : bool
        Replace an existing file at ``out``.
    fragment : bool
        Return the body only (from an ``<h2>`` heading on), to embed it.

    Returns
    -------
    str
        The HTML; the figure is embedded as a base64 PNG.

    Raises
    ------
    FileExistsError
        When ``out`` exists and ``overwrite`` is False.
    """
    path = None if out is None else check_output(out, overwrite)
    table = board.table
    columns = [c for c in COLUMNS if c in table.columns]
    shown = ranking_frame(board)
    meaning = pd.DataFrame(
        {
            "column": columns,
            "catches": [COLUMNS[c].catches for c in columns],
            "better": [_BETTER[COLUMNS[c].better] for c in columns],
            "a real half scores": [
                _mean_sd(table.loc[REAL_ROW, c], table.loc[REAL_ROW, f"{c}_sd"]) for c in columns
            ],  # fmt: skip
            "reference": [COLUMNS[c].reference for c in columns],
        }
    ).set_index("column")
    ranking = ", ".join(f"{i}. {esc(n)}" for i, n in enumerate(table.index, start=1))
    origins = "".join(f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in board.origins.items())
    body = [
        "<h2>Which generator is most realistic?</h2>",
        f"<p>Ranking (score: how far each column is from what a held-out half of the "
        f"{board.n_real} real records scores, in that half's SDs, averaged; lower is more "
        f"realistic, and an indistinguishable generator scores what the real half does): "
        f"{ranking}.</p>",
        f"<ul>{origins}</ul>",
        html_table(shown),
        png_tag(
            plot_leaderboard(board), "Each column, each candidate, beside the real half's band"
        ),
        "<h3>What each column says</h3>",
        html_table(meaning),
    ]
    if board.notes:
        body += ["<h3>Notes</h3><ul>", *(f"<li>{esc(n)}</li>" for n in board.notes), "</ul>"]
    body += [
        "<h3>Seconds per stage</h3>",
        html_table(board.timings.to_frame()),
        "<h3>Method</h3><p>"
        + esc(
            "The real set is split into random halves A and B, again and again. In each "
            "split, A is the reference; B, and a random subset of each candidate of B's "
            "size, are scored against it, so every row is computed with the same numbers "
            "of records. Each cell is the mean ± SD over the splits; the two costly "
            "columns (signal classifier, TSTR) use the first splits only. Measurements "
            "are made at each record's own sampling rate; the signal-level columns at "
            f"{board.fs:g} Hz, the lowest rate among the inputs."
        )
        + "</p>",
    ]
    if fragment:
        return "".join(body)
    body[0] = "<h1>Which generator is most realistic?</h1>"
    text = document("ecgtoolkit leaderboard", "".join(body))
    if path is not None:
        atomic_write(path, text, overwrite=overwrite)
    return text
