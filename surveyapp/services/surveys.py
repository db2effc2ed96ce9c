"""Loading schema files as survey versions, compiling them once, and the survey lifecycle."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from surveyapp.caching import LRUCache
from surveyapp.domain import SurveyAccess, SurveyState
from surveyapp.engine import Placeholder, SchemaError, load_survey, unfilled_placeholders
from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.models import QuotaCell, Survey, SurveyVersion, utcnow
from surveyapp.services.audit import Actor, record
from surveyapp.services.transaction import transactional

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "surveys"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What loading a schema did."""

    survey: Survey
    version: SurveyVersion
    created_survey: bool
    created_version: bool


#: Compiled schemas by their YAML text's SHA-256.
_COMPILED: LRUCache[str, CompiledSurvey] = LRUCache(64)


def compiled(version: SurveyVersion) -> CompiledSurvey:
    """The compiled schema of a stored version, cached per process by the schema's SHA-256.

    The YAML text (a deferred column) is read from the database only on a cache miss.
    """
    return _COMPILED.get_or_create(
        version.sha256,
        lambda: load_survey(version.source, source=f"version {version.sha256[:12]}"),
    )


def compiled_by_sha(session: Session, version_id: int, sha256: str | None) -> CompiledSurvey:
    """The compiled schema of version `version_id`, whose SHA-256 the caller read with it:
    from the cache without reading the version's row, else as `compiled`."""
    schema = _COMPILED.get(sha256) if sha256 else None
    if schema is not None:
        return schema
    version = session.get(SurveyVersion, version_id)
    if version is None:
        raise LookupError(f"survey version {version_id} not found")
    return compiled(version)


@transactional
def load_schema_text(session: Session, text: str, source_name: str, actor: Actor) -> LoadResult:
    """Validate a schema and store it as the survey's newest version. Commits.

    Raises `surveyapp.engine.SchemaError` (nothing stored) when the schema fails the check.
    Loading the same text again changes nothing.
    """
    schema = load_survey(text, source=source_name)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    survey = session.scalar(select(Survey).where(Survey.slug == schema.id))
    created_survey = survey is None
    if survey is None:
        survey = Survey(slug=schema.id)
        session.add(survey)
        session.flush()
    version = session.scalar(
        select(SurveyVersion).where(
            SurveyVersion.survey_id == survey.id, SurveyVersion.sha256 == digest
        )
    )
    created_version = version is None
    if version is None:
        number = (
            session.scalar(
                select(func.max(SurveyVersion.number)).where(SurveyVersion.survey_id == survey.id)
            )
            or 0
        ) + 1
        version = SurveyVersion(
            survey_id=survey.id, number=number, label=schema.version, source=text, sha256=digest
        )
        session.add(version)
        session.flush()
        survey.current_version_id = version.id
        _sync_quota_cells(session, survey, schema)
        record(
            session,
            actor,
            "survey.load",
            survey_id=survey.id,
            target=survey.slug,
            details={"version": number, "label": schema.version, "sha256": digest},
        )
    return LoadResult(survey, version, created_survey, created_version)


def load_schema_file(session: Session, path: Path, actor: Actor) -> LoadResult:
    """Load a schema file (see `load_schema_text`)."""
    return load_schema_text(session, Path(path).read_text(encoding="utf-8"), str(path), actor)


def _sync_quota_cells(session: Session, survey: Survey, schema: CompiledSurvey) -> None:
    """Create the cells a new version declares; existing cells keep their (maybe edited) targets.

    One INSERT … ON CONFLICT (survey_id, cell_id) DO NOTHING (SQLite and PostgreSQL): a cell
    already there, whoever made it, is kept as it is instead of failing the whole load."""
    rows = [
        {
            "survey_id": survey.id,
            "quota_id": quota.id,
            "cell_id": cell.id,
            "kind": quota.kind,
            "target": cell.target,
        }
        for quota in schema.quotas
        for cell in quota.cells
    ]
    if not rows:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(QuotaCell).on_conflict_do_nothing(index_elements=["survey_id", "cell_id"])
    session.execute(statement, rows)


def load_bundled(session: Session, actor: Actor) -> list[LoadResult]:
    """Load every questionnaire shipped in the package that is not in the database yet."""
    results = []
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        results.append(load_schema_file(session, path, actor))
    return results


def list_surveys(session: Session) -> list[Survey]:
    """Every survey, by slug, with its current version (one more statement, not one per survey)."""
    return list(
        session.scalars(
            select(Survey).options(selectinload(Survey.current_version)).order_by(Survey.slug)
        )
    )


def get_survey(session: Session, slug: str) -> Survey | None:
    """The survey with this slug, or None."""
    return session.scalar(select(Survey).where(Survey.slug == slug))


ACCESS_MODES = tuple(mode.value for mode in SurveyAccess)


@transactional
def set_access(session: Session, survey: Survey, access: str, actor: Actor) -> Survey:
    """Open link for anyone, or invitation only (test mode still works). Commits."""
    if access not in ACCESS_MODES:
        raise ValueError(f"unknown access mode {access!r}")
    previous = survey.access
    survey.access = access
    record(
        session,
        actor,
        "survey.access",
        survey_id=survey.id,
        target=survey.slug,
        details={"from": previous, "to": access},
    )
    return survey


class PlaceholdersLeft(Exception):
    """Opening fieldwork was not confirmed while texts still hold placeholders."""

    def __init__(self, placeholders: tuple[Placeholder, ...]) -> None:
        super().__init__(", ".join(sorted({p.text for p in placeholders})))
        self.placeholders = placeholders


def placeholders(survey: Survey) -> tuple[Placeholder, ...]:
    """The bracketed placeholders (`[CONTACT ADDRESS]`) left in the current version's texts."""
    if survey.current_version is None:
        return ()
    try:
        return unfilled_placeholders(compiled(survey.current_version))
    except SchemaError:  # a stored version that no longer loads: other pages say so
        return ()


@transactional
def set_state(
    session: Session,
    survey: Survey,
    state: str,
    actor: Actor,
    *,
    refuse_placeholders: bool = False,
) -> Survey:
    """Open, close or reopen fieldwork. Commits.

    Opening a survey whose texts still hold placeholders (spec §10.2.4) raises
    `PlaceholdersLeft`, changing nothing, when `refuse_placeholders` (the admin's first step,
    before the study team confirms); otherwise it opens and the audit record lists them.
    """
    if state not in set(SurveyState):
        raise ValueError(f"unknown survey state {state!r}")
    previous = survey.state
    left = placeholders(survey) if state == "open" and previous != "open" else ()
    if left and refuse_placeholders:
        raise PlaceholdersLeft(left)
    details: dict[str, Any] = {"from": previous, "at": utcnow().isoformat()}
    if left:
        details["placeholders"] = sorted({p.text for p in left})
    survey.state = state
    record(
        session,
        actor,
        f"survey.{state}",
        survey_id=survey.id,
        target=survey.slug,
        details=details,
    )
    return survey
