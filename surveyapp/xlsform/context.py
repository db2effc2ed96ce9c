"""State shared by the parts of an import: problems, warnings, origins and languages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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

    def error(self, loc: Location, message: str, char: int | None = None) -> None:
        """Refuse something, at a location."""
        self.problems.append(XlsProblem(loc, message, char))

    def warn(self, loc: Location, message: str) -> None:
        """Report something the import leaves out or supplies."""
        self.warnings.append(XlsProblem(loc, message, severity="warning"))

    def origin(self, path: Path, loc: Location) -> None:
        """Remember where a part of the schema was written."""
        self.origins[path] = loc

    def identifier(self, sheet: Sheet, row: SheetRow, base: str, what: str) -> str | None:
        """A name cell that must be an identifier (`^[a-z][a-z0-9_]*$`)."""
        text = sheet.get(row, base)
        if not text:
            self.error(sheet.loc(row, base), f"the {what} has no name")
            return None
        if not IDENT.match(text):
            hint = f" such as '{_suggest(text)}'" if _suggest(text) else ""
            message = (
                f"'{text}' cannot be an id: ids are lower-case letters, digits and _, starting "
                f"with a letter; rename it{hint} (and update the references to it)"
            )
            self.error(sheet.loc(row, base), message)
            return None
        return text

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


def _suggest(text: str) -> str:
    candidate = re.sub(r"[^a-z0-9_]", "_", text.lower()).strip("_")
    if candidate and not candidate[0].isalpha():
        candidate = "q" + candidate
    return candidate if IDENT.match(candidate) else ""
