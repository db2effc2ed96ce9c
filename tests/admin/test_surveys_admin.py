"""Survey lifecycle in the admin UI: upload, versions, state, dates, retention, audit."""

from __future__ import annotations

import io

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Survey, SurveyVersion
from tests.admin.helpers import FIXTURES, csrf_from

DEMO = (FIXTURES / "demo.yaml").read_text()


def _upload(client, text: str, name: str = "demo.yaml"):
    token = csrf_from(client.get("/admin/surveys/upload").data)
    return client.post(
        "/admin/surveys/upload",
        data={"csrf_token": token, "schema": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def _survey(app, slug="demo") -> Survey:
    with app.app_context():
        return db.session.scalar(select(Survey).where(Survey.slug == slug))


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_upload_creates_then_versions_a_survey(app, as_role):
    client = as_role("study")
    response = _upload(client, DEMO)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/surveys/demo"
    assert _upload(client, DEMO).status_code == 303  # same file: nothing new
    changed = DEMO.replace('version: "1"', 'version: "2"')
    assert _upload(client, changed).status_code == 303
    with app.app_context():
        numbers = db.session.scalars(
            select(SurveyVersion.number).order_by(SurveyVersion.number)
        ).all()
        assert numbers == [1, 2]
    page = client.get("/admin/surveys/demo").get_data(as_text=True)
    assert "schema.yaml" in page
    assert _actions(app).count("survey.load") == 2


def test_broken_schema_lists_every_located_problem(app, as_role):
    client = as_role("study")
    broken = DEMO.replace("options: yesno", "options: nosuchlist").replace(
        "{q: q1, eq: 2}", "{q: nosuchquestion, eq: 2}"
    )
    response = _upload(client, broken)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "nosuchlist" in html
    assert "nosuchquestion" in html
    assert html.count('<tr class="severity-') >= 2
    assert _survey(app) is None


def test_upload_refuses_non_yaml_and_non_utf8(as_role):
    client = as_role("admin")
    assert _upload(client, DEMO, "demo.txt").status_code == 422
    token = csrf_from(client.get("/admin/surveys/upload").data)
    response = client.post(
        "/admin/surveys/upload",
        data={"csrf_token": token, "schema": (io.BytesIO(b"\xff\xfe\x00bad"), "x.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422


def test_open_close_dates_and_retention_are_saved_and_audited(app, as_role, demo_survey):
    client = as_role("study")

    def post(path, data):
        token = csrf_from(client.get("/admin/surveys/demo").data)
        return client.post(path, data={"csrf_token": token, **data})

    assert post("/admin/surveys/demo/state", {"state": "open"}).status_code == 303
    assert _survey(app).state == "open"
    assert post("/admin/surveys/demo/state", {"state": "closed"}).status_code == 303
    assert _survey(app).state == "closed"
    assert post("/admin/surveys/demo/state", {"state": "bogus"}).status_code == 422
    response = post(
        "/admin/surveys/demo/window",
        {"opens_at": "2026-03-01T09:00", "closes_at": "2026-03-31T18:00"},
    )
    assert response.status_code == 303
    survey = _survey(app)
    assert survey.opens_at.isoformat().startswith("2026-03-01T09:00")
    assert (
        post(
            "/admin/surveys/demo/window",
            {"opens_at": "2026-03-31T09:00", "closes_at": "2026-03-01T18:00"},
        ).status_code
        == 422
    )
    assert post("/admin/surveys/demo/retention", {"retention_days": "180"}).status_code == 303
    assert _survey(app).retention_days == 180
    assert post("/admin/surveys/demo/retention", {"retention_days": "0"}).status_code == 422
    assert post("/admin/surveys/demo/retention", {"retention_days": ""}).status_code == 303
    assert _survey(app).retention_days is None
    actions = _actions(app)
    for action in ("survey.open", "survey.closed", "survey.window", "survey.retention"):
        assert action in actions


def test_analyst_sees_surveys_but_cannot_change_them(app, as_role, demo_survey):
    client = as_role("analyst")
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/surveys/demo")
    assert page.status_code == 200
    assert "/admin/surveys/demo/state" not in page.get_data(as_text=True)
    token = csrf_from(page.data)
    for path in (
        "/admin/surveys/demo/state",
        "/admin/surveys/demo/window",
        "/admin/surveys/demo/retention",
        "/admin/surveys/upload",
    ):
        assert client.post(path, data={"csrf_token": token, "state": "open"}).status_code == 403
    assert _survey(app).state == "draft"


def test_schema_download(as_role, demo_survey):
    response = as_role("study").get("/admin/surveys/demo/versions/1/schema.yaml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="demo-v1.yaml"'
    assert response.get_data(as_text=True) == DEMO
    assert as_role("study").get("/admin/surveys/demo/versions/9/schema.yaml").status_code == 404


def test_index_lists_surveys_with_counts(app, as_role, demo_survey):
    from tests.admin.helpers import add_response

    add_response(app, demo_survey, status="complete")
    add_response(app, demo_survey, status="complete", is_test=True)
    add_response(app, demo_survey)
    html = as_role("analyst").get("/admin/").get_data(as_text=True)
    assert "demo" in html
    row = html.split('href="/admin/surveys/demo"')[1].split("</tr>")[0]
    numbers = [c.rsplit(">", 1)[-1] for c in row.split("</td>") if 'class="num"' in c]
    assert numbers == ["2", "1", "1", "0", "0"]  # started, in progress, complete, so, qf
