"""The HTML of a comparison: summary, distances, figures, tables, methods, references."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..comparison.result import DISTANCE_MEANING, Comparison, format_p
from ..core.files import atomic_write, check_output
from ..plot.comparison import plot_comparison
from ..plot.stats import plot_qt_rr
from .html import document, esc, html_table, png_tag

__all__ = ["REFERENCES", "comparison_html", "comparison_summary_html"]

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
    figures = [png_tag(plot_comparison(result), f"Histograms of every feature, {real} and {fake}")]
    if np.isfinite(result.qt_rr["slope"]).all():
        figures.append(
            png_tag(
                plot_qt_rr([result.real_data, result.fake_data], labels=list(result.labels)),
                "QT against RR",
            )
        )
    body = [
        f"<h2>{esc(fake)} compared with {esc(real)}</h2>",
        f"<p>{esc(result.summary())}</p>",
        "<h3>Distances between the sets</h3>",
        html_table(
            pd.DataFrame(
                {
                    "value": result.distances,
                    "meaning": [DISTANCE_MEANING.get(k, "") for k in result.distances.index],
                }
            )
        ),
        "<h3>Features</h3>",
        *figures,
        html_table(result.table, highlight=result.table["different"].to_numpy()),
        "<h3>QT–RR rate adaptation</h3>",
        html_table(result.qt_rr),
        f"<p>p for equal slopes: {format_p(result.qt_rr.attrs.get('p_difference', np.nan))}</p>",
        "<h3>Possible memorisation: the fakes sitting closest on one real record</h3>",
        html_table(result.memorisation.sort_values("nn_ratio").head(10)),
    ]
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


def comparison_summary_html(result: Comparison) -> str:
    """The summary and the feature table, for Jupyter's rich display of a comparison."""
    columns = [
        "n_real",
        "n_fake",
        "mean_real",
        "mean_fake",
        "smd",
        "sd_ratio",
        "location_p_adj",
        "dispersion_p_adj",
        "ks_p_adj",
        "verdict",
    ]
    return (
        f"<div><p>{esc(result.summary())}</p>"
        f"{html_table(result.table[columns], highlight=result.table['different'].to_numpy())}"
        "</div>"
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
