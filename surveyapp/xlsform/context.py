"""State shared by the parts of an import: problems, warnings, origins and languages."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..engine.reader import COLUMN_NAME, MAX_COLUMN_NAME
from .languages import language_label
from .problems import Location, XlsProblem
from .reader import Sheet, SheetRow, Workbook

IDENT = re.compile(r"[a-z][a-z0-9_]*\Z")
Path = tuple[Any, ...]


@dataclass
class Context:
    """One import: the workbook, what went wrong, and where each part of the schema came from."""

    book: Workbook
    problems: list[XlsProblem] = field(default_factory=list)
    warnings: list[XlsProblem] = field(default_factory=list)
    origins: dict[Path, Location] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    default: str = ""
    #: header suffix (None for an unsuffixed column) -> language code
    lang_of: dict[str | None, str] = field(default_factory=dict)
    #: names as the author wrote them -> the ids they became (`Hallo` -> `hallo`)
    renamed: dict[str, str] = field(default_factory=dict)
    #: id -> the name it was written as (to refuse two names becoming one id)
    author_of: dict[str, str] = field(default_factory=dict)
    #: choice names as written -> the codes they became (`project-alpha` -> `project_alpha`)
    renamed_codes: dict[str, str] = field(default_factory=dict)
    #: choices-sheet columns that choice filters compare with a fixed value (`pastel=yes`)
    filter_columns: set[str] = field(default_factory=set)
    #: (list name, code) -> {column: text} for those columns
    choice_columns: dict[tuple[str, Any], dict[str, str]] = field(default_factory=dict)
    #: (list name, code) -> {column: location of its cell} for those columns
    choice_cells: dict[tuple[str, Any], dict[str, Location]] = field(default_factory=dict)

    def error(self, loc: Location, message: str, char: int | None = None) -> None:
        """Refuse something, at a location."""
        self.problems.append(XlsProblem(loc, message, char))

    def warn(self, loc: Location, message: str) -> None:
        """Report something the import leaves out or supplies."""
        self.warnings.append(XlsProblem(loc, message, severity="warning"))

    def origin(self, path: Path, loc: Location) -> None:
        """Remember where a part of the schema was written."""
        self.origins[path] = loc

    def identifier(
        self, sheet: Sheet, row: SheetRow, base: str, what: str, exported: bool = False
    ) -> str | None:
        """A name cell that must be an identifier (`^[a-z][a-z0-9_]*$`); `exported`: the name
        of an export column, which keeps the author's name (`author_column`)."""
        text = sheet.get(row, base)
        if not text:
            self.error(sheet.loc(row, base), f"the {what} has no name")
            return None
        name = text if IDENT.match(text) else as_identifier(text)
        if not name:
            message = (
                f"'{text}' cannot be an id: write a name with letters, digits and _ that starts "
                "with a letter"
            )
            self.error(sheet.loc(row, base), message)
            return None
        earlier = self.author_of.setdefault(name, text)
        if earlier != text:
            message = (
                f"'{text}' and '{earlier}' would both be the id '{name}' (ids are lower-case): "
                "rename one of them"
            )
            self.error(sheet.loc(row, base), message)
            return None
        if name != text:
            self.renamed[text] = name
            message = (
                f"the {what} '{text}' has the id '{name}' (lower-case letters, digits and _); "
                "references to it are followed"
            )
            if exported and column_name(text) is not None:
                message += f"; its export column keeps the name '{text}'"
            elif exported:
                message += (
                    f"; it is exported as '{name}' (an export column name is letters, digits "
                    "and _ . - starting with a letter or _)"
                )
            self.warn(sheet.loc(row, base), message)
        return name

    def texts(
        self, sheet: Sheet, row: SheetRow, base: str, what: str, required: bool
    ) -> dict[str, str] | None:
        """A translated text from `base` / `base::<language>` columns, in every language."""
        found: dict[str, str] = {}
        columns = {}
        for column in sheet.with_base(base):
            lang = self.lang_of.get(column.suffix)
            if lang is None:
                continue
            columns[lang] = column
            text = row.texts.get(column.index, "")
            if text:
                found[lang] = text
        if not found:
            if required:
                self.error(sheet.loc(row, base), f"the {what} is empty: write it in every language")
            return None
        for lang in self.languages:
            if lang not in found:
                name = language_label(lang)
                loc = sheet.cell_loc(row, columns[lang]) if lang in columns else sheet.loc(row)
                where = "this cell is empty" if lang in columns else f"there is no {base} column"
                message = f"no {name} {what}: {where}; every text needs each language"
                self.error(loc, message)
        return {lang: found[lang] for lang in self.languages if lang in found}


def column_name(written: str) -> str | None:
    """The author's name as an export column name (`rCSI`, `d4.3`, `Q-1`), or None when the
    schema could not take it (`Größe`, `Q 1`): such a name is exported as its id."""
    if COLUMN_NAME.match(written) and len(written) <= MAX_COLUMN_NAME:
        return written
    return None


def author_column(sheet: Sheet, row: SheetRow, ident: str) -> str | None:
    """The `column` to keep for a row whose name became the id `ident`: the name as written
    when it differs from the id and is a valid column name."""
    written = sheet.get(row, "name")
    return column_name(written) if written and written != ident else None


def as_identifier(text: str) -> str:
    """The id of a name as authors write it: `Q1.b-2` -> `q1_b_2`, `Größe` -> `grosse`;
    '' when nothing is left. Accents are dropped, other characters become `_`."""
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    candidate = re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", ascii_text)).strip("_")
    if candidate and not candidate[0].isalpha():
        candidate = "n" + candidate
    return candidate if IDENT.match(candidate) else ""
