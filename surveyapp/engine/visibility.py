"""What is shown for given answers: questions, options, rows, pages; pruning hidden answers.

Answers are a plain dict: question id -> value (None: shown but left blank; absent: not
asked). Conditions see the answers, the derived variables and the parameters (stored in the
same dict under their ids).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from surveyapp.caching import LRUCache

from .derived import derived_inputs, derived_value
from .model import Ending, Option, Page, Question, Row, Survey
from .questions import EmailType

Answers = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Shown:
    """A question as the respondent would see it now."""

    visible: bool
    options: tuple[Option, ...] = ()
    rows: tuple[Row, ...] = ()
    autocode: str | None = None


HIDDEN = Shown(False)


def environment(survey: Survey, answers: Answers) -> dict[str, Any]:
    """The answers plus every derived variable: what conditions are evaluated against.

    A "don't know" code is no number: conditions, calculations and piping see null.

    A page cycle asks for the environment of the same answers many times (render, validate,
    apply, route, progress): the derived values are memoised per survey, keyed by the values
    of the ids they read (`memo_inputs`), so equal inputs give the same values exactly."""
    env = dict(answers)
    for qid, code in survey.dont_know.items():
        value = env.get(qid)
        if isinstance(value, int | float) and value == code:
            env[qid] = None
    if not survey.derived_order:
        return env
    memo = _memo(survey)
    key: tuple[Any, ...] | None
    inputs = [env.get(i) for i in memo.inputs]
    types = tuple(map(type, inputs))
    if list in types or dict in types:
        inputs = [
            _frozen(v) if t is list or t is dict else v for v, t in zip(inputs, types, strict=True)
        ]
    try:
        # the values with their types: 1, 1.0 and True stay apart (hot path: no call per input)
        key = (tuple(inputs), types)
        values = memo.values.get(key)
    except TypeError:  # a value that cannot be a key: computed, not memoised
        key, values = None, None
    if values is None:
        for d in survey.derived_order:
            env[d.id] = derived_value(d, env)
        if key is not None:
            memo.values.put(key, {d.id: env[d.id] for d in survey.derived_order})
        return env
    env.update(values)
    return env


def memo_inputs(survey: Survey) -> tuple[str, ...]:
    """Every id a derived variable reads (`engine.derived.derived_inputs`: calculation names,
    counted questions, case conditions, copied answers), derived ids included, as the
    answers may hold them."""
    names = {ref for _, refs in derived_inputs(survey) for ref in refs}
    return tuple(sorted(names | {d.id for d in survey.derived_order}))


class _Memo:
    """One survey's derived values by input key (bounded: the least recently used goes)."""

    MAX = 512

    def __init__(self, survey: Survey) -> None:
        self.survey = survey  # held: its id() is not reused while the memo lives
        self.inputs = memo_inputs(survey)
        #: The contact e-mail questions (`is_contact`), for `prune`'s loop over every answer.
        self.contacts = frozenset(q.id for q in survey.questions.values() if is_contact(q))
        self.values: LRUCache[tuple[Any, ...], dict[str, Any]] = LRUCache(self.MAX)


_MEMOS: LRUCache[int, _Memo] = LRUCache(16)


def _memo(survey: Survey) -> _Memo:
    memo = _MEMOS.get(id(survey))
    if memo is None or memo.survey is not survey:
        memo = _Memo(survey)
        _MEMOS.put(id(survey), memo)
    return memo


def _frozen(value: Any) -> Any:
    """A hashable stand-in for an answer, its type kept (1, 1.0 and True stay apart)."""
    if isinstance(value, list):
        types = tuple(map(type, value))
        if list in types or dict in types:
            return (list, tuple(_frozen(v) for v in value))
        return (list, tuple(value), types)  # codes (the usual list): no call per item
    if isinstance(value, dict):
        return (dict, tuple(sorted((k, _frozen(v)) for k, v in value.items())))
    return (type(value), value)


def question_state(q: Question, env: Mapping[str, Any]) -> Shown:
    """Visibility, visible options and rows; a choice with nothing to offer is hidden."""
    # `.test` directly (hot path): a loaded survey's conditions are compiled
    if q.when is not None and not q.when.test(env):  # type: ignore[misc]
        return HIDDEN
    if not q.dynamic:
        return Shown(True, q.options, q.rows)
    options = q.options
    if options:
        options = tuple(o for o in options if o.when is None or o.when.test(env))  # type: ignore[misc]
        if q.options_from is not None:
            ticked = env.get(q.options_from)
            allowed = set(ticked) if isinstance(ticked, list) else set()
            options = tuple(o for o in options if o.code in allowed)
        if not options:
            return HIDDEN
        if q.autocode_single and len(options) == 1:
            return Shown(False, options, (), options[0].code)
    rows = q.rows
    if rows:
        rows = tuple(r for r in rows if r.when is None or r.when(env))
        if not rows:
            return HIDDEN
    return Shown(True, options, rows)


def page_open(page: Page, env: Mapping[str, Any]) -> bool:
    """The page's own condition holds."""
    return page.when is None or page.when(env)


def page_visible(page: Page, env: Mapping[str, Any]) -> bool:
    """The page is shown: its condition holds and at least one question is visible."""
    return page_open(page, env) and any(question_state(q, env).visible for q in page.questions)


def ending_fired(survey: Survey, page_id: str, env: Mapping[str, Any]) -> Ending | None:
    """The first ending checked after `page_id` whose condition holds, or None."""
    for ending in survey.endings_after.get(page_id, ()):
        if ending.when is None or ending.when(env):
            return ending
    return None


def is_contact(q: Question) -> bool:
    """An e-mail question whose value is kept apart from the answers."""
    return isinstance(q.kind, EmailType) and q.kind.contact is not None


def drop(answers: dict[str, Any], qid: str) -> bool:
    """Remove a question's value and its _other/_order companions; True if anything went."""
    found = False
    for key in (qid, f"{qid}_other", f"{qid}_order"):
        if key in answers:
            del answers[key]
            found = True
    return found


def prune(survey: Survey, answers: Answers) -> dict[str, Any]:
    """New answers without hidden questions, stale codes, contact e-mails or later pages.

    Pages are re-evaluated in order: an answer whose question is now hidden is dropped with
    its `_other`/`_order`; a code no longer offered is removed; auto-coded questions get
    their code; after a page whose ending now fires, every later answer is dropped.
    """
    kept = dict(answers)
    env = environment(survey, kept)
    contacts = _memo(survey).contacts
    ended = False
    for page in survey.pages:
        changed = False
        is_open = not ended and page_open(page, env)
        for q in page.questions:
            if q.id not in kept and not q.autocode_single:
                continue  # nothing to drop or prune, nothing to auto-code
            state = question_state(q, env) if is_open else HIDDEN
            if state.autocode is not None:
                changed |= kept.get(q.id) != state.autocode
                drop(kept, q.id)
                kept[q.id] = state.autocode
            elif not state.visible or q.id in contacts:
                changed |= drop(kept, q.id)
            elif q.dynamic and q.id in kept:
                changed |= _prune_value(kept, q, state)
        if changed:
            env = environment(survey, kept)
        ended = ended or ending_fired(survey, page.id, env) is not None
    return kept


def _prune_value(kept: dict[str, Any], q: Question, state: Shown) -> bool:
    """Remove codes (or matrix rows) that are no longer offered; True if anything changed."""
    value = kept[q.id]
    codes = {o.code for o in state.options}
    other = next((o.code for o in state.options if o.other), None)
    if q.type == "single" and isinstance(value, str) and value not in codes:
        return drop(kept, q.id)
    if q.type == "multiple" and isinstance(value, list):
        remaining = [c for c in value if c in codes]
        if not remaining:
            return drop(kept, q.id)
        kept[q.id] = remaining
        changed = remaining != value
        if other not in remaining and f"{q.id}_other" in kept:
            del kept[f"{q.id}_other"]
            changed = True
        return changed
    if q.type == "single" and value != other and f"{q.id}_other" in kept:
        del kept[f"{q.id}_other"]
        return True
    if q.kind.has_rows and isinstance(value, dict):
        rows = {r.code for r in state.rows}
        remaining_rows = {r: c for r, c in value.items() if r in rows and c in codes}
        if remaining_rows != value:
            kept[q.id] = remaining_rows or None
            return True
    return False
