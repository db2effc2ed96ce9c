"""Where something is in a workbook, and the refusals and warnings of an import or export."""

from __future__ import annotations

from dataclasses import dataclass


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Location:
    """A cell (or a row when `column` is 0, a sheet when `row` is 0) of the workbook."""

    sheet: str
    row: int = 0
    column: int = 0
    header: str = ""

    def __str__(self) -> str:
        parts = [self.sheet]
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            name = f" ({self.header})" if self.header else ""
            parts.append(f"column {column_letter(self.column)}{name}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class XlsProblem:
    """One refusal (or warning), located in the workbook; `char` is 1-based in the cell."""

    location: Location
    message: str
    char: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        at = f", character {self.char}" if self.char else ""
        return f"{self.location}{at}: {self.message}"


class XlsformError(ValueError):
    """The workbook cannot be imported (or the schema exported); `problems` says where and why."""

    def __init__(self, source: str, problems: list[XlsProblem]) -> None:
        order = {"survey": 0, "choices": 1, "settings": 2, "surveyapp": 3}
        self.source = source
        self.problems = sorted(
            dict.fromkeys(problems),  # a cell read twice (a group's relevant) says it once
            key=lambda p: (order.get(p.location.sheet, 9), p.location.row, p.location.column),
        )
        lines = "\n".join(f"{source}: {p}" for p in self.problems[:30])
        more = len(self.problems) - 30
        suffix = f"\n… and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s) in {source}:\n{lines}{suffix}")
