"""`surveyapp survey quotas SLUG`: a readable table (labels, schema order, figures, status)."""

from __future__ import annotations

from surveyapp.extensions import db
from surveyapp.services import surveys
from surveyapp.services.audit import Actor
from tests.admin.helpers import FIXTURES, add_response, claim

SCHEMA = (
    (FIXTURES / "demo.yaml").read_text()
    + """
  - id: soft_north
    kind: soft
    label: {fr: "Nord, maximum", en: "North, at most"}
    limit: at_most
    by: [region]
    targets: {1: 1, 2: 100}
"""
)


def test_the_table_names_cells_and_shows_every_figure(app, cli):
    with app.app_context():
        survey = surveys.load_schema_text(db.session, SCHEMA, "demo.yaml", Actor("system", "t"))
        survey = survey.survey
    for _ in range(2):
        rid = add_response(app, survey, status="complete", answers={"region": "1"})
        claim(app, rid, "by_region__1")
    add_response(app, survey, answers={"q1": "1", "region": "2"})
    result = cli("survey", "quotas", "demo", "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Quota", "Cell", "Target", "Complete", "In", "progress", "Status"]
    assert set(lines[1]) == {"-", " "}
    body = [line.split("  ") for line in lines[2:]]
    cells = [[part.strip() for part in row if part.strip()] for row in body]
    assert cells == [
        ["by_region", "North", "50", "2", "0", "open"],
        ["by_region", "South", "50", "0", "1", "open"],
        ["North, at most", "North", "≤1", "0", "0", "under the cap"],
        ["North, at most", "South", "≤100", "0", "1", "under the cap"],
    ]
    assert "by_region__1" not in result.output
    french = cli("survey", "quotas", "demo")  # the survey's default language: French
    assert "Nord" in french.output
    assert "Sud" in french.output
