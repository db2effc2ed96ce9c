"""NUL characters and values the database refuses: the same 400/404 on SQLite and PostgreSQL,
one log line without the value, never a 500 (issue #16 point 5)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import DataError

from surveyapp.extensions import db
from tests.admin.helpers import page_csrf


def _surveyapp_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("surveyapp")]


def test_a_nul_in_a_survey_path_is_a_404(client, caplog):
    caplog.set_level(logging.INFO)
    assert client.get("/s/%00/").status_code == 404
    assert client.get("/s/ab%00cd/p/p1").status_code == 404
    messages = [r.getMessage() for r in _surveyapp_records(caplog)]
    assert "event=invalid_input where=path reason=nul" in messages


def test_a_nul_in_the_login_email_is_a_400(client, caplog):
    caplog.set_level(logging.INFO)
    token = page_csrf(client)
    response = client.post(
        "/admin/login",
        data={
            "email": "owner%00@example.org".replace("%00", "\x00"),
            "password": "x" * 12,
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    records = _surveyapp_records(caplog)
    assert [r.getMessage() for r in records if r.levelno >= logging.INFO] == [
        "event=invalid_input where=form reason=nul"
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "query",
    [
        "language=%00",
        "source=a%00b",
        "status=complete%00",
        "started_from=2026-01-01%00",
        "page=1%00",
        "%00=1",
    ],
)
def test_a_nul_in_admin_filters_is_a_400(as_role, demo_survey, query):
    client = as_role("study")
    response = client.get(f"/admin/surveys/demo/responses?{query}")
    assert response.status_code == 400
    assert "<html" in response.get_data(as_text=True).lower()


def test_a_nul_in_the_query_string_of_a_respondent_page_is_a_400(client):
    assert client.get("/s/demo/?src=%00").status_code == 400
    assert client.get("/?lang=fr%00").status_code == 400


def test_the_engine_hides_bound_parameters(app):
    assert db.engine_for(app).hide_parameters is True


@pytest.mark.own_app  # adds a route
def test_a_data_error_is_a_400_with_one_line_and_no_value(app, caplog):
    """Whatever else the database refuses as data is the client's fault: 400, not 500."""

    def refuse():
        raise DataError("INSERT INTO t VALUES (?)", ("secret-answer",), ValueError("bad"))

    app.add_url_rule("/_test/data-error", "data_error", refuse)
    caplog.set_level(logging.INFO)
    response = app.test_client().get("/_test/data-error")
    assert response.status_code == 400
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "event=data_refused error=ValueError" in logged
    assert "secret-answer" not in logged
    assert "\n" not in logged.strip()


def test_a_nul_typed_in_a_questionnaire_page_gets_the_page_back(app, client):
    """Questionnaire pages keep their friendlier answer (the page again, what was typed kept,
    a located message): the guard leaves their form to the service, which never stores NUL."""
    from tests.respondent.helpers import Respondent, open_barometer

    open_barometer(app)
    r = Respondent(client, headers={"Accept-Language": "en"})
    r.start()
    r.answer({"consent": "1"})
    response = r.post([*r.hidden().items(), ("s1", "1\x00")])
    assert response.status_code == 422
    assert 'id="error-summary"' in response.get_data(as_text=True)
    later = r.post([*r.hidden().items(), ("s1", "1\x00")], action="later")
    assert later.status_code == 303  # the draft is stored without the NUL, on both databases
