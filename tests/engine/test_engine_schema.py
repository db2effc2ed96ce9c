"""Loading schemas: the compiled model, and one broken schema per error rule (located)."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from surveyapp.engine import Problem, SchemaError, load_survey, load_survey_file
from surveyapp.engine.lint import lint_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
Q = "text: {fr: 'Q', en: 'Q'}"
OPTS = (
    "options: [{code: 1, label: {fr: 'un', en: 'one'}}, {code: 2, label: {fr: 'deux', en: 'two'}}]"
)


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line containing `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def problems(text: str) -> list[Problem]:
    """Every problem of a schema that must not load."""
    with pytest.raises(SchemaError) as info:
        load_survey(text, "bad.yaml")
    return info.value.problems


def find(text: str, rule: str) -> Problem:
    """The first problem of a given rule (fails with the whole list otherwise)."""
    found = problems(text)
    matching = [p for p in found if p.rule == rule]
    assert matching, "\n".join(map(str, found))
    return matching[0]


@pytest.fixture
def pages(schema):
    """pages(body, **sections) -> a complete schema around these pages."""
    return lambda body, **sections: schema(textwrap.dedent(body), **sections)


# ---------------------------------------------------------------------- the compiled model
def test_rich_fixture_loads_into_an_immutable_model(rich):
    assert (rich.id, rich.version, rich.languages, rich.default_language) == (
        "rich-fixture",
        "1.0",
        ("fr", "en"),
        "fr",
    )
    assert [p.id for p in rich.pages][:3] == ["intro", "screener", "awareness"]
    assert rich.questions["age"].kind.min == 0
    assert rich.questions["brands"].random_order
    assert rich.default_ending.id == "done"
    assert rich.estimated_seconds_per_question == 30
    assert [c.id for c in rich.quotas[0].cells] == [
        "country_adult__fr__1",
        "country_adult__be__1",
        "country_adult__ca__1",
    ]
    assert rich.quotas[1].cells[0].id == "acme_fans"
    assert rich.quotas[1].counts == ("unaware", "done")
    assert len(rich.quotas[2].cells) == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        rich.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        rich.questions["x"] = rich.questions["age"]  # type: ignore[index]
    assert hash(rich.pages[0].questions[0].kind) is not None


def test_problem_str_is_file_line_column_message():
    problem = Problem("s.yaml", 3, 5, "pages[0].id", "bad id", "invalid-id")
    assert str(problem) == "s.yaml:3:5: pages[0].id: bad id"


def test_load_survey_file_reads_utf8(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes((FIXTURES / "rich.yaml").read_bytes())
    assert load_survey_file(path).id == "rich-fixture"
    path.write_bytes(b"schema_version: 1\nsurvey: {title: \xff}\n")
    with pytest.raises(SchemaError) as info:
        load_survey_file(path)
    assert info.value.problems[0].line == 2
    assert "UTF-8" in info.value.problems[0].message


# ---------------------------------------------------------------------- YAML level
def test_yaml_syntax_error_is_located():
    problem = find("schema_version: 1\nsurvey: {id: [unclosed\npages: []\n", "yaml-syntax")
    assert problem.line >= 2
    assert str(problem).startswith("bad.yaml:")


@pytest.mark.parametrize(
    "text",
    ["", "# only a comment\n", "a: 1\n---\nb: 2\n", "[1, 2]\n", "&a [*a]\n"],
)
def test_documents_that_are_not_a_schema(text):
    assert problems(text)


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    assert "expands" in find("\n".join(lines) + "\n", "yaml-syntax").message


def test_duplicate_yaml_key_is_located(pages):
    text = pages(
        f"""\
        - id: p1
          questions:
            - {{id: a, type: text, {Q}}}
        """
    ).replace('  version: "1"\n', '  version: "1"\n  version: "2"\n')
    problem = find(text, "duplicate")
    assert problem.line == 5
    assert "duplicate key 'version' (first at line 4)" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "raw"),
    [
        ('version: "1"', "version: 2025.06", "2025.06"),
        ('version: "1"', "version: 2025-06-01", "2025-06-01"),
        ('title: {fr: "Titre", en: "Title"}', 'title: {fr: "Titre", en: yes}', "yes"),
        ('title: {fr: "Titre", en: "Title"}', 'title: {fr: "Titre", en: "T", no: "N"}', "no"),
        ('title: {fr: "Titre", en: "Title"}', 'title: {fr: "Titre", en: on}', "on"),
        ('title: {fr: "Titre", en: "Title"}', 'title: {fr: "Titre", en: ~}', "~"),
        ('version: "1"', "version: 010", "010"),
    ],
)
def test_yaml_11_coercions_are_errors(pages, old, new, raw):
    text = pages(f"- {{id: p1, questions: [{{id: a, type: text, {Q}}}]}}").replace(old, new)
    problem = find(text, "coerced-value")
    assert f"'{raw}'" in problem.message
    assert "quote it" in problem.message
    assert problem.line == line_of(text, new)


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("yes", "coerced-value"),
        ("010", "coerced-value"),
        ("1.5", "coerced-value"),
        ("A1", "invalid-id"),
        ('"a b"', "invalid-id"),
        ("-1", "coerced-value"),
    ],
)
def test_option_codes_must_be_integers_or_identifiers(pages, code, rule):
    text = pages(
        f"""\
        - id: p1
          questions:
            - id: a
              type: single
              {Q}
              options: [{{code: {code}, label: {{fr: "x", en: "x"}}}}]
        """
    )
    problem = find(text, rule)
    assert problem.path == "pages[0].questions[0].options[0].code"
    assert problem.line == line_of(text, "options: [{code")


def test_ids_are_lower_case_so_case_insensitive_duplicates_cannot_exist(pages):
    text = pages(
        f"- {{id: p1, questions: [{{id: age, type: text, {Q}}}, {{id: Age, type: text, {Q}}}]}}"
    )
    problem = find(text, "invalid-id")
    assert "question id 'Age' must match ^[a-z][a-z0-9_]*$" in problem.message
    assert problem.path == "pages[0].questions[1].id"


def test_booleans_must_be_written_true_or_false(pages):
    text = pages(f"- {{id: p1, questions: [{{id: a, type: text, required: yes, {Q}}}]}}")
    assert "must be true or false" in find(text, "type").message


# ---------------------------------------------------------------------- structure
def test_unknown_keys_and_types_suggest_the_right_one(pages):
    text = pages(
        f"""\
        - id: p1
          questions:
            - {{id: a, type: singel, {Q}, {OPTS}}}
            - {{id: b, type: single, {Q}, {OPTS}, requird: true}}
        """
    )
    found = problems(text)
    unknown_type = next(p for p in found if p.rule == "unknown-type")
    assert "unknown question type 'singel' (did you mean 'single'?)" in unknown_type.message
    assert unknown_type.path == "pages[0].questions[0].type"
    unknown_key = next(p for p in found if p.rule == "unknown-key")
    assert "unknown key 'requird' (did you mean 'required'?)" in unknown_key.message
    assert unknown_key.line == line_of(text, "requird")


def test_missing_keys_are_reported(pages):
    text = pages("- {id: p1, questions: [{id: a, type: single, text: {fr: 'Q', en: 'Q'}}]}")
    assert "missing key 'options'" in find(text, "missing-key").message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            f"- {{id: p1, questions: [{{id: a, type: text, {Q}}}, {{id: a, type: text, {Q}}}]}}",
            "duplicate question id 'a'",
        ),
        (
            f"- {{id: p1, questions: [{{id: a, type: text, {Q}}}]}}\n"
            f"- {{id: p1, questions: [{{id: b, type: text, {Q}}}]}}",
            "duplicate page id 'p1'",
        ),
        (
            f"- {{id: a, questions: [{{id: a, type: text, {Q}}}]}}",
            "id 'a' is also used by a question",
        ),
        (
            f"- {{id: p1, questions: [{{id: a, type: single, {Q}, options: ["
            "{code: 1, label: {fr: x, en: x}}, {code: 1, label: {fr: y, en: y}}]}]}",
            "duplicate option code '1'",
        ),
        (
            f"- {{id: p1, questions: [{{id: a, type: matrix, {Q}, scale: [{{code: 1, label: "
            "{fr: x, en: x}}], rows: [{code: r, text: {fr: r, en: r}}, "
            "{code: r, text: {fr: r, en: r}}]}]}",
            "duplicate row code 'r'",
        ),
    ],
)
def test_duplicates(pages, body, message):
    assert message in find(pages(body), "duplicate").message


# ---------------------------------------------------------------------- references
@pytest.fixture
def two_pages(pages):
    """A schema whose second page has a text question with the condition given."""
    return lambda when, first="": _two_pages(pages, when, first)


def _two_pages(pages, when: str, first: str = "") -> str:
    return pages(
        f"""\
        - id: p1
          questions:
            - {{id: s, type: single, {Q}, {OPTS}}}
            - {{id: m, type: multiple, {Q}, {OPTS}}}
            - id: g
              type: matrix
              {Q}
              scale: [{{code: 1, label: {{fr: x, en: x}}}}]
              rows: [{{code: r1, text: {{fr: r, en: r}}}}]
            - {{id: n, type: integer, min: 0, max: 10, {Q}}}
            - {{id: t, type: text, {Q}}}
            - {{id: note1, type: note, {Q}}}
            {first}
        - id: p2
          questions:
            - {{id: later, type: text, {Q}, when: {when}}}
        """
    )


@pytest.mark.parametrize(
    ("when", "rule", "message"),
    [
        ("{q: nope, eq: 1}", "unknown-reference", "unknown question 'nope'"),
        ("{q: ss, eq: 1}", "unknown-reference", "(did you mean 's'?)"),
        ("{q: g.r9, eq: 1}", "unknown-reference", "no row 'r9' in g"),
        ("{q: s.r1, eq: 1}", "unknown-reference", "'s' is not a matrix"),
        ("{q: s, eq: 3}", "unknown-option", "code '3' is not an option of 's'"),
        ("{q: s, in: [1, de]}", "unknown-option", "code 'de' is not an option of 's'"),
        ("{q: m, has: 9}", "unknown-option", "code '9' is not an option of 'm'"),
        ("{q: g.r1, eq: 2}", "unknown-option", "code '2' is not an option of 'g.r1'"),
        ("{q: s, gte: 1}", "operator", "operator 'gte' does not apply to single question 's'"),
        ("{q: m, eq: 1}", "operator", "operator 'eq' does not apply to multiple question 'm'"),
        ("{q: n, has: 1}", "operator", "operator 'has' does not apply to integer question 'n'"),
        ("{q: t, eq: x}", "operator", "operator 'eq' does not apply to text question 't'"),
        ("{q: g, eq: 1}", "operator", "operator 'eq' does not apply to matrix question 'g'"),
        ("{q: note1, answered: true}", "operator", "'note1' is a note"),
        ("{q: n, eq: x}", "type", "must be a number"),
        ("{q: s, answered: yes}", "type", "answered takes true or false"),
        ("{q: s, eq: 1, ne: 2}", "operator", "exactly one operator"),
        ("{q: s}", "operator", "exactly one operator"),
        ("{all: []}", "value", "'all' needs at least one condition"),
        ("{all: [{q: s, eq: 1}], any: [{q: s, eq: 1}]}", "unknown-key", "only key"),
        ("[1]", "type", "expected a condition"),
    ],
)
def test_condition_errors_are_located(two_pages, when, rule, message):
    text = two_pages(when)
    problem = find(text, rule)
    assert message in problem.message
    assert problem.path.startswith("pages[1].questions[0].when")
    assert problem.line == line_of(text, "id: later")


@pytest.mark.parametrize(
    ("first", "when", "message"),
    [
        ("- {id: same, type: text, " + Q + ", when: {q: s, answered: true}}", "{q: s, eq: 1}", ""),
    ],
)
def test_same_page_condition_is_a_forward_reference(two_pages, first, when, message):
    text = two_pages(when, "- {id: x, type: text, " + Q + ", when: {q: t, answered: true}}")
    problem = find(text, "forward-reference")
    assert "'t' is asked on the same page" in problem.message
    assert problem.path == "pages[0].questions[6].when"


def test_later_page_reference_and_derived_forward_reference(pages):
    text = pages(
        f"""\
        - id: p1
          when: {{q: d, eq: 1}}
          questions:
            - {{id: a, type: text, {Q}, when: {{q: b, answered: true}}}}
        - id: p2
          questions:
            - {{id: b, type: single, {Q}, {OPTS}}}
        """,
        derived="""\
        - id: d
          type: single
          options: [{code: 1, label: {fr: x, en: x}}]
          cases: [{value: 1, when: {q: b, eq: 1}}]
        """,
    )
    found = [p for p in problems(text) if p.rule == "forward-reference"]
    messages = " | ".join(p.message for p in found)
    assert "'b' is asked on a later page ('p2')" in messages
    assert "'b' (via 'd') is asked on a later page ('p2')" in messages


def test_piping_and_options_from_must_look_backwards(pages):
    text = pages(
        f"""\
        - id: p1
          questions:
            - {{id: a, type: text, text: {{fr: "Vu ${{b}}", en: "Seen ${{b}}"}}}}
            - {{id: c, type: single, {Q}, {OPTS}, options_from: m}}
        - id: p2
          questions:
            - {{id: b, type: text, {Q}}}
            - {{id: m, type: multiple, {Q}, {OPTS}}}
        """
    )
    found = [p for p in problems(text) if p.rule == "forward-reference"]
    assert {p.path for p in found} == {
        "pages[0].questions[0].text",
        "pages[0].questions[1].options_from",
    }


@pytest.mark.parametrize(
    ("extra", "rule", "message"),
    [
        ("options_from: s", "unknown-reference", "options_from needs a multiple-choice question"),
        ("options: nolist", "unknown-reference", "unknown option list 'nolist'"),
    ],
)
def test_option_references(two_pages, extra, rule, message):
    text = two_pages("{q: s, eq: 1}").replace(
        f"{{id: later, type: text, {Q},", f"{{id: later, type: single, {Q}, {extra},"
    )
    assert message in find(text, rule).message


def test_options_from_codes_must_be_codes_of_the_source(pages):
    text = pages(
        f"""\
        - id: p1
          questions:
            - {{id: m, type: multiple, {Q}, {OPTS}}}
        - id: p2
          questions:
            - id: f
              type: single
              {Q}
              options_from: m
              options: [{{code: 1, label: {{fr: x, en: x}}}}, {{code: 7, label: {{fr: y, en: y}}}}]
        """
    )
    assert "codes 7 are not options of 'm'" in find(text, "unknown-option").message


def test_derived_cycles_are_reported(pages):
    text = pages(
        f"- {{id: p1, questions: [{{id: a, type: single, {Q}, {OPTS}}}]}}",
        derived="""\
        - {id: x, type: single, options: [{code: 1, label: {fr: x, en: x}}], cases: [{copy: y}]}
        - {id: y, type: single, options: [{code: 1, label: {fr: x, en: x}}], cases: [{copy: x}]}
        """,
    )
    problem = find(text, "cycle")
    assert "cycle: x -> y -> x" in problem.message or "cycle: y -> x -> y" in problem.message
    assert problem.path.startswith("derived[")


def test_derived_sources_are_checked(pages):
    text = pages(
        f"- {{id: p1, questions: [{{id: a, type: single, {Q}, {OPTS}}}, "
        f"{{id: t, type: text, {Q}}}]}}",
        derived="""\
        - {id: x, type: single, options: [{code: 1, label: {fr: x, en: x}}], cases: [{copy: a}]}
        - {id: y, type: number, count: t}
        - {id: z, type: single, options: [{code: 1, label: {fr: x, en: x}}], cases: [{value: 5}]}
        """,
    )
    found = problems(text)
    assert any(
        "copy of 'a' can give codes that are not options of 'x': 2" in p.message for p in found
    )
    assert any("count needs a multiple-choice question, not 't'" in p.message for p in found)
    assert any("value '5' is not an option of 'z'" in p.message for p in found)


# ---------------------------------------------------------------------- endings, quotas
def test_ending_and_quota_references(schema):
    endings = """\
    endings:
      - id: so
        status: screened_out
        check_after: nowhere
        when: {q: s, eq: 9}
        message: {fr: "x", en: "x"}
        redirect: "https://x.example/?id=${nobody}"
      - id: floating
        status: screened_out
        when: {q: s, eq: 1}
        message: {fr: "x", en: "x"}
      - id: done
        status: complete
        default: true
        message: {fr: "x", en: "x"}
    """
    quotas = """\
    - {id: h, kind: hard, by: [s, t], targets: {1: 5}, ending: done, check_after: p1}
    - {id: k, kind: soft, limit: at_most, by: [s], targets: {3: 5}, counts: [gone]}
    - {id: z, kind: hard, target: 3, limit: at_least}
    """
    text = schema(
        f"- {{id: p1, questions: [{{id: s, type: single, {Q}, {OPTS}}},"
        f" {{id: t, type: text, {Q}}}]}}",
        endings=endings,
        quotas=quotas,
    )
    messages = [p.message for p in problems(text)]
    for expected in [
        "unknown page 'nowhere'",
        "code '9' is not an option of 's'",
        "redirect placeholder '${nobody}' is not a declared parameter",
        "an ending with a condition needs check_after",
        "by needs single-choice questions or derived variables, not 't'",
        "ending 'done' must exist with status quota_full",
        "code '3' is not an option of 's'",
        "unknown ending 'gone'",
        "a hard quota needs an ending",
        "a hard quota is an at_most limit",
    ]:
        assert any(expected in m for m in messages), (expected, messages)


def test_exactly_one_default_ending(schema):
    endings = "endings:\n  - {id: a, status: complete, message: {fr: x, en: x}}\n"
    text = schema(f"- {{id: p1, questions: [{{id: t, type: text, {Q}}}]}}", endings=endings)
    assert "exactly one ending must be the default (0 found)" in find(text, "value").message


# ---------------------------------------------------------------------- texts
@pytest.mark.parametrize(
    ("text_yaml", "rule", "message"),
    [
        ('{fr: "Q"}', "translation", "missing 'en' translation"),
        ('{fr: "Q", en: "  "}', "translation", "empty 'en' translation"),
        ('{fr: "Q", en: "Q", de: "Q"}', "unknown-language", "unknown language 'de'"),
        ('{fr: "Q ${s}", en: "Q"}', "placeholders", "placeholders differ between languages"),
        ('{fr: "Q ${s", en: "Q ${s"}', "placeholders", "unclosed placeholder"),
        ('{fr: "Q ${zz}", en: "Q ${zz}"}', "unknown-reference", "placeholder '${zz}' names no"),
        ('"Q"', "type", "expected text as a map"),
    ],
)
def test_translations_and_placeholders(pages, text_yaml, rule, message):
    text = pages(
        f"""\
        - id: p1
          questions:
            - {{id: s, type: single, {Q}, {OPTS}}}
        - id: p2
          questions:
            - id: a
              type: text
              text: {text_yaml}
        """
    )
    problem = find(text, rule)
    assert message in problem.message
    assert problem.path.startswith("pages[1].questions[0].text")
    assert problem.line == line_of(text, f"text: {text_yaml}")


def test_option_labels_and_list_names_are_checked_too(pages):
    text = pages(
        f"- {{id: p1, questions: [{{id: s, type: single, {Q}, options: colours}}]}}",
        option_lists="colours:\n  - {code: red, label: {fr: Rouge}}\n",
    )
    problem = find(text, "translation")
    assert problem.path == "option_lists.colours[0].label"


# ---------------------------------------------------------------------- settings
@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            "{id: a, type: multiple, min: 3, max: 2, " + Q + ", " + OPTS + "}",
            "min is greater than max",
        ),
        ("{id: a, type: text, max_length: 20000, " + Q + "}", "above the hard limit"),
        ("{id: a, type: consent, required: false, " + Q + "}", "consent is always required"),
        ("{id: a, type: single, display: grid, " + Q + ", " + OPTS + "}", "radio or dropdown"),
        ("{id: a, type: single, order: sorted, " + Q + ", " + OPTS + "}", "order must be random"),
        (
            "{id: a, type: single, autocode_single: true, " + Q + ", " + OPTS + "}",
            "needs options_from",
        ),
        ("{id: a, type: single, sets_language: {3: fr}, " + Q + ", " + OPTS + "}", "not an option"),
        ("{id: a, type: single, sets_language: {1: de}, " + Q + ", " + OPTS + "}", "not declared"),
        ("{id: a, type: integer, min: 1.5, " + Q + "}", "must be a decimal integer"),
        (
            "{id: a, type: single, "
            + Q
            + ", options: [{code: 1, label: {fr: a, en: a}, other: true},"
            " {code: 2, label: {fr: b, en: b}, other: true}]}",
            "at most one 'other'",
        ),
    ],
)
def test_question_settings(pages, question, message):
    text = pages(f"- {{id: p1, questions: [{question}]}}")
    assert any(message in p.message for p in problems(text)), problems(text)


def test_header_checks(pages):
    text = pages(f"- {{id: p1, questions: [{{id: a, type: text, {Q}}}]}}")
    bad = text.replace("id: t\n", "id: Bad_Id\n").replace(
        "default_language: fr", "default_language: de"
    )
    bad = bad.replace("schema_version: 1", "schema_version: 2")
    messages = " | ".join(p.message for p in problems(bad))
    assert "^[a-z][a-z0-9_-]*$" in messages
    assert "default_language 'de' is not one of the languages" in messages
    assert "schema_version 2 is not supported" in messages


def test_range_sanity_is_a_warning(two_pages):
    text = two_pages("{q: n, gte: 50}")
    report = lint_text(text, "w.yaml")
    assert report.ok
    (warning,) = [w for w in report.warnings if w.rule == "range"]
    assert "literal 50 is outside the range 0..10 of 'n'" in warning.message
    assert warning.line == line_of(text, "id: later")
