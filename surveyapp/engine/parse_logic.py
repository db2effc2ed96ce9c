"""Reading parameters, derived variables, endings and quotas from located YAML values."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .calc import Calc, CalcError, make_calc
from .expressions import Condition, parse_condition
from .model import STATUSES, Case, Derived, Ending, Option, Parameter, Quota
from .parse_options import resolve_options
from .reader import Reader, Section, join
from .yamlsource import YNode, YScalar

URL_PARAM = re.compile(r"[A-Za-z0-9_.\-]{1,64}\Z")
TargetTree = int | dict[str, "TargetTree"]
PARAMETER_KEYS = ("id", "param", "type", "options", "aliases", "default", "transient")
DERIVED_KEYS = ("id", "label", "type", "options", "cases", "count", "calc", "column")
ENDING_KEYS = (
    "id",
    "status",
    "check_after",
    "when",
    "message",
    "redirect",
    "default",
    "report_as",
)
QUOTA_KEYS = (
    "id", "kind", "label", "by", "targets", "target", "counts", "check_after", "ending",
    "limit", "when",
)  # fmt: skip


def _when(sec: Section) -> Condition | None:
    when: Condition | None = sec.read(
        "when", lambda node, path: parse_condition(sec.reader, node, path)
    )
    return when


def _sections(
    reader: Reader,
    node: YNode | None,
    path: str,
    what: str,
    keys: tuple[str, ...],
    required: tuple[str, ...],
) -> Iterator[Section]:
    """A Section for each mapping of an optional list."""
    if node is None:
        return
    seq = reader.sequence(node, path, f"a list of {what}")
    for i, item in enumerate(seq.items if seq else ()):
        mapping = reader.mapping(item, join(path, i), f"a mapping for one of the {what}")
        if mapping is not None:
            yield reader.section(mapping, join(path, i), keys, required)


class _Ids:
    """Ids already used in one section of the file."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def new(self, sec: Section, ident: str | None) -> bool:
        """False (with an error) when the id is missing or was already used."""
        if ident is None:
            return False
        if ident in self.seen:
            sec.error("id", f"duplicate id '{ident}'", "duplicate")
            return False
        self.seen.add(ident)
        return True


def _options(
    sec: Section, lists: Mapping[str, tuple[Option, ...]], owner: str
) -> tuple[tuple[Option, ...], str | None]:
    if "options" not in sec:
        return (), None
    return resolve_options(sec.reader, sec.fields["options"], sec.at("options"), lists, owner)


# ---------------------------------------------------------------------- parameters
def read_parameters(
    reader: Reader, node: YNode | None, lists: Mapping[str, tuple[Option, ...]]
) -> tuple[Parameter, ...]:
    """URL parameters kept with the response."""
    params = []
    ids = _Ids()
    for sec in _sections(reader, node, "parameters", "parameters", PARAMETER_KEYS, ("id",)):
        pid = sec.read("id", reader.identifier, "parameter id")
        param = sec.read("param", reader.string, "param", default=pid)
        if "param" in sec and param is not None and not URL_PARAM.match(param):
            sec.error("param", "param must be a URL-safe name", "value")
        options, list_name = _options(sec, lists, pid or "")
        kind = sec.choice("type", ("single", "text")) or ("single" if "options" in sec else "text")
        if kind == "single" and "options" not in sec:
            sec.error(None, "a single-choice parameter needs options", "missing-key")
        codes = {o.code for o in options}
        aliases = sec.read("aliases", _aliases, reader, codes, default=MappingProxyType({}))
        default = sec.read("default", reader.code, "default")
        if default is not None and default not in codes:
            message = f"default '{default}' is not an option of the parameter"
            sec.error("default", message, "unknown-option")
        transient = bool(sec.read("transient", reader.boolean, "transient"))
        if ids.new(sec, pid) and param is not None:
            reader.locate(("parameter", pid), sec.node, sec.path)
            params.append(
                Parameter(pid, param, kind, options, list_name, aliases, default, transient)
            )
    return tuple(params)


def _aliases(node: YNode, path: str, reader: Reader, codes: set[str]) -> Mapping[str, str]:
    mapping = reader.mapping(node, path, "a map {URL value: code}")
    result: dict[str, str] = {}
    for key, value in mapping.items if mapping else ():
        code = reader.code(value, join(path, key.raw))
        if code is not None and code not in codes:
            message = f"code '{code}' is not an option"
            reader.error(value, join(path, key.raw), message, "unknown-option")
        if code is not None:
            result[key.raw] = code
    return MappingProxyType(result)


# ---------------------------------------------------------------------- derived
def read_derived(
    reader: Reader, node: YNode | None, lists: Mapping[str, tuple[Option, ...]]
) -> tuple[Derived, ...]:
    """Derived variables, in the order written."""
    result = []
    ids = _Ids()
    for sec in _sections(
        reader, node, "derived", "derived variables", DERIVED_KEYS, ("id", "type")
    ):
        did = sec.read("id", reader.identifier, "derived variable id")
        kind = sec.choice("type", ("single", "number", "text"))
        options, list_name = _options(sec, lists, did or "")
        if kind == "single" and "options" not in sec:
            sec.error(None, "missing key 'options'", "missing-key")
        if kind != "single" and "options" in sec:
            sec.error("options", "options apply to type single only", "value")
        count = sec.read("count", reader.identifier, "question id")
        if kind != "number" and "count" in sec:
            sec.error("count", "count applies to type number only", "value")
        given = [key for key in ("cases", "count", "calc") if key in sec]
        if len(given) != 1:
            sec.error(None, "give exactly one of cases, count or calc", "missing-key")
        if kind == "text" and "calc" not in sec:
            sec.error("type", "type text is for calculations (calc) only", "value")
        if kind == "single" and "calc" in sec:
            sec.error(
                "calc", "a calculation gives a number or a text (type number or text)", "value"
            )
        calc = sec.read("calc", _calc, reader)
        cases = sec.read("cases", _cases, reader, kind, default=())
        if ids.new(sec, did) and kind is not None:
            reader.locate(("derived", did), sec.node, sec.path)
            label = sec.read("label", reader.text)
            column = sec.read("column", reader.column_name)
            result.append(
                Derived(did, kind, label, options, list_name, cases, count, calc, column=column)
            )
    return tuple(result)


def _calc(node: YNode, path: str, reader: Reader) -> Calc | None:
    text = reader.string(node, path, "calc")
    if text is None:
        return None
    try:
        return make_calc(text)
    except CalcError as exc:
        reader.error(node, path, f"character {exc.pos + 1}: {exc.message}", "calc")
        return None


def _cases(node: YNode, path: str, reader: Reader, kind: str | None) -> tuple[Case, ...]:
    cases = []
    found = list(_sections(reader, node, path, "cases", ("when", "value", "copy"), ()))
    if not found:
        reader.error(node, path, "cases needs at least one case", "value")
    for sec in found:
        if ("value" in sec) == ("copy" in sec):
            sec.error(None, "a case needs exactly one of value or copy", "missing-key")
        elif "copy" in sec:
            cases.append(Case(_when(sec), copy=sec.read("copy", reader.identifier, "copy")))
        else:
            read = reader.number if kind == "number" else reader.code
            cases.append(Case(_when(sec), value=sec.read("value", read, "value")))
    return tuple(cases)


# ---------------------------------------------------------------------- endings
def read_endings(reader: Reader, node: YNode | None) -> tuple[Ending, ...]:
    """Endings, in checking order."""
    if node is None:
        reader.error(None, "endings", "missing key 'endings'", "missing-key")
    endings = []
    reported = []
    ids = _Ids()
    required = ("id", "status", "message")
    for index, sec in enumerate(
        _sections(reader, node, "endings", "endings", ENDING_KEYS, required)
    ):
        eid = sec.read("id", reader.identifier, "ending id")
        status = sec.choice("status", STATUSES)
        message = sec.read("message", reader.text)
        check_after = sec.read("check_after", reader.identifier, "page id")
        redirect = sec.read("redirect", reader.string)
        default = bool(sec.read("default", reader.boolean))
        report_as = sec.read("report_as", reader.identifier, "ending id")
        when = _when(sec)
        if default and (check_after or when):
            sec.error(None, "the default ending takes no check_after or when", "value")
        if when is not None and check_after is None:
            sec.error("when", "an ending with a condition needs check_after", "missing-key")
        if ids.new(sec, eid) and status and message is not None:
            reader.locate(("ending", eid), sec.node, sec.path)
            endings.append(
                Ending(eid, status, message, index, check_after, when, redirect, default, report_as)
            )
            if report_as is not None:
                reported.append((sec, eid, status, report_as))
    by_id = {e.id: e for e in endings}
    for sec, eid, status, target in reported:
        other = by_id.get(target)
        if other is None or other.status != status or other.report_as or target == eid:
            message = (
                f"report_as must name another ending of status {status} that is reported as itself"
            )
            sec.error("report_as", message, "unknown-reference")
    defaults = sum(1 for e in endings if e.default)
    if node is not None and defaults != 1:
        message = f"exactly one ending must be the default ({defaults} found)"
        reader.error(node, "endings", message, "value")
    return tuple(endings)


# ---------------------------------------------------------------------- quotas
@dataclass(frozen=True, slots=True)
class QuotaDraft:
    """A quota whose cells are built once the codes of its `by` variables are known."""

    quota: Quota
    targets: TargetTree | None
    node: YNode
    path: str


def read_quotas(reader: Reader, node: YNode | None) -> tuple[QuotaDraft, ...]:
    """Quotas; cells are enumerated later (they need the codes of the `by` variables)."""
    drafts = []
    ids = _Ids()
    for sec in _sections(reader, node, "quotas", "quotas", QUOTA_KEYS, ("id", "kind")):
        qid = sec.read("id", reader.identifier, "quota id")
        kind = sec.choice("kind", ("hard", "soft"))
        by = tuple(sec.read("by", _ids, reader, "variable id", default=[]))
        if "by" in sec and not 1 <= len(by) <= 2:
            sec.error("by", "by takes 1 or 2 variables", "value")
        targets = _targets(sec, by)
        counts = tuple(sec.read("counts", _ids, reader, "ending id", default=[]))
        limit = sec.choice("limit", ("at_least", "at_most"))
        check_after = sec.read("check_after", reader.identifier, "page id")
        ending = sec.read("ending", reader.identifier, "ending id")
        _kind_rules(sec, kind, limit, check_after, ending)
        if ids.new(sec, qid) and kind:
            reader.locate(("quota", qid), sec.node, sec.path)
            label = sec.read("label", reader.text)
            quota = Quota(qid, kind, (), counts, label, by, check_after, ending, limit, _when(sec))
            drafts.append(QuotaDraft(quota, targets, sec.fields.get("targets", sec.node), sec.path))
    return tuple(drafts)


def _kind_rules(
    sec: Section, kind: str | None, limit: str | None, check_after: Any, ending: Any
) -> None:
    if kind == "soft" and limit is None:
        sec.error(None, "a soft quota needs limit: at_least or at_most", "missing-key")
    if kind == "soft" and (check_after or ending):
        sec.error(None, "check_after and ending apply to hard quotas only", "value")
    if kind == "hard" and ending is None:
        sec.error(None, "a hard quota needs an ending (status quota_full)", "missing-key")
    if kind == "hard" and limit == "at_least":
        sec.error("limit", "a hard quota is an at_most limit", "value")


def _ids(node: YNode, path: str, reader: Reader, what: str) -> list[str]:
    seq = reader.sequence(node, path, f"a list of {what}s")
    found = [
        reader.identifier(x, join(path, i), what) for i, x in enumerate(seq.items if seq else ())
    ]
    return [i for i in found if i is not None]


def _targets(sec: Section, by: tuple[str, ...]) -> TargetTree | None:
    reader = sec.reader
    if by:
        if "target" in sec:
            sec.error("target", "with by, use targets", "value")
        if "targets" not in sec:
            sec.error(None, "missing key 'targets'", "missing-key")
        tree: TargetTree | None = sec.read("targets", _target_tree, reader, len(by))
        return tree
    if "targets" in sec:
        sec.error("targets", "targets needs by; use target", "value")
    if "target" not in sec:
        sec.error(None, "missing key 'target'", "missing-key")
    target: int | None = sec.read("target", reader.integer, "target", 0)
    return target


def _target_tree(node: YNode, path: str, reader: Reader, depth: int) -> TargetTree | None:
    if isinstance(node, YScalar):
        return reader.integer(node, path, "target", minimum=0)
    if depth == 0:
        reader.error(node, path, "targets are nested deeper than the by variables", "value")
        return None
    mapping = reader.mapping(node, path, "a target number or a map {code: target}")
    tree: dict[str, TargetTree] = {}
    for key, value in mapping.items if mapping else ():
        code = reader.code(key, path)
        sub = _target_tree(value, join(path, key.raw), reader, depth - 1)
        if code is not None and sub is not None:
            tree[code] = sub
    return tree
