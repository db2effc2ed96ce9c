"""Symbolic answers, for counting paths without enumerating every combination of codes.

Single choices, numbers and texts are concrete values (one per class of equivalent codes).
A multiple choice is `Ticks`: for each class of codes (codes that no condition tells apart)
an interval of how many are ticked, plus an interval for the total. Conditions are
evaluated into branches `(result, state)`, refining the intervals only as far as the
condition needs, so a later question per code stays one binary choice per code.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any, NamedTuple

from surveyapp.domain import Op

from .choices import multiple_kind
from .classes import code_set, option_classes
from .expressions import COUNT_OPS, AnyOf, Condition, Leaf, Node, Not, leaves, value_test
from .model import Derived, Question, Survey

INF = 10**6
State = dict[str, Any]
Branches = list[tuple[Any, State]]


class ClassTicks(NamedTuple):
    """How many codes of class `k` are ticked (between low and high), out of `size` offered."""

    k: int
    low: int
    high: int
    size: int


class Ticks(NamedTuple):
    """A multiple choice answered symbolically: live classes, folded classes, the total."""

    classes: tuple[ClassTicks, ...]
    dead_low: int
    dead_high: int
    low: int
    high: int


def constrain_class(t: Ticks, k: int, low: int, high: int) -> Ticks | None:
    """Narrow one class's interval; None when it becomes empty."""
    out = []
    for c in t.classes:
        if c.k == k:
            c = c._replace(low=max(c.low, low), high=min(c.high, high))
            if c.low > c.high:
                return None
        out.append(c)
    return t._replace(classes=tuple(out))


def constrain_total(t: Ticks, low: int, high: int) -> Ticks | None:
    """Narrow the total's interval; None when it becomes empty."""
    new = t._replace(low=max(t.low, low), high=min(t.high, high))
    return None if new.low > new.high else new


class Symbolic:
    """Evaluates conditions over symbolic states, for one survey and the given conditions."""

    def __init__(
        self,
        survey: Survey,
        conditions: Iterable[Condition],
        quota_codes: dict[str, tuple[frozenset[str], ...]],
    ) -> None:
        self.survey = survey
        self.atoms: dict[str, list[Leaf]] = {}
        for cond in conditions:
            for leaf in leaves(cond.node):
                self.atoms.setdefault(leaf.var, []).append(leaf)
        self.derived = {d.id: d for d in survey.derived}
        self.copies: dict[str, list[str]] = {}
        for d in survey.derived:
            for case in d.cases:
                if case.copy:
                    self.copies.setdefault(case.copy, []).append(d.id)
        self.dependents: dict[str, list[Question]] = {}
        for q in survey.questions.values():
            if q.options_from:
                self.dependents.setdefault(q.options_from, []).append(q)
        self.multi = {q.id: q for q in survey.questions.values() if q.type == "multiple"}
        self.quota_codes = quota_codes
        self.classes = self._families()
        self.class_of = {
            name: {o.code: k for k, cls in enumerate(classes) for o in cls}
            for name, classes in self.classes.items()
        }
        self.exclusive = {
            name: frozenset(k for k, cls in enumerate(classes) if cls and cls[0].exclusive)
            for name, classes in self.classes.items()
        }
        self.clip = {name: self._clip(q) for name, q in self.multi.items()}

    def classes_of(self, name: str, options: tuple[Any, ...]) -> list[list[Any]]:
        """Classes of a single-choice variable (question, matrix row or parameter)."""
        extra = self.quota_codes.get(name, ())
        return option_classes(name, options, self.atoms, self.copies, self.dependents, extra)

    def _families(self) -> dict[str, list[list[Any]]]:
        """Classes of codes shared by a multiple choice and the questions fed from it.

        Class k holds the same codes in every member of a family (a multiple choice and
        the multiple choices fed from it by options_from), so a count per class of the
        source is also the number of codes a member can offer in that class.
        """
        classes: dict[str, list[list[Any]]] = {}
        for root in self.multi.values():
            if root.options_from in self.multi:
                continue
            members = [root]
            for member in members:
                members += [q for q in self.dependents.get(member.id, []) if q.type == "multiple"]
            deps = [q for m in members for q in self.dependents.get(m.id, [])]
            readers = sorted({q.id for q in [*members, *deps]})
            found = [x for r in readers for x in self.atoms.get(r, ())]
            found += [
                x for r in readers for d in self.copies.get(r, ()) for x in self.atoms.get(d, ())
            ]
            extra = tuple(x for r in readers for x in self.quota_codes.get(r, ()))
            family = option_classes(
                root.id, root.options, {root.id: found}, {}, {root.id: deps}, extra
            )
            for m in members:
                mine = {o.code: o for o in m.options}
                classes[m.id] = [[mine[o.code] for o in cls if o.code in mine] for cls in family]
        return classes

    def _clip(self, q: Question) -> int:
        """Above this many codes ticked, no condition on `q` can tell the difference."""
        literals = [leaf.arg for leaf in self.atoms.get(q.id, ()) if leaf.op in COUNT_OPS]
        for d in self.survey.derived:
            if d.count == q.id:
                literals += [leaf.arg for leaf in self.atoms.get(d.id, ()) if leaf.kind == "number"]
        kind = multiple_kind(q)
        bounds = [kind.minimum(q), kind.max or 0, 2]
        return int(max([*literals, *bounds])) + 2

    # ------------------------------------------------------------------ conditions
    def cond(self, cond: Condition | None, st: State) -> Branches:
        """Branches (result, state) of a condition (None is true)."""
        if cond is None:
            return [(True, st)]
        return self._eval(cond.node, st)

    def _eval(self, node: Node, st: State) -> Branches:
        if isinstance(node, Leaf):
            return self._leaf(node, st)
        if isinstance(node, Not):
            return [(not ok, s) for ok, s in self._eval(node.item, st)]
        decisive = isinstance(node, AnyOf)  # any: a true item decides; all: a false one
        done: Branches = []
        frontier = [st]
        for item in node.items:
            undecided = []
            for s in frontier:
                for ok, s2 in self._eval(item, s):
                    if ok == decisive:
                        done.append((decisive, s2))
                    else:
                        undecided.append(s2)
            frontier = undecided
        return done + [(not decisive, s) for s in frontier]

    def _leaf(self, leaf: Leaf, st: State) -> Branches:
        test = value_test(leaf.op, leaf.arg, leaf.kind)
        if leaf.ref in self.multi and leaf.row is None:
            t = st.get(leaf.ref)
            return [(test(None), st)] if t is None else self._set_leaf(leaf, t, st)
        out: Branches = []
        for value, s in self.value(leaf.ref, leaf.row, st):
            if isinstance(value, tuple) and leaf.op == "answered":
                out.append((test(len(value)), s))  # a count of at least 1 is answered
            elif isinstance(value, tuple):
                out += self.total_test(value[1], leaf.op, leaf.arg, s)
            else:
                out.append((test(value), s))
        return out

    def value(self, ref: str, row: str | None, st: State) -> Branches:
        """Branches (value, state) of a variable; a count is ("total", question id)."""
        if ref in self.derived:
            return self._derived(self.derived[ref], st)
        return [(st.get(ref if row is None else f"{ref}.{row}"), st)]

    def _derived(self, d: Derived, st: State) -> Branches:
        if d.count is None:
            return self._cases(d, 0, st)
        t = st.get(d.count)
        if t is None:
            return [(None, st)]
        return [
            (None if low == 0 else ("total", d.count), {**st, d.count: t2})
            for (low, _), t2 in self.sum_branches(d.count, t, None, [(0, 0), (1, INF)])
        ]

    def _cases(self, d: Derived, index: int, st: State) -> Branches:
        if index == len(d.cases):
            return [(None, st)]
        case = d.cases[index]
        out: Branches = []
        for ok, s in self.cond(case.when, st):
            if not ok:
                out += self._cases(d, index + 1, s)
            elif case.copy is None:
                out.append((case.value, s))
            else:
                out += self._copy(case.copy, s)
        return out

    def _copy(self, source: str, st: State) -> Branches:
        if source not in self.multi:
            values = self.value(source, None, st)
            return [(None if isinstance(v, tuple) else v, s) for v, s in values]
        t = st.get(source)
        if t is None:
            return [(None, st)]
        out: Branches = []
        for (low, _), t2 in self.sum_branches(source, t, None, [(1, 1), (0, 0), (2, INF)]):
            if low != 1:
                out.append((None, {**st, source: t2}))
                continue
            for c in t2.classes:  # the single code ticked: which class is it in?
                one = constrain_class(t2, c.k, 1, INF)
                if c.high >= 1 and one is not None and self.feasible(source, one):
                    out.append((self.classes[source][c.k][0].code, {**st, source: one}))
        return out

    # ------------------------------------------------------------------ multiple choices
    def _set_leaf(self, leaf: Leaf, t: Ticks, st: State) -> Branches:
        name = leaf.ref
        out: Branches = []
        for (low, _), t2 in self.sum_branches(name, t, None, [(0, 0), (1, INF)]):
            s = {**st, name: t2}
            if leaf.op == "answered":
                out.append(((low >= 1) == leaf.arg, s))
            elif low == 0:
                out.append((False, s))  # left blank: null, every operator is false
            elif leaf.op in COUNT_OPS:
                out += self.total_test(name, leaf.op[6:], leaf.arg, s)
            else:
                out += self._code_leaf(leaf, t2, s)
        return out

    def _code_leaf(self, leaf: Leaf, t: Ticks, st: State) -> Branches:
        name = leaf.ref
        ks = sorted({self.class_of[name][c] for c in code_set(leaf)})
        out: Branches = []
        for every, some, t2 in self._classes_ticked(name, t, ks, leaf.op == "has_all"):
            result = {"has": some, "has_any": some, "has_all": every, "has_none": not some}
            out.append((result[leaf.op], {**st, name: t2}))
        return out

    def _classes_ticked(
        self, name: str, t: Ticks, ks: list[int], full: bool
    ) -> list[tuple[bool, bool, Ticks]]:
        """Branches (every class fully ticked or ticked, some class ticked, state)."""
        results = [(True, False, t)]
        for k in ks:
            n = len(self.classes[name][k])  # every code of the class, offered or not
            cuts = [(0, 0), (1, n - 1), (n, n)] if full else [(0, 0), (1, INF)]
            step = []
            for every, some, t1 in results:
                for low, high in dict.fromkeys(cuts):
                    t2 = constrain_class(t1, k, low, high) if low <= high else None
                    if t2 is not None and self.feasible(name, t2):
                        ticked = low >= 1
                        whole = low == n if full else ticked
                        step.append((every and whole, some or ticked, t2))
            results = step
        return results

    def total_test(self, name: str, op: str, arg: Any, st: State) -> Branches:
        """Branches of a numeric comparison on the number of codes ticked."""
        n = int(arg) if float(arg).is_integer() else arg
        above, below = -(-n // 1), int(n)  # smallest integer >= n, largest integer <= n
        ranges: list[tuple[Any, Any, bool]] = {
            Op.EQ: [(n, n, True), (0, n - 1, False), (n + 1, INF, False)],
            Op.NE: [(n, n, False), (0, n - 1, True), (n + 1, INF, True)],
            Op.GT: [(below + 1, INF, True), (0, below, False)],
            Op.GTE: [(above, INF, True), (0, above - 1, False)],
            Op.LT: [(0, above - 1, True), (above, INF, False)],
            Op.LTE: [(0, below, True), (below + 1, INF, False)],
        }[Op(op)]
        out: Branches = []
        for low, high, result in ranges:
            if low != int(low) or low > high:
                continue
            t = constrain_total(st[name], int(low), int(high))
            if t is not None and self.feasible(name, t):
                out.append((result, {**st, name: t}))
        return out

    def sum_branches(
        self, name: str, t: Ticks, ks: Any, cuts: list[tuple[int, int]]
    ) -> list[tuple[Any, Ticks]]:
        """Branches ((cut), state) on how many codes are ticked: in total, or in classes ks."""
        out: list[tuple[Any, Ticks]] = []
        if ks is None:
            for low, high in cuts:
                total = constrain_total(t, low, high)
                if total is not None and self.feasible(name, total):
                    out.append(((low, high), total))
            return out
        sizes = {c.k: c.size for c in t.classes}
        choices = [
            [(k, low, min(high, sizes[k])) for low, high in cuts if low <= sizes[k]] for k in ks
        ]
        for combo in itertools.product(*choices):
            t2: Ticks | None = t
            for k, low, high in combo:
                t2 = constrain_class(t2, k, low, high) if t2 is not None else None
            if t2 is None or not self.feasible(name, t2):
                continue
            ticked = min(sum(low for _, low, _ in combo), 2)
            out.append((next(c for c in cuts if c[0] <= ticked <= c[1]), t2))
        return out

    def feasible(self, name: str, t: Ticks) -> bool:
        """Some answer fits every interval (an exclusive code is ticked alone)."""
        exclusive = self.exclusive[name]
        plain = [c for c in t.classes if c.k not in exclusive]
        alone = [c for c in t.classes if c.k in exclusive]
        low = t.dead_low + sum(c.low for c in plain)
        high = t.dead_high + sum(c.high for c in plain)
        without = all(c.low == 0 for c in alone) and max(low, t.low) <= min(high, t.high)
        with_one = (
            low == 0
            and t.low <= 1 <= t.high
            and sum(c.low for c in alone) <= 1
            and any(c.high >= 1 for c in alone)
        )
        return without or with_one
