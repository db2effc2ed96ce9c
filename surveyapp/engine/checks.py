"""Semantic checks of a parsed schema: ids, references, positions, texts, endings, quotas.

Derived variables are ordered and checked in derived_checks.py, export column names in
column_checks.py, quota cells built in cell_targets.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .cell_targets import QuotaCells
from .column_checks import check_columns
from .derived_checks import check_derived
from .expressions import Condition
from .model import Cell, Derived, Ending, Page, Parameter, Question, Text, VarInfo
from .parse_logic import QuotaDraft
from .questions import EmailType
from .reader import Reader
from .resolve import Resolver, parameter_var, question_var

PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


@dataclass
class Parsed:
    """Everything read from the file, before the semantic checks."""

    pages: tuple[Page, ...]
    questions: dict[str, Question]
    parameters: tuple[Parameter, ...]
    derived: tuple[Derived, ...]
    endings: tuple[Ending, ...]
    quotas: tuple[QuotaDraft, ...]
    texts: list[Text] = field(default_factory=list)


@dataclass
class Checked:
    """What the checks produce for the compiled survey."""

    variables: dict[str, VarInfo]
    resolver: Resolver
    derived_order: tuple[Derived, ...]
    cells: dict[str, tuple[Cell, ...]]


class Checker:
    """Runs every semantic check; problems go to the reader."""

    def __init__(self, reader: Reader, parsed: Parsed) -> None:
        self.r = reader
        self.p = parsed
        self.variables: dict[str, VarInfo] = {}
        self.page_index = {page.id: page.index for page in parsed.pages}
        self.origin: dict[str, str] = {}  # derived id -> the question that fixes its page
        self.cells = QuotaCells(reader)

    def run(self) -> Checked:
        """All checks, in dependency order."""
        self._ids()
        for q in self.p.questions.values():
            self.variables.setdefault(q.id, question_var(q))
        for p in self.p.parameters:
            self.variables.setdefault(p.id, parameter_var(p))
        order = check_derived(self.r, self.p.derived, self.variables, self.origin)
        self.resolver = Resolver(self.r, self.variables, self.p.questions)
        self._conditions()
        self._questions()
        self._endings()
        cells = {d.quota.id: self._quota(d) for d in self.p.quotas}
        self._texts()
        check_columns(self.r, self.p.questions, self.p.derived, self.p.parameters)
        return Checked(self.variables, self.resolver, order, cells)

    # ------------------------------------------------------------------ ids
    def _ids(self) -> None:
        seen: dict[str, str] = {}
        groups: list[tuple[str, Iterable[str]]] = [
            ("question", self.p.questions),
            ("derived", (d.id for d in self.p.derived)),
            ("parameter", (p.id for p in self.p.parameters)),
            ("page", (p.id for p in self.p.pages)),
            ("ending", (e.id for e in self.p.endings)),
            ("quota", (d.quota.id for d in self.p.quotas)),
        ]
        for kind, ids in groups:
            for ident in ids:
                other = seen.setdefault(ident.casefold(), kind)
                if other != kind:
                    message = f"id '{ident}' is also used by a {other}: ids must be unique"
                    self.r.report_at((kind, ident), message, "duplicate", "id")

    # ------------------------------------------------------------------ conditions
    def _conditions(self) -> None:
        for page in self.p.pages:
            self._at(page.when, page.index, True, f"page '{page.id}'")
            for q in page.questions:
                where = f"question '{q.id}'"
                self._at(q.when, page.index, True, where)
                for o in q.options:
                    self._at(o.when, page.index, True, f"{where}, option {o.code}")
                for row in q.rows:
                    self._at(row.when, page.index, True, f"{where}, row {row.code}")
                # checked when the page is submitted: this page's answers are known
                self._at(q.required_when, page.index, False, f"{where}, required_when")
                for i, check in enumerate(q.checks):
                    self._at(check.condition, page.index, False, f"{where}, checks[{i}]")
            for i, check in enumerate(page.checks):
                self._at(check.condition, page.index, False, f"page '{page.id}', checks[{i}]")
        for d in self.p.derived:
            for case in d.cases:
                self.resolver.resolve(case.when)
        for e in self.p.endings:
            limit = self.page_index.get(e.check_after or "", len(self.p.pages))
            self._at(e.when, limit, False, f"ending '{e.id}'")

    def _at(self, cond: Condition | None, page: int, strict: bool, where: str) -> None:
        """Resolve a condition used at `page` and check that it looks only backwards."""
        resolved = self.resolver.resolve(cond)
        if resolved is None:
            return
        for leaf_ref in sorted(resolved.refs):
            problem = self._position(leaf_ref, page, strict)
            if problem:
                self.r.error_at_condition(resolved, f"{where}: {problem}", "forward-reference")

    def _position(self, ref: str, page: int, strict: bool) -> str | None:
        """Why `ref` cannot be used at `page` (None when it can)."""
        var = self.variables.get(ref)
        if var is None or var.page < page or (var.page == page and not strict):
            return None
        cause = self.origin.get(ref, ref) if var.source == "derived" else ref
        via = f" (via '{ref}')" if cause != ref else ""
        where = (
            "the same page" if var.page == page else f"a later page ('{self._page_id(var.page)}')"
        )
        return f"forward reference: '{cause}'{via} is asked on {where}; use earlier pages only"

    def _page_id(self, index: int) -> str:
        return self.p.pages[index].id if 0 <= index < len(self.p.pages) else "?"

    # ------------------------------------------------------------------ questions
    def _questions(self) -> None:
        for q in self.p.questions.values():
            if q.constraint_message is not None and not _has_constraint(q):
                message = (
                    "constraint_message needs a bound or a pattern to explain (min, max, pattern)"
                )
                self.r.report_at(("question", q.id), message, "value", "constraint_message")
            if q.options_from is not None:
                self._options_from(q)
            if isinstance(q.kind, EmailType) and q.kind.contact is not None:
                self._contact(q, q.kind.contact.with_)
        contact = {
            q.id
            for q in self.p.questions.values()
            if isinstance(q.kind, EmailType) and q.kind.contact is not None
        }
        for cond in self.resolver.resolved():
            for ref in sorted(cond.refs & contact):
                message = f"'{ref}' is kept apart from the answers: conditions cannot use it"
                self.r.error_at_condition(cond, message, "unknown-reference")

    def _options_from(self, q: Question) -> None:
        source = self.p.questions.get(q.options_from or "")
        key = ("question", q.id)
        if source is None or source.type != "multiple":
            message = f"options_from needs a multiple-choice question, not '{q.options_from}'"
            self.r.report_at(key, message, "unknown-reference", "options_from")
            return
        problem = self._position(source.id, q.page_index, True)
        if problem:
            self.r.report_at(key, problem, "forward-reference", "options_from")
        extra = {o.code for o in q.options} - {o.code for o in source.options}
        if extra:
            codes = ", ".join(sorted(extra))
            message = f"codes {codes} are not options of '{source.id}' (options_from)"
            self.r.report_at(key, message, "unknown-option", "options_from")

    def _contact(self, q: Question, ids: tuple[str, ...]) -> None:
        for ident in ids:
            other = self.p.questions.get(ident)
            if other is None or other.type not in ("single", "multiple"):
                message = f"contact.with needs choice questions, not '{ident}'"
                self.r.report_at(("question", q.id), message, "unknown-reference", "contact")
            elif other.page_index > q.page_index:
                message = f"contact.with: '{ident}' is asked on a later page"
                self.r.report_at(("question", q.id), message, "forward-reference", "contact")

    # ------------------------------------------------------------------ endings, quotas
    def _endings(self) -> None:
        params = {p.id for p in self.p.parameters}
        for e in self.p.endings:
            key = ("ending", e.id)
            if e.check_after is not None and e.check_after not in self.page_index:
                message = f"unknown page '{e.check_after}'"
                self.r.report_at(key, message, "unknown-reference", "check_after")
            for name in PLACEHOLDER.findall(e.redirect or ""):
                if name not in params:
                    message = f"redirect placeholder '${{{name}}}' is not a declared parameter"
                    self.r.report_at(key, message, "unknown-reference", "redirect")

    def _quota(self, draft: QuotaDraft) -> tuple[Cell, ...]:
        quota, key = draft.quota, ("quota", draft.quota.id)
        endings = {e.id: e for e in self.p.endings}
        limit = len(self.p.pages)
        if quota.check_after is not None:
            if quota.check_after not in self.page_index:
                message = f"unknown page '{quota.check_after}'"
                self.r.report_at(key, message, "unknown-reference", "check_after")
            limit = self.page_index.get(quota.check_after, limit)
        if quota.ending is not None:
            ending = endings.get(quota.ending)
            if ending is None or ending.status != "quota_full":
                message = f"ending '{quota.ending}' must exist with status quota_full"
                self.r.report_at(key, message, "unknown-reference", "ending")
        for ending_id in quota.counts:
            if ending_id not in endings:
                self.r.report_at(
                    key, f"unknown ending '{ending_id}'", "unknown-reference", "counts"
                )
        self._at(quota.when, limit, False, f"quota '{quota.id}'")
        codes: list[tuple[str, ...]] = []
        for ref in quota.by:
            var = self.variables.get(ref)
            if var is None or var.kind != "code":
                message = f"by needs single-choice questions or derived variables, not '{ref}'"
                self.r.report_at(key, message, "unknown-reference", "by")
                return ()
            problem = self._position(ref, limit, False) if quota.check_after else None
            if problem:
                self.r.report_at(key, problem, "forward-reference", "by")
            codes.append(var.codes)
        if not self.cells.allowed(draft, codes):
            return ()
        return self.cells.build(draft, codes)

    # ------------------------------------------------------------------ texts
    def _texts(self) -> None:
        for text in self.r.texts():
            self._placeholders_agree(text)
        for q in self.p.questions.values():
            texts: list[Text | None] = [
                q.text,
                q.help,
                *(o.label for o in q.options),
                *(r.text for r in q.rows),
            ]
            for piped in texts:
                self._piping(piped, q.page_index, f"question '{q.id}'")
        for e in self.p.endings:
            limit = self.page_index.get(e.check_after or "", len(self.p.pages) - 1)
            self._piping(e.message, limit + 1, f"ending '{e.id}'")

    def _placeholders_agree(self, text: Text) -> None:
        found = {lang: sorted(PLACEHOLDER.findall(value)) for lang, value in text.items()}
        for lang, value in text.items():
            if value.count("${") != len(found[lang]):
                message = f"unclosed placeholder in the '{lang}' text (write ${{question_id}})"
                self.r.report_at(("text", id(text)), message, "placeholders")
        if len({tuple(v) for v in found.values()}) > 1:
            detail = "; ".join(f"{lang}: {', '.join(v) or 'none'}" for lang, v in found.items())
            message = f"placeholders differ between languages ({detail})"
            self.r.report_at(("text", id(text)), message, "placeholders")

    def _piping(self, text: Text | None, page: int, where: str) -> None:
        if not text:
            return
        names = sorted({name for value in text.values() for name in PLACEHOLDER.findall(value)})
        for name in names:
            var = self.variables.get(name)
            if var is None or var.kind in ("note", "matrix"):
                message = (
                    f"{where}: placeholder '${{{name}}}' names no question, "
                    "derived variable or parameter"
                )
                self.r.report_at(("text", id(text)), message, "unknown-reference")
                continue
            problem = self._position(name, page, True)
            if problem:
                self.r.report_at(("text", id(text)), f"{where}: {problem}", "forward-reference")


def _has_constraint(q: Question) -> bool:
    """The question has a bound or a pattern whose error a constraint_message can replace."""
    kind = q.kind
    bounds = (getattr(kind, "min", None), getattr(kind, "max", None))
    if q.type == "nps":
        return False
    if q.type == "text":  # max_length (1000 by default) is always a bound
        return True
    return any(b is not None for b in bounds)


def check_all(reader: Reader, parsed: Parsed) -> Checked:
    """Run every semantic check."""
    return Checker(reader, parsed).run()


__all__ = ["Checked", "Parsed", "check_all"]
