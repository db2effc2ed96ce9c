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


AUTHOR_NAMED = """\
- id: p1
  questions:
    - {id: rcsi, column: rCSI, type: integer, text: {fr: R, en: R}}
    - id: d4_3
      column: d4.3
      type: multiple
      text: {fr: D, en: D}
      options:
        - {code: 1, label: {fr: A, en: A}}
        - {code: 2, label: {fr: B, en: B}, other: true}
    - {id: q_1, column: Q-1, type: text, text: {fr: Q, en: Q}, required: false}
"""
AUTHOR_DERIVED = """\
- {id: rcsi_x2, column: rCSI.x2, type: number, calc: '${rcsi} * 2'}
"""


def test_author_names_name_the_export_columns(survey_from):
    survey = survey_from(AUTHOR_NAMED, derived=AUTHOR_DERIVED)
    columns = export_columns(survey)
    assert [(c.name, c.source_id) for c in columns] == [
        ("rCSI", "rcsi"),
        ("d4.3_1", "d4_3"),
        ("d4.3_2", "d4_3"),
        ("d4.3_other", "d4_3"),
        ("Q-1", "q_1"),
        ("rCSI.x2", "rcsi_x2"),
    ]
    answers = {"rcsi": 7, "d4_3": ["2"], "d4_3_other": "Zorg", "q_1": None}
    row = export_row(survey, answers)
    assert row == {
        "rCSI": 7,
        "d4.3_1": 0,
        "d4.3_2": 1,
        "d4.3_other": "Zorg",
        "Q-1": Missing.SKIPPED,
        "rCSI.x2": 14,
    }


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # distinct ids, one column name ignoring case (SPSS ignores case)
        (
            "{id: ab, column: A_B, type: text, text: {fr: T, en: T}}",
            "{id: a_b, type: text, text: {fr: T, en: T}}",
            "export column 'a_b' of 'a_b' and 'A_B' of 'ab' would have the same name "
            "(export names must differ, ignoring case): change one `column`",
        ),
        (
            "{id: m, column: M, type: multiple, text: {fr: M, en: M},"
            " options: [{code: 1, label: {fr: A, en: A}}]}",
            "{id: x, column: m_1, type: text, text: {fr: T, en: T}}",
            "export column 'm_1' of 'x' and 'M_1' of 'm' would have the same name "
            "(export names must differ, ignoring case): change one `column`",
        ),
    ],
)
def test_colliding_author_names_are_one_located_error(survey_from, first, second, expected):
    with pytest.raises(SchemaError) as info:
        survey_from(f"- id: p1\n  questions:\n    - {first}\n    - {second}\n")
    (problem,) = info.value.problems
    assert problem.message == expected
    assert problem.rule == "collision"
    assert problem.path.endswith(".column")


def test_an_author_name_cannot_hide_an_answer_key_collision(survey_from):
    # `g` keeps its answers under `g_order`, whatever its column is called
    with pytest.raises(SchemaError) as info:
        survey_from(
            """\
            - id: p1
              questions:
                - id: g
                  column: G.1
                  type: single
                  text: {fr: M, en: M}
                  options: [{code: 1, label: {fr: A, en: A}}]
                  order: random
                - {id: g_order, type: text, text: {fr: T, en: T}}
            """
        )
    (problem,) = info.value.problems
    assert problem.message == "export column 'g_order' of 'g_order' collides with one of 'g'"


@pytest.mark.parametrize("bad", ["a b", "1st", "-q", "q,1", "x" * 65, "é"])
def test_column_names_are_csv_safe(survey_from, bad):
    with pytest.raises(SchemaError) as info:
        survey_from(
            f"- id: p1\n  questions:\n    - {{id: q, column: '{bad}', type: text, "
            "text: {fr: T, en: T}}\n"
        )
    (problem,) = info.value.problems
    assert problem.path == "pages[0].questions[0].column"
    assert "letters, digits, _ . or -" in problem.message


def test_an_options_column_names_its_flag_and_collides_like_any_name(survey_from):
    multiple = (
        "{id: m, type: multiple, text: {fr: M, en: M}, options: ["
        "{code: a_1, column: A-1, label: {fr: A, en: A}}, {code: 2, label: {fr: B, en: B}}]}"
    )
    survey = survey_from(f"- id: p1\n  questions:\n    - {multiple}\n")
    assert [c.name for c in export_columns(survey)] == ["m_A-1", "m_2"]
    with pytest.raises(SchemaError) as info:
        survey_from(
            f"- id: p1\n  questions:\n    - {multiple}\n"
            "    - {id: x, column: M_a-1, type: text, text: {fr: T, en: T}}\n"
        )
    (problem,) = info.value.problems
    assert problem.message.startswith("export column 'M_a-1' of 'x' and 'm_A-1' of 'm'")
