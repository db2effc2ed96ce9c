"""Engine test fixtures: the rich fixture schema, the barometer, small schema builders."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from surveyapp.engine import flow, load_survey, load_survey_file
from surveyapp.engine.model import Survey

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
BAROMETER = ROOT / "surveyapp" / "surveys" / "barometre-2015.yaml"

HEADER = """\
schema_version: 1
survey:
  id: t
  version: "1"
  languages: [fr, en]
  default_language: fr
  title: {fr: "Titre", en: "Title"}
"""

DONE = """\
endings:
  - id: done
    status: complete
    default: true
    message: {fr: "Merci", en: "Thanks"}
"""


def schema_text(pages: str, *, endings: str = DONE, **sections: str) -> str:
    """A complete schema: the common header, the sections given (YAML text), the pages."""
    parts = [HEADER]
    for name in ("parameters", "option_lists", "derived", "quotas"):
        if name in sections:
            parts.append(f"{name}:\n{textwrap.indent(textwrap.dedent(sections[name]), '  ')}")
    parts.append(f"pages:\n{textwrap.indent(textwrap.dedent(pages), '  ')}")
    parts.append(textwrap.dedent(endings))
    return "\n".join(parts)


def make_survey(pages: str, **sections: str) -> Survey:
    """Load a small schema built with schema_text."""
    return load_survey(schema_text(pages, **sections), "test.yaml")


@pytest.fixture(scope="session")
def rich() -> Survey:
    """The fixture schema that uses every feature of the format."""
    return load_survey_file(FIXTURES / "rich.yaml")


@pytest.fixture(scope="session")
def barometer() -> Survey:
    """The bundled barometer schema (a missing file fails: it ships with the package)."""
    assert BAROMETER.is_file(), f"{BAROMETER} is missing: the bundled survey must ship"
    return load_survey_file(BAROMETER)


@pytest.fixture(scope="session")
def schema() -> Callable[..., str]:
    """schema_text(pages, **sections) -> YAML text of a complete small schema."""
    return schema_text


@pytest.fixture(scope="session")
def survey_from() -> Callable[..., Survey]:
    """make_survey(pages, **sections) -> a loaded small schema."""
    return make_survey


def form_of(view: Any, script: dict[str, Any]) -> dict[str, list[str]]:
    """A POST body for a rendered page: scripted answers, else the first option offered."""
    form: dict[str, list[str]] = {}
    for qv in view.questions:
        qid = qv.id
        value = script.get(qid)
        if value is None and qv.rows:
            value = {row.code: qv.options[0].code for row in qv.rows}
        if value is None and qv.options:
            value = qv.options[0].code
        if value is None and qv.question.type == "consent":
            value = "1"
        if value is None:
            continue
        if isinstance(value, dict):
            for row, code in value.items():
                form[f"{qid}.{row}"] = [str(code)]
        elif isinstance(value, list):
            form[qid] = [str(v) for v in value]
        else:
            form[qid] = [str(value)]
        if f"{qid}_other" in script:
            form[f"{qid}_other"] = [str(script[f"{qid}_other"])]
    return form


def respond(
    survey: Survey,
    script: dict[str, Any],
    *,
    seed: str = "seed",
    full_cells: frozenset[str] = frozenset(),
    answers: dict[str, Any] | None = None,
) -> tuple[str, list[str], dict[str, Any]]:
    """Answer page by page from a script: (ending id, pages shown, final answers)."""
    answers = dict(answers or {})
    pages: list[str] = []
    step: flow.Step = flow.first_step(survey, answers)
    while isinstance(step, flow.NextPage):
        page_id = step.page_id
        assert len(pages) < 100, pages
        pages.append(page_id)
        view = flow.render_page(survey, page_id, answers, seed, survey.default_language)
        result = flow.validate_page(survey, page_id, form_of(view, script), answers, seed)
        assert not result.errors, (page_id, result.errors)
        answers = flow.apply_page(survey, page_id, result.values, answers, seed)
        step = flow.next_step(survey, page_id, answers, full_cells)
    return step.ending.id, pages, answers


@pytest.fixture(scope="session")
def walk() -> Callable[..., tuple[str, list[str], dict[str, Any]]]:
    """respond(survey, script, seed=…, full_cells=…) -> (ending, pages, answers)."""
    return respond


@pytest.fixture(scope="session")
def post() -> Callable[[Any, dict[str, Any]], dict[str, list[str]]]:
    """form_of(view, script) -> the POST body of a rendered page."""
    return form_of


# ---------------------------------------------------------------------- brute force
def value_choices(qv: Any, numbers: dict[str, list[Any]]) -> list[Any]:
    """Every value a respondent can give to a rendered question (a finite sample for numbers)."""
    q = qv.question
    optional = [] if q.required else [None]
    codes = [o.code for o in qv.options]
    if q.type == "single":
        return codes + optional
    if q.type == "multiple":
        found: list[Any] = list(optional)
        low, high = q.kind.minimum(q), q.kind.max or len(codes)
        for size in range(low, min(high, len(codes)) + 1):
            for combo in itertools.combinations(codes, size):
                exclusive = any(o.exclusive for o in qv.options if o.code in combo)
                if not (exclusive and size > 1):
                    found.append(list(combo))
        return found
    if q.type == "matrix":
        rows = [r.code for r in qv.rows]
        per_row = [codes + optional for _ in rows]
        found = []
        for combo in itertools.product(*per_row):
            answer = {row: code for row, code in zip(rows, combo, strict=True) if code is not None}
            found.append(answer or None)
        return found
    if q.type in ("integer", "decimal", "nps"):
        default = [q.kind.min if q.kind.min is not None else 0]
        return numbers.get(q.id, default) + optional
    if q.type == "consent":
        return ["1"]
    if q.type == "email":
        return ["a@b.cd", *optional]
    if q.type == "note":
        return [None]
    return ["x", *optional]


def all_routes(
    survey: Survey, numbers: dict[str, list[Any]] | None = None, limit: int = 200_000
) -> dict[tuple[tuple[str, ...], str], list[dict[str, Any]]]:
    """Every distinct route (questions shown, ending) with the answers that lead to it."""
    numbers = numbers or {}
    hard = frozenset(c.id for q in survey.quotas if q.kind == "hard" for c in q.cells)
    routes: dict[tuple[tuple[str, ...], str], list[dict[str, Any]]] = {}
    budget = [limit]

    def visit(answers: dict[str, Any], step: flow.Step, shown: tuple[str, ...]) -> None:
        budget[0] -= 1
        assert budget[0] > 0, "route enumeration too large for a test"
        if isinstance(step, flow.EndingReached):
            routes.setdefault((shown, step.ending.id), []).append(answers)
            return
        view = flow.render_page(survey, step.page_id, answers, "seed", survey.default_language)
        ids = tuple(qv.id for qv in view.questions)
        choices = [value_choices(qv, numbers) for qv in view.questions]
        for combo in itertools.product(*choices):
            values = {qid: value for qid, value in zip(ids, combo, strict=True)}
            new = flow.apply_page(survey, step.page_id, values, answers, "seed")
            steps = [flow.next_step(survey, step.page_id, new, full) for full in ({}, hard)]
            if steps[0] == steps[1]:
                steps.pop()
            for nxt in steps:
                visit(new, nxt, shown + ids)

    for answers in parameter_answers(survey):
        visit(answers, flow.first_step(survey, answers), ())
    return routes


def parameter_answers(survey: Survey) -> list[dict[str, Any]]:
    """Every combination of parameter values (codes, or a text / nothing)."""
    combos: list[dict[str, Any]] = [{}]
    for p in survey.parameters:
        values = [o.code for o in p.options] if p.type == "single" else ["x", None]
        if p.type == "single" and p.default is None:
            values.append(None)
        combos = [{**c, p.id: v} if v is not None else c for c in combos for v in values]
    return combos


@pytest.fixture(scope="session")
def choices() -> Callable[[Any, dict[str, list[Any]]], list[Any]]:
    """value_choices(view, numbers) -> every value a respondent can give to a question."""
    return value_choices


@pytest.fixture(scope="session")
def routes() -> Callable[..., dict[tuple[tuple[str, ...], str], list[dict[str, Any]]]]:
    """all_routes(survey, numbers) -> {(questions shown, ending): [answers…]} by brute force."""
    return all_routes
