"""The condition language: every operator, null handling, `not`, groups, three-valued logic."""

from __future__ import annotations

import pytest

from surveyapp.engine.expressions import evaluate3

SOURCES = """\
- id: p1
  questions:
    - id: s
      type: single
      text: {fr: "S", en: "S"}
      options:
        - {code: 1, label: {fr: "un", en: "one"}}
        - {code: 2, label: {fr: "deux", en: "two"}}
        - {code: x, label: {fr: "x", en: "x"}}
    - id: m
      type: multiple
      required: false
      text: {fr: "M", en: "M"}
      options:
        - {code: a, label: {fr: "a", en: "a"}}
        - {code: b, label: {fr: "b", en: "b"}}
        - {code: c, label: {fr: "c", en: "c"}}
    - {id: n, type: integer, min: 0, max: 100, text: {fr: "N", en: "N"}}
    - {id: d, type: decimal, text: {fr: "D", en: "D"}}
    - {id: t, type: text, text: {fr: "T", en: "T"}}
    - id: g
      type: matrix
      text: {fr: "G", en: "G"}
      scale: [{code: 1, label: {fr: "1", en: "1"}}, {code: 2, label: {fr: "2", en: "2"}}]
      rows:
        - {code: r1, text: {fr: "r1", en: "r1"}}
        - {code: r2, text: {fr: "r2", en: "r2"}}
"""


_CACHE: dict[str, object] = {}


def condition(survey_from, cond: str):
    """The compiled condition of a probe question (each distinct condition is loaded once)."""
    if cond not in _CACHE:
        _CACHE[cond] = _load(survey_from, cond)
    return _CACHE[cond]


def _load(survey_from, cond: str):
    pages = (
        SOURCES
        + f"""\
- id: p2
  questions:
    - id: probe
      type: note
      text: {{fr: "P", en: "P"}}
      when: {cond}
"""
    )
    return survey_from(pages).questions["probe"].when


CASES = [
    # single: eq ne in not_in; codes are strings, integers in the schema are read as codes
    ("{q: s, eq: 1}", {"s": "1"}, True),
    ("{q: s, eq: 1}", {"s": "2"}, False),
    ("{q: s, eq: 1}", {}, False),
    ("{q: s, eq: x}", {"s": "x"}, True),
    ("{q: s, ne: 1}", {"s": "2"}, True),
    ("{q: s, ne: 1}", {"s": "1"}, False),
    ("{q: s, ne: 1}", {"s": None}, False),
    ("{q: s, in: [1, x]}", {"s": "x"}, True),
    ("{q: s, in: [1, x]}", {"s": "2"}, False),
    ("{q: s, in: [1, x]}", {}, False),
    ("{q: s, not_in: [1]}", {"s": "2"}, True),
    ("{q: s, not_in: [1]}", {"s": "1"}, False),
    ("{q: s, not_in: [1]}", {}, False),
    # multiple
    ("{q: m, has: a}", {"m": ["a", "b"]}, True),
    ("{q: m, has: a}", {"m": ["b"]}, False),
    ("{q: m, has: a}", {"m": None}, False),
    ("{q: m, has_any: [a, c]}", {"m": ["c"]}, True),
    ("{q: m, has_any: [a, c]}", {"m": ["b"]}, False),
    ("{q: m, has_all: [a, c]}", {"m": ["a", "b", "c"]}, True),
    ("{q: m, has_all: [a, c]}", {"m": ["a"]}, False),
    ("{q: m, has_none: [a, c]}", {"m": ["b"]}, True),
    ("{q: m, has_none: [a, c]}", {"m": ["a"]}, False),
    ("{q: m, has_none: [a, c]}", {}, False),
    ("{q: m, count_eq: 2}", {"m": ["a", "b"]}, True),
    ("{q: m, count_eq: 2}", {"m": ["a"]}, False),
    ("{q: m, count_gte: 2}", {"m": ["a", "b", "c"]}, True),
    ("{q: m, count_gte: 2}", {"m": ["a"]}, False),
    ("{q: m, count_lte: 1}", {"m": ["a"]}, True),
    ("{q: m, count_lte: 1}", {"m": ["a", "b"]}, False),
    ("{q: m, count_lte: 1}", {}, False),
    # numbers
    ("{q: n, eq: 18}", {"n": 18}, True),
    ("{q: n, ne: 18}", {"n": 17}, True),
    ("{q: n, ne: 18}", {}, False),
    ("{q: n, gt: 18}", {"n": 19}, True),
    ("{q: n, gt: 18}", {"n": 18}, False),
    ("{q: n, gte: 18}", {"n": 18}, True),
    ("{q: n, lt: 18}", {"n": 17}, True),
    ("{q: n, lt: 18}", {"n": 18}, False),
    ("{q: n, lt: 18}", {}, False),
    ("{q: n, lte: 18}", {"n": 18}, True),
    ("{q: d, gte: 4.5}", {"d": 4.5}, True),
    ("{q: d, lt: 4.5}", {"d": 4.49}, True),
    ("{q: n, gte: 0}", {"n": True}, False),
    # answered, on every kind
    ("{q: s, answered: true}", {"s": "1"}, True),
    ("{q: s, answered: true}", {"s": None}, False),
    ("{q: s, answered: false}", {}, True),
    ("{q: t, answered: true}", {"t": "hello"}, True),
    ("{q: t, answered: false}", {"t": None}, True),
    ("{q: m, answered: true}", {"m": ["a"]}, True),
    ("{q: g, answered: true}", {"g": {"r1": "1"}}, True),
    # matrix rows
    ("{q: g.r1, eq: 2}", {"g": {"r1": "2", "r2": "1"}}, True),
    ("{q: g.r2, in: [2]}", {"g": {"r1": "2", "r2": "1"}}, False),
    ("{q: g.r2, eq: 1}", {"g": {"r1": "2"}}, False),
    ("{q: g.r2, eq: 1}", {}, False),
    # not is plain negation: true on null
    ("{not: {q: n, lt: 18}}", {}, True),
    ("{not: {q: n, lt: 18}}", {"n": 10}, False),
    # groups
    ("{all: [{q: s, eq: 1}, {q: n, gte: 18}]}", {"s": "1", "n": 20}, True),
    ("{all: [{q: s, eq: 1}, {q: n, gte: 18}]}", {"s": "1", "n": 10}, False),
    ("{any: [{q: s, eq: 1}, {q: n, gte: 18}]}", {"s": "2", "n": 20}, True),
    ("{any: [{q: s, eq: 1}, {q: n, gte: 18}]}", {"s": "2"}, False),
    ("{any: [{all: [{q: s, eq: 2}, {not: {q: m, has: a}}]}]}", {"s": "2", "m": ["b"]}, True),
]


@pytest.mark.parametrize(("cond", "env", "expected"), CASES)
def test_operator_semantics(survey_from, cond, env, expected):
    assert condition(survey_from, cond)(env) is expected


@pytest.mark.parametrize(
    "env",
    [{"s": ["1"]}, {"m": "a"}, {"n": "18"}, {"g": "r1"}, {"m": {"a": 1}}, {"s": 1}],
)
def test_values_of_the_wrong_type_never_raise(survey_from, env):
    for cond, _, _ in CASES:
        condition(survey_from, cond)(env)


def test_three_valued_evaluation(survey_from):
    cond = condition(survey_from, "{any: [{q: s, eq: 1}, {q: n, gte: 18}]}")
    unknown = frozenset({"n"})
    assert evaluate3(cond.node, {"s": "1"}, unknown) is True
    assert evaluate3(cond.node, {"s": "2"}, unknown) is None
    assert evaluate3(cond.node, {"s": "2", "n": 1}, frozenset()) is False
    both = condition(survey_from, "{all: [{q: s, eq: 1}, {not: {q: n, gte: 18}}]}")
    assert evaluate3(both.node, {"s": "2"}, unknown) is False
    assert evaluate3(both.node, {"s": "1"}, unknown) is None


def test_compiled_condition_is_reused_and_knows_its_references(survey_from):
    cond = condition(survey_from, "{all: [{q: s, eq: 1}, {q: g.r1, eq: 2}]}")
    assert cond.refs == frozenset({"s", "g"})
    assert cond.key() == condition(survey_from, "{all: [{q: s, eq: 1}, {q: g.r1, eq: 2}]}").key()
