"""Quota cells of a response, ending redirects and URL parameters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

from .model import Cell, Ending, Quota, Survey
from .visibility import Answers, environment

PARAM_PLACEHOLDER = re.compile(r"\$\{([a-z][a-z0-9_]*)\}")
TEXT_PARAMETER_MAX = 64


@dataclass(frozen=True, slots=True)
class CellRef:
    """A quota cell a response belongs to."""

    quota_id: str
    cell_id: str
    kind: str
    target: int


def cell_of(quota: Quota, env: Mapping[str, Any]) -> Cell | None:
    """The quota's cell for these answers, or None (filtered out or a `by` value missing)."""
    if quota.when is not None and not quota.when(env):
        return None
    codes = tuple(env.get(ref) for ref in quota.by)
    if not all(isinstance(code, str) for code in codes):
        return None
    return quota.cell_by_codes.get(cast("tuple[str, ...]", codes))  # all str: checked above


def quota_cells(survey: Survey, answers: Answers) -> list[CellRef]:
    """Every quota cell (hard and soft) this response belongs to, in schema order."""
    env = environment(survey, answers)
    refs = []
    for quota in survey.quotas:
        cell = cell_of(quota, env)
        if cell is not None:
            refs.append(CellRef(quota.id, cell.id, quota.kind, cell.target))
    return refs


def redirect_url(survey: Survey, ending: Ending, answers: Answers) -> str | None:
    """The ending's redirect with `${param}` replaced by URL-encoded parameter values."""
    if ending.redirect is None:
        return None

    def value(match: re.Match[str]) -> str:
        found = answers.get(match.group(1))
        return quote(str(found), safe="") if found is not None else ""

    return PARAM_PLACEHOLDER.sub(value, ending.redirect)


def parameters_from_query(survey: Survey, query: Mapping[str, Any]) -> dict[str, str]:
    """Parameter values from URL query arguments: aliases applied, unknown codes -> default.

    Text parameters keep at most 64 printable characters; anything else is ignored.
    """
    values: dict[str, str] = {}
    for p in survey.parameters:
        raw = query.get(p.param)
        if isinstance(raw, list | tuple):
            raw = raw[0] if len(raw) == 1 else None
        text = raw.strip() if isinstance(raw, str) else None
        if p.type == "single":
            code = p.aliases.get(text or "", text)
            valid = {o.code for o in p.options}
            chosen = code if code in valid else p.default
            if chosen is not None:
                values[p.id] = chosen
        elif text and len(text) <= TEXT_PARAMETER_MAX and text.isprintable():
            values[p.id] = unicodedata.normalize("NFC", text)
    return values


def transient_parameters(survey: Survey) -> list[str]:
    """Ids of the parameters to erase once the ending redirect has used them."""
    return [p.id for p in survey.parameters if p.transient]
