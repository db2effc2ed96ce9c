"""Numbers of the results pages: Babel patterns per locale, prepared once with the figures."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from surveyapp.results.formats import Numbers, percent_pattern, prepare
from tests.results.helpers import barometer, generate, records


def test_percentages_counts_and_decimals_in_french_and_english():
    fr, en = Numbers("fr"), Numbers("en")
    assert fr.pct(0.4234) == "42,3\u202f%"  # issue #13: U+202F before % (CLDR has U+00A0)
    assert en.pct(0.4234) == "42.3%"
    assert fr.pct(12.5) == "1\u202f250,0\u202f%"
    assert fr.n(12345) == "12\u202f345"
    assert en.n(12345) == "12,345"
    assert fr.dec(1234.5678, 2) == "1\u202f234,57"
    assert en.dec(3.14159, 1) == "3.1"
    assert fr.plain(1234.5, 2) == "1234,50"  # a statistic in running text: no digit groups
    for numbers in (fr, en):
        assert numbers.pct(None) == "—"
        assert numbers.dec(math.nan, 2) == "—"
        assert numbers.n(None) == "—"
    assert percent_pattern("fr", 1) == "#,##0.0\u202f%"
    assert percent_pattern("en", 0) == "#,##0%"


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_a_prepared_text_is_the_text_formatted_on_the_spot(value):
    for locale in ("fr", "en"):
        prepared = Numbers(locale)
        prepared.pct(value)
        assert Numbers(locale, dict(prepared.texts)).pct(value) == Numbers(locale).pct(value)


def test_prepare_holds_every_number_of_the_tables():
    from surveyapp.exports.layout import survey_layout
    from surveyapp.results import breakdowns as bd
    from surveyapp.results.data import build_dataset
    from surveyapp.results.report import build_report
    from surveyapp.results.variables import catalog, question_titles

    schema = barometer()
    filled = [f for f in generate(schema, 120, seed=3) if f[1] == "complete"]
    variables = catalog(survey_layout([(1, schema)]), question_titles([schema]))
    data = build_dataset(variables.values(), {1: schema}, [records(filled)])
    breakdown = bd.find(bd.available(schema, variables), "s1")
    report = build_report(data, variables, schema, breakdown, True)
    texts = prepare(report, ("fr", "en"))
    fr = texts["fr"]
    cell = report.tables[0].rows[0].cells[0]
    assert fr[("pct", 1, cell.pct)] == Numbers("fr").pct(cell.pct)
    assert fr[("int", 0, cell.n)] == Numbers("fr").n(cell.n)
    # Rendering from the prepared texts formats nothing more.
    numbers = Numbers("fr", dict(fr))
    size = len(numbers.texts)
    for table in report.tables:
        for row in table.rows:
            for c in row.cells:
                if row.kind in ("stat", "score"):
                    numbers.dec(c.count, 1 if row.kind == "score" else 2)
                else:
                    numbers.pct(c.pct)
                    numbers.n(c.n)
        for base in table.bases:
            numbers.n(base.n)
            numbers.dec(base.effective, 1)
    assert len(numbers.texts) == size
