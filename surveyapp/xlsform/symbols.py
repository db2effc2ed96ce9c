"""The names a condition may use in a schema dict: questions, matrix rows, derived, parameters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .conditions import Symbols, Var

KIND = {
    "single": "code",
    "multiple": "set",
    "integer": "number",
    "decimal": "number",
    "nps": "number",
    "text": "text",
    "email": "text",
    "date": "text",
    "consent": "consent",
    "note": "note",
    "matrix": "matrix",
}


def iter_questions(schema: Mapping[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(page index, question) for every question, in order."""
    for index, page in enumerate(schema.get("pages") or []):
        if isinstance(page, dict):
            for question in page.get("questions") or []:
                if isinstance(question, dict):
                    yield index, question


def option_codes(options: Any, lists: Mapping[str, Any]) -> tuple[Any, ...]:
    """The codes of an inline option list or of a named one."""
    if isinstance(options, str):
        options = lists.get(options)
    if not isinstance(options, list):
        return ()
    return tuple(o["code"] for o in options if isinstance(o, dict) and "code" in o)


def matrix_row_name(matrix_id: str, row_code: Any) -> str:
    """The XLSForm name of a matrix row: `q17` row `a` is `q17_a`."""
    return f"{matrix_id}_{row_code}"


def symbols_from_schema(
    schema: Mapping[str, Any], row_names: Mapping[tuple[str, str], str] | None = None
) -> Symbols:
    """Every name conditions may use; survey-sheet names also have their XPath name."""
    lists = schema.get("option_lists") or {}
    questions = {q.get("id"): q for _, q in iter_questions(schema)}
    symbols = Symbols()
    for page, q in iter_questions(schema):
        qid, qtype = q.get("id"), q.get("type")
        if not isinstance(qid, str):
            continue
        options = q.get("scale" if qtype == "matrix" else "options")
        if options is None and q.get("options_from") in questions:
            options = questions[q["options_from"]].get("options")
        codes = option_codes(options, lists)
        kind = KIND.get(str(qtype), "text")
        symbols.by_name[qid] = Var(qid, kind, codes, qid, page)
        if qtype == "matrix":
            for row in q.get("rows") or []:
                if not isinstance(row, dict) or "code" not in row:
                    continue
                name = (row_names or {}).get((qid, str(row["code"])))
                name = name or matrix_row_name(qid, row["code"])
                ref = f"{qid}.{row['code']}"
                symbols.by_name[name] = Var(ref, "code", codes, name, page, "row")
    for d in schema.get("derived") or []:
        if isinstance(d, dict) and isinstance(d.get("id"), str):
            kind = {"number": "number", "text": "text"}.get(str(d.get("type")), "code")
            codes = option_codes(d.get("options"), lists)
            symbols.by_name.setdefault(d["id"], Var(d["id"], kind, codes, None, -1, "derived"))
    for p in schema.get("parameters") or []:
        if isinstance(p, dict) and isinstance(p.get("id"), str):
            kind = "text" if p.get("type") == "text" else "code"
            codes = option_codes(p.get("options"), lists)
            symbols.by_name.setdefault(p["id"], Var(p["id"], kind, codes, None, -1, "parameter"))
    return symbols
