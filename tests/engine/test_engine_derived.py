"""The inputs of derived variables, worked out once in the engine for exports and results."""

from __future__ import annotations

from surveyapp.engine.derived import derived_inputs, derived_values, environment
from surveyapp.results.data import DerivedMemo


def test_derived_inputs_in_dependency_order_with_what_each_reads(rich):
    inputs = [(d.id, refs) for d, refs in derived_inputs(rich)]
    assert inputs == [
        ("adult", ("age",)),
        ("brand_count", ("brands",)),
        ("main_brand", ("brand_count", "brands", "fav")),
    ]


def test_environment_params_then_answers_then_derived(rich):
    env = environment(rich, {"source": "2", "age": 99}, {"age": 30, "brands": ["globex"]})
    assert env["source"] == "2"
    assert env["age"] == 30  # an answer wins over a parameter of the same id
    assert (env["adult"], env["brand_count"], env["main_brand"]) == ("1", 1, "globex")
    assert derived_values(rich, {"age": 30, "brands": ["globex"]}) == {
        "adult": "1",
        "brand_count": 1,
        "main_brand": "globex",
    }


def test_results_memo_plans_with_the_engine_inputs(rich):
    memo = DerivedMemo(rich)
    assert [(d, refs) for d, refs, _ in memo.plan] == list(derived_inputs(rich))
    answers = {"age": 12, "brands": ["globex", "acme"], "fav": "acme"}
    assert memo(dict(answers)) == environment(rich, {}, answers)
