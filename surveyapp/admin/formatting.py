"""Template helpers of the admin pages: localised numbers and dates, labels, visible controls."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_number,
    format_percent,
    pgettext,
)
from flask_babel import gettext as _
from markupsafe import Markup, escape

from surveyapp import date_fields
from surveyapp.admin import bp
from surveyapp.engine import SchemaError
from surveyapp.exports.columns import language_name
from surveyapp.services import surveys
from surveyapp.typography import typeset

#: A template placeholder written in a hint (`{{ unsubscribe_link }}`): shown as one unbreakable
#: piece of code, never split after its `{{`.
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}")
#: Invisible or direction-changing characters an admin should see rather than be fooled by.
_REVEALED = {"Cf", "Cc", "Zl", "Zp"}


@bp.app_template_filter("admin_datetime")
def admin_datetime(value: datetime | None) -> str:
    """A date and time in the admin's language and the configured time zone."""
    return format_datetime(value, "short") if value else ""


@bp.app_template_filter("admin_date")
def admin_date(value: date | None) -> str:
    """A date in the admin's language."""
    return format_date(value, "medium") if value else ""


@bp.app_template_filter("admin_day")
def admin_day(value: date) -> str:
    """A short day and month (`3 févr.`, `Feb 3`) for chart axes."""
    return (
        format_date(value, "d MMM")
        if get_locale_language() != "en"
        else format_date(value, "MMM d")
    )


def get_locale_language() -> str:
    """The language of the page being rendered."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "fr"


@bp.app_template_filter("admin_number")
def admin_number(value: float | int | None, decimals: int | None = None) -> str:
    """A number with the admin language's separators."""
    if value is None:
        return "—"
    if decimals is None:
        return format_number(value)
    return format_decimal(
        round(value, decimals), format=f"#,##0.{'0' * decimals}" if decimals else "#,##0"
    )


@bp.app_template_filter("admin_percent")
def admin_percent(part: int, whole: int) -> str:
    """`part` as a share of `whole` with one decimal in the admin's locale (`42.3%`,
    `42,3 %`); a dash when whole is 0."""
    if not whole:
        return "—"
    return format_percent(part / whole, format=percent_pattern(1))


@bp.app_template_filter("admin_share")
def admin_share(percent: float | int | None) -> str:
    """A percentage already computed (0–100+), whole, in the admin's locale (`42%`, `42 %`)."""
    if percent is None:
        return "—"
    return format_percent(percent / 100, format=percent_pattern(0))


#: The space French typography puts before `%`: narrow and no-break (U+202F). Babel's French
#: data has a full no-break space (U+00A0) there, which reads as a gap in a table column.


def percent_pattern(decimals: int) -> str:
    """The admin's locale's percent pattern (its sign and spacing) with `decimals` decimals;
    French puts a narrow no-break space before the sign (one rule: results/formats.py)."""
    from flask_babel import get_locale

    from surveyapp.results.formats import percent_pattern as pattern_of

    locale = get_locale()
    return pattern_of(str(locale) if locale is not None else "en", decimals)


@bp.app_template_global()
def date_part_order() -> tuple[str, ...]:
    """Day, month and year in the order the admin's language writes a date."""
    return date_fields.part_order(get_locale_language())


@bp.app_template_global()
def date_part_label(part: str) -> str:
    """The label of a date's day, month or year field."""
    return {"day": _("Day"), "month": _("Month"), "year": _("Year")}[part]


@bp.app_template_global()
def split_date(iso: str | None) -> dict[str, str]:
    """An ISO date's day, month and year as the fields show them."""
    return date_fields.split_iso(iso)


@bp.app_template_global()
def language_label(code: str | None) -> str:
    """A language code as its name in that language ("Français", "English")."""
    return language_name(code) if code and code != "?" else _("unknown")


@bp.app_template_global()
def survey_title(survey, version=None) -> str:
    """The survey's title in the admin's language (its slug when it has no version); `version`,
    when the caller has it loaded, saves reading the survey's current one."""
    version = version if version is not None else survey.current_version
    if version is None:
        return survey.slug
    try:
        title = surveys.compiled(version).title
    except SchemaError:
        return survey.slug
    lang = get_locale_language()
    if title.get(lang):
        return typeset(title[lang], lang)  # French typography in French
    return next(iter(title.values()), survey.slug)


@bp.app_template_filter("admin_duration")
def admin_duration(seconds: float | None) -> str:
    """A duration in minutes and seconds (`12 min 5 s`)."""
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes:
        return _("%(minutes)s min %(seconds)s s", minutes=format_number(minutes), seconds=secs)
    return _("%(seconds)s s", seconds=secs)


@bp.app_template_filter("field_hint")
def field_hint(value: object) -> Markup:
    """A form field's description for the page: French typography in French, and each
    `{{ placeholder }}` in a `<code class="placeholder">` that never wraps inside."""
    text = typeset(str(value), get_locale_language())
    parts = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(Markup('<code class="placeholder">{0}</code>').format(match.group(0)))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


@bp.app_template_filter("reveal_controls")
def reveal_controls(value: object) -> Markup:
    """Escape text and show invisible/bidi control characters as visible `<U+202E>` marks."""
    text = "" if value is None else str(value)
    parts = []
    for char in text:
        if char not in "\n\t" and unicodedata.category(char) in _REVEALED:
            parts.append(
                Markup('<span class="ctrl" title="{0}">&lt;U+{1:04X}&gt;</span>').format(
                    unicodedata.name(char, "control"), ord(char)
                )
            )
        else:
            parts.append(escape(char))
    return Markup("").join(parts)


@bp.app_template_global()
def role_label(role: str) -> str:
    """The translated name of a role."""
    return {"admin": _("administrator"), "study": _("study team"), "analyst": _("analyst")}.get(
        role, role
    )


@bp.app_template_global()
def status_label(status: str) -> str:
    """The translated name of a response status."""
    return {
        "in_progress": _("in progress"),
        "complete": _("complete"),
        "screened_out": _("screened out"),
        "quota_full": _("quota full"),
    }.get(status, status)


@bp.app_template_global()
def state_label(state: str) -> str:
    """The translated name of a survey state."""
    labels = {
        "draft": pgettext("the state of a survey", "draft"),
        "open": pgettext("the state of a survey", "open"),
        "closed": pgettext("the state of a survey", "closed"),
    }
    return labels.get(state, state)
