"""How numbers read: p-values with their floor, shares, counts, missing values."""

import numpy as np
import pandas as pd

from ecgtoolkit.core.display import (
    format_count,
    format_p,
    format_share,
    format_value,
    is_missing,
    summary_html,
    wrap,
)


def test_p_values_read_with_the_permutation_floor():
    assert format_p(1 / 501, n_permutations=500) == "≤ 0.002 (500 permutations)"
    assert format_p(0.004, n_permutations=500) == "0.004"
    assert format_p(1 / 101, n_permutations=100) == "≤ 0.0099 (100 permutations)"
    assert format_p(1.428e-40) == "< 0.001"
    assert format_p(np.nan) == "n/a"
    assert format_p(0.5) == "0.500"


def test_shares_counts_and_values():
    assert format_share(0.1101) == "11.0%"
    assert format_share(np.nan) == "n/a"
    assert format_count(36.0) == "36"
    assert format_count(12345.0) == "12,345"
    assert format_value(0.9166666666666666) == "0.917"
    assert format_value(1234.56, "ms") == "1235 ms"
    assert format_value(np.nan, "ms", why="no P wave") == "not measurable (no P wave)"
    assert format_value(pd.NA, "ms") == "not measurable"


def test_missing_values_are_recognised():
    assert all(is_missing(v) for v in (None, np.nan, pd.NA, "", " nan ", "<NA>"))
    assert not any(is_missing(v) for v in (0, 0.0, "sinus", False))


def test_wrap_breaks_at_words_and_keeps_long_names_whole():
    text = "Largest standardised mean differences: " + ", ".join(["r_amp_mv_II -1.75"] * 8)
    lines = wrap(text, width=40).split("\n")
    assert len(lines) > 1
    assert all(len(line) <= 40 for line in lines)
    assert "r_amp_mv_II -1.75" in wrap(text, width=40).replace("\n", " ")


def test_summary_html_escapes_and_lists_rows():
    out = summary_html("A <title>", [("n", "36")], paragraphs=["p < 0.05"], notes=["x & y"])
    assert "&lt;title&gt;" in out and "p &lt; 0.05" in out and "x &amp; y" in out
    assert "<th" in out and ">36<" in out
