"""The fixed export layout derived from the schema, and one response laid out in it."""

from __future__ import annotations

from enum import Enum
from types import MappingProxyType
from typing import Any

from .model import Column, Survey
from .visibility import Answers, environment


class Missing(Enum):
    """Why a cell is empty: the question was not asked, or was shown and left blank."""

    NOT_ASKED = "not_asked"
    SKIPPED = "skipped"


def export_columns(survey: Survey) -> list[Column]:
    """Questions in order (with their option flags, rows, other texts and orders), then
    derived variables, then the parameters kept with the response. Contact e-mails and
    transient parameters never appear."""
    columns: list[Column] = []
    for page in survey.pages:
        for q in page.questions:
            columns.extend(q.kind.columns(q))
    for d in survey.derived:
        labels = MappingProxyType({o.code: o.label for o in d.options})
        columns.append(Column(d.export_name, d.id, f"derived_{d.type}", d.label, labels))
    for p in survey.parameters:
        if not p.transient:
            labels = MappingProxyType({o.code: o.label for o in p.options})
            columns.append(Column(p.id, p.id, "parameter", None, labels, p.type == "text"))
    return columns


def export_row(
    survey: Survey, answers: Answers, columns: list[Column] | None = None
) -> dict[str, Any]:
    """One response as {column name: value}; empty cells carry a Missing reason."""
    env = environment(survey, answers)
    env.update({qid: answers[qid] for qid in survey.dont_know if qid in answers})  # the codes
    return {c.name: _cell(c, env) for c in columns or export_columns(survey)}


def _cell(column: Column, env: dict[str, Any]) -> Any:
    if column.kind.startswith("derived") or column.kind == "parameter":
        return env.get(column.source_id)
    if column.source_id not in env:
        return Missing.NOT_ASKED
    value = env[column.source_id]
    if column.kind in ("other", "order"):
        key = f"{column.source_id}_{column.kind}"  # stored under the id, named as the author
        extra = env.get(key)
        if extra is None:
            return Missing.NOT_ASKED if key not in env else Missing.SKIPPED
        return " ".join(extra) if isinstance(extra, list) else extra
    if value is None:
        return Missing.SKIPPED
    if column.kind == "flag":
        return int(isinstance(value, list) and column.code in value)
    if column.kind == "matrix_row":
        cell = value.get(column.row) if isinstance(value, dict) else None
        return Missing.SKIPPED if cell is None else cell
    return value
