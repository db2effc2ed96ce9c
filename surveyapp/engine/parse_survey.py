"""Reading pages and their questions from located YAML values: common keys, checks, the
choices of a question (options, rows, order, options_from, sets_language).

The header is read in parse_header.py, option lists in parse_options.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .expressions import Condition, parse_condition
from .limits import MAX_PAGES, MAX_QUESTIONS, MAX_ROWS, plural
from .model import Check, Option, Page, Question, Row
from .parse_options import read_when, resolve_options, too_many
from .questions import QUESTION_TYPES, ConsentType, QuestionType
from .reader import Reader, Section, join
from .yamlsource import YMap, YNode, YSeq

COMMON_KEYS = frozenset(
    {
        "id", "type", "text", "help", "when", "required", "personal",
        "required_when", "constraint_message", "checks", "column",
    }
)  # fmt: skip
CHECK_KEYS = ("condition", "message", "question")
EVERY_TYPE_KEY = frozenset().union(*(t.keys for t in QUESTION_TYPES.values()))


# ---------------------------------------------------------------------- pages
@dataclass
class PageContext:
    """State shared while reading pages: option lists and questions read so far."""

    lists: Mapping[str, tuple[Option, ...]]
    questions: dict[str, Question] = field(default_factory=dict)
    position: int = 0


def read_pages(reader: Reader, node: YNode | None, ctx: PageContext) -> tuple[Page, ...]:
    """The pages and their questions, in order."""
    seq = reader.sequence(node, "pages", "a list of pages")
    if seq is not None and not seq.items:
        reader.error(seq, "pages", "the survey has no pages", "value")
    items = too_many(reader, seq, "pages", MAX_PAGES, "page")
    count = sum(_question_count(item) for item in items)
    if count > MAX_QUESTIONS:
        message = f"{plural(count, 'question')}: at most {MAX_QUESTIONS:,} allowed"
        reader.error(seq, "pages", message, "limit")
        return ()
    pages: list[Page] = []
    for i, item in enumerate(items):
        page = _read_page(reader, item, join("pages", i), len(pages), ctx)
        if page is not None and any(p.id == page.id for p in pages):
            reader.error(item, join("pages", i), f"duplicate page id '{page.id}'", "duplicate")
        elif page is not None:
            pages.append(page)
    return tuple(pages)


def _question_count(page: YNode) -> int:
    questions = page.get("questions") if isinstance(page, YMap) else None
    return len(questions.items) if isinstance(questions, YSeq) else 0


def _read_page(reader: Reader, node: YNode, path: str, index: int, ctx: PageContext) -> Page | None:
    mapping = reader.mapping(node, path, "a page {id, questions}")
    if mapping is None:
        return None
    sec = reader.section(mapping, path, ("id", "when", "questions", "checks"), ("id", "questions"))
    page_id = sec.read("id", reader.identifier, "page id") or f"page{index}"
    reader.locate(("page", page_id), mapping, path)
    seq = sec.read("questions", reader.sequence, "a list of questions")
    if seq is not None and not seq.items:
        sec.error("questions", "the page has no questions", "value")
    questions = []
    for i, item in enumerate(seq.items if seq else ()):
        question = read_question(reader, item, join(path, f"questions[{i}]"), page_id, index, ctx)
        if question is not None:
            questions.append(question)
    ids = tuple(q.id for q in questions)
    checks = sec.read("checks", read_checks, reader, ids, default=())
    return Page(page_id, index, tuple(questions), read_when(sec), checks)


def read_checks(
    node: YNode, path: str, reader: Reader, page_questions: tuple[str, ...] | None
) -> tuple[Check, ...]:
    """`checks:` — conditions that must hold when the page is submitted, each with its message
    in every declared language; on a page, `question:` names where the message is shown."""
    seq = reader.sequence(node, path, "a list of checks {condition, message}")
    checks: list[Check] = []
    for i, item in enumerate(seq.items if seq else ()):
        at = join(path, i)
        mapping = reader.mapping(item, at, "a check {condition, message}")
        if mapping is None:
            continue
        keys = CHECK_KEYS if page_questions is not None else CHECK_KEYS[:2]
        sec = reader.section(mapping, at, keys, ("condition", "message"))
        condition = sec.read("condition", lambda n, p: parse_condition(reader, n, p))
        message = sec.read("message", reader.text)
        field = sec.read("question", reader.identifier, "question id") or ""
        if field and page_questions is not None and field not in page_questions:
            message = f"question '{field}' is not on this page"
            sec.error("question", message, "unknown-reference")
        if condition is not None and message is not None:
            checks.append(Check(condition, message, field))
    return tuple(checks)


def read_question(
    reader: Reader, node: YNode, path: str, page_id: str, page_index: int, ctx: PageContext
) -> Question | None:
    """One question: common keys here, type settings in its registry class."""
    mapping = reader.mapping(node, path, "a question {id, type, text}")
    if mapping is None:
        return None
    kind_cls = _question_type(reader, mapping, path)
    allowed = COMMON_KEYS | (kind_cls.keys if kind_cls else EVERY_TYPE_KEY)
    sec = reader.section(mapping, path, allowed, ("id", "type", "text"))
    qid = sec.read("id", reader.identifier, "question id")
    text = sec.read("text", reader.text)
    if kind_cls is None or qid is None or text is None:
        return None
    if qid in ctx.questions:
        message = f"duplicate question id '{qid}' (first on page '{ctx.questions[qid].page_id}')"
        sec.error(None, message, "duplicate")
        return None
    kind = kind_cls.from_yaml(reader, sec.fields, path)
    reader.locate(("question", qid), mapping, path)
    ctx.position += 1
    question = Question(
        id=qid,
        kind=kind,
        text=text,
        page_id=page_id,
        page_index=page_index,
        position=ctx.position,
        help=sec.read("help", reader.text),
        when=read_when(sec),
        required=_required(sec, kind),
        personal=bool(sec.read("personal", reader.boolean, "personal")),
        required_when=_required_when(sec, kind),
        constraint_message=sec.read("constraint_message", reader.text),
        checks=sec.read("checks", read_checks, reader, None, default=()),
        **_choices(sec, qid, kind, ctx),
        column=sec.read("column", reader.column_name),
    )
    ctx.questions[qid] = question
    return question


def _question_type(reader: Reader, mapping: YMap, path: str) -> type[QuestionType] | None:
    node = mapping.get("type")
    name = reader.string(node, join(path, "type"), "type") if node is not None else None
    if name is None or name in QUESTION_TYPES:
        return QUESTION_TYPES.get(name or "")
    hint = difflib.get_close_matches(name, list(QUESTION_TYPES), n=1)
    extra = f" (did you mean '{hint[0]}'?)" if hint else ""
    message = f"unknown question type '{name}'{extra}; known types: {', '.join(QUESTION_TYPES)}"
    reader.error(node, join(path, "type"), message, "unknown-type")
    return None


def _required(sec: Section, kind: QuestionType) -> bool:
    required = sec.read("required", sec.reader.boolean, "required")
    if isinstance(kind, ConsentType) and required is False:
        sec.error("required", "consent is always required", "value")
    if "required_when" in sec and required is None:
        return False  # required only when the condition holds: see validate_page
    if isinstance(kind, ConsentType) or required is None:
        return kind.default_required or isinstance(kind, ConsentType)
    return bool(required)


def _required_when(sec: Section, kind: QuestionType) -> Condition | None:
    """`required_when: <condition>`: required only when the condition holds (at submission)."""
    if "required_when" not in sec:
        return None
    if "required" in sec:
        message = "write either required or required_when, not both"
        sec.error("required_when", message, "value")
    if isinstance(kind, ConsentType) or not kind.takes_answer:
        sec.error("required_when", f"a {kind.name} question cannot take required_when", "value")
    when: Condition | None = sec.read(
        "required_when", lambda node, path: parse_condition(sec.reader, node, path)
    )
    return when


def _choices(sec: Section, qid: str, kind: QuestionType, ctx: PageContext) -> dict[str, Any]:
    """Options, rows, order, options_from, auto-coding and sets_language of a question."""
    reader, result = sec.reader, {}
    source = sec.read("options_from", reader.identifier, "question id")
    if source is not None:
        result["options_from"] = source
        result["autocode_single"] = bool(sec.read("autocode_single", reader.boolean))
    elif "autocode_single" in sec:
        sec.error("autocode_single", "autocode_single needs options_from", "value")
    matrix = kind.name == "matrix"
    options_key, order_key = ("scale", "row_order") if matrix else ("options", "order")
    options: tuple[Option, ...] = ()
    if options_key in sec:
        node = sec.fields[options_key]
        options, result["option_list"] = resolve_options(
            reader, node, sec.at(options_key), ctx.lists, qid
        )
    elif source in ctx.questions:
        fed = ctx.questions[source]
        options, result["option_list"] = fed.options, fed.option_list
    elif kind.has_options or matrix:
        sec.error(None, f"missing key '{options_key}'", "missing-key")
    result["options"] = options
    if sum(1 for o in options if o.other) > 1:
        sec.error(options_key, "at most one 'other' option per question", "duplicate")
    order = sec.read(order_key, reader.string, order_key)
    if order_key in sec and order != "random":
        sec.error(order_key, f"{order_key} must be random", "value")
    result["random_order"] = order == "random"
    rows = sec.read("rows", _rows, reader, qid, default=()) if matrix else ()
    if matrix and "rows" not in sec:
        sec.error(None, "missing key 'rows'", "missing-key")
    result["rows"] = rows
    if "sets_language" in sec:
        result["sets_language"] = sec.read("sets_language", _sets_language, reader, options)
    conditional = [item.when for item in (*options, *rows)]
    result["dynamic"] = source is not None or any(c is not None for c in conditional)
    return result


def _rows(node: YNode, path: str, reader: Reader, qid: str) -> tuple[Row, ...]:
    seq = reader.sequence(node, path, "a list of rows {code, text}")
    if seq is not None and not seq.items:
        reader.error(seq, path, "the matrix has no rows", "value")
    rows: list[Row] = []
    for i, item in enumerate(too_many(reader, seq, path, MAX_ROWS, "row")):
        mapping = reader.mapping(item, join(path, i), "a row {code, text}")
        if mapping is None:
            continue
        sec = reader.section(mapping, join(path, i), ("code", "text", "when"), ("code", "text"))
        code, text = sec.read("code", reader.code), sec.read("text", reader.text)
        if code is None or text is None:
            continue
        if any(r.code == code for r in rows):
            sec.error(None, f"duplicate row code '{code}'", "duplicate")
            continue
        reader.locate(("row", qid, code), item, join(path, i))
        rows.append(Row(code, text, read_when(sec)))
    return tuple(rows)


def _sets_language(
    node: YNode, path: str, reader: Reader, options: tuple[Option, ...]
) -> Mapping[str, str]:
    mapping = reader.mapping(node, path, "a map {code: language}")
    result: dict[str, str] = {}
    codes = {o.code for o in options}
    for key, value in mapping.items if mapping else ():
        code = reader.code(key, path)
        lang = reader.string(value, join(path, key.raw), "language")
        if code is None or lang is None:
            continue
        if code not in codes:
            message = f"code '{code}' is not an option of this question"
            reader.error(key, join(path, key.raw), message, "unknown-option")
        if lang not in reader.languages:
            message = f"language '{lang}' is not declared"
            reader.error(value, join(path, key.raw), message, "unknown-language")
        result[code] = lang
    return MappingProxyType(result)
