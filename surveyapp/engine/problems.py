"""Located problems found while loading or linting a questionnaire schema."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning, located in the schema file (1-based line and column)."""

    source: str
    line: int
    column: int
    path: str
    message: str
    rule: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.source}:{self.line}:{self.column}: {where}{self.message}"


class SchemaError(ValueError):
    """The schema has at least one error; `problems` lists all of them, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.column, p.path))
        lines = "\n".join(str(p) for p in self.problems[:20])
        more = len(self.problems) - 20
        suffix = f"\n… and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the schema:\n{lines}{suffix}")
