"""Submitting a page: posted strings -> validated values -> new answers (hidden ones dropped)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .inputs import EmailType
from .messages import CONSTRAINT_CODES, FieldError
from .model import Check, Page, Question, Survey
from .render import display_options, display_rows
from .resolve import derived_deps
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
    `<id>.<row>` for matrix rows, `<id>_other` for "other" texts, `<id>_dk` for a "don't
    know" box. `required_when` and the checks run last (`_submission_rules`). Fields of hidden or
    unknown questions are ignored. A contact e-mail is returned in `contact`, never in
    `values`. `seed` is accepted for symmetry with apply_page (orders do not affect checks).
    """
    page = survey.page(page_id)
    env = environment(survey, answers)
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    if page.when is not None and not page.when(env):
        return PageResult(values, errors)
    visible: list[Question] = []
    for q in page.questions:
        state = question_state(q, env)
        if not state.visible:
            continue
        visible.append(q)
        parsed, problems = q.kind.parse(q, form, state.options, state.rows)
        values.update(parsed)
        errors.extend(_own_message(q, e) for e in problems)
    errors.extend(_submission_rules(survey, page, visible, values, answers, errors))
    values, contact = split_contact(survey, values, answers)
    return PageResult(values, errors, contact)


def _own_message(q: Question, error: FieldError) -> FieldError:
    """A bound or pattern error carries the question's `constraint_message`, if it has one."""
    if q.constraint_message is None or error.code not in CONSTRAINT_CODES:
        return error
    return FieldError(error.field, error.code, error.params, q.constraint_message)


def _submission_rules(
    survey: Survey,
    page: Page,
    visible: list[Question],
    values: Mapping[str, Any],
    answers: Answers,
    errors: list[FieldError],
) -> list[FieldError]:
    """`required_when` and the checks, evaluated on the answers as they would be after this
    page. A rule reading an answer of this page that has an error waits for it to be fixed."""
    rules = [q for q in visible if q.required_when is not None or q.checks] or page.checks
    if not rules or not visible:
        return []
    after = dict(answers)
    for q in page.questions:
        drop(after, q.id)
    after.update(values)
    env = environment(survey, after)
    ids = {q.id for q in page.questions}
    bad = {_question_of(e.field, ids) for e in errors}
    found: list[FieldError] = []

    def fails(condition: Any) -> bool:
        """False when it holds, and while an answer it reads has an error of its own."""
        return not _reads(survey, condition) & bad and not condition(env)

    for q in visible:
        if q.id in bad:
            continue
        value = values.get(q.id)
        when = q.required_when
        if value is None and when is not None and not _reads(survey, when) & bad and when(env):
            found.append(FieldError(q.id, "required"))
            continue
        failed = next((c for c in q.checks if value is not None and fails(c.condition)), None)
        if failed is not None:
            found.append(FieldError(q.id, "check_failed", text=failed.message))
    shown = {e.field for e in found} | bad
    for check in page.checks:
        if fails(check.condition):
            field = _check_field(survey, check, visible)
            if field not in shown:
                found.append(FieldError(field, "check_failed", text=check.message))
                shown.add(field)
    return found


def _reads(survey: Survey, condition: Any) -> set[str]:
    """The ids a condition reads, directly or through derived variables."""
    derived = {d.id: d for d in survey.derived}
    refs: set[str] = set()
    todo = list(condition.refs)
    while todo:
        ref = todo.pop()
        if ref not in refs:
            refs.add(ref)
            todo.extend(derived_deps(derived[ref]) if ref in derived else ())
    return refs


def _question_of(field_name: str, ids: set[str]) -> str:
    """The question a form field belongs to: `<id>`, `<id>.<row>`, `<id>_other`, `<id>_dk`."""
    base = field_name.split(".", 1)[0]
    for suffix in ("_other", "_dk"):
        if base not in ids and base.endswith(suffix) and base[: -len(suffix)] in ids:
            return base[: -len(suffix)]
    return base


def _check_field(survey: Survey, check: Check, visible: list[Question]) -> str:
    """Where a page check's message is shown: its `question`, else the first visible question
    the condition reads (directly or through derived variables), else the first visible
    question that takes an answer."""
    ids = [q.id for q in visible]
    if check.field in ids:
        return check.field
    refs = _reads(survey, check.condition)
    read = [qid for qid in ids if qid in refs]
    if read:
        return read[0]
    answerable = [q.id for q in visible if q.kind.takes_answer]
    return (answerable or ids)[0]


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
