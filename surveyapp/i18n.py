"""Locale selection for Flask-Babel, the page language, and French typography of the interface.

Two languages can differ on a respondent page: the survey's language (its texts; `<html lang>`)
and the interface's (buttons, messages). A survey may be written in a language the interface
has no catalog for (`de`, `sw`…): its pages keep `lang="de"` while the interface falls back to
English, and the interface's elements say `lang="en"` (`ui_lang_attr`).
"""

from __future__ import annotations

from flask import g, has_request_context, request
from markupsafe import Markup

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


def ui_lang() -> str:
    """The language of the interface strings being rendered."""
    from flask_babel import get_locale

    locale = get_locale()
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


def _typeset_ui(text: str) -> str:
    if not has_request_context() or request.blueprint not in TYPESET_BLUEPRINTS:
        return text
    return typeset_html(text, ui_lang())


def init_app(app) -> None:
    """Template globals, and the templates' gettext callables wrapped by the typography filter
    (before Jinja formats them, so a value passed as a parameter is never altered)."""
    from flask_babel import get_translations

    app.jinja_env.globals.update(current_lang=current_lang, ui_lang_attr=ui_lang_attr)
    app.jinja_env.filters["typeset"] = lambda text: typeset_html(text, ui_lang())
    app.jinja_env.filters["longdate"] = longdate
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _typeset_ui(get_translations().ugettext(s)),
        ngettext=lambda s, p, n: _typeset_ui(get_translations().ungettext(s, p, n)),
        newstyle=True,
        pgettext=lambda c, s: _typeset_ui(get_translations().upgettext(c, s)),
        npgettext=lambda c, s, p, n: _typeset_ui(get_translations().unpgettext(c, s, p, n)),
    )
