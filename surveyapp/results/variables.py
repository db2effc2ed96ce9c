"""What can be tabulated, read from the export layout (the codebook's columns), never from data.

A `Variable` groups the export columns of one question, derived variable or parameter: a
single choice has one code column, a multiple choice one 0/1 column per option, a grid one
code column per row. Labels, conditions and the "possibly personal" mark come from the
layout, so the results speak exactly as the exports and their codebook do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from surveyapp.exports.columns import ExportColumn

Text = Mapping[str, str]

#: Kinds that can be a breakdown (one code per respondent).
CODE_KINDS = ("single", "derived", "param", "language")


@dataclass(frozen=True, slots=True)
class Item:
    """An option of a multiple choice or a row of a grid: its code, label and column."""

    code: str
    label: Text
    column: str


@dataclass(frozen=True, slots=True)
class Variable:
    """One question, derived variable or parameter, as the results see it."""

    id: str
    #: single | multiple | grid | number | nps | text | other | derived | derived_number |
    #: param | language
    kind: str
    title: Text
    #: Value codes in the schema's order, with their labels (single, grid scale, derived…).
    codes: tuple[str, ...] = ()
    labels: Mapping[str, Text] = field(default_factory=dict)
    #: Options of a multiple choice, rows of a grid.
    items: tuple[Item, ...] = ()
    #: Readable condition under which it is asked (None: whenever the route reaches it).
    condition: str | None = None
    condition_tree: Any = None
    personal: bool = False
    page: str | None = None
    #: The export columns read.
    columns: tuple[str, ...] = ()
    #: The author's name for it (`rCSI`, schema `column`) when it is not the id.
    name: str | None = None

    def label(self, code: str, lang: str) -> str:
        """The label of a code in `lang` (the code itself when it has none)."""
        labels = self.labels.get(code)
        return (labels.get(lang) or code) if labels else code

    @property
    def is_code(self) -> bool:
        """One code per respondent: usable as a breakdown."""
        return self.kind in CODE_KINDS


def _item_label(col: ExportColumn, question: ExportColumn | None) -> Text:
    """The option or row part of a "question — option" column title."""
    out = {}
    for lang, text in col.title.items():
        prefix = question.title.get(lang, "") if question is not None else ""
        out[lang] = text[len(prefix) :].lstrip(" —") if prefix and text.startswith(prefix) else text
    return MappingProxyType(out)


def _kind(col: ExportColumn) -> str | None:
    kinds = {
        "single": "single",
        "integer": "number",
        "decimal": "number",
        "nps": "nps",
        "text": "text",
        "other": "other",
        "derived_single": "derived",
        "derived_number": "derived_number",
        "param_single": "param",
        "language": "language",
    }
    return kinds.get(col.kind)


def catalog(layout: Sequence[ExportColumn], titles: Mapping[str, Text]) -> dict[str, Variable]:
    """Variables by id, in layout order. `titles` gives each question's own text (the flag and
    row columns carry "question — option" titles)."""
    out: dict[str, Variable | None] = {}  # None holds a composite's place in the order
    grouped: dict[str, list[ExportColumn]] = {}
    for col in layout:
        if col.kind in ("flag", "matrix_row"):
            grouped.setdefault(col.source or col.name, []).append(col)
            if col.source not in out:
                out[col.source or col.name] = None
            continue
        kind = _kind(col)
        if kind is None:
            continue
        ident = col.name if kind in ("other", "language") else (col.source or col.name)
        out[ident] = _simple(ident, kind, col)
    for ident, cols in grouped.items():
        out[ident] = _composite(ident, cols, titles.get(ident))
    return {k: v for k, v in out.items() if v is not None}


def _simple(ident: str, kind: str, col: ExportColumn) -> Variable:
    return Variable(
        ident,
        kind,
        col.title,
        codes=tuple(col.values),
        labels=col.values,
        condition=col.condition,
        condition_tree=col.condition_tree,
        personal=col.personal,
        page=col.extra.get("page"),
        columns=(col.name,),
        name=col.name if col.name != ident else None,
    )


def _composite(ident: str, cols: list[ExportColumn], title: Text | None) -> Variable:
    first = cols[0]
    question = ExportColumn(ident, "answer", "question", title=title or {})
    if first.kind == "flag":
        items = tuple(Item(c.code or "", _item_label(c, question), c.name) for c in cols)
        codes: tuple[str, ...] = ()
        labels: Mapping[str, Text] = {}
        kind = "multiple"
    else:
        items = tuple(Item(c.row or "", _item_label(c, question), c.name) for c in cols)
        codes, labels, kind = tuple(first.values), first.values, "grid"
    return Variable(
        ident,
        kind,
        title or first.title,
        codes=codes,
        labels=labels,
        items=items,
        # A multiple choice's first column adds "<q> has <code>" for piped options: drop it.
        condition=_question_condition(first) if kind == "multiple" else first.condition,
        condition_tree=first.condition_tree,
        personal=any(c.personal for c in cols),
        page=first.extra.get("page"),
        columns=tuple(c.name for c in cols),
        name=first.extra.get("question_column"),
    )


def _question_condition(col: ExportColumn) -> str | None:
    source = col.extra.get("options_from")
    if not col.condition or not source:
        return col.condition
    suffix = f"{source} has {col.code}"
    text = col.condition
    if text == suffix:
        return None
    return text.removesuffix(f" and ({suffix})").removeprefix("(").removesuffix(")") or None


def question_titles(schemas: Sequence[Any]) -> dict[str, Text]:
    """Each question's own text, newest version last (so it wins)."""
    titles: dict[str, Text] = {}
    for schema in schemas:
        for qid, q in schema.questions.items():
            titles[qid] = q.text
    return titles
