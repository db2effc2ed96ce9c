"""Turning stored responses into export rows, one cell per layout column.

A `RowBuilder` is prepared once per survey version (the layout is fixed; the version decides
which columns it has) and then called for every response: it reads the answers document, the
parameters and the derived variables (computed with the engine's `derived_value`) and returns
the row's cells.

Cells are produced for one of two targets:

- "csv": ready for `csv.writer`: option codes or labels, numbers as numbers (decimal comma in
  the French-Excel preset), free text neutralised against formula injection when the preset
  asks for it (`cells.neutralise`), timestamps as ISO 8601 UTC text;
- "typed": plain Python values for SPSS: numbers (codes as integers when every code of the
  column is an integer), text, naive UTC datetimes.

Missing data: a question that was not asked (absent from the answers, or an option / matrix
row the route did not show) gives None (an empty cell, SPSS system-missing); a question shown
and left blank gives `NOT_ANSWERED` (-99; "-99" in SPSS string variables).

Speed matters (100 000 rows × 200 columns): the body columns are grouped into "parts" prepared
once (the general path, which handles any stored value), and each version's row is also
compiled into one generated function (`fastpath`), used for every row that holds no surprise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from operator import methodcaller
from typing import Any

from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.engine.derived import environment
from surveyapp.engine.model import Question
from surveyapp.exports import fastpath
from surveyapp.exports.columns import ExportColumn
from surveyapp.exports.parts import (
    ABSENT,
    Codec,
    CodeMap,
    Part,
    Record,
    Target,
    constant,
    date_part,
    iso_utc,
    make_record,
    meta_getter,
    number_part,
    order_part,
    straight_flag,
    text_part,
)

log = logging.getLogger("surveyapp.exports")

__all__ = ["ABSENT", "Record", "RowBuilder", "Target", "iso_utc", "make_record"]
CODE_PART_KINDS = frozenset({"single", "consent", "derived_single"})


class RowBuilder:
    """Cells of one response for a fixed layout, prepared for one survey version."""

    def __init__(
        self,
        layout: Sequence[ExportColumn],
        survey: CompiledSurvey,
        version: int,
        target: Target,
        medians: Mapping[str, float] | None = None,
        fast: bool = True,
    ) -> None:
        self.survey = survey
        self.version = version
        self.target = target
        self.medians = dict(medians or {})
        self._codec = Codec(target)
        self._derived = tuple(survey.derived_order)
        self._needs_env = False
        meta_cols = [c for c in layout if c.section == "response"]
        quality_cols = [c for c in layout if c.section == "quality"]
        #: Endings reported under another one (`report_as`): the `ending` column shows that
        #: one, `ending_detail` the ending itself.
        self._report_as = {e.id: e.report_as for e in survey.endings if e.report_as}
        self._meta = [self._meta_getter(c) for c in meta_cols]
        self._quality = [self._quality_getter(c) for c in quality_cols]
        body = [c for c in layout if c.section not in ("response", "quality")]
        self._parts = self._plan(body)
        self._fast_env: Callable[[Record], dict[str, Any]] | None = None
        self._fast_row: Callable[[Record, Mapping[str, Any]], list[Any]] | None = None
        if fast:
            try:
                self._compile(meta_cols)
            except Exception as exc:  # noqa: BLE001 - any compile error: the general path
                # (compile() refuses deep expressions with SyntaxError, RecursionError or
                # MemoryError; the general path gives the same cells, only slower)
                self._fast_env = self._fast_row = None
                log.warning(
                    "event=export_fast_path_unavailable version=%s error=%s",
                    version,
                    type(exc).__name__,
                )

    def __call__(self, record: Record) -> list[Any]:
        """The row of cells of one response."""
        if self._fast_row is None or self._fast_env is None:
            return self.general_row(record)
        try:
            env = self._fast_env(record) if self._needs_env else record.answers
            return self._fast_row(record, env)
        except (KeyError, TypeError, AttributeError):  # unusual values: the general path
            return self.general_row(record)

    def general_row(self, record: Record) -> list[Any]:
        """The row built by the general path (closures; handles any stored value)."""
        env = self._environment(record) if self._needs_env else record.answers
        row = [getter(record) for getter in self._meta]
        row += chain.from_iterable(map(methodcaller("__call__", env), self._parts))
        row += [getter(record) for getter in self._quality]
        return row

    def _environment(self, record: Record) -> dict[str, Any]:
        """Parameters, answers and derived variables: what conditions are evaluated against."""
        return environment(self.survey, record.params, record.answers)

    def _meta_getter(self, col: ExportColumn) -> Callable[[Record], Any]:
        """How a metadata cell is read; the `ending` column reports grouped endings."""
        if col.kind == "ending" and self._report_as:
            report = self._report_as
            return lambda r: report.get(r.ending, r.ending) if r.ending else r.ending
        return meta_getter(col, self._codec)

    def _compile(self, meta_cols: Sequence[ExportColumn]) -> None:
        """Generate the fast path (see `fastpath`): same cells, one call per row."""
        src = fastpath.Source()
        self._fast_env = fastpath.compile_environment(src, self._derived)
        out = fastpath.RowSource(src)
        attributes = {"id", "status", "ending", "language", "version", "duration"}
        if self._report_as:
            attributes.discard("ending")
        if not self.target.typed:
            attributes |= {"started_at", "completed_at"}
        for col, getter in zip(meta_cols, self._meta, strict=True):
            if col.kind in attributes:
                out.attribute(col.kind)
            elif col.kind == "param_single":
                out.param(col.source or col.name, {**self._codec.code_map(col), None: None})
            else:
                out.meta(getter)
        for part in self._parts:
            spec = getattr(part, "fast", None)
            if spec is None:
                out.part(part)
            elif spec[0] == "codes":
                for key, mapping in spec[1]:
                    out.code(key, dict(mapping))
            elif spec[0] == "flags":
                out.flags(*spec[1:])
            elif spec[0] == "matrix":
                out.matrix(*spec[1:])
            elif spec[0] == "text":
                out.text(*spec[1:])
            elif spec[0] == "number":
                out.number(*spec[1:])
            else:
                out.order(*spec[1:])
        for getter in self._quality:
            out.meta(getter)
        self._fast_row = out.compile(ABSENT)

    # ------------------------------------------------------------------ quality flags
    def _quality_getter(self, col: ExportColumn) -> Callable[[Record], Any]:
        if col.extra.get("rule") == "speed":
            return self._speed_flag
        qid = col.extra.get("question", "")
        return lambda record: straight_flag(record.answers.get(qid))

    def _speed_flag(self, record: Record) -> int | None:
        """1 when a complete response took under a third of its ending's median duration."""
        if record.status != "complete" or record.duration is None:
            return None
        median = self.medians.get(record.ending or "")
        if median is None:
            return None
        return 1 if record.duration < median / 3 else 0

    # ------------------------------------------------------------------ planning
    def _plan(self, body: Sequence[ExportColumn]) -> list[Part]:
        """Group the body columns into parts (runs that share one Python call per row)."""
        parts: list[Part] = []
        i = 0
        while i < len(body):
            j = self._run_end(body, i)
            run = body[i:j]
            parts.append(self._part(run))
            i = j
        return parts

    def _run_end(self, body: Sequence[ExportColumn], i: int) -> int:
        """End of the run of columns starting at i that one part can produce."""
        col, version = body[i], self.version
        j = i + 1
        if version not in col.versions:
            while j < len(body) and version not in body[j].versions:
                j += 1
        elif col.kind in ("flag", "matrix_row"):
            while (
                j < len(body)
                and body[j].kind == col.kind
                and body[j].source == col.source
                and version in body[j].versions
            ):
                j += 1
        elif col.kind in CODE_PART_KINDS:
            while j < len(body) and body[j].kind in CODE_PART_KINDS and version in body[j].versions:
                j += 1
        return j

    def _part(self, run: Sequence[ExportColumn]) -> Part:
        col = run[0]
        if self.version not in col.versions:
            return constant([None] * len(run))
        if col.kind in CODE_PART_KINDS:
            return self._code_part(run)
        if col.kind == "flag":
            return self._flag_part(self._question(col), run)
        if col.kind == "matrix_row":
            return self._matrix_part(self._question(col), run)
        if col.kind == "derived_number":
            self._needs_env = True
            return number_part(col.source or col.name, self._codec, derived=True)
        if col.kind == "derived_text":
            self._needs_env = True
            return text_part(col.source or col.name, self._codec, derived=True)
        if col.kind == "other":
            return text_part(_answer_key(col), self._codec)
        if col.kind == "order":
            return order_part(_answer_key(col))
        if col.kind in ("integer", "decimal", "nps"):
            return number_part(col.source or col.name, self._codec)
        if col.kind == "date" and self._codec.target.typed:
            return date_part(col.source or col.name, self._codec)  # SPSS DATE; ISO in CSV
        return text_part(col.source or col.name, self._codec)

    def _question(self, col: ExportColumn) -> Question:
        return self.survey.questions[col.source or ""]

    def _code_part(self, run: Sequence[ExportColumn]) -> Part:
        """Consecutive code columns (single choices, derived codes): one lookup per cell."""
        codec = self._codec
        spec = []
        for col in run:
            derived = col.kind == "derived_single"
            mapping = CodeMap(codec.code_map(col), codec.unknown_code(col))
            mapping[ABSENT] = None
            mapping[None] = None if derived else codec.missing
            spec.append((col.source or col.name, mapping))
            self._needs_env |= derived

        def codes(env: Mapping[str, Any]) -> Sequence[Any]:
            get = env.get
            try:
                return [mapping[get(key, ABSENT)] for key, mapping in spec]
            except TypeError:  # an unhashable value (a list where a code belongs)
                return [mapping.cell(get(key, ABSENT)) for key, mapping in spec]

        codes.fast = ("codes", spec)  # type: ignore[attr-defined]  # fastpath.py reads it
        return codes

    def _flag_part(self, q: Question, cols: Sequence[ExportColumn]) -> Part:
        """The 0/1 columns of a multiple choice; options not offered are "not asked"."""
        qid = q.id
        codes = tuple(c.code for c in cols)
        not_asked = [None] * len(codes)
        on, off, missing = self._codec.on, self._codec.off, self._codec.missing
        blank = [missing] * len(codes)
        options = {o.code: o for o in q.options}
        checks = [options[c].when if c in options else None for c in codes]
        if not any(checks) and q.options_from is None:

            def flags(env: Mapping[str, Any]) -> Sequence[Any]:
                value = env.get(qid, ABSENT)
                if value is ABSENT:
                    return not_asked
                if not isinstance(value, list):
                    return blank
                return [on if code in value else off for code in codes]

            flags.fast = ("flags", qid, codes, not_asked, blank, on, off)  # type: ignore[attr-defined]  # fastpath.py reads it
            return flags
        self._needs_env = True
        source, order_key = q.options_from, f"{qid}_order"

        def offered_flags(env: Mapping[str, Any]) -> Sequence[Any]:
            value = env.get(qid, ABSENT)
            if value is ABSENT:
                return not_asked
            offered = env.get(order_key)
            if not isinstance(offered, list):
                allowed = env.get(source) if source is not None else codes
                allowed = allowed if isinstance(allowed, list | tuple) else ()
                offered = [
                    code
                    for code, when in zip(codes, checks, strict=True)
                    if code in allowed and (when is None or when(env))
                ]
            if not isinstance(value, list):
                return [missing if code in offered else None for code in codes]
            return [(on if code in value else off) if code in offered else None for code in codes]

        return offered_flags

    def _matrix_part(self, q: Question, cols: Sequence[ExportColumn]) -> Part:
        """One cell per matrix row; a row that was not shown is "not asked"."""
        qid = q.id
        rows = {r.code: r for r in q.rows}
        codec = self._codec
        spec = [
            (
                c.row,
                rows[c.row].when if c.row in rows else None,
                CodeMap(codec.code_map(c), codec.unknown_code(c)),
            )
            for c in cols
        ]
        not_asked = [None] * len(cols)
        missing = codec.missing
        if any(when is not None for _, when, _ in spec):
            self._needs_env = True

        def matrix(env: Mapping[str, Any]) -> Sequence[Any]:
            value = env.get(qid, ABSENT)
            if value is ABSENT:
                return not_asked
            answered = value if isinstance(value, dict) else {}
            out = []
            for row, when, mapping in spec:
                code = answered.get(row)
                if code is None:
                    out.append(missing if when is None or when(env) else None)
                else:
                    out.append(mapping.cell(code))
            return out

        if not any(when is not None for _, when, _ in spec):
            fast_rows = [(row, {**mapping, None: missing}) for row, _, mapping in spec]
            matrix.fast = ("matrix", qid, fast_rows, not_asked)  # type: ignore[attr-defined]  # fastpath.py reads it
        return matrix


def _answer_key(col: ExportColumn) -> str:
    """Where an "other" text or an order shown is stored: `<question id>_other|_order` (the
    column itself may have the author's name, `d4.3_other`)."""
    return f"{col.source}_{col.kind}" if col.source else col.name
