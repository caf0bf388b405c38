"""A realism report for generated ECGs: measured, checked, interpreted and compared."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from ..comparison.compare import compare, resolve_group
from ..core.display import format_p, format_share, summary_html, training_sentence, wrap
from ..core.ecg import ECG
from ..core.files import atomic_write, check_output
from ..core.version import __version__
from ..databases.reference import REFERENCES, Reference, load_reference_checks
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

    def __repr__(self) -> str:
        return (
            f"<RealismReport | {len(self.measurements)} records; {len(self.html):,} bytes of HTML>"
        )

    def __str__(self) -> str:
        return wrap(self.summary)

    def _repr_html_(self) -> str:
        return summary_html(
            "Realism report", paragraphs=self.summary.split("\n"),
            notes=["the whole report: report.html (write it with out=...)"],
        )  # fmt: skip


def _shares(series: pd.Series, total: int) -> pd.Series:
    counts = series.replace("", "(not measured)").value_counts()
    return pd.Series([f"{c / total:.1%} ({c})" for c in counts], index=counts.index)


def _counts(
    series: pd.Series,
    name: str,
    labels: tuple[str, str],
    real: pd.Series | None = None,
    total: int | None = None,
    real_total: int | None = None,
) -> pd.DataFrame:
    """Shares (and counts) of each category, the fakes beside the real records."""
    fake_label, real_label = labels
    shown = _shares(series, len(series) if total is None else total).rename(fake_label)
    frame = shown.to_frame()
    if real is not None and len(real):
        other = _shares(real, len(real) if real_total is None else real_total)
        frame = frame.reindex(frame.index.union(other.index, sort=False))
        frame[real_label] = other.reindex(frame.index)
        frame = frame.fillna("0.0% (0)")
    return frame.rename_axis(name)


#: What each lead-check column means, for the report.
_CHECK_MEANING = {
    "einthoven_ok": "III = II − I holds (residual ≤ 5% of lead II)",
    "goldberger_ok": "aVR + aVL + aVF = 0 and the augmented-lead identities hold",
    "la_ra_reversal": "left/right arm cables look swapped (limb leads against V5/V6)",
    "la_ll_reversal": "left arm/left leg look swapped (a sinus P axis between −30° and 0°, "
    "which some untouched real records have too)",
    "ra_ll_reversal": "right arm/left leg look swapped",
    "precordial_misplacement": "two neighbouring chest electrodes look swapped",
    "ok": "no finding at all",
}


def _flags(checks: pd.DataFrame) -> list[str]:
    return [c for c in checks.columns if str(checks[c].dtype) in ("bool", "boolean")]


def _check_shares(
    checks: pd.DataFrame, labels: tuple[str, str], real: pd.DataFrame | None
) -> pd.DataFrame:
    """Each lead check's share among the fakes beside its share among real records."""
    fake_label, real_label = labels
    flags = _flags(checks)

    def shares(frame: pd.DataFrame) -> list[str]:
        out = []
        for c in flags:
            values = frame[c].astype(float) if c in frame.columns else None
            out.append("n/a" if values is None else
                       f"{format_share(values.mean())} ({int(values.sum())})")  # fmt: skip
        return out

    columns = {fake_label: shares(checks)}
    columns[f"{real_label} (n = {len(real)})" if real is not None else real_label] = (
        shares(real) if real is not None else ["n/a (no signals)"] * len(flags)
    )
    columns["meaning"] = [_CHECK_MEANING.get(c, "") for c in flags]
    return pd.DataFrame(columns, index=pd.Index(flags, name="check"))


def _criteria(normal: pd.DataFrame) -> pd.Series:
    """The criterion of each reason a record fails the normal filter, one row per reason."""
    reasons = normal["reasons"][~normal["normal"]].str.split("; ").explode().dropna()
    pattern = r"^(.*?)(?= -?\d| nan| not measurable| not in |$)"
    return reasons.str.extract(pattern, expand=False).str.strip()


def _failed_criteria(
    normal: pd.DataFrame, labels: tuple[str, str], real: pd.DataFrame | None
) -> pd.DataFrame:
    """Which criteria of the normal filter the records fail, grouped by criterion."""
    other = None if real is None else _criteria(real)
    return _counts(
        _criteria(normal), "criterion failed", labels, other, total=len(normal),
        real_total=None if real is None else len(real),
    )  # fmt: skip


def _resolve_real(group: Any) -> tuple[Any, pd.DataFrame | None, pd.DataFrame | None]:
    """What to compare with (an ECG batch measured once), the real records' measurements
    and their lead checks (None where there are no signals to check)."""
    checks = None
    if isinstance(group, str | Reference):
        name = group if isinstance(group, str) else group.name
        checks = load_reference_checks(name) if name in REFERENCES else None
    elif isinstance(group, ECG) and group.is_batch:
        checks = check_leads(group)
    table, beats = resolve_group(group)
    given = table if beats is None else (table, beats)
    return given, table if isinstance(table, pd.DataFrame) else None, checks


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
    real_input, real_table, real_checks = _resolve_real(real)
    groups = {real_label: real_input, **(others or {})}
    comparisons = {
        label: compare(
            group, (table, beats), labels=(label, fake_label), n_permutations=n_permutations
        )
        for label, group in groups.items()
    }
    real_said = real_normal = None
    if real_table is not None and {"status", "heart_rate"} <= set(real_table.columns):
        real_said, real_normal = interpret(real_table), is_normal(real_table)
    ok = table["status"] == "ok"
    normal_real = (
        f" ({real_label}: {real_normal['normal'].mean():.0%})" if real_normal is not None else ""
    )
    sinus_real = (
        f" ({real_label}: {real_said['rhythm'].eq('sinus rhythm').mean():.0%})"
        if real_said is not None
        else ""
    )
    lines = [
        f"{fake.n_records} {fake_label} ECGs: {int(ok.sum())} measured, "
        f"{normal['normal'].mean():.0%} normal by et.is_normal{normal_real}, "
        f"{said['rhythm'].eq('sinus rhythm').mean():.0%} in sinus rhythm{sinus_real}.",
        f"Lead physics: Einthoven holds in {checks['einthoven_ok'].astype(float).mean():.0%}, "
        f"Goldberger in {checks['goldberger_ok'].astype(float).mean():.0%}; "
        f"{(~checks['ok'].astype(bool)).mean():.0%} have a lead-check finding"
        + (
            f" ({real_label}: {(~real_checks['ok'].astype(bool)).mean():.0%})."
            if real_checks is not None
            else "."
        ),
    ]
    for label, result in comparisons.items():
        d = result.distances
        memo = result.memorisation.attrs
        lines.append(
            f"Against {label} ({int(d['n_real'])}): {int(result.table['different'].sum())} of "
            f"{len(result.table)} measurements differ; classifier AUC {d['c2st_auc']:.2f} "
            f"(0.5 = indistinguishable); MMD p "
            f"{format_p(d['mmd_p'], n_permutations=result.n_permutations)}; "
            f"{format_share(d['memorised_share'])} flagged as possible copies "
            + (
                f"({format_share(memo.get('chance_share'))} expected by chance, p "
                f"{format_p(memo.get('copies_p', float('nan')))})."
                if memo.get("chance_share", 0) > 0
                else f"(with {int(d['n_real'])} real records none is expected by chance)."
            )
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
    if generator.get("training"):  # and how it was trained
        origin += f"; {training_sentence(generator['training'])}"
    pair = (fake_label, real_label)
    real_rhythm = None if real_said is None else real_said["rhythm"]
    real_axis = None if real_said is None else real_said["axis"]
    real_conduction = (
        None if real_said is None else real_said["conduction"].replace("", "narrow QRS")
    )
    body = [
        f"<h1>Realism report: {esc(fake_label)} ECGs</h1>",
        f"<p><small>{fake.n_records} records ({esc(origin)}); ecgtoolkit {esc(__version__)}, "
        f"{stamp}</small></p>",
        f"<p>{esc(_INTRO)}</p>",
        "<h2>In short</h2>",
        "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>",
        "<h2>One of them, on ECG paper (true size: 25 mm/s, 10 mm/mV)</h2>",
        png_tag(
            plot_ecg(fake[0], title=f"{fake_label} record 0"),
            "record 0, 12 leads",
            dpi=110,
            true_size=True,
        ),  # fmt: skip
        "<h2>Interpretation (et.interpret, et.is_normal)</h2>",
        f"<p>Share of records (count) in each category, the {esc(fake_label)} ECGs beside "
        f"the {esc(real_label)}"
        + ("" if real_said is not None else " (not available: no measurements of them)")
        + ".</p>",
        '<div class="row">',
        html_table(_counts(said["rhythm"], "rhythm", pair, real_rhythm), text_columns=()),
        html_table(_counts(said["axis"], "QRS axis", pair, real_axis), text_columns=()),
        html_table(
            _counts(
                said["conduction"].replace("", "narrow QRS"), "conduction", pair, real_conduction
            ),
            text_columns=(),
        ),
        "</div>",
        "<p>Criteria of a normal adult ECG (et.NormalCriteria) that records fail, as a "
        "share of all records (a record may fail several):</p>",
        html_table(_failed_criteria(normal, pair, real_normal).head(10), text_columns=()),
        "<h2>Lead checks (et.check_leads)</h2>",
        html_table(_check_shares(checks, pair, real_checks), text_columns=("meaning",)),
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
