"""Bases: a question asked to a subgroup reports its own base; "not asked" is never an answer;
fragile columns are flagged and not tested; numbers and NPS against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from flask import Flask
from flask_babel import Babel
from scipy import stats

from surveyapp.exports.layout import survey_layout
from surveyapp.exports.rows import make_record
from surveyapp.results import breakdowns as bd
from surveyapp.results.data import build_dataset
from surveyapp.results.report import build_report
from surveyapp.results.sheet import table_lines
from surveyapp.results.variables import catalog, question_titles
from tests.results.helpers import barometer, fixture_schema, generate, records


def _build(schema, recs, by=None, weighted=False):
    layout = survey_layout([(1, schema)])
    variables = catalog(layout, question_titles([schema]))
    data = build_dataset(variables.values(), {1: schema}, [recs])
    breakdown = bd.find(bd.available(schema, variables), by)
    return build_report(data, variables, schema, breakdown, weighted)


def _answers(s1: str, q10: str, q10a=None, q3=("1", "2", "3")) -> dict:
    answers = {"s1": s1, "s6": "1", "q1": "1", "q3": list(q3), "q10": q10}
    if q10a is not None:
        answers["q10a"] = list(q10a)
    return answers


def test_a_subgroup_question_reports_its_own_base_and_not_asked_is_no_answer():
    # 10 users; Q10a (networks advertised on) is asked only when Q10 = 1 or 2: to 4 of them.
    people = [
        _answers("1", "1", ["1"]),
        _answers("1", "2", ["1", "3"]),
        _answers("2", "1", ["3"]),
        _answers("2", "2", ["1"]),
        *[_answers("2", "3") for _ in range(6)],
    ]
    report = _build(barometer(), [make_record(i + 1, a) for i, a in enumerate(people)])
    table = report.table("q10a")
    assert table.respondents == 10
    assert table.bases[0].n == 4
    assert table.not_asked == 6
    rows = {r.key: r for r in table.rows}
    assert rows["1"].cells[0].n == 3
    assert rows["1"].cells[0].pct == pytest.approx(3 / 4)  # not 3 / 10
    assert rows["3"].cells[0].pct == pytest.approx(2 / 4)
    # Options are offered from Q3 (the networks ticked there): Twitter was offered to all 4.
    assert rows["2"].cells[0].pct == pytest.approx(0.0)
    assert rows["8"].cells[0].pct is None  # Instagram: ticked in Q3 by nobody, offered to none
    assert rows["8"].bases[0].n == 0
    # "Not asked" appears nowhere as an answer row, and the base statement says who was asked.
    assert all(r.kind in ("answer", "blank") for r in table.rows)
    assert not any(r.kind == "blank" for r in table.rows)
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        lines = table_lines(table, report, "en")
    statement = lines[1].cells[0]
    assert "n = 4 of 10" in statement
    assert "Q10: “Yes, regularly” / “Yes, occasionally”" in statement
    # Q10 itself was asked to everyone: its base is the 10.
    assert report.table("q10").bases[0].n == 10
    assert report.table("q10").not_asked == 0


def test_shown_but_blank_is_in_the_base_as_no_answer():
    people = [_answers("1", "1", ["1"]), _answers("1", "1"), _answers("1", "3")]
    people[1]["q10a"] = None  # shown, left blank
    table = _build(barometer(), [make_record(i + 1, a) for i, a in enumerate(people)]).table("q10a")
    assert table.bases[0].n == 2
    blank = next(r for r in table.rows if r.kind == "blank")
    assert blank.cells[0].n == 1
    assert blank.cells[0].pct == pytest.approx(0.5)


def test_columns_under_30_are_fragile_and_left_out_of_the_tests():
    people = [_answers("1", "1" if i % 2 else "3") for i in range(60)]
    people += [_answers("2", "1" if i % 3 else "3") for i in range(50)]
    people += [_answers("3", "1") for _ in range(12)]
    report = _build(barometer(), [make_record(i + 1, a) for i, a in enumerate(people)], "s1")
    table = report.table("q10")
    assert [b.fragile for b in table.bases] == [False, False, False, True]
    assert all(r.cells[3].marks == "" for r in table.rows)
    assert all("C" not in c.marks for r in table.rows for c in r.cells)
    frame = pd.DataFrame(people)
    sturdy = frame[frame.s1.isin(["1", "2"])]
    expected = stats.chi2_contingency(pd.crosstab(sturdy.q10, sturdy.s1), correction=False)
    assert table.test.p == pytest.approx(expected.pvalue)
    assert table.test.dof == expected.dof


@pytest.fixture(scope="module")
def numbers():
    schema = fixture_schema("numbers.yaml")
    filled = generate(schema, 300, seed=8)
    frame = pd.DataFrame([a for a, _s, _e in filled])
    return schema, records(filled), frame


def test_numbers_mean_median_quartiles_against_pandas(numbers):
    schema, recs, frame = numbers
    table = _build(schema, recs, "grp").table("staff")
    stats_rows = {r.key: r for r in table.rows}
    answered = frame[frame.staff.notna()]
    assert table.bases[0].n == len(frame)  # asked to everyone, some left it blank
    blank = next(r for r in table.rows if r.kind == "blank")
    assert blank.cells[0].n == frame.staff.isna().sum() > 0
    for j, group in ((0, None), (1, "1"), (2, "2")):
        values = answered.staff if group is None else answered.staff[answered.grp == group]
        assert stats_rows["mean"].cells[j].count == pytest.approx(values.mean())
        assert stats_rows["sd"].cells[j].count == pytest.approx(values.std())
        assert stats_rows["median"].cells[j].count == pytest.approx(values.median())
        assert stats_rows["q1"].cells[j].count == pytest.approx(values.quantile(0.25))
        assert stats_rows["q3"].cells[j].count == pytest.approx(values.quantile(0.75))
        assert stats_rows["max"].cells[j].count == values.max()
    one, two = (answered.staff[answered.grp == g] for g in ("1", "2"))
    assert table.test.p == pytest.approx(stats.kruskal(one, two).pvalue)
    welch = stats.ttest_ind(one, two, equal_var=False).pvalue
    assert bool(stats_rows["mean"].cells[1].marks or stats_rows["mean"].cells[2].marks) == (
        welch < 0.05
    )


def test_nps_score_and_groups(numbers):
    schema, recs, frame = numbers
    table = _build(schema, recs).table("nps")
    rows = {r.key: r for r in table.rows}
    nps = frame.nps
    promoters, detractors = (nps >= 9).mean(), (nps <= 6).mean()
    assert rows["promoters"].cells[0].pct == pytest.approx(promoters)
    assert rows["passives"].cells[0].pct == pytest.approx(((nps >= 7) & (nps <= 8)).mean())
    assert rows["detractors"].cells[0].pct == pytest.approx(detractors)
    assert rows["score"].cells[0].count == pytest.approx((promoters - detractors) * 100)
    assert rows["mean"].cells[0].count == pytest.approx(nps.mean())


def test_grid_row_shown_to_a_subgroup_has_its_own_base(numbers):
    schema, recs, frame = numbers
    table = _build(schema, recs).table("grid")
    by_row = {r.key: r for r in table.rows}
    assert by_row["a"].bases[0].n == len(frame)
    assert by_row["b"].bases[0].n == (frame.grp == "2").sum()
    sour = frame.loc[frame.grp == "2", "grid"].apply(lambda g: g.get("b"))
    assert by_row["b"].cells[0].pct == pytest.approx((sour == "1").mean())
    assert np.isclose(sum(c.pct for c in by_row["b"].cells), 1.0)
