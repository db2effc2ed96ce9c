"""Filling responses through the engine (render, validate, apply, next step) for export tests."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from surveyapp.engine import Survey as Schema
from surveyapp.engine import flow
from surveyapp.extensions import db
from surveyapp.models import Contact, Response, SurveyVersion, utcnow
from surveyapp.services.surveys import compiled

#: A scripted answer: a code, a list of codes, {row: code}, a number or text; BLANK leaves the
#: question empty (shown, not answered).
BLANK = object()


@dataclass
class Filled:
    """A response filled through the engine, before it is stored."""

    answers: dict[str, Any]
    status: str
    ending: str | None
    pages: list[str] = field(default_factory=list)


def _form_for(view, script: Mapping[str, Any]) -> dict[str, list[str]]:
    """The posted fields of one page: scripted answers, else a default answer."""
    form: dict[str, list[str]] = {}
    for qv in view.questions:
        q = qv.question
        wanted = script.get(q.id)
        if wanted is BLANK:
            continue
        if q.type == "matrix":
            rows = wanted or {r.code: qv.options[0].code for r in qv.rows}
            for row, code in rows.items():
                form[f"{q.id}.{row}"] = [str(code)]
            continue
        if wanted is None:
            wanted = _default(q.type, qv)
            if wanted is None:
                continue
        values = wanted if isinstance(wanted, list) else [wanted]
        form[q.id] = [str(v) for v in values]
        other = script.get(f"{q.id}_other", BLANK)
        if other is not BLANK:
            form[f"{q.id}_other"] = [str(other)]
    return form


def _default(qtype: str, qv) -> Any:
    if qtype == "consent":
        return "1"
    if qtype in ("single", "multiple"):
        plain = [o.code for o in qv.options if not o.other and not o.exclusive]
        return plain[0] if plain else qv.options[0].code
    if qtype in ("integer", "decimal", "nps"):
        return 1
    return None  # text and e-mail: optional, left blank


def fill(
    schema: Schema,
    script: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    seed: str = "seed",
    stop_after: str | None = None,
) -> Filled:
    """Answer page after page as a respondent would; `stop_after` leaves it in progress."""
    params = dict(params or {})
    answers: dict[str, Any] = {}
    env = dict(params)
    page_id = flow.first_page(schema, env)
    pages = []
    while True:
        view = flow.render_page(schema, page_id, env, seed, "fr")
        form = _form_for(view, script)
        result = flow.validate_page(schema, page_id, form, env, seed)
        assert not result.errors, (page_id, result.errors, form)
        new = flow.apply_page(schema, page_id, result.values, env, seed)
        answers = {k: v for k, v in new.items() if k not in params}
        env = {**params, **answers}
        pages.append(page_id)
        if stop_after == page_id:
            return Filled(answers, "in_progress", None, pages)
        step = flow.next_step(schema, page_id, env)
        if isinstance(step, flow.EndingReached):
            return Filled(answers, step.ending.status, step.ending.id, pages)
        page_id = step.page_id


def store(
    survey,
    filled: Filled,
    *,
    params: Mapping[str, Any] | None = None,
    language: str = "fr",
    started_at: datetime | None = None,
    seconds: float = 600,
    is_test: bool = False,
    version_id: int | None = None,
) -> int:
    """Insert the filled response (inside an app context); returns its id."""
    started = started_at or utcnow() - timedelta(days=1)
    done = filled.status != "in_progress"
    row = Response(
        survey_id=survey.id,
        version_id=version_id or survey.current_version_id,
        token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
        status=filled.status,
        ending_id=filled.ending,
        language=language,
        current_page=None if done else filled.pages[-1],
        page_history=filled.pages,
        answers=filled.answers,
        params=dict(params or {}),
        seed=secrets.token_hex(8),
        is_test=is_test,
        started_at=started,
        updated_at=started,
        completed_at=started + timedelta(seconds=seconds) if done else None,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def schema_of(survey) -> Schema:
    """The compiled schema of the survey's current version."""
    version = db.session.get(SurveyVersion, survey.current_version_id)
    return compiled(version)


def add_contact(survey, email: str, requests: Mapping[str, Any]) -> None:
    """A contact-list entry (as the respondent side writes it)."""
    db.session.add(Contact(survey_id=survey.id, email=email, requests=dict(requests)))
    db.session.commit()


Script = Callable[[int], Mapping[str, Any]]


def add_version(text: str, source: str = "schema.yaml"):
    """Store a schema as the newest version of its survey (without quota cells); returns the
    survey. Exports only need the versions, so the tests do not depend on quota set-up."""
    from sqlalchemy import func, select

    from surveyapp.engine import load_survey
    from surveyapp.models import Survey

    schema = load_survey(text, source)
    survey = db.session.scalar(select(Survey).where(Survey.slug == schema.id))
    if survey is None:
        survey = Survey(slug=schema.id, state="open")
        db.session.add(survey)
        db.session.flush()
    number = (
        db.session.scalar(
            select(func.max(SurveyVersion.number)).where(SurveyVersion.survey_id == survey.id)
        )
        or 0
    ) + 1
    version = SurveyVersion(
        survey_id=survey.id,
        number=number,
        label=schema.version,
        source=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    db.session.add(version)
    db.session.flush()
    survey.current_version_id = version.id
    db.session.commit()
    return survey


def random_answers(schema: Schema, rng, params: Mapping[str, Any]) -> tuple[dict, Any]:
    """Answers of a random walk through the questionnaire (engine visibility and endings)."""
    from surveyapp.engine.visibility import ending_fired, environment, page_open, question_state

    answers: dict[str, Any] = {}
    env = {**params, **environment(schema, {**params})}
    for page in schema.pages:
        if not page_open(page, env):
            continue
        for q in page.questions:
            state = question_state(q, env)
            if state.autocode is not None:
                answers[q.id] = state.autocode
            elif state.visible:
                _random_value(q, state, rng, answers)
        env = environment(schema, {**params, **answers})
        ending = ending_fired(schema, page.id, env)
        if ending is not None:
            return answers, ending
    return answers, schema.default_ending


def _random_value(q, state, rng, answers: dict[str, Any]) -> None:
    if rng.random() < 0.05 and q.type != "consent":
        answers[q.id] = None  # shown, left blank
        return
    if q.type == "single":
        option = rng.choice(state.options)
        answers[q.id] = option.code
        if option.other:
            answers[f"{q.id}_other"] = rng.choice([None, "autre", "=1+2", "-3"])
    elif q.type == "multiple":
        options = list(state.options)
        if q.random_order:
            rng.shuffle(options)
            answers[f"{q.id}_order"] = [o.code for o in options]
        chosen = rng.sample(options, rng.randint(1, min(4, len(options))))
        answers[q.id] = [o.code for o in state.options if o in chosen]
        if any(o.other for o in chosen):
            answers[f"{q.id}_other"] = rng.choice([None, "précision", "@x"])
    elif q.type == "matrix":
        rows = [r for r in state.rows if rng.random() < 0.9]
        answers[q.id] = {r.code: rng.choice(state.options).code for r in rows} or None
    elif q.type in ("integer", "nps"):
        answers[q.id] = rng.randint(-10, 10)
    elif q.type == "decimal":
        answers[q.id] = rng.randint(-1000, 1000) / 100
    elif q.type in ("text", "email"):
        answers[q.id] = rng.choice(["texte", "=cmd", "-5", "\t x", "a\x00b"])
    elif q.type == "consent":
        answers[q.id] = "1"
