"""The linter's search and the path statistics, checked against brute force on random schemas.

Hypothesis writes small random questionnaires: singles, multiple choices (exclusive options,
maxima), integers, matrices, a URL parameter, options_from with auto-coding, option, row,
page and question conditions, derived counts and copies, screen-outs and a hard quota.
Every route is enumerated by answering page by page through the runtime flow; the result
must match what lint_text reports (unreachable questions and options, conditions always
true, number of paths per ending, shortest and longest route).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from surveyapp.engine import flow, load_survey
from surveyapp.engine.lint import lint_text
from surveyapp.engine.visibility import environment, question_state

LETTERS, DIGITS = ["a", "b", "c"], ["1", "2", "3"]
CODE_KINDS = ("single", "derived")


@dataclass
class Source:
    """A variable later conditions may use."""

    id: str
    kind: str  # single | multiple | integer | row | derived | param
    codes: list[str] = field(default_factory=list)


def _leaf(draw: Any, sources: list[Source]) -> str:
    src = draw(st.sampled_from(sources))
    if draw(st.integers(0, 9)) == 0:
        return f"{{q: {src.id}, answered: {draw(st.sampled_from(['true', 'false']))}}}"
    if src.kind == "multiple":
        op = draw(
            st.sampled_from(["has", "has_any", "has_all", "has_none", "count_gte", "count_eq"])
        )
        if op.startswith("count"):
            return f"{{q: {src.id}, {op}: {draw(st.integers(0, 3))}}}"
        if op == "has":
            return f"{{q: {src.id}, has: {draw(st.sampled_from(src.codes))}}}"
        picked = draw(st.lists(st.sampled_from(src.codes), min_size=1, max_size=2, unique=True))
        return f"{{q: {src.id}, {op}: [{', '.join(picked)}]}}"
    if src.kind == "integer":
        op = draw(st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte"]))
        return f"{{q: {src.id}, {op}: {draw(st.integers(0, 3))}}}"
    op = draw(st.sampled_from(["eq", "ne", "in", "not_in"]))
    if op in ("in", "not_in"):
        picked = draw(st.lists(st.sampled_from(src.codes), min_size=1, max_size=2, unique=True))
        return f"{{q: {src.id}, {op}: [{', '.join(picked)}]}}"
    return f"{{q: {src.id}, {op}: {draw(st.sampled_from(src.codes))}}}"


def _condition(draw: Any, sources: list[Source], depth: int = 0) -> str:
    shape = draw(st.integers(0, 5)) if depth == 0 else 0
    if shape <= 3:
        return _leaf(draw, sources)
    if shape == 4:
        return f"{{not: {_condition(draw, sources, depth + 1)}}}"
    word = draw(st.sampled_from(["all", "any"]))
    items = ", ".join(_condition(draw, sources, depth + 1) for _ in range(2))
    return f"{{{word}: [{items}]}}"


def _options(draw: Any, codes: list[str], exclusive: bool, sources: list[Source]) -> str:
    conditioned = draw(st.sampled_from(codes)) if sources and draw(st.booleans()) else None
    parts = []
    for code in codes:
        extra = ", exclusive: true" if exclusive and code == codes[-1] else ""
        if code == conditioned:
            extra += f", when: {_condition(draw, sources)}"
        parts.append(f"{{code: {code}, label: {{fr: '{code}', en: '{code}'}}{extra}}}")
    return "[" + ", ".join(parts) + "]"


def _question(draw: Any, qid: str, sources: list[Source]) -> tuple[str, list[Source]]:
    kind = draw(st.sampled_from(["single", "single", "multiple", "multiple", "integer", "matrix"]))
    parts = [f"id: {qid}", f"type: {kind}", "text: {fr: T, en: T}"]
    if draw(st.integers(0, 3)) == 0:
        parts.append("required: false")
    if sources and draw(st.booleans()):
        parts.append(f"when: {_condition(draw, sources)}")
    made: list[Source] = []
    multis = [s for s in sources if s.kind == "multiple"]
    if kind in ("single", "multiple"):
        codes = LETTERS if kind == "multiple" or (multis and draw(st.booleans())) else DIGITS
        if codes == LETTERS and multis and draw(st.booleans()):
            parts.append(f"options_from: {draw(st.sampled_from(multis)).id}")
            if kind == "single" and draw(st.booleans()):
                parts.append("autocode_single: true")
        exclusive = kind == "multiple" and draw(st.booleans())
        parts.append(f"options: {_options(draw, codes, exclusive, sources)}")
        if kind == "multiple" and draw(st.booleans()):
            parts.append("max: 2")
        if kind == "multiple" and draw(st.integers(0, 3)) == 0:
            parts.append("min: 2")
        made.append(Source(qid, kind, codes))
    elif kind == "integer":
        parts += ["min: 0", "max: 3"]
        made.append(Source(qid, "integer"))
    else:
        row_when = f", when: {_condition(draw, sources)}" if sources and draw(st.booleans()) else ""
        parts.append("scale: [{code: 1, label: {fr: x, en: x}}, {code: 2, label: {fr: y, en: y}}]")
        parts.append(
            "rows: [{code: r1, text: {fr: r, en: r}}, "
            f"{{code: r2, text: {{fr: s, en: s}}{row_when}}}]"
        )
        made += [Source(f"{qid}.r1", "row", ["1", "2"]), Source(f"{qid}.r2", "row", ["1", "2"])]
    return "    - {" + ", ".join(parts) + "}", made


def _derived(draw: Any, name: str, page: list[Source]) -> tuple[str, Source] | None:
    target = draw(st.sampled_from(page))
    if target.kind == "multiple" and draw(st.booleans()):
        return f"- {{id: {name}, type: number, count: {target.id}}}\n", Source(name, "integer")
    options = "[" + ", ".join(f"{{code: {c}, label: {{fr: x, en: x}}}}" for c in target.codes) + "]"
    if target.kind == "multiple":
        cases = f"[{{copy: {target.id}, when: {{q: {target.id}, count_eq: 1}}}}]"
        return (
            f"- {{id: {name}, type: single, options: {options}, cases: {cases}}}\n",
            Source(name, "derived", target.codes),
        )
    if target.kind == "single":
        first, second = target.codes[:2]
        cases = (
            f"[{{value: {first}, when: {{q: {target.id}, in: [{first}, {second}]}}}}, "
            f"{{copy: {target.id}}}]"
        )
        return (
            f"- {{id: {name}, type: single, options: {options}, cases: {cases}}}\n",
            Source(name, "derived", target.codes),
        )
    return None


@st.composite
def random_schemas(draw: Any) -> tuple[str, str, dict[str, str]]:
    """A small random questionnaire: (pages, endings, other sections) as YAML text."""
    sections: dict[str, str] = {"derived": ""}
    sources: list[list[Source]] = []  # per page
    earlier: list[Source] = []
    if draw(st.booleans()):
        default = ", default: 2" if draw(st.booleans()) else ""
        sections["parameters"] = (
            "- {id: src, options: [{code: 1, label: {fr: x, en: x}}, "
            f"{{code: 2, label: {{fr: y, en: y}}}}]{default}}}\n"
        )
        earlier.append(Source("src", "param", ["1", "2"]))
    lines: list[str] = []
    for p in range(draw(st.integers(2, 4))):
        available = earlier + [s for page in sources for s in page]
        lines.append(f"- id: p{p}")
        if available and draw(st.booleans()):
            lines.append(f"  when: {_condition(draw, available)}")
        lines.append("  questions:")
        page: list[Source] = []
        for _ in range(draw(st.integers(1, 2))):
            text, made = _question(draw, f"q{p}{len(page)}", available)
            lines.append(text)
            page += made
        usable = [s for s in page if s.kind in ("single", "multiple")]
        if usable and draw(st.integers(0, 2)) == 0:
            made_derived = _derived(draw, f"d{p}", usable)
            if made_derived:
                sections["derived"] += made_derived[0]
                page.append(made_derived[1])
        sources.append(page)
    endings = ["endings:"]
    for i in range(draw(st.integers(0, 2))):
        p = draw(st.integers(0, len(sources) - 1))
        available = earlier + [s for page in sources[: p + 1] for s in page]
        if available:
            cond = _condition(draw, available)
            endings.append(
                f"  - {{id: e{i}, status: screened_out, check_after: p{p}, when: {cond}, "
                "message: {fr: x, en: x}}"
            )
    codes = [(p, s) for p, page in enumerate(sources) for s in page if s.kind in CODE_KINDS]
    if codes and draw(st.booleans()):
        p, src = draw(st.sampled_from(codes))
        available = earlier + [s for page in sources[: p + 1] for s in page]
        when = f", when: {_condition(draw, available)}" if draw(st.booleans()) else ""
        endings.append("  - {id: qf, status: quota_full, message: {fr: x, en: x}}")
        sections["quotas"] = (
            f"- {{id: h, kind: hard, by: [{src.id}], targets: {{{src.codes[0]}: 5, "
            f"{src.codes[-1]}: 5}}, check_after: p{p}, ending: qf{when}}}\n"
        )
    endings.append("  - {id: done, status: complete, default: true, message: {fr: x, en: x}}")
    if not sections["derived"]:
        del sections["derived"]
    return "\n".join(lines) + "\n", "\n".join(endings) + "\n", sections


@dataclass
class Observed:
    """What brute force saw: routes, questions and options shown, conditions seen false."""

    routes: dict[tuple[tuple[str, ...], str], dict[str, Any]] = field(default_factory=dict)
    shown: set[str] = field(default_factory=set)
    offered: set[tuple[str, str]] = field(default_factory=set)
    false_when: set[str] = field(default_factory=set)


def explore(survey: Any, choices: Any, budget: int = 30_000) -> Observed:
    """Every route, answering each page in every possible way (integers 0..3)."""
    seen = Observed()
    hard = frozenset(c.id for q in survey.quotas if q.kind == "hard" for c in q.cells)
    numbers = {q.id: [0, 1, 2, 3] for q in survey.questions.values() if q.type == "integer"}
    left = [budget]

    def visit(answers: dict[str, Any], step: Any, shown: tuple[str, ...]) -> None:
        left[0] -= 1
        assume(left[0] > 0)
        if isinstance(step, flow.EndingReached):
            seen.routes.setdefault((shown, step.ending.id), answers)
            _conditions_passed(survey, _last_page(survey, step.ending.id), answers, seen)
            return
        _conditions_passed(survey, survey.page_index[step.page_id], answers, seen)
        env = environment(survey, answers)
        for q in survey.page(step.page_id).questions:
            state = question_state(q, env)
            if state.visible:
                seen.offered |= {(q.id, o.code) for o in state.options}
                items = [*q.options, *q.rows]
                seen.false_when |= {f"{q.id}:{i.code}" for i in items if i.when and not i.when(env)}
        view = flow.render_page(survey, step.page_id, answers, "s", "fr")
        ids = tuple(qv.id for qv in view.questions)
        seen.shown |= set(ids)
        for combo in itertools.product(*(choices(qv, numbers) for qv in view.questions)):
            values = dict(zip(ids, combo, strict=True))
            new = flow.apply_page(survey, step.page_id, values, answers, "s")
            steps = [
                flow.next_step(survey, step.page_id, new, full) for full in (frozenset(), hard)
            ]
            for nxt in steps[:1] if steps[0] == steps[1] else steps:
                visit(new, nxt, shown + ids)

    for params in _parameter_values(survey):
        visit(params, flow.first_step(survey, params), ())
    return seen


def _parameter_values(survey: Any) -> list[dict[str, Any]]:
    combos: list[dict[str, Any]] = [{}]
    for p in survey.parameters:
        values = [o.code for o in p.options] + ([] if p.default else [None])
        combos = [{**c, p.id: v} if v else dict(c) for c in combos for v in values]
    return combos


def _last_page(survey: Any, ending_id: str) -> int:
    """Index of the last page a route ending here has passed."""
    ending = survey.ending(ending_id)
    quota_pages = [q.check_after for q in survey.quotas if q.ending == ending_id and q.check_after]
    last = ending.check_after or next(iter(quota_pages), None)
    return survey.page_index[last] if last else len(survey.pages) - 1


def _conditions_passed(survey: Any, stop: int, answers: dict, seen: Observed) -> None:
    """Page and question conditions as evaluated when the route reached each page."""
    env = environment(survey, answers)
    for page in survey.pages[: stop + 1]:
        if page.when is not None and not page.when(env):
            seen.false_when.add(f"page:{page.id}")
            continue
        seen.false_when |= {q.id for q in page.questions if q.when and not q.when(env)}


def _warned(report: Any, rule: str, pattern: str) -> set[str]:
    found: set[str] = set()
    for w in report.warnings:
        if w.rule == rule:
            found |= set(re.findall(pattern, w.message))
    return found


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(parts=random_schemas())
def test_lint_and_stats_agree_with_brute_force(parts, schema, choices):
    pages, endings, sections = parts
    text = schema(pages, endings=endings, **sections)
    report = lint_text(text, "random.yaml")
    assert report.ok, "\n".join(map(str, report.problems)) + "\n" + text
    survey = load_survey(text)
    seen = explore(survey, choices)

    hidden_pages = _warned(report, "unreachable", r"shows page '(\w+)'")
    hidden = _warned(report, "unreachable", r"shows '(\w+)'")
    for q in survey.questions.values():
        warned = q.id in hidden or q.page_id in hidden_pages
        assert (q.id not in seen.shown) == warned, (q.id, report.warnings, text)

    for q in survey.questions.values():
        if q.id not in seen.shown:
            continue
        never = set()
        for w in report.warnings:
            match = re.search(
                r"(?:options?|rows?) ([\w, ]+?) (?:is|are) never offered in '(\w+)'", w.message
            )
            if match and match.group(2) == q.id:
                never |= set(match.group(1).split(", "))
        for o in q.options:
            if o.when or q.options_from:
                assert ((q.id, o.code) not in seen.offered) == (o.code in never), (
                    q.id,
                    o.code,
                    text,
                )
        always = set()
        for w in report.warnings:
            match = re.search(
                r"(?:options?|rows?) ([\w, ]+?) (?:is|are) always true when '(\w+)'", w.message
            )
            if match and match.group(2) == q.id:
                always |= set(match.group(1).split(", "))
        for item in [*q.options, *q.rows]:
            offered = (q.id, item.code) in seen.offered or item in q.rows
            if item.when and offered and item.code not in never:
                assert (f"{q.id}:{item.code}" not in seen.false_when) == (item.code in always), (
                    q.id, item.code, report.warnings, text,
                )  # fmt: skip
        if q.when:
            warned = any(
                w.rule == "always-true" and f"question '{q.id}'" in w.message
                for w in report.warnings
            )
            assert (q.id not in seen.false_when) == warned, (q.id, report.warnings, text)

    stats = report.stats
    assert stats is not None, text
    assert stats.paths == len(seen.routes), text
    counts: dict[str, int] = {}
    for _, ending in seen.routes:
        counts[ending] = counts.get(ending, 0) + 1
    assert dict(stats.by_ending) == counts, text
    lengths = [len(shown) for shown, _ in seen.routes] or [0]  # everyone may be stuck
    assert (stats.shortest, stats.longest) == (min(lengths), max(lengths)), text
