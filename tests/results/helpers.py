"""Generated barometer responses whose answers are known, filled through the engine's flow."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from surveyapp.engine import Survey as Schema
from surveyapp.engine import flow, load_survey, load_survey_file
from surveyapp.exports.rows import Record, make_record

REPO = Path(__file__).resolve().parent.parent.parent
BAROMETER = REPO / "surveyapp" / "surveys" / "barometre-2015.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Codes that end the barometer early, avoided most of the time so that most responses complete.
AVOID = {
    "s1": {"4"},
    "s2": {"2", "3", "6"},
    "s3": {"5", "6", "7", "8", "9", "10"},
    "s5": {"4", "5"},
    "s6": {"8"},
}
TEXTS = ["Écouter avant de publier", "Be consistent", "=1+2 formula-like", "Mesurer, puis ajuster"]


@lru_cache(maxsize=4)
def barometer() -> Schema:
    """The bundled barometer schema."""
    return load_survey_file(BAROMETER)


def fixture_schema(name: str) -> Schema:
    """A test schema of tests/results/fixtures."""
    return load_survey((FIXTURES / name).read_text(encoding="utf-8"), source=name)


def _form(view, rng: random.Random, weights: Mapping[str, Any], answers) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for qv in view.questions:
        q = qv.question
        codes = [o.code for o in qv.options if o.code not in AVOID.get(q.id, ())] or [
            o.code for o in qv.options
        ]
        wanted = weights.get(q.id)
        if q.type == "consent":
            form[q.id] = ["1"]
        elif q.type == "single":
            form[q.id] = [wanted(rng, answers, codes) if callable(wanted) else rng.choice(codes)]
        elif q.type == "multiple" and callable(wanted):
            form[q.id] = wanted(rng, answers, [o.code for o in qv.options])
        elif q.type == "multiple":
            plain = [o.code for o in qv.options if not o.exclusive]
            limit = min(getattr(q.kind, "max", None) or 4, 4, len(plain))
            form[q.id] = rng.sample(plain, rng.randint(1, limit))
        elif q.type == "matrix":
            for row in qv.rows:
                form[f"{q.id}.{row.code}"] = [rng.choice(codes)]
        elif q.type in ("integer", "nps"):
            low = int(getattr(q.kind, "min", 0) or 0)
            high = int(getattr(q.kind, "max", 10) or 10)
            if rng.random() < 0.9 or q.required:
                form[q.id] = [str(rng.randint(low, high))]
        elif q.type == "text" and rng.random() < 0.6:
            form[q.id] = [rng.choice(TEXTS)]
        if any(o.other for o in qv.options) and rng.random() < 0.5:
            form[f"{q.id}_other"] = ["Précisé"]
    return form


def respond(schema: Schema, rng: random.Random, weights: Mapping[str, Any] | None = None):
    """One respondent: (answers, status, ending id), or None when a page is refused."""
    answers: dict[str, Any] = {}
    seed = f"r{rng.random()}"
    page = flow.first_page(schema, answers)
    while True:
        view = flow.render_page(schema, page, answers, seed, "fr")
        form = _form(view, rng, weights or {}, answers)
        result = flow.validate_page(schema, page, form, answers, seed)
        if result.errors:
            return None
        answers = flow.apply_page(schema, page, result.values, answers, seed)
        step = flow.next_step(schema, page, answers)
        if isinstance(step, flow.EndingReached):
            return answers, step.ending.status, step.ending.id
        page = step.page_id


def _mostly_users(rng: random.Random, answers, codes) -> str:
    """Q1: nine companies in ten use social media (the barometer caps non-users at 10 %)."""
    return "1" if rng.random() < 0.9 else rng.choice(codes)


def generate(
    schema: Schema, n: int, seed: int = 2015, weights: Mapping[str, Any] | None = None
) -> list[tuple[dict, str, str]]:
    """`n` finished responses (any status) filled through the engine with a seeded RNG."""
    rng = random.Random(seed)
    weights = {"q1": _mostly_users, **(weights or {})}
    out = []
    while len(out) < n:
        filled = respond(schema, rng, weights)
        if filled is not None:
            out.append(filled)
    return out


def language_of(answers: Mapping[str, Any]) -> str:
    """The page language a barometer respondent ends in."""
    return "en" if answers.get("s1") == "2" or answers.get("s1b") == "2" else "fr"


def records(filled, version: int = 1, sources=("1", "2", "3", "4", "9")) -> list[Record]:
    """Export records of generated responses (ids from 1)."""
    return [
        make_record(
            i + 1,
            answers,
            status=status,
            ending=ending,
            language=language_of(answers),
            version=version,
            params={"source": sources[i % len(sources)]},
        )
        for i, (answers, status, ending) in enumerate(filled)
    ]


def store(session, survey, filled, *, is_test: bool = False, start: int = 0, **fields) -> None:
    """Insert generated responses for `survey` (its current version), in one statement."""
    from surveyapp.models import Response

    base = datetime(2015, 5, 10, tzinfo=UTC)
    rows = []
    for i, (answers, status, ending) in enumerate(filled, start=start):
        started = base + timedelta(hours=i)
        row = {
            "survey_id": survey.id,
            "version_id": survey.current_version_id,
            "token_hash": hashlib.sha256(f"results-{survey.id}-{i}-{is_test}".encode()).hexdigest(),
            "status": status,
            "ending_id": ending,
            "language": language_of(answers),
            "answers": answers,
            "params": {"source": ("1", "2", "3", "4", "9")[i % 5]},
            "page_history": [],
            "seed": f"{i:032x}",
            "is_test": is_test,
            "started_at": started,
            "updated_at": started + timedelta(minutes=12),
            "completed_at": started + timedelta(minutes=12),
        }
        row.update(fields)
        rows.append(row)
    if rows:
        session.execute(insert(Response), rows)
    session.commit()
