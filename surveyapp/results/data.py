"""Responses as columns: one small integer array per code variable, built batch by batch.

The exports read a response as a row (`exports.rows.RowBuilder`: about 150 µs a response for
the barometer, 15 s per 100 000). Tables need columns, so this module reads the same records
(`exports.query.stream_records`) into arrays with the same missing-data meaning as the export
cells — a test checks them cell for cell against `RowBuilder` on generated responses:

- code variables (single choices, grid rows, derived codes, the recruitment source, the
  language): an int16 array of indexes into `Dataset.categories[name]`, with
  `NOT_ASKED` (-1; the export's empty cell) and `BLANK` (-2; the export's -99);
- multiple choices: an int8 matrix (respondent × option) of 1 / 0, `NOT_ASKED` where the
  question or that option was not offered, `BLANK` where it was shown and nothing ticked;
- numbers: float64 with NaN when not asked or left blank (`Dataset.blank` tells which);
- free texts: an object array (None when not asked or left blank).

Derived variables and offered options are computed by the engine (`derived_value`, option and
row conditions), memoised on the values they read: a derived variable that reads `s6` is
evaluated once per distinct `s6`, not once per response.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.engine.derived import derived_inputs, derived_value
from surveyapp.exports.rows import ABSENT, Record
from surveyapp.results.variables import Variable

NOT_ASKED = -1
BLANK = -2

Env = Mapping[str, Any]


def freeze(value: Any) -> Any:
    """A hashable stand-in for an answer (lists and grids become tuples)."""
    cls = value.__class__
    if cls is list or cls is tuple:
        try:
            hash(value if cls is tuple else tuple(value))
            return tuple(value)
        except TypeError:
            return tuple(freeze(v) for v in value)
    if cls is dict:
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    return value


def _code_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


MISS = -32768


class Categories:
    """Code -> index of one code variable; unknown codes found in the data are appended."""

    def __init__(self, codes: Sequence[str], blank: int = BLANK) -> None:
        self.codes = list(codes)
        self.index: dict[Any, int] = {code: i for i, code in enumerate(self.codes)}
        self.index[ABSENT] = NOT_ASKED
        self.index[None] = blank

    def of(self, value: Any) -> int:
        """The index of one stored value."""
        try:
            return self.index[value]
        except (KeyError, TypeError):
            text = _code_text(value)
            if text not in self.index:
                self.index[text] = len(self.codes)
                self.codes.append(text)
            found = self.index[text]
            try:
                self.index[value] = found
            except TypeError:
                pass
            return found

    def column(self, values: list[Any]) -> np.ndarray:
        """Indexes of a batch of stored values (one dict lookup each)."""
        get = self.index.get
        try:
            out = [get(x, MISS) for x in values]
        except TypeError:  # an unhashable value (a list where a code belongs)
            out = [self.of(x) for x in values]
        else:
            if MISS in out:
                out = [o if o != MISS else self.of(x) for o, x in zip(out, values, strict=True)]
        return np.array(out, dtype=np.int16)


@dataclass
class Dataset:
    """Filtered responses of one survey, as columns (see the module docstring)."""

    ids: np.ndarray
    codes: dict[str, np.ndarray] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)
    flags: dict[str, np.ndarray] = field(default_factory=dict)
    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    blank: dict[str, np.ndarray] = field(default_factory=dict)
    texts: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of responses."""
        return len(self.ids)


# ----------------------------------------------------------------------------- derived
class DerivedMemo:
    """Derived variables of a schema, evaluated once per distinct set of values they read."""

    def __init__(self, schema: CompiledSurvey) -> None:
        self.plan: list[tuple[Any, tuple[str, ...], dict[tuple[Any, ...], Any]]] = [
            (d, refs, {}) for d, refs in derived_inputs(schema)
        ]

    def __call__(self, env: dict[str, Any]) -> dict[str, Any]:
        """Add every derived value to `env` (params + answers) and return it."""
        get = env.get
        for d, refs, memo in self.plan:
            key = tuple(map(get, refs))
            try:
                value = memo[key]
            except KeyError:
                value = memo[key] = derived_value(d, env)
            except TypeError:  # a list or grid among the values read
                key = freeze(key)
                value = memo.get(key, ABSENT)
                if value is ABSENT:
                    value = memo[key] = derived_value(d, env)
            env[d.id] = value
        return env


class ColumnBuilder:
    """Accumulates the columns of `variables` from batches of records of one survey."""

    def __init__(self, variables: Iterable[Variable], schemas: Mapping[int, CompiledSurvey]):
        self.variables = list(variables)
        self.schemas = dict(schemas)
        self.memos = {number: DerivedMemo(s) for number, s in self.schemas.items()}
        self.cats: dict[str, Categories] = {}
        for v in self.variables:
            if _is_code(v):
                self.cats[v.id] = Categories(v.codes, BLANK if v.kind == "single" else NOT_ASKED)
            elif v.kind == "grid":
                for item in v.items:
                    self.cats[item.column] = Categories(v.codes)
        self.parts: dict[str, list[np.ndarray]] = {}
        self.offered_memo: dict[tuple, tuple[int, ...]] = {}
        #: Per multiple choice: distinct (answer, offered) patterns and their rows of flags.
        self.flag_patterns: dict[str, tuple[dict[Any, int], list[np.ndarray]]] = {}
        self.flag_tables: dict[str, np.ndarray] = {}
        self.ids: list[np.ndarray] = []

    # -- public
    def add(self, records: Iterable[Record]) -> None:
        """Read one batch of records (any iterable, read once)."""
        by_version: dict[int, list[Record]] = {}
        for r in records:
            by_version.setdefault(r.version, []).append(r)
        for number, recs in by_version.items():
            schema = self.schemas.get(number)
            envs = self._environments(recs, number)
            self.ids.append(np.fromiter((r.id for r in recs), dtype=np.int64, count=len(recs)))
            for v in self.variables:
                self._read(v, schema, envs, recs)

    def finish(self) -> Dataset:
        """The dataset of everything read (in response id order)."""
        ids = np.concatenate(self.ids) if self.ids else np.zeros(0, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        data = Dataset(ids[order])
        targets = {"c": data.codes, "f": data.flags, "n": data.numbers, "b": data.blank}
        for name, parts in self.parts.items():
            kind, _, key = name.partition(":")
            targets.get(kind, data.texts)[key] = np.concatenate(parts, axis=0)[order]
        for v in self.variables:  # variables never read (no records): empty columns
            _empty_columns(v, data)
        for name, cats in self.cats.items():
            data.categories[name] = list(cats.codes)
        return data

    # -- environments
    def _environments(self, recs: Sequence[Record], number: int) -> list[dict[str, Any]]:
        memo = self.memos.get(number)
        envs = []
        for r in recs:
            env = dict(r.params)
            env.update(r.answers)
            envs.append(memo(env) if memo is not None else env)
        return envs

    def _push(self, key: str, array: np.ndarray) -> None:
        self.parts.setdefault(key, []).append(array)

    # -- per kind
    def _read(self, v: Variable, schema: CompiledSurvey | None, envs, recs) -> None:
        n = len(envs)
        has = schema is not None and _in_version(v, schema)
        if v.kind in ("single", "derived", "param"):
            if has:
                key = v.id
                values = self.cats[v.id].column([e.get(key, ABSENT) for e in envs])
            else:
                values = np.full(n, NOT_ASKED, np.int16)
            self._push(f"c:{v.id}", values)
        elif v.kind == "language":
            self._push(f"c:{v.id}", self.cats[v.id].column([r.language for r in recs]))
        elif v.kind == "multiple":
            self._push(f"f:{v.id}", self._flags(v, schema if has else None, envs))
        elif v.kind == "grid":
            for item, column in self._grid(v, schema if has else None, envs):
                self._push(f"c:{item}", column)
        elif v.kind in ("number", "nps", "derived_number"):
            values, blank = _numbers(v.id if has else None, envs, v.kind == "derived_number")
            self._push(f"n:{v.id}", values)
            self._push(f"b:{v.id}", blank)
        elif v.kind in ("text", "other"):
            key = v.columns[0] if v.kind == "other" else v.id
            self._push(f"t:{v.id}", _texts(key if has else None, envs))

    def _flags(self, v: Variable, schema: CompiledSurvey | None, envs) -> np.ndarray:
        """Flags of a multiple choice; each distinct (answer, options offered) pattern is laid
        out once, then every respondent takes the row of their pattern."""
        codes = [item.code for item in v.items]
        if schema is None:
            return np.full((len(envs), len(codes)), NOT_ASKED, np.int8)
        q = schema.questions[v.id]
        position = {code: j for j, code in enumerate(codes)}
        options = {o.code: o for o in q.options}
        checks = [options[c].when if c in options else None for c in codes]
        conditional = any(checks) or q.options_from is not None
        patterns, rows = self.flag_patterns.setdefault(
            v.id, ({ABSENT: 0}, [np.full(len(codes), NOT_ASKED, np.int8)])
        )
        index = []
        qid = v.id
        for env in envs:
            value = env.get(qid, ABSENT)
            if value is ABSENT:
                index.append(0)
                continue
            offered = self._offered(q, codes, checks, position, env) if conditional else None
            key = (freeze(value) if value is not None else None, offered)
            found = patterns.get(key)
            if found is None:
                found = patterns[key] = len(rows)
                rows.append(_flag_row(value, offered, position, len(codes)))
            index.append(found)
        stacked = self.flag_tables.get(v.id)
        if stacked is None or len(stacked) != len(rows):
            stacked = self.flag_tables[v.id] = np.stack(rows)
        return stacked[np.array(index, dtype=np.intp)]

    def _offered(self, q, codes, checks, position, env: Env) -> tuple[int, ...]:
        """Positions of the options a respondent was offered (as `RowBuilder` decides it)."""
        shown = env.get(f"{q.id}_order")
        if isinstance(shown, list):
            return tuple(position[c] for c in shown if c in position)
        refs = sorted({r for c in checks if c is not None for r in c.refs})
        allowed = env.get(q.options_from) if q.options_from is not None else None
        key = (q.id, freeze(allowed), tuple(freeze(env.get(r)) for r in refs))
        found = self.offered_memo.get(key)
        if found is None:
            pool = codes
            if q.options_from is not None:
                pool = allowed if isinstance(allowed, list | tuple) else ()
            found = tuple(
                j
                for j, (c, w) in enumerate(zip(codes, checks, strict=True))
                if c in pool and (w is None or w(env))
            )
            self.offered_memo[key] = found
        return found

    def _grid(self, v: Variable, schema: CompiledSurvey | None, envs):
        n = len(envs)
        if schema is None:
            return [(item.column, np.full(n, NOT_ASKED, np.int16)) for item in v.items]
        rows = {r.code: r for r in schema.questions[v.id].rows}
        values = [e.get(v.id, ABSENT) for e in envs]
        out = []
        for item in v.items:
            when = rows[item.code].when if item.code in rows else None
            cells = [
                ABSENT
                if value is ABSENT
                else (value.get(item.code) if isinstance(value, dict) else None)
                for value in values
            ]
            if when is not None:  # an unanswered row that was not shown is "not asked"
                cells = [
                    ABSENT if c is None and not when(env) else c
                    for c, env in zip(cells, envs, strict=True)
                ]
            out.append((item.column, self.cats[item.column].column(cells)))
        return out


def _flag_row(value: Any, offered: tuple[int, ...] | None, position, width: int) -> np.ndarray:
    """The flags of one answer: 1 / 0 where offered (every option when `offered` is None),
    BLANK where offered but nothing was ticked, NOT_ASKED elsewhere."""
    row = np.full(width, NOT_ASKED, np.int8)
    where = list(offered) if offered is not None else slice(None)
    if not isinstance(value, list):
        row[where] = BLANK
        return row
    row[where] = 0
    allowed = set(offered) if offered is not None else None
    for code in value:
        j = position.get(code) if isinstance(code, str) else None
        if j is not None and (allowed is None or j in allowed):
            row[j] = 1
    return row


def _empty_columns(v: Variable, data: Dataset) -> None:
    if v.kind in ("single", "derived", "param", "language"):
        data.codes.setdefault(v.id, np.full(data.n, NOT_ASKED, np.int16))
    elif v.kind == "multiple":
        data.flags.setdefault(v.id, np.full((data.n, len(v.items)), NOT_ASKED, np.int8))
    elif v.kind == "grid":
        for item in v.items:
            data.codes.setdefault(item.column, np.full(data.n, NOT_ASKED, np.int16))
    elif v.kind in ("number", "nps", "derived_number"):
        data.numbers.setdefault(v.id, np.full(data.n, np.nan))
        data.blank.setdefault(v.id, np.zeros(data.n, dtype=bool))
    elif v.kind in ("text", "other"):
        data.texts.setdefault(v.id, np.empty(data.n, dtype=object))


def _is_code(v: Variable) -> bool:
    return v.kind in ("single", "derived", "param", "language")


def _in_version(v: Variable, schema: CompiledSurvey) -> bool:
    if v.kind in ("derived", "derived_number"):
        return any(d.id == v.id for d in schema.derived)
    if v.kind == "param":
        return any(p.id == v.id for p in schema.parameters)
    if v.kind == "language":
        return True
    return v.id in schema.questions or (
        v.kind == "other" and v.id.removesuffix("_other") in schema.questions
    )


def _numbers(key: str | None, envs: Sequence[Env], derived: bool) -> tuple[np.ndarray, np.ndarray]:
    n = len(envs)
    values = np.full(n, np.nan)
    blank = np.zeros(n, dtype=bool)
    if key is None:
        return values, blank
    for i, env in enumerate(envs):
        value = env.get(key, ABSENT)
        if value is ABSENT or (derived and value is None):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            blank[i] = value is None
            continue
        values[i] = value
    return values, blank


def _texts(key: str | None, envs: Sequence[Env]) -> np.ndarray:
    out = np.empty(len(envs), dtype=object)
    if key is None:
        return out
    for i, env in enumerate(envs):
        value = env.get(key)
        if value is not None and value != "":
            out[i] = value if isinstance(value, str) else str(value)
    return out


def build_dataset(
    variables: Iterable[Variable],
    schemas: Mapping[int, CompiledSurvey],
    batches: Iterable[Iterable[Record]],
) -> Dataset:
    """The dataset of `variables` read from batches of records."""
    builder = ColumnBuilder(variables, schemas)
    for batch in batches:
        builder.add(batch)
    return builder.finish()
