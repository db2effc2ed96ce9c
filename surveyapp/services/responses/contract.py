"""What the respondent views receive: the visitor they describe, the screens and redirects
the use cases answer with, and the exceptions they raise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from surveyapp.engine.messages import FieldError
from surveyapp.engine.render import PageView


class SurveyNotFound(LookupError):
    """No published survey with this slug (draft surveys are not shown to respondents)."""


class InvitationRequired(SurveyNotFound):
    """An invitation-only survey reached through its open link: no response may start there."""

    def __init__(self, info: SurveyInfo) -> None:
        super().__init__(info.slug)
        self.info = info


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
