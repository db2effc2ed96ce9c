"""The semantic linter: reachability, constant conditions, quota cells, path statistics."""

from __future__ import annotations

from pathlib import Path

from surveyapp.engine import lint_file, lint_text
from surveyapp.engine.reach import Goal, Searcher, Verdict
from surveyapp.engine.stats import path_stats
from tests.support.timing import cpu_seconds

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
YESNO = 'options: [{code: 1, label: {fr: oui, en: "yes"}}, {code: 2, label: {fr: non, en: "no"}}]'
T = "text: {fr: T, en: T}"
SCREEN_OUT_MINORS = """\
endings:
  - {id: minor, status: screened_out, check_after: p1, when: {q: age, lt: 18},
     message: {fr: x, en: x}}
  - {id: done, status: complete, default: true, message: {fr: x, en: x}}
"""


def warnings(text: str, rule: str | None = None):
    report = lint_text(text, "lint.yaml")
    assert report.ok, report.problems
    return [w for w in report.warnings if rule is None or w.rule == rule]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_contradictory_condition_makes_a_question_unreachable(schema):
    text = schema(
        f"""\
        - id: p1
          questions:
            - {{id: country, type: single, {T}, {YESNO}}}
        - id: p2
          questions:
            - id: both
              type: text
              {T}
              when: {{all: [{{q: country, eq: 1}}, {{q: country, eq: 2}}]}}
            - {{id: fine, type: text, {T}}}
        """
    )
    (warning,) = warnings(text, "unreachable")
    assert "no combination of earlier answers shows 'both'" in warning.message
    assert (warning.line, warning.path) == (line_of(text, "id: both"), "pages[1].questions[0]")
    assert str(warning).startswith(f"lint.yaml:{warning.line}:")


def test_a_screen_out_makes_a_later_question_unreachable(schema):
    text = schema(
        f"""\
        - id: p1
          questions:
            - {{id: age, type: integer, min: 0, max: 120, {T}}}
        - id: p2
          questions:
            - {{id: minor_brand, type: text, {T}, when: {{q: age, lt: 18}}}}
            - {{id: adult_brand, type: text, {T}, when: {{q: age, gte: 18}}}}
        """,
        endings=SCREEN_OUT_MINORS,
    )
    found = warnings(text)
    assert [w.message for w in found if w.rule == "unreachable"] == [
        "unreachable: no combination of earlier answers shows 'minor_brand'"
    ]
    (always,) = [w for w in found if w.rule == "always-true"]
    assert "question 'adult_brand': condition is always true" in always.message
    assert always.path == "pages[1].questions[1].when"


def test_transitive_relevance_a_hidden_question_is_never_answered(schema):
    text = schema(
        f"""\
        - id: p1
          questions:
            - {{id: a, type: single, {T}, {YESNO}}}
        - id: p2
          questions:
            - {{id: b, type: single, {T}, {YESNO}, when: {{q: a, eq: 1}}}}
        - id: p3
          questions:
            - {{id: c, type: text, {T}, when: {{all: [{{q: a, eq: 2}}, {{q: b, answered: true}}]}}}}
        """
    )
    (warning,) = warnings(text, "unreachable")
    assert "shows page 'p3'" in warning.message
    assert warning.path == "pages[2]"


def test_always_true_page_and_ending_conditions(schema):
    text = schema(
        f"""\
        - id: p1
          questions:
            - {{id: age, type: integer, min: 0, max: 120, {T}}}
        - id: p2
          when: {{q: age, gte: 0}}
          questions:
            - {{id: b, type: text, {T}}}
        """,
        endings="""\
        endings:
          - {id: always, status: screened_out, check_after: p1, when: {q: age, answered: true},
             message: {fr: x, en: x}}
          - {id: done, status: complete, default: true, message: {fr: x, en: x}}
        """,
    )
    found = warnings(text)
    messages = {w.message for w in found}
    assert "ending 'always': condition is always true; later pages are unreachable" in messages
    assert any(
        m.startswith("unreachable: no combination of answers shows page 'p2'") for m in messages
    )
    assert any("unreachable: ending 'done' is never reached" in m for m in messages)


def test_always_true_page_condition(schema):
    text = schema(
        f"""\
        - id: p1
          questions:
            - {{id: age, type: integer, min: 0, max: 120, {T}}}
        - id: p2
          when: {{q: age, gte: 0}}
          questions:
            - {{id: b, type: text, {T}}}
        """
    )
    (warning,) = warnings(text, "always-true")
    assert (
        warning.message
        == "page 'p2': condition is always true for respondents who reach this point"
    )
    assert warning.line == line_of(text, "when: {q: age, gte: 0}")


def test_options_and_rows_never_offered_or_always_offered(schema):
    text = schema(
        f"""\
        - id: p1
          questions:
            - {{id: a, type: single, {T}, {YESNO}}}
        - id: p2
          questions:
            - id: b
              type: single
              {T}
              when: {{q: a, eq: 1}}
              options:
                - {{code: x, label: {{fr: x, en: x}}, when: {{q: a, eq: 1}}}}
                - {{code: y, label: {{fr: y, en: y}}, when: {{q: a, eq: 2}}}}
                - {{code: z, label: {{fr: z, en: z}}}}
            - id: g
              type: matrix
              {T}
              scale: [{{code: 1, label: {{fr: x, en: x}}}}]
              rows:
                - {{code: r1, text: {{fr: r, en: r}}}}
                - code: r2
                  text: {{fr: r, en: r}}
                  when: {{all: [{{q: a, eq: 1}}, {{q: a, eq: 2}}]}}
        """
    )
    found = {w.message: w for w in warnings(text)}
    never = found["unreachable: option y is never offered in 'b'"]
    assert never.path == "pages[1].questions[0].options[1]"
    always = found["the condition of option x is always true when 'b' is shown"]
    assert always.line == line_of(text, "code: x")
    row = found["unreachable: row r2 is never offered in 'g'"]
    assert row.path == "pages[1].questions[1].rows[1]"


def test_options_from_and_autocode_are_searched_exactly(schema):
    text = schema(
        f"""\
        - id: p1
          questions:
            - id: brands
              type: multiple
              {T}
              options:
                - {{code: a, label: {{fr: a, en: a}}}}
                - {{code: b, label: {{fr: b, en: b}}}}
                - {{code: none, label: {{fr: n, en: n}}, exclusive: true}}
        - id: p2
          questions:
            - id: fav
              type: single
              {T}
              options_from: brands
              autocode_single: true
              options: [{{code: a, label: {{fr: a, en: a}}}}, {{code: b, label: {{fr: b, en: b}}}},
                        {{code: none, label: {{fr: n, en: n}}}}]
        """
    )
    found = warnings(text, "unreachable")
    assert [w.message for w in found] == ["unreachable: option none is never offered in 'fav'"]


def test_quota_cells_that_cannot_count_and_quota_conditions_always_true(schema):
    text = schema(
        f"""\
        - id: p1
          questions:
            - {{id: age, type: integer, min: 0, max: 120, {T}}}
            - {{id: adult, type: single, {T}, {YESNO}}}
        """,
        endings=SCREEN_OUT_MINORS,
        quotas="""\
        - {id: cells, kind: soft, limit: at_most, by: [adult], targets: 10}
        - {id: grown, kind: soft, limit: at_most, when: {q: age, gte: 18}, target: 5}
        - {id: kids, kind: soft, limit: at_most, when: {q: age, lt: 18}, target: 5}
        """,
    )
    found = {w.message: w for w in warnings(text)}
    kids = found["unreachable: quota cells that can never count a response: kids"]
    assert kids.path == "quotas[2]"
    assert "quota 'grown': condition is always true for respondents it counts" in found
    assert not any("cells__" in m for m in found)


def test_unused_and_unreachable_endings(schema):
    text = schema(
        f"""\
        - id: p1
          questions:
            - {{id: a, type: single, {T}, {YESNO}}}
        """,
        endings="""\
        endings:
          - {id: never, status: screened_out, check_after: p1,
             when: {all: [{q: a, eq: 1}, {q: a, eq: 2}]}, message: {fr: x, en: x}}
          - {id: spare, status: quota_full, message: {fr: x, en: x}}
          - {id: done, status: complete, default: true, message: {fr: x, en: x}}
        """,
    )
    messages = sorted(w.message for w in warnings(text, "unreachable"))
    assert messages == [
        "unreachable: ending 'never' is never reached",
        "unreachable: ending 'spare' is never reached (unused)",
    ]


def test_budget_exhausted_is_reported_not_guessed(rich):
    searcher = Searcher(rich, cap=1)
    age = rich.questions["age"]
    goal = Goal(lambda env: env.get("age") == 200, (), 2, ids=frozenset({age.id}))
    assert searcher.check(goal) is Verdict.UNKNOWN
    assert Searcher(rich).check(goal) is Verdict.UNSAT


def test_lint_file_reports_load_errors_without_stats(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("schema_version: 1\nsurvey: {id: x\n", encoding="utf-8")
    report = lint_file(path)
    assert not report.ok
    assert report.stats is None
    assert report.problems[0].rule == "yaml-syntax"
    assert report.problems[0].source == str(path)


def test_rich_fixture_is_clean_with_exact_statistics():
    report = lint_file(FIXTURES / "rich.yaml")
    assert report.ok
    assert report.warnings == ()
    stats = report.stats
    assert stats is not None
    assert (stats.paths, stats.complete_paths) == (36, 33)
    assert dict(stats.by_ending) == {"done": 32, "elsewhere": 1, "minor": 1, "qf": 1, "unaware": 1}
    assert (stats.shortest, stats.longest) == (3, 12)
    assert (stats.shortest_complete, stats.longest_complete) == (4, 12)
    assert (stats.minutes_min, stats.minutes_max) == (2.0, 6.0)  # 30 s per question


def test_path_counting_stays_linear_on_many_independent_branches(survey_from):
    items = "\n".join(
        f"    - {{id: n{i}, type: text, {T}, when: {{q: nets, has: c{i}}}}}" for i in range(15)
    )
    options = ", ".join(f"{{code: c{i}, label: {{fr: x, en: x}}}}" for i in range(15))
    survey = survey_from(
        "- id: p1\n  questions:\n"
        f"    - {{id: nets, type: multiple, {T}, options: [{options}]}}\n"
        f"- id: p2\n  questions:\n{items}\n"
    )
    with cpu_seconds() as spent:  # CPU, not wall time: parallel workers share the cores
        stats = path_stats(survey)
    assert stats is not None
    assert stats.paths == 2**15 - 1  # every non-empty subset of networks
    assert stats.longest == 16
    assert spent.seconds < 2


def test_barometer_lint_is_complete_and_fast():
    path = ROOT / "surveyapp" / "surveys" / "barometre-2015.yaml"
    assert path.is_file(), f"{path} is missing: the bundled survey must ship"
    with cpu_seconds() as spent:
        report = lint_file(path)
    assert report.ok, "\n".join(map(str, report.problems))
    assert not [w for w in report.warnings if w.rule == "not-checked"]
    assert report.stats is not None
    assert report.stats.paths > 1000
    assert report.stats.shortest_complete is not None
    assert spent.seconds < 5


def test_a_multiple_choice_that_cannot_be_answered_is_reported(schema):
    text = schema(
        f"""\
        - id: p1
          questions:
            - {{id: fr, type: single, {T}, {YESNO}}}
        - id: p2
          questions:
            - id: nets
              type: multiple
              min: 2
              {T}
              options:
                - {{code: a, label: {{fr: a, en: a}}}}
                - {{code: b, label: {{fr: b, en: b}}, when: {{q: fr, eq: 1}}}}
                - {{code: none, label: {{fr: n, en: n}}, exclusive: true}}
        - id: p3
          questions:
            - {{id: after, type: text, {T}}}
        """
    )
    report = lint_text(text, "lint.yaml")
    (warning,) = [w for w in report.warnings if w.rule == "unanswerable"]
    assert "'nets' can be shown with fewer than 2 options" in warning.message
    assert warning.path == "pages[1].questions[0]"
    assert report.stats is not None
    assert report.stats.paths == 1  # respondents with fr = 2 are stuck on p2
