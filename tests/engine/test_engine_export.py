"""The export layout derived from the schema, and responses laid out in it."""

from __future__ import annotations

import pytest

from surveyapp.engine import Missing, SchemaError, export_columns, export_row


def test_column_layout(rich):
    columns = export_columns(rich)
    names = [c.name for c in columns]
    assert names == [
        "consent",
        "country",
        "age",
        "brands_acme",
        "brands_globex",
        "brands_initech",
        "brands_more",
        "brands_none",
        "brands_other",
        "brands_order",
        "fav",
        "price",
        "image_quality",
        "image_price",
        "image_local",
        "image_order",
        "nps",
        "why",
        "quality_ok",
        "want_1",
        "want_2",
        "want_3",
        "adult",
        "brand_count",
        "main_brand",
        "source",
    ]
    by_kind = {c.name: c.kind for c in columns}
    assert by_kind["brands_acme"] == "flag"
    assert by_kind["brands_order"] == "order"
    assert by_kind["image_quality"] == "matrix_row"
    assert by_kind["adult"] == "derived_single"
    personal = {c.name for c in columns if c.personal}
    assert personal == {"brands_other", "why"}
    country = next(c for c in columns if c.name == "country")
    assert country.labels["be"]["en"] == "Belgium"
    assert "email" not in names
    assert "pid" not in names


def test_colliding_column_names_are_refused(survey_from):
    other = "{code: other, label: {fr: A, en: A}, other: true}"
    # an "other, specify" option coded `other` (XLSForm's habit) is flagged in m_other_choice
    survey = survey_from(
        f"""\
        - id: p1
          questions:
            - {{id: m, type: multiple, text: {{fr: M, en: M}}, options: [{other}]}}
        """
    )
    assert [c.name for c in export_columns(survey)][:2] == ["m_other_choice", "m_other"]
    with pytest.raises(SchemaError) as info:
        survey_from(
            """\
            - id: p1
              questions:
                - id: m
                  type: multiple
                  text: {fr: M, en: M}
                  options: [{code: 1, label: {fr: A, en: A}}]
                - {id: m_1, type: text, text: {fr: T, en: T}}
            """
        )
    messages = [p.message for p in info.value.problems if p.rule == "collision"]
    assert messages == ["export column 'm_1' of 'm_1' collides with one of 'm'"]
    with pytest.raises(SchemaError) as info:
        survey_from(
            """\
            - id: p1
              questions:
                - id: g
                  type: single
                  text: {fr: M, en: M}
                  options: [{code: 1, label: {fr: A, en: A}}]
                  order: random
                - {id: g_order, type: text, text: {fr: T, en: T}}
            """
        )
    (problem,) = info.value.problems
    assert problem.message == "export column 'g_order' of 'g_order' collides with one of 'g'"
    assert problem.path == "pages[0].questions[1]"


def test_rows_distinguish_not_asked_from_skipped(rich):
    answers = {
        "consent": "1",
        "country": "fr",
        "age": 30,
        "brands": ["acme", "more"],
        "brands_other": "Zorg",
        "brands_order": ["acme", "globex", "initech", "more", "none"],
        "fav": "acme",
        "price": None,
        "image": {"quality": "2", "price": "3"},
        "source": "1",
    }
    row = export_row(rich, answers)
    assert row["brands_acme"] == 1
    assert row["brands_globex"] == 0
    assert row["brands_order"] == "acme globex initech more none"
    assert row["price"] is Missing.SKIPPED
    assert row["nps"] is Missing.NOT_ASKED
    assert row["image_local"] is Missing.SKIPPED
    assert row["image_quality"] == "2"
    assert row["adult"] == "1"
    assert row["brand_count"] == 2
    assert row["main_brand"] == "acme"
    assert row["source"] == "1"
