"""Extensions, created unbound here and bound to an app in `create_app`."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

from surveyapp.database import Database

db = Database()
csrf = CSRFProtect()
babel = Babel()
#: Login throttling; each limit names its own key function (none uses the client address).
limiter = Limiter(key_func=lambda: "surveyapp")
