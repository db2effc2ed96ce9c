"""§10.4.1: the "Don't know" options of Revision 2 in tables of Revision 1 and 2 responses.

The specification (barometre-2015.md §10.4.1, "How "Don't know" and "None of these" are
coded"):

    Tables show "Don't know" as its own category. Shares that compare with Revision 1, which
    had none of these options, use the base *without* code 99 and report the share of 99
    beside it.

The data here mixes responses filled through the engine with the Revision 1 schema (version
"2015.1", kept as a fixture from the commit before Revision 2) and the bundled Revision 2
schema. The expected figures are counted here with pandas from the answer documents, never
with the code under test.
"""

from __future__ import annotations

import pandas as pd
import pytest
from flask_babel import force_locale

from surveyapp.exports.layout import survey_layout
from surveyapp.results import breakdowns as bd
from surveyapp.results.conditions import base_statement
from surveyapp.results.data import build_dataset
from surveyapp.results.report import build_report
from surveyapp.results.sheet import table_lines
from surveyapp.results.variables import catalog, question_titles
from tests.results.helpers import barometer, fixture_schema, generate, records


def _sometimes_dont_know(rng, answers, codes):
    """A multiple choice answered "Don't know" (alone: it is exclusive) one time in five."""
    if "99" in codes and rng.random() < 0.2:
        return ["99"]
    exclusive = {
        o.code for q in ("q13", "q19") for o in barometer().questions[q].options if o.exclusive
    }
    plain = [c for c in codes if c not in exclusive]
    return rng.sample(plain, rng.randint(1, min(3, len(plain))))


ANSWERS = {"q13": _sometimes_dont_know, "q19": _sometimes_dont_know}


@pytest.fixture(scope="module")
def mixed():
    """Completes of both revisions (version 1: Revision 1, version 2: Revision 2)."""
    rev1, rev2 = fixture_schema("barometre-2015.1.yaml"), barometer()
    assert rev1.version == "2015.1"
    assert rev2.version == "2015.2"
    first = [f for f in generate(rev1, 250, seed=7) if f[1] == "complete"]
    second = [f for f in generate(rev2, 350, seed=8, weights=ANSWERS) if f[1] == "complete"]
    recs = records(first, version=1) + [
        r._replace(id=r.id + len(first)) for r in records(second, version=2)
    ]
    layout = survey_layout([(1, rev1), (2, rev2)])
    variables = catalog(layout, question_titles([rev1, rev2]))
    data = build_dataset(variables.values(), {1: rev1, 2: rev2}, [recs])
    frame = pd.DataFrame(
        [{**a, "version": 1} for a, _s, _e in first] + [{**a, "version": 2} for a, _s, _e in second]
    )
    return rev2, variables, data, frame


def _table(mixed, key, by=None):
    schema, variables, data, _frame = mixed
    breakdown = bd.find(bd.available(schema, variables), by)
    return build_report(data, variables, schema, breakdown, False).table(key)


@pytest.mark.parametrize("key", ["q7", "q10", "q12", "q14"])
def test_single_choice_dont_know_is_its_own_row_outside_the_comparable_base(mixed, key):
    table = _table(mixed, key)
    frame = mixed[3]
    asked = frame.loc[frame[key].apply(lambda v: isinstance(v, str))]
    dont_know = asked[key] == "99"
    assert dont_know.sum() > 0, "Revision 2 respondents answered 99"
    assert (asked.loc[asked["version"] == 1, key] != "99").all()  # Revision 1 had no 99
    comparable = asked[~dont_know]
    rows = {r.key: r for r in table.rows}
    assert table.bases[0].n == len(comparable)
    assert table.asked is not None
    assert table.asked[0].n == len(asked)
    for code, count in comparable[key].value_counts().items():
        assert rows[code].kind == "answer"
        assert rows[code].cells[0].n == count
        assert rows[code].cells[0].pct == pytest.approx(count / len(comparable))
    # The comparable shares add up to 100 %, as Revision 1's did.
    assert sum(r.cells[0].pct for r in table.rows if r.kind == "answer") == pytest.approx(1.0)
    dk = rows["99"]
    assert dk.kind == "dont_know"
    assert table.rows[-1] is dk
    assert dk.label["fr"] == "Ne sais pas"
    assert dk.label["en"] == "Don’t know"
    assert dk.cells[0].n == dont_know.sum()
    assert dk.cells[0].pct == pytest.approx(dont_know.sum() / len(asked))
    assert dk.bases is not None
    assert dk.bases[0].n == len(asked)


def test_revision_1_shares_are_what_revision_1_alone_gives(mixed):
    """The comparable share of each answer among Revision 1 respondents is exactly the share a
    Revision 1-only table gives: "don't know" never enters the denominator."""
    frame = mixed[3]
    table = _table(mixed, "q7")
    asked = frame.loc[frame["q7"].apply(lambda v: isinstance(v, str))]
    rev2 = asked[asked["version"] == 2]
    shares_without_dk = rev2.loc[rev2["q7"] != "99", "q7"].value_counts(normalize=True)
    shares_with_dk = rev2["q7"].value_counts(normalize=True)
    # The naive share (on everyone asked) would move every Revision 2 answer down by the DK share.
    assert (shares_without_dk.drop("99", errors="ignore") > shares_with_dk.drop("99")).all()
    rows = {r.key: r for r in table.rows}
    comparable = asked[asked["q7"] != "99"]
    for code in shares_without_dk.index:
        assert rows[code].cells[0].pct == pytest.approx((comparable["q7"] == code).mean())


def test_single_choice_by_country_has_a_comparable_base_per_column(mixed):
    table = _table(mixed, "q7", by="s1")
    frame = mixed[3]
    asked = frame.loc[frame["q7"].apply(lambda v: isinstance(v, str))]
    comparable = asked[asked["q7"] != "99"]
    crosstab = pd.crosstab(comparable["q7"], comparable["s1"])
    rows = {r.key: r for r in table.rows}
    for j, country in enumerate(["1", "2", "3"], start=1):
        assert table.bases[j].n == crosstab[country].sum()
        assert table.asked[j].n == (asked["s1"] == country).sum()
        for code in crosstab.index:
            expected = crosstab.loc[code, country] / crosstab[country].sum()
            assert rows[code].cells[j].pct == pytest.approx(expected)
        dk = ((asked["s1"] == country) & (asked["q7"] == "99")).sum()
        assert rows["99"].cells[j].pct == pytest.approx(dk / (asked["s1"] == country).sum())
    # The chi-square tests the comparable answers only (no "don't know" row in it).
    assert table.test is not None
    assert table.test.dof == (len(crosstab.index) - 1) * 2


@pytest.mark.parametrize("key", ["q13", "q19"])
def test_multiple_choice_dont_know_is_exclusive_and_left_out_of_the_options_base(mixed, key):
    table = _table(mixed, key)
    frame = mixed[3]
    asked = frame.loc[frame[key].apply(lambda v: isinstance(v, list))]
    dont_know = asked[key].apply(lambda v: "99" in v)
    assert dont_know.sum() > 0
    comparable = asked[~dont_know]
    rows = {r.key: r for r in table.rows}
    assert table.bases[0].n == len(comparable)
    assert table.asked[0].n == len(asked)
    for code in ("1", "2", "3"):
        ticked = comparable[key].apply(lambda v, c=code: c in v).sum()
        assert rows[code].cells[0].pct == pytest.approx(ticked / len(comparable))
    dk = rows["99"]
    assert dk.kind == "dont_know"
    assert table.rows[-1] is dk
    assert dk.cells[0].pct == pytest.approx(dont_know.sum() / len(asked))
    assert dk.bases[0].n == len(asked)


def test_questions_without_a_revision_2_dont_know_keep_the_base_of_everyone_asked(mixed):
    frame = mixed[3]
    for key in ("q2", "s6", "q6"):  # Q2 [5] and S6 [8] existed in Revision 1; Q6 [98] is "none"
        table = _table(mixed, key)
        assert table.asked is None
        assert all(r.kind != "dont_know" for r in table.rows)
    asked = frame.loc[frame["q6"].apply(lambda v: isinstance(v, list))]
    assert _table(mixed, "q6").bases[0].n == len(asked)


def test_the_base_statement_and_the_sheet_say_so_in_both_languages(mixed, app):
    schema, variables, data, _frame = mixed
    report = build_report(data, variables, schema, None, False)
    table = report.table("q7")
    with app.test_request_context():
        with force_locale("fr"):
            text = base_statement(table, report, "fr")
            lines = table_lines(table, report, "fr")
        assert "« Ne sais pas » est exclu de cette base" in text
        assert f"(n = {table.asked[0].n})" in text
        assert lines[4].cells[0] == "Base (personnes interrogées concernées, hors « Ne sais pas »)"
        assert any(
            line.cells[0] == "base : toutes les personnes interrogées concernées" for line in lines
        )
        with force_locale("en"):
            text = base_statement(table, report, "en")
        assert "“Don’t know” is left out of this base" in text
