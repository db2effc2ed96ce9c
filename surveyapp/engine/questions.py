"""Question types as a registry of classes: schema keys, render hints, validation, columns.

Each type is a frozen dataclass holding its own settings (min, max, max_length…). It reads
those settings from the schema, turns the raw posted strings of a page into stored values
(never accepting a code outside the options currently shown), and lays out its export
columns. Options, rows and visibility are handled by the loader and flow, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .choices import CHOICE_KEYS, MatrixType, MultipleType, SingleType
from .dates import DateType
from .inputs import (
    ConsentType,
    Contact,
    DecimalType,
    EmailType,
    IntegerType,
    NoteType,
    NpsType,
    TextType,
)
from .question_base import (
    EMAIL_MAX_LENGTH,
    MAX_TEXT_LENGTH,
    OTHER_MAX_LENGTH,
    QuestionType,
    clean_text,
    form_values,
    valid_email,
)

QUESTION_TYPES: Mapping[str, type[QuestionType]] = MappingProxyType(
    {
        cls.name: cls
        for cls in (
            SingleType,
            MultipleType,
            MatrixType,
            IntegerType,
            DecimalType,
            TextType,
            EmailType,
            NpsType,
            ConsentType,
            NoteType,
            DateType,
        )
    }
)

__all__ = [
    "CHOICE_KEYS",
    "EMAIL_MAX_LENGTH",
    "MAX_TEXT_LENGTH",
    "OTHER_MAX_LENGTH",
    "QUESTION_TYPES",
    "ConsentType",
    "Contact",
    "DateType",
    "DecimalType",
    "EmailType",
    "IntegerType",
    "MatrixType",
    "MultipleType",
    "NoteType",
    "NpsType",
    "QuestionType",
    "SingleType",
    "TextType",
    "clean_text",
    "form_values",
    "valid_email",
]
