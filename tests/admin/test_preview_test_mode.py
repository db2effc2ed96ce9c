"""Preview (read-only, no rows, no respondent cookie) and test mode (is_test responses)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import QuotaClaim, Response, Survey
from surveyapp.services import responses as responses_service
from surveyapp.services.responses import codes as response_codes
from tests.admin.helpers import cell_completes, post_form

PREVIEW = "/admin/surveys/demo/preview"
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
ATTR = re.compile(r'(name|value)="([^"]*)"')
ACTION = re.compile(r'<form id="page-form"[^>]*action="([^"]+)"')
ANSWERS = {"p1": {"q1": "1", "region": "1"}, "p2": {"q2": "1"}, "p3": {"q3": "test"}}


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Response)),
            db.session.scalar(select(func.count()).select_from(QuotaClaim)),
        )


def _set_state(app, survey, state: str) -> None:
    with app.app_context():
        db.session.get(Survey, survey.id).state = state
        db.session.commit()


# --------------------------------------------------------------------------- preview
@pytest.mark.parametrize(
    ("lang", "text"), [("fr", "Êtes-vous majeur ?"), ("en", "Are you an adult?")]
)
def test_preview_renders_a_page_in_each_language(app, as_role, demo_survey, lang, text):
    client = as_role("study")
    before = _counts(app)
    response = client.get(f"{PREVIEW}?page=p1&lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert text in html
    assert f'<html lang="{lang}"' in html
    assert "<fieldset disabled" in html
    assert 'aria-current="page"' in html
    for page in ("p1", "p2", "p3"):
        assert f"page={page}" in html
    other = "en" if lang == "fr" else "fr"
    assert f"lang={other}" in html  # the FR/EN switch
    assert _counts(app) == before
    assert not any(header.startswith("sv_") for header in response.headers.getlist("Set-Cookie"))


def test_preview_every_page_and_errors(app, as_role, demo_survey):
    client = as_role("admin")
    for page in ("p1", "p2", "p3"):
        assert client.get(f"{PREVIEW}?page={page}&lang=en").status_code == 200
    assert client.get(PREVIEW).status_code == 200  # first page, default language
    assert client.get(f"{PREVIEW}?page=nope").status_code == 404
    assert client.get(f"{PREVIEW}?page=p2&lang=xx").status_code == 200
    assert as_role("analyst").get(PREVIEW).status_code == 403
    assert _counts(app) == (0, 0)


def test_preview_of_the_barometer(app, as_role):
    from pathlib import Path

    from surveyapp.services import surveys
    from surveyapp.services.audit import Actor

    path = Path(__file__).resolve().parents[2] / "surveyapp/surveys/barometre-2015.yaml"
    with app.app_context():
        result = surveys.load_schema_text(
            db.session, path.read_text(), path.name, Actor("system", "t")
        )
        slug = result.survey.slug
        pages = [p.id for p in surveys.compiled(result.version).pages]
    client = as_role("study")
    for page in pages:
        for lang in ("fr", "en"):
            response = client.get(f"/admin/surveys/{slug}/preview?page={page}&lang={lang}")
            assert response.status_code == 200, (page, lang)
    assert _counts(app) == (0, 0)

    def button(page: str) -> str:
        html = client.get(f"/admin/surveys/{slug}/preview?page={page}&lang=fr").get_data(
            as_text=True
        )
        return re.search(r'value="next" disabled>\s*([^<]+)</button>', html)[1].strip()

    # The button reads as on the respondent's page: Start on the first page only.
    assert [button(p) for p in (pages[0], pages[2], pages[-1])] == [
        "Commencer",
        "Continuer",
        "Terminer",
    ]
    # p03 (asked only in Canada) shows no question without answers: the preview says why.
    p03 = client.get(f"/admin/surveys/{slug}/preview?page=p03&lang=fr").get_data(as_text=True)
    assert "Cette page dépend de réponses précédentes" in p03
    assert 'hreflang="en">English</a>' in p03  # the language switch stays a link (no POST)
    first = client.get(f"/admin/surveys/{slug}/preview?page={pages[0]}&lang=fr")
    assert "Cette page dépend" not in first.get_data(as_text=True)


# --------------------------------------------------------------------------- test mode
def _start_test(client) -> str:
    """POST the test button; returns the respondent URL it redirects to."""
    response = post_form(client, "/admin/surveys/demo", "/admin/surveys/demo/test")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "/s/demo/?test=" in location
    return location


def _translated_banner(app) -> str:
    """The banner as the French catalog has it (the demo survey's default language)."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("fr"):
        return gettext("Test mode — this response is not counted")


def _run(client, url: str) -> list[str]:
    """Follow the questionnaire from `url` to its end; returns the pages' HTML."""
    pages = []
    response = client.get(url)
    while response.status_code == 303:
        location = response.headers["Location"]
        if "/end" in location:
            pages.append(client.get(location).get_data(as_text=True))
            return pages
        page_id = re.search(r"/p/([^/?]+)", location).group(1)
        html = client.get(location).get_data(as_text=True)
        pages.append(html)
        data = {}
        for tag in HIDDEN.findall(html):
            attrs = dict(ATTR.findall(tag))
            data[attrs["name"]] = unescape(attrs.get("value", ""))
        data.update(ANSWERS[page_id])
        data["_action"] = "next"
        response = client.post(unescape(ACTION.search(html).group(1)), data=data)
    raise AssertionError(f"stopped with {response.status_code}")


@pytest.mark.parametrize("state", ["draft", "open", "closed"])
def test_test_response_in_any_state(app, as_role, demo_survey, state):
    _set_state(app, demo_survey, state)
    client = as_role("study")
    pages = _run(client, _start_test(client))
    banners = ("Test mode — this response is not counted", _translated_banner(app))
    assert all(any(banner in html for banner in banners) for html in pages)
    with app.app_context():
        (response,) = db.session.scalars(select(Response)).all()
        assert response.is_test is True
        assert response.status == "complete"
    assert _counts(app)[1] == 0  # no quota claim
    assert cell_completes(app, "by_region__1") == 0


def test_test_start_is_for_the_study_team(as_role, demo_survey):
    response = post_form(as_role("analyst"), "/admin/surveys/demo", "/admin/surveys/demo/test")
    assert response.status_code == 403
    assert as_role("study").post("/admin/surveys/demo/test").status_code == 400  # no CSRF


def test_bad_or_expired_signature_is_refused(app, client, demo_survey, monkeypatch):
    assert client.get("/s/demo/?test=forged").status_code == 404  # draft: not even shown
    other = responses_service.issue_test_token("another-secret", "demo")
    assert client.get(f"/s/demo/?test={other}").status_code == 404
    with app.app_context():
        wrong_survey = responses_service.issue_test_token(app.config["SECRET_KEY"], "other")
        good = responses_service.issue_test_token(app.config["SECRET_KEY"], "demo")
    assert client.get(f"/s/demo/?test={wrong_survey}").status_code == 404
    monkeypatch.setattr(response_codes, "TEST_MAX_AGE", -1)  # read where it is used
    assert client.get(f"/s/demo/?test={good}").status_code == 404


def test_forged_test_link_on_an_open_survey_counts_normally(app, client, demo_survey):
    _set_state(app, demo_survey, "open")
    pages = _run(client, "/s/demo/?test=forged")
    assert not any("Test mode" in html for html in pages)
    with app.app_context():
        (response,) = db.session.scalars(select(Response)).all()
        assert response.is_test is False
    assert cell_completes(app, "by_region__1") == 1
