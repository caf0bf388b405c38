"""The HTML of a comparison: summary, distances, figures, tables, methods, references."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..comparison.result import DISTANCE_MEANING, Comparison
from ..core.display import format_count, format_p, format_share, format_value, summary_html
from ..core.files import atomic_write, check_output
from ..plot.comparison import plot_comparison, plot_copies, plot_forest
from ..plot.stats import plot_qt_rr
from .html import collapsible, csv_link, document, esc, html_table, png_tag

__all__ = ["REFERENCES", "comparison_html", "comparison_summary_html", "overview_frame"]

#: The methods' sources, with their DOIs.
REFERENCES = (
    (
        "Welch BL (1947) The generalization of 'Student's' problem when several different "
        "population variances are involved. Biometrika 34:28–35.",
        "10.1093/biomet/34.1-2.28",
    ),
    (
        "Brown MB, Forsythe AB (1974) Robust tests for the equality of variances. "
        "J Am Stat Assoc 69:364–367.",
        "10.1080/01621459.1974.10482955",
    ),
    (
        "Massey FJ (1951) The Kolmogorov–Smirnov test for goodness of fit. "
        "J Am Stat Assoc 46:68–78.",
        "10.1080/01621459.1951.10500769",
    ),
    (
        "Benjamini Y, Hochberg Y (1995) Controlling the false discovery rate. "
        "J R Stat Soc B 57:289–300.",
        "10.1111/j.2517-6161.1995.tb02031.x",
    ),
    (
        "Gretton A, Borgwardt KM, Rasch MJ, Schölkopf B, Smola A (2012) A kernel "
        "two-sample test. J Mach Learn Res 13:723–773.",
        None,
    ),
    (
        "Dowson DC, Landau BV (1982) The Fréchet distance between multivariate normal "
        "distributions. J Multivar Anal 12:450–455.",
        "10.1016/0047-259X(82)90077-X",
    ),
    (
        "Lopez-Paz D, Oquab M (2017) Revisiting classifier two-sample tests. ICLR, "
        "arXiv:1610.06545.",
        None,
    ),
    (
        "DeLong ER, DeLong DM, Clarke-Pearson DL (1988) Comparing the areas under two or "
        "more correlated receiver operating characteristic curves. Biometrics 44:837–845.",
        "10.2307/2531595",
    ),
    (
        "Thambawita V, Isaksen JL, Hicks SA, et al. (2021) DeepFake electrocardiograms "
        "using generative adversarial networks are the beginning of the end for privacy "
        "issues in medicine. Sci Rep 11:21896.",
        "10.1038/s41598-021-01295-2",
    ),
)


def comparison_html(
    result: Comparison,
    out: str | os.PathLike | None = None,
    *,
    overwrite: bool = False,
    fragment: bool = False,
) -> str:
    """A self-contained HTML report of a comparison: summary, distances, figures, table,
    methods (also ``result.to_html()``).

    Parameters
    ----------
    result : Comparison
        What :func:`ecgtoolkit.compare` returned.
    out : str or path-like, optional
        Also write the report there (UTF-8). The file is written to a temporary
        file in the same folder and then renamed, so a reader never sees half a
        report.
    overwrite : bool
        Replace an existing file at ``out``.
    fragment : bool
        Return the report's body only (from an ``<h2>`` heading on), to embed it in
        a larger report.

    Returns
    -------
    str
        The HTML document (or fragment); figures are embedded as base64 PNG.

    Raises
    ------
    FileExistsError
        When ``out`` exists and ``overwrite`` is False.
    """
    path = None if out is None else check_output(out, overwrite)
    real, fake = result.labels
    t = result.table
    n_diff = int(t["different"].sum())
    figures = [
        png_tag(plot_forest(result), "SMD and SD ratio of every measurement, with 95% CIs"),
    ]
    hist_note = (
        f"Histograms of the {min(n_diff, 12)} measurements that differ most"
        if n_diff
        else "No measurement differs; histograms of the largest differences"
    )
    figures.append(f"<p>{esc(hist_note)} ({esc(real)} and {esc(fake)}):</p>")
    figures.append(png_tag(plot_comparison(result), hist_note))
    slug = "".join(ch if ch.isalnum() else "_" for ch in f"{fake}_vs_{real}").strip("_")
    body = [
        f"<h2>{esc(fake)} compared with {esc(real)}</h2>",
        "<ul>" + "".join(f"<li>{esc(point)}</li>" for point in result.summary_points()) + "</ul>",
        "<h3>Distances between the sets</h3>",
        html_table(distances_frame(result), text_columns=("meaning",)),
        "<h3>Measurements</h3>",
        "<p>Each line is one measurement: the standardised mean difference (fake − real, "
        "in pooled SDs) and the SD ratio (fake / real), each with its 95% confidence "
        "interval; red lines differ after false-discovery control.</p>",
        *figures,
        html_table(
            overview_frame(result),
            highlight=result.overview()["different"].to_numpy(),
            text_columns=("verdict",),
        ),  # fmt: skip
        collapsible(
            f"The full table ({len(t.columns)} columns per measurement)",
            html_table(_full_frame(t), highlight=t["different"].to_numpy()),
        ),
        "<p>" + csv_link(t, f"{slug}_measurements.csv", "Download the full table (CSV)") + "</p>",
        "<h3>QT–RR rate adaptation</h3>",
        '<div class="row">',
        _qt_rr_figure(result),
        "<div>",
        html_table(result.qt_rr.map(lambda v: format_value(v, digits=3))),
        f"<p>p for equal slopes: {format_p(result.qt_rr.attrs.get('p_difference', np.nan))}</p>",
        "</div></div>",
        "<h3>Possible memorisation: the fakes sitting closest on one real record</h3>",
        f"<p>{esc(result.copies_sentence())}</p>",
    ]
    if result.real_beats is not None and len(result.memorisation):
        body.append(
            png_tag(plot_copies(result), "the closest fakes over their nearest real record")
        )
    body.append(html_table(_closest_frame(result)))
    if result.notes:
        body += ["<h3>Notes</h3><ul>", *(f"<li>{esc(n)}</li>" for n in result.notes), "</ul>"]
    body += ["<h3>Methods</h3>", f"<p>{esc(_methods_text(result))}</p>", _references_html()]
    if fragment:
        return "".join(body)
    body[0] = f"<h1>{esc(fake)} compared with {esc(real)}</h1>"
    document_text = document(f"{fake} vs {real}", "".join(body))
    if path is not None:
        atomic_write(path, document_text, overwrite=overwrite)
    return document_text


def _qt_rr_figure(result: Comparison) -> str:
    if not np.isfinite(result.qt_rr["slope"]).all():
        return ""
    fig = plot_qt_rr([result.real_data, result.fake_data], labels=list(result.labels))
    return png_tag(fig, "QT against RR")


def overview_frame(result: Comparison) -> pd.DataFrame:
    """The compact table as text: measurement, means, SMD and SD ratio with 95% CIs,
    the smallest adjusted p-value and the verdict, in fixed formats."""
    o = result.overview()
    real, fake = result.labels

    def with_ci(value: float, low: float, high: float, signed: bool) -> str:
        if not np.isfinite(value):
            return "n/a"
        sign = "+" if signed else ""
        if not (np.isfinite(low) and np.isfinite(high)):
            return f"{value:{sign}.2f}"
        # no-break spaces: the value and its interval stay on one line in any table
        return f"{value:{sign}.2f}\u00a0[{low:{sign}.2f},\u00a0{high:{sign}.2f}]"

    frame = pd.DataFrame(
        {
            "unit": o["unit"],
            f"mean {real}": [format_value(v) for v in o["mean_real"]],
            f"mean {fake}": [format_value(v) for v in o["mean_fake"]],
            "SMD [95% CI]": [
                with_ci(*v, signed=True) for v in o[["smd", "smd_ci_low", "smd_ci_high"]].to_numpy()
            ],  # fmt: skip
            "SD ratio [95% CI]": [
                with_ci(*v, signed=False)
                for v in o[["sd_ratio", "sd_ratio_ci_low", "sd_ratio_ci_high"]].to_numpy()
            ],
            "adjusted p": [format_p(p) for p in o["p_adj"]],
            "verdict": o["verdict"],
        },
        index=pd.Index(o.index, name="measurement"),
    )
    return frame


def distances_frame(result: Comparison) -> pd.DataFrame:
    """The whole-set distances as text: counts whole, shares as %, p-values with floors."""
    d = result.distances
    shown = {}
    for key, value in d.items():
        if key.startswith("n_"):
            shown[key] = format_count(value)
        elif key.startswith("memorised_") and key != "memorised_p":
            shown[key] = format_share(value)
        elif key == "mmd_p":
            shown[key] = format_p(value, n_permutations=result.n_permutations)
        elif key.endswith("_p"):
            shown[key] = format_p(value)
        else:
            shown[key] = format_value(value, digits=3) if np.isfinite(value) else "not computed"
    return pd.DataFrame(
        {"value": list(shown.values()), "meaning": [DISTANCE_MEANING.get(k, "") for k in shown]},
        index=pd.Index(list(shown), name="distance"),
    )


def _full_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The full table with p-values read as p-values (no exponents)."""
    out = table.copy()
    for column in out.columns:
        if column.endswith("_p") or column.endswith("_p_adj"):
            out[column] = [format_p(p) for p in out[column]]
    return out


def _closest_frame(result: Comparison) -> pd.DataFrame:
    """The ten fakes closest to one real record, formatted."""
    memo = result.memorisation.sort_values("nn_ratio").head(10)
    return pd.DataFrame(
        {
            "nearest real record": memo["nn_real"].astype(str),
            "distance ratio": [format_value(v) for v in memo["nn_ratio"]],
            "p-value": [format_p(v) for v in memo["p_value"]],
            "possible copy": ["yes" if f else "no" for f in memo["flag"]],
        },
        index=pd.Index(memo.index, name="fake record"),
    )


def comparison_summary_html(result: Comparison) -> str:
    """Jupyter's display of a comparison: the findings, then the compact table of the
    measurements that differ (all of them in a collapsed block)."""
    real, fake = result.labels
    d = result.distances
    rows = [
        ("records", f"{format_count(d['n_real'])} {real}, {format_count(d['n_fake'])} {fake}"),
        ("measurements that differ", f"{int(result.table['different'].sum())} of "
                                     f"{len(result.table)} (BH α = {result.alpha:g})"),  # fmt: skip
        ("classifier AUC", f"{d['c2st_auc']:.2f} (95% CI {d['c2st_ci_low']:.2f}–"
                           f"{d['c2st_ci_high']:.2f}; 0.5 = indistinguishable)")  # fmt: skip
        if np.isfinite(d["c2st_auc"]) else ("classifier AUC", "not computed"),
        ("MMD p (median beats)", format_p(d["mmd_p"], n_permutations=result.n_permutations)),
    ]  # fmt: skip
    frame = overview_frame(result)
    differ = result.overview()["different"].to_numpy()
    extra = html_table(frame[differ].head(15), highlight=differ[differ][:15],
                       text_columns=("verdict",))  # fmt: skip
    extra += collapsible(
        f"All {len(frame)} measurements",
        html_table(frame, highlight=differ, text_columns=("verdict",)),  # fmt: skip
    )
    return summary_html(
        f"{fake} compared with {real}",
        rows,
        paragraphs=result.summary_points()[1:],
        extra_html=extra,
    )


def _methods_text(result: Comparison) -> str:
    return (
        "Only records with status 'ok' were compared, missing values left out feature by "
        "feature. Per feature: Welch's t-test (means), the Brown–Forsythe test (spread, "
        "absolute deviations from the median) and the two-sample Kolmogorov–Smirnov test "
        "(shape); all p-values of the table were adjusted together with the "
        f"Benjamini–Hochberg procedure and a feature differs when one is below {result.alpha:g}. "
        "SMD = (mean fake − mean real) / pooled SD; the Wasserstein distance is in the "
        "feature's unit. Whole sets: features standardised with the real mean and SD, "
        "missing values set to the real median; Fréchet distance between fitted Gaussians; "
        "classifier two-sample test with a logistic regression on the standardised features "
        "and their squares, balanced groups, stratified 5-fold cross-validation, out-of-fold "
        "AUC with DeLong's 95% CI; unbiased MMD² between median beats with a Gaussian kernel "
        "(median heuristic) and a permutation p-value. Memorisation: a fake is flagged when "
        "its nearest-neighbour distance ratio (nearest over second-nearest real record) is at "
        f"most the {100 * result.memorisation.attrs.get('quantile', 0):g}% quantile of the "
        "real records' own leave-one-out ratios. QT–RR: ordinary least squares per "
        "group, equal slopes tested by the interaction term of one joint model."
    )


def _references_html() -> str:
    items = []
    for text, doi in REFERENCES:
        link = f' <a href="https://doi.org/{esc(doi)}">doi:{esc(doi)}</a>' if doi else ""
        items.append(f"<li>{esc(text)}{link}</li>")
    return f"<ol>{''.join(items)}</ol>"
