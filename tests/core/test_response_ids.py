"""Ids named in audit lines are never handed out twice (issue #16 point 10)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from surveyapp.extensions import db
from surveyapp.models import ApiToken, QuotaCell, QuotaClaim, Response, Survey, SurveyVersion, User
from surveyapp.services import migrations, responses_admin
from surveyapp.services.audit import Actor
from tests.core.test_migrations import scratch_engine  # noqa: F401 - a fixture
from tests.respondent.helpers import FRENCH_USER, Respondent, open_barometer


def _start(app) -> int:
    r = Respondent(app.test_client(), headers={"Accept-Language": "fr"})
    r.start()
    r.answer(FRENCH_USER)
    with app.app_context():
        return db.session.scalar(select(Response.id).order_by(Response.id.desc()).limit(1))


def test_a_new_response_never_gets_the_id_of_a_deleted_one(app):
    survey = open_barometer(app)
    first = _start(app)
    newest = _start(app)
    assert newest > first
    with app.app_context():
        survey = db.session.get(Survey, survey.id)
        responses_admin.delete_response(db.session, survey, newest, Actor("user", "t@x.org"))
    again = _start(app)
    assert again > newest


NOW = datetime(2026, 12, 1, tzinfo=UTC)
RESPONSE = {
    "language": "fr",
    "page_history": [],
    "answers": {},
    "params": {},
    "seed": "1",
    "started_at": NOW,
    "updated_at": NOW,
}


def _add(conn, table, **values) -> int:
    return conn.execute(insert(table).values(**values)).inserted_primary_key[0]


def _fill_before_0006(conn) -> dict[str, int]:
    """Two responses holding quota slots, a user and an API token, as revision 0005 knew them."""
    conn.execute(
        text("INSERT INTO surveys (slug, state, created_at) VALUES ('s', 'open', :at)"), {"at": NOW}
    )
    survey = conn.execute(text("SELECT id FROM surveys")).scalar()
    version = _add(
        conn,
        SurveyVersion.__table__,
        survey_id=survey,
        number=1,
        label="1",
        source="{}",
        sha256="0" * 64,
        created_at=NOW,
    )
    ids = {"survey": survey, "version": version}
    for n in (1, 2):
        ids[f"r{n}"] = _add(
            conn,
            Response.__table__,
            survey_id=survey,
            version_id=version,
            token_hash=f"{n:064d}",
            status="complete",
            ending_id="end",
            completed_at=NOW,
            **RESPONSE,
        )
    ids["cell"] = _add(
        conn,
        QuotaCell.__table__,
        survey_id=survey,
        quota_id="q",
        cell_id="c",
        kind="hard",
        target=5,
        completes=2,
        updated_at=NOW,
    )
    for n in (1, 2):
        conn.execute(
            insert(QuotaClaim.__table__).values(
                response_id=ids[f"r{n}"], cell_id=ids["cell"], claimed_at=NOW
            )
        )
    ids["user"] = _add(
        conn, User.__table__, email="a@x.org", role="admin", password_hash="x", created_at=NOW
    )
    ids["token"] = _add(
        conn,
        ApiToken.__table__,
        user_id=ids["user"],
        prefix="p",
        token_hash="1" * 64,
        scopes=[],
        meta={},
        created_at=NOW,
    )
    return ids


def test_the_migration_keeps_every_row_and_stops_id_reuse(scratch_engine):  # noqa: F811
    migrations.upgrade(scratch_engine, "0005")
    with scratch_engine.begin() as conn:
        ids = _fill_before_0006(conn)
    migrations.upgrade(scratch_engine, "0006")
    r1, r2, cell = ids["r1"], ids["r2"], ids["cell"]
    with scratch_engine.begin() as conn:
        claims = conn.execute(text("SELECT response_id, cell_id FROM quota_claims")).all()
        assert sorted(claims) == [(r1, cell), (r2, cell)]
        assert conn.execute(text("SELECT count(*) FROM responses")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 1
        conn.execute(text("DELETE FROM responses WHERE id = :id"), {"id": r2})
        conn.execute(text("DELETE FROM api_tokens WHERE id = :id"), {"id": ids["token"]})
        new_id = _add(
            conn,
            Response.__table__,
            survey_id=ids["survey"],
            version_id=ids["version"],
            token_hash="9" * 64,
            **RESPONSE,
        )
        token = _add(
            conn,
            ApiToken.__table__,
            user_id=ids["user"],
            prefix="q",
            token_hash="2" * 64,
            scopes=[],
            meta={},
            created_at=NOW,
        )
    assert new_id > r2
    assert token > ids["token"]
    migrations.downgrade(scratch_engine, "0005")
    with scratch_engine.connect() as conn:
        claims = conn.execute(text("SELECT response_id, cell_id FROM quota_claims")).all()
    assert claims == [(r1, cell)]
