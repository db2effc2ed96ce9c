"""The XPath subset: parser, translation to conditions (XForms semantics), export idioms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.xlsform import xpath
from surveyapp.xlsform.condition_export import exact_xpath, to_xpath
from surveyapp.xlsform.conditions import Symbols, Translator, Var
from surveyapp.xlsform.constraints import bounds, options_from
from surveyapp.xlsform.xpath import XPathError

SYMBOLS = Symbols(
    {
        "country": Var("country", "code", ("fr", "be", "ca"), "country", 0),
        "size": Var("size", "code", (1, 2, 3, 4), "size", 0),
        "brands": Var("brands", "set", ("acme", "globex", "initech"), "brands", 1),
        "age": Var("age", "number", (), "age", 0),
        "why": Var("why", "text", (), "why", 1),
        "intro": Var("intro", "note", (), "intro", 0),
        "grid_a": Var("grid.a", "code", (1, 2), "grid_a", 1, "row"),
        "band": Var("band", "code", (1, 2), None, -1, "derived"),
    }
)


def tr(text: str):
    return Translator(SYMBOLS).translate(text)


@pytest.mark.parametrize(
    ("text", "cond"),
    [
        ("${country} = 'fr'", {"q": "country", "eq": "fr"}),
        ("'fr' = ${country}", {"q": "country", "eq": "fr"}),
        ('${country} = "fr"', {"q": "country", "eq": "fr"}),
        ("${size} = 2", {"q": "size", "eq": 2}),
        ("${size} = '2'", {"q": "size", "eq": 2}),
        ("${country} != 'fr'", {"not": {"q": "country", "eq": "fr"}}),
        ("${size} > 2", {"q": "size", "in": [3, 4]}),
        ("${size} <= 1", {"q": "size", "eq": 1}),
        ("${age} >= 18", {"q": "age", "gte": 18}),
        ("18 < ${age}", {"q": "age", "gt": 18}),
        ("${age} < 17.5", {"q": "age", "lt": 17.5}),
        ("${age} = -1", {"q": "age", "eq": -1}),
        ("${age} != 30", {"not": {"q": "age", "eq": 30}}),
        ("${why} != ''", {"q": "why", "answered": True}),
        ("${age} = ''", {"q": "age", "answered": False}),
        ("selected(${brands}, 'acme')", {"q": "brands", "has": "acme"}),
        ("selected(${country}, 'be')", {"q": "country", "eq": "be"}),
        ("count-selected(${brands}) >= 2", {"q": "brands", "count_gte": 2}),
        ("count-selected(${brands}) > 1", {"q": "brands", "count_gte": 2}),
        ("count-selected(${brands}) = 1", {"q": "brands", "count_eq": 1}),
        ("count-selected(${brands}) <= 1", {"not": {"q": "brands", "count_gte": 2}}),
        ("count-selected(${brands}) = 0", {"not": {"q": "brands", "count_gte": 1}}),
        ("${grid_a} = '1'", {"q": "grid.a", "eq": 1}),
        ("${band} = 2", {"q": "band", "eq": 2}),
        ("not(${age} > 5)", {"not": {"q": "age", "gt": 5}}),
        (
            "${age} >= 18 and ${country} = 'fr'",
            {"all": [{"q": "age", "gte": 18}, {"q": "country", "eq": "fr"}]},
        ),
        (
            "${age} >= 18 or ${country} = 'fr' and ${size} = 1",
            {
                "any": [
                    {"q": "age", "gte": 18},
                    {"all": [{"q": "country", "eq": "fr"}, {"q": "size", "eq": 1}]},
                ]
            },
        ),
        (
            "(${age} >= 18 or ${country} = 'fr') and ${size} = 1",
            {
                "all": [
                    {"any": [{"q": "age", "gte": 18}, {"q": "country", "eq": "fr"}]},
                    {"q": "size", "eq": 1},
                ]
            },
        ),
        # idioms folded into one operator
        ("${country} = 'fr' or ${country} = 'be'", {"q": "country", "in": ["fr", "be"]}),
        ("${country} != 'fr' and ${country} != ''", {"q": "country", "ne": "fr"}),
        (
            "not(${size} = 1 or ${size} = 2) and ${size} != ''",
            {"q": "size", "not_in": [1, 2]},
        ),
        (
            "selected(${brands}, 'acme') or selected(${brands}, 'globex')",
            {"q": "brands", "has_any": ["acme", "globex"]},
        ),
        (
            "selected(${brands}, 'acme') and selected(${brands}, 'globex')",
            {"q": "brands", "has_all": ["acme", "globex"]},
        ),
        (
            "not(selected(${brands}, 'acme')) and ${brands} != ''",
            {"q": "brands", "has_none": ["acme"]},
        ),
        (
            "count-selected(${brands}) <= 2 and ${brands} != ''",
            {"q": "brands", "count_lte": 2},
        ),
    ],
)
def test_translation(text, cond):
    assert tr(text) == cond


@pytest.mark.parametrize(
    ("text", "pos", "words"),
    [
        ("${age} + 1 > 3", 7, "arithmetic"),
        ("${age} > 3 and", 14, "ends too early"),
        ("(${age} > 3", 0, "never closed"),
        ("${age} > 3)", 10, "unbalanced ')'"),
        ("${age} > 3 ${age} < 5", 11, "missing 'and'"),
        ("${country} = 'fr", 13, "unterminated"),
        ("${nope} = 'x'", 0, "no question named 'nope'"),
        ("${country} = 'de'", 13, "not a choice"),
        ("${country} = 'Yes'", 13, "not a valid choice name"),
        ("${brands} < 'acme'", 10, "selected(${brands}, 'x')"),
        ("${age} = ${size}", 7, "only two numbers, or two single choices"),
        ("${age}", 0, "alone is not a condition"),
        ("${intro} = ''", 0, "is a note"),
        ("jr:choice-name(${country}, '${country}') = 'x'", 0, "not supported"),
        ("${size} > 9", 8, "no choice"),
        ("count-selected(${brands}) >= 0", 26, "always true"),
        ("${age} = 1 = 1", 11, "chained"),
        ("/data/age > 3", 0, "paths"),
        ("${why} = 'x'", 7, "= '' or != ''"),
        ("", 0, "empty"),
    ],
)
def test_errors_are_located(text, pos, words):
    with pytest.raises(XPathError) as info:
        tr(text)
    assert info.value.pos == pos
    assert words in info.value.message


def test_parentheses_are_kept_as_written():
    tree = xpath.parse("(${a} = 1 and ${b} = 2) and ${c} = 3")
    assert isinstance(tree, xpath.And)
    assert isinstance(tree.items[0], xpath.Group)


@pytest.mark.parametrize(
    ("text", "base", "found"),
    [
        (". >= 0 and . <= 120", "integer", {"min": 0, "max": 120}),
        ("(. > 0) and (. < 10)", "integer", {"min": 1, "max": 9}),
        ("18 <= .", "integer", {"min": 18}),
        (". >= 0.5", "decimal", {"min": 0.5}),
        ("count-selected(.) <= 3", "select_multiple", {"max": 3}),
        ("count-selected(.) = 2", "select_multiple", {"min": 2, "max": 2}),
        ("string-length(.) <= 200", "text", {"max_length": 200}),
    ],
)
def test_constraints_as_bounds(text, base, found):
    assert bounds(text, base) == found


@pytest.mark.parametrize(
    ("text", "base"),
    [
        (". > 0.5", "decimal"),
        (". >= 0 or . <= 5", "integer"),
        ("regex(., '^[0-9]+$')", "integer"),
        ("regex(${other}, '^[0-9]+$')", "text"),
        ("regex(., 'a') and regex(., 'b')", "text"),
        (". != 3", "integer"),
        (". >= ${age}", "integer"),
        ("string-length(.) >= 3", "text"),
        ("count-selected(.) >= 0", "select_multiple"),
        (". >= 1 and . >= 2", "integer"),
    ],
)
def test_other_constraints_are_refused(text, base):
    with pytest.raises(XPathError):
        bounds(text, base)


def test_choice_filter():
    assert options_from("selected(${brands}, name)") == ("brands", 9)
    with pytest.raises(XPathError, match="selected"):
        options_from("country = ${country}")


# --------------------------------------------------------------------------- export
BY_REF = SYMBOLS.by_ref()


@pytest.mark.parametrize(
    ("cond", "text"),
    [
        ({"q": "country", "ne": "fr"}, "${country} != 'fr' and ${country} != ''"),
        ({"q": "size", "in": [1, 2]}, "${size} = '1' or ${size} = '2'"),
        ({"q": "brands", "count_lte": 2}, "count-selected(${brands}) <= 2 and ${brands} != ''"),
        (
            {"all": [{"q": "size", "ne": 1}, {"q": "age", "gte": 18}]},
            "(${size} != '1' and ${size} != '') and ${age} >= 18",
        ),
        ({"q": "grid.a", "eq": 2}, "${grid_a} = '2'"),
    ],
)
def test_export_idioms(cond, text):
    assert to_xpath(cond, BY_REF) == text
    assert exact_xpath(cond, SYMBOLS) == text


@pytest.mark.parametrize(
    "cond",
    [
        {"q": "band", "eq": 1},  # a derived variable is not on the survey sheet
        {"q": "size", "in": [1]},  # would come back as eq
        {"q": "brands", "count_gte": 0},
        {"any": [{"q": "brands", "has": "acme"}, {"q": "brands", "has": "globex"}]},
    ],
)
def test_conditions_without_an_exact_xpath(cond):
    assert exact_xpath(cond, SYMBOLS) is None


def _leaves():
    code = st.sampled_from([1, 2, 3, 4])
    codes = st.lists(code, min_size=2, max_size=3, unique=True)
    brand = st.sampled_from(["acme", "globex", "initech"])
    brands = st.lists(brand, min_size=1, max_size=3, unique=True)
    return st.one_of(
        st.builds(lambda op, c: {"q": "size", op: c}, st.sampled_from(["eq", "ne"]), code),
        st.builds(lambda op, c: {"q": "size", op: c}, st.sampled_from(["in", "not_in"]), codes),
        st.builds(lambda c: {"q": "brands", "has": c}, brand),
        st.builds(
            lambda op, c: {"q": "brands", op: c},
            st.sampled_from(["has_any", "has_all", "has_none"]),
            brands,
        ),
        st.builds(
            lambda op, n: {"q": "brands", op: n},
            st.sampled_from(["count_eq", "count_gte", "count_lte"]),
            st.integers(0, 3),
        ),
        st.builds(
            lambda op, n: {"q": "age", op: n},
            st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte"]),
            st.integers(-5, 120),
        ),
        st.builds(lambda b: {"q": "why", "answered": b}, st.booleans()),
        st.builds(lambda c: {"q": "band", "eq": c}, st.sampled_from([1, 2])),
    )


CONDITIONS = st.recursive(
    _leaves(),
    lambda inner: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda item: {"not": item}, inner),
    ),
    max_leaves=6,
)


@given(CONDITIONS)
def test_any_exported_xpath_imports_back_exactly(cond):
    text = exact_xpath(cond, SYMBOLS)
    if text is not None:
        assert tr(text) == cond


@given(_leaves())
def test_every_leaf_on_the_survey_sheet_has_an_xpath(leaf):
    op = next(k for k in leaf if k != "q")
    single_list = op in ("in", "not_in", "has_any", "has_all") and len(leaf[op]) == 1
    zero_count = op in ("count_eq", "count_gte", "count_lte") and leaf[op] == 0
    if leaf["q"] == "band" or single_list or zero_count:
        return
    assert exact_xpath(leaf, SYMBOLS) is not None
