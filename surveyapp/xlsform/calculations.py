"""XLSForm `calculate` rows beyond count-selected: typed engine calculations.

A calculation cell is read by the engine's calculation parser (`surveyapp.engine.calc`), which
accepts the XPath arithmetic, comparisons and functions XLSForm authors write (`+ - * div mod`,
`if`, `coalesce`, `sum`, `round`, `count-selected`, `selected`, `concat`, `normalize-space`…).
Once every name of the workbook is known, each calculation is typed in row order (a calculation
may read earlier ones): a number or a text derived variable; the names it reads are replaced by
their ids. Errors are located at the cell and character.
"""

from __future__ import annotations

from typing import Any

from ..engine import calc, calc_types
from .context import Context
from .problems import Location
from .symbols import symbols_from_schema

REFUSED = "a calculation refused above"


def type_calculations(ctx: Context, schema: dict[str, Any], nodes: dict[int, calc.Node]) -> None:
    """Give each imported calculation its type and ids; refuse the ill-typed ones."""
    derived = schema.get("derived") or []
    if not any(id(item) in nodes for item in derived):
        return
    pending = [item for item in derived if id(item) in nodes]
    known = [item for item in derived if id(item) not in nodes]
    kinds = {
        name: calc_types.kind_of_variable(var.kind, var.codes)
        for name, var in symbols_from_schema({**schema, "derived": known}).by_name.items()
    }
    refused: list[dict[str, Any]] = []
    for item in pending:
        loc = ctx.origins.get(("derived-calc", item["id"]), Location("survey"))

        def kind_of(name: str) -> str | None:
            return kinds.get(ctx.renamed.get(name, name))

        try:
            kind = calc.infer(nodes[id(item)], kind_of)
        except calc.CalcError as exc:
            ctx.error(loc, exc.message, exc.pos + 1)
            refused.append(item)
            kinds[item["id"]] = REFUSED
            continue
        if kind not in ("number", "text", "code"):
            ctx.error(loc, f"the calculation gives a {kind}: write if(…, 1, 0) for a number", 1)
            refused.append(item)
            kinds[item["id"]] = REFUSED
            continue
        item["type"] = "number" if kind == "number" else "text"
        item["calc"] = _renamed(ctx, item["calc"], nodes[id(item)])
        kinds[item["id"]] = item["type"]
        _reorder(item)
    for item in refused:
        derived.remove(item)


def _renamed(ctx: Context, text: str, tree: calc.Node) -> str:
    """The author's text with names and selected() codes replaced by their ids and codes."""
    edits: list[tuple[int, int, str]] = []
    for node in calc.walk(tree):
        if isinstance(node, calc.Ref) and text.startswith("${", node.pos):
            end = text.index("}", node.pos) + 1
            edits.append((node.pos, end, "${" + ctx.renamed.get(node.name, node.name) + "}"))
        if isinstance(node, calc.Call) and node.name == "selected":
            code = node.args[1]
            if isinstance(code, calc.Lit) and isinstance(code.value, str):
                new = ctx.renamed_codes.get(code.value, code.value)
                quote = text[code.pos]
                edits.append((code.pos, code.pos + len(code.value) + 2, f"{quote}{new}{quote}"))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _reorder(item: dict[str, Any]) -> None:
    ordered: dict[str, Any] = {
        key: item.pop(key) for key in ("id", "label", "type", "calc") if key in item
    }
    item.update(ordered)
