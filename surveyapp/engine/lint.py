"""The schema linter: every load error, plus reachability, constant conditions and path stats.

Errors (`problems`) are what `load_survey` refuses. Warnings are found by exact search over
finite answer domains (reach.py): pages, questions, options, rows, endings and quota cells
that no combination of answers can reach, and conditions that are always true for the
respondents who reach them; range warnings come from the loader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from os import PathLike
from typing import Any

from .expressions import Condition, Env, leaves
from .model import Ending, Question, Quota, Survey
from .problems import Problem, SchemaError
from .quotas import cell_of
from .reach import Goal, Searcher, Verdict
from .reader import Reader
from .resolve import derived_deps
from .schema import build, read_schema_text
from .stats import PathStats, path_stats
from .visibility import page_open, question_state


@dataclass(frozen=True, slots=True)
class LintReport:
    """Errors, warnings and path statistics of one schema file."""

    source: str
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    stats: PathStats | None

    @property
    def ok(self) -> bool:
        """No error (warnings allowed)."""
        return not self.problems


def lint_file(path: str | PathLike[str]) -> LintReport:
    """Lint a schema file."""
    try:
        text = read_schema_text(path)
    except SchemaError as exc:
        return LintReport(str(path), tuple(exc.problems), (), None)
    return lint_text(text, str(path))


def lint_text(text: str, source: str = "<string>") -> LintReport:
    """Lint schema text: load errors, then (if none) reachability warnings and statistics."""
    survey, reader = build(text, source)
    if survey is None:
        return LintReport(source, _sorted(reader.problems), _sorted(reader.warnings), None)
    reach = _Reach(survey, reader)
    reach.run()
    through_calc = reach.calculated.read_anywhere()  # the diagram does not follow them
    stats = None if through_calc else path_stats(survey)
    if stats is None:
        why = (
            "conditions read calculations or compare two answers"
            if through_calc
            else "too many distinct states"
        )
        reader.warn(None, "", f"path statistics not computed ({why})", "not-checked")
    return LintReport(source, (), _sorted(reader.warnings), stats)


def _sorted(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=lambda p: (p.line, p.column, p.path, p.message)))


class _Calculated:
    """Which conditions a calculation (or a comparison of two answers) decides: the exact search
    samples each number question at its bounds and at the literals compared with it, which says
    nothing about a sum, a ratio or `a <= b`; such goals are reported as not checked."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        tainted: set[str] = set()
        for d in survey.derived_order:
            compares = any(_compares(c.when) for c in d.cases)
            if d.calc is not None or compares or derived_deps(d) & tainted:
                tainted.add(d.id)
        self.ids = frozenset(tainted)
        self.any = bool(tainted) or any(_compares(c) for c in _conditions(survey))

    def reads(self, cond: Condition | None) -> bool:
        """Whether a condition reads a calculation (directly or through derived variables)."""
        return cond is not None and (not self.ids.isdisjoint(cond.refs) or _compares(cond))

    def _gates(self, before: int) -> list[Condition | None]:
        survey = self.survey
        conds: list[Condition | None] = []
        for e in survey.endings:
            if e.check_after is not None and survey.page_index[e.check_after] < before:
                conds.append(e.when)
        for q in survey.quotas:
            if q.check_after is None or survey.page_index[q.check_after] < before:
                conds.append(q.when)
        return conds

    def decides(self, goal: Goal) -> bool:
        """Whether a goal's answer may depend on a calculation."""
        if not self.any:
            return False
        if any(self.reads(c) for c in goal.conditions) or not self.ids.isdisjoint(goal.ids):
            return True
        return self._quota_by(goal.before) or any(self.reads(c) for c in self._gates(goal.before))

    def _quota_by(self, before: int) -> bool:
        survey = self.survey
        return any(
            not self.ids.isdisjoint(q.by)
            and (q.check_after is None or survey.page_index[q.check_after] < before)
            for q in survey.quotas
        )

    def read_anywhere(self) -> bool:
        """Whether any condition or quota of the survey reads a calculation."""
        if not self.any:
            return False
        by = any(not self.ids.isdisjoint(q.by) for q in self.survey.quotas)
        return by or any(self.reads(c) for c in _conditions(self.survey))


def _compares(cond: Condition | None) -> bool:
    return cond is not None and any(leaf.kind == "compare" for leaf in leaves(cond.node))


def _conditions(survey: Survey) -> list[Condition | None]:
    conds = [p.when for p in survey.pages]
    for p in survey.pages:
        for q in p.questions:
            conds += [q.when, *(o.when for o in q.options), *(r.when for r in q.rows)]
    return conds + [e.when for e in survey.endings] + [q.when for q in survey.quotas]


class _Reach:
    """Runs the reachability and constant-condition checks, reporting warnings."""

    def __init__(self, survey: Survey, reader: Reader) -> None:
        self.survey, self.reader = survey, reader
        self.searcher = Searcher(survey)
        self.unchecked: list[str] = []
        self.calculated = _Calculated(survey)
        self.through_calc: list[str] = []

    def run(self) -> None:
        """Every check."""
        for page in self.survey.pages:
            self._page(page)
        quota_endings = self._quotas()
        for ending in self.survey.endings:
            self._ending(ending, quota_endings)
        if self.unchecked:
            message = f"not checked (search too large): {', '.join(self.unchecked)}"
            self.reader.warn(None, "", message, "not-checked")
        if self.through_calc:
            message = (
                "not checked (the search does not follow calculations or comparisons of two "
                f"answers): {', '.join(dict.fromkeys(self.through_calc))}"
            )
            self.reader.warn(None, "", message, "not-checked")

    def _check(self, goal: Goal, what: str) -> Verdict:
        if self.calculated.decides(goal):
            self.through_calc.append(what)
            return Verdict.UNKNOWN
        verdict = self.searcher.check(goal)
        if verdict is Verdict.UNKNOWN:
            self.unchecked.append(what)
        return verdict

    def _warn(
        self, key: tuple[object, ...], message: str, rule: str, field: str | None = None
    ) -> None:
        self.reader.report_at(key, message, rule, field, warning=True)

    def _warn_condition(self, cond: Condition, message: str, rule: str) -> None:
        line, column = cond.line, cond.column
        self.reader.warnings.append(
            Problem(self.reader.source, line, column, cond.path, message, rule, "warning")
        )

    # ------------------------------------------------------------------ pages, questions
    def _page(self, page: Any) -> None:
        shown = [q for q in page.questions if self._question_reachable(q)]
        if not shown:
            message = f"unreachable: no combination of answers shows page '{page.id}'"
            self._warn(("page", page.id), message, "unreachable")
            return
        for q in page.questions:
            if q not in shown:
                message = f"unreachable: no combination of earlier answers shows '{q.id}'"
                self._warn(("question", q.id), message, "unreachable")
        if page.when is not None:
            goal = Goal(lambda env: not page.when(env), (page.when,), page.index)
            self._always_true(goal, page.when, f"page '{page.id}'")
        for q in shown:
            self._question_details(q)

    def _question_goal(
        self, q: Question, also: Callable[[Any, Any], bool] | None = None, code: str = ""
    ) -> Goal:
        page = self.survey.pages[q.page_index]
        conds = (page.when, q.when, *(o.when for o in q.options), *(r.when for r in q.rows))
        ids = frozenset({q.options_from}) if q.options_from else frozenset()

        def final(env: Any) -> bool:
            if not page_open(page, env):
                return False
            state = question_state(q, env)
            return state.visible and (also is None or also(state, env))

        codes = {q.options_from: frozenset({code})} if code and q.options_from else {}
        return Goal(final, conds, q.page_index, ids=ids, codes=codes)

    def _question_reachable(self, q: Question) -> bool:
        return self._check(self._question_goal(q), f"question '{q.id}'") is not Verdict.UNSAT

    def _question_details(self, q: Question) -> None:
        page = self.survey.pages[q.page_index]
        if q.when is not None:
            when = q.when
            goal = Goal(
                lambda env: page_open(page, env) and not when(env),
                (page.when, when),
                q.page_index,
            )
            self._always_true(goal, when, f"question '{q.id}'")
        if q.kind.required_ticks(q) > 1:
            self._too_few_options(q, q.kind.required_ticks(q))
        self._choices(q, [o for o in q.options if o.when or q.options_from], "option")
        self._choices(q, [r for r in q.rows if r.when], "row")

    def _too_few_options(self, q: Question, need: int) -> None:
        def stuck(state: Any, env: Any) -> bool:
            return sum(1 for o in state.options if not o.exclusive) < need

        if self._check(self._question_goal(q, stuck), f"question '{q.id}'") is Verdict.SAT:
            message = (
                f"'{q.id}' can be shown with fewer than {need} options that can be ticked "
                "together: those respondents cannot go on"
            )
            self._warn(("question", q.id), message, "unanswerable")

    def _choices(self, q: Question, items: list[Any], what: str) -> None:
        never, always = [], []
        for item in items:
            attr = "options" if what == "option" else "rows"

            def offered(state: Any, env: Any, item: Any = item, attr: str = attr) -> bool:
                return item in getattr(state, attr)

            goal = self._question_goal(q, offered, item.code)
            if self._check(goal, f"{q.id} {what} {item.code}") is Verdict.UNSAT:
                never.append(item.code)
                continue
            if item.when is not None:
                when = item.when
                goal = self._question_goal(q, partial(_fails, when))
                if self._check(goal, f"{q.id} {what} {item.code}") is Verdict.UNSAT:
                    always.append(item.code)
        owner = q.option_list or q.id
        if never:
            codes = ", ".join(never)
            are = f"{what}s {codes} are" if len(never) > 1 else f"{what} {codes} is"
            message = f"unreachable: {are} never offered in '{q.id}'"
            key = ("option", owner, never[0]) if what == "option" else ("row", q.id, never[0])
            self._warn(key, message, "unreachable")
        if always:
            codes = ", ".join(always)
            whose = f"{what}s {codes} are" if len(always) > 1 else f"{what} {codes} is"
            message = f"the condition of {whose} always true when '{q.id}' is shown"
            key = ("option", owner, always[0]) if what == "option" else ("row", q.id, always[0])
            self._warn(key, message, "always-true")

    def _always_true(self, goal: Goal, cond: Condition, where: str) -> None:
        if self._check(goal, f"{where} condition") is Verdict.UNSAT:
            message = f"{where}: condition is always true for respondents who reach this point"
            self._warn_condition(cond, message, "always-true")

    # ------------------------------------------------------------------ endings
    def _ending_goal(self, ending: Ending, also: Callable[[Any], bool] | None, conds: Any) -> Goal:
        survey = self.survey
        if ending.check_after is None:
            return Goal(lambda env: also is None or also(env), conds, len(survey.pages))
        index = survey.page_index[ending.check_after]
        same_page = survey.endings_after.get(ending.check_after, ())
        gates = tuple(e for e in same_page if e.index < ending.index)
        when = ending.when

        def final(env: Any) -> bool:
            fires = when is None or when(env)
            return fires and (also is None or also(env))

        return Goal(final, (when, *conds), index, gates)

    def _ending(self, ending: Ending, quota_endings: dict[str, bool]) -> None:
        key = ("ending", ending.id)
        if ending.check_after is None and not ending.default:
            if not quota_endings.get(ending.id):
                used = "no reachable quota cell uses it" if ending.id in quota_endings else "unused"
                self._warn(
                    key,
                    f"unreachable: ending '{ending.id}' is never reached ({used})",
                    "unreachable",
                )
            return
        if (
            self._check(self._ending_goal(ending, None, ()), f"ending '{ending.id}'")
            is Verdict.UNSAT
        ):
            self._warn(key, f"unreachable: ending '{ending.id}' is never reached", "unreachable")
            return
        if ending.when is not None:
            when = ending.when
            goal = self._ending_goal(replace(ending, when=None), lambda env: not when(env), (when,))
            if self._check(goal, f"ending '{ending.id}'") is Verdict.UNSAT:
                message = (
                    f"ending '{ending.id}': condition is always true; later pages are unreachable"
                )
                self._warn_condition(when, message, "always-true")

    # ------------------------------------------------------------------ quotas
    def _quotas(self) -> dict[str, bool]:
        used: dict[str, bool] = {}
        for quota in self.survey.quotas:
            reachable = self._quota(quota)
            if quota.kind == "hard" and quota.ending is not None:
                used[quota.ending] = used.get(quota.ending, False) or reachable
        return used

    def _quota(self, quota: Quota) -> bool:
        counted = [e for e in self.survey.endings if e.id in quota.counts]
        dead = []
        for cell in quota.cells:
            codes = {ref: frozenset({code}) for ref, code in zip(quota.by, cell.codes, strict=True)}

            def member(env: Any, cell: Any = cell) -> bool:
                found = cell_of(quota, env)
                return found is not None and found.id == cell.id

            if not any(self._counts(e, quota, member, codes, cell.id) for e in counted):
                dead.append(cell.id)
        if dead:
            cells = ", ".join(dead)
            message = f"unreachable: quota cells that can never count a response: {cells}"
            self._warn(("quota", quota.id), message, "unreachable", "targets" if quota.by else None)
        if quota.when is not None and len(dead) < len(quota.cells):
            when = quota.when

            def outside(env: Any) -> bool:
                return not when(env)

            if not any(self._counts(e, quota, outside, {}, quota.id) for e in counted):
                message = f"quota '{quota.id}': condition is always true for respondents it counts"
                self._warn_condition(when, message, "always-true")
        return len(dead) < len(quota.cells)

    def _counts(self, ending: Ending, quota: Quota, test: Any, codes: Any, what: str) -> bool:
        base = self._ending_goal(ending, test, (quota.when,))
        goal = Goal(
            base.final, base.conditions, base.before, base.gates, frozenset(quota.by), codes
        )
        return self._check(goal, f"quota cell '{what}'") is not Verdict.UNSAT


def _fails(when: Condition, state: Any, env: Env) -> bool:
    """A question goal: the condition `when` does not hold."""
    return not when(env)
