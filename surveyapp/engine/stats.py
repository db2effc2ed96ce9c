"""Path statistics: distinct routes through the questionnaire, their length and duration.

A path is the sequence of decisions a respondent meets: each question shown or not, each
ending fired or not, each hard quota found full or not, up to the ending reached. Distinct
paths are counted exactly in a decision diagram (diagram.py) built position by position;
the answers behind the decisions are symbolic (symbolic.py) and forgotten as soon as no
later decision reads them, so equal futures are computed once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .choices import multiple_kind
from .classes import class_representatives, number_points
from .diagram import EMPTY, Diagram
from .model import Question, Survey
from .path_decisions import decisions, last_reads, quota_codes
from .symbolic import INF, ClassTicks, State, Symbolic, Ticks, constrain_class
from .visibility import is_contact


@dataclass(frozen=True, slots=True)
class PathStats:
    """Distinct paths, shortest and longest in questions shown, estimated minutes."""

    paths: int
    shortest: int
    longest: int
    complete_paths: int
    shortest_complete: int | None
    longest_complete: int | None
    minutes_min: float | None
    minutes_max: float | None
    by_ending: Mapping[str, int]


class TooLarge(Exception):
    """The diagram grew past its budget."""


def path_stats(survey: Survey, cap: int = 200_000) -> PathStats | None:
    """Statistics of every path; None when the survey is too large to count exactly."""
    try:
        return _Paths(survey, cap).run()
    except TooLarge:
        return None


class _Paths(Symbolic):
    def __init__(self, survey: Survey, cap: int) -> None:
        self.decisions = decisions(survey)
        conds = [c for d in self.decisions for c in d.conditions]
        conds += [c.when for d in survey.derived for c in d.cases if c.when is not None]
        super().__init__(survey, conds, quota_codes(survey, self.decisions))
        self.cap = cap
        self.diagram = Diagram()
        self.memo: dict[tuple[int, tuple[tuple[str, Any], ...]], int] = {}
        #: The last decision reading each variable, and each class of codes.
        self.last, self.last_class = last_reads(self, self.decisions)

    def _project(self, i: int, st: State) -> State:
        """The state after decision i: only what a later decision reads."""
        out = {}
        for name, value in st.items():
            if self.last.get(name, -1) > i:
                out[name] = self._fold(name, value, i) if isinstance(value, Ticks) else value
        return out

    def _fold(self, name: str, t: Ticks, i: int) -> Ticks:
        """Classes no later decision reads are summed into the folded interval."""
        keep: list[ClassTicks] = []
        dead_low, dead_high = t.dead_low, t.dead_high
        for c in t.classes:
            if self.last_class.get((name, c.k), -1) > i or c.k in self.exclusive[name]:
                keep.append(c)
            else:
                dead_low, dead_high = dead_low + c.low, dead_high + c.high
        clip = self.clip[name]
        return t._replace(
            classes=tuple(keep), dead_low=min(dead_low, clip), dead_high=min(dead_high, clip)
        )

    # ------------------------------------------------------------------ building
    def run(self) -> PathStats:
        root = EMPTY
        for st in self._parameters():
            root = self.diagram.union(root, self._build(0, st))
        return self._summary(root)

    def _parameters(self) -> list[State]:
        states: list[State] = [{}]
        for p in self.survey.parameters:
            if self.last.get(p.id, -1) < 0:
                continue
            if p.type == "single":
                values = [cls[0].code for cls in self.classes_of(p.id, p.options)]
                values += [] if p.default else [None]
            else:
                values = ["x", None]
            states = [{**st, p.id: v} for st in states for v in values]
        return states

    def _build(self, i: int, st: State) -> int:
        if i == len(self.decisions):
            return self.diagram.ending(self.survey.default_ending.id)
        key = (i, tuple(sorted(st.items())))
        if key not in self.memo:
            if len(self.memo) > self.cap:
                raise TooLarge
            dec = self.decisions[i]
            build = {"question": self._question, "ending": self._ending, "quota": self._quota}
            self.memo[key] = build[dec.kind](i, dec.item, st)
        return self.memo[key]

    def _next(self, i: int, st: State) -> int:
        return self._build(i + 1, self._project(i, st))

    def _ending(self, i: int, ending: Any, st: State) -> int:
        no = yes = EMPTY
        for fires, s in self.cond(ending.when, st):
            if fires:
                yes = self.diagram.ending(ending.id)
            else:
                no = self.diagram.union(no, self._next(i, s))
        return self.diagram.node(i, no, yes)

    def _quota(self, i: int, quota: Any, st: State) -> int:
        """yes: the respondent is in a cell that may be full; no: the route goes on."""
        no = yes = EMPTY
        for member, s in self.cond(quota.when, st):
            for codes, s2 in self._values(quota.by, s) if member else [([], s)]:
                if member and tuple(codes) in quota.cell_by_codes:
                    yes = self.diagram.ending(quota.ending)
                no = self.diagram.union(no, self._next(i, s2))
        return self.diagram.node(i, no, yes)

    def _values(self, ids: tuple[str, ...], st: State) -> Iterator[tuple[list[Any], State]]:
        if not ids:
            yield [], st
            return
        for value, s in self.value(ids[0], None, st):
            for rest, s2 in self._values(ids[1:], s):
                yield [value, *rest], s2

    # ------------------------------------------------------------------ questions
    def _question(self, i: int, q: Question, st: State) -> int:
        no = yes = EMPTY
        page = self.survey.pages[q.page_index]
        live = self.last.get(q.id, -1) > i or any(
            self.last.get(f"{q.id}.{r.code}", -1) > i for r in q.rows
        )
        for shown, s, offer in self._shown(q, page, st):
            if shown:  # a required multiple choice nobody can answer ends the path here
                check = live or q.kind.required_ticks(q) > 1
                answered = self._assign(q, offer, s) if check else [s]
                for s2 in answered:
                    yes = self.diagram.union(yes, self._next(i, s2))
            elif offer is not None and live:  # auto-coded
                for s2 in self._autocode(q, offer, s):
                    no = self.diagram.union(no, self._next(i, s2))
            else:
                no = self.diagram.union(no, self._next(i, s))
        return self.diagram.node(i, no, yes)

    def _shown(self, q: Question, page: Any, st: State) -> list[tuple[bool, State, Any]]:
        """(shown, state, offer): offer = visible codes, ("from", classes) or matrix rows."""
        out: list[tuple[bool, State, Any]] = []
        for ok, s in self.cond(page.when, st):
            for ok2, s2 in self.cond(q.when, s) if ok else [(False, s)]:
                if not ok2:
                    out.append((False, s2, None))
                elif q.rows:
                    out += [(bool(rows), s3, rows) for rows, s3 in self._visible(q.rows, s2)]
                elif q.options:
                    for codes, s3 in self._visible(q.options, s2):
                        out += self._offered(q, codes, s3)
                else:
                    out.append((True, s2, None))
        return out

    def _visible(self, items: tuple[Any, ...], st: State) -> list[tuple[tuple[str, ...], State]]:
        results: list[tuple[tuple[str, ...], State]] = [((), st)]
        for item in items:
            results = [
                ((*found, item.code) if ok else found, s2)
                for found, s in results
                for ok, s2 in self.cond(item.when, s)
            ]
        return results

    def _offered(
        self, q: Question, codes: tuple[str, ...], st: State
    ) -> list[tuple[bool, State, Any]]:
        """Branches on how many codes are offered: 0 hides, 1 auto-codes when asked to."""
        if not q.options_from:
            if not codes:
                return [(False, st, None)]
            return [(not (q.autocode_single and len(codes) == 1), st, frozenset(codes))]
        source = q.options_from
        t = st.get(source)
        if t is None:
            return [(False, st, None)]
        classes = self.classes[source]
        allowed = tuple(
            k for k, cls in enumerate(classes) if cls and {o.code for o in cls} <= set(codes)
        )
        cuts = [(0, 0), (1, 1), (2, INF)] if q.autocode_single else [(0, 0), (1, INF)]
        whole = len(allowed) == sum(1 for cls in classes if cls) and t.dead_high == 0
        out = []
        for (low, high), t2 in self.sum_branches(source, t, None if whole else allowed, cuts):
            s = {**st, source: t2}
            hidden = low == 0 or (q.autocode_single and high == 1)
            out.append((not hidden, s, None if low == 0 else ("from", allowed)))
        return out

    def _autocode(self, q: Question, offer: Any, st: State) -> list[State]:
        if not isinstance(offer, tuple):
            return [{**st, q.id: next(iter(offer))}]
        return self._pick_class(q, offer[1], st)

    def _pick_class(self, q: Question, allowed: tuple[int, ...], st: State) -> list[State]:
        """A single choice fed by options_from: one state per class it may be chosen from."""
        source = q.options_from or ""
        states = []
        for k in allowed:
            t = constrain_class(st[source], k, 1, INF)
            if t is not None and self.feasible(source, t):
                states.append({**st, source: t, q.id: self.classes[source][k][0].code})
        return states

    def _assign(self, q: Question, offer: Any, st: State) -> list[State]:
        """States after the respondent answers a shown question whose value is read later."""
        optional = [] if q.required else [None]
        if is_contact(q):
            return [st]
        if q.rows:
            return self._assign_matrix(q, offer, st, optional)
        if isinstance(offer, tuple) and q.type == "multiple":
            return self._new_dependent(q, offer[1], st)
        if isinstance(offer, tuple):
            return self._pick_class(q, offer[1], st) + [{**st, q.id: None} for _ in optional]
        kind = q.kind.value_kind
        if kind == "set":
            return self._new_ticks(
                q, st, [sum(1 for o in c if o.code in offer) for c in self.classes[q.id]]
            )
        if kind == "code":
            visible = [o for o in q.options if o.code in offer]
            values = class_representatives(self.classes_of(q.id, q.options), visible) + optional
        elif kind == "number":
            literals = [leaf.arg for leaf in self.atoms.get(q.id, ()) if leaf.kind == "number"]
            values = number_points(q, literals) + optional
        elif kind == "consent":
            values = ["1"]
        else:
            values = ["x", *optional]
        return [{**st, q.id: v} for v in values]

    def _assign_matrix(self, q: Question, rows: Any, st: State, optional: list[Any]) -> list[State]:
        per_row = []
        for code in rows:
            name = f"{q.id}.{code}"
            reps = class_representatives(self.classes_of(name, q.options), q.options)
            per_row.append([(name, v) for v in reps + optional])
        states = [{**st, q.id: "x", **dict(combo)} for combo in itertools.product(*per_row)]
        return states + [{**st, q.id: None} for _ in optional]

    def _new_dependent(self, q: Question, allowed: tuple[int, ...], st: State) -> list[State]:
        """A multiple choice fed by options_from offers, per class, the codes ticked in its
        source: fix those counts exactly, one state per possibility."""
        source = q.options_from or ""
        t = st[source]
        bounds = {c.k: (c.low, min(c.high, self.clip[source])) for c in t.classes if c.k in allowed}
        states = []
        for counts in itertools.product(*(range(lo, hi + 1) for lo, hi in bounds.values())):
            exact: Ticks | None = t
            for k, n in zip(bounds, counts, strict=True):
                exact = constrain_class(exact, k, n, n) if exact is not None else None
            if exact is None or not self.feasible(source, exact):
                continue
            sizes = [
                dict(zip(bounds, counts, strict=True)).get(k, 0)
                for k in range(len(self.classes[q.id]))
            ]
            states += self._new_ticks(q, {**st, source: exact}, sizes)
        return states

    def _new_ticks(self, q: Question, st: State, sizes: list[int]) -> list[State]:
        """The answer to a multiple choice: blank (if optional), or min..max codes ticked."""
        kind = multiple_kind(q)
        low, high = kind.minimum(q), kind.max or INF
        classes = tuple(ClassTicks(k, 0, n, n) for k, n in enumerate(sizes))
        if q.required or low > 1:
            totals = [(low, high)] + ([] if q.required else [(0, 0)])
        else:
            totals = [(0, high)]  # blank or at least one: one interval
        answers = [Ticks(classes, 0, 0, lo, hi) for lo, hi in totals]
        return [{**st, q.id: t} for t in answers if self.feasible(q.id, t)]

    # ------------------------------------------------------------------ summary
    def _summary(self, root: int) -> PathStats:
        def weight(position: int) -> int:
            dec = self.decisions[position]
            return int(dec.kind == "question" and dec.item.kind.takes_answer)

        result = self.diagram.counts(root, weight)
        complete = {e.id for e in self.survey.endings if e.status == "complete"}
        done = [v for k, v in result.items() if k in complete]
        seconds = self.survey.estimated_seconds_per_question
        short = min((v[1] for v in done), default=None)
        long = max((v[2] for v in done), default=None)
        return PathStats(
            paths=sum(v[0] for v in result.values()),
            shortest=min((v[1] for v in result.values()), default=0),
            longest=max((v[2] for v in result.values()), default=0),
            complete_paths=sum(v[0] for v in done),
            shortest_complete=short,
            longest_complete=long,
            minutes_min=None if short is None else round(short * seconds / 60, 1),
            minutes_max=None if long is None else round(long * seconds / 60, 1),
            by_ending={k: v[0] for k, v in sorted(result.items())},
        )
