"""Exact satisfiability over finite answer domains, for the linter's reachability checks.

A goal ("this question is shown", "this cell can count a complete") is checked by a
depth-first search over the values of only the variables it depends on, transitively
(the questions its conditions read, the conditions that show those questions, the derived
variables in between, and the screen-out endings that could stop the respondent earlier).
Values are enumerated per equivalence class: two codes that no relevant condition tells
apart are one value, a multiple choice is a number of codes ticked per class. Visibility,
required answers, option conditions, options_from, exclusive options and min/max are all
respected because the search uses the runtime's own closures to build each domain.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .choices import multiple_kind
from .classes import class_representatives, number_points, option_classes
from .derived import derived_value
from .expressions import COUNT_OPS, Condition, Leaf, leaves
from .model import Ending, Option, Question, Survey
from .resolve import derived_deps
from .visibility import is_contact, page_open, question_state

Env = dict[str, Any]
MAX_DOMAIN = 20_000


class Verdict(Enum):
    """Outcome of a search."""

    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Goal:
    """What must hold, for respondents who pass every ending checked before `before`."""

    final: Callable[[Env], bool]
    conditions: tuple[Condition | None, ...] = ()
    before: int = 0
    gates: tuple[Ending, ...] = ()
    ids: frozenset[str] = frozenset()
    codes: Mapping[str, frozenset[str]] = field(default_factory=dict)


class _Abort(Exception):
    """The search went over its budget."""


class Searcher:
    """Checks goals against one survey; `cap` bounds the assignments tried per goal."""

    def __init__(self, survey: Survey, cap: int = 200_000) -> None:
        self.survey = survey
        self.cap = cap
        self.derived = {d.id: d for d in survey.derived}
        self.params = {p.id: p for p in survey.parameters}
        self.order = {d.id: i for i, d in enumerate(survey.derived_order)}
        self.copies: dict[str, list[str]] = {}
        self.counts: dict[str, list[str]] = {}
        for d in survey.derived:
            for case in d.cases:
                if case.copy:
                    self.copies.setdefault(case.copy, []).append(d.id)
            if d.count:
                self.counts.setdefault(d.count, []).append(d.id)
        self.dependents: dict[str, list[Question]] = {}
        for q in survey.questions.values():
            if q.options_from:
                self.dependents.setdefault(q.options_from, []).append(q)
        self.gated = [
            (survey.page_index[e.check_after], e) for e in survey.endings if e.check_after
        ]
        # Required multiple choices with min > 1 can leave a respondent unable to go on:
        # their (possibly empty) domain gates every later page.
        self.blocking = [
            (q.page_index, q.id) for q in survey.questions.values() if q.kind.required_ticks(q) > 1
        ]

    # ------------------------------------------------------------------ public
    def check(self, goal: Goal) -> Verdict:
        """SAT when some answers reach the goal, UNSAT when none can, UNKNOWN over budget."""
        gates = [e for page, e in self.gated if page < goal.before] + list(goal.gates)
        conds = [c for c in goal.conditions if c is not None]
        conds += [e.when for e in gates if e.when is not None]
        blocking = {qid for page, qid in self.blocking if page < goal.before}
        names, derived, conds = self._closure(goal.ids | blocking, conds)
        plan = _Plan(self, names, derived, conds, goal, gates)
        try:
            return Verdict.SAT if plan.search() else Verdict.UNSAT
        except _Abort:
            return Verdict.UNKNOWN

    # ------------------------------------------------------------------ relevance
    def _closure(
        self, ids: Iterable[str], conds: list[Condition]
    ) -> tuple[list[str], list[str], list[Condition]]:
        todo = set(ids)
        for c in conds:
            todo |= c.refs
        seen: set[str] = set()
        conds = list(conds)
        while todo:
            ident = todo.pop()
            if ident in seen:
                continue
            seen.add(ident)
            for cond in self._conditions_of(ident):
                conds.append(cond)
                todo |= cond.refs - seen
            todo |= self._sources_of(ident) - seen
        questions = self.survey.questions
        names = sorted(
            (i for i in seen if i in questions or i in self.params),
            key=lambda i: questions[i].position if i in questions else 0,
        )
        derived = sorted((i for i in seen if i in self.derived), key=self.order.__getitem__)
        return names, derived, conds

    def _conditions_of(self, ident: str) -> list[Condition]:
        if ident in self.derived:
            return [c.when for c in self.derived[ident].cases if c.when is not None]
        q = self.survey.questions.get(ident)
        if q is None:
            return []
        page = self.survey.pages[q.page_index]
        found = [page.when, q.when, *(o.when for o in q.options), *(r.when for r in q.rows)]
        return [c for c in found if c is not None]

    def _sources_of(self, ident: str) -> set[str]:
        if ident in self.derived:
            return derived_deps(self.derived[ident])
        q = self.survey.questions.get(ident)
        return {q.options_from} if q is not None and q.options_from else set()


class _Plan:
    """One search: ordered variables with their value classes, gates and the final test."""

    def __init__(
        self,
        s: Searcher,
        names: Any,
        derived: Any,
        conds: Any,
        goal: Goal,
        gates: Any,
    ) -> None:
        self.s, self.goal, self.names = s, goal, names
        self.derived = [s.derived[d] for d in derived]
        atoms: dict[str, list[Leaf]] = {}
        for cond in conds:
            for leaf in leaves(cond.node):
                atoms.setdefault(leaf.var, []).append(leaf)
        self.atoms = atoms
        self.domains = [self._domain_builder(name) for name in names]
        index = {name: i for i, name in enumerate(names)}
        self.gates_at: dict[int, list[Ending]] = {}
        for ending in gates:
            refs, _, _ = s._closure(ending.when.refs if ending.when else (), [])
            ready = max((index[r] for r in refs if r in index), default=-1)
            self.gates_at.setdefault(ready, []).append(ending)
        self.steps = 0

    def search(self) -> bool:
        env: Env = {}
        self._derive(env)
        return self._gates_ok(-1, env) and self._dfs(0, env)

    def _dfs(self, i: int, env: Env) -> bool:
        if i == len(self.names):
            return bool(self.goal.final(env))
        name = self.names[i]
        for value in self.domains[i](env):
            self.steps += 1
            if self.steps > self.s.cap:
                raise _Abort
            env[name] = value
            self._derive(env)
            if self._gates_ok(i, env) and self._dfs(i + 1, env):
                return True
        env.pop(name, None)
        return False

    def _derive(self, env: Env) -> None:
        for d in self.derived:
            env[d.id] = derived_value(d, env)

    def _gates_ok(self, i: int, env: Env) -> bool:
        return not any(e.when is None or e.when(env) for e in self.gates_at.get(i, ()))

    # ------------------------------------------------------------------ domains
    def _domain_builder(self, name: str) -> Callable[[Env], list[Any]]:
        s = self.s
        if name in s.params:
            p = s.params[name]
            if p.type != "single":
                return lambda env: [None, "x"]
            classes = self._classes(name, p.options)
            reps = [cls[0].code for cls in classes]
            return lambda env: reps + ([] if p.default else [None])
        q = s.survey.questions[name]
        page = s.survey.pages[q.page_index]
        values = self._values_builder(q)

        def domain(env: Env) -> list[Any]:
            state = question_state(q, env) if page_open(page, env) else None
            if state is None or not state.visible:
                return [state.autocode if state is not None else None]
            return values(env, state)

        return domain

    def _values_builder(self, q: Question) -> Callable[[Env, Any], list[Any]]:
        optional = [] if q.required else [None]
        kind = q.kind.value_kind
        if is_contact(q):
            return lambda env, state: [None]
        if kind == "code":
            classes = self._classes(q.id, q.options)
            return lambda env, state: class_representatives(classes, state.options) + optional
        if kind == "set":
            return self._set_values(q, optional)
        if kind == "matrix":
            return self._matrix_values(q, optional)
        if kind == "number":
            points = self._points(q)
            return lambda env, state: points + optional
        if kind == "consent":
            return lambda env, state: ["1"]
        return lambda env, state: ["x", *optional]

    def _classes(self, var: str, options: tuple[Option, ...]) -> list[list[Option]]:
        """Options grouped by how every relevant condition sees their code."""
        family = [var]  # codes a goal singles out downstream of var (fed, copied) matter here
        for member in family:
            downstream = [q.id for q in self.s.dependents.get(member, ())]
            family += [m for m in [*downstream, *self.s.copies.get(member, ())] if m not in family]
        extra = tuple(self.goal.codes[m] for m in family if m in self.goal.codes)
        return option_classes(var, options, self.atoms, self.s.copies, self.s.dependents, extra)

    def _set_values(self, q: Question, optional: list[Any]) -> Callable[[Env, Any], list[Any]]:
        classes = self._classes(q.id, q.options)
        literals = [leaf.arg for leaf in self.atoms.get(q.id, ()) if leaf.op in COUNT_OPS]
        for d in self.s.counts.get(q.id, ()):
            literals += [
                int(leaf.arg) + 1 for leaf in self.atoms.get(d, ()) if leaf.kind == "number"
            ]
        kind = multiple_kind(q)
        low, high = kind.minimum(q), kind.max
        limit = max([1, low, 2 if self.s.dependents.get(q.id) else 1, *(n + 1 for n in literals)])
        order = {o.code: i for i, o in enumerate(q.options)}

        def values(env: Env, state: Any) -> list[Any]:
            visible = {o.code for o in state.options}
            pools = [[o for o in cls if o.code in visible] for cls in classes]
            ranges = [range(min(limit, len(pool)) + 1) for pool in pools]
            size = 1
            for r in ranges:
                size *= len(r)
            if size > MAX_DOMAIN:
                raise _Abort
            found: list[Any] = list(optional)
            for combo in itertools.product(*ranges):
                chosen = [o for pool, n in zip(pools, combo, strict=True) for o in pool[:n]]
                total = len(chosen)
                if total == 0 or total < low or (high is not None and total > high):
                    continue
                if total > 1 and any(o.exclusive for o in chosen):
                    continue
                found.append(sorted((o.code for o in chosen), key=order.__getitem__))
            return found

        return values

    def _matrix_values(self, q: Question, optional: list[Any]) -> Callable[[Env, Any], list[Any]]:
        rows = [r.code for r in q.rows if f"{q.id}.{r.code}" in self.atoms]
        classes = {row: self._classes(f"{q.id}.{row}", q.options) for row in rows}

        def values(env: Env, state: Any) -> list[Any]:
            shown = [r.code for r in state.rows if r.code in classes]
            per_row = [
                class_representatives(classes[row], state.options) + optional for row in shown
            ]
            found = [
                {row: code for row, code in zip(shown, combo, strict=True) if code is not None}
                for combo in itertools.product(*per_row)
            ]
            return found + optional

        return values

    def _points(self, q: Question) -> list[Any]:
        literals = [leaf.arg for leaf in self.atoms.get(q.id, ()) if leaf.kind == "number"]
        for d in self.s.copies.get(q.id, ()):
            literals += [leaf.arg for leaf in self.atoms.get(d, ()) if leaf.kind == "number"]
        return number_points(q, literals)
