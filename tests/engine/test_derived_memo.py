"""The environment's derived values are memoised by their inputs: same values as computing
them, computed once for equal inputs, computed again when an input changes."""

from __future__ import annotations

import random

import pytest

from surveyapp.engine import visibility
from surveyapp.engine.derived import derived_values
from surveyapp.engine.visibility import environment
from tests.support.simulate import walk


def computed(survey, answers):
    """The environment without the memo."""
    return {**answers, **derived_values(survey, answers)}


@pytest.mark.parametrize("name", ["barometer", "rich"])
def test_memoised_environment_equals_computed_one(name, request):
    survey = request.getfixturevalue(name)
    rng = random.Random(15)
    for _ in range(25):
        answers = walk(survey, rng).answers
        # the full answers, then subsets of them (earlier pages, skipped questions)
        for kept in (
            answers,
            *({k: v for k, v in answers.items() if rng.random() < 0.6} for _ in range(4)),
        ):
            assert environment(survey, kept) == computed(survey, kept)
            assert environment(survey, dict(kept)) == computed(survey, kept)  # from the memo


def test_equal_inputs_compute_once_and_a_changed_input_again(barometer, monkeypatch):
    calls = []
    real = visibility.derived_value
    monkeypatch.setattr(
        visibility, "derived_value", lambda d, env: calls.append(d.id) or real(d, env)
    )
    answers = {"s1": "1", "s6": "4", "q3": ["1", "2"], "unrelated": "x"}
    first = environment(barometer, answers)
    computed_once = len(calls)
    assert computed_once == len(barometer.derived_order)
    # equal inputs, another dict, an answer no derived variable reads changed
    second = environment(barometer, {**answers, "unrelated": "y"})
    assert len(calls) == computed_once
    assert {d.id: second[d.id] for d in barometer.derived_order} == {
        d.id: first[d.id] for d in barometer.derived_order
    }
    assert second["unrelated"] == "y"
    # an input changed: computed again, with the new value
    third = environment(barometer, {**answers, "s1": "2"})
    assert len(calls) == 2 * computed_once
    assert third["lang"] == "2"
    assert first["lang"] == "1"
    # 1 and "1" are different answers: never the same memo entry
    environment(barometer, {**answers, "s1": 1})
    assert len(calls) == 3 * computed_once


def test_inputs_cover_every_id_a_derived_variable_reads(barometer):
    from surveyapp.engine.visibility import memo_inputs

    inputs = set(memo_inputs(barometer))
    assert {"s1", "s1b", "q3", "q4", "q3_count"} <= inputs
    assert "unrelated" not in inputs


def test_list_answers_are_memoised_with_their_items_types(barometer, monkeypatch):
    visibility._MEMOS.clear()
    calls = []
    real = visibility.derived_value
    monkeypatch.setattr(
        visibility, "derived_value", lambda d, env: calls.append(d.id) or real(d, env)
    )
    answers = {"s1": "1", "s6": "4", "q3": ["1", "2"]}
    environment(barometer, answers)
    once = len(calls)
    # an equal list in another dict: from the memo
    environment(barometer, {**answers, "q3": ["1", "2"]})
    assert len(calls) == once
    # the same items as numbers: another entry, as a number and a code are different answers
    environment(barometer, {**answers, "q3": [1, 2]})
    assert len(calls) == 2 * once
    environment(barometer, {**answers, "q3": [1.0, 2]})  # 1 == 1.0, yet another answer
    assert len(calls) == 3 * once
    # an unhashable value is computed, never memoised, and still right
    odd = {**answers, "q3": [{"1"}]}
    assert environment(barometer, odd) == computed(barometer, odd)
    assert environment(barometer, odd) == computed(barometer, odd)
    assert len(calls) == 5 * once


def test_progress_reads_the_derived_dependencies_once_per_survey(barometer, monkeypatch):
    from surveyapp.engine import flow

    flow._DERIVED_READS.clear()
    calls = []
    real = flow.derived_deps
    monkeypatch.setattr(flow, "derived_deps", lambda d: calls.append(d.id) or real(d))
    page = barometer.pages[1].id
    first = (flow.progress(barometer, page, {}), flow.is_last_page(barometer, page, {}))
    again = (flow.progress(barometer, page, {}), flow.is_last_page(barometer, page, {}))
    assert first == again
    assert sorted(calls) == sorted(d.id for d in barometer.derived_order)
