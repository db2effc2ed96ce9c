"""Open answers of a survey: the free-text answers, filterable by breakdown, paginated, and
their audit-logged CSV (possibly personal data). Read through `services.results.load`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from surveyapp.exports.cells import PRESETS, CsvWriter
from surveyapp.models import Survey
from surveyapp.results import breakdowns as bd
from surveyapp.results.data import Dataset
from surveyapp.results.sheet import tr
from surveyapp.results.variables import Variable
from surveyapp.services.audit import Actor, record
from surveyapp.services.results import Loaded, ResultOptions, ResultsError, load
from surveyapp.services.transaction import begin_write

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class OpenAnswers:
    """One page of the answers to a free-text question."""

    variable: Variable
    questions: tuple[Variable, ...]
    answers: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    breakdowns: tuple[bd.Breakdown, ...]


def text_questions(loaded: Loaded) -> tuple[Variable, ...]:
    """The free-text questions and "other, specify" texts of a survey."""
    return tuple(v for v in loaded.variables.values() if v.kind in ("text", "other"))


def _open_rows(
    loaded: Loaded, qid: str, by: str | None, group: str | None, lang: str
) -> tuple[Variable, list[bd.Breakdown], list[dict[str, Any]]]:
    v = loaded.variables.get(qid)
    if v is None or v.kind not in ("text", "other"):
        raise ResultsError(f"{qid!r} is not a free-text question")
    data = loaded.data
    texts = data.texts[qid]
    keep = texts != None  # noqa: E711 - element-wise comparison
    shown = [b for b in loaded.breakdowns if b.variable in data.codes]
    if by:
        chosen = bd.find(loaded.breakdowns, by)
        if chosen is None:
            raise ResultsError(f"unknown breakdown {by!r}")
        if group:
            spec = next((c for c in bd.columns(data, chosen) if c.key == group), None)
            if spec is None:
                raise ResultsError(f"unknown group {group!r}")
            keep &= spec.mask
    contexts = [b for b in shown if b.key in _context_keys(loaded)]
    return (
        v,
        shown,
        [
            {
                "id": int(data.ids[i]),
                "text": texts[i],
                "context": [(tr(b.title, lang), _group_label(data, b, i, lang)) for b in contexts],
            }
            for i in keep.nonzero()[0]
        ],
    )


def _context_keys(loaded: Loaded) -> list[str]:
    return [b.key for b in bd.defaults(loaded.schema, loaded.variables) if "-" not in b.key]


def _group_label(data: Dataset, b: bd.Breakdown, i: int, lang: str) -> str:
    index = int(data.codes[b.variable][i])
    if index < 0:
        return "—"
    code = data.categories[b.variable][index]
    group = next((g for g in b.groups if code in g.codes), None)
    return tr(group.label, lang) if group else code


def open_answers(
    session: Session,
    survey: Survey,
    options: ResultOptions,
    qid: str | None,
    by: str | None = None,
    group: str | None = None,
    page: int = 1,
) -> OpenAnswers:
    """A page of answers to a free-text question (the first one when `qid` is None)."""
    loaded = load(session, survey, options.filters)
    questions = text_questions(loaded)
    if not questions:
        raise ResultsError("this survey has no free-text question")
    v, shown, rows = _open_rows(loaded, qid or questions[0].id, by, group, options.lang)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    return OpenAnswers(
        v, questions, rows[start : start + PAGE_SIZE], len(rows), page, pages, tuple(shown)
    )


def open_answers_csv(
    session: Session,
    survey: Survey,
    options: ResultOptions,
    qid: str | None,
    actor: Actor,
    by: str | None = None,
    group: str | None = None,
) -> Iterator[bytes]:
    """Every answer to a free-text question (the first one when `qid` is None) as CSV;
    possibly personal data, so the download is audit-logged."""
    loaded = load(session, survey, options.filters)
    questions = text_questions(loaded)
    if not questions:
        raise ResultsError("this survey has no free-text question")
    qid = qid or questions[0].id
    v, _shown, rows = _open_rows(loaded, qid, by, group, options.lang)
    survey_id, slug = survey.id, survey.slug
    begin_write(session)
    record(
        session,
        actor,
        "export",
        survey_id=survey_id,
        target=slug,
        details={
            "format": "open_answers.csv",
            "question": qid,
            "rows": len(rows),
            "personal": True,
            "filters": options.filters.describe(),
            "by": by,
            "group": group,
        },
    )
    session.commit()
    writer = CsvWriter(PRESETS["excel"])
    with force_locale(options.lang):
        header = ["response_id"] + [name for name, _value in (rows[0]["context"] if rows else [])]
        header.append(_("%(question)s (possibly personal data)", question=qid))
    yield (writer.start() + writer.rows([header])).encode("utf-8")
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        yield writer.rows(
            [[r["id"], *[value for _n, value in r["context"]], r["text"]] for r in chunk]
        ).encode("utf-8")
