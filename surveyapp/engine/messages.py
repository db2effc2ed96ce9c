"""Validation messages: keys mapped to English msgids, translated by the web layer.

The engine never translates. `N_` only marks msgids for extraction
(`pybabel extract -k N_`); `message_text` formats one through the gettext it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


def N_(msgid: str) -> str:  # noqa: N802 (the conventional name of a gettext marker)
    """Mark a string for extraction; return it unchanged."""
    return msgid


MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "required": N_("This question requires an answer."),
        "invalid_choice": N_("Please choose one of the options offered."),
        "repeated": N_("Only one answer can be sent for this field."),
        "too_few": N_("Please choose at least %(min)s answers."),
        "too_many": N_("Please choose at most %(max)s answers."),
        "exclusive": N_("This answer cannot be combined with the other answers ticked."),
        "not_an_integer": N_("Please enter a whole number."),
        "not_a_number": N_("Please enter a number."),
        "too_small": N_("Please enter a number of at least %(min)s."),
        "too_large": N_("Please enter a number of at most %(max)s."),
        "too_many_decimals": N_("Please enter at most %(decimals)s decimal places."),
        "too_long": N_("Please shorten this answer to %(max)s characters or fewer."),
        "invalid_characters": N_("This answer contains characters that cannot be stored."),
        "invalid_email": N_("Please enter a valid e-mail address, for example name@company.com."),
        "consent_required": N_("Please tick the box to take part."),
        "pattern_mismatch": N_("This answer does not have the expected form."),
        "not_a_date": N_("Please enter a date, for example 2025-01-31."),
        "date_too_early": N_("Please enter a date on or after %(min)s."),
        "date_too_late": N_("Please enter a date on or before %(max)s."),
    }
)


@dataclass(frozen=True, slots=True)
class FieldError:
    """A validation error on one form field; `code` is a key of MESSAGES."""

    field: str
    code: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def message_text(error: FieldError, gettext: Callable[[str], str]) -> str:
    """The error's message, translated by `gettext`, with its parameters filled in."""
    text = gettext(MESSAGES[error.code])
    return text % dict(error.params) if error.params else text
