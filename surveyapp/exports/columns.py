"""The fixed column layout of an export, derived from the schema and never from the data.

A layout is the union of the columns of every version of a survey, in version order: a column
that a later version removes stays (empty for that version's responses), a column that a later
version adds is inserted after the column that precedes it in that version. The question
columns themselves come from the engine (`Question.kind.columns`: one column per single-choice,
number and text question, one 0/1 column per option of a multiple choice, the "other" text,
one column per matrix row, the order shown); this module adds the response metadata, the
derived variables, the order columns (moved after the derived variables) and the quality flags,
and records for each column what the codebook needs.

Missing data (see docs/exports.md): "not asked" is an empty cell (SPSS system-missing);
"shown but not answered" is `NOT_ANSWERED` (-99, an SPSS user-missing value); an answered
"don't know" keeps its own option code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.engine.export import export_columns
from surveyapp.engine.expressions import Node
from surveyapp.engine.model import Column, Question
from surveyapp.exports.conditions import describe, describe_all, quota_feeds, tree_all

#: The cell written for a question that was shown but left unanswered.
NOT_ANSWERED = -99

Text = Mapping[str, str]
NO_TEXT: Text = MappingProxyType({})

#: Sections, in the order they appear in an export.
SECTIONS = ("response", "answer", "derived", "order", "quality")

#: Column kinds whose cells are numbers (or empty); every other kind holds text.
NUMERIC_KINDS = frozenset(
    {
        "id",
        "version",
        "duration",
        "test",
        "flag",
        "integer",
        "decimal",
        "nps",
        "derived_number",
        "quality",
    }
)
#: Kinds whose values are option codes (numbers when every code of the column is an integer).
CODE_KINDS = frozenset({"single", "matrix_row", "derived_single", "param_single", "consent"})

FLAG_LABELS: Mapping[str, Text] = MappingProxyType(
    {
        "0": MappingProxyType({"fr": "Non coché", "en": "Not ticked"}),
        "1": MappingProxyType({"fr": "Coché", "en": "Ticked"}),
    }
)
YES_NO: Mapping[str, Text] = MappingProxyType(
    {
        "0": MappingProxyType({"fr": "Non", "en": "No"}),
        "1": MappingProxyType({"fr": "Oui", "en": "Yes"}),
    }
)


@dataclass(frozen=True, slots=True)
class ExportColumn:
    """One column of an export and everything the codebook says about it."""

    name: str
    section: str
    kind: str
    #: The question, derived variable or parameter the column reads (None for metadata).
    source: str | None = None
    #: Column title per language (question text; for an option or row, "text — label").
    title: Text = field(default_factory=dict)
    #: Value labels, code -> {language: label}, in the schema's order.
    values: Mapping[str, Text] = field(default_factory=dict)
    #: The option code of a 0/1 column, the row code of a matrix-row column.
    code: str | None = None
    row: str | None = None
    personal: bool = False
    #: Cells are numbers (codes that are all integers, counts, 0/1 flags).
    numeric: bool = False
    #: When the question is asked: readable text and the JSON tree (None: always).
    condition: str | None = None
    condition_tree: Any = None
    #: Quota cells that this column's variable feeds (directly or through derived variables).
    quota_cells: tuple[str, ...] = ()
    #: Survey version numbers that have this column.
    versions: tuple[int, ...] = ()
    description: Text = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


def _text(fr: str, en: str) -> Text:
    return MappingProxyType({"fr": fr, "en": en})


def language_name(code: str) -> str:
    """A language as its speakers write it ("Français", "English"); the code when unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code).get_display_name(code)
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


# ----------------------------------------------------------------------------- metadata
def response_head(survey: CompiledSurvey) -> list[ExportColumn]:
    """Response metadata before the parameters: id, status, ending, language, version."""
    status_values = {
        "complete": _text("Complet", "Complete"),
        "screened_out": _text("Écarté (filtre)", "Screened out"),
        "quota_full": _text("Quota atteint", "Quota full"),
        "in_progress": _text("En cours", "In progress"),
    }
    endings = {e.id: _text(e.id, e.id) for e in survey.endings if not e.report_as}
    details = {e.id: _text(e.id, e.id) for e in survey.endings}
    languages = {lang: _text(*[language_name(lang)] * 2) for lang in survey.languages}
    return [
        ExportColumn(
            "response_id", "response", "id", title=_text("Identifiant", "Response id"), numeric=True
        ),
        ExportColumn(
            "status",
            "response",
            "status",
            title=_text("Statut", "Status"),
            values=MappingProxyType(status_values),
        ),
        ExportColumn(
            "ending",
            "response",
            "ending",
            title=_text("Fin atteinte", "Ending"),
            values=MappingProxyType(endings),
        ),
        *(
            [
                ExportColumn(
                    "ending_detail",
                    "response",
                    "ending_detail",
                    title=_text("Fin atteinte (détail)", "Ending (detail)"),
                    values=MappingProxyType(details),
                )
            ]
            if len(details) > len(endings)
            else []
        ),
        ExportColumn(
            "language",
            "response",
            "language",
            title=_text("Langue des pages", "Language of the pages"),
            values=MappingProxyType(languages),
        ),
        ExportColumn(
            "schema_version",
            "response",
            "version",
            title=_text("Version du questionnaire", "Questionnaire version"),
            numeric=True,
        ),
    ]


def parameter_column(survey: CompiledSurvey, col: Column) -> ExportColumn:
    """A declared URL parameter kept with the response (the recruitment source…)."""
    param = next(p for p in survey.parameters if p.id == col.source_id)
    title = _text(f"Paramètre d'URL « {param.param} »", f"URL parameter '{param.param}'")
    if param.type == "single":
        values = MappingProxyType(dict(col.labels))
        return ExportColumn(
            col.name,
            "response",
            "param_single",
            source=param.id,
            title=title,
            values=values,
            numeric=_all_integers(values),
        )
    return ExportColumn(
        col.name, "response", "param_text", source=param.id, title=title, personal=True
    )


def response_tail() -> list[ExportColumn]:
    """Response metadata after the parameters: timestamps, duration, test flag."""
    return [
        ExportColumn(
            "started_at",
            "response",
            "started_at",
            title=_text("Début (UTC, ISO 8601)", "Started (UTC, ISO 8601)"),
        ),
        ExportColumn(
            "completed_at",
            "response",
            "completed_at",
            title=_text("Fin (UTC, ISO 8601)", "Completed (UTC, ISO 8601)"),
        ),
        ExportColumn(
            "duration_s",
            "response",
            "duration",
            title=_text("Durée (secondes)", "Duration (seconds)"),
            numeric=True,
        ),
        ExportColumn(
            "is_test",
            "response",
            "test",
            title=_text("Réponse de test", "Test response"),
            values=YES_NO,
            numeric=True,
        ),
    ]


def _all_integers(values: Mapping[str, Any]) -> bool:
    return bool(values) and all(code.isdigit() for code in values)


# ----------------------------------------------------------------------------- questions
def question_column(survey: CompiledSurvey, col: Column) -> ExportColumn:
    """One of the engine's question columns, completed with labels, conditions and types."""
    q = survey.questions[col.source_id]
    asked = asked_when(survey, q)
    section = "order" if col.kind == "order" else "answer"
    title: Text = q.text
    values: Mapping[str, Text] = MappingProxyType(dict(col.labels))
    condition_nodes = list(asked)
    kind = col.kind
    if kind == "flag":
        option = next(o for o in q.options if o.code == col.code)
        title = _joined(q.text, option.label)
        values = FLAG_LABELS
        if option.when is not None:
            condition_nodes.append(option.when.node)
    elif kind == "matrix_row":
        row = next(r for r in q.rows if r.code == col.row)
        title = _joined(q.text, row.text)
        if row.when is not None:
            condition_nodes.append(row.when.node)
    elif kind == "other":
        other = q.other_option
        title = _joined(q.text, other.label if other is not None else NO_TEXT)
    elif kind == "consent":
        values = MappingProxyType({"1": _text("Accepté", "Accepted")})
    numeric = kind in NUMERIC_KINDS or (kind in CODE_KINDS and _all_integers(values))
    return ExportColumn(
        col.name,
        section,
        kind,
        source=q.id,
        title=title,
        values=values,
        code=col.code,
        row=col.row,
        personal=col.personal or q.personal,
        numeric=numeric,
        condition=describe_all(condition_nodes, q, col.code if kind == "flag" else None),
        condition_tree=tree_all(condition_nodes),
        extra=_extra(q, kind),
    )


def _extra(q: Question, kind: str) -> Mapping[str, Any]:
    extra: dict[str, Any] = {"question_type": q.type, "page": q.page_id}
    if q.options_from and kind in ("flag", "single"):
        extra["options_from"] = q.options_from
    if kind in ("integer", "decimal", "nps"):
        extra["min"] = getattr(q.kind, "min", None)
        extra["max"] = getattr(q.kind, "max", None)
    return MappingProxyType(extra)


def _joined(first: Text, second: Text) -> Text:
    langs = list(first) or list(second)
    return MappingProxyType(
        {lang: f"{first.get(lang, '')} — {second.get(lang, '')}".strip(" —") for lang in langs}
    )


def asked_when(survey: CompiledSurvey, q: Question) -> list[Node]:
    """The conditions under which a question is shown: its page's and its own."""
    nodes: list[Node] = []
    page = survey.pages[q.page_index]
    if page.when is not None:
        nodes.append(page.when.node)
    if q.when is not None:
        nodes.append(q.when.node)
    return nodes


# ----------------------------------------------------------------------------- derived
def derived_column(survey: CompiledSurvey, col: Column) -> ExportColumn:
    """A derived variable (computed from the answers by the engine at export time)."""
    d = next(d for d in survey.derived if d.id == col.source_id)
    values = MappingProxyType(dict(col.labels))
    kind = f"derived_{d.type}"
    return ExportColumn(
        col.name,
        "derived",
        kind,
        source=d.id,
        title=d.label or _text(d.id, d.id),
        values=values,
        numeric=kind == "derived_number" or _all_integers(values),
        condition=_describe_derived(d),
        extra=MappingProxyType({"derived_type": d.type, "calc": d.calc is not None}),
    )


def _describe_derived(d) -> str:
    if d.calc is not None:
        return f"calculation: {d.calc.text}"
    if d.count is not None:
        return f"count({d.count})"
    parts = []
    for case in d.cases:
        what = f"copy of {case.copy}" if case.copy is not None else f"{case.value}"
        cond = describe(case.when.node) if case.when is not None else "otherwise"
        parts.append(f"{what} if {cond}")
    return "; ".join(parts) + "; else not set (empty)"


# ----------------------------------------------------------------------------- quality
def quality_columns(survey: CompiledSurvey) -> list[ExportColumn]:
    """Data-quality flags computed at export: speeders and (if the schema has none) grids."""
    cols = [
        ExportColumn(
            "flag_speed",
            "quality",
            "quality",
            source=None,
            title=_text(
                "Contrôle : durée inférieure au tiers de la médiane (mêmes fin et statut complet)",
                "Check: duration under a third of the median (complete responses, same ending)",
            ),
            values=YES_NO,
            numeric=True,
            extra=MappingProxyType({"rule": "speed"}),
        )
    ]
    if any(d.id.startswith("flag_straight") for d in survey.derived):
        return cols  # the schema defines its own straight-lining flag(s)
    for q in survey.questions.values():
        if q.kind.has_rows and len(q.rows) >= 2:
            cols.append(
                ExportColumn(
                    f"flag_straight_{q.id}",
                    "quality",
                    "quality",
                    source=q.id,
                    title=_text(
                        f"Contrôle : mêmes réponses à toutes les lignes de {q.id}",
                        f"Check: same answer on every row of {q.id}",
                    ),
                    values=YES_NO,
                    numeric=True,
                    extra=MappingProxyType({"rule": "straight", "question": q.id}),
                )
            )
    return cols


# ----------------------------------------------------------------------------- layout
def version_layout(survey: CompiledSurvey, number: int) -> list[ExportColumn]:
    """Every column of one survey version, in export order.

    The engine's `export_columns` gives the questions' columns, the derived variables and the
    parameters kept with the response; they are arranged as: response metadata (parameters
    included), answers, derived variables, orders shown, quality flags.
    """
    params: list[ExportColumn] = []
    answers: list[ExportColumn] = []
    derived: list[ExportColumn] = []
    orders: list[ExportColumn] = []
    for col in export_columns(survey):
        if col.kind == "parameter":
            params.append(parameter_column(survey, col))
        elif col.kind.startswith("derived_"):
            derived.append(derived_column(survey, col))
        else:
            out = question_column(survey, col)
            (orders if out.section == "order" else answers).append(out)
    cols = response_head(survey) + params + response_tail() + answers + derived + orders
    cols += quality_columns(survey)
    feeds = quota_feeds(survey)
    return [
        replace(col, versions=(number,), quota_cells=feeds.get(col.source or "", ()))
        for col in _unique_names(cols)
    ]


def _unique_names(cols: list[ExportColumn]) -> list[ExportColumn]:
    """Rename the rare column whose name another column already has (`<name>__<section>`)."""
    seen: set[str] = set()
    out = []
    for col in cols:
        name = col.name
        if name in seen:
            name = f"{col.name}__{col.section}"
            n = 2
            while name in seen:
                name, n = f"{col.name}__{col.section}{n}", n + 1
            col = replace(col, name=name)
        seen.add(name)
        out.append(col)
    return out


def merge_layouts(layouts: Sequence[list[ExportColumn]]) -> list[ExportColumn]:
    """The union of several versions' layouts, in version order (see the module docstring).

    A column present in several versions keeps its first place, takes the newest version's
    texts and labels (with the older value labels kept for codes that disappeared), and lists
    every version that has it.
    """
    merged: list[ExportColumn] = []
    index: dict[str, int] = {}
    for layout in layouts:
        anchor = -1
        for col in layout:
            pos = index.get(col.name)
            if pos is None:
                pos = _insert_position(merged, anchor, col)
                merged.insert(pos, col)
                index = {c.name: i for i, c in enumerate(merged)}
            else:
                merged[pos] = _newer(merged[pos], col)
            anchor = pos
    return merged


def _insert_position(merged: list[ExportColumn], anchor: int, col: ExportColumn) -> int:
    """After the anchor, but never before the section it belongs to nor inside a later one."""
    pos = anchor + 1
    rank = SECTIONS.index(col.section)
    while pos > 0 and SECTIONS.index(merged[pos - 1].section) > rank:
        pos -= 1
    while pos < len(merged) and SECTIONS.index(merged[pos].section) < rank:
        pos += 1
    return pos


def _newer(old: ExportColumn, new: ExportColumn) -> ExportColumn:
    values = dict(old.values)
    values.update(new.values)
    numeric = new.numeric and (old.numeric or not old.values)
    return replace(
        new,
        values=MappingProxyType(values),
        numeric=numeric if new.kind in CODE_KINDS else new.numeric,
        versions=old.versions + new.versions,
        quota_cells=tuple(dict.fromkeys(old.quota_cells + new.quota_cells)),
    )


def survey_layout(versions: Sequence[tuple[int, CompiledSurvey]]) -> list[ExportColumn]:
    """The layout of a survey from its (number, compiled schema) versions, oldest first."""
    return merge_layouts([version_layout(s, n) for n, s in sorted(versions, key=lambda v: v[0])])
