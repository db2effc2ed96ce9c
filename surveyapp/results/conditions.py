"""The base of a table in words: who was asked, how many, and under which condition.

Conditions are read from the codebook's condition tree (`ExportColumn.condition_tree`, the
schema's own `{q: …, op: …}` form) and written with the option labels of the chosen language:
"Base: respondents asked this question, n = 812 of 900 — asked when Q1: “Yes”".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from surveyapp.domain import Op
from surveyapp.results.variables import Variable

if TYPE_CHECKING:
    from surveyapp.results.report import Report
    from surveyapp.results.tables import Table

QUOTES = {"fr": ("« ", " »"), "en": ("“", "”")}
COMPARE: dict[str, str] = {Op.GT: ">", Op.GTE: "≥", Op.LT: "<", Op.LTE: "≤", Op.EQ: "=", Op.NE: "≠"}


def _label(variables: Mapping[str, Variable], var: str, code: Any, lang: str) -> str:
    ident = var.split(".", 1)[0]
    v = variables.get(ident)
    text = v.label(str(code), lang) if v is not None else str(code)
    if v is not None and v.kind == "multiple":
        item = next((i for i in v.items if i.code == str(code)), None)
        text = (item.label.get(lang) or str(code)) if item is not None else str(code)
    left, right = QUOTES.get(lang, QUOTES["en"])
    return f"{left}{text}{right}"


def _labels(variables, var: str, arg: Any, lang: str) -> str:
    codes = arg if isinstance(arg, list | tuple) else [arg]
    return " / ".join(_label(variables, var, code, lang) for code in codes)


def _name(var: str) -> str:
    ident, _sep, row = var.partition(".")
    return f"{ident.upper()} {row}" if row else ident.upper()


def describe(tree: Any, variables: Mapping[str, Variable], lang: str) -> str:
    """A condition tree in words, with labels."""
    if not isinstance(tree, dict):
        return ""
    if "all" in tree:
        return _(" and ").join(_nested(t, variables, lang) for t in tree["all"])
    if "any" in tree:
        return _(" or ").join(_nested(t, variables, lang) for t in tree["any"])
    if "not" in tree:
        return _("not (%(condition)s)", condition=describe(tree["not"], variables, lang))
    var = tree.get("q", "")
    op, arg = next(((k, v) for k, v in tree.items() if k != "q"), ("", None))
    name = _name(var)
    if op in ("eq", "in") and not _numeric(variables, var):
        return f"{name}: {_labels(variables, var, arg, lang)}"
    if op in ("ne", "not_in") and not _numeric(variables, var):
        return _("%(var)s: not %(values)s", var=name, values=_labels(variables, var, arg, lang))
    if op in ("has", "has_any", "has_all"):
        return _("%(var)s includes %(values)s", var=name, values=_labels(variables, var, arg, lang))
    if op == "has_none":
        return _("%(var)s excludes %(values)s", var=name, values=_labels(variables, var, arg, lang))
    if op == "answered":
        return _("%(var)s answered", var=name) if arg else _("%(var)s not answered", var=name)
    if op.startswith("count_"):
        return _(
            "number selected in %(var)s %(op)s %(value)s", var=name, op=COMPARE[op[6:]], value=arg
        )
    return f"{name} {COMPARE.get(op, op)} {arg}"


def _nested(tree: Any, variables, lang: str) -> str:
    text = describe(tree, variables, lang)
    return f"({text})" if isinstance(tree, dict) and ("all" in tree or "any" in tree) else text


def _numeric(variables: Mapping[str, Variable], var: str) -> bool:
    v = variables.get(var.split(".", 1)[0])
    return v is not None and v.kind in ("number", "nps", "derived_number")


def base_statement(table: Table, report: Report, lang: str) -> str:
    """ "Base: …, n = … of …", with the condition under which the question is asked."""
    n = table.bases[0].n if table.bases else 0
    if table.not_asked == 0:
        text = _("Base: all respondents, n = %(n)s", n=n)
    else:
        text = _(
            "Base: respondents asked this question, n = %(n)s of %(total)s",
            n=n,
            total=table.respondents,
        )
    tree = table.variable.condition_tree
    if tree:
        text += " — " + _(
            "asked when %(condition)s", condition=describe(tree, report.variables, lang)
        )
    if table.asked:  # §10.4.1: the shares compare with Revision 1, which had no "don't know"
        text += ". " + _(
            "“Don’t know” is left out of this base so that the shares compare with the first "
            "revision of the questionnaire; its own share is of everyone asked (n = %(n)s).",
            n=table.asked[0].n,
        )
    return text
