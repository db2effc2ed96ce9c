"""The domain enums and the database's CHECK constraints name the same values.

The constraints are read back from the database the migrations built (SQLite or PostgreSQL,
whichever the test session runs on), not from the models: a new enum member without a
migration, or a migration that changes a list without the enum, fails here.
"""

from __future__ import annotations

import re
from enum import StrEnum

import pytest
from sqlalchemy import CheckConstraint, inspect

from surveyapp import domain
from surveyapp.database import engine_for_url
from surveyapp.domain import (
    ContactProgress,
    JobState,
    MailKind,
    QuotaKind,
    ResponseStatus,
    Role,
    SurveyAccess,
    SurveyState,
)
from surveyapp.models import Base

#: (table, column) -> the enum whose values the column's CHECK constraint must list.
ENUM_CHECKS: dict[tuple[str, str], type[StrEnum]] = {
    ("users", "role"): Role,
    ("surveys", "state"): SurveyState,
    ("surveys", "access"): SurveyAccess,
    ("responses", "status"): ResponseStatus,
    ("quota_cells", "kind"): QuotaKind,
    ("jobs", "state"): JobState,
    ("invitation_waves", "kind"): MailKind,
    ("invitation_templates", "kind"): MailKind,
    ("invitation_contacts", "progress"): ContactProgress,
}

# A value list as SQLite keeps it (`role IN ('a', 'b')`) or as PostgreSQL prints it back
# (`(role)::text = ANY ((ARRAY['a'::character varying, ...])::text[])`). Constraints are
# matched by the column they constrain, not by name (their names are compared with the models'
# in tests/core/test_migrations.py).
_LIST = re.compile(r"^\(*\s*\"?(\w+)\"?\)?(?:::\w+)?\s*(?:IN\s*\(|=\s*ANY\s*\()", re.IGNORECASE)
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def _values(sqltext: str) -> set[str]:
    return {m.replace("''", "'") for m in _LITERAL.findall(sqltext)}


@pytest.fixture
def db_lists(database_url: str) -> dict[tuple[str, str], list[set[str]]]:
    """The value-list CHECK constraints of the migrated test database, per (table, column)."""
    engine = engine_for_url(database_url)
    lists: dict[tuple[str, str], list[set[str]]] = {}
    try:
        inspector = inspect(engine)
        for table in inspector.get_table_names():
            for check in inspector.get_check_constraints(table):
                match = _LIST.match(check["sqltext"].strip())
                if match:
                    key = (table, match.group(1))
                    lists.setdefault(key, []).append(_values(check["sqltext"]))
    finally:
        engine.dispose()
    return lists


@pytest.mark.db
def test_every_enum_check_in_the_database_lists_the_enum_values(db_lists):
    for key, enum in ENUM_CHECKS.items():
        assert key in db_lists, f"no value-list CHECK constraint on {key} in the database"
        assert db_lists[key] == [{m.value for m in enum}], (key, db_lists[key])


@pytest.mark.db
def test_every_value_list_check_in_the_database_has_its_enum(db_lists):
    assert set(db_lists) == set(ENUM_CHECKS)


def test_models_generate_their_checks_from_the_enums():
    declared = {
        (table.name, str(constraint.name).removeprefix(f"ck_{table.name}_")): str(
            constraint.sqltext
        )
        for table in Base.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    for (table, column), enum in ENUM_CHECKS.items():
        assert declared[table, column] == domain.check_in(column, enum)


def test_check_in_quotes_each_value():
    assert domain.check_in("kind", QuotaKind) == "kind IN ('hard', 'soft')"


def test_members_compare_equal_to_the_stored_strings():
    assert ResponseStatus.COMPLETE == "complete"
    assert "gte" in {domain.Op.GTE}
    assert f"{Role.ADMIN}" == "admin"
