"""A wave end to end: invitations mailed, some contacts answer through their links over HTTP,
the reminder reaches exactly the others; purge removes the lists past the retention."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select, update

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Contact, InvitationContact, Response, Survey, utcnow
from tests.respondent.helpers import Respondent

SCRIPT = {"q1": "1", "region": "2", "q2": ["1"], "q3": "Parce que."}
LINK = re.compile(r"https://enquete\.example\.org(/s/demo/i/[0-9A-Z]+)")


def _cli(app, *args):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_reminder_reaches_exactly_those_who_did_not_finish(mail_app, demo, smtp, tmp_path):
    app = mail_app
    path = tmp_path / "c.csv"
    path.write_text("email,language\n" + "".join(f"p{i}@example.org,fr\n" for i in range(6)))
    _cli(app, "invite", "import", demo, str(path))
    _cli(app, "invite", "send", demo)
    links = {
        r.rcpt[0]: LINK.search(r.message.get_body(("plain",)).get_content())[1]
        for r in smtp.received
    }
    assert len(links) == 6
    # p0 and p1 finish through their link, p2 only starts, p3 only opens it.
    for address in ("p0@example.org", "p1@example.org"):
        respondent = Respondent(app.test_client(), slug=demo)
        respondent.get(links[address])
        for _ in range(5):
            if respondent.page_id is None:
                break
            respondent.answer(SCRIPT)
    starter = Respondent(app.test_client(), slug=demo)
    starter.get(links["p2@example.org"])
    starter.answer(SCRIPT)
    Respondent(app.test_client(), slug=demo).get(links["p3@example.org"])
    with app.app_context():
        progress = dict(
            db.session.execute(select(InvitationContact.email, InvitationContact.progress)).all()
        )
        assert db.session.scalar(select(func.count()).select_from(Response)) == 3
        db.session.execute(
            update(InvitationContact).values(last_sent_on=date.today() - timedelta(days=3))
        )
        db.session.commit()
    assert progress == {
        "p0@example.org": "completed",
        "p1@example.org": "completed",
        "p2@example.org": "started",
        "p3@example.org": "opened",
        "p4@example.org": "sent",
        "p5@example.org": "sent",
    }
    smtp.received.clear()
    _cli(app, "invite", "send", demo, "--reminder")
    reminded = sorted(r.rcpt[0] for r in smtp.received)
    assert reminded == ["p2@example.org", "p3@example.org", "p4@example.org", "p5@example.org"]
    # The reminder carries the same personal link: p2 continues where they stopped.
    body = smtp.to("p2@example.org")[0].message.get_body(("plain",)).get_content()
    assert LINK.search(body)[1] == links["p2@example.org"]


def test_purge_deletes_contact_lists_once_fieldwork_ended_past_retention(mail_app, demo, tmp_path):
    app = mail_app
    path = tmp_path / "c.csv"
    path.write_text("email\nana@example.org\n")
    _cli(app, "invite", "import", demo, str(path))
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == demo))
        db.session.add(Contact(survey_id=survey.id, email="left@example.org", requests={}))
        survey.retention_days = 30
        db.session.commit()
    # Still in fieldwork: nothing is deleted.
    assert "contact(s)" not in _cli(app, "purge")
    _cli(app, "survey", "close", demo)
    assert "contact(s)" not in _cli(app, "purge")  # closed today: within the retention
    with app.app_context():
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.action == "survey.closed")
            .values(at=utcnow() - timedelta(days=31))
        )
        db.session.commit()
    output = _cli(app, "purge")
    assert "1 invited contact(s) and 1 address(es) left at the end of the survey deleted" in output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InvitationContact)) == 0
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
