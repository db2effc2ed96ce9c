"""The respondent's route: first page, next step after a submit, previous page, progress.

All functions are pure: they read the survey and a plain answers dict and return new
values. Endings are checked when the page named in their `check_after` is submitted, in
list order, then the hard quotas checked after that page. A page that is skipped (hidden)
is passed by: its endings and quotas are checked as the respondent moves past it.

This module is also the engine's flow facade: render_page, validate_page, apply_page,
derived_values and quota_cells are importable from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from surveyapp.caching import LRUCache

from .derived import derived_values
from .expressions import evaluate3
from .model import Ending, Page, Question, Survey
from .quotas import CellRef, cell_of, parameters_from_query, quota_cells, redirect_url
from .render import PageView, QuestionView, posted_names, render_page
from .resolve import derived_deps
from .validate import (
    ContactRecord,
    PageResult,
    apply_page,
    contact_fields,
    split_contact,
    validate_page,
)
from .visibility import Answers, ending_fired, environment, page_visible, prune, question_state


@dataclass(frozen=True, slots=True)
class NextPage:
    """Show this page next."""

    page_id: str


@dataclass(frozen=True, slots=True)
class EndingReached:
    """The response ends here."""

    ending: Ending


Step = NextPage | EndingReached


def first_step(survey: Survey, answers: Answers) -> Step:
    """The first visible page (parameters may hide pages), or an ending met on the way."""
    return _walk(survey, environment(survey, answers), 0, frozenset())


def first_page(survey: Survey, answers: Answers) -> str:
    """The id of the first visible page (ValueError if the answers end before any page)."""
    step = first_step(survey, answers)
    if isinstance(step, EndingReached):
        raise ValueError(f"the response ends at '{step.ending.id}' before any page")
    return step.page_id


def next_step(
    survey: Survey,
    page_id: str,
    answers: Answers,
    full_cells: frozenset[str] = frozenset(),
) -> Step:
    """After `page_id` is submitted: its endings, its hard quotas (cells in `full_cells`
    lead to the quota's ending), else the next visible page, else the default ending."""
    env = environment(survey, answers)
    step = _checks_after(survey, page_id, env, full_cells)
    if step is not None:
        return step
    return _walk(survey, env, survey.page_index[page_id] + 1, full_cells)


def _walk(survey: Survey, env: dict[str, Any], start: int, full: frozenset[str]) -> Step:
    for page in survey.pages[start:]:
        if page_visible(page, env):
            return NextPage(page.id)
        step = _checks_after(survey, page.id, env, full)
        if step is not None:
            return step
    return EndingReached(survey.default_ending)


def _checks_after(
    survey: Survey, page_id: str, env: Mapping[str, Any], full: frozenset[str]
) -> Step | None:
    ending = ending_fired(survey, page_id, env)
    if ending is not None:
        return EndingReached(ending)
    for quota in survey.quotas_after.get(page_id, ()):
        cell = cell_of(quota, env)
        if cell is not None and cell.id in full and quota.ending is not None:
            return EndingReached(survey.ending(quota.ending))
    return None


def visible_pages(survey: Survey, answers: Answers) -> list[str]:
    """Pages visible for these answers, in order, up to an ending that fires.

    Pages after the last answered one are predicted with unanswered questions as null.
    """
    env = environment(survey, answers)
    pages = []
    for page in survey.pages:
        if page_visible(page, env):
            pages.append(page.id)
        if ending_fired(survey, page.id, env) is not None:
            break
    return pages


route = visible_pages


def previous_page(survey: Survey, page_id: str, answers: Answers) -> str | None:
    """The visible page before `page_id` on the route, or None on the first page."""
    env = environment(survey, answers)
    for page in reversed(survey.pages[: survey.page_index[page_id]]):
        if page_visible(page, env):
            return page.id
    return None


def progress(survey: Survey, page_id: str, answers: Answers) -> float:
    """Share of the route already behind the respondent when `page_id` is shown (0..1).

    done = visible pages before `page_id`; remaining = later pages that may still be shown
    (three-valued: a page whose condition depends on questions not yet asked counts as
    possible). The estimate never counts the longest path and only moves forward as
    answers rule pages out, so progress = done / (done + 1 + remaining).
    """
    return position(survey, page_id, answers)[0]


def is_last_page(survey: Survey, page_id: str, answers: Answers) -> bool:
    """No page after `page_id` can still be shown (three-valued, as `progress`): submitting it
    finishes the questionnaire, whatever the answers still to come on it."""
    return position(survey, page_id, answers)[1]


def position(survey: Survey, page_id: str, answers: Answers) -> tuple[float, bool]:
    """(`progress`, `is_last_page`) of `page_id` in one walk of the route: a page shown needs
    both, and the last page is exactly the one with no later page that may still be shown
    before an ending fires (remaining = 0)."""
    env = environment(survey, answers)
    index = survey.page_index[page_id]
    done = sum(1 for page in survey.pages[:index] if page_visible(page, env))
    unknown = _unknown_ids(survey, answers, index)
    remaining = 0
    for page in survey.pages[index:]:
        if page.index > index and _maybe_visible(page, env, unknown):
            remaining += 1
        endings = survey.endings_after.get(page.id, ())
        if any(e.when is None or evaluate3(e.when.node, env, unknown) for e in endings):
            break
    return done / (done + 1 + remaining), remaining == 0


def _unknown_ids(survey: Survey, answers: Answers, index: int) -> frozenset[str]:
    unknown = {q.id for page in survey.pages[index:] for q in page.questions if q.id not in answers}
    for derived_id, deps in _derived_reads(survey):
        if not deps.isdisjoint(unknown):
            unknown.add(derived_id)
    return frozenset(unknown)


_DERIVED_READS: LRUCache[int, tuple[Survey, tuple[tuple[str, frozenset[str]], ...]]] = LRUCache(16)


def _derived_reads(survey: Survey) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each derived variable's id and the ids it reads, in `derived_order`: computed once per
    survey (a loaded survey does not change), not at every `progress` and `is_last_page`."""
    found = _DERIVED_READS.get(id(survey))
    if found is None or found[0] is not survey:  # the survey is held: its id() is not reused
        found = (survey, tuple((d.id, frozenset(derived_deps(d))) for d in survey.derived_order))
        _DERIVED_READS.put(id(survey), found)
    return found[1]


def _maybe_visible(page: Page, env: Mapping[str, Any], unknown: frozenset[str]) -> bool:
    """The page is or may become visible once the unknown questions are answered."""
    if page.when is not None and evaluate3(page.when.node, env, unknown) is False:
        return False
    for q in page.questions:
        shown = True if q.when is None else evaluate3(q.when.node, env, unknown)
        if shown is None:
            return True
        if shown and (question_state(q, env).visible or _choices_unknown(q, unknown)):
            return True
    return False


def _choices_unknown(q: Question, unknown: frozenset[str]) -> bool:
    conditions = [o.when for o in q.options] + [r.when for r in q.rows]
    return q.options_from in unknown or any(c is not None and c.refs & unknown for c in conditions)


def language_from_answers(survey: Survey, page_id: str, values: Mapping[str, Any]) -> str | None:
    """The language set by an answer on this page (`sets_language`), if any."""
    for q in survey.page(page_id).questions:
        code = values.get(q.id)
        if isinstance(code, str) and code in q.sets_language:
            return q.sets_language[code]
    return None


__all__ = [
    "CellRef",
    "ContactRecord",
    "EndingReached",
    "NextPage",
    "PageResult",
    "PageView",
    "QuestionView",
    "Step",
    "apply_page",
    "contact_fields",
    "derived_values",
    "first_page",
    "first_step",
    "is_last_page",
    "language_from_answers",
    "next_step",
    "parameters_from_query",
    "position",
    "posted_names",
    "previous_page",
    "progress",
    "prune",
    "quota_cells",
    "redirect_url",
    "render_page",
    "route",
    "split_contact",
    "validate_page",
    "visible_pages",
]
