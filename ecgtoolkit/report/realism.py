"""A realism report for generated ECGs: measured, checked, interpreted and compared."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from ..comparison.compare import compare
from ..core.ecg import ECG
from ..core.files import atomic_write, check_output
from ..core.version import __version__
from ..measurement.checks import check_leads
from ..measurement.interpretation import interpret, is_normal
from ..measurement.measure import measure
from ..plot.ecg import plot_ecg
from .html import document, esc, html_table, png_tag

__all__ = ["RealismReport", "realism_report"]

_INTRO = (
    "How realistic are these ECGs? Every record was measured with the toolkit's own "
    "ruler (signal quality, R peaks, delineation, intervals, axes, amplitudes, heart-rate "
    "variability), its leads were checked against the physics that ties them together "
    "(Einthoven's and Goldberger's laws, electrode placement), a rule-based "
    "interpretation gave its rhythm and conduction, and the whole set was compared "
    "statistically with real ECGs measured with the same ruler. Red rows and titles mark "
    "what differs (Benjamini–Hochberg adjusted p < 0.05)."
)


@dataclass(frozen=True)
class RealismReport:
    """The parts of a realism report (see :func:`realism_report`).

    Attributes
    ----------
    html : str
        The self-contained HTML document.
    summary : str
        A few lines of plain text with the key figures.
    measurements : pandas.DataFrame
        :func:`ecgtoolkit.measure` of the fakes (with physiology).
    statements : pandas.DataFrame
        :func:`ecgtoolkit.interpret` and :func:`ecgtoolkit.is_normal` of the fakes.
    checks : pandas.DataFrame
        :func:`ecgtoolkit.check_leads` of the fakes.
    comparisons : dict of str to Comparison
        One comparison per real group, by its label.
    """

    html: str
    summary: str
    measurements: pd.DataFrame
    statements: pd.DataFrame
    checks: pd.DataFrame
    comparisons: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        return f"<pre>{esc(self.summary)}</pre>"


def _counts(series: pd.Series, name: str, total: int | None = None) -> pd.DataFrame:
    counts = series.replace("", "(not measured)").value_counts()
    total = int(counts.sum()) if total is None else total
    return pd.DataFrame(
        {"records": counts, "share": [f"{c / total:.1%}" for c in counts]},
        index=pd.Index(counts.index, name=name),
    )


#: What each lead-check column means, for the report.
_CHECK_MEANING = {
    "einthoven_ok": "III = II − I holds (residual ≤ 5% of lead II)",
    "goldberger_ok": "aVR + aVL + aVF = 0 and the augmented-lead identities hold",
    "la_ra_reversal": "left/right arm cables look swapped (limb leads against V5/V6)",
    "la_ll_reversal": "left arm/left leg look swapped (a sinus P axis between −30° and 0°; "
    "3.5% of untouched real records are flagged too)",
    "ra_ll_reversal": "right arm/left leg look swapped",
    "precordial_misplacement": "two neighbouring chest electrodes look swapped",
    "ok": "no finding at all",
}


def _check_shares(checks: pd.DataFrame) -> pd.DataFrame:
    flags = [c for c in checks.columns if str(checks[c].dtype) in ("bool", "boolean")]
    shares = checks[flags].astype("float").mean()
    return pd.DataFrame(
        {
            "share of records": [f"{v:.1%}" for v in shares],
            "meaning": [_CHECK_MEANING.get(c, "") for c in flags],
        },
        index=pd.Index(flags, name="check"),
    )


def _failed_criteria(normal: pd.DataFrame) -> pd.DataFrame:
    """Which criteria of the normal filter the records fail, grouped by criterion."""
    reasons = normal["reasons"][~normal["normal"]].str.split("; ").explode().dropna()
    criterion = reasons.str.extract(r"^(.*?)(?= -?\d| nan| not in |$)", expand=False)
    return _counts(criterion.str.strip(), "criterion failed", total=len(normal))


def realism_report(
    fake: ECG,
    *,
    real: Any = "normal-adults",
    others: dict[str, Any] | None = None,
    labels: tuple[str, str] = ("real normal adults", "DeepFake"),
    out: str | os.PathLike | None = None,
    overwrite: bool = False,
    n_permutations: int = 500,
    progress: bool = True,
    leaderboard: Any = None,
) -> RealismReport:
    """Measure, check, interpret and compare generated ECGs; one HTML report.

    Parameters
    ----------
    fake : ECG
        A batch of generated (or any) ECGs, at least 5 records.
    real : str, ECG, DataFrame or Reference
        The reference group (see :func:`ecgtoolkit.compare`): by default the embedded
        ``"normal-adults"``, real ECGs that cardiologists call normal, measured with the
        same ruler.
    others : dict, optional
        More real groups to compare with, by label (e.g. ``{"my records": batch}``).
    labels : (str, str)
        Names of the reference group and of the fakes in the report.
    out : str or path-like, optional
        Write the HTML there (atomically; see ``overwrite``).
    overwrite : bool
        Replace an existing report at ``out``.
    n_permutations : int
        Permutations of the MMD test.
    progress : bool
        Progress bars while measuring.
    leaderboard : Leaderboard, optional
        A leaderboard (:func:`ecgtoolkit.leaderboard`) to rank these fakes among other
        generators: its ranking joins "In short" and its section the report.

    Returns
    -------
    RealismReport
        The HTML, a text summary and the tables behind them.

    Raises
    ------
    TypeError
        If ``fake`` is not an ECG batch.
    FileExistsError
        If ``out`` exists and ``overwrite`` is False.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> report = et.realism_report(et.generate(20, seed=1), progress=False)
    >>> report.html.startswith("<!DOCTYPE html>")
    True
    """
    if not isinstance(fake, ECG) or not fake.is_batch:
        raise TypeError("realism_report needs an ECG batch of fakes, e.g. et.generate(200, seed=1)")
    path = None if out is None else check_output(out, overwrite)
    real_label, fake_label = labels
    table, beats = measure(fake, physiology=True, return_beats=True, progress=progress)
    said = interpret(table)
    normal = is_normal(table)
    statements = said.join(normal.rename(columns={"reasons": "normal_reasons"}))
    checks = check_leads(fake)
    groups = {real_label: real, **(others or {})}
    comparisons = {
        label: compare(
            group, (table, beats), labels=(label, fake_label), n_permutations=n_permutations
        )
        for label, group in groups.items()
    }
    ok = table["status"] == "ok"
    lines = [
        f"{fake.n_records} {fake_label} ECGs: {int(ok.sum())} measured, "
        f"{normal['normal'].mean():.0%} normal by et.is_normal, "
        f"{said['rhythm'].eq('sinus rhythm').mean():.0%} in sinus rhythm.",
        f"Lead physics: Einthoven holds in {checks['einthoven_ok'].astype(float).mean():.0%}, "
        f"Goldberger in {checks['goldberger_ok'].astype(float).mean():.0%}; "
        f"{(~checks['ok'].astype(bool)).mean():.0%} have a lead-check finding.",
    ]
    for label, result in comparisons.items():
        d = result.distances
        lines.append(
            f"Against {label} ({int(d['n_real'])}): {int(result.table['different'].sum())} of "
            f"{len(result.table)} measurements differ; classifier AUC {d['c2st_auc']:.2f} "
            f"(0.5 = indistinguishable); MMD p {d['mmd_p']:.3f}; "
            f"{d['memorised_share']:.1%} flagged as possible copies."
        )
    summary = "\n".join(lines)

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    generator = fake.meta.get("generator", {})
    origin = (
        f"seed {fake.meta['seed']}, {generator.get('model', '')}"
        if "seed" in fake.meta
        else "records given by the user"
    )
    if generator.get("weights_sha256"):  # which checkpoint made them
        origin += f", weights sha256 {generator['weights_sha256'][:12]}…"
    body = [
        f"<h1>Realism report: {esc(fake_label)} ECGs</h1>",
        f"<p><small>{fake.n_records} records ({esc(origin)}); ecgtoolkit {esc(__version__)}, "
        f"{stamp}</small></p>",
        f"<p>{esc(_INTRO)}</p>",
        "<h2>In short</h2>",
        "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>",
        "<h2>One of them, on ECG paper</h2>",
        png_tag(plot_ecg(fake[0], title=f"{fake_label} record 0"), "record 0, 12 leads", dpi=70),
        "<h2>Interpretation (et.interpret, et.is_normal)</h2>",
        '<div style="display:flex;gap:2em;flex-wrap:wrap">',
        html_table(_counts(said["rhythm"], "rhythm")),
        html_table(_counts(said["axis"], "QRS axis")),
        html_table(_counts(said["conduction"].replace("", "narrow QRS"), "conduction")),
        "</div>",
        "<p>Criteria of a normal adult ECG (et.NormalCriteria) that records fail, as a "
        "share of all records (a record may fail several):</p>",
        html_table(_failed_criteria(normal).head(10)),
        "<h2>Lead checks (et.check_leads)</h2>",
        html_table(_check_shares(checks)),
    ]
    if leaderboard is not None:
        from .leaderboard import leaderboard_html

        first = leaderboard.ranking()
        lines.append(
            f"Leaderboard against {leaderboard.n_real} real records: "
            + ", ".join(f"{i}. {name}" for i, name in enumerate(first, start=1))
            + " (lower score = more realistic)."
        )
        summary = "\n".join(lines)
        body[4] = "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>"
        body.append(leaderboard_html(leaderboard, fragment=True))
    for result in comparisons.values():
        body.append(result.to_html(fragment=True))
    text = document(f"Realism report: {fake_label}", "".join(body))
    if path is not None:
        atomic_write(path, text, overwrite=overwrite)
    return RealismReport(
        html=text,
        summary=summary,
        measurements=table,
        statements=statements,
        checks=checks,
        comparisons=comparisons,
    )
