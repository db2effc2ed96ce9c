"""The invitations page: study team and admins only, import with located problems, texts saved
checked and previewed in each language, a test mail to oneself through a real SMTP server."""

from __future__ import annotations

import io

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import InvitationContact, InvitationTemplate
from tests.admin.helpers import csrf_from
from tests.support.mail import smtp  # noqa: F401 - fixture

PAGE = "/admin/surveys/demo/invitations"


def _upload(client, text: str):
    token = csrf_from(client.get(PAGE).data)
    return client.post(
        f"{PAGE}/contacts",
        data={"csrf_token": token, "contacts": (io.BytesIO(text.encode()), "list.csv")},
        content_type="multipart/form-data",
    )


def test_only_the_study_team_and_admins_see_invitations(as_role, demo_survey):
    assert as_role("analyst").get(PAGE).status_code == 403
    assert as_role("study").get(PAGE).status_code == 200
    survey_page = as_role("admin").get("/admin/surveys/demo").get_data(as_text=True)
    assert PAGE in survey_page


def test_import_reports_every_problem_and_imports_nothing(app, as_role, demo_survey):
    client = as_role("study")
    response = _upload(client, "email,language,src\nana@example.org,fr,1\nbob,xx,9\n")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "row 3, column email" in html
    with app.app_context():
        assert db.session.scalars(select(InvitationContact)).all() == []
    ok = _upload(client, "email,language,src\nana@example.org,fr,1\nbob@example.org,en,2\n")
    assert ok.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "2 contacts added" in page
    assert "bob@example.org" in page
    assert "not mailed yet" in page


def test_a_text_is_checked_previewed_and_sent_to_oneself(app, as_role, demo_survey, smtp):  # noqa: F811
    app.config.update(SMTP_URL=smtp.url, PUBLIC_URL="https://enquete.example.org")
    client = as_role("study")
    _upload(client, "email,language,src\nana@example.org,fr,2\n")
    url = f"{PAGE}?kind=invitation&lang=fr"
    token = csrf_from(client.get(url).data)
    broken = client.post(
        f"{PAGE}/template",
        data={
            "csrf_token": token,
            "kind": "invitation",
            "language": "fr",
            "subject": "Bonjour",
            "text": "Répondez ici.",
        },
    )
    assert broken.status_code == 422
    assert "{{ link }}" in broken.get_data(as_text=True)
    saved = client.post(
        f"{PAGE}/template",
        data={
            "csrf_token": token,
            "kind": "invitation",
            "language": "fr",
            "subject": "Notre enquête {{ source }}",
            "text": "Bonjour,\n{{ link }}\nDésinscription : {{ unsubscribe_link }}",
        },
    )
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(InvitationTemplate.subject)) == "Notre enquête {{ source }}"
    page = client.get(url).get_data(as_text=True)
    assert "Notre enquête 2" in page  # previewed with the first French contact's attribute
    assert "https://enquete.example.org/s/demo/i/" in page
    sent = client.post(
        f"{PAGE}/test-mail",
        data={"csrf_token": csrf_from(page), "kind": "invitation", "language": "fr"},
    )
    assert sent.status_code == 303
    (received,) = smtp.received
    assert received.rcpt == ["study@example.org"]
    assert received.message["Subject"] == "Notre enquête 2"
    # The test mail changed nobody's participation.
    with app.app_context():
        assert db.session.scalar(select(InvitationContact.progress)) == "pending"


def test_sending_runs_as_a_job_with_progress_and_a_report(app, as_role, demo_survey, smtp):  # noqa: F811
    from surveyapp.jobs import queue
    from surveyapp.models import Job
    from surveyapp.services import jobs

    app.config.update(
        SMTP_URL=smtp.url, PUBLIC_URL="https://enquete.example.org", MAIL_PER_MINUTE=0
    )
    client = as_role("study")
    _upload(client, "email,language,src\nana@example.org,fr,2\nbob@example.org,en,1\n")
    token = csrf_from(client.get(PAGE).data)
    started = client.post(f"{PAGE}/send", data={"csrf_token": token, "kind": "invitation"})
    assert started.status_code == 303
    assert "/jobs/" in started.headers["Location"]
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert (job.kind, job.params, job.total) == ("invitations", {"kind": "invitation"}, 2)
        assert jobs.run_job(db.session, queue.settings_for(app), job.id) == "done"
    assert sorted(r.rcpt[0] for r in smtp.received) == ["ana@example.org", "bob@example.org"]
    status = client.get(started.headers["Location"] + ".json").get_json()
    assert status["state"] == "done"
    with client.get(started.headers["Location"] + "/file") as download:
        report = download.get_data(as_text=True)
    assert report.splitlines()[1].endswith(",invitation,2,2,0")
    # Nobody left to invite: refused on the page, no second job.
    again = client.post(
        f"{PAGE}/send", data={"csrf_token": csrf_from(client.get(PAGE).data), "kind": "invitation"}
    )
    assert again.status_code == 422
    assert "Nobody to mail today" in again.get_data(as_text=True)


def test_an_analyst_cannot_start_a_mailing_through_the_jobs_page(app, as_role, demo_survey):
    client = as_role("analyst")
    token = csrf_from(client.get("/admin/surveys/demo/jobs").data)
    refused = client.post(
        "/admin/surveys/demo/jobs", data={"csrf_token": token, "kind": "invitations"}
    )
    assert refused.status_code == 422
    assert client.post(f"{PAGE}/send", data={"csrf_token": token}).status_code == 403
