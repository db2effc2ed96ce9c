"""Locale selection for Flask-Babel."""

from __future__ import annotations

from flask import g, request

SUPPORTED_LOCALES = ("fr", "en")


def select_locale() -> str:
    """The language set for this request by a view, else `?lang=`, else Accept-Language."""
    chosen = g.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    lang = request.args.get("lang")
    if lang in SUPPORTED_LOCALES:
        return lang
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "fr"


def current_lang() -> str:
    """The language of the page being rendered (for `<html lang>`)."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "fr"


def init_app(app) -> None:
    """Expose `current_lang` to templates."""
    app.jinja_env.globals["current_lang"] = current_lang
