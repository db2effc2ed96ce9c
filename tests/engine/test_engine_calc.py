"""Calculations: the evaluator (against Python arithmetic on random trees), the parser's located
errors, the checks (types, references, cycles, options) and calculated derived variables."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.engine import derived_values, flow
from surveyapp.engine.calc import CalcError, infer, make_calc, parse, unparse
from surveyapp.engine.problems import SchemaError

from .conftest import make_survey

PAGES = """\
- id: p1
  questions:
    - {id: age, type: integer, min: 0, max: 120, text: {fr: "Âge", en: "Age"}}
    - {id: tenure, type: integer, min: 0, max: 120, text: {fr: "Ancienneté", en: "Tenure"}}
    - {id: spend, type: decimal, min: 0, max: 100000, text: {fr: "Dépense", en: "Spend"}}
    - id: nets
      type: multiple
      text: {fr: "Réseaux", en: "Networks"}
      options:
        - {code: a, label: {fr: "A", en: "A"}}
        - {code: b, label: {fr: "B", en: "B"}}
    - id: region
      type: single
      text: {fr: "Région", en: "Region"}
      options:
        - {code: n, label: {fr: "Nord", en: "North"}}
        - {code: s, label: {fr: "Sud", en: "South"}}
    - {id: name, type: text, text: {fr: "Nom", en: "Name"}}
- id: p2
  when: {q: share, gte: 50}
  questions:
    - {id: why, type: text, text: {fr: "Part ${share} %", en: "Share ${share} %"}}
"""

DERIVED = """\
- id: share
  type: number
  calc: "if(age > 0, round(tenure div age * 100, 1), 0)"
- id: score
  type: number
  calc: "count-selected(nets) * 10 + coalesce(tenure, 0) mod 7"
- id: total
  type: number
  calc: "sum(age, tenure, spend)"
- id: tag
  type: text
  calc: "normalize-space(concat(name, ' ', if(selected(region, 'n'), 'N', '')))"
"""


@pytest.fixture(scope="module")
def survey():
    return make_survey(PAGES, derived=DERIVED)


# ------------------------------------------------------------------ derived variables
def test_calculated_values(survey):
    answers = {"age": 40, "tenure": 30, "spend": 12.5, "nets": ["a", "b"], "region": "n",
               "name": "  Ada  "}  # fmt: skip
    assert derived_values(survey, answers) == {
        "share": 75.0,
        "score": 22,
        "total": 82.5,
        "tag": "Ada N",
    }


def test_empty_answers_give_empty_values(survey):
    values = derived_values(survey, {"age": 0, "tenure": None, "nets": None, "name": None})
    assert values == {"share": 0, "score": None, "total": 0, "tag": None}
    assert derived_values(survey, {}) == {"share": 0, "score": None, "total": None, "tag": None}


def test_calculations_drive_conditions_and_piping(survey):
    answers = {"age": 40, "tenure": 30}
    assert flow.next_step(survey, "p1", answers).page_id == "p2"
    view = flow.render_page(survey, "p2", answers, "seed", "en")
    assert "Share 75 %" in str(view)
    assert isinstance(flow.next_step(survey, "p1", {"age": 40, "tenure": 4}), flow.EndingReached)


@pytest.mark.parametrize(
    ("calc", "words"),
    [
        ("age +", "character 6: the expression ends too early"),
        ("age / 2", "character 5: write 'div' to divide"),
        ("nets + 1", "character 1: '+' needs number, not set"),
        ("if(age, 1, 2)", "character 4: the condition of if() needs bool, not number"),
        ("age > 1", "gives a bool, not a number (wrap a comparison in if(…, 1, 0))"),
        ("agee + 1", "character 1: unknown reference 'agee'"),
        ("sum(age, 'x')", "character 10: sum() needs number, not text"),
        ("selected(region, 'w')", "'w' is not an option of 'region'"),
        ("round(age, 2.5)", "round() takes a whole number of digits"),
        ("age-tenure", "write spaces around '-' to subtract"),
        ("age < 1 < 2", "chained comparisons"),
        ("log(age)", "unknown function log()"),
        ("if(age > 1, 1)", "if() takes 3 argument(s), not 2"),
        ("name * 2", "'*' needs number, not text"),
    ],
)
def test_errors_are_located(calc, words):
    with pytest.raises(SchemaError) as info:
        make_survey(PAGES, derived=f'- {{id: r, type: number, calc: "{calc}"}}\n')
    messages = [f"{p.path}: {p.message}" for p in info.value.problems]
    assert any(words in m and m.startswith("derived[0]") for m in messages), messages


def test_text_and_types_must_agree():
    with pytest.raises(SchemaError, match="gives a number, not a text"):
        make_survey(PAGES, derived='- {id: r, type: text, calc: "age + 1"}\n')
    with pytest.raises(SchemaError, match="exactly one of cases, count or calc"):
        make_survey(PAGES, derived='- {id: r, type: number, calc: "age", count: nets}\n')
    with pytest.raises(SchemaError, match="type text is for calculations"):
        make_survey(PAGES, derived="- {id: r, type: text, count: nets}\n")


def test_cycles_are_reported():
    derived = '- {id: r1, type: number, calc: "r2 + 1"}\n- {id: r2, type: number, calc: "r1 * 2"}\n'
    with pytest.raises(SchemaError, match="cycle: r1 -> r2 -> r1"):
        make_survey(PAGES, derived=derived)


def test_a_condition_on_a_calculation_looks_backwards_only():
    pages = PAGES.replace("{q: share, gte: 50}", "{q: late, gte: 50}")
    derived = DERIVED + '- {id: late, type: number, calc: "length + 1"}\n'
    pages = pages.replace(
        "    - {id: why,",
        "    - {id: length, type: integer, text: {fr: L, en: L}}\n    - {id: why,",
    )
    with pytest.raises(SchemaError, match="forward reference: 'length' \\(via 'late'\\)"):
        make_survey(pages, derived=derived)


def test_a_condition_on_a_calculation_is_typed():
    pages = PAGES.replace("{q: share, gte: 50}", "{q: tag, gte: 50}")
    with pytest.raises(SchemaError, match="tag"):
        make_survey(pages, derived=DERIVED)


# ------------------------------------------------------------------ the evaluator
def test_xpath_semantics():
    def calc(text, **env):
        return make_calc(text)(env)

    assert calc("7 div 2") == 3.5
    assert calc("6 div 3") == 2
    assert calc("-7 mod 3") == -1  # XPath mod keeps the dividend's sign
    assert calc("7.5 mod 2") == 1.5
    assert calc("1 div 0") is None
    assert calc("1 mod 0") is None
    assert calc("round(2.5)") == 3
    assert calc("round(-2.5)") == -3
    assert calc("round(1.005, 2)") == 1.01
    assert calc("int(-3.7)") == -3
    assert calc("abs(-3)") == 3
    assert calc("min(a, b, 4)", a=None, b=7) == 4
    assert calc("max(a, b)", a=None, b=None) is None
    assert calc("coalesce(a, b, 3)", a=None, b=None) == 3
    assert calc("if(a = '', 'empty', 'set')", a=None) == "empty"
    assert calc("if(a != '', 'set', 'empty')", a="x") == "set"
    assert calc("if(a > 1, 1, 0)", a=None) == 0
    assert calc("if(not(a > 1), 1, 0)", a=None) == 1
    assert calc("10 * 1000000 * 1000000 * 1000") is None  # beyond ±1e15: empty
    assert calc("a + 1", a="x") is None  # a text is not a number
    assert calc("a + 1", a="3") == 4  # a whole-number code is (the checks allow codes only)
    assert calc("a + 1", a=True) is None
    assert calc("count-selected(a)", a=[]) == 0


def test_unparse_round_trips():
    text = "if((a + b) * -c > 2 and selected(q, 'x'), concat('a', \"it's\"), 'b')"
    node = parse(text)
    assert parse(unparse(node)) == parse(unparse(parse(unparse(node))))
    assert unparse(parse(unparse(node))) == unparse(node)


def test_the_parser_refuses_deep_or_long_input():
    with pytest.raises(CalcError, match="nests deeper"):
        parse("(" * 100 + "1" + ")" * 100)
    with pytest.raises(CalcError, match="nests deeper"):
        parse("-" * 100 + "1")
    with pytest.raises(CalcError, match="at most"):
        parse("1 + " * 1000 + "1")


def test_inference():
    kinds = {"n": "number", "t": "text", "s": "set", "c": "code", "m": "matrix"}.get
    assert infer(parse("n + 1"), kinds) == "number"
    assert infer(parse("if(c = 'x', t, 'y')"), kinds) == "text"
    assert infer(parse("selected(s, 'a') or n > 1"), kinds) == "bool"
    with pytest.raises(CalcError, match="cannot be used in a calculation"):
        infer(parse("m"), kinds)
    with pytest.raises(CalcError, match="cannot compare number with text"):
        infer(parse("n < t"), kinds)


# ------------------------------------------------------------------ properties
NAMES = ("a", "b", "c")
values = st.one_of(st.none(), st.integers(-1000, 1000))


def trees(depth: int = 0):
    leaf = st.one_of(st.integers(-50, 50), st.sampled_from(NAMES))
    if depth >= 4:
        return leaf
    return st.one_of(
        leaf,
        st.tuples(
            st.sampled_from(["+", "-", "*", "div", "mod"]), trees(depth + 1), trees(depth + 1)
        ),
        st.tuples(st.just("neg"), trees(depth + 1)),
    )


def text_of(tree) -> str:
    if isinstance(tree, int):
        return str(tree) if tree >= 0 else f"(-{-tree})"
    if isinstance(tree, str):
        return tree
    if tree[0] == "neg":
        return f"-({text_of(tree[1])})"
    op, left, right = tree
    return f"({text_of(left)} {op} {text_of(right)})"


def reference(tree, env):
    """Python arithmetic: whole numbers exact, / for a division that is not exact (IEEE doubles,
    as XPath), math.fmod for mod (the dividend's sign); None for empty operands, a division by
    zero and any step beyond ±1e15."""
    if isinstance(tree, int):
        return tree
    if isinstance(tree, str):
        return env[tree]
    if tree[0] == "neg":
        inner = reference(tree[1], env)
        return None if inner is None else -inner
    op, a, b = tree[0], reference(tree[1], env), reference(tree[2], env)
    if a is None or b is None or (op in ("div", "mod") and b == 0):
        return None
    if op == "div":
        both_int = isinstance(a, int) and isinstance(b, int)
        result = a // b if both_int and Fraction(a, b).denominator == 1 else a / b
    elif op == "mod":
        if isinstance(a, int) and isinstance(b, int):
            result = int(math.copysign(abs(a) % abs(b), a)) if a % b else 0
        else:
            result = math.fmod(a, b)
    else:
        result = {"+": a + b, "-": a - b, "*": a * b}[op]
    return None if abs(result) > 1e15 else result


@settings(max_examples=400, deadline=None)
@given(trees(), st.fixed_dictionaries({n: values for n in NAMES}))
def test_arithmetic_matches_python_arithmetic(tree, env):
    got = make_calc(text_of(tree))(env)
    expected = reference(tree, env)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert type(got) is type(expected)
        assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-9)


anything = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=5,
)
FORMULAS = [
    "a + b * c",
    "a div b mod c",
    "if(a > b, concat(a, c), normalize-space(b))",
    "sum(a, b, c) + min(a, b) - max(b, c)",
    "round(a, 2) + int(b) + abs(c)",
    "count-selected(a) + coalesce(b, c)",
    "if(selected(a, 'x') and not(b = 'y') or c != '', 1, 0)",
]


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(FORMULAS), st.fixed_dictionaries({n: anything for n in NAMES}))
def test_evaluation_never_raises(formula, env):
    value = make_calc(formula)(env)
    assert value is None or isinstance(value, int | float | str)
    assert not isinstance(value, bool)
    if isinstance(value, float):
        assert math.isfinite(value)


def test_the_linter_does_not_guess_through_calculations():
    from surveyapp.engine import lint_text

    from .conftest import schema_text

    # p2 is shown only when tenure / age = 50 %: the search samples each number question at
    # its bounds and its literals, so it cannot say; it says so instead of "unreachable"
    pages = PAGES.replace("{q: share, gte: 50}", "{q: share, eq: 50}")
    report = lint_text(schema_text(pages, derived=DERIVED), "calc.yaml")
    assert report.ok, report.problems
    messages = [w.message for w in report.warnings]
    assert messages == [
        "not checked (the search does not follow calculations or comparisons of two answers): "
        "question 'why', page 'p2' condition",
        "path statistics not computed (conditions read calculations or compare two answers)",
    ]
    assert report.stats is None
    # a calculation no condition reads changes nothing
    plain = PAGES.replace("  when: {q: share, gte: 50}\n", "").replace("Part ${share} %", "P")
    report = lint_text(schema_text(plain.replace("Share ${share} %", "S"), derived=DERIVED), "c")
    assert not report.warnings
    assert report.stats is not None


def test_quotas_count_through_calculations():
    from surveyapp.engine import quota_cells

    derived = (
        DERIVED
        + """\
- id: band
  type: single
  options:
    - {code: lo, label: {fr: "Bas", en: "Low"}}
    - {code: hi, label: {fr: "Haut", en: "High"}}
  cases:
    - {value: hi, when: {q: share, gte: 50}}
    - {value: lo, when: {q: share, answered: true}}
"""
    )
    quotas = """\
- id: by_band
  kind: soft
  limit: at_most
  by: [band]
  targets: {lo: 10, hi: 10}
- id: seniors
  kind: soft
  limit: at_least
  target: 5
  when: {q: total, gt: 100}
"""
    survey = make_survey(PAGES, derived=derived, quotas=quotas)
    cells = quota_cells(survey, {"age": 40, "tenure": 30, "spend": 50.0})
    assert [c.cell_id for c in cells] == ["by_band__hi", "seniors"]
    cells = quota_cells(survey, {"age": 40, "tenure": 4})
    assert [c.cell_id for c in cells] == ["by_band__lo"]


SCALE_PAGES = """\
- id: p1
  questions:
    - id: d1
      type: single
      text: {fr: "Jours 1", en: "Days 1"}
      options: &days
        - {code: 0, label: {fr: "0", en: "0"}}
        - {code: 3, label: {fr: "3", en: "3"}}
        - {code: 7, label: {fr: "7", en: "7"}}
    - {id: d2, type: single, text: {fr: "Jours 2", en: "Days 2"}, options: *days}
    - {id: region, type: single, text: {fr: "Région", en: "Region"},
       options: [{code: n, label: {fr: N, en: N}}]}
"""


def test_whole_number_codes_read_as_numbers():
    derived = """\
- {id: days, type: number, calc: "d1 + d2 * 2"}
- {id: busy, type: number, calc: "if(d1 + d2 > 9, 1, 0)"}
- {id: first, type: number, calc: "if(d1 = 3, d1, 0)"}
- {id: copy, type: number, calc: "d2"}
"""
    survey = make_survey(SCALE_PAGES, derived=derived)
    values = derived_values(survey, {"d1": "3", "d2": "7"})
    assert values == {"days": 17, "busy": 1, "first": 3, "copy": 7}
    assert derived_values(survey, {"d1": "0"}) == {
        "days": None,
        "busy": 0,
        "first": 0,
        "copy": None,
    }
    with pytest.raises(SchemaError, match="'\\+' needs number, not code"):
        make_survey(SCALE_PAGES, derived='- {id: r, type: number, calc: "region + 1"}\n')
