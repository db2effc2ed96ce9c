"""The survey sheet: rows -> a tree of groups -> pages of questions.

Pages: a `begin group` with appearance `field-list` is a page (its name is the page id). A
question outside any field-list group is shown alone, as in ODK, so it gets a page of its own,
`p_<name>`. A group without field-list only passes its `relevant` on to what it contains.
A `table-list` group is a matrix: one row per `select_one` of the same list.
When one question a page would make more pages than a survey may have (MAX_PAGES), each named
group is laid out as a field-list page instead (with a warning).
Conditions are translated later (they need every name); here they are collected as `Pending`.
Column rules are in sheet_columns.py, calculate rows in calculate_rows.py, the "other, specify"
idiom in other_specify.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..engine import calc, limits
from . import authoring
from .calculate_rows import read_calculate, read_only_question
from .context import IDENT, Context, as_identifier
from .other_specify import other_text
from .problems import Location
from .reader import Sheet, SheetRow
from .sheet_columns import check_columns
from .types import METADATA, REFUSED, RowType, parse_type

REF = re.compile(r"\$\{\s*([^}\s]*)\s*\}")
YES = {"yes", "true", "true()", "1"}
NO = {"no", "false", "false()", "0"}


@dataclass
class ListRef:
    """An option list named in a type cell, resolved once the choices sheet is read."""

    name: str
    or_other: bool
    loc: Location


@dataclass
class Pending:
    """A condition to translate: parts are ('xpath' | 'yaml', text or value, location)."""

    target: dict[str, Any]
    path: tuple[Any, ...]
    page: int
    parts: list[tuple[str, Any, Location]]
    #: where a name asked on the same or a later page is reported, once (an option condition
    #: of a cascading choice filter: the filter's cell), instead of each part's cell
    order_loc: Location | None = None
    #: The key of `target` the condition goes to (`when`; `condition` of a check,
    #: `required_when`), and whether it may read this page's answers (checked on submission).
    key: str = "when"
    same_page: bool = False


@dataclass
class _Group:
    """A field-list group being laid out: its row, page id, conditions, and the pages made."""

    row: SheetRow
    base: str
    conds: list
    ids: list[str]
    rows: list[int] = field(default_factory=list)


@dataclass
class Node:
    """A row of the survey sheet: a question, or a group with its children."""

    row: SheetRow
    kind: RowType
    children: list[Node] = field(default_factory=list)
    #: the note showing a read-only calculated value (authoring.shown_value)
    shown: dict[str, Any] | None = None

    @property
    def is_group(self) -> bool:
        return self.kind.base in ("begin group", "begin repeat")


class SurveySheet:
    """Build pages, questions, derived counts and pending conditions from the survey sheet."""

    def __init__(self, ctx: Context, sheet: Sheet) -> None:
        self.ctx = ctx
        self.sheet = sheet
        self.pages: list[dict[str, Any]] = []
        self.derived: list[dict[str, Any]] = []
        self.pending: list[Pending] = []
        self.row_names: dict[tuple[str, str], str] = {}
        #: every name written on the sheet (refused rows included)
        self.names: set[str] = set()
        #: derived variables defined in the surveyapp sheet (their calculate rows are mirrors)
        self.declared: set[str] = set()
        #: the parsed calculation of each derived dict with `calc` (typed once all names are known)
        self.calcs: dict[int, calc.Node] = {}
        #: the field-list group being laid out (it may become several pages)
        self.group: _Group | None = None
        #: too many pages with one question a page: every named group is a page (field-list)
        self.group_pages = False

    # ------------------------------------------------------------------ tree
    def read(self) -> None:
        """Read the sheet (problems go to the context)."""
        check_columns(self.ctx, self.sheet)
        authoring.name_unnamed_notes(self.ctx, self.sheet)
        root = Node(SheetRow(0), RowType("begin group"))
        stack = [root]
        unused_read_only: list[SheetRow] = []
        for row in self.sheet.rows:
            self.names.add(self.sheet.get(row, "name"))
            text = self.sheet.get(row, "type")
            if not text:
                self.ctx.error(self.sheet.loc(row, "type"), "this row has no type")
                continue
            try:
                kind = parse_type(text)
            except ValueError as exc:
                self.ctx.error(self.sheet.loc(row, "type"), str(exc))
                continue
            if kind.base in ("begin group", "begin repeat"):
                node = Node(row, kind)
                stack[-1].children.append(node)
                stack.append(node)
                if kind.base == "begin repeat":
                    self.ctx.error(self.sheet.loc(row, "type"), REFUSED["begin repeat"])
            elif kind.base in ("end group", "end repeat"):
                opening = "begin group" if kind.base == "end group" else "begin repeat"
                if len(stack) == 1 or stack[-1].kind.base != opening:
                    message = f"'{kind.base}' does not close a '{opening}'"
                    self.ctx.error(self.sheet.loc(row, "type"), message)
                else:
                    stack.pop()
            elif kind.base in METADATA:
                message = f"metadata '{kind.base}' skipped: the platform records times itself"
                self.ctx.warn(self.sheet.loc(row, "type"), message)
            elif kind.base in REFUSED:
                self.ctx.error(self.sheet.loc(row, "type"), REFUSED[kind.base])
            elif kind.base == "calculate":
                if self._read_only(row):
                    unused_read_only.append(row)
                read_calculate(self, row)
            elif kind.base == "note":
                if self._read_only(row):
                    unused_read_only.append(row)
                stack[-1].children.append(Node(row, kind))
            elif self._read_only(row):
                note = read_only_question(self, row, kind)
                if note is not None:
                    stack[-1].children.append(Node(row, RowType("note"), shown=note))
            else:
                if self.sheet.get(row, "calculation"):
                    message = (
                        "calculation ignored: without read_only the question is asked (ODK "
                        "only proposes the value, which the respondent may change)"
                    )
                    self.ctx.warn(self.sheet.loc(row, "calculation"), message)
                stack[-1].children.append(Node(row, kind))
        authoring.warn_unused_read_only(self.ctx, self.sheet, unused_read_only)
        for node in stack[1:]:
            self.ctx.error(self.sheet.loc(node.row, "type"), f"'{node.kind.base}' is never closed")
        alone = sum(self._page_count(child, False) for child in root.children)
        if alone > limits.MAX_PAGES:
            self.group_pages = sum(self._page_count(child, True) for child in root.children) < alone
        if self.group_pages:
            message = (
                f"one question a page would make {alone} pages (at most {limits.MAX_PAGES}): "
                "the questions of each named group are shown together on one page instead"
            )
            self.ctx.warn(Location("survey"), message)
        for child in root.children:
            self._top(child, [])

    def _page_count(self, node: Node, group_pages: bool) -> int:
        """The pages a node makes at the top level (one a question; one a field-list or
        table-list group, or a named group when `group_pages`)."""
        if not node.is_group:
            return 1
        if node.kind.base == "begin repeat":
            return 0
        appearance = self._appearance(node.row)
        if appearance & {"field-list", "table-list"}:
            return 1
        if group_pages and self.sheet.get(node.row, "name"):
            return 1
        return sum(self._page_count(child, group_pages) for child in node.children)

    def _read_only(self, row: SheetRow) -> bool:
        return bool(self.sheet.get(row, "read_only")) and authoring.read_only_flag(
            self.ctx, self.sheet, row
        )

    # ------------------------------------------------------------------ layout
    def _appearance(self, row: SheetRow) -> set[str]:
        return set(self.sheet.get(row, "appearance").lower().split())

    def _rel(self, row: SheetRow) -> list[tuple[str, Any, Location]]:
        """The condition parts written on a row: relevant (XPath) or surveyapp_when (YAML)."""
        parts: list[tuple[str, Any, Location]] = []
        relevant = self.sheet.get(row, "relevant")
        if relevant:
            parts.append(("xpath", relevant, self.sheet.loc(row, "relevant")))
        when = self.sheet.get(row, "surveyapp", "when")
        if when and relevant:
            message = "write the condition either in relevant or in surveyapp_when, not both"
            self.ctx.error(self.sheet.loc(row, "surveyapp", "when"), message)
        elif when:
            parts.append(("yaml", when, self.sheet.loc(row, "surveyapp", "when")))
        return parts

    def _top(self, node: Node, conds: list) -> None:
        if node.kind.base == "begin repeat":
            return
        if not node.is_group:
            if self.pages and other_text(self.ctx, self.sheet, node, self.pages[-1]):
                return
            name = self.sheet.get(node.row, "name")
            name = name if IDENT.match(name) else as_identifier(name)
            page = self._new_page(f"p_{name}", node.row, conds, generated=True)
            self._place(node, page, [])
            return
        appearance = self._appearance(node.row)
        if "field-list" in appearance or (
            self.group_pages and "table-list" not in appearance and self.sheet.get(node.row, "name")
        ):
            group = self.ctx.identifier(self.sheet, node.row, "name", "group")
            page_conds = conds + self._rel(node.row)
            page = self._new_page(group or "page", node.row, page_conds)
            self._page_checks(node.row, page)
            self._group_label(node)
            self.group = _Group(node.row, group or "page", page_conds, [page["id"]])
            for child in node.children:
                self._place(child, page, [])
            if len(self.group.ids) > 1:
                message = (
                    f"this field-list group is split into the pages {', '.join(self.group.ids)} "
                    f"(before rows {', '.join(map(str, self.group.rows))}): a condition is "
                    "checked when a page is submitted, so it can only use answers from earlier "
                    "pages"
                )
                self.ctx.warn(self.sheet.loc(node.row, "name"), message)
            self.group = None
        elif "table-list" in appearance:
            name = self.sheet.get(node.row, "name")
            page = self._new_page(f"p_{name}", node.row, conds, generated=True)
            self._place(node, page, [])
        else:
            self._group_label(node)
            for child in node.children:
                self._top(child, conds + self._rel(node.row))

    def _group_label(self, node: Node) -> None:
        if self.sheet.with_base("label") and any(
            node.row.texts.get(c.index) for c in self.sheet.with_base("label")
        ):
            message = "group label not shown: pages have no title (add a note if it matters)"
            self.ctx.warn(self.sheet.loc(node.row, "label"), message)

    def _page_checks(self, row: SheetRow, page: dict) -> None:
        """`surveyapp_checks` on a field-list group: the page's checks (YAML, as exported)."""
        from .questions import surveyapp_columns

        found = surveyapp_columns(self.ctx, self.sheet, row).get("checks")
        if found is not None:
            page["checks"] = found[0]
            self.ctx.origin(("pages", len(self.pages) - 1, "checks"), found[1])

    def _new_page(self, page_id: str, row: SheetRow, conds: list, generated=False) -> dict:
        page: dict[str, Any] = {"id": page_id, "questions": []}
        index = len(self.pages)
        self.pages.append(page)
        self.ctx.origin(("pages", index), self.sheet.loc(row, None if generated else "name"))
        if conds:
            self.pending.append(Pending(page, ("pages", index, "when"), index, conds))
        return page

    def _place(self, node: Node, page: dict, conds: list) -> None:
        page = self.pages[-1] if self.group is not None else page
        index = len(self.pages) - 1
        if node.kind.base == "begin repeat":
            return
        if node.is_group and "table-list" in self._appearance(node.row):
            self._matrix(node, page, index, conds)
        elif node.is_group:
            self._group_label(node)
            for child in node.children:
                self._place(child, page, conds + self._rel(node.row))
        else:
            self._question(node, page, index, conds + self._rel(node.row))

    # ------------------------------------------------------------------ questions
    def _split_if_needed(self, node: Node, page: dict, conds: list) -> dict:
        """A new page for a question whose condition uses an answer of the current page."""
        group = self.group
        if group is None or page is not self.pages[-1]:
            return page
        here = {q.get("id") for q in page["questions"]}
        texts = [value for kind, value, _ in conds if kind == "xpath"]
        texts.append(self.sheet.get(node.row, "choice_filter"))
        if node.shown is not None:
            texts.append(self.sheet.get(node.row, "calculation"))
        for name in (m.group(1) for text in texts for m in REF.finditer(text)):
            if self.ctx.renamed.get(name, name) in here:
                used = {p["id"] for p in self.pages} | self.names | set(self.ctx.renamed.values())
                page_id = next(
                    f"{group.base}_{n}" for n in range(2, 999) if f"{group.base}_{n}" not in used
                )
                group.ids.append(page_id)
                group.rows.append(node.row.number)
                return self._new_page(page_id, group.row, group.conds)
        return page

    def _question(self, node: Node, page: dict, index: int, conds: list) -> None:
        from .questions import build_question

        if other_text(self.ctx, self.sheet, node, page):
            return
        page = self._split_if_needed(node, page, conds)
        index = len(self.pages) - 1
        path = ("pages", index, "questions", len(page["questions"]))
        if node.shown is not None:
            question: dict[str, Any] | None = node.shown
            self.ctx.origin(path, self.sheet.loc(node.row, "label"))
        else:
            question = build_question(self, node, path)
        if question is None:
            return
        page["questions"].append(question)
        if conds:
            self.pending.append(Pending(question, (*path, "when"), index, conds))

    def _matrix(self, node: Node, page: dict, index: int, conds: list) -> None:
        from .questions import build_matrix

        page = self._split_if_needed(node, page, conds + self._rel(node.row))
        index = len(self.pages) - 1
        path = ("pages", index, "questions", len(page["questions"]))
        matrix = build_matrix(self, node, path)
        if matrix is None:
            return
        page["questions"].append(matrix)
        conds = conds + self._rel(node.row)
        if conds:
            self.pending.append(Pending(matrix, (*path, "when"), index, conds))


def parse_required(text: str) -> bool | None:
    """yes / no (and pyxform's other spellings); None when it is something else."""
    low = text.strip().lower()
    if low in YES:
        return True
    if low in NO or not low:
        return False
    return None
