"""Derived variables while the schema is checked: their order (each after what it reads,
cycles reported), the page from which each is known (and the question that fixes it), and
what they are made of (copied variables, case values, calculations, counts).
"""

from __future__ import annotations

from .calc_types import calc_problems
from .model import Derived, VarInfo
from .reader import Reader
from .resolve import derived_deps, derived_var


def check_derived(
    reader: Reader,
    derived: tuple[Derived, ...],
    variables: dict[str, VarInfo],
    origin: dict[str, str],
) -> tuple[Derived, ...]:
    """The derived variables in dependency order; each is added to `variables` (on the page of
    its latest source) and `origin` gets the question that fixes that page. Problems go to the
    reader."""
    by_id = {d.id: d for d in derived}
    state: dict[str, int] = {}
    order: list[Derived] = []

    def visit(d: Derived, stack: list[str]) -> int:
        if state.get(d.id) == 1:
            cycle = " -> ".join([*stack[stack.index(d.id) :], d.id])
            reader.report_at(("derived", d.id), f"cycle: {cycle}", "cycle")
            return -1
        if d.id in variables:
            return variables[d.id].page
        state[d.id] = 1
        page = -1
        for dep in sorted(derived_deps(d)):
            if dep in by_id:
                dep_page = visit(by_id[dep], [*stack, d.id])
                source = origin.get(dep)
            elif dep in variables:
                dep_page, source = variables[dep].page, dep
            else:
                continue  # reported when the condition or case is resolved
            if dep_page > page:
                page = dep_page
                if source:
                    origin[d.id] = source
        state[d.id] = 2
        variables[d.id] = derived_var(d, page)
        order.append(d)
        return page

    for d in derived:
        if d.id not in variables:
            visit(d, [])
    for d in derived:
        _sources(reader, d, variables)
    return tuple(order)


def _sources(reader: Reader, d: Derived, variables: dict[str, VarInfo]) -> None:
    for i, case in enumerate(d.cases):
        if case.copy is not None:
            _copy(reader, d, case.copy, f"cases[{i}].copy", variables)
        elif d.type == "single" and case.value not in {o.code for o in d.options}:
            message = f"value '{case.value}' is not an option of '{d.id}'"
            reader.report_at(("derived", d.id), message, "unknown-option", f"cases[{i}]")
    if d.calc is not None:
        for message, rule in calc_problems(d.calc.node, d.type, variables):
            reader.report_at(("derived", d.id), message, rule, "calc")
    if d.count is not None:
        var = variables.get(d.count)
        if var is None or var.kind != "set":
            message = f"count needs a multiple-choice question, not '{d.count}'"
            reader.report_at(("derived", d.id), message, "unknown-reference", "count")


def _copy(
    reader: Reader, d: Derived, source: str, where: str, variables: dict[str, VarInfo]
) -> None:
    var = variables.get(source)
    wanted = ("code", "set") if d.type == "single" else ("number",)
    if var is None or var.kind not in wanted:
        what = "unknown" if var is None else f"a {var.kind} value"
        message = f"copy of '{source}' ({what}) does not fit a {d.type} derived variable"
        reader.report_at(("derived", d.id), message, "unknown-reference", where)
        return
    extra = set(var.codes) - {o.code for o in d.options} if d.type == "single" else set()
    if extra:
        codes = ", ".join(sorted(extra))
        message = f"copy of '{source}' can give codes that are not options of '{d.id}': {codes}"
        reader.report_at(("derived", d.id), message, "unknown-option", where)
