"""The survey-level screening title (spec §10.2.1) and the placeholder warnings (§10.2.4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.engine import SchemaError, load_survey, unfilled_placeholders
from surveyapp.engine.lint import lint_text
from surveyapp.engine.placeholders import bracketed
from tests.engine.conftest import DONE, HEADER

Q = "text: {fr: 'Q', en: 'Q'}"
PAGES = """\
pages:
  - {id: p1, questions: [{id: a, type: text, required: false, QTEXT}]}
  - {id: p2, questions: [{id: b, type: text, required: false, QTEXT}]}
  - {id: p3, questions: [{id: c, type: text, required: false, QTEXT}]}
""".replace("QTEXT", Q)
SCREENING = """\
  screening_title: {fr: "Enquête", en: "Survey"}
  real_title_from: p3
"""


def text_with(header_extra: str = SCREENING, pages: str = PAGES, endings: str = DONE) -> str:
    return HEADER + header_extra + pages + endings


def problems_of(text: str) -> list:
    with pytest.raises(SchemaError) as info:
        load_survey(text, "t.yaml")
    return info.value.problems


# ---------------------------------------------------------------------- screening title
def test_title_follows_the_page_the_status_and_the_furthest_page():
    survey = load_survey(text_with())
    neutral, real = {"fr": "Enquête", "en": "Survey"}, {"fr": "Titre", "en": "Title"}
    assert dict(survey.shown_title("p1")) == neutral
    assert dict(survey.shown_title("p2")) == neutral
    assert dict(survey.shown_title("p3")) == real
    assert dict(survey.shown_title()) == neutral  # before any page: lists, e-mails
    assert dict(survey.shown_title(reached=["p1", "p2"])) == neutral
    assert dict(survey.shown_title(reached=["p1", "p3", ""])) == real
    assert dict(survey.shown_title(status="complete")) == real
    assert dict(survey.shown_title(status="screened_out")) == neutral
    assert dict(survey.shown_title(status="quota_full")) == neutral
    # The page shown prevails over the furthest page (Back from P3 to P2: neutral again).
    assert dict(survey.shown_title("p2", reached=["p3"])) == neutral
    assert dict(survey.title) == real  # admin screens and exports keep the real title


def test_without_a_screening_title_every_place_shows_the_title():
    survey = load_survey(text_with(""))
    assert survey.screening_title is None
    for page in ("p1", "p3", None):
        assert dict(survey.shown_title(page)) == {"fr": "Titre", "en": "Title"}
    assert dict(survey.shown_title(status="screened_out")) == {"fr": "Titre", "en": "Title"}


@pytest.mark.parametrize(
    ("extra", "rule", "message", "at"),
    [
        (
            '  screening_title: {fr: "E", en: "S"}\n  real_title_from: p9\n',
            "unknown-reference",
            "real_title_from 'p9' is not a page id",
            "real_title_from",
        ),
        (
            '  screening_title: {fr: "E", en: "S"}\n  real_title_from: p1\n',
            "value",
            "real_title_from 'p1' is the first page",
            "real_title_from",
        ),
        (
            '  screening_title: {fr: "E", en: "S"}\n',
            "missing-key",
            "screening_title needs real_title_from",
            "screening_title",
        ),
        (
            "  real_title_from: p2\n",
            "missing-key",
            "real_title_from needs screening_title",
            "real_title_from",
        ),
        (
            '  screening_title: {fr: "E"}\n  real_title_from: p2\n',
            "translation",
            "missing 'en' translation",
            "screening_title",
        ),
        (
            '  screening_title: {fr: "E", en: "S"}\n  real_title_from: P-2\n',
            "invalid-id",
            "must match",
            "real_title_from",
        ),
    ],
)
def test_bad_screening_settings_are_located_errors(extra, rule, message, at):
    text = text_with(extra)
    found = [p for p in problems_of(text) if p.rule == rule]
    assert found, problems_of(text)
    assert message in found[0].message
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.strip().startswith(at))
    assert found[0].line == line, (found[0], line)
    assert found[0].path.startswith("survey")


# ---------------------------------------------------------------------- placeholders
@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("écrivez à [ADRESSE DE CONTACT].", ["[ADRESSE DE CONTACT]"]),
        ("write to [CONTACT ADDRESS]; or [NOM, PRÉNOM]", ["[CONTACT ADDRESS]", "[NOM, PRÉNOM]"]),
        ("[ÉTÉ 2025]", ["[ÉTÉ 2025]"]),
        ("option [1] or [12] or [X]", []),  # codes and a single letter: not placeholders
        ("see [the notes] or [Contact]", []),  # lower case: ordinary brackets
        ("[ A ]", []),
        ("no brackets at all", []),
        ("${q1} [", []),
    ],
)
def test_bracketed_placeholders(value, found):
    assert bracketed(value) == found


@given(
    before=st.text(alphabet=st.characters(blacklist_characters="[]"), max_size=30),
    word=st.from_regex(r"[A-ZÉÈÀ]{2,12}( [A-ZÉÈÀ0-9]{1,8}){0,3}", fullmatch=True),
    after=st.text(alphabet=st.characters(blacklist_characters="[]"), max_size=30),
)
def test_any_capitals_in_brackets_are_found_and_nothing_else(before, word, after):
    assert bracketed(before + after) == []
    assert bracketed(f"{before}[{word}]{after}") == [f"[{word}]"]


def _with_placeholders() -> str:
    pages = """\
pages:
  - id: p1
    questions:
      - id: a
        type: single
        text: {fr: "Q", en: "Q"}
        options: [{code: 1, label: {fr: "[NOM]", en: "[NAME]"}}]
  - {id: p2, questions: [{id: b, type: text, required: false, QTEXT}]}
  - id: p3
    questions:
      - id: c
        type: text
        required: false
        text: {fr: "Écrivez à [ADRESSE]", en: "Write to [ADDRESS]"}
""".replace("QTEXT", Q)
    endings = DONE.replace(
        'message: {fr: "Merci", en: "Thanks"}', 'message: {fr: "Merci [X Y]", en: "Thanks"}'
    )
    return text_with(pages=pages, endings=endings)


def test_lint_warns_where_each_placeholder_is_written():
    text = _with_placeholders()
    report = lint_text(text, "t.yaml")
    assert report.ok
    warned = {(w.line, w.path, w.message) for w in report.warnings if w.rule == "placeholder"}
    lines = text.splitlines()

    def line_of(needle: str) -> int:
        return next(i for i, s in enumerate(lines, 1) if needle in s)

    assert {(line, path) for line, path, _ in warned} == {
        (line_of("[NOM]"), "pages[0].questions[0].options[0].label.fr"),
        (line_of("[NOM]"), "pages[0].questions[0].options[0].label.en"),
        (line_of("[ADRESSE]"), "pages[2].questions[0].text.fr"),
        (line_of("[ADRESSE]"), "pages[2].questions[0].text.en"),
        (line_of("[X Y]"), "endings[0].message.fr"),
    }
    assert any("placeholder [ADDRESS] in the 'en' text" in m for _, _, m in warned)


def test_unfilled_placeholders_of_a_compiled_survey():
    survey = load_survey(_with_placeholders())
    found = [(p.kind, p.element, p.lang, p.text) for p in unfilled_placeholders(survey)]
    assert found == [
        ("option", "a 1", "fr", "[NOM]"),
        ("option", "a 1", "en", "[NAME]"),
        ("question", "c", "fr", "[ADRESSE]"),
        ("question", "c", "en", "[ADDRESS]"),
        ("ending", "done", "fr", "[X Y]"),
    ]
    assert unfilled_placeholders(load_survey(text_with())) == ()


# ---------------------------------------------------------------------- the barometer
def test_barometer_screening_title_is_the_spec_one(barometer):
    assert dict(barometer.screening_title) == {
        "fr": "Enquête auprès des milieux professionnels",
        "en": "Survey of business professionals",
    }
    assert barometer.real_title_from == "p07"
    screening = [p.id for p in barometer.pages if p.index < barometer.page_index["p07"]]
    assert screening == ["p01", "p02", "p03", "p04", "p05", "p06", "p06b"]
    for page in barometer.pages:
        expected = barometer.screening_title if page.id in screening else barometer.title
        assert barometer.shown_title(page.id) == expected, page.id


def test_barometer_placeholders_are_the_controller_address_only(barometer):
    found = [(p.element, p.lang, p.text) for p in unfilled_placeholders(barometer)]
    assert found == [("intro", "fr", "[ADRESSE DE CONTACT]"), ("intro", "en", "[CONTACT ADDRESS]")]
