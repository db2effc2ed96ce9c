"""The decisions a path is made of, and which of them read what (stats.py).

A decision is a question shown or not, an ending fired or not, a hard quota found full or
not. `last_reads` says, for each variable and each class of a multiple choice's codes, the
last decision that reads it: after that, the path counter forgets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .classes import code_set
from .expressions import COUNT_OPS, Condition, Leaf, leaves
from .model import Derived, Survey
from .symbolic import Symbolic


@dataclass(frozen=True, slots=True)
class Decision:
    """A point where paths part: a question shown or not, an ending fired, a quota full."""

    kind: str  # question | ending | quota
    item: Any
    conditions: tuple[Condition, ...]
    ids: tuple[str, ...] = ()


def decisions(survey: Survey) -> list[Decision]:
    """Every decision, in the order a respondent meets them."""
    found: list[Decision] = []
    for page in survey.pages:
        for q in page.questions:
            conds = (page.when, q.when, *(o.when for o in q.options), *(r.when for r in q.rows))
            ids = (q.options_from,) if q.options_from else ()
            found.append(Decision("question", q, tuple(c for c in conds if c), ids))
        for e in survey.endings_after.get(page.id, ()):
            found.append(Decision("ending", e, (e.when,) if e.when else ()))
        for quota in survey.quotas_after.get(page.id, ()):
            when = (quota.when,) if quota.when else ()
            found.append(Decision("quota", quota, when, quota.by))
    return found


def quota_codes(survey: Survey, decisions: list[Decision]) -> dict[str, tuple[frozenset[str], ...]]:
    """Every code of a hard quota's cells must stay distinguishable in its `by` variables
    (and in the questions a derived `by` variable copies)."""
    derived = {d.id: d for d in survey.derived}
    codes: dict[str, tuple[frozenset[str], ...]] = {}
    for quota in (d.item for d in decisions if d.kind == "quota"):
        for depth, ref in enumerate(quota.by):
            found = tuple(
                frozenset({c}) for c in sorted({cell.codes[depth] for cell in quota.cells})
            )
            refs = [ref]
            for name in refs:
                refs += [c.copy for c in getattr(derived.get(name), "cases", ()) if c.copy]
            for name in refs:
                codes[name] = codes.get(name, ()) + found
    return codes


def last_reads(
    sym: Symbolic, decisions: list[Decision]
) -> tuple[dict[str, int], dict[tuple[str, int], int]]:
    """The last decision reading each variable, and each (variable, class of codes)."""
    reads = _Reads(sym, decisions)
    return reads.last, reads.last_class


class _Reads:
    """What each decision reads, through derived variables and their copies."""

    def __init__(self, sym: Symbolic, decisions: list[Decision]) -> None:
        self.derived, self.multi = sym.derived, sym.multi
        self.classes, self.class_of = sym.classes, sym.class_of
        self.last: dict[str, int] = {}
        self.last_class: dict[tuple[str, int], int] = {}
        for i, dec in enumerate(decisions):
            reads: set[Any] = set()
            for cond in dec.conditions:
                for leaf in leaves(cond.node):
                    self._read_leaf(leaf, reads)
            for ident in dec.ids:
                self._read_id(ident, reads)
            for item in reads:
                if isinstance(item, tuple):
                    self.last_class[item] = i
                self.last[item[0] if isinstance(item, tuple) else item] = i

    def _read_leaf(self, leaf: Leaf, reads: set[Any]) -> None:
        if leaf.ref in self.derived:
            self._read_derived(self.derived[leaf.ref], reads)
        elif leaf.ref in self.multi:
            if leaf.kind == "set" and leaf.op not in COUNT_OPS:
                reads.update((leaf.ref, self.class_of[leaf.ref][c]) for c in code_set(leaf))
            reads.add(leaf.ref)
        else:
            reads.add(leaf.var)

    def _read_id(self, ident: str, reads: set[Any]) -> None:
        if ident in self.derived:
            self._read_derived(self.derived[ident], reads)
        elif ident in self.multi:
            reads.update((ident, k) for k in range(len(self.classes[ident])))
            reads.add(ident)
        else:
            reads.add(ident)

    def _read_derived(self, d: Derived, reads: set[Any]) -> None:
        for case in d.cases:
            for leaf in leaves(case.when.node) if case.when else ():
                self._read_leaf(leaf, reads)
            if case.copy:
                self._read_id(case.copy, reads)
        if d.count:
            reads.add(d.count)
