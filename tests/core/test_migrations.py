"""Migrations: empty -> head -> base on the test backend, and no drift from the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect

from surveyapp.extensions import db
from surveyapp.models import Base
from surveyapp.services import migrations


def test_models_and_migrations_do_not_drift(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_head_is_applied(app):
    with app.app_context():
        assert migrations.current_revision(db.engine) == migrations.head_revision()


@pytest.fixture
def scratch_engine(database_url, tmp_path):
    """An empty database of the same backend as the test database."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from surveyapp.database import engine_for_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = engine_for_url(f"sqlite:///{tmp_path / 'scratch.db'}")
        yield engine
        engine.dispose()
        return
    name = f"{url.database}_scratch"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = engine_for_url(url.set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.dispose()


def test_upgrade_from_empty_then_downgrade_to_base(scratch_engine):
    migrations.upgrade(scratch_engine)
    tables = set(inspect(scratch_engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    migrations.downgrade(scratch_engine, "base")
    assert set(inspect(scratch_engine).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(scratch_engine)
    assert migrations.current_revision(scratch_engine) == migrations.head_revision()


def test_migrated_check_constraints_have_the_models_names(app):
    """Alembic's autogenerate does not compare CHECK constraints: compare their names here
    (migration 0006 once left `ck_surveys_ck_surveys_access` on PostgreSQL; 0010 renames it)."""
    with app.app_context():
        inspector = inspect(db.engine)
        migrated = {
            (table, check["name"])
            for table in inspector.get_table_names()
            if table != "alembic_version"
            for check in inspector.get_check_constraints(table)
        }
    declared = {
        (table.name, str(constraint.name))
        for table in Base.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    assert migrated == declared
