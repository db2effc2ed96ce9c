"""Personal links answered over HTTP: one response per link, resumable, attributes carried,
participation recorded, one-click unsubscribe, and no key shared with the response data."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import InvitationContact, Response
from surveyapp.services.invitations import links
from tests.respondent.helpers import Respondent

SCRIPT = {"q1": "1", "region": "2", "q2": ["1"], "q3": "Parce que."}


# These tests drive several test clients: no app context stays pushed across their requests
# (a shared one would share `g`, and with it Flask-WTF's per-request CSRF cache).
def _invite(app, tmp_path, slug, rows):
    path = tmp_path / "c.csv"
    path.write_text("email,language,src\n" + "\n".join(rows) + "\n")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["invite", "import", slug, str(path)])
    assert result.exit_code == 0, result.output


def _query(app, statement):
    with app.app_context():
        return db.session.execute(statement).all()


def _link(app, email):
    ((key,),) = _query(
        app, select(InvitationContact.link_key).where(InvitationContact.email == email)
    )
    token = links.link_token(key, app.config["SECRET_KEY"].encode())
    return f"/s/demo/i/{token}", token


def _progress(app, email):
    ((progress,),) = _query(
        app, select(InvitationContact.progress).where(InvitationContact.email == email)
    )
    return progress


def test_a_personal_link_opens_one_resumable_response_with_its_attributes(
    app, client, demo, tmp_path
):
    _invite(app, tmp_path, demo, ["ana@example.org,en,2"])
    link, _token = _link(app, "ana@example.org")
    respondent = Respondent(client, slug=demo)
    respondent.get(link)
    assert respondent.page_id == "p1"
    assert 'lang="en"' in respondent.html
    assert _progress(app, "ana@example.org") == "opened"
    respondent.answer(SCRIPT)
    assert _progress(app, "ana@example.org") == "started"
    ((params,),) = _query(app, select(Response.params))
    assert params == {"source": "2"}  # the contact's attribute, not a URL value
    # The same link in another browser resumes the same response (no second one).
    other = Respondent(app.test_client(), slug=demo)
    other.get(link)
    assert other.page_id == "p2"
    for _ in range(5):
        if other.page_id is None:
            break
        other.answer(SCRIPT)
    assert _query(app, select(Response.status)) == [("complete",)]
    assert _progress(app, "ana@example.org") == "completed"


def test_a_wrong_or_foreign_link_is_a_404(app, client, demo, tmp_path):
    _invite(app, tmp_path, demo, ["ana@example.org,fr,1"])
    assert client.get("/s/demo/i/0000-0000-0000-0000-0000-0000-0000-0000").status_code == 404
    assert client.get("/s/demo/i/not-a-token").status_code == 404
    _link_url, token = _link(app, "ana@example.org")
    assert client.get(f"/s/barometre-2015/i/{token}").status_code == 404
    assert client.get("/u/0000000000000000000000000000000A").status_code == 404


def test_one_click_unsubscribe_in_the_contacts_language(app, client, demo, tmp_path):
    _invite(app, tmp_path, demo, ["ana@example.org,fr,1"])
    _link_url, token = _link(app, "ana@example.org")
    page = client.get(f"/u/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="fr"' in html
    assert "Se désinscrire" in html
    assert _progress(app, "ana@example.org") == "pending"  # a GET changes nothing
    # What a mail client sends (RFC 8058): a POST without any CSRF token.
    done = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 303
    assert done.headers["Location"] == f"/u/{token}"
    confirmation = client.get(f"/u/{token}").get_data(as_text=True)
    assert "Vous êtes désinscrit" in confirmation
    assert "Se désinscrire" not in confirmation
    assert _query(app, select(InvitationContact.unsubscribed)) == [(True,)]


def test_the_export_and_the_participation_table_share_no_key(app, demo, tmp_path):
    _invite(app, tmp_path, demo, [f"p{i}@example.org,fr,{1 + i % 2}" for i in range(4)])
    for i in range(3):
        link, _ = _link(app, f"p{i}@example.org")
        Respondent(app.test_client(), slug=demo).get(link)
        respondent = Respondent(app.test_client(), slug=demo)
        respondent.get(link)
        for _ in range(5):
            if respondent.page_id is None:
                break
            respondent.answer(SCRIPT)
    with app.app_context():
        export = app.test_cli_runner().invoke(args=["export", demo, "--format", "csv"])
    assert export.exit_code == 0, export.output
    exported = list(csv.reader(io.StringIO(export.output.lstrip("\ufeff"))))
    cells = {cell for row in exported[1:] for cell in row if cell}
    # Every value of the participation record but its own row counters and the attribute
    # codes (the same codes as the exported parameter, by design): none is in the export.
    c = InvitationContact
    kept = [c.email, c.link_key, c.token_hash, c.last_sent_on, c.last_error]
    participation = _query(app, select(*kept))
    contact_values = {str(v) for row in participation for v in row if v not in (None, "")}
    assert contact_values
    assert not (cells & contact_values), cells & contact_values
    header = " ".join(exported[0]).lower()
    assert "invit" not in header
    assert "contact" not in header
    # No timestamp column at all in the participation record; sending days only.
    columns = set(InvitationContact.__table__.columns.keys())
    assert not {c for c in columns if c.endswith("_at")}
    response_values = {str(v) for row in _query(app, select(Response.__table__)) for v in row}
    hashes = {h for (h,) in _query(app, select(InvitationContact.token_hash))}
    assert not (response_values & hashes)


def test_an_invitation_only_survey_takes_personal_links_and_refuses_open_ones(app, demo, tmp_path):
    from surveyapp.models import Survey
    from surveyapp.services import surveys
    from surveyapp.services.audit import Actor

    _invite(app, tmp_path, demo, ["ana@example.org,fr,1"])
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == demo))
        surveys.set_access(db.session, survey, "invitation", Actor.cli())
    assert app.test_client().get("/s/demo/", follow_redirects=True).status_code == 404
    link, _ = _link(app, "ana@example.org")
    respondent = Respondent(app.test_client(), slug=demo)
    respondent.get(link)
    assert respondent.status == 200
    assert respondent.page_id == "p1"
    respondent.answer(SCRIPT)
    assert _query(app, select(Response.status)) == [("in_progress",)]


def test_personal_links_are_not_held_by_the_per_client_start_limit(app, demo, tmp_path):
    app.config["RESPONDENT_START_LIMIT"] = "1 per hour"
    _invite(app, tmp_path, demo, [f"p{i}@example.org,fr,1" for i in range(3)])
    for i in range(3):  # three colleagues behind one office address
        link, _ = _link(app, f"p{i}@example.org")
        respondent = Respondent(app.test_client(), slug=demo)
        respondent.get(link)
        respondent.answer(SCRIPT)
    assert len(_query(app, select(Response.id))) == 3
    # Open links from the same address are still limited: one start, then 429.
    first, second = (Respondent(app.test_client(), slug=demo) for _ in range(2))
    first.start()
    assert first.post(first.form_for(SCRIPT)).status_code == 303
    second.start()
    assert second.post(second.form_for(SCRIPT)).status_code == 429
