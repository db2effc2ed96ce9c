"""Locale selection for Flask-Babel, the page language, and French typography of the interface.

Two languages can differ on a respondent page: the survey's language (its texts; `<html lang>`)
and the interface's (buttons, messages). A survey may be written in a language the interface
has no catalog for (`de`, `sw`…): its pages keep `lang="de"` while the interface falls back to
English, and the interface's elements say `lang="en"` (`ui_lang_attr`).
"""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context, has_request_context, request
from markupsafe import Markup

from surveyapp.caching import LRUCache
from surveyapp.languages import INTERFACE_LANGUAGES
from surveyapp.typography import NBSP, typeset_html

#: The interface languages (catalogs in translations/), from the one language table.
SUPPORTED_LOCALES = INTERFACE_LANGUAGES
#: The interface language of a page whose survey language has no catalog.
FALLBACK_LOCALE = "en"
#: Blueprints whose HTML interface strings get French typography (`surveyapp.typography`).
#: Another blueprint opts in by adding its name.
TYPESET_BLUEPRINTS = {"respondent"}


def interface_locale(lang: str) -> str:
    """The interface language for content in `lang`: itself, or English without a catalog."""
    return lang if lang in SUPPORTED_LOCALES else FALLBACK_LOCALE


def select_locale() -> str:
    """The language set for this request by a view, else `?lang=`, else Accept-Language."""
    chosen = g.get("locale")
    if chosen:
        return interface_locale(chosen)
    lang = request.args.get("lang")
    if lang in SUPPORTED_LOCALES:
        return lang
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "fr"


def _locale() -> Any:
    """Flask-Babel's locale of this request (`get_locale()`), read in one context lookup where
    Flask-Babel has already set it (its `get_locale` makes three, and the interface strings
    ask at each string: 1.7 % of a respondent's page cycle, sampled); else its own answer."""
    from flask_babel import get_locale

    state = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(state, "babel_locale", None)
    return locale if locale is not None else get_locale()


def _locale_key(locale: Any) -> tuple[Any, ...] | None:
    """A memo key for `locale`: its parts, compared as strings (a request's `Locale` object
    is new each time, and Babel's `__eq__` compares them in Python)."""
    if locale is None:
        return None
    return (locale.language, locale.territory, locale.script, locale.variant)


def ui_lang() -> str:
    """The language of the interface strings being rendered."""
    locale = _locale()
    return locale.language if locale else "fr"


def current_lang() -> str:
    """The language of the page being rendered (for `<html lang>`): the survey's language
    when a view set one, else the interface's."""
    return g.get("content_lang") or ui_lang()


def ui_lang_attr() -> Markup:
    """` lang="en"` on interface elements of a page whose survey language has no catalog."""
    ui = ui_lang()
    return Markup(' lang="%s"') % ui if current_lang() != ui else Markup("")


def longdate(value) -> str:
    """A long date in the interface language that never splits across lines."""
    from flask_babel import format_date

    return format_date(value, "long").replace(" ", NBSP)


#: Interface strings as the templates show them, before their %(name)s values are put in:
#: (locale, typeset or not, gettext method, its arguments) -> text. A catalog does not change
#: while the process runs, and a locale has one (Flask-Babel loads and caches it per locale):
#: the entry is exactly the translation, typeset in a `TYPESET_BLUEPRINTS` page, and the
#: typography's regular expressions run once per string and locale, not at every rendering.
#: Keyed by the locale's parts (`_locale`: one context lookup), not by the translations object,
#: which Flask-Babel finds through three (a fifth of a page's interface-string cost).
_UI_TEXTS: LRUCache[tuple[Any, ...], str] = LRUCache(4096)


def _ui_text(method: str, *args: Any) -> str:
    """`get_translations().<method>(*args)`, typeset for the interface language in a
    `TYPESET_BLUEPRINTS` request, memoised in `_UI_TEXTS`."""
    from flask_babel import get_translations

    typeset = has_request_context() and request.blueprint in TYPESET_BLUEPRINTS
    key = (_locale_key(_locale()), typeset, method, args)
    text = _UI_TEXTS.get(key)
    if text is None:
        text = getattr(get_translations(), method)(*args)
        if typeset:
            text = typeset_html(text, ui_lang())
        if has_app_context():  # else a new NullTranslations at each call: nothing to reuse
            _UI_TEXTS.put(key, text)
    return text


#: Percentages as the interface language writes them, by (locale, whole percent): a page's
#: progress is one of 0..100, formatted by Babel's number patterns at every page otherwise.
_PERCENTS: LRUCache[tuple[Any, int], str] = LRUCache(512)


def percent_text(percent: int) -> str:
    """`percent` (a whole number) as a percentage in the interface language ("42 %" in
    French, with its no-break space; "42%" in English): Flask-Babel's format_percent,
    memoised per locale."""
    from flask_babel import format_percent

    key = (_locale_key(_locale()), percent)
    text = _PERCENTS.get(key)
    if text is None:
        text = format_percent(percent / 100)
        _PERCENTS.put(key, text)
    return text


def init_app(app) -> None:
    """Template globals, and the templates' gettext callables wrapped by the typography filter
    (before Jinja formats them, so a value passed as a parameter is never altered)."""
    app.jinja_env.globals.update(current_lang=current_lang, ui_lang_attr=ui_lang_attr)
    app.jinja_env.filters["typeset"] = lambda text: typeset_html(text, ui_lang())
    app.jinja_env.filters["longdate"] = longdate
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _ui_text("ugettext", s),
        ngettext=lambda s, p, n: _ui_text("ungettext", s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _ui_text("upgettext", c, s),
        npgettext=lambda c, s, p, n: _ui_text("unpgettext", c, s, p, n),
    )
