"""The export columns of each kind: response metadata and URL parameters, questions,
derived variables and quality flags (see `columns.py` for the model and the missing data)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.engine.expressions import Node
from surveyapp.engine.model import Column, Question
from surveyapp.exports.columns import (
    CODE_KINDS,
    FLAG_LABELS,
    NO_TEXT,
    NUMERIC_KINDS,
    YES_NO,
    ExportColumn,
    Text,
    bilingual,
    language_name,
)
from surveyapp.exports.conditions import describe, describe_all, tree_all


def response_head(survey: CompiledSurvey) -> list[ExportColumn]:
    """Response metadata before the parameters: id, status, ending, language, version."""
    status_values = {
        "complete": bilingual("Complet", "Complete"),
        "screened_out": bilingual("Écarté (filtre)", "Screened out"),
        "quota_full": bilingual("Quota atteint", "Quota full"),
        "in_progress": bilingual("En cours", "In progress"),
    }
    endings = {e.id: bilingual(e.id, e.id) for e in survey.endings if not e.report_as}
    details = {e.id: bilingual(e.id, e.id) for e in survey.endings}
    languages = {lang: bilingual(*[language_name(lang)] * 2) for lang in survey.languages}
    return [
        ExportColumn(
            "response_id",
            "response",
            "id",
            title=bilingual("Identifiant", "Response id"),
            numeric=True,
        ),
        ExportColumn(
            "status",
            "response",
            "status",
            title=bilingual("Statut", "Status"),
            values=MappingProxyType(status_values),
        ),
        ExportColumn(
            "ending",
            "response",
            "ending",
            title=bilingual("Fin atteinte", "Ending"),
            values=MappingProxyType(endings),
        ),
        *(
            [
                ExportColumn(
                    "ending_detail",
                    "response",
                    "ending_detail",
                    title=bilingual("Fin atteinte (détail)", "Ending (detail)"),
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
            title=bilingual("Langue des pages", "Language of the pages"),
            values=MappingProxyType(languages),
        ),
        ExportColumn(
            "schema_version",
            "response",
            "version",
            title=bilingual("Version du questionnaire", "Questionnaire version"),
            numeric=True,
        ),
    ]


def parameter_column(survey: CompiledSurvey, col: Column) -> ExportColumn:
    """A declared URL parameter kept with the response (the recruitment source…)."""
    param = next(p for p in survey.parameters if p.id == col.source_id)
    title = bilingual(f"Paramètre d'URL « {param.param} »", f"URL parameter '{param.param}'")
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
            title=bilingual("Début (UTC, ISO 8601)", "Started (UTC, ISO 8601)"),
        ),
        ExportColumn(
            "completed_at",
            "response",
            "completed_at",
            title=bilingual("Fin (UTC, ISO 8601)", "Completed (UTC, ISO 8601)"),
        ),
        ExportColumn(
            "duration_s",
            "response",
            "duration",
            title=bilingual("Durée (secondes)", "Duration (seconds)"),
            numeric=True,
        ),
        ExportColumn(
            "is_test",
            "response",
            "test",
            title=bilingual("Réponse de test", "Test response"),
            values=YES_NO,
            numeric=True,
        ),
    ]


def _all_integers(values: Mapping[str, Any]) -> bool:
    return bool(values) and all(code.isdigit() for code in values)


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
        values = MappingProxyType({"1": bilingual("Accepté", "Accepted")})
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
        id_name=_id_name(q, col.name),
    )


def _id_name(q: Question, name: str) -> str | None:
    """The column's name made of ids (`d4.3_A-1` of question `d4_3` -> `d4_3_a_1`); None when
    no author's name (`column`) is in it."""
    if not q.authored_names:
        return None
    plain = q.kind.columns(q.with_ids_only())
    for authored, ids in zip(q.kind.columns(q), plain, strict=True):
        if authored.name == name:
            return ids.name if ids.name != name else None
    return None


def _extra(q: Question, kind: str) -> Mapping[str, Any]:
    extra: dict[str, Any] = {"question_type": q.type, "page": q.page_id}
    if q.column is not None:
        extra["question_column"] = q.column  # the question's export name (its columns' stem)
    if q.options_from and kind in ("flag", "single"):
        extra["options_from"] = q.options_from
    if kind in ("integer", "decimal", "nps"):
        extra["min"] = getattr(q.kind, "min", None)
        extra["max"] = getattr(q.kind, "max", None)
        dont_know = getattr(q.kind, "dont_know", None)
        if dont_know is not None:  # a user-missing code (SPSS), labelled in the codebook
            extra["dont_know"] = dont_know.code
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
        title=d.label or bilingual(d.id, d.id),
        values=values,
        numeric=kind == "derived_number" or _all_integers(values),
        condition=_describe_derived(d),
        extra=MappingProxyType({"derived_type": d.type, "calc": d.calc is not None}),
        id_name=d.id if d.export_name != d.id else None,
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


def quality_columns(survey: CompiledSurvey) -> list[ExportColumn]:
    """Data-quality flags computed at export: speeders and (if the schema has none) grids."""
    cols = [
        ExportColumn(
            "flag_speed",
            "quality",
            "quality",
            source=None,
            title=bilingual(
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
                    title=bilingual(
                        f"Contrôle : mêmes réponses à toutes les lignes de {q.id}",
                        f"Check: same answer on every row of {q.id}",
                    ),
                    values=YES_NO,
                    numeric=True,
                    extra=MappingProxyType({"rule": "straight", "question": q.id}),
                )
            )
    return cols
