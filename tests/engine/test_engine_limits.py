"""Resource limits of a schema (surveyapp/engine/limits.py): refused early, with a location."""

from __future__ import annotations

import time

import pytest

from surveyapp.engine import SchemaError, limits, lint_text, load_survey, load_survey_file
from surveyapp.engine.schema import read_schema_text
from tests.support.hostile_schemas import T, crossed_quota, not_chain, option_list

from .conftest import schema_text


def problems(text: str) -> list:
    report = lint_text(text, "limits.yaml")
    assert not report.ok
    return list(report.problems)


def only_limit(text: str):
    """The one problem of a schema refused for a limit."""
    (problem,) = [p for p in problems(text) if p.rule == "limit"]
    return problem


def test_two_crossed_1500_option_questions_are_refused_in_milliseconds():
    text = crossed_quota(1_500)
    started = time.process_time()  # CPU time: the shared test machine is loaded
    found = problems(text)
    assert time.process_time() - started < 1.0
    (problem,) = found
    assert problem.rule == "limit"
    first_option = text.splitlines().index("option_lists:") + 3  # the list starts there
    assert (problem.line, problem.path) == (first_option, "option_lists.many")
    assert "1,500 options: at most 1,000 allowed" in problem.message


def test_quota_cells_are_counted_before_they_are_built():
    text = crossed_quota(40)
    problem = only_limit(text)
    assert problem.path == "quotas[0].by"
    assert problem.line == text.split("id: q,")[0].count("\n") + 1
    assert "1,600 quota cells (40 × 40 codes): a quota may have at most 1,000" in problem.message
    assert lint_text(crossed_quota(31), "ok.yaml").ok  # 961 cells


def test_quota_cells_of_every_quota_together_are_capped():
    quotas = "".join(
        f"- {{id: q{i}, kind: soft, limit: at_most, by: [a, b], targets: 10}}\n" for i in range(6)
    )
    text = crossed_quota(30).replace(
        "  - {id: q, kind: soft, limit: at_most, by: [a, b], targets: 10}\n",
        "".join(f"  {line}\n" for line in quotas.splitlines()),
    )
    problem = only_limit(text)  # 6 × 900 = 5,400 cells: the sixth quota goes over
    assert problem.path == "quotas[5].by"
    assert "5,400 cells up to this one: at most 5,000 in all" in problem.message


def test_too_many_pages_questions_and_rows():
    pages = "".join(
        f"- {{id: p{i}, questions: [{{id: q{i}, type: text, {T}}}]}}\n"
        for i in range(limits.MAX_PAGES + 1)
    )
    problem = only_limit(schema_text(pages))
    assert (problem.path, problem.message) == ("pages", "201 pages: at most 200 allowed")

    questions = "".join(
        f"    - {{id: q{i}, type: text, {T}}}\n" for i in range(limits.MAX_QUESTIONS + 1)
    )
    problem = only_limit(schema_text(f"- id: p1\n  questions:\n{questions}"))
    assert problem.message == "1,001 questions: at most 1,000 allowed"

    rows = ", ".join(f"{{code: r{i}, {T}}}" for i in range(limits.MAX_ROWS + 1))
    matrix = f"- {{id: p1, questions: [{{id: m, type: matrix, {T}, scale: many, rows: [{rows}]}}]}}"
    problem = only_limit(schema_text(matrix, option_lists=option_list(3)))
    assert (problem.path, problem.message) == (
        "pages[0].questions[0].rows",
        "101 rows: at most 100 allowed",
    )


def test_a_text_longer_than_the_limit_is_refused_where_it_is():
    long = "x" * (limits.MAX_TEXT_LENGTH + 1)
    text = schema_text(
        f'- id: p1\n  questions:\n    - {{id: a, type: text, text: {{fr: "{long}", en: T}}}}\n'
    )
    problem = only_limit(text)
    assert problem.path == "pages[0].questions[0].text.fr"
    assert problem.message == "the 'fr' text has 10,001 characters: at most 10,000"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(crossed_quota(2) + "#" * limits.MAX_SCHEMA_BYTES)
    with pytest.raises(SchemaError) as caught:
        read_schema_text(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.rule) == (1, "limit")
    assert f"a schema may have at most {limits.MAX_SCHEMA_BYTES:,}" in problem.message
    with pytest.raises(SchemaError, match="a schema may have at most"):
        load_survey(path.read_text(), "huge.yaml")  # text given directly (uploads)


@pytest.mark.parametrize("word", ["not", "all", "any"])
def test_conditions_nest_at_most_32_levels(word):
    assert lint_text(not_chain(limits.MAX_CONDITION_DEPTH, word), "ok.yaml").ok
    text = not_chain(limits.MAX_CONDITION_DEPTH + 1, word)
    problem = only_limit(text)
    depth_32 = "." + ".".join([word if word == "not" else f"{word}[0]"] * 32)
    assert problem.path == "pages[1].questions[0].when" + depth_32
    assert problem.message == "conditions may nest at most 32 all/any/not"
    assert problem.line == len(text.split("id: b,")[0].splitlines())


@pytest.mark.parametrize("depth", [210, 300, 900])
def test_deep_not_chains_are_refused_with_a_location_never_a_recursion_error(depth):
    text = not_chain(depth)
    problem = only_limit(text)
    assert problem.line == len(text.split("id: b,")[0].splitlines())
    assert problem.column > 1
    assert "nested more than 128 levels deep" in problem.message
    assert "at most 32 all/any/not" in problem.message


def test_a_chain_deeper_than_libyaml_accepts_is_a_located_yaml_error():
    (problem,) = problems(not_chain(5_000))
    assert problem.rule == "yaml-syntax"
    assert "exceeded maximum nesting depth" in problem.message
    assert problem.line > 1


def test_the_pure_python_yaml_parser_is_guarded_too(monkeypatch):
    import yaml

    from surveyapp.engine import yamlsource

    monkeypatch.setattr(yamlsource, "_Loader", yaml.SafeLoader)  # composes recursively
    problem = only_limit(not_chain(900))
    assert "nested more than 128 levels deep" in problem.message


def test_the_bundled_barometer_is_within_every_limit():
    from .conftest import BAROMETER

    load_survey_file(BAROMETER)
