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


def test_a_french_table_has_french_headers_status_words_and_numbers(app, cli):
    with app.app_context():
        text = SCHEMA.replace("targets: {1: 1, 2: 100}", "targets: {1: 1, 2: 1500}")
        survey = surveys.load_schema_text(db.session, text, "demo.yaml", Actor("system", "t"))
        survey = survey.survey
    rid = add_response(app, survey, status="complete", answers={"region": "1"})
    claim(app, rid, "by_region__1")
    result = cli("survey", "quotas", "demo", "--lang", "fr")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = [part.strip() for part in lines[0].split("  ") if part.strip()]
    assert header == ["Quota", "Cellule", "Objectif", "Complètes", "En cours", "Statut"]
    cells = [[part.strip() for part in row.split("  ") if part.strip()] for row in lines[2:]]
    assert cells == [
        ["by_region", "Nord", "50", "1", "0", "ouverte"],
        ["by_region", "Sud", "50", "0", "0", "ouverte"],
        ["Nord, maximum", "Nord", "≤1", "0", "0", "sous le plafond"],
        ["Nord, maximum", "Sud", "≤1\u202f500", "0", "0", "sous le plafond"],
    ]
    for english in ("Target", "In progress", "Status", "open", "under the cap"):
        assert english not in result.output
    # A language the interface has no catalog for: English words, the survey's labels.
    other = cli("survey", "quotas", "demo", "--lang", "de")
    assert other.exit_code == 0, other.output
    assert other.output.splitlines()[0].split()[-1] == "Status"


def test_a_survey_without_quotas_says_so_in_french(app, cli):
    with app.app_context():
        text = SCHEMA[: SCHEMA.index("quotas:")]
        surveys.load_schema_text(db.session, text, "demo.yaml", Actor("system", "t"))
    assert cli("survey", "quotas", "demo", "--lang", "fr").output.strip() == "demo : aucun quota"
    assert cli("survey", "quotas", "demo", "--lang", "en").output.strip() == "demo: no quota"
