"""A page posted: Next (validate, store, route; quota slots claimed at the end), Back, the
language switch, Continue later. The response is created when its first page is accepted.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.engine import Survey as Schema
from surveyapp.engine import flow
from surveyapp.engine.flow import PageResult
from surveyapp.engine.inputs import ConsentType
from surveyapp.models import Contact, Response
from surveyapp.services import quotas
from surveyapp.services.responses import context
from surveyapp.services.responses.codes import (
    new_token,
    normalise_code,
    secret_hash,
)
from surveyapp.services.responses.context import ResponseContext, ResponseRecord
from surveyapp.services.responses.contract import (
    ClosedScreen,
    PageScreen,
    Redirect,
    StartRefused,
    Visitor,
)
from surveyapp.services.responses.ending import finish_response
from surveyapp.services.responses.forms import (
    META_FIELDS,
    draft_with_page,
    single_value,
    typed_values,
)
from surveyapp.services.responses.writes import lost_race, take_response, with_token, write_changes
from surveyapp.services.transaction import begin_autocommit, retrying, write_from_here

log = logging.getLogger("surveyapp.responses")

#: What a posted page leads to (a refused start only on the first page).
Outcome = PageScreen | Redirect | ClosedScreen | StartRefused


def submit_page(
    session: Session,
    slug: str,
    page_id: str,
    visitor: Visitor,
    form: Mapping[str, Any],
    args: Mapping[str, str],
) -> Outcome:
    """POST of a page: Next (validate, save, route), Back, the language switch, or Continue
    later (the typed values wait as a draft). Commits.

    A page that is not the respondent's current page, or any page after the ending, changes
    nothing and redirects to where the respondent is. Nothing is stored from a form that
    fails validation or carries fields the page does not show (422, typed values kept).
    """

    def once() -> Outcome:  # one attempt: commits or rolls back what it wrote
        # Read without a transaction: most pages end in one revision-guarded UPDATE, atomic on
        # its own, so BEGIN and COMMIT would be two more round trips on PostgreSQL. A page
        # that writes more (a start, a contact, an ending) begins its writer transaction
        # first (`write_from_here`); its first write is guarded by the revision read here (or,
        # for a start, by the token's unique key).
        begin_autocommit(session)
        ctx = context.load_context(session, slug, visitor.token, visitor.test, full_cells=True)
        response = ctx.response
        if response is None:
            return _start_response(session, ctx, page_id, visitor, form, args)
        if response.status != "in_progress" or page_id != response.current_page:
            session.rollback()
            return context.stale_page_redirect(ctx, page_id)
        if not context.accepts_answers(ctx, visitor):
            session.rollback()
            return context.closed_screen(ctx, visitor)
        action = single_value(form, "_action") or "next"
        if action == "back":
            return _go_back(session, ctx, page_id, form)
        if action.startswith("lang:"):
            return _switch_language(session, ctx, page_id, form, action[5:])
        if action == "later":
            changes = {"draft": draft_with_page(ctx, page_id, form)}
            return write_changes(session, ctx, changes, Redirect("later"))
        assert visitor.token is not None  # a response is only ever found by its token
        return _submit_next(session, ctx, page_id, visitor, form, visitor.token)

    outcome = retrying(session, once)
    if visitor.invitation and isinstance(outcome, Redirect):
        _sync_participation(session, slug, visitor.invitation, visitor.secret, outcome)
    return outcome


def _sync_participation(
    session: Session, slug: str, invitation: str, secret: bytes, outcome: Redirect
) -> None:
    """Started or finished through a personal link: the participation record follows, in a
    transaction of its own (never the response's)."""
    from surveyapp.services.invitations import participation

    if outcome.set_token:
        participation.sync_progress(session, slug, invitation, secret, "in_progress")
    elif outcome.target in ("end", "external"):
        participation.sync_progress(session, slug, invitation, secret, "ended")


def _start_response(
    session: Session,
    ctx: ResponseContext,
    page_id: str,
    visitor: Visitor,
    form: Mapping[str, Any],
    args: Mapping[str, str],
) -> Outcome:
    """The first page accepted: the response is created (never before)."""
    if ctx.survey.access == "invitation" and not visitor.test:
        session.rollback()
        context.refuse_open_link(session, ctx, visitor)
    if not context.accepts_answers(ctx, visitor):
        session.rollback()
        return context.closed_screen(ctx, visitor)
    params = flow.parameters_from_query(ctx.schema, args)
    if page_id != flow.first_page(ctx.schema, params):
        session.rollback()
        return Redirect("entry", query=context.kept_query(ctx, visitor, args))
    token = normalise_code(single_value(form, "_token")) or new_token()
    invited = context.invited_start(session, ctx, visitor)
    if invited is not None:  # the personal link's response: its token and attributes
        token, attributes = invited
        params = {**params, **attributes}
    existing = session.scalar(select(Response).where(Response.token_hash == secret_hash(token)))
    if existing is not None:  # the same start posted twice: one response, same outcome
        session.rollback()
        return with_token(
            context.where_respondent_is(
                ResponseContext(ctx.survey, ctx.schema, ResponseRecord.of(existing), 0)
            ),
            token,
        )
    action = single_value(form, "_action") or "next"
    if action.startswith("lang:") and action[5:] in ctx.schema.languages:
        session.rollback()
        return Redirect(
            "page",
            page_id=page_id,
            query={**context.kept_query(ctx, visitor, args), "lang": action[5:], "switch": "1"},
        )
    page_lang = single_value(form, "_lang")
    language = (
        page_lang if page_lang in ctx.schema.languages else context.shown_language(ctx, visitor)
    )
    response = Response(
        survey_id=ctx.survey.id,
        version_id=ctx.version_id,
        token_hash=secret_hash(token),
        language=language,
        language_chosen=visitor.lang_switch,
        current_page=page_id,
        page_history=[],
        answers={},
        params=params,
        seed=secrets.token_hex(16),
        consent_version=_consent_version(ctx.schema, page_id),
        is_test=visitor.test,
    )
    checked = _validate_or_page_again(
        ctx,
        page_id,
        visitor,
        form,
        params,
        "",
        start_token=token,
        query=context.kept_query(ctx, visitor, args),
    )
    if isinstance(checked, PageScreen):
        session.rollback()
        return checked
    # A personal link is its own proof (one response per link): no challenge, no start limit.
    start_check = visitor.start_check if not visitor.test and invited is None else None
    refused = start_check() if start_check is not None else None
    if refused == "challenge":  # the consent page again, with a new challenge (422)
        session.rollback()
        return context.page_screen(
            ctx,
            page_id,
            visitor,
            params,
            typed=typed_values(form),
            notice="challenge",
            status=422,
            start_token=token,
            query=context.kept_query(ctx, visitor, args),
        )
    if refused:
        session.rollback()
        return StartRefused(
            context.survey_info_for(ctx, response.language), response.language, refused
        )
    write_from_here(session)  # the response, its first page, any claim: one transaction
    session.add(response)
    try:
        session.flush()
    except IntegrityError:  # a concurrent twin of this post created it first
        session.rollback()
        return with_token(Redirect("entry"), token)
    ctx.response = ResponseRecord.of(response)
    return with_token(
        _store_page(session, ctx, page_id, checked, token, visitor.secret, None), token
    )


def _consent_version(schema: Schema, page_id: str) -> str | None:
    for q in schema.page(page_id).questions:
        if isinstance(q.kind, ConsentType):
            return q.kind.consent_version
    return None


def _submit_next(
    session: Session,
    ctx: ResponseContext,
    page_id: str,
    visitor: Visitor,
    form: Mapping[str, Any],
    token: str,
) -> PageScreen | Redirect:
    response = ctx.response
    assert response is not None
    checked = _validate_or_page_again(ctx, page_id, visitor, form, None, response.seed)
    if isinstance(checked, PageScreen):
        session.rollback()
        return checked
    page_lang = single_value(form, "_lang")
    return _store_page(session, ctx, page_id, checked, token, visitor.secret, page_lang)


def _validate_or_page_again(
    ctx: ResponseContext,
    page_id: str,
    visitor: Visitor,
    form: Mapping[str, Any],
    params: Mapping[str, Any] | None,
    seed: str,
    **screen: Any,
) -> PageResult | PageScreen:
    """Validated values of a page, or the page again (422) with what was typed."""
    env = context.condition_env(ctx.response, params)
    typed = typed_values(form)
    allowed = flow.posted_names(ctx.schema, page_id, env)
    unknown = [k for k in typed if k not in META_FIELDS and k not in allowed]
    if unknown:
        log.info("event=unknown_fields page=%s count=%d", page_id, len(unknown))
        screen["notice"] = "unknown_fields"
    else:
        result = flow.validate_page(ctx.schema, page_id, form, env, seed)
        if not result.errors:
            return result
        screen["errors"] = tuple(result.errors)
    return context.page_screen(ctx, page_id, visitor, params, typed=typed, status=422, **screen)


def _store_page(
    session: Session,
    ctx: ResponseContext,
    page_id: str,
    result: PageResult,
    token: str,
    secret: bytes,
    page_lang: str | None,
) -> Redirect:
    """Store a valid page, then go to the next page or the ending; commits."""
    response, schema = ctx.response, ctx.schema
    assert response is not None
    param_ids = {p.id for p in schema.parameters}
    new = flow.apply_page(
        schema, page_id, result.values, context.condition_env(response), response.seed
    )
    answers = {k: v for k, v in new.items() if k not in param_ids}
    language, chosen = _language_after_page(schema, response, page_id, result.values, page_lang)
    drafts = {k: v for k, v in (response.draft or {}).items() if k != page_id}
    cells = flow.quota_cells(schema, new)
    hard = [c.cell_id for c in cells if c.kind == "hard"]
    step = flow.next_step(schema, page_id, new, _full_cells(session, ctx, hard))
    if result.contact is not None or not isinstance(step, flow.NextPage):
        write_from_here(session)  # more than the one guarded UPDATE: one transaction
    if result.contact is not None:
        codes = {k: v for k, v in result.contact.codes.items() if v is not None}
        session.add(Contact(survey_id=ctx.survey.id, email=result.contact.email, requests=codes))
    changes: dict[str, Any] = {
        "answers": answers,
        "language": language,
        "language_chosen": chosen,
        "draft": drafts or None,
        "page_history": [*response.page_history, page_id],
    }
    if isinstance(step, flow.NextPage):  # one guarded UPDATE: a twin post changes nothing
        changes["current_page"] = step.page_id
        return write_changes(session, ctx, changes, Redirect("page", page_id=step.page_id))
    if not take_response(session, ctx):  # before the quota claims: a twin post never reaches them
        return lost_race(session, ctx)
    redirect = finish_response(session, ctx, step.ending, new, cells, changes, token, secret)
    return write_changes(session, ctx, changes, redirect, locked=True)


def _full_cells(session: Session, ctx: ResponseContext, hard: list[str]) -> frozenset[str]:
    """The cells among `hard` that take no more completes: as read with the context
    (`load_context(full_cells=True)`), else read now."""
    if ctx.full_cells is None:
        return quotas.full_cells(session, ctx.survey.id, hard)
    return ctx.full_cells.intersection(hard)


def _language_after_page(
    schema: Schema,
    response: ResponseRecord,
    page_id: str,
    values: Mapping[str, Any],
    page_lang: str | None,
) -> tuple[str, bool]:
    """The page's language if it differs (an explicit choice), then `sets_language` answers:
    a question whose every option sets a language is the respondent's own choice; any other
    (a country) sets it only when the respondent has not chosen one."""
    language, chosen = response.language, response.language_chosen
    if page_lang in schema.languages and page_lang != language:
        language, chosen = page_lang, True
    set_to = flow.language_from_answers(schema, page_id, values)
    if set_to in schema.languages:
        own_choice = any(
            q.sets_language
            and all(o.code in q.sets_language for o in q.options)
            and values.get(q.id) in q.sets_language
            for q in schema.page(page_id).questions
        )
        if own_choice or not chosen:
            language, chosen = set_to, chosen or own_choice
    return language, chosen


def _go_back(
    session: Session, ctx: ResponseContext, page_id: str, form: Mapping[str, Any]
) -> Redirect:
    """Back to the page submitted before this one; what was typed here waits as a draft."""
    response = ctx.response
    assert response is not None
    history = list(response.page_history)
    if not history:
        session.rollback()
        return Redirect("page", page_id=page_id)
    previous = history.pop()
    changes = {
        "current_page": previous,
        "page_history": history,
        "draft": draft_with_page(ctx, page_id, form),
    }
    return write_changes(session, ctx, changes, Redirect("page", page_id=previous))


def _switch_language(
    session: Session, ctx: ResponseContext, page_id: str, form: Mapping[str, Any], lang: str
) -> Redirect:
    """The language switch: the typed values wait as a draft, the choice is kept."""
    if lang not in ctx.schema.languages:
        session.rollback()
        return Redirect("page", page_id=page_id)
    changes = {
        "language": lang,
        "language_chosen": True,
        "draft": draft_with_page(ctx, page_id, form),
    }
    return write_changes(session, ctx, changes, Redirect("page", page_id=page_id))
