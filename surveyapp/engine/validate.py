"""Submitting a page: posted strings -> validated values -> new answers (hidden ones dropped)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .inputs import EmailType
from .messages import FieldError
from .model import Question, Survey
from .render import display_options, display_rows
from .visibility import HIDDEN, Answers, drop, environment, is_contact, prune, question_state


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """An e-mail kept apart from the response, with copies of the codes of `contact.with`."""

    question_id: str
    email: str
    codes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PageResult:
    """Validated values of the visible questions (None when left blank), errors, contact."""

    values: dict[str, Any]
    errors: list[FieldError]
    contact: ContactRecord | None = None

    @property
    def ok(self) -> bool:
        """No validation error."""
        return not self.errors


def validate_page(
    survey: Survey,
    page_id: str,
    form: Mapping[str, Any],
    answers: Answers,
    seed: str = "",
) -> PageResult:
    """Check the raw posted strings of a page against the questions visible now.

    `form` maps field names to lists of strings (a MultiDict works too): `<id>`,
    `<id>.<row>` for matrix rows, `<id>_other` for "other" texts. Fields of hidden or
    unknown questions are ignored. A contact e-mail is returned in `contact`, never in
    `values`. `seed` is accepted for symmetry with apply_page (orders do not affect checks).
    """
    page = survey.page(page_id)
    env = environment(survey, answers)
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    if page.when is not None and not page.when(env):
        return PageResult(values, errors)
    for q in page.questions:
        state = question_state(q, env)
        if not state.visible:
            continue
        parsed, problems = q.kind.parse(q, form, state.options, state.rows)
        values.update(parsed)
        errors.extend(problems)
    values, contact = split_contact(survey, values, answers)
    return PageResult(values, errors, contact)


def split_contact(
    survey: Survey, values: Mapping[str, Any], answers: Answers | None = None
) -> tuple[dict[str, Any], ContactRecord | None]:
    """Take contact e-mails out of page values: (values without them, the contact record)."""
    kept = dict(values)
    answers = answers or {}
    record = None
    for q in contact_questions(survey):
        email = kept.pop(q.id, None)
        if isinstance(email, str) and email:
            source = {**answers, **kept}
            contact = q.kind.contact if isinstance(q.kind, EmailType) else None
            asked = contact.with_ if contact is not None else ()
            codes = {qid: source.get(qid) for qid in asked}
            record = ContactRecord(q.id, email, codes)
    return kept, record


def contact_questions(survey: Survey) -> list[Question]:
    """The e-mail questions whose value is kept apart from the answers."""
    return [q for q in survey.questions.values() if is_contact(q)]


contact_fields = contact_questions


def apply_page(
    survey: Survey,
    page_id: str,
    values: Mapping[str, Any],
    answers: Answers,
    seed: str = "",
) -> dict[str, Any]:
    """New answers: the page's visible questions set (value or None) with the order shown,
    then every answer re-evaluated so that answers now hidden are dropped."""
    page = survey.page(page_id)
    env = environment(survey, answers)
    new = dict(answers)
    page_open = page.when is None or page.when(env)
    for q in page.questions:
        drop(new, q.id)
        state = question_state(q, env) if page_open else HIDDEN
        if not state.visible or is_contact(q) or not q.kind.takes_answer:
            continue
        new[q.id] = values.get(q.id)
        other = f"{q.id}_other"
        if other in values and _other_chosen(q, new[q.id]):
            new[other] = values[other]
        if q.random_order:
            if q.kind.has_rows:
                new[f"{q.id}_order"] = [r.code for r in display_rows(q, state.rows, seed)]
            else:
                new[f"{q.id}_order"] = [o.code for o in display_options(q, state.options, seed)]
    return prune(survey, new)


def _other_chosen(q: Question, value: Any) -> bool:
    other = q.other_option
    if other is None:
        return False
    return value == other.code or (isinstance(value, list) and other.code in value)
