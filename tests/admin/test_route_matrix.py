"""Every route of the app × every role → the expected status (RELIABILITY A-5).

`MATRIX` lists each (endpoint, method) of `app.url_map`. `test_every_route_is_in_the_matrix`
fails when a route is added, renamed or removed without updating it, so access rules cannot
be forgotten. To add a route:

1. add a row `("blueprint.endpoint", "METHOD"): expect(anonymous, analyst, study, admin)`,
   giving the status each kind of visitor gets when requesting it with the sample values
   below and an empty form (a POST carries a valid CSRF token, so what is measured is
   authorisation, not CSRF; 422/303 mean "allowed in");
2. if the URL has an argument name not in `SAMPLE_ARGS`, add a value for it (built in the
   `sample` fixture when it needs a database row).

HEAD and OPTIONS are not listed (Flask adds them to every GET route).
"""

from __future__ import annotations

import pytest
from flask import url_for

from surveyapp import create_app
from surveyapp.jobs import queue
from surveyapp.services import jobs, tokens
from surveyapp.services.audit import Actor
from tests.admin.helpers import add_response, page_csrf, quick_user, session_client

VISITORS = ("anonymous", "analyst", "study", "admin")


def expect(anonymous: int, analyst: int, study: int, admin: int) -> dict[str, int]:
    """Expected statuses in the order of VISITORS."""
    return dict(zip(VISITORS, (anonymous, analyst, study, admin), strict=True))


def everyone(status: int) -> dict[str, int]:
    """The same status for every visitor."""
    return expect(status, status, status, status)


MATRIX: dict[tuple[str, str], dict[str, int]] = {
    # Public: static files and the health check.
    ("static", "GET"): everyone(200),
    ("core.healthz", "GET"): everyone(200),
    # Login area. A logged-in user asking for the login page goes to the admin index.
    ("auth.login", "GET"): expect(200, 302, 302, 302),
    ("auth.login", "POST"): everyone(422),  # empty form
    ("auth.logout", "POST"): everyone(303),
    ("auth.language", "POST"): expect(302, 303, 303, 303),
    ("auth.password", "GET"): expect(302, 200, 200, 200),
    ("auth.password", "POST"): expect(302, 422, 422, 422),  # empty form
    # Surveys: every role reads; the study team and admins change.
    ("admin.index", "GET"): expect(302, 200, 200, 200),
    ("admin.survey", "GET"): expect(302, 200, 200, 200),
    ("admin.survey_dashboard", "GET"): expect(302, 200, 200, 200),
    ("admin.upload", "GET"): expect(302, 403, 200, 200),
    ("admin.upload", "POST"): expect(302, 403, 422, 422),  # no file
    ("admin.survey_state", "POST"): expect(302, 403, 422, 422),  # no state
    ("admin.survey_window", "POST"): expect(302, 403, 303, 303),  # both dates cleared
    ("admin.survey_retention", "POST"): expect(302, 403, 303, 303),  # retention cleared
    ("admin.survey_access", "POST"): expect(302, 403, 422, 422),  # no access mode
    ("admin.schema_download", "GET"): expect(302, 403, 200, 200),
    # Quotas: every role reads; the study team and admins change targets and close cells.
    ("admin.quotas_page", "GET"): expect(302, 200, 200, 200),
    ("admin.quotas_json", "GET"): expect(401, 200, 200, 200),
    ("admin.quota_target", "POST"): expect(302, 403, 422, 422),  # no target
    ("admin.quota_state", "POST"): expect(302, 403, 422, 422),  # no action
    # Preview and test mode: the study team and admins.
    ("admin.preview", "GET"): expect(302, 403, 200, 200),
    ("admin.test_start", "POST"): expect(302, 403, 303, 303),
    # Responses: study team and admins only (analysts use exports).
    ("admin.responses", "GET"): expect(302, 403, 200, 200),
    ("admin.response", "GET"): expect(302, 403, 200, 200),
    ("admin.response_delete", "POST"): expect(302, 403, 303, 303),
    # Invitations: the study team and admins.
    ("admin.invitations", "GET"): expect(302, 403, 200, 200),
    ("admin.invitations_import", "POST"): expect(302, 403, 422, 422),  # no file
    ("admin.invitations_template", "POST"): expect(302, 403, 422, 422),  # empty text
    ("admin.invitations_test_mail", "POST"): expect(302, 403, 422, 422),  # no kind
    ("admin.invitations_send", "POST"): expect(302, 403, 422, 422),  # not configured
    # Users and tokens: admins only.
    ("admin.users", "GET"): expect(302, 403, 403, 200),
    ("admin.user_create", "POST"): expect(302, 403, 403, 422),
    ("admin.user_disable", "POST"): expect(302, 403, 403, 303),
    ("admin.user_reset_password", "POST"): expect(302, 403, 403, 200),  # shows the password
    ("admin.tokens", "GET"): expect(302, 403, 403, 200),
    ("admin.token_create", "POST"): expect(302, 403, 403, 422),
    ("admin.token_revoke", "POST"): expect(302, 403, 403, 303),
    # Data for scripts (bearer token or session): JSON answers 401, not a login redirect.
    ("admin.fieldwork_json", "GET"): expect(401, 200, 200, 200),
    # Exports (surveyapp/exports/web.py): `require_access("export")`; contacts: study, admin.
    ("exports.export_csv", "GET"): expect(401, 200, 200, 200),
    ("exports.export_sav", "GET"): expect(401, 200, 200, 200),
    ("exports.codebook_csv", "GET"): expect(401, 200, 200, 200),
    ("exports.codebook_json", "GET"): expect(401, 200, 200, 200),
    ("exports.contacts_csv", "GET"): expect(302, 403, 200, 200),
    # Results (surveyapp/results/web.py): study team, analysts and admins read every table.
    ("results.index", "GET"): expect(302, 200, 200, 200),
    ("results.workbook", "GET"): expect(302, 200, 200, 200),
    ("results.table_csv", "GET"): expect(302, 200, 200, 200),
    ("results.table_xlsx", "GET"): expect(302, 200, 200, 200),
    ("results.chart", "GET"): expect(302, 200, 200, 200),
    ("results.open_answers", "GET"): expect(302, 200, 200, 200),
    ("results.open_answers_csv", "GET"): expect(302, 200, 200, 200),
    # Background jobs (surveyapp/jobs/web.py): pages for the export roles; starting one, its
    # JSON and its file as the exports (`require_access("export")`). Empty form: no kind.
    ("jobs.index", "GET"): expect(302, 200, 200, 200),
    ("jobs.start", "POST"): expect(401, 422, 422, 422),
    ("jobs.show", "GET"): expect(302, 200, 200, 200),
    ("jobs.status", "GET"): expect(401, 200, 200, 200),
    ("jobs.download", "GET"): expect(401, 200, 200, 200),
    # Respondent pages (surveyapp/respondent): public, the same for every visitor; the
    # sample survey is open and the visitor has not started (303 = sent to the right page).
    ("respondent.index", "GET"): everyone(303),
    ("respondent.enter", "GET"): everyone(303),
    ("respondent.page", "GET"): everyone(200),
    ("respondent.submit", "POST"): everyone(422),
    ("respondent.ending", "GET"): everyone(303),
    ("respondent.later", "GET"): everyone(303),
    ("respondent.resume", "GET"): everyone(200),
    ("respondent.resume", "POST"): everyone(422),
    ("respondent.withdraw", "GET"): everyone(200),
    ("respondent.withdraw", "POST"): everyone(422),
    ("respondent.withdrawn", "GET"): everyone(200),
    # Personal links and unsubscribe pages: a token no contact has is a 404 for everyone
    # (the one-click unsubscribe POST is CSRF-exempt by design: RFC 8058 mail clients).
    ("respondent.personal_link", "GET"): everyone(404),
    ("respondent.unsubscribe", "GET"): everyone(404),
    ("respondent.unsubscribe", "POST"): everyone(404),
}

#: Values of URL arguments; None means "made by the `sample` fixture".
SAMPLE_ARGS: dict[str, object] = {
    "slug": "demo",
    "page_id": "p1",
    "number": 1,
    "filename": "admin.css",
    "response_id": None,
    "user_id": None,
    "token_id": None,
    "question": "q1",
    "fmt": "svg",
    "cell_id": "by_region__1",
    "token": "0000-0000-0000-0000-0000-0000-0000-0000",
    "job_id": None,
}
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _routes(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) & METHODS
    }


def test_every_route_is_in_the_matrix(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    routes = _routes(app)
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, f"routes without a row in MATRIX (add them): {missing}"
    assert not stale, f"rows of MATRIX for routes that no longer exist: {stale}"
    arguments = {arg for rule in app.url_map.iter_rules() for arg in rule.arguments}
    assert arguments <= set(SAMPLE_ARGS), f"add sample values for {arguments - set(SAMPLE_ARGS)}"


@pytest.fixture
def sample(app, demo_survey) -> dict[str, object]:
    """Database rows the sample URLs point to."""
    values = dict(SAMPLE_ARGS)
    with app.app_context():
        from surveyapp.extensions import db
        from surveyapp.models import Survey

        db.session.get(Survey, demo_survey.id).state = "open"  # respondents can enter
        db.session.commit()
    values["response_id"] = add_response(app, demo_survey, status="complete")
    values["user_id"] = quick_user(app, "target@example.org", "study")
    with app.app_context():
        from surveyapp.extensions import db
        from surveyapp.models import Survey

        values["token_id"] = tokens.create_token(
            db.session, "target@example.org", ["export"], None, 30, Actor("system", "test")
        ).token.id
        survey = db.session.get(Survey, demo_survey.id)
        job = jobs.create_job(db.session, survey, "csv", {}, Actor("system", "test"))[0]
        values["job_id"] = job.id
        assert jobs.run_job(db.session, queue.settings_for(app), job.id) == "done"
    return values


def _client(app, visitor: str):
    if visitor == "anonymous":
        return app.test_client()
    return session_client(app, quick_user(app, f"{visitor}@example.org", visitor))


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_route_answers_each_visitor_as_expected(app, sample, endpoint, method, visitor):
    client = _client(app, visitor)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        url = url_for(endpoint, **{arg: sample[arg] for arg in rule.arguments})
    if method == "GET":
        response = client.get(url)
    else:
        token = page_csrf(client, "/admin/login" if visitor == "anonymous" else "/admin/")
        response = client.open(url, method=method, data={"csrf_token": token})
    response.close()  # static files hold an open file until closed
    expected = MATRIX[(endpoint, method)][visitor]
    assert response.status_code == expected, (
        f"{method} {url} as {visitor}: {response.status_code}, expected {expected}"
    )
    if url.startswith("/admin/"):  # every admin answer, results and charts included (#16.12)
        assert response.headers.get("Cache-Control") == "no-store", (url, visitor)
