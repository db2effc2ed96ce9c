"""Tables on generated data whose answers are known, checked against pandas and SciPy directly.

The expected values are computed here from the raw answer documents (a key absent = not asked),
with pandas for counts and weights and SciPy for the tests, never with the code under test.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from surveyapp.engine import derived_values
from surveyapp.exports.layout import survey_layout
from surveyapp.results import breakdowns as bd
from surveyapp.results.data import build_dataset
from surveyapp.results.report import build_report
from surveyapp.results.variables import catalog, question_titles
from tests.results.helpers import barometer, generate, records

TARGETS = {"1": {"1": 180, "2": 120, "3": 100}, "2": {"1": 180, "2": 120, "3": 100},
           "3": {"1": 135, "2": 90, "3": 75}}  # fmt: skip


def _biased_q2(rng, answers, codes):
    """France answers "more than 5 years" (code 4) much more often: a known difference."""
    if answers.get("s1") == "1" and rng.random() < 0.55:
        return "4"
    return rng.choice(codes)


def _biased_s6(rng, answers, codes):
    """Large companies over-represented in Canada, so that weighting changes results."""
    if answers.get("s1") == "3" and rng.random() < 0.5:
        return rng.choice(["6", "7"])
    return rng.choice([c for c in codes if c != "8"])


@pytest.fixture(scope="module")
def world():
    """600 barometer responses, their records, dataset and variables (built once)."""
    schema = barometer()
    filled = generate(schema, 600, seed=42, weights={"q2": _biased_q2, "s6": _biased_s6})
    filled = [f for f in filled if f[1] == "complete"]
    layout = survey_layout([(1, schema)])
    variables = catalog(layout, question_titles([schema]))
    data = build_dataset(variables.values(), {1: schema}, [records(filled)])
    frame = pd.DataFrame(
        [{**answers, **derived_values(schema, answers)} for answers, _s, _e in filled]
    )
    return schema, variables, data, frame


def _report(world, by=None, weighted=False):
    schema, variables, data, _frame = world
    breakdown = bd.find(bd.available(schema, variables), by)
    return build_report(data, variables, schema, breakdown, weighted)


def _z_marks(counts: pd.DataFrame, bases: pd.Series, letters: dict) -> dict:
    """Expected marks: scipy's 2×2 chi-square without correction (= two-proportion z-test),
    Bonferroni within the row."""
    marks = {}
    for code in counts.index:
        pairs = list(combinations(counts.columns, 2))
        found = {c: "" for c in counts.columns}
        for a, b in pairs:
            xa, xb = counts.loc[code, a], counts.loc[code, b]
            na, nb = bases[a], bases[b]
            if xa + xb in (0, na + nb):
                continue
            table = [[xa, na - xa], [xb, nb - xb]]
            p = stats.chi2_contingency(table, correction=False).pvalue
            if p * len(pairs) < 0.05:
                higher, lower = (a, b) if xa / na > xb / nb else (b, a)
                found[higher] += letters[lower]
        marks[code] = {c: "".join(sorted(found[c])) for c in counts.columns}
    return marks


def test_single_choice_by_country_counts_bases_percentages_and_tests(world):
    _schema, _v, _data, frame = world
    table = _report(world, "s1").table("q2")
    asked = frame[frame["q2"].notna()] if "q2" in frame else frame.iloc[0:0]
    asked = frame.loc[frame["q2"].apply(lambda v: isinstance(v, str))]
    crosstab = pd.crosstab(asked["q2"], asked["s1"])
    columns = [c.key for c in table.columns]
    assert columns == ["total", "1", "2", "3"]
    assert [b.n for b in table.bases] == [len(asked), *crosstab.sum().loc[["1", "2", "3"]]]
    assert table.not_asked == len(frame) - len(asked)
    rows = {r.key: r for r in table.rows}
    for code in crosstab.index:
        for j, country in enumerate(["1", "2", "3"], start=1):
            cell = rows[code].cells[j]
            assert cell.n == crosstab.loc[code, country]
            assert cell.pct == pytest.approx(crosstab.loc[code, country] / crosstab[country].sum())
        assert rows[code].cells[0].pct == pytest.approx(crosstab.loc[code].sum() / len(asked))
    expected = stats.chi2_contingency(crosstab.to_numpy(), correction=False)
    assert table.test.statistic == pytest.approx(expected.statistic)
    assert table.test.p == pytest.approx(expected.pvalue)
    assert table.test.dof == expected.dof
    letters = {"1": "A", "2": "B", "3": "C"}
    marks = _z_marks(crosstab, crosstab.sum(), letters)
    for code in crosstab.index:
        got = {country: rows[code].cells[j].marks for j, country in enumerate("123", start=1)}
        assert got == marks[code], code
    assert "B" in rows["4"].cells[1].marks
    assert "C" in rows["4"].cells[1].marks


def test_france_versus_north_america_groups_usa_and_canada(world):
    _schema, _v, _data, frame = world
    table = _report(world, "s1-region").table("q2")
    asked = frame.loc[frame["q2"].apply(lambda v: isinstance(v, str))]
    region = asked["s1"].map({"1": "fr", "2": "na", "3": "na"})
    crosstab = pd.crosstab(asked["q2"], region)
    assert [c.key for c in table.columns] == ["total", "fr", "na"]
    assert [b.n for b in table.bases[1:]] == list(crosstab.sum().loc[["fr", "na"]])
    row = next(r for r in table.rows if r.key == "4")
    assert row.cells[2].pct == pytest.approx(crosstab.loc["4", "na"] / crosstab["na"].sum())
    assert row.cells[1].marks == "B"


def test_multiple_choice_is_a_percentage_of_respondents_on_the_offered_base(world):
    _schema, _v, _data, frame = world
    table = _report(world).table("q3")
    asked = frame.loc[frame["q3"].apply(lambda v: isinstance(v, list))]
    rows = {r.key: r for r in table.rows}
    assert table.bases[0].n == len(asked)
    for code in ("1", "3", "15"):
        ticked = asked["q3"].apply(lambda v, c=code: c in v).sum()
        assert rows[code].cells[0].n == ticked
        assert rows[code].cells[0].pct == pytest.approx(ticked / len(asked))
        assert rows[code].bases is None  # offered to everyone asked
    # Viadeo is offered in France only: its base is the French respondents asked, not all.
    france = asked[asked["s1"] == "1"]
    assert rows["4"].bases[0].n == len(france)
    viadeo = france["q3"].apply(lambda v: "4" in v).sum()
    assert rows["4"].cells[0].pct == pytest.approx(viadeo / len(france))
    total = sum(r.cells[0].pct for r in table.rows if r.kind == "answer")
    assert total > 1.0  # several answers per respondent: rows do not add up to 100 %


def test_grid_compact_table_percentages_per_row(world):
    _schema, _v, _data, frame = world
    table = _report(world).table("q17")
    asked = frame.loc[frame["q17"].apply(lambda v: isinstance(v, dict))]
    codes = [code for code, _label in table.scale]
    for row in table.rows:
        answers = asked["q17"].apply(lambda v, r=row.key: v.get(r))
        shares = answers.value_counts(normalize=True)
        assert row.bases[0].n == len(asked)
        for code, cell in zip(codes, row.cells, strict=False):
            assert cell.pct == pytest.approx(shares.get(code, 0.0))


def _weights(frame: pd.DataFrame) -> pd.Series:
    """Cell weights computed here with pandas: target share / sample share within country."""
    counts = frame.groupby(["s1", "size_band"]).size()
    country = frame.groupby("s1").size()
    share = {(c, b): TARGETS[c][b] / sum(TARGETS[c].values()) for c in TARGETS for b in TARGETS[c]}
    return frame.apply(
        lambda r: share[(r.s1, r.size_band)] / (counts[(r.s1, r.size_band)] / country[r.s1]),
        axis=1,
    )


def test_weighting_to_the_target_size_mix_with_effective_base(world):
    _schema, _v, data, frame = world
    report = _report(world, "s1", weighted=True)
    w = _weights(frame)
    # Each country takes the target mix 45/30/25 and keeps its own number of respondents.
    for country in ("1", "2", "3"):
        in_country = frame["s1"] == country
        assert w[in_country].sum() == pytest.approx(in_country.sum())
        mix = w[in_country].groupby(frame.loc[in_country, "size_band"]).sum() / in_country.sum()
        assert mix.to_dict() == pytest.approx({"1": 0.45, "2": 0.30, "3": 0.25})
    assert report.weights.values == pytest.approx(w.to_numpy())
    table = report.table("q2")
    asked = frame["q2"].apply(lambda v: isinstance(v, str))
    for j, country in enumerate(["1", "2", "3"], start=1):
        mask = asked & (frame["s1"] == country)
        ww = w[mask]
        assert table.bases[j].n == mask.sum()
        assert table.bases[j].weighted == pytest.approx(ww.sum())
        assert table.bases[j].effective == pytest.approx(ww.sum() ** 2 / (ww**2).sum())
        for row in (r for r in table.rows if r.kind == "answer"):
            expected = ww[frame.loc[mask, "q2"] == row.key].sum() / ww.sum()
            assert row.cells[j].pct == pytest.approx(expected)
    # The weighted chi-square is scipy's on the table scaled to each column's effective base.
    scaled = []
    for j, country in enumerate(["1", "2", "3"], start=1):
        mask = asked & (frame["s1"] == country)
        ww = w[mask]
        shares = ww.groupby(frame.loc[mask, "q2"]).sum() / ww.sum()
        scaled.append(shares.reindex([r.key for r in table.rows if r.kind == "answer"]).fillna(0)
                      * table.bases[j].effective)  # fmt: skip
    expected = stats.chi2_contingency(np.array(scaled).T, correction=False)
    assert table.test.statistic == pytest.approx(expected.statistic)
    assert table.test.p == pytest.approx(expected.pvalue)
    # Canada's large firms were over-sampled: weighting lowers their share of the total.
    large = report.table("size_band")
    assert next(r for r in large.rows if r.key == "3").cells[3].pct == pytest.approx(0.25)


def test_unweighted_by_default_and_weights_of_one_without_breakdown(world):
    report = _report(world)
    assert report.weights is None
    assert all(b.effective == b.n for t in report.tables for b in t.bases)


def test_every_closed_question_and_derived_code_has_a_table_and_no_text_does(world):
    schema, variables, _data, _frame = world
    report = _report(world, "size_band")
    keys = {t.key for t in report.tables}
    closed = {
        qid
        for qid, q in schema.questions.items()
        if q.type in ("single", "multiple", "matrix", "integer", "decimal", "nps")
    }
    assert closed <= keys
    assert {"size_band", "lang", "q4_main", "q3_count"} <= keys
    assert not keys & {"q1b", "q22", "q23_email", "consent", "intro"}
