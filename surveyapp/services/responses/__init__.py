"""The respondent's questionnaire: consent, page-by-page saving, Back, language, resume, endings.

Every write is one transaction (`services.transaction.begin_write`: BEGIN IMMEDIATE on
SQLite) that ends with an optimistic `UPDATE responses ... WHERE revision = <read>`: of two
identical posts, one wins and the other changes nothing and is sent to where the respondent
really is. No response exists before the first page (the consent) is accepted. The
respondent's token and withdrawal code are never stored, only their SHA-256. Views build the
`Visitor` (the actor) from the request; this package never reads the Flask session, cookies
or headers itself.

Modules, each one job:

- `codes`: tokens, continue-later and withdrawal codes, signed test-mode links;
- `contract`: what views receive (`Visitor`, the screens, `Redirect`, the exceptions);
- `context`: one request's survey and response (`ResponseContext`) and what follows from them;
- `forms`: posted page forms, typed values and drafts;
- `writes`: the optimistic write of a response (take it, write, commit; or a lost race);
- `reading`: the use cases that only read (entry, a page, the ending, continue later);
- `submission`: a page posted (Next, Back, language switch, Continue later);
- `ending`: a response reaching its ending (status, quota claims, withdrawal code);
- `resume`: continuing on another device, and withdrawing a finished response.

Callers import from the package: the names below are its public interface.
"""

from surveyapp.services.responses.codes import (
    CODE_ALPHABET,
    TEST_MAX_AGE,
    TEST_SALT,
    TOKEN_BYTES,
    code_from_bytes,
    format_code,
    issue_test_token,
    new_token,
    normalise_code,
    secret_hash,
    verify_test_token,
    withdrawal_code,
)
from surveyapp.services.responses.context import best_language
from surveyapp.services.responses.contract import (
    ClosedScreen,
    EndingScreen,
    InvitationRequired,
    LaterScreen,
    PageScreen,
    Redirect,
    StartRefused,
    SurveyInfo,
    SurveyLink,
    SurveyNotFound,
    Visitor,
)
from surveyapp.services.responses.forms import (
    DRAFT_PAGES_MAX,
    DRAFT_VALUE_MAX,
    DRAFT_VALUES_MAX,
    META_FIELDS,
)
from surveyapp.services.responses.reading import (
    continue_later,
    ending_screen,
    enter,
    open_surveys,
    show_page,
    survey_info,
)
from surveyapp.services.responses.resume import resume, withdraw
from surveyapp.services.responses.submission import submit_page

__all__ = [
    "CODE_ALPHABET",
    "DRAFT_PAGES_MAX",
    "DRAFT_VALUES_MAX",
    "DRAFT_VALUE_MAX",
    "META_FIELDS",
    "TEST_MAX_AGE",
    "TEST_SALT",
    "TOKEN_BYTES",
    "ClosedScreen",
    "EndingScreen",
    "InvitationRequired",
    "LaterScreen",
    "PageScreen",
    "Redirect",
    "StartRefused",
    "SurveyInfo",
    "SurveyLink",
    "SurveyNotFound",
    "Visitor",
    "best_language",
    "code_from_bytes",
    "continue_later",
    "ending_screen",
    "enter",
    "format_code",
    "issue_test_token",
    "new_token",
    "normalise_code",
    "open_surveys",
    "resume",
    "secret_hash",
    "show_page",
    "submit_page",
    "survey_info",
    "verify_test_token",
    "withdraw",
    "withdrawal_code",
]
