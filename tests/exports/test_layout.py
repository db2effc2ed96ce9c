"""The column layout: derived from the schema, fixed, and stable across schema versions."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from surveyapp.engine import load_survey
from surveyapp.exports.columns import SECTIONS
from surveyapp.exports.layout import survey_layout
from surveyapp.extensions import db
from surveyapp.services import exports
from surveyapp.services.audit import Actor
from tests.exports.conftest import BAROMETER
from tests.exports.helpers import BLANK, add_version, fill, schema_of, store

DEMO = Path(__file__).resolve().parent / "fixtures" / "export-demo.yaml"


def demo_v2() -> str:
    """Version 2 of the demo: `price` removed, an option and a question added."""
    text = DEMO.read_text(encoding="utf-8").replace('version: "1"', 'version: "2"')
    price = text[text.index("      - id: price") : text.index("      - id: likes")]
    text = text.replace(price, "")
    text = text.replace(
        '          - {code: pear, label: {fr: "Poire", en: "Pear"}}\n',
        '          - {code: pear, label: {fr: "Poire", en: "Pear"}}\n'
        '          - {code: banana, label: {fr: "Banane", en: "Banana"}}\n',
    )
    return text.replace(
        "      - id: likes\n",
        "      - id: age\n        type: integer\n        required: false\n"
        '        text: {fr: "Âge ?", en: "Age?"}\n      - id: likes\n',
    )


def names(text: str) -> list[str]:
    return [c.name for c in survey_layout([(1, load_survey(text))])]


def test_barometer_layout_order():
    cols = survey_layout([(1, load_survey(BAROMETER.read_text(encoding="utf-8")))])
    order = [c.name for c in cols]
    assert order[:11] == [
        "response_id",
        "status",
        "ending",
        "ending_detail",  # so3_gm is reported as so3 (report_as)
        "language",
        "schema_version",
        "source",
        "started_at",
        "completed_at",
        "duration_s",
        "is_test",
    ]
    assert "pid" not in order  # a transient parameter is never exported
    assert "q23_email" not in order  # contact e-mails live apart
    assert order.index("q3_15") + 1 == order.index("q3_other")
    assert order[order.index("q17_a") : order.index("q17_a") + 3] == ["q17_a", "q17_b", "q17_c"]
    assert order.index("q23_4") < order.index("lang") < order.index("q3_order")
    assert order[-1] == "flag_speed"
    ranks = [SECTIONS.index(c.section) for c in cols]
    assert ranks == sorted(ranks)
    assert len(order) == len(set(order))
    personal = {c.name for c in cols if c.personal}
    assert {"q1b", "q22", "s7_other", "q3_other"} <= personal


def test_layout_is_the_union_of_versions_in_version_order():
    v1, v2 = DEMO.read_text(encoding="utf-8"), demo_v2()
    merged = [c.name for c in survey_layout([(1, load_survey(v1)), (2, load_survey(v2))])]
    assert "price" in merged
    assert "age" in merged
    assert merged.index("temp") < merged.index("age") < merged.index("likes_apple")
    assert merged.index("likes_pear") + 1 == merged.index("likes_banana")
    assert merged.index("likes_banana") + 1 == merged.index("likes_misc")
    assert names(v1) == [n for n in merged if n not in ("age", "likes_banana")]


def test_versions_cells_are_empty_where_a_version_has_no_column(app):
    with app.app_context():
        survey = add_version(DEMO.read_text(encoding="utf-8"), "demo.yaml")
        v1 = survey.current_version_id
        store(survey, fill(schema_of(survey), {"fav": "pear", "price": "2.5", "likes": ["pear"]}))
        survey = add_version(demo_v2(), "demo-v2.yaml")
        store(
            survey,
            fill(
                schema_of(survey), {"fav": "pear", "age": "40", "likes": ["banana"], "temp": BLANK}
            ),
        )
        assert survey.current_version_id != v1
        options = exports.parse_options({"preset": "plain"})
        data = b"".join(exports.csv_chunks(db.session, survey, options, Actor("system", "t")))
    first, second = csv.DictReader(io.StringIO(data.decode(), newline=""))
    assert (first["schema_version"], second["schema_version"]) == ("1", "2")
    assert first["price"] == "2.5"
    assert second["price"] == ""
    assert first["age"] == ""
    assert second["age"] == "40"
    assert first["likes_banana"] == ""
    assert second["likes_banana"] == "1"
    assert (first["likes_pear"], second["likes_pear"]) == ("1", "0")
    assert second["temp"] == "-99"
