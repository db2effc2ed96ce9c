"""Validation messages: keys mapped to English msgids, translated by the web layer.

The engine never translates. `N_` and `NP_` only mark msgids for extraction
(`pybabel extract -k N_ -k NP_:1,2`); `message_text` formats one through the gettext (and
ngettext, for the messages whose wording follows a number) it is given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


def N_(msgid: str) -> str:  # noqa: N802 (the conventional name of a gettext marker)
    """Mark a string for extraction; return it unchanged."""
    return msgid


def NP_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802
    """Mark a singular/plural pair for extraction; return it unchanged."""
    return singular, plural


#: Messages whose wording follows a number: (singular, plural, the parameter counted).
PLURAL_MESSAGES: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "too_few": (
            *NP_(
                "Please choose at least %(min)s answer.",
                "Please choose at least %(min)s answers.",
            ),
            "min",
        ),
        "too_many": (
            *NP_(
                "Please choose at most %(max)s answer.",
                "Please choose at most %(max)s answers.",
            ),
            "max",
        ),
    }
)

MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "required": N_("Please answer this question."),
        "invalid_choice": N_("Please choose one of the options offered."),
        "repeated": N_("Only one answer can be sent for this field."),
        "too_few": PLURAL_MESSAGES["too_few"][1],
        "too_many": PLURAL_MESSAGES["too_many"][1],
        # %(option)s: the label of the option that excludes the others ("None").
        "exclusive": N_("“%(option)s” cannot be selected together with another answer."),
        "not_an_integer": N_("Please enter a whole number."),
        "not_a_number": N_("Please enter a number."),
        "too_small": N_("Please enter a number of at least %(min)s."),
        "too_large": N_("Please enter a number of at most %(max)s."),
        "too_many_decimals": N_("Please enter at most %(decimals)s decimal places."),
        "too_long": N_("Please shorten this answer to %(max)s characters or fewer."),
        "invalid_characters": N_("This answer contains characters that cannot be stored."),
        "invalid_email": N_("Please enter a valid e-mail address, for example name@company.com."),
        "consent_required": N_("Please check the box to take part."),
        "pattern_mismatch": N_("This answer does not have the expected form."),
        "not_a_date": N_("Please enter a date, for example 2025-01-31."),
        "date_too_early": N_("Please enter a date on or after %(min)s."),
        "date_too_late": N_("Please enter a date on or before %(max)s."),
        # %(label)s: the question's "don't know" label, as the respondent reads it.
        "dont_know_and_number": N_("Please either enter a number or select “%(label)s”, not both."),
        # Only with the schema's own message (FieldError.text); this is a fallback.
        "check_failed": N_("Please check this answer against your other answers."),
        # A date typed as day, month and year (the web layer fills %(date)s, `31/02`).
        "date_no_day": N_("Please enter the day."),
        "date_no_month": N_("Please enter the month."),
        "date_no_year": N_("Please enter the year."),
        "date_incomplete": N_("Please enter the day, the month and the year."),
        "date_not_numbers": N_("Please enter the day, the month and the year in figures."),
        "date_year_digits": N_("Please enter the year with four digits, for example 1987."),
        "date_bad_month": N_("Please enter a month from 1 to 12."),
        "date_not_real": N_("This date does not exist: %(date)s."),
    }
)

#: Errors that a question's `constraint_message` replaces: its bounds and its pattern.
CONSTRAINT_CODES = frozenset(
    {"too_small", "too_large", "too_few", "too_many", "too_long", "pattern_mismatch"}
    | {"date_too_early", "date_too_late"}
)


@dataclass(frozen=True, slots=True)
class FieldError:
    """A validation error on one form field; `code` is a key of MESSAGES."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    #: The schema's own message in every language (a check, a constraint_message): shown
    #: instead of the platform's message for `code`.
    text: Mapping[str, str] | None = None


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def message_text(
    error: FieldError,
    gettext: Callable[[str], str],
    ngettext: Callable[[str, str, int], str] = _english_plural,
    lang: str | None = None,
) -> str:
    """The error's message, translated by `gettext` (or `ngettext` when its wording follows a
    number), with its parameters filled in; the schema's own message in `lang` when it has one."""
    if error.text:
        own = error.text.get(lang or "") or next(iter(error.text.values()))
        return own
    params = dict(error.params)
    if error.code == "exclusive":
        params.setdefault("option", params.get("code", ""))
    if error.code == "date_not_real":  # without the web layer's wording: the ISO order
        parts = (str(params.get(key, "")) for key in ("year", "month", "day"))
        params.setdefault("date", "-".join(parts))
    if error.code in PLURAL_MESSAGES:
        singular, plural, counted = PLURAL_MESSAGES[error.code]
        count = params.get(counted)
        text = ngettext(singular, plural, count if isinstance(count, int) else 2)
    else:
        text = gettext(MESSAGES[error.code])
    return text % params if params else text
