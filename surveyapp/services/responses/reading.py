"""The use cases that only read: the home page's open surveys, the entry, a page to show,
the ending, the continue-later page. A respondent's read runs without a transaction
(`transaction.read_only`: no BEGIN and no ROLLBACK round trip on PostgreSQL).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from sqlalchemy.orm import Session

from surveyapp.engine import Survey as Schema
from surveyapp.engine import flow
from surveyapp.engine.model import Ending
from surveyapp.models import utcnow
from surveyapp.services import surveys, transaction
from surveyapp.services.responses import context
from surveyapp.services.responses.codes import (
    format_code,
    new_token,
    normalise_code,
    secret_hash,
    withdrawal_code,
)
from surveyapp.services.responses.contract import (
    ClosedScreen,
    EndingScreen,
    LaterScreen,
    PageScreen,
    Redirect,
    SurveyInfo,
    SurveyLink,
    Visitor,
)
from surveyapp.services.responses.forms import typed_values
from surveyapp.typography import typeset


def open_surveys(session: Session, lang: str) -> list[SurveyLink]:
    """The surveys open now, titled in `lang` when they offer it."""
    now = utcnow()
    links = []
    for survey in surveys.list_surveys(session):
        if (
            not context.fieldwork_open(survey, now)
            or survey.current_version is None
            or survey.access != "open"
        ):
            continue
        schema = surveys.compiled(survey.current_version)
        shown = schema.language(lang)
        links.append(SurveyLink(survey.slug, schema.shown_title()[shown], shown))
    return links


def enter(
    session: Session, slug: str, visitor: Visitor, args: Mapping[str, str]
) -> Redirect | ClosedScreen:
    """`/s/<slug>/`: resume where the respondent is, or go to the first (consent) page."""
    transaction.read_only(session)
    ctx = context.load_context(session, slug, visitor.token, visitor.test)
    if visitor.test:  # a test run always starts afresh, whatever this browser did before
        ctx.response = None
    if ctx.response is not None:
        where = context.where_respondent_is(ctx)
        if visitor.lang in ctx.schema.languages and where.target == "page":
            return Redirect("page", page_id=where.page_id, query={"lang": visitor.lang or ""})
        return where
    context.refuse_open_link(session, ctx, visitor)
    if not context.accepts_answers(ctx, visitor):
        return context.closed_screen(ctx, visitor)
    params = flow.parameters_from_query(ctx.schema, args)
    return Redirect(
        "page",
        page_id=flow.first_page(ctx.schema, params),
        query=context.kept_query(ctx, visitor, args),
        # An invited visitor's token is the one derived from the personal link: kept.
        clear_token=visitor.token is not None and visitor.invitation is None,
    )


def show_page(
    session: Session,
    slug: str,
    page_id: str,
    visitor: Visitor,
    args: Mapping[str, str],
    *,
    typed: Mapping[str, list[str]] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> PageScreen | Redirect | ClosedScreen:
    """A page to display (GET, or a re-render after a CSRF or database failure)."""
    transaction.read_only(session)
    ctx = context.load_context(session, slug, visitor.token, visitor.test)
    if ctx.response is None:
        context.refuse_open_link(session, ctx, visitor)
        if not context.accepts_answers(ctx, visitor):
            return context.closed_screen(ctx, visitor)
        params = flow.parameters_from_query(ctx.schema, args)
        if page_id != flow.first_page(ctx.schema, params):
            return Redirect("entry", query=context.kept_query(ctx, visitor, args))
        typed = typed_values(typed) if typed is not None else None
        start = typed.get("_token", [None])[0] if typed else None
        return context.page_screen(
            ctx,
            page_id,
            visitor,
            params,
            typed=typed,
            notice=notice,
            status=status,
            start_token=normalise_code(start) or new_token(),
            query=context.kept_query(ctx, visitor, args),
        )
    if ctx.response.status != "in_progress" or page_id != ctx.response.current_page:
        return context.stale_page_redirect(ctx, page_id)
    if not context.accepts_answers(ctx, visitor):
        return context.closed_screen(ctx, visitor)
    draft = (ctx.response.draft or {}).get(page_id)
    typed = typed_values(typed) if typed is not None else None
    return context.page_screen(
        ctx, page_id, visitor, None, typed=typed or draft, notice=notice, status=status
    )


def ending_screen(session: Session, slug: str, visitor: Visitor) -> EndingScreen | Redirect:
    """The ending the respondent reached, in their language, with the withdrawal code."""
    transaction.read_only(session)
    ctx = context.load_context(session, slug, visitor.token)
    response = ctx.response
    if response is None or response.status == "in_progress":
        return (
            context.where_respondent_is(ctx)
            if response is not None
            else Redirect("entry", clear_token=True)
        )
    lang = context.shown_language(ctx, visitor)
    ending = _ending_or_default(ctx.schema, response.ending_id)
    code = None
    if visitor.token and visitor.secret and response.withdrawal_hash:
        candidate = withdrawal_code(visitor.token, visitor.secret)
        if hmac.compare_digest(secret_hash(candidate), response.withdrawal_hash):
            code = format_code(candidate)
    return EndingScreen(
        context.survey_info_for(ctx, lang, status=response.status),
        lang,
        response.status,
        typeset(ending.message[lang], lang),
        code,
        response.completed_at,
        test=response.is_test,
    )


def _ending_or_default(schema: Schema, ending_id: str | None) -> Ending:
    try:
        return schema.ending(ending_id or "")
    except KeyError:
        return schema.default_ending


def continue_later(session: Session, slug: str, visitor: Visitor) -> LaterScreen | Redirect:
    """The continue-later code of an in-progress response."""
    transaction.read_only(session)
    ctx = context.load_context(session, slug, visitor.token)
    if ctx.response is None or ctx.response.status != "in_progress" or not visitor.token:
        return context.where_respondent_is(ctx)
    lang = context.shown_language(ctx, visitor)
    page = ctx.response.current_page or ""
    return LaterScreen(
        context.survey_info_for(ctx, lang), lang, format_code(visitor.token), visitor.token, page
    )


def survey_info(session: Session, slug: str, visitor: Visitor) -> SurveyInfo:
    """Title and languages of a published survey, in the visitor's language."""
    transaction.read_only(session)
    ctx = context.load_context(session, slug, visitor.token)
    return context.survey_info_for(ctx, context.shown_language(ctx, visitor))
