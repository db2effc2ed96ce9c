"""`i18n._locale` reads the locale where Flask-Babel keeps it for the request: the same object
`get_locale()` returns, after a refresh too; an upgrade that moves it fails here, not by
silently falling back to Flask-Babel's three lookups at every interface string."""

from __future__ import annotations

from flask import g
from flask_babel import get_locale, refresh

from surveyapp import create_app
from surveyapp.i18n import _locale, _locale_key, ui_lang


def test_the_locale_is_read_where_flask_babel_keeps_it():
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "k", "LOG_LEVEL": "WARNING"})
    with app.test_request_context("/?lang=en"):
        first = get_locale()
        assert g._flask_babel.babel_locale is first  # where the fast path reads it
        assert _locale() is first
        assert ui_lang() == "en"
        g.locale = "fr"
        refresh()  # a view choosing the language: Flask-Babel forgets its choice
        assert _locale() is get_locale()
        assert ui_lang() == "fr"
        assert _locale_key(_locale()) == ("fr", None, None, None)
