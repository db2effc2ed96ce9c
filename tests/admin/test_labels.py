"""Dashboard and quota pages speak the admin's language: labels, not codes; the survey's title;
percentages through Babel; soft "at most" quotas read as a cap."""

from __future__ import annotations

import re

import pytest

from surveyapp.extensions import db
from surveyapp.services import surveys
from surveyapp.services.audit import Actor
from tests.admin.helpers import FIXTURES, add_response, claim, login

NORTH = "by_region__1"
SOFT_SCHEMA = (
    (FIXTURES / "demo.yaml").read_text()
    + """
  - id: soft_south
    kind: soft
    label: {fr: "Sud, maximum", en: "South, at most"}
    limit: at_most
    by: [region]
    targets: {1: 100, 2: 100}
"""
)


@pytest.fixture
def seeded(app):
    """The demo survey with a soft "at most" quota, two completes in the North, sources set."""
    with app.app_context():
        survey = surveys.load_schema_text(
            db.session, SOFT_SCHEMA, "demo.yaml", Actor("system", "test")
        ).survey
    for language, source in (("fr", "1"), ("en", "2")):
        rid = add_response(
            app,
            survey,
            status="complete",
            answers={"q1": "1", "region": "1"},
            language=language,
            params={"source": source},
        )
        claim(app, rid, NORTH)
    add_response(app, survey, current_page="p2", answers={"q1": "1", "region": "2"})
    return survey


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_dashboard_shows_language_and_source_labels_and_the_title(clients, seeded):
    fr = clients["fr"].get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    en = clients["en"].get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    assert "<h1>Travail de terrain · Démo</h1>" in fr or "· Démo</h1>" in fr
    assert "· Demo</h1>" in en
    for html, source in ((fr, "Réseaux"), (en, "Social")):
        cells = re.findall(r'<th scope="row">(.*?)</th>', html, re.S)
        names = [text_of(c).strip() for c in cells]
        assert "Français" in names
        assert "English" in names
        assert source in names
        assert "fr" not in names
        assert "2" not in names
        assert "p2" not in names  # the page is named by its number and first question
    assert "2 · Couleurs aimées\u202f?" in fr  # French typography
    assert "2 · Colours you like?" in en


def test_dashboard_percentages_follow_the_locale(clients, seeded):
    fr = clients["fr"].get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    en = clients["en"].get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    assert "50.0%" in en  # French pages: 1 complete of 2 started
    assert "50,0\u202f%" in fr  # a narrow no-break space before % in French
    assert "50,0\xa0%" not in fr


def test_quota_page_names_cells_and_languages(clients, seeded):
    fr = clients["fr"].get("/admin/surveys/demo/quotas").get_data(as_text=True)
    en = clients["en"].get("/admin/surveys/demo/quotas").get_data(as_text=True)
    assert "· Démo</h1>" in fr
    assert "· Demo</h1>" in en
    visible_fr, visible_en = text_of(fr), text_of(en)
    assert NORTH not in visible_fr
    assert NORTH not in visible_en
    assert "Nord" in visible_fr
    assert "North" in visible_en
    assert "Totals by the question “Your region?”" in visible_en
    # French typography on the admin pages too, the question's text included.
    assert "Totaux selon la question «\u202fVotre région\u202f?\u202f»" in visible_fr
    assert "Français" in visible_fr
    assert re.search(r"\b4%", visible_en)  # 2 / 50
    assert "4\u202f%" in visible_fr


def test_states_agree_with_the_nouns_they_describe_in_french(clients, seeded):
    """One English word, two French forms: a survey (une enquête) and a quota cell (une cellule)
    are both feminine, so « ouverte », never the masculine « ouvert » beside « pleine »."""
    survey_list = text_of(clients["fr"].get("/admin/").get_data(as_text=True))
    quotas = text_of(clients["fr"].get("/admin/surveys/demo/quotas").get_data(as_text=True))
    assert "Démo" in survey_list  # the survey list names surveys by their title
    assert "brouillon" in survey_list
    assert re.search(r"\bouverte\b", quotas)
    assert not re.search(r"\bouvert\b", quotas)
    english = text_of(clients["en"].get("/admin/surveys/demo/quotas").get_data(as_text=True))
    assert re.search(r"\bopen\b", english)


def soft_states(html: str) -> list[str]:
    return [s.strip() for s in re.findall(r'<td data-field="met"[^>]*>(.*?)</td>', html, re.S)]


def test_soft_at_most_reads_as_under_the_cap(clients, seeded):
    en = clients["en"].get("/admin/surveys/demo/quotas").get_data(as_text=True)
    fr = clients["fr"].get("/admin/surveys/demo/quotas").get_data(as_text=True)
    assert soft_states(en) == ["under the cap", "under the cap"]  # 2/100 and 0/100
    assert soft_states(fr) == ["sous le plafond", "sous le plafond"]


def test_flash_names_the_cell(app, as_role, seeded):
    from tests.admin.helpers import post_form

    client = as_role("study")
    page = "/admin/surveys/demo/quotas"
    post_form(client, page, f"/admin/surveys/demo/quotas/{NORTH}/target", {"target": "60"})
    html = client.get(page).get_data(as_text=True)
    assert "Target of North saved." in html


def test_response_pages_name_the_language_and_the_source(clients, seeded, app, make_user):
    make_user("study-fr@example.org", "study", language="fr")
    client = app.test_client()
    login(client, "study-fr@example.org")
    listing = client.get("/admin/surveys/demo/responses").get_data(as_text=True)
    assert ">Français</span></td>" in listing
    assert ">Réseaux</td>" in listing
    first = re.search(r'href="(/admin/surveys/demo/responses/\d+)"', listing).group(1)
    detail = client.get(first).get_data(as_text=True)
    assert ">Français</dd>" in detail
