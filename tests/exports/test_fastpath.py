"""The compiled fast path equals the general path and the engine, on any stored answers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.engine import load_survey
from surveyapp.engine.derived import derived_values
from surveyapp.exports.cells import PRESETS
from surveyapp.exports.layout import survey_layout
from surveyapp.exports.rows import RowBuilder, Target, make_record
from tests.exports.conftest import BAROMETER
from tests.exports.helpers import random_answers

DEMO = Path(__file__).resolve().parent / "fixtures" / "export-demo.yaml"
SCHEMAS = {
    "barometer": load_survey(BAROMETER.read_text(encoding="utf-8")),
    "demo": load_survey(DEMO.read_text(encoding="utf-8")),
}
TARGETS = [
    Target("csv", PRESETS["excel"]),
    Target("csv", PRESETS["excel-fr"], "fr"),
    Target("csv", PRESETS["plain"], "en"),
    Target("typed"),
]
BUILDERS = {
    (name, i): RowBuilder(survey_layout([(1, schema)]), schema, 1, target, {"end_complete": 600})
    for name, schema in SCHEMAS.items()
    for i, target in enumerate(TARGETS)
}
#: Values no valid response holds, to drive the fast path into its fallbacks.
GARBAGE = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(),
    st.floats(allow_nan=False),
    st.lists(st.sampled_from(["1", "2", "x"]), max_size=3),
    st.dictionaries(st.sampled_from(["a", "b"]), st.sampled_from(["1", "9", None])),
    st.booleans(),
)


def record(schema, seed: int, mutations, sources=("1", "2", "9", "zz")) -> object:
    rng = random.Random(seed)
    params = {"source": rng.choice(sources)}
    answers, ending = random_answers(schema, rng, params)
    keys = sorted(schema.questions)
    for index, value in mutations:
        answers[keys[index % len(keys)]] = value
    start = datetime(2015, 6, 1, tzinfo=UTC)
    return make_record(
        seed,
        answers,
        ending=ending.id,
        status=ending.status,
        params=params,
        started_at=start,
        completed_at=start + timedelta(seconds=rng.randint(1, 2000)),
    )


@pytest.mark.parametrize("name", list(SCHEMAS))
@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    mutations=st.lists(st.tuples(st.integers(0, 99), GARBAGE), max_size=4),
)
def test_fast_path_equals_general_path(name, seed, mutations):
    schema = SCHEMAS[name]
    rec = record(schema, seed, mutations)
    for i in range(len(TARGETS)):
        builder = BUILDERS[(name, i)]
        assert builder(rec) == builder.general_row(rec)


@pytest.mark.parametrize("name", list(SCHEMAS))
@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_compiled_derived_variables_equal_the_engine(name, seed):
    schema = SCHEMAS[name]
    rec = record(schema, seed, [])
    env = BUILDERS[(name, 0)]._fast_env(rec)
    expected = derived_values(schema, {**rec.params, **rec.answers})
    assert {k: env[k] for k in expected} == expected


def test_valid_answers_take_the_fast_path(monkeypatch):
    builder = BUILDERS[("barometer", 0)]
    calls = []
    monkeypatch.setattr(builder, "general_row", lambda rec: calls.append(rec))
    for seed in range(200):
        rec = record(SCHEMAS["barometer"], seed, [], sources=("1", "2", "9"))
        builder(rec)
    assert calls == []


def _deepened(schema, depth: int):
    """The schema with every derived case condition wrapped in `depth` pairs of `not`.

    Same answers, same cells; but compile() cannot take 2 × 125 nested parentheses, so the
    fast path cannot be generated (such a schema no longer loads: it is built here directly).
    """
    from dataclasses import replace

    from surveyapp.engine.expressions import Not, compile_node

    def deep(cond):
        if cond is None:
            return None
        node = cond.node
        for _ in range(depth):
            node = Not(Not(node))
        return replace(cond, node=node, test=compile_node(node))

    derived = tuple(
        replace(d, cases=tuple(replace(c, when=deep(c.when)) for c in d.cases))
        for d in schema.derived_order
    )
    return replace(schema, derived_order=derived)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.kind}-{t.labels}")
def test_a_fast_path_that_cannot_be_compiled_falls_back_to_the_general_path(target, caplog):
    schema = SCHEMAS["barometer"]
    deep = _deepened(schema, 125)
    layout = survey_layout([(1, schema)])
    with caplog.at_level("WARNING", logger="surveyapp.exports"):
        builder = RowBuilder(layout, deep, 1, target, {"end_complete": 600})
    assert builder._fast_row is None
    assert "event=export_fast_path_unavailable version=1 error=" in caplog.text
    reference = BUILDERS[("barometer", TARGETS.index(target))]
    for seed in range(20):
        rec = record(schema, seed, [])
        assert builder(rec) == reference(rec)
