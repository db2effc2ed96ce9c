"""Spec §10.2.4: placeholders left in a questionnaire (`[CONTACT ADDRESS]`) are shown on the
survey page; opening fieldwork from the admin asks for confirmation; the CLI warns and opens."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Survey
from tests.admin.helpers import FIXTURES, csrf_from, login

DEMO = (FIXTURES / "demo.yaml").read_text()
WITH_PLACEHOLDERS = DEMO.replace(
    'title: {fr: "Démo", en: "Demo"}', 'title: {fr: "Démo [VILLE]", en: "Demo [CITY]"}'
)
HEADINGS = {
    "en": "Placeholders are still in the questionnaire",
    "fr": "Le questionnaire contient encore des textes à remplacer",
}
CONFIRM = {"en": "Open fieldwork anyway", "fr": "Ouvrir le terrain quand même"}


def _upload(client, text: str):
    token = csrf_from(client.get("/admin/surveys/upload").data)
    return client.post(
        "/admin/surveys/upload",
        data={"csrf_token": token, "schema": (io.BytesIO(text.encode()), "demo.yaml")},
        content_type="multipart/form-data",
    )


def _state(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Survey.state).where(Survey.slug == "demo"))


def _post_state(client, data: dict):
    token = csrf_from(client.get("/admin/surveys/demo").data)
    return client.post("/admin/surveys/demo/state", data={"csrf_token": token, **data})


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_opening_with_placeholders_asks_for_confirmation(app, make_user, lang):
    make_user(f"study-{lang}@example.org", "study", language=lang)
    client = app.test_client()
    assert login(client, f"study-{lang}@example.org").status_code == 303
    assert _upload(client, WITH_PLACEHOLDERS).status_code == 303
    page = client.get("/admin/surveys/demo").get_data(as_text=True)
    assert HEADINGS[lang] in page  # the upload lands on the survey page, which warns
    assert "[VILLE]" in page
    assert "[CITY]" in page
    assert CONFIRM[lang] not in page  # no confirmation button before one is needed

    refused = _post_state(client, {"state": "open"})
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert CONFIRM[lang] in html
    assert 'role="alert"' in html
    assert _state(app) == "draft"  # nothing changed

    confirmed = _post_state(client, {"state": "open", "confirmed": "y"})
    assert confirmed.status_code == 303
    assert _state(app) == "open"
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "survey.open")
        ).one()
        assert event.details["placeholders"] == ["[CITY]", "[VILLE]"]


def test_without_placeholders_opening_needs_no_confirmation(app, as_role):
    client = as_role("study")
    assert _upload(client, DEMO).status_code == 303
    page = client.get("/admin/surveys/demo").get_data(as_text=True)
    assert HEADINGS["en"] not in page
    assert _post_state(client, {"state": "open"}).status_code == 303
    assert _state(app) == "open"


def test_closing_with_placeholders_needs_no_confirmation(app, as_role):
    client = as_role("study")
    assert _upload(client, WITH_PLACEHOLDERS).status_code == 303
    assert _post_state(client, {"state": "closed"}).status_code == 303
    assert _state(app) == "closed"


def test_analyst_sees_no_placeholder_warning(app, as_role):
    assert _upload(as_role("study"), WITH_PLACEHOLDERS).status_code == 303
    page = as_role("analyst").get("/admin/surveys/demo").get_data(as_text=True)
    assert HEADINGS["en"] not in page


def test_cli_open_warns_and_opens(app, cli, tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(WITH_PLACEHOLDERS, encoding="utf-8")
    loaded = cli("survey", "load", str(path))
    assert loaded.exit_code == 0
    assert "warning: demo: placeholder [CITY] in the 'en' text of survey 'title'" in loaded.output
    result = cli("survey", "open", "demo")
    assert result.exit_code == 0, result.output
    assert "warning: demo: placeholder [VILLE] in the 'fr' text of survey 'title'" in result.output
    assert "placeholder [CITY] in the 'en' text" in result.output
    assert result.output.rstrip().endswith("demo: open")
    assert _state(app) == "open"
    again = cli("survey", "open", "demo")  # already open: no second warning
    assert "warning" not in again.output


def test_cli_check_warns_with_the_location(cli, tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(WITH_PLACEHOLDERS, encoding="utf-8")
    result = cli("survey", "check", str(path))
    assert result.exit_code == 0, result.output  # a warning, not an error
    line = next(i for i, s in enumerate(WITH_PLACEHOLDERS.splitlines(), 1) if "[VILLE]" in s)
    assert f"warning: {path}:{line}:" in result.output
    assert "survey.title.fr: placeholder [VILLE] in the 'fr' text" in result.output
    assert f"{path}: OK" in result.output
