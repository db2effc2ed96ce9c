"""The column model of an export, whose layout is derived from the schema, never from the data.

A layout is the union of the columns of every version of a survey, in version order: a column
that a later version removes stays (empty for that version's responses), a column that a later
version adds is inserted after the column that precedes it in that version (`layout.py`). The
question columns themselves come from the engine (`Question.kind.columns`: one column per
single-choice, number and text question, one 0/1 column per option of a multiple choice, the
"other" text, one column per matrix row, the order shown); `column_builders.py` adds the
response metadata, the derived variables, the order columns (moved after the derived
variables) and the quality flags. This module holds what they share: `ExportColumn` (each
column with what the codebook needs), the sections and the missing-data code.

Missing data (see docs/exports.md): "not asked" is an empty cell (SPSS system-missing);
"shown but not answered" is `NOT_ANSWERED` (-99, an SPSS user-missing value); an answered
"don't know" keeps its own option code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from surveyapp.languages import autonym

#: The cell written for a question that was shown but left unanswered.
NOT_ANSWERED = -99

Text = Mapping[str, str]
NO_TEXT: Text = MappingProxyType({})

#: Sections, in the order they appear in an export.
SECTIONS = ("response", "answer", "derived", "order", "quality")

#: Column kinds whose cells are numbers (or empty); every other kind holds text.
NUMERIC_KINDS = frozenset(
    {
        "id",
        "version",
        "duration",
        "test",
        "flag",
        "integer",
        "decimal",
        "nps",
        "derived_number",
        "quality",
    }
)
#: Kinds whose values are option codes (numbers when every code of the column is an integer).
CODE_KINDS = frozenset({"single", "matrix_row", "derived_single", "param_single", "consent"})

FLAG_LABELS: Mapping[str, Text] = MappingProxyType(
    {
        "0": MappingProxyType({"fr": "Non coché", "en": "Not ticked"}),
        "1": MappingProxyType({"fr": "Coché", "en": "Ticked"}),
    }
)
YES_NO: Mapping[str, Text] = MappingProxyType(
    {
        "0": MappingProxyType({"fr": "Non", "en": "No"}),
        "1": MappingProxyType({"fr": "Oui", "en": "Yes"}),
    }
)


@dataclass(frozen=True, slots=True)
class ExportColumn:
    """One column of an export and everything the codebook says about it."""

    name: str
    section: str
    kind: str
    #: The question, derived variable or parameter the column reads (None for metadata).
    source: str | None = None
    #: Column title per language (question text; for an option or row, "text — label").
    title: Text = field(default_factory=dict)
    #: Value labels, code -> {language: label}, in the schema's order.
    values: Mapping[str, Text] = field(default_factory=dict)
    #: The option code of a 0/1 column, the row code of a matrix-row column.
    code: str | None = None
    row: str | None = None
    personal: bool = False
    #: Cells are numbers (codes that are all integers, counts, 0/1 flags).
    numeric: bool = False
    #: When the question is asked: readable text and the JSON tree (None: always).
    condition: str | None = None
    condition_tree: Any = None
    #: Quota cells that this column's variable feeds (directly or through derived variables).
    quota_cells: tuple[str, ...] = ()
    #: Survey version numbers that have this column.
    versions: tuple[int, ...] = ()
    description: Text = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: The name made of ids (`rcsi`, `d4_3_1`) when the author's name (`rCSI`, `d4.3_1`) differs:
    #: the SPSS name when the author's is not a valid SPSS name.
    id_name: str | None = None


def bilingual(fr: str, en: str) -> Text:
    return MappingProxyType({"fr": fr, "en": en})


def language_name(code: str) -> str:
    """A language as its speakers write it ("Français", "English"); the code when unknown."""
    return autonym(code)
