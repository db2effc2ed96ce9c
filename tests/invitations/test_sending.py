"""Sending through a real SMTP server: rate, headers, languages, refusals, reminders, bounces."""

from __future__ import annotations

import time
from datetime import date, timedelta

from sqlalchemy import delete, select, update

from surveyapp.models import EmailSuppression, InvitationContact, InvitationWave
from surveyapp.services.invitations import links


def _contacts_csv(tmp_path, count, start=0):
    rows = ["email,language,src"]
    for i in range(start, start + count):
        rows.append(f"person{i}@example.org,{'fr' if i % 2 == 0 else 'en'},{1 + i % 2}")
    path = tmp_path / f"contacts{start}.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_200_invitations_at_the_configured_rate_with_headers_and_language(
    mail_app, runner, session, demo, smtp, tmp_path
):
    mail_app.config["MAIL_PER_MINUTE"] = 6000  # 100 a second: 200 mails take at least ~2 s
    imported = runner.invoke(args=["invite", "import", demo, str(_contacts_csv(tmp_path, 200))])
    assert imported.exit_code == 0
    dry = runner.invoke(args=["invite", "send", demo, "--dry-run"])
    assert "200 invitation(s) would be sent" in dry.output
    assert smtp.received == []
    started = time.monotonic()
    result = runner.invoke(args=["invite", "send", demo])
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert "200 sent, 0 refused" in result.output
    assert len(smtp.received) == 200
    assert elapsed >= 199 / 100
    arrivals = [r.at for r in smtp.received]
    # Never faster than the rate over any 50 consecutive mails.
    assert min(b - a for a, b in zip(arrivals[:-50], arrivals[50:], strict=True)) >= 49 / 100 - 0.05
    contacts = {c.email: c for c in session.scalars(select(InvitationContact))}
    secret = mail_app.config["SECRET_KEY"].encode()
    for received in smtp.received:
        msg = received.message
        (address,) = received.rcpt
        contact = contacts[address]
        token = links.link_token(contact.link_key, secret)
        assert msg["To"] == address
        assert msg["List-Unsubscribe"].strip() == f"<https://enquete.example.org/u/{token}>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["Content-Language"] == contact.language
        body = msg.get_body(("plain",)).get_content()
        assert f"https://enquete.example.org/s/demo/i/{token}" in body
        if contact.language == "fr":
            assert msg["Subject"] == "Invitation à répondre : Démo"
            assert "Votre lien personnel" in body
        else:
            assert msg["Subject"] == "Survey invitation: Demo"
            assert "Your personal link" in body
    assert {c.progress for c in contacts.values()} == {"sent"}
    # Sending again sends nothing: every contact was invited.
    again = runner.invoke(args=["invite", "send", demo])
    assert again.exit_code == 1
    assert "no contact to send an invitation to today" in again.output
    assert len(smtp.received) == 200


def test_smtp_refusal_marks_the_contact_bounced(mail_app, runner, session, demo, smtp, tmp_path):
    smtp.refuse.add("person1@example.org")
    runner.invoke(args=["invite", "import", demo, str(_contacts_csv(tmp_path, 3))])
    result = runner.invoke(args=["invite", "send", demo])
    assert "2 sent, 1 refused" in result.output
    bounced = session.scalar(
        select(InvitationContact).where(InvitationContact.email == "person1@example.org")
    )
    assert bounced.bounced
    assert bounced.last_error.startswith("550")
    wave = session.scalar(select(InvitationWave))
    assert (wave.recipients, wave.sent, wave.failed) == (3, 2, 1)


def _age_last_mail(app, days):
    from surveyapp.extensions import db

    with app.app_context():
        db.session.execute(
            update(InvitationContact).values(last_sent_on=date.today() - timedelta(days=days))
        )
        db.session.commit()


def test_reminders_go_only_to_those_not_finished_and_never_twice_in_the_interval(
    mail_app, runner, session, demo, smtp, tmp_path
):
    runner.invoke(args=["invite", "import", demo, str(_contacts_csv(tmp_path, 6))])
    runner.invoke(args=["invite", "send", demo])
    assert len(smtp.received) == 6
    # Too early: the interval (3 days) has not passed.
    early = runner.invoke(args=["invite", "send", demo, "--reminder"])
    assert "no contact to send an reminder to today" in early.output
    # person0 completed, person1 unsubscribed, person2 bounced, person3 only opened.
    session.execute(
        update(InvitationContact)
        .where(InvitationContact.email == "person0@example.org")
        .values(progress="completed")
    )
    session.execute(
        update(InvitationContact)
        .where(InvitationContact.email == "person1@example.org")
        .values(unsubscribed=True)
    )
    session.execute(
        update(InvitationContact)
        .where(InvitationContact.email == "person2@example.org")
        .values(bounced=True)
    )
    session.execute(
        update(InvitationContact)
        .where(InvitationContact.email == "person3@example.org")
        .values(progress="started")
    )
    session.commit()
    _age_last_mail(mail_app, 3)
    smtp.received.clear()
    result = runner.invoke(args=["invite", "send", demo, "--reminder"])
    assert result.exit_code == 0, result.output
    reminded = sorted(r.rcpt[0] for r in smtp.received)
    assert reminded == ["person3@example.org", "person4@example.org", "person5@example.org"]
    fr = next(r for r in smtp.received if r.rcpt == ["person4@example.org"]).message
    assert fr["Subject"] == "Rappel : Démo"
    # The same day again: nobody.
    smtp.received.clear()
    again = runner.invoke(args=["invite", "send", demo, "--reminder"])
    assert again.exit_code == 1
    assert smtp.received == []


DSN = b"""From: MAILER-DAEMON@example.org
To: etude@example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; Person4@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

Final-Recipient: rfc822; person5@example.org
Action: delayed
Status: 4.4.1

--B--
"""


def test_a_bounce_message_stops_further_mail(mail_app, runner, session, demo, smtp, tmp_path):
    runner.invoke(args=["invite", "import", demo, str(_contacts_csv(tmp_path, 6))])
    runner.invoke(args=["invite", "send", demo])
    dsn = tmp_path / "bounce.eml"
    dsn.write_bytes(DSN)
    result = runner.invoke(args=["invite", "bounces", str(dsn)])
    assert result.exit_code == 0, result.output
    assert "bounced: person4@example.org" in result.output
    assert "1 contact address(es) marked" in result.output
    _age_last_mail(mail_app, 5)
    smtp.received.clear()
    runner.invoke(args=["invite", "send", demo, "--reminder"])
    reminded = sorted(r.rcpt[0] for r in smtp.received)
    assert "person4@example.org" not in reminded
    assert "person5@example.org" in reminded  # a delay is not a bounce


def test_unsubscribed_addresses_are_suppressed_in_every_survey(
    mail_app, runner, session, demo, smtp, tmp_path
):
    from surveyapp.services.invitations import participation

    runner.invoke(args=["invite", "import", demo, str(_contacts_csv(tmp_path, 2))])
    contact = session.scalar(
        select(InvitationContact).where(InvitationContact.email == "person0@example.org")
    )
    token = links.link_token(contact.link_key, mail_app.config["SECRET_KEY"].encode())
    assert participation.unsubscribe(session, token) is not None
    assert session.scalars(select(EmailSuppression)).all()
    runner.invoke(args=["invite", "send", demo])
    assert [r.rcpt for r in smtp.received] == [["person1@example.org"]]
    # A new list with the same address (another survey or a re-import) stays suppressed.
    session.execute(delete(InvitationContact))
    session.commit()
    session.expunge_all()
    result = runner.invoke(args=["invite", "import", demo, str(_contacts_csv(tmp_path, 1))])
    assert "1 on the unsubscribe list (never mailed)" in result.output


def test_sending_needs_a_configured_server(app, runner, session, demo, tmp_path):
    runner.invoke(args=["invite", "import", demo, str(_contacts_csv(tmp_path, 1))])
    result = runner.invoke(args=["invite", "send", demo])
    assert result.exit_code == 1
    assert "SURVEYAPP_SMTP_URL is not set" in result.output
