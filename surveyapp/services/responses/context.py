"""One request's survey and response (`ResponseContext`), and what follows from them:
whether answers are accepted, the language shown, where the respondent is, the page to show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from surveyapp.domain import QuotaKind
from surveyapp.engine import Survey as Schema
from surveyapp.engine import flow
from surveyapp.models import QuotaCell, Response, Survey, SurveyVersion, table_of, utcnow
from surveyapp.services import surveys
from surveyapp.services.responses.codes import secret_hash
from surveyapp.services.responses.contract import (
    ClosedScreen,
    InvitationRequired,
    PageScreen,
    Redirect,
    SurveyInfo,
    SurveyNotFound,
    Visitor,
)
from surveyapp.typography import typeset


@dataclass(slots=True, frozen=True)
class SurveyRecord:
    """The survey's row as a respondent's request reads it: a snapshot, never written through
    (the columns the respondent's use cases read)."""

    id: int
    slug: str
    state: str
    access: str
    opens_at: datetime | None
    closes_at: datetime | None
    current_version_id: int | None


@dataclass(slots=True, frozen=True)
class ResponseRecord:
    """A response's row as a request reads it: a snapshot, never written through (writes are
    Core UPDATEs guarded by `revision`: `services.responses.writes`). Every column but the
    token's hash and the start, consent and update times."""

    id: int
    survey_id: int
    version_id: int
    withdrawal_hash: str | None
    status: str
    ending_id: str | None
    language: str
    language_chosen: bool
    current_page: str | None
    page_history: list[str]
    answers: dict[str, Any]
    params: dict[str, Any]
    draft: dict[str, Any] | None
    seed: str
    is_test: bool
    revision: int
    completed_at: datetime | None

    @classmethod
    def of(cls, response: Response) -> ResponseRecord:
        """The record of a response the ORM loaded or created (after its flush)."""
        return cls(*(getattr(response, name) for name in _RESPONSE_FIELDS))


_SURVEY_FIELDS = tuple(f.name for f in fields(SurveyRecord))
_RESPONSE_FIELDS = tuple(f.name for f in fields(ResponseRecord))


@dataclass(slots=True)
class ResponseContext:
    """What one request works on: the survey, the compiled schema of the response's version
    (the survey's current one before the response exists), and the response, if any."""

    survey: SurveyRecord
    schema: Schema
    response: ResponseRecord | None
    version_id: int
    #: The survey's hard quota cells that take no more completes (full or closed), read in
    #: the same statement as the rest when the caller asked (`load_context(full_cells=True)`),
    #: else None (not read).
    full_cells: frozenset[str] | None = None


_SURVEYS = table_of(Survey)
_RESPONSES = table_of(Response)
_VERSIONS = table_of(SurveyVersion)
_CELLS = table_of(QuotaCell)
#: The survey by its slug, with its current version's SHA-256 (the compiled schema is then
#: found in the cache without reading the version's row), as Core rows: a request reads
#: columns into records, never entities (loading two entities was 40 % of this read's CPU).
#: Built once: a request only binds the slug (statement construction and cache-key
#: generation are per-request CPU otherwise). Run on the session's connection: `Session.execute`
#: adds an ORM layer a Core statement does not need (see `writes`).
_SURVEY_BY_SLUG = (
    select(*(_SURVEYS.c[name] for name in _SURVEY_FIELDS), _VERSIONS.c.sha256)
    .outerjoin(_VERSIONS, _VERSIONS.c.id == _SURVEYS.c.current_version_id)
    .where(_SURVEYS.c.slug == bindparam("slug"))
)
#: The same, and the response behind the token (NULLs when there is none), in one statement.
_SURVEY_AND_RESPONSE = _SURVEY_BY_SLUG.add_columns(
    *(_RESPONSES.c[name] for name in _RESPONSE_FIELDS)
).outerjoin(
    _RESPONSES,
    and_(
        _RESPONSES.c.survey_id == _SURVEYS.c.id,
        _RESPONSES.c.token_hash == bindparam("token_hash"),
    ),
)
#: Where the response's columns start in a row of `_SURVEY_AND_RESPONSE`.
_RESPONSE_AT = len(_SURVEY_FIELDS) + 1
#: The survey's hard cells that take no more completes, as one string (ids joined by a space:
#: cell ids are identifiers and codes joined by "__", never a space). Correlated to the survey.
_FULL_CELLS = (
    select(func.aggregate_strings(_CELLS.c.cell_id, " "))
    .where(
        _CELLS.c.survey_id == _SURVEYS.c.id,
        _CELLS.c.kind == QuotaKind.HARD,
        (_CELLS.c.completes >= _CELLS.c.target) | _CELLS.c.is_closed,
    )
    .scalar_subquery()
)
#: For a page posted: the same two statements, and the full cells (one statement, not two).
_SURVEY_BY_SLUG_FULL = _SURVEY_BY_SLUG.add_columns(_FULL_CELLS)
_SURVEY_AND_RESPONSE_FULL = _SURVEY_AND_RESPONSE.add_columns(_FULL_CELLS)
_VERSION_SHA = select(_VERSIONS.c.sha256).where(_VERSIONS.c.id == bindparam("version_id"))


def load_context(
    session: Session,
    slug: str,
    token: str | None,
    test: bool = False,
    *,
    full_cells: bool = False,
) -> ResponseContext:
    """The survey `slug` and the response behind `token` (None when there is none); with
    `full_cells`, also the survey's full or closed hard cells, read in the same statement
    (the database's word when the page is posted, as a separate read a moment later would
    be; the claim at the ending, in the writer transaction, stays the exact decision).

    Raises `SurveyNotFound` for an unknown or unpublished survey, and for a draft one unless
    this is a test run (or the response is a test response)."""
    row: Any
    if token:
        params = {"slug": slug, "token_hash": secret_hash(token)}
        statement = _SURVEY_AND_RESPONSE_FULL if full_cells else _SURVEY_AND_RESPONSE
        row = session.connection().execute(statement, params).first()
    else:
        statement = _SURVEY_BY_SLUG_FULL if full_cells else _SURVEY_BY_SLUG
        row = session.connection().execute(statement, {"slug": slug}).first()
    if row is None:
        raise SurveyNotFound(slug)
    survey = SurveyRecord(*row[: _RESPONSE_AT - 1])
    sha256: str | None = row[_RESPONSE_AT - 1]
    response: ResponseRecord | None = None
    if token and row[_RESPONSE_AT] is not None:
        response = ResponseRecord(*row[_RESPONSE_AT : _RESPONSE_AT + len(_RESPONSE_FIELDS)])
    full: frozenset[str] | None = None
    if full_cells:
        full = frozenset((row[-1] or "").split())
    if survey.current_version_id is None:
        raise SurveyNotFound(slug)
    if survey.state == "draft" and not (test or (response is not None and response.is_test)):
        raise SurveyNotFound(slug)
    version_id = response.version_id if response is not None else survey.current_version_id
    if version_id != survey.current_version_id:  # a response begun on an earlier version
        sha256 = session.scalar(_VERSION_SHA, {"version_id": version_id})
    schema = surveys.compiled_by_sha(session, version_id, sha256)
    return ResponseContext(survey, schema, response, version_id, full)


def fieldwork_open(survey: Survey | SurveyRecord, now: datetime) -> bool:
    return (
        survey.state == "open"
        and (survey.opens_at is None or survey.opens_at <= now)
        and (survey.closes_at is None or now < survey.closes_at)
    )


def is_test_run(ctx: ResponseContext, visitor: Visitor) -> bool:
    """A test response, or a verified test start: kept out of quotas, exports and dashboards."""
    return ctx.response.is_test if ctx.response is not None else visitor.test


def refuse_open_link(session: Session, ctx: ResponseContext, visitor: Visitor) -> None:
    """A new visitor of an invitation-only survey may not start, unless they came through a
    personal link (or this is a test run)."""
    if ctx.survey.access != "invitation" or is_test_run(ctx, visitor):
        return
    if visitor.invitation and invited_start(session, ctx, visitor) is not None:
        return
    raise InvitationRequired(survey_info_for(ctx, shown_language(ctx, visitor)))


def invited_start(
    session: Session, ctx: ResponseContext, visitor: Visitor
) -> tuple[str, dict[str, Any]] | None:
    from surveyapp.services.invitations import participation

    return participation.invited_start(session, ctx.survey.slug, visitor.invitation, visitor.secret)


def accepts_answers(ctx: ResponseContext, visitor: Visitor) -> bool:
    """Fieldwork is open, or this is a test run (which ignores the state and the dates)."""
    return is_test_run(ctx, visitor) or fieldwork_open(ctx.survey, utcnow())


def survey_info_for(
    ctx: ResponseContext, lang: str, page_id: str | None = None, status: str = ""
) -> SurveyInfo:
    """Slug, languages and the title the respondent sees: on a page, that page's; on an
    ending, its status's; elsewhere, the furthest page reached (spec §10.2.1)."""
    response = ctx.response
    reached = () if response is None else (*response.page_history, response.current_page or "")
    shown = ctx.schema.shown_title(page_id, reached=reached, status=status)
    return SurveyInfo(ctx.survey.slug, typeset(shown[lang], lang), ctx.schema.languages, lang)


def best_language(accept: Sequence[str], languages: Sequence[str]) -> str | None:
    """The first Accept-Language tag whose primary language the survey offers."""
    for tag in accept:
        primary = tag.split("-")[0].split("_")[0].lower()
        if primary in languages:
            return primary
    return None


def shown_language(ctx: ResponseContext, visitor: Visitor) -> str:
    """?lang=, else the respondent's language, else Accept-Language, else the survey default."""
    languages = ctx.schema.languages
    if visitor.lang in languages:
        return visitor.lang
    if ctx.response is not None:
        return ctx.schema.language(ctx.response.language)
    return best_language(visitor.accept, languages) or ctx.schema.default_language


def condition_env(
    response: ResponseRecord | None, params: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Answers plus parameters: what the engine evaluates conditions against."""
    if response is None:
        return dict(params or {})
    return {**response.params, **response.answers}


def closed_screen(ctx: ResponseContext, visitor: Visitor) -> ClosedScreen:
    lang = shown_language(ctx, visitor)
    return ClosedScreen(
        survey_info_for(ctx, lang),
        lang,
        ctx.survey.closes_at,
        ctx.survey.opens_at,
        ctx.response is not None,
    )


def where_respondent_is(ctx: ResponseContext) -> Redirect:
    """Where the respondent really is."""
    response = ctx.response
    if response is None:
        return Redirect("entry", clear_token=True)
    if response.status != "in_progress":
        return Redirect("end")
    return Redirect("page", page_id=response.current_page)


def kept_query(ctx: ResponseContext, visitor: Visitor, args: Mapping[str, str]) -> dict[str, str]:
    """Arguments a new visitor's links keep: the language and the declared URL parameters."""
    query = {p.param: args[p.param] for p in ctx.schema.parameters if args.get(p.param)}
    if visitor.lang in ctx.schema.languages:
        query["lang"] = visitor.lang
        if visitor.lang_switch:
            query["switch"] = "1"
    query = {k: v[:200] for k, v in query.items()}
    if visitor.test and visitor.test_token:
        query["test"] = visitor.test_token
    return query


def page_screen(
    ctx: ResponseContext,
    page_id: str,
    visitor: Visitor,
    params: Mapping[str, Any] | None,
    **extra: Any,
) -> PageScreen:
    lang = shown_language(ctx, visitor)
    env = condition_env(ctx.response, params)
    seed = ctx.response.seed if ctx.response is not None else ""
    view = flow.render_page(ctx.schema, page_id, env, seed, lang, lambda t: typeset(t, lang))
    history = ctx.response.page_history if ctx.response is not None else []
    intro = ctx.schema.introduction if ctx.response is None else None
    progress, last = flow.position(ctx.schema, page_id, env)
    return PageScreen(
        survey=survey_info_for(ctx, lang, page_id),
        view=view,
        lang=lang,
        progress=progress,
        new=ctx.response is None,
        can_go_back=bool(history),
        test=is_test_run(ctx, visitor),
        last=last,
        introduction=typeset(intro[lang], lang) if intro else None,
        **extra,
    )


def stale_page_redirect(ctx: ResponseContext, page_id: str) -> Redirect:
    """Where the respondent really is; with a notice when they had already left `page_id`
    (a page kept by the browser's Back button, then posted or reloaded)."""
    where = where_respondent_is(ctx)
    response = ctx.response
    if where.target == "page" and response is not None and page_id in response.page_history:
        return Redirect("page", page_id=where.page_id, notice="moved")
    return where
