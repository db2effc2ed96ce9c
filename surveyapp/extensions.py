"""Extensions, created unbound here and bound to an app in `create_app`."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

from surveyapp.database import Database

db = Database()
csrf = CSRFProtect()
babel = Babel()
#: Login throttling; each limit names its own key function (none uses the client address).
limiter = Limiter(key_func=lambda: "surveyapp")
#: Blueprints none of whose views declares a limit, and the application declares none: for
#: their requests Flask-Limiter's per-request resolution of the limits that apply (it always
#: finds none) is skipped. Checked by tests/core/test_rate_limit_scope.py, which fails when a
#: view of one of them gets a limit or the application a default one.
UNLIMITED_BLUEPRINTS = frozenset({"respondent"})


@limiter.request_filter
def _declares_no_limit() -> bool:
    return request.blueprint in UNLIMITED_BLUEPRINTS
