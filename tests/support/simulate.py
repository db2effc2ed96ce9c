"""Simulated respondents: valid random answers for a rendered page, and whole walks.

Test support (moved out of the package: the application never simulates respondents). Used by
the HTTP respondent of the load benchmark and the quota concurrency tests, and by the page
profile benchmark. Everything here goes through the same public flow functions a real
respondent does, so a simulated response is one a person could have given.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from surveyapp.engine.flow import EndingReached, first_page, next_step
from surveyapp.engine.model import Survey
from surveyapp.engine.render import PageView, QuestionView, render_page
from surveyapp.engine.validate import apply_page, validate_page

WORDS = ("clients", "budget", "équipe", "veille", "contenu", "ROI", "réseaux", "temps")


def random_value(qv: QuestionView, rng: random.Random) -> Any:
    """A value a respondent may post for a rendered question (form strings), or None."""
    q = qv.question
    kind = q.kind
    codes = [o.code for o in qv.options]
    if q.type == "single":
        return rng.choice(codes) if codes else None
    if q.type == "multiple":
        exclusive = [o.code for o in qv.options if o.exclusive]
        plain = [c for c in codes if c not in exclusive]
        if exclusive and (not plain or rng.random() < 0.1):
            return [rng.choice(exclusive)]
        high = min(kind.max or len(plain), len(plain))
        low = min(max(kind.minimum(q), 1), high)
        return rng.sample(plain, rng.randint(low, min(high, low + 3)))
    if q.type == "matrix":
        return {row.code: rng.choice(codes) for row in qv.rows}
    if q.type in ("integer", "nps", "decimal"):
        low = int(kind.min) if kind.min is not None else 0
        high = int(kind.max) if kind.max is not None else 1000
        return str(rng.randint(low, high))
    if q.type == "consent":
        return "1"
    if q.type == "email":
        return "contact@example.org" if rng.random() < 0.5 else ""
    if q.type == "text":
        return " ".join(rng.choices(WORDS, k=rng.randint(1, 6))) if rng.random() < 0.6 else ""
    return None


def random_form(view: PageView, rng: random.Random) -> dict[str, list[str]]:
    """A valid form (field name -> posted strings) for every question of a rendered page."""
    form: dict[str, list[str]] = {}
    for qv in view.questions:
        value = random_value(qv, rng)
        if isinstance(value, dict):
            form.update({f"{qv.id}.{row}": [code] for row, code in value.items()})
        elif isinstance(value, list):
            form[qv.id] = value
        elif value is not None:
            form[qv.id] = [value]
        if any(o.other and o.code in form.get(qv.id, ()) for o in qv.options):
            form[f"{qv.id}_other"] = [rng.choice(WORDS)]
    return form


@dataclass(slots=True)
class Walk:
    """The result of a simulated respondent."""

    ending: str
    status: str
    answers: dict[str, Any]
    pages: list[str] = field(default_factory=list)


def walk(
    survey: Survey,
    rng: random.Random,
    *,
    lang: str | None = None,
    seed: str = "sim",
    full_cells: frozenset[str] = frozenset(),
    script: Mapping[str, Any] | None = None,
    max_pages: int = 500,
) -> Walk:
    """Answer the survey page by page with random valid answers (`script` fixes some fields)."""
    lang = lang or survey.default_language
    answers: dict[str, Any] = {}
    pages: list[str] = []
    page_id = first_page(survey, answers)
    for _ in range(max_pages):
        pages.append(page_id)
        view = render_page(survey, page_id, answers, seed, lang)
        form = random_form(view, rng)
        for name, value in (script or {}).items():
            if name in form or any(qv.id == name.split(".")[0] for qv in view.questions):
                form[name] = value if isinstance(value, list) else [str(value)]
        result = validate_page(survey, page_id, form, answers, seed)
        if result.errors:
            raise ValueError(f"simulated answers refused on {page_id}: {result.errors}")
        answers = apply_page(survey, page_id, result.values, answers, seed)
        step = next_step(survey, page_id, answers, full_cells)
        if isinstance(step, EndingReached):
            return Walk(step.ending.id, step.ending.status, answers, pages)
        page_id = step.page_id
    raise RuntimeError(f"no ending after {max_pages} pages")
