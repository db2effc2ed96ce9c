"""The column store reads exactly what the exports write: cell for cell against `RowBuilder`."""

from __future__ import annotations

import math

import numpy as np
import pytest

from surveyapp.exports.columns import NOT_ANSWERED
from surveyapp.exports.layout import survey_layout
from surveyapp.exports.rows import RowBuilder, Target
from surveyapp.results.data import BLANK, NOT_ASKED, build_dataset
from surveyapp.results.variables import catalog, question_titles
from tests.results.helpers import barometer, fixture_schema, generate, records


def _typed_code(code: str, numeric: bool):
    return int(code) if numeric and code.isdigit() else code


def _expected_cells(data, v, col, i):
    """What our arrays say the export cell of response i holds."""
    if v.kind == "multiple":
        j = next(k for k, item in enumerate(v.items) if item.column == col.name)
        value = int(data.flags[v.id][i, j])
        return {NOT_ASKED: None, BLANK: NOT_ANSWERED}.get(value, value)
    if v.kind in ("number", "nps", "derived_number"):
        value = data.numbers[v.id][i]
        if math.isnan(value):
            return NOT_ANSWERED if data.blank[v.id][i] else None
        return value
    name = col.name if v.kind == "grid" else v.id
    index = int(data.codes[name][i])
    if index == NOT_ASKED:
        return None
    if index == BLANK:
        return NOT_ANSWERED
    return _typed_code(data.categories[name][index], col.numeric)


def _compare(schema, filled):
    layout = survey_layout([(1, schema)])
    variables = catalog(layout, question_titles([schema]))
    recs = records(filled)
    data = build_dataset(variables.values(), {1: schema}, [recs[:37], recs[37:]])
    builder = RowBuilder(layout, schema, 1, Target("typed"))
    position = {col.name: k for k, col in enumerate(layout)}
    by_column = {c: v for v in variables.values() for c in v.columns}
    checked = 0
    for i, record in enumerate(recs):
        row = builder(record)
        assert data.ids[i] == record.id
        for name, v in by_column.items():
            if v.kind in ("text", "other", "language", "param"):
                continue
            col = layout[position[name]]
            got = _expected_cells(data, v, col, i)
            want = row[position[name]]
            if isinstance(want, float) or isinstance(got, float):
                assert got == pytest.approx(want), (record.id, name)
            else:
                assert got == want, (record.id, name, record.answers.get(v.id))
            checked += 1
    return data, checked


def test_barometer_columns_match_the_export_rows():
    data, checked = _compare(barometer(), generate(barometer(), 120, seed=11))
    assert checked > 120 * 150
    # Viadeo (q3 option 4) is offered in France only: "not asked" elsewhere.
    s1 = np.array(data.categories["s1"])[data.codes["s1"]]
    viadeo = data.flags["q3"][:, 3]
    users = (data.flags["q3"] != NOT_ASKED).any(axis=1)
    assert (viadeo[users & (s1 != "1")] == NOT_ASKED).all()
    assert (viadeo[users & (s1 == "1")] != NOT_ASKED).all()


def test_numbers_grids_and_piped_options_match_the_export_rows():
    _compare(fixture_schema("numbers.yaml"), generate(fixture_schema("numbers.yaml"), 80, seed=3))


def test_texts_are_read_blank_and_unasked_as_none():
    schema = fixture_schema("numbers.yaml")
    filled = generate(schema, 40, seed=5)
    layout = survey_layout([(1, schema)])
    variables = catalog(layout, question_titles([schema]))
    data = build_dataset(variables.values(), {1: schema}, [records(filled)])
    expected = [answers.get("why") or None for answers, _s, _e in filled]
    assert list(data.texts["why"]) == expected
