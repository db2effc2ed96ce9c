"""The download routes: who may export, headers, filters, audit, and the separate contacts."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent
from tests.exports.helpers import add_contact

URL = "/admin/surveys/barometre-2015"
ROUTES = ("export.csv", "export.sav", "codebook.csv", "codebook.json")


def rows_of(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def ids(data: bytes) -> set[str]:
    return {row["response_id"] for row in rows_of(data)}


# ----------------------------------------------------------------------------- access
@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_is_refused(client, barometer, route):
    browser = client.get(f"{URL}/{route}", headers={"Accept": "text/html"})
    if route.endswith(".json"):  # JSON routes never redirect to the login page
        assert browser.status_code == 401
    else:
        assert browser.status_code == 302
        assert "/admin/login" in browser.headers["Location"]
    script = client.get(f"{URL}/{route}", headers={"Accept": "*/*"})
    assert script.status_code == 401


@pytest.mark.parametrize("role", ["analyst", "study", "admin"])
def test_every_role_of_the_export_scope_downloads(login_as, barometer, role):
    assert login_as(role).get(f"{URL}/export.csv").status_code == 200


def test_bearer_token_with_export_scope(client, barometer, api_token):
    secret = api_token()
    response = client.get(
        f"{URL}/export.csv?preset=plain", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    assert response.data.startswith(b"response_id,status,")


def test_token_for_another_survey_or_scope_is_refused(client, app, barometer, api_token):
    from tests.exports.helpers import add_version
    from tests.exports.test_layout import DEMO

    with app.app_context():
        add_version(DEMO.read_text(encoding="utf-8"))
    other = api_token(surveys=("export-demo",))
    assert (
        client.get(f"{URL}/export.csv", headers={"Authorization": f"Bearer {other}"}).status_code
        == 401
    )
    quotas = api_token(scopes=("quotas",))
    assert (
        client.get(f"{URL}/export.csv", headers={"Authorization": f"Bearer {quotas}"}).status_code
        == 401
    )


def test_token_in_the_query_string_is_refused(client, barometer, api_token):
    secret = api_token()
    response = client.get(f"{URL}/export.csv?token={secret}")
    assert response.status_code in (400, 401)  # never served
    assert b"response_id" not in response.data


def test_unknown_survey_is_404(login_as, barometer):
    assert login_as("analyst").get("/admin/surveys/nope/export.csv").status_code == 404


# ----------------------------------------------------------------------------- headers
def test_csv_download_headers(login_as, panel):
    response = login_as("analyst").get(f"{URL}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    today = date.today().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="barometre-2015_responses_{today}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"\xef\xbb\xbfresponse_id,")
    lines = response.data.split(b"\r\n")
    assert len(lines) == 4 + 2  # header, 4 completes, and the empty tail after the last CRLF


@pytest.mark.parametrize(
    ("route", "content_type", "name"),
    [
        ("export.sav", "application/x-spss-sav", "responses_{}.sav"),
        ("codebook.csv", "text/csv; charset=utf-8", "codebook_{}.csv"),
        ("codebook.json", "application/json", "codebook_{}.json"),
    ],
)
def test_other_downloads_headers(login_as, panel, route, content_type, name):
    response = login_as("analyst").get(f"{URL}/{route}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    expected = "barometre-2015_" + name.format(date.today().isoformat())
    assert response.headers["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "query",
    [
        "preset=lotus",
        "labels=de",
        "status=done",
        "from=yesterday",
        "test=maybe",
        "lang=de",
        "language=de",
        "source=a;b",
    ],
)
def test_bad_parameters_are_400(login_as, barometer, query):
    response = login_as("analyst").get(f"{URL}/export.csv?{query}")
    assert response.status_code == 400
    assert "error" in response.get_json()


# ----------------------------------------------------------------------------- filters
def test_filters(login_as, panel):
    analyst = login_as("analyst")
    completes = {str(panel[k]) for k in ("french", "us", "nonuser", "french2")}

    def get(query: str) -> set[str]:
        response = analyst.get(f"{URL}/export.csv?{query}")
        assert response.status_code == 200
        return ids(response.data)

    assert get("") == completes
    assert get("status=all") == completes | {str(panel[k]) for k in ("agency", "partial")}
    assert get("status=screened_out,in_progress") == {str(panel["agency"]), str(panel["partial"])}
    assert get("test=only") == {str(panel["test"])}
    assert get("test=include") == completes | {str(panel["test"])}
    assert get("language=en") == {str(panel["us"])}
    assert get("source=3") == {str(panel["us"])}
    assert get("source=4") == {str(panel["french2"])}
    # Completion dates: 2015-05-10, 06-09, 06-19, 07-09 (inclusive day bounds).
    assert get("from=2015-06-09&to=2015-06-19") == {str(panel["us"]), str(panel["nonuser"])}
    assert get("to=2015-05-10") == {str(panel["french"])}
    assert get("from=2015-07-09T00:00:00Z") == {str(panel["french2"])}


def test_in_progress_rows_show_unreached_pages_as_not_asked(login_as, panel):
    response = login_as("analyst").get(f"{URL}/export.csv?status=in_progress")
    (row,) = rows_of(response.data)
    assert row["status"] == "in_progress"
    assert row["ending"] == ""
    assert row["completed_date"] == ""
    assert row["s5"] == "1"
    assert row["s6"] == ""
    assert row["flag_speed"] == ""


# ----------------------------------------------------------------------------- audit
def test_every_export_is_audit_logged(app, login_as, panel, api_token, client):
    assert login_as("analyst").get(f"{URL}/export.csv?source=1").data
    secret = api_token()
    assert client.get(f"{URL}/export.sav", headers={"Authorization": f"Bearer {secret}"}).data
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        ).all()
    csv_event, sav_event = events
    assert (csv_event.actor_type, csv_event.actor) == ("user", "analyst@example.org")
    assert csv_event.details["format"] == "csv"
    assert csv_event.details["rows"] == 1
    assert csv_event.details["finished"] is True
    assert csv_event.details["filters"]["source"] == "1"
    assert sav_event.actor_type == "token"
    assert sav_event.details["rows"] == 4
    assert "answers" not in str(csv_event.details)


def test_an_interrupted_download_is_logged_with_the_rows_sent(app, login_as, panel):
    response = login_as("analyst").get(f"{URL}/export.csv", buffered=False)
    iterator = iter(response.response)
    next(iterator)  # the header only
    response.close()
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.details["finished"] is False
    assert event.details["rows"] == 0


# ----------------------------------------------------------------------------- contacts
@pytest.fixture
def contacts(app, barometer):
    with app.app_context():
        add_contact(barometer, "=cmd@example.org", {"q23": ["1", "3"]})
        add_contact(barometer, "b@example.org", {"q23": ["2"]})


def test_contacts_are_for_study_and_admin_only(login_as, contacts, client, api_token):
    assert login_as("analyst").get(f"{URL}/contacts.csv").status_code == 403
    secret = api_token()
    token = client.get(f"{URL}/contacts.csv", headers={"Authorization": f"Bearer {secret}"})
    assert token.status_code in (302, 401, 403)
    assert login_as("study").get(f"{URL}/contacts.csv").status_code == 200


def test_contacts_hold_no_link_to_responses(login_as, contacts, panel):
    response = login_as("admin").get(f"{URL}/contacts.csv")
    assert response.headers["Cache-Control"] == "no-store"
    assert re.match(
        r'attachment; filename="barometre-2015_contacts_\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["Content-Disposition"],
    )
    rows = rows_of(response.data)
    assert list(rows[0]) == ["email", "q23_1", "q23_2", "q23_3", "q23_4"]
    by_mail = {r["email"]: r for r in rows}
    assert by_mail["'=cmd@example.org"]["q23_1"] == "1"  # neutralised
    assert by_mail["b@example.org"]["q23_2"] == "1"
    assert by_mail["b@example.org"]["q23_3"] == "0"
