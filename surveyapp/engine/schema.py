"""Loading a questionnaire: YAML -> located values -> checked, compiled, immutable Survey."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass, replace
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .checks import Checked, Parsed, check_all
from .expressions import Condition
from .limits import MAX_SCHEMA_BYTES
from .model import Derived, Ending, Quota, Survey
from .parse_header import Header, read_header
from .parse_logic import read_derived, read_endings, read_parameters, read_quotas
from .parse_options import read_option_lists
from .parse_survey import PageContext, read_pages
from .placeholders import warn_placeholders
from .problems import Problem, SchemaError
from .reader import Reader
from .resolve import Resolver, derived_deps
from .yamlsource import parse_yaml

TOP_KEYS = (
    "schema_version",
    "survey",
    "parameters",
    "option_lists",
    "pages",
    "derived",
    "endings",
    "quotas",
)


def load_survey(text: str, source: str = "<string>") -> Survey:
    """Load a schema from YAML text; raise SchemaError listing every problem found."""
    survey, reader = build(text, source)
    if survey is None:
        raise SchemaError(reader.problems)
    return survey


def load_survey_file(path: str | PathLike[str]) -> Survey:
    """Load a schema file (UTF-8); raise SchemaError listing every problem found."""
    return load_survey(read_schema_text(path), str(path))


def read_schema_text(path: str | PathLike[str]) -> str:
    """The file's text; a file too large or undecodable bytes are a located SchemaError."""
    size = Path(path).stat().st_size
    if size > MAX_SCHEMA_BYTES:
        raise SchemaError([_too_large(str(path), size)])
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"the file is not valid UTF-8 (byte {exc.start})"
        raise SchemaError([Problem(str(path), line, 1, "", message, "yaml-syntax")]) from exc


def _too_large(source: str, size: int) -> Problem:
    message = f"the file has {size:,} bytes: a schema may have at most {MAX_SCHEMA_BYTES:,}"
    return Problem(source, 1, 1, "", message, "limit")


def build(text: str, source: str) -> tuple[Survey | None, Reader]:
    """Parse and check; the survey is None when there is any error (see reader.problems)."""
    reader = Reader(source)
    size = len(text) if len(text) > MAX_SCHEMA_BYTES else len(text.encode("utf-8", "replace"))
    if size > MAX_SCHEMA_BYTES:
        reader.problems.append(_too_large(source, size))
        return None, reader
    tree, problems = parse_yaml(text, source)
    reader.problems.extend(problems)
    if tree is None:
        return None, reader
    root = reader.mapping(tree, "", "a mapping at the top level")
    if root is None:
        return None, reader
    top = reader.fields(root, "", TOP_KEYS, ("schema_version", "survey", "pages", "endings"))
    if "schema_version" in top:
        version = reader.integer(top["schema_version"], "schema_version", "schema_version")
        if version is not None and version != 1:
            message = f"schema_version {version} is not supported (expected 1)"
            reader.error(top["schema_version"], "schema_version", message, "value")
    header = read_header(reader, top.get("survey"))
    lists = read_option_lists(reader, top.get("option_lists"))
    parameters = read_parameters(reader, top.get("parameters"), lists)
    ctx = PageContext(lists)
    pages = read_pages(reader, top.get("pages"), ctx)
    parsed = Parsed(
        pages,
        ctx.questions,
        parameters,
        read_derived(reader, top.get("derived"), lists),
        read_endings(reader, top.get("endings")),
        read_quotas(reader, top.get("quotas")),
    )
    checked = check_all(reader, parsed)
    _check_title_page(reader, header, pages)
    warn_placeholders(reader)
    if reader.problems:
        return None, reader
    return _assemble(header, parsed, checked, lists, source), reader


def _assemble(header: Header, parsed: Parsed, checked: Checked, lists: Any, source: str) -> Survey:
    compile_ = _Compiler(checked.resolver)
    pages = compile_(parsed.pages)
    endings: tuple[Ending, ...] = compile_(parsed.endings)
    complete = tuple(e.id for e in endings if e.status == "complete")
    quotas: list[Quota] = []
    for draft in parsed.quotas:
        cells = checked.cells.get(draft.quota.id, ())
        quota = replace(
            draft.quota,
            cells=cells,
            counts=draft.quota.counts or complete,
            cell_by_codes=MappingProxyType({c.codes: c for c in cells}),
        )
        quotas.append(compile_(quota))
    dont_know = MappingProxyType(
        {
            q.id: dk.code
            for p in pages
            for q in p.questions
            if (dk := getattr(q.kind, "dont_know", None)) is not None
        }
    )
    derived = tuple(_unknown(d, dont_know) for d in compile_(parsed.derived))
    by_id = {d.id: d for d in derived}
    return Survey(
        id=header.id,
        version=header.version,
        languages=header.languages,
        default_language=header.default_language,
        title=header.title,
        introduction=header.introduction,
        screening_title=header.screening_title,
        real_title_from=header.real_title_from,
        estimated_seconds_per_question=header.seconds_per_question,
        pages=pages,
        questions=MappingProxyType({q.id: q for p in pages for q in p.questions}),
        endings=endings,
        default_ending=next(e for e in endings if e.default),
        quotas=tuple(quotas),
        derived=derived,
        parameters=parsed.parameters,
        option_lists=compile_(lists),
        variables=MappingProxyType(dict(checked.variables)),
        source=source,
        derived_order=tuple(by_id[d.id] for d in checked.derived_order),
        page_index=MappingProxyType({p.id: p.index for p in pages}),
        endings_after=_group(endings, lambda e: e.check_after),
        quotas_after=_group(quotas, lambda q: q.check_after if q.kind == "hard" else None),
        dont_know=dont_know,
    )


def _unknown(d: Derived, dont_know: Mapping[str, int]) -> Derived:
    """The derived variable with the "don't know" codes of the questions it reads."""
    read = {qid: code for qid, code in dont_know.items() if qid in derived_deps(d)}
    return replace(d, unknown=MappingProxyType(read)) if read else d


def _check_title_page(reader: Reader, header: Header, pages: Any) -> None:
    """`real_title_from` names a page, and not the first (the screening title would never show)."""
    name = header.real_title_from
    if name is None or not pages:
        return
    ids = [page.id for page in pages]
    if name not in ids:
        message = f"real_title_from '{name}' is not a page id"
        reader.report_at(("header", "real_title_from"), message, "unknown-reference")
    elif name == ids[0]:
        message = f"real_title_from '{name}' is the first page: the screening title is never shown"
        reader.report_at(("header", "real_title_from"), message, "value")


def _group(items: Any, key: Any) -> MappingProxyType[str, tuple[Any, ...]]:
    groups: dict[str, list[Any]] = {}
    for item in items:
        name = key(item)
        if name is not None:
            groups.setdefault(name, []).append(item)
    return MappingProxyType({k: tuple(v) for k, v in groups.items()})


class _Compiler:
    """Rebuilds the parsed tree with every condition replaced by its compiled version."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.memo: dict[int, Any] = {}

    def __call__(self, obj: Any) -> Any:
        key = id(obj)
        if key in self.memo:
            return self.memo[key]
        result = obj
        if isinstance(obj, Condition):
            result = self.resolver.resolve(obj)
        elif is_dataclass(obj) and not isinstance(obj, type):
            changes = {}
            for f in fields(obj):
                value = getattr(obj, f.name)
                new = self(value)
                if new is not value:
                    changes[f.name] = new
            result = replace(obj, **changes) if changes else obj
        elif isinstance(obj, tuple):
            items = tuple(self(item) for item in obj)
            result = obj if all(a is b for a, b in zip(items, obj, strict=True)) else items
        elif isinstance(obj, MappingProxyType) and any(isinstance(v, tuple) for v in obj.values()):
            result = MappingProxyType({k: self(v) for k, v in obj.items()})
        self.memo[key] = result
        return result
