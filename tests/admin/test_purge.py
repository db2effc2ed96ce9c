"""`surveyapp purge`: retention with a frozen clock, batches, quota release, idempotence."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, QuotaClaim, Response, Survey, utcnow
from surveyapp.services import responses_admin
from surveyapp.services.audit import Actor
from tests.admin.helpers import add_response, cell_completes, claim


def _set_retention(app, slug: str, days: int | None) -> None:
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
        survey.retention_days = days
        db.session.commit()


def _remaining(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Response.id)))


def test_purge_deletes_old_keeps_young_releases_quota_and_is_idempotent(app, demo_survey):
    now = utcnow()
    _set_retention(app, "demo", 30)
    old_complete = add_response(
        app,
        demo_survey,
        status="complete",
        started_at=now - timedelta(days=41),
        completed_at=now - timedelta(days=40),
    )
    claim(app, old_complete, "by_region__2")
    old_abandoned = add_response(
        app, demo_survey, started_at=now - timedelta(days=50), updated_at=now - timedelta(days=31)
    )
    young_complete = add_response(
        app,
        demo_survey,
        status="complete",
        started_at=now - timedelta(days=60),
        completed_at=now - timedelta(days=29),
    )
    claim(app, young_complete, "by_region__2")
    young = add_response(app, demo_survey, updated_at=now - timedelta(days=1))
    assert cell_completes(app, "by_region__2") == 2
    with app.app_context():
        results = responses_admin.purge_expired(db.session, Actor("system", "test"), now=now)
    assert [(r.slug, r.deleted, r.released) for r in results] == [("demo", 2, 1)]
    assert _remaining(app) == {young_complete, young}
    assert old_complete not in _remaining(app)
    assert old_abandoned not in _remaining(app)
    assert cell_completes(app, "by_region__2") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuotaClaim)) == 1
        results = responses_admin.purge_expired(db.session, Actor("system", "test"), now=now)
        assert [r.deleted for r in results] == [0]
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "response.purge")
        ).all()
        assert len(events) == 1
        assert events[0].details["deleted"] == 2
    assert cell_completes(app, "by_region__2") == 1
    # Later, with the clock moved on, the young ones go too.
    with app.app_context():
        responses_admin.purge_expired(
            db.session, Actor("system", "test"), now=now + timedelta(days=40)
        )
    assert _remaining(app) == set()
    assert cell_completes(app, "by_region__2") == 0


def test_purge_works_in_bounded_batches(app, demo_survey):
    now = utcnow()
    _set_retention(app, "demo", 10)
    for _ in range(7):
        add_response(app, demo_survey, updated_at=now - timedelta(days=11))
    with app.app_context():
        first = responses_admin.purge_expired(
            db.session, Actor("system", "test"), now=now, batch_size=3, max_batches=2
        )
        assert first[0].deleted == 6
        second = responses_admin.purge_expired(
            db.session, Actor("system", "test"), now=now, batch_size=3
        )
        assert second[0].deleted == 1
    assert _remaining(app) == set()


def test_purge_skips_surveys_without_retention(app, demo_survey):
    add_response(app, demo_survey, updated_at=utcnow() - timedelta(days=3650))
    with app.app_context():
        assert responses_admin.purge_expired(db.session, Actor("system", "test")) == []
    assert len(_remaining(app)) == 1


def test_purge_command(app, cli, demo_survey):
    _set_retention(app, "demo", 5)
    add_response(app, demo_survey, updated_at=utcnow() - timedelta(days=6))
    add_response(app, demo_survey)
    result = cli("purge", "--batch-size", "1")
    assert result.exit_code == 0, result.output
    assert "demo: 1 response(s)" in result.output
    assert len(_remaining(app)) == 1
    again = cli("purge")
    assert "demo: 0 response(s)" in again.output
