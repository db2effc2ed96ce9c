"""The respondent's questionnaire: consent, page-by-page saving, Back, language, resume, endings.

Every write is one transaction (`begin_write`: BEGIN IMMEDIATE on SQLite) that ends with an
optimistic `UPDATE responses ... WHERE revision = <read>`: of two identical posts, one wins and
the other changes nothing and is sent to where the respondent really is. No response exists
before the first page (the consent) is accepted. The respondent's token and withdrawal code are
never stored, only their SHA-256. Views build the `Visitor` (the actor) from the request; this
module never reads the Flask session, cookies or headers itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.engine import Survey as Schema
from surveyapp.engine import flow
from surveyapp.engine.messages import FieldError
from surveyapp.engine.model import Ending
from surveyapp.engine.render import PageView
from surveyapp.engine.visibility import is_contact
from surveyapp.models import Contact, Response, ResultsCache, Survey, SurveyVersion, utcnow
from surveyapp.services import quotas, surveys
from surveyapp.services.audit import RESPONDENT, record
from surveyapp.services.transaction import begin_write, retrying
from surveyapp.typography import typeset

log = logging.getLogger("surveyapp.responses")

#: Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 160 random bits per token: 32 characters, shown in groups of four.
TOKEN_BYTES = 20
#: Form fields that are not answers: CSRF, the button pressed, the page language, the start token,
#: the consent page's proof-of-work (respondent/challenge.py).
META_FIELDS = frozenset({"csrf_token", "_action", "_lang", "_token", "_challenge", "_pow"})
#: Where a page's raw typed values wait (Back, language switch) until the page is submitted.
DRAFT_VALUE_MAX = 10_000
DRAFT_VALUES_MAX = 50
#: Drafts are kept for the last few pages left with Back or the language switch only.
DRAFT_PAGES_MAX = 3


class SurveyNotFound(LookupError):
    """No published survey with this slug (draft surveys are not shown to respondents)."""


class InvitationRequired(SurveyNotFound):
    """An invitation-only survey reached through its open link: no response may start there."""

    def __init__(self, info: SurveyInfo) -> None:
        super().__init__(info.slug)
        self.info = info


# --------------------------------------------------------------------------- tokens
def new_token() -> str:
    """A fresh respondent token (cookie value and continue-later code): 160 random bits."""
    return code_from_bytes(secrets.token_bytes(TOKEN_BYTES))


def code_from_bytes(data: bytes) -> str:
    """Bytes as a typeable code in Crockford's base32 (tokens, codes, personal links)."""
    standard = base64.b32encode(data).decode("ascii").rstrip("=")
    return standard.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CODE_ALPHABET))


def normalise_code(raw: str | None) -> str | None:
    """A typed or pasted code as a token (case, spaces, dashes and O/I/L slips forgiven)."""
    if not isinstance(raw, str) or len(raw) > 200:
        return None
    text = "".join(raw.split()).replace("-", "").upper()
    text = text.translate(str.maketrans("OIL", "011"))
    if len(text) != 32 or any(ch not in CODE_ALPHABET for ch in text):
        return None
    return text


def format_code(token: str) -> str:
    """A token shown to a person: groups of four characters."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


def secret_hash(secret: str) -> str:
    """The stored form of a token or withdrawal code."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def withdrawal_code(token: str, key: bytes) -> str:
    """The withdrawal code of a response, derived from its token with the app's key.

    Derived rather than stored, so the thank-you page can show it again on a reload; the key
    means a leaked continue-later code does not reveal it.
    """
    digest = hmac.new(key, b"withdraw\x1f" + token.encode("ascii"), hashlib.sha256).digest()
    return code_from_bytes(digest[:TOKEN_BYTES])


#: Test-mode links: signed with the app's key under this salt, valid for an hour.
TEST_SALT = "test-mode"
TEST_MAX_AGE = 3600


def issue_test_token(secret: str, slug: str) -> str:
    """A signed, short-lived `?test=` value that starts a test response of survey `slug`."""
    return URLSafeTimedSerializer(secret, salt=TEST_SALT).dumps({"survey": slug})


def verify_test_token(secret: str, slug: str, raw: str | None) -> bool:
    """True when `raw` was issued by `issue_test_token` for `slug` less than an hour ago."""
    if not raw or len(raw) > 500:
        return False
    try:
        data = URLSafeTimedSerializer(secret, salt=TEST_SALT).loads(raw, max_age=TEST_MAX_AGE)
    except BadData:
        return False
    return isinstance(data, dict) and data.get("survey") == slug


# --------------------------------------------------------------------------- actor, outcomes
@dataclass(frozen=True, slots=True)
class Visitor:
    """Who is asking: the survey's token cookie and the language hints of the request."""

    token: str | None = None
    #: `?lang=`; `lang_switch` says it came from the visible switch (an explicit choice).
    lang: str | None = None
    lang_switch: bool = False
    #: Accept-Language tags, best first.
    accept: tuple[str, ...] = ()
    #: The app's secret key (withdrawal codes).
    secret: bytes = b""
    #: A study-team test run: set by the view only when `?test=` carries a valid signature;
    #: the response it starts is `is_test` and may run while the survey is draft or closed.
    test: bool = False
    #: The signed value itself, carried in the links of the consent page.
    test_token: str | None = None
    #: The personal link's token (cookie set when the link was followed), if invited.
    invitation: str | None = None
    #: Asked once, just before a new response would be stored: None to go ahead, or why the
    #: start is refused ("rate": too many new responses from this client; "challenge": the
    #: consent page's proof-of-work is missing, wrong or replayed). The view supplies
    #: it (anti-stuffing checks live there); nothing is stored when it refuses.
    start_check: Callable[[], str | None] | None = None


@dataclass(frozen=True, slots=True)
class SurveyInfo:
    """What every respondent page shows of its survey."""

    slug: str
    title: str
    languages: tuple[str, ...]
    #: The language the page is shown in.
    lang: str


@dataclass(frozen=True, slots=True)
class Redirect:
    """Send the respondent elsewhere (303). `target`: page, entry, end, later or external."""

    target: str
    page_id: str | None = None
    url: str | None = None
    #: Query arguments to keep (new visitors: language and recruitment parameters).
    query: Mapping[str, str] = field(default_factory=dict)
    #: A new token for the cookie; or drop the cookie (unknown or withdrawn response).
    set_token: str | None = None
    clear_token: bool = False
    #: A message for the page shown next: "moved" (a stale page was posted or opened).
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class PageScreen:
    """A questionnaire page to render, possibly with typed values and errors."""

    survey: SurveyInfo
    view: PageView
    lang: str
    progress: float
    typed: Mapping[str, list[str]] | None = None
    errors: tuple[FieldError, ...] = ()
    #: unknown_fields, csrf, unavailable: general messages above the form.
    notice: str | None = None
    #: No response yet: the consent page (its form carries `start_token`, its switch is a link).
    new: bool = False
    start_token: str | None = None
    can_go_back: bool = False
    query: Mapping[str, str] = field(default_factory=dict)
    status: int = 200
    #: A test-mode response (or a test about to start): the page shows a banner.
    test: bool = False
    #: No later page can be shown: the button finishes the questionnaire.
    last: bool = False
    #: The survey's introduction, shown above its first page.
    introduction: str | None = None


@dataclass(frozen=True, slots=True)
class EndingScreen:
    """The page a finished response sees."""

    survey: SurveyInfo
    lang: str
    status: str
    message: str
    withdrawal_code: str | None
    completed_at: datetime | None
    test: bool = False


@dataclass(frozen=True, slots=True)
class ClosedScreen:
    """The survey is not (or no longer) open."""

    survey: SurveyInfo
    lang: str
    closes_at: datetime | None
    opens_at: datetime | None
    #: The visitor had started: their earlier answers are kept.
    had_answers: bool = False


@dataclass(frozen=True, slots=True)
class StartRefused:
    """A new response was refused before anything was stored (`reason`: "rate")."""

    survey: SurveyInfo
    lang: str
    reason: str


@dataclass(frozen=True, slots=True)
class LaterScreen:
    """The continue-later page: the code to type on another device."""

    survey: SurveyInfo
    lang: str
    code: str
    token: str
    page_id: str


@dataclass(frozen=True, slots=True)
class SurveyLink:
    """An open survey on the home page."""

    slug: str
    title: str
    lang: str


# --------------------------------------------------------------------------- loading
@dataclass(slots=True)
class _Ctx:
    survey: Survey
    schema: Schema
    response: Response | None
    version_id: int


def _load(session: Session, slug: str, token: str | None, test: bool = False) -> _Ctx:
    survey = surveys.get_survey(session, slug)
    if survey is None or survey.current_version_id is None:
        raise SurveyNotFound(slug)
    response = None
    if token:
        response = session.scalar(
            select(Response)
            .where(Response.token_hash == secret_hash(token), Response.survey_id == survey.id)
            .execution_options(populate_existing=True)
        )
    if survey.state == "draft" and not (test or (response is not None and response.is_test)):
        raise SurveyNotFound(slug)
    version_id = response.version_id if response is not None else survey.current_version_id
    version = session.get(SurveyVersion, version_id)
    assert version is not None
    return _Ctx(survey, surveys.compiled(version), response, version_id)


def _is_open(survey: Survey, now: datetime) -> bool:
    return (
        survey.state == "open"
        and (survey.opens_at is None or survey.opens_at <= now)
        and (survey.closes_at is None or now < survey.closes_at)
    )


def _is_test(ctx: _Ctx, visitor: Visitor) -> bool:
    """A test response, or a verified test start: kept out of quotas, exports and dashboards."""
    return ctx.response.is_test if ctx.response is not None else visitor.test


def _refuse_open_link(session: Session, ctx: _Ctx, visitor: Visitor) -> None:
    """A new visitor of an invitation-only survey may not start, unless they came through a
    personal link (or this is a test run)."""
    if ctx.survey.access != "invitation" or _is_test(ctx, visitor):
        return
    if visitor.invitation and _invited(session, ctx, visitor) is not None:
        return
    raise InvitationRequired(_info(ctx, _language(ctx, visitor)))


def _accepts(ctx: _Ctx, visitor: Visitor) -> bool:
    """Fieldwork is open, or this is a test run (which ignores the state and the dates)."""
    return _is_test(ctx, visitor) or _is_open(ctx.survey, utcnow())


def _info(ctx: _Ctx, lang: str) -> SurveyInfo:
    title = typeset(ctx.schema.title[lang], lang)
    return SurveyInfo(ctx.survey.slug, title, ctx.schema.languages, lang)


def best_language(accept: Sequence[str], languages: Sequence[str]) -> str | None:
    """The first Accept-Language tag whose primary language the survey offers."""
    for tag in accept:
        primary = tag.split("-")[0].split("_")[0].lower()
        if primary in languages:
            return primary
    return None


def _language(ctx: _Ctx, visitor: Visitor) -> str:
    """?lang=, else the respondent's language, else Accept-Language, else the survey default."""
    languages = ctx.schema.languages
    if visitor.lang in languages:
        return visitor.lang  # type: ignore[return-value]
    if ctx.response is not None:
        return ctx.schema.language(ctx.response.language)
    return best_language(visitor.accept, languages) or ctx.schema.default_language


def _env(response: Response | None, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Answers plus parameters: what the engine evaluates conditions against."""
    if response is None:
        return dict(params or {})
    return {**response.params, **response.answers}


def _closed(ctx: _Ctx, visitor: Visitor) -> ClosedScreen:
    lang = _language(ctx, visitor)
    return ClosedScreen(
        _info(ctx, lang), lang, ctx.survey.closes_at, ctx.survey.opens_at, ctx.response is not None
    )


def _where_is(ctx: _Ctx) -> Redirect:
    """Where the respondent really is."""
    response = ctx.response
    if response is None:
        return Redirect("entry", clear_token=True)
    if response.status != "in_progress":
        return Redirect("end")
    return Redirect("page", page_id=response.current_page)


def _query(ctx: _Ctx, visitor: Visitor, args: Mapping[str, str]) -> dict[str, str]:
    """Arguments a new visitor's links keep: the language and the declared URL parameters."""
    query = {p.param: args[p.param] for p in ctx.schema.parameters if args.get(p.param)}
    if visitor.lang in ctx.schema.languages:
        query["lang"] = visitor.lang  # type: ignore[assignment]
        if visitor.lang_switch:
            query["switch"] = "1"
    query = {k: v[:200] for k, v in query.items()}
    if visitor.test and visitor.test_token:
        query["test"] = visitor.test_token
    return query


# --------------------------------------------------------------------------- reading use cases
def open_surveys(session: Session, lang: str) -> list[SurveyLink]:
    """The surveys open now, titled in `lang` when they offer it."""
    now = utcnow()
    links = []
    for survey in surveys.list_surveys(session):
        if not _is_open(survey, now) or survey.current_version is None or survey.access != "open":
            continue
        schema = surveys.compiled(survey.current_version)
        shown = schema.language(lang)
        links.append(SurveyLink(survey.slug, schema.title[shown], shown))
    return links


def enter(
    session: Session, slug: str, visitor: Visitor, args: Mapping[str, str]
) -> Redirect | ClosedScreen:
    """`/s/<slug>/`: resume where the respondent is, or go to the first (consent) page."""
    ctx = _load(session, slug, visitor.token, visitor.test)
    if visitor.test:  # a test run always starts afresh, whatever this browser did before
        ctx.response = None
    if ctx.response is not None:
        where = _where_is(ctx)
        if visitor.lang in ctx.schema.languages and where.target == "page":
            return Redirect("page", page_id=where.page_id, query={"lang": visitor.lang or ""})
        return where
    _refuse_open_link(session, ctx, visitor)
    if not _accepts(ctx, visitor):
        return _closed(ctx, visitor)
    params = flow.parameters_from_query(ctx.schema, args)
    return Redirect(
        "page",
        page_id=flow.first_page(ctx.schema, params),
        query=_query(ctx, visitor, args),
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
    ctx = _load(session, slug, visitor.token, visitor.test)
    if ctx.response is None:
        _refuse_open_link(session, ctx, visitor)
        if not _accepts(ctx, visitor):
            return _closed(ctx, visitor)
        params = flow.parameters_from_query(ctx.schema, args)
        if page_id != flow.first_page(ctx.schema, params):
            return Redirect("entry", query=_query(ctx, visitor, args))
        typed = _typed(typed) if typed is not None else None
        start = typed.get("_token", [None])[0] if typed else None
        return _screen(
            ctx,
            page_id,
            visitor,
            params,
            typed=typed,
            notice=notice,
            status=status,
            start_token=normalise_code(start) or new_token(),
            query=_query(ctx, visitor, args),
        )
    if ctx.response.status != "in_progress" or page_id != ctx.response.current_page:
        return _moved_on(ctx, page_id)
    if not _accepts(ctx, visitor):
        return _closed(ctx, visitor)
    draft = (ctx.response.draft or {}).get(page_id)
    typed = _typed(typed) if typed is not None else None
    return _screen(ctx, page_id, visitor, None, typed=typed or draft, notice=notice, status=status)


def _screen(ctx: _Ctx, page_id: str, visitor: Visitor, params, **extra) -> PageScreen:
    lang = _language(ctx, visitor)
    env = _env(ctx.response, params)
    seed = ctx.response.seed if ctx.response is not None else ""
    view = flow.render_page(ctx.schema, page_id, env, seed, lang, lambda t: typeset(t, lang))
    history = ctx.response.page_history if ctx.response is not None else []
    intro = ctx.schema.introduction if ctx.response is None else None
    return PageScreen(
        survey=_info(ctx, lang),
        view=view,
        lang=lang,
        progress=flow.progress(ctx.schema, page_id, env),
        new=ctx.response is None,
        can_go_back=bool(history),
        test=_is_test(ctx, visitor),
        last=flow.is_last_page(ctx.schema, page_id, env),
        introduction=typeset(intro[lang], lang) if intro else None,
        **extra,
    )


def _moved_on(ctx: _Ctx, page_id: str) -> Redirect:
    """Where the respondent really is; with a notice when they had already left `page_id`
    (a page kept by the browser's Back button, then posted or reloaded)."""
    where = _where_is(ctx)
    response = ctx.response
    if where.target == "page" and response is not None and page_id in response.page_history:
        return Redirect("page", page_id=where.page_id, notice="moved")
    return where


def ending_screen(session: Session, slug: str, visitor: Visitor) -> EndingScreen | Redirect:
    """The ending the respondent reached, in their language, with the withdrawal code."""
    ctx = _load(session, slug, visitor.token)
    response = ctx.response
    if response is None or response.status == "in_progress":
        return _where_is(ctx) if response is not None else Redirect("entry", clear_token=True)
    lang = _language(ctx, visitor)
    ending = _ending_or_default(ctx.schema, response.ending_id)
    code = None
    if visitor.token and visitor.secret and response.withdrawal_hash:
        candidate = withdrawal_code(visitor.token, visitor.secret)
        if hmac.compare_digest(secret_hash(candidate), response.withdrawal_hash):
            code = format_code(candidate)
    return EndingScreen(
        _info(ctx, lang),
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
    ctx = _load(session, slug, visitor.token)
    if ctx.response is None or ctx.response.status != "in_progress" or not visitor.token:
        return _where_is(ctx)
    lang = _language(ctx, visitor)
    page = ctx.response.current_page or ""
    return LaterScreen(_info(ctx, lang), lang, format_code(visitor.token), visitor.token, page)


def survey_info(session: Session, slug: str, visitor: Visitor) -> SurveyInfo:
    """Title and languages of a published survey, in the visitor's language."""
    ctx = _load(session, slug, visitor.token)
    return _info(ctx, _language(ctx, visitor))


# --------------------------------------------------------------------------- writing use cases
def submit_page(
    session: Session,
    slug: str,
    page_id: str,
    visitor: Visitor,
    form: Mapping[str, Any],
    args: Mapping[str, str],
) -> PageScreen | Redirect | ClosedScreen:
    """POST of a page: Next (validate, save, route), Back, the language switch, or Continue
    later (the typed values wait as a draft). Commits.

    A page that is not the respondent's current page, or any page after the ending, changes
    nothing and redirects to where the respondent is. Nothing is stored from a form that
    fails validation or carries fields the page does not show (422, typed values kept).
    """
    outcome = retrying(session, lambda: _submit(session, slug, page_id, visitor, form, args))
    if visitor.invitation and isinstance(outcome, Redirect):
        _sync_invitation(session, slug, visitor, outcome)
    return outcome


def _sync_invitation(session: Session, slug: str, visitor: Visitor, outcome: Redirect) -> None:
    """Started or finished through a personal link: the participation record follows, in a
    transaction of its own (never the response's)."""
    from surveyapp.services.invitations import participation

    if outcome.set_token:
        participation.sync_progress(
            session, slug, visitor.invitation, visitor.secret, "in_progress"
        )
    elif outcome.target in ("end", "external"):
        participation.sync_progress(session, slug, visitor.invitation, visitor.secret, "ended")


def _submit(session, slug, page_id, visitor, form, args):
    begin_write(session)
    ctx = _load(session, slug, visitor.token, visitor.test)
    response = ctx.response
    if response is None:
        return _begin(session, ctx, page_id, visitor, form, args)
    if response.status != "in_progress" or page_id != response.current_page:
        session.rollback()
        return _moved_on(ctx, page_id)
    if not _accepts(ctx, visitor):
        session.rollback()
        return _closed(ctx, visitor)
    action = _single(form, "_action") or "next"
    if action == "back":
        return _back(session, ctx, page_id, form)
    if action.startswith("lang:"):
        return _switch(session, ctx, page_id, form, action[5:])
    if action == "later":
        changes = {"draft": _with_draft(ctx, page_id, form)}
        return _commit(session, ctx, changes, Redirect("later"))
    return _next(session, ctx, page_id, visitor, form, visitor.token)


def _begin(session, ctx: _Ctx, page_id, visitor: Visitor, form, args):
    """The first page accepted: the response is created (never before)."""
    if ctx.survey.access == "invitation" and not visitor.test:
        session.rollback()
        _refuse_open_link(session, ctx, visitor)
    if not _accepts(ctx, visitor):
        session.rollback()
        return _closed(ctx, visitor)
    params = flow.parameters_from_query(ctx.schema, args)
    if page_id != flow.first_page(ctx.schema, params):
        session.rollback()
        return Redirect("entry", query=_query(ctx, visitor, args))
    token = normalise_code(_single(form, "_token")) or new_token()
    invited = _invited(session, ctx, visitor)
    if invited is not None:  # the personal link's response: its token and attributes
        token, attributes = invited
        params = {**params, **attributes}
    existing = session.scalar(select(Response).where(Response.token_hash == secret_hash(token)))
    if existing is not None:  # the same start posted twice: one response, same outcome
        session.rollback()
        return _replace(_where_is(_Ctx(ctx.survey, ctx.schema, existing, 0)), token)
    action = _single(form, "_action") or "next"
    if action.startswith("lang:") and action[5:] in ctx.schema.languages:
        session.rollback()
        return Redirect(
            "page",
            page_id=page_id,
            query={**_query(ctx, visitor, args), "lang": action[5:], "switch": "1"},
        )
    page_lang = _single(form, "_lang")
    language = page_lang if page_lang in ctx.schema.languages else _language(ctx, visitor)
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
    checked = _check(
        ctx, page_id, visitor, form, params, "", start_token=token, query=_query(ctx, visitor, args)
    )
    if isinstance(checked, PageScreen):
        session.rollback()
        return checked
    # A personal link is its own proof (one response per link): no challenge, no start limit.
    checked_start = visitor.start_check and not visitor.test and invited is None
    refused = visitor.start_check() if checked_start else None
    if refused == "challenge":  # the consent page again, with a new challenge (422)
        session.rollback()
        return _screen(
            ctx,
            page_id,
            visitor,
            params,
            typed=_typed(form),
            notice="challenge",
            status=422,
            start_token=token,
            query=_query(ctx, visitor, args),
        )
    if refused:
        session.rollback()
        return StartRefused(_info(ctx, response.language), response.language, refused)
    session.add(response)
    try:
        session.flush()
    except IntegrityError:  # a concurrent twin of this post created it first
        session.rollback()
        return _replace(Redirect("entry"), token)
    ctx.response = response
    return _replace(_advance(session, ctx, page_id, checked, token, visitor.secret, None), token)


def _invited(session, ctx: _Ctx, visitor: Visitor) -> tuple[str, dict] | None:
    from surveyapp.services.invitations import participation

    return participation.invited_start(session, ctx.survey.slug, visitor.invitation, visitor.secret)


def _replace(redirect: Redirect, token: str) -> Redirect:
    return Redirect(redirect.target, redirect.page_id, redirect.url, redirect.query, token)


def _consent_version(schema: Schema, page_id: str) -> str | None:
    for q in schema.page(page_id).questions:
        if q.type == "consent":
            return q.kind.consent_version  # type: ignore[attr-defined]
    return None


def _next(session, ctx: _Ctx, page_id, visitor: Visitor, form, token):
    response = ctx.response
    assert response is not None
    checked = _check(ctx, page_id, visitor, form, None, response.seed)
    if isinstance(checked, PageScreen):
        session.rollback()
        return checked
    page_lang = _single(form, "_lang")
    return _advance(session, ctx, page_id, checked, token, visitor.secret, page_lang)


def _check(ctx: _Ctx, page_id, visitor, form, params, seed, **screen):
    """Validated values of a page, or the page again (422) with what was typed."""
    env = _env(ctx.response, params)
    view = flow.render_page(ctx.schema, page_id, env, seed, ctx.schema.default_language)
    typed = _typed(form)
    unknown = [k for k in typed if k not in META_FIELDS and k not in field_names(view)]
    if unknown:
        log.info("event=unknown_fields page=%s count=%d", page_id, len(unknown))
        return _screen(
            ctx,
            page_id,
            visitor,
            params,
            typed=typed,
            notice="unknown_fields",
            status=422,
            **screen,
        )
    result = flow.validate_page(ctx.schema, page_id, form, env, seed)
    if result.errors:
        return _screen(
            ctx,
            page_id,
            visitor,
            params,
            typed=typed,
            errors=tuple(result.errors),
            status=422,
            **screen,
        )
    return result


def _advance(session, ctx: _Ctx, page_id, result, token, secret, page_lang) -> Redirect:
    """Store a valid page, then go to the next page or the ending; commits."""
    response, schema = ctx.response, ctx.schema
    assert response is not None
    if not _lock(session, ctx):  # before the quota claims: a twin post never reaches them
        return _lost(session, ctx)
    param_ids = {p.id for p in schema.parameters}
    new = flow.apply_page(schema, page_id, result.values, _env(response), response.seed)
    answers = {k: v for k, v in new.items() if k not in param_ids}
    language, chosen = _new_language(schema, response, page_id, result.values, page_lang)
    drafts = {k: v for k, v in (response.draft or {}).items() if k != page_id}
    if result.contact is not None:
        codes = {k: v for k, v in result.contact.codes.items() if v is not None}
        session.add(Contact(survey_id=ctx.survey.id, email=result.contact.email, requests=codes))
    cells = flow.quota_cells(schema, new)
    hard = [c.cell_id for c in cells if c.kind == "hard"]
    step = flow.next_step(schema, page_id, new, quotas.full_cells(session, ctx.survey.id, hard))
    changes: dict[str, Any] = {
        "answers": answers,
        "language": language,
        "language_chosen": chosen,
        "draft": drafts or None,
        "page_history": [*response.page_history, page_id],
    }
    if isinstance(step, flow.NextPage):
        changes["current_page"] = step.page_id
        redirect = Redirect("page", page_id=step.page_id)
    else:
        redirect = _finish(session, ctx, step.ending, new, cells, changes, token, secret)
    return _commit(session, ctx, changes, redirect, locked=True)


def _new_language(schema: Schema, response: Response, page_id, values, page_lang):
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


def _finish(session, ctx: _Ctx, ending: Ending, env, cells, changes, token, secret) -> Redirect:
    """The ending's status, quota slots claimed (hard cell full -> its quota's ending)."""
    response, schema = ctx.response, ctx.schema
    assert response is not None
    if ending.status == "complete" and not response.is_test:
        counted = [c.cell_id for c in cells if ending.id in _counts(schema, c.quota_id)]
        if not quotas.claim(session, response, counted):
            ending = _quota_ending(session, ctx, cells)
    url = flow.redirect_url(schema, ending, env)
    transient = {p.id for p in schema.parameters if p.transient}
    changes["params"] = {k: v for k, v in response.params.items() if k not in transient}
    changes["draft"] = None
    changes.update(
        status=ending.status,
        ending_id=ending.id,
        completed_at=utcnow(),
        current_page=None,
        withdrawal_hash=secret_hash(withdrawal_code(token, secret)),
    )
    return Redirect("external", url=url) if url else Redirect("end")


def _counts(schema: Schema, quota_id: str) -> tuple[str, ...]:
    quota = next(q for q in schema.quotas if q.id == quota_id)
    return quota.counts or tuple(e.id for e in schema.endings if e.status == "complete")


def _quota_ending(session, ctx: _Ctx, cells) -> Ending:
    hard = [c for c in cells if c.kind == "hard"]
    full = quotas.full_cells(session, ctx.survey.id, [c.cell_id for c in hard])
    by_id = {q.id: q for q in ctx.schema.quotas}
    for cell in sorted(hard, key=lambda c: c.cell_id not in full):
        ending_id = by_id[cell.quota_id].ending
        if ending_id:
            return ctx.schema.ending(ending_id)
    raise RuntimeError("a hard quota claim failed without a quota ending")


def _back(session, ctx: _Ctx, page_id, form) -> Redirect:
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
        "draft": _with_draft(ctx, page_id, form),
    }
    return _commit(session, ctx, changes, Redirect("page", page_id=previous))


def _switch(session, ctx: _Ctx, page_id, form, lang) -> Redirect:
    """The language switch: the typed values wait as a draft, the choice is kept."""
    if lang not in ctx.schema.languages:
        session.rollback()
        return Redirect("page", page_id=page_id)
    changes = {"language": lang, "language_chosen": True, "draft": _with_draft(ctx, page_id, form)}
    return _commit(session, ctx, changes, Redirect("page", page_id=page_id))


def _lock(session, ctx: _Ctx) -> bool:
    """Take the response for this transaction: `UPDATE ... SET revision = revision + 1 WHERE
    revision = <read>`. The row stays locked until commit, so a concurrent twin of this post
    waits here, then finds the revision moved on and changes nothing."""
    response = ctx.response
    assert response is not None
    result = session.execute(
        update(Response)
        .where(Response.id == response.id, Response.revision == response.revision)
        .values(revision=response.revision + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _lost(session, ctx: _Ctx) -> Redirect:
    """Another request changed the response first: nothing stored, go where it is now."""
    assert ctx.response is not None
    response_id = ctx.response.id
    session.rollback()
    ctx.response = session.get(Response, response_id)
    return _where_is(ctx)


def _commit(
    session, ctx: _Ctx, changes: dict[str, Any], redirect: Redirect, locked: bool = False
) -> Redirect:
    """Write the changes to the response (taking it first unless `locked`) and commit."""
    if not locked and not _lock(session, ctx):
        return _lost(session, ctx)
    assert ctx.response is not None
    session.execute(
        update(Response)
        .where(Response.id == ctx.response.id)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return redirect


def _with_draft(ctx: _Ctx, page_id: str, form) -> dict[str, Any]:
    response = ctx.response
    assert response is not None
    view = flow.render_page(
        ctx.schema, page_id, _env(response), response.seed, ctx.schema.default_language
    )
    contact = {qv.id for qv in view.questions if is_contact(qv.question)}
    allowed = field_names(view) - contact
    typed = {k: v for k, v in _typed(form).items() if k in allowed}
    drafts = {k: v for k, v in (response.draft or {}).items() if k != page_id}
    kept = list(drafts.items())[-(DRAFT_PAGES_MAX - 1) :]
    return {**dict(kept), page_id: typed}


def field_names(view: PageView) -> set[str]:
    """The form fields a page may post: question ids, `<id>.<row>`, `<id>_other`."""
    names: set[str] = set()
    for qv in view.questions:
        kind = qv.question.type
        if kind == "note":
            continue
        if kind == "matrix":
            names.update(f"{qv.id}.{row.code}" for row in qv.rows)
        else:
            names.add(qv.id)
        if any(o.other for o in qv.options):
            names.add(f"{qv.id}_other")
    return names


def _clean(value: str) -> str:
    text = value[:DRAFT_VALUE_MAX].replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def _typed(form: Mapping[str, Any]) -> dict[str, list[str]]:
    """The raw posted values, bounded and storable (no NUL, no lone surrogate)."""
    getlist = getattr(form, "getlist", None)
    typed = {}
    for key in list(form.keys())[: DRAFT_VALUES_MAX * 4]:
        raw = getlist(key) if getlist else form[key]
        values = [raw] if isinstance(raw, str) else list(raw)
        typed[_clean(str(key))[:200]] = [_clean(str(v)) for v in values[:DRAFT_VALUES_MAX]]
    return typed


def _single(form: Mapping[str, Any], key: str) -> str | None:
    getlist = getattr(form, "getlist", None)
    values = getlist(key) if getlist else ([form[key]] if key in form else [])
    return values[0] if len(values) == 1 and isinstance(values[0], str) else None


def resume(session: Session, slug: str, code: str | None) -> Redirect | None:
    """Exchange a continue-later code for a new token on this device. Commits.

    The code works once: the response gets a fresh token, so a code copied into a link or an
    e-mail cannot be replayed. None when the code matches no response of this survey.
    """
    token = normalise_code(code)
    if token is None:
        return None
    begin_write(session)
    ctx = _load(session, slug, token)
    if ctx.response is None:
        session.rollback()
        return None
    fresh = new_token()
    redirect = _commit(session, ctx, {"token_hash": secret_hash(fresh)}, _where_is(ctx))
    return _replace(redirect, fresh) if ctx.response is not None else None


def withdraw(session: Session, slug: str, code: str | None) -> bool:
    """Delete a finished response by its withdrawal code; its quota slots are released in
    the same transaction. Commits. False when the code matches nothing."""
    normalised = normalise_code(code)
    if normalised is None:
        return False
    begin_write(session)
    survey = surveys.get_survey(session, slug)
    if survey is None:
        raise SurveyNotFound(slug)
    response_id = session.scalar(
        select(Response.id).where(
            Response.survey_id == survey.id,
            Response.withdrawal_hash == secret_hash(normalised),
        )
    )
    if response_id is None:
        session.rollback()
        return False
    released = quotas.release(session, response_id)
    session.execute(delete(Response).where(Response.id == response_id))
    # Shared results tables may hold figures counting this response: forget them.
    session.execute(delete(ResultsCache).where(ResultsCache.survey_id == survey.id))
    record(
        session,
        RESPONDENT,
        "response.withdraw",
        survey_id=survey.id,
        target=str(response_id),
        details={"quota_slots_released": released},
    )
    session.commit()
    return True
