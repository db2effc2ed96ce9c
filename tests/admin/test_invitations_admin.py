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
