"""Posted page forms: the fields a page may post, typed values bounded and storable, and the
drafts kept for Back and the language switch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveyapp.engine import flow
from surveyapp.engine.visibility import is_contact
from surveyapp.services.responses.context import ResponseContext, condition_env

#: Form fields that are not answers: CSRF, the button pressed, the page language, the start token,
#: the consent page's proof-of-work (respondent/challenge.py).
META_FIELDS = frozenset({"csrf_token", "_action", "_lang", "_token", "_challenge", "_pow"})
#: Where a page's raw typed values wait (Back, language switch) until the page is submitted.
DRAFT_VALUE_MAX = 10_000
DRAFT_VALUES_MAX = 50
#: Drafts are kept for the last few pages left with Back or the language switch only.
DRAFT_PAGES_MAX = 3


def _storable(value: str) -> str:
    text = value[:DRAFT_VALUE_MAX].replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def typed_values(form: Mapping[str, Any]) -> dict[str, list[str]]:
    """The raw posted values, bounded and storable (no NUL, no lone surrogate)."""
    getlist = getattr(form, "getlist", None)
    typed = {}
    for key in list(form.keys())[: DRAFT_VALUES_MAX * 4]:
        raw = getlist(key) if getlist else form[key]
        values = [raw] if isinstance(raw, str) else list(raw)
        typed[_storable(str(key))[:200]] = [_storable(str(v)) for v in values[:DRAFT_VALUES_MAX]]
    return typed


def single_value(form: Mapping[str, Any], key: str) -> str | None:
    getlist = getattr(form, "getlist", None)
    values = getlist(key) if getlist else ([form[key]] if key in form else [])
    return values[0] if len(values) == 1 and isinstance(values[0], str) else None


def draft_with_page(ctx: ResponseContext, page_id: str, form: Mapping[str, Any]) -> dict[str, Any]:
    response = ctx.response
    assert response is not None
    contact = {q.id for q in ctx.schema.page(page_id).questions if is_contact(q)}
    allowed = flow.posted_names(ctx.schema, page_id, condition_env(response)) - contact
    typed = {k: v for k, v in typed_values(form).items() if k in allowed}
    drafts = {k: v for k, v in (response.draft or {}).items() if k != page_id}
    kept = list(drafts.items())[-(DRAFT_PAGES_MAX - 1) :]
    return {**dict(kept), page_id: typed}
