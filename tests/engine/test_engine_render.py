"""Rendering pages: visible questions only, piping, seeded order with pinned options, refill."""

from __future__ import annotations

import pytest

from surveyapp.engine import flow
from surveyapp.engine.render import seeded_order

SCREENED = {"consent": "1", "country": "fr", "age": 30}


def view_of(survey, page, answers, seed="seed", lang="fr"):
    return flow.render_page(survey, page, answers, seed, lang)


def question(view, qid):
    return next(qv for qv in view.questions if qv.id == qid)


def test_texts_in_the_language_with_piping(rich):
    answers = {**SCREENED, "brands": ["acme", "globex"]}
    fr = view_of(rich, "preference", answers)
    en = view_of(rich, "preference", answers, lang="en")
    assert question(fr, "price").text == "Prix payé (France) ?"
    assert question(en, "price").text == "Price paid (France)?"
    assert view_of(rich, "preference", answers, lang="de").language == "fr"


def test_piping_labels_numbers_other_texts_and_derived_values(rich):
    answers = {**SCREENED, "brands": ["acme"], "fav": "acme", "image": {"quality": "1"}, "nps": 5}
    details = view_of(rich, "details", answers)
    assert question(details, "why").text == "Pourquoi 5 ?"
    assert question(details, "recap").text == "Vous préférez Acme."
    other = {**answers, "fav": "more", "brands": ["acme", "more"], "brands_other": "Zorg"}
    assert (
        question(view_of(rich, "opinion", other), "nps").text
        == "Recommanderiez-vous Une autre marque ?"
    )
    opinion = view_of(rich, "opinion", {**answers, "fav": None}, lang="en")
    assert question(opinion, "nps").text == "Would you recommend ?"


def test_piping_of_multiple_choices_decimals_and_other_text(survey_from):
    survey = survey_from(
        """\
        - id: p1
          questions:
            - id: m
              type: multiple
              text: {fr: M, en: M}
              options:
                - {code: a, label: {fr: "Pomme", en: "Apple"}}
                - {code: x, label: {fr: "Autre", en: "Other"}, other: true}
            - {id: d, type: decimal, text: {fr: D, en: D}}
        - id: p2
          questions:
            - {id: n, type: note, text: {fr: "Vu ${m} à ${d}", en: "Seen ${m} at ${d}"}}
        """
    )
    answers = {"m": ["a", "x"], "m_other": "Kiwi", "d": 4.5}
    assert question(view_of(survey, "p2", answers), "n").text == "Vu Pomme, Kiwi à 4,5"
    assert (
        question(view_of(survey, "p2", answers, lang="en"), "n").text == "Seen Apple, Kiwi at 4.5"
    )


def test_only_visible_questions_options_and_rows(rich):
    belgium = {**SCREENED, "country": "be"}
    codes = [o.code for o in question(view_of(rich, "awareness", belgium), "brands").options]
    assert "initech" not in codes
    assert len(codes) == 4
    opinion = view_of(rich, "opinion", {**belgium, "brands": ["acme"], "fav": "acme"})
    assert {r.code for r in question(opinion, "image").rows} == {"quality", "price"}
    assert view_of(rich, "opinion", {**SCREENED, "brands": ["globex"]}).questions == ()


def test_random_order_is_seeded_and_pins_other_exclusive_and_fixed(rich):
    orders = set()
    for n in range(30):
        qv = question(view_of(rich, "awareness", SCREENED, seed=f"response-{n}"), "brands")
        codes = [o.code for o in qv.options]
        assert codes[3:] == ["more", "none"]  # other and exclusive keep their places
        assert sorted(codes[:3]) == ["acme", "globex", "initech"]
        assert codes == [
            o.code
            for o in question(
                view_of(rich, "awareness", SCREENED, seed=f"response-{n}"), "brands"
            ).options
        ]
        orders.add(tuple(codes))
        assert qv.order == tuple(codes)
    assert len(orders) == 6  # every permutation of the three movable brands appears


def test_fixed_options_keep_their_place():
    class Item:
        def __init__(self, code, pinned):
            self.code, self.pinned = code, pinned

    items = [Item("a", False), Item("fix", True), Item("b", False), Item("c", False)]
    for n in range(20):
        order = seeded_order(items, f"s{n}", "q", lambda i: i.pinned)
        assert order[1].code == "fix"
        assert sorted(i.code for i in order) == ["a", "b", "c", "fix"]
    assert [i.code for i in seeded_order(items, "same", "q", lambda i: i.pinned)] == [
        i.code for i in seeded_order(items, "same", "q", lambda i: i.pinned)
    ]


def test_the_order_shown_is_stored_with_the_answer(rich):
    view = view_of(rich, "awareness", SCREENED, seed="abc")
    shown = [o.code for o in question(view, "brands").options]
    values = flow.validate_page(rich, "awareness", {"brands": ["acme"]}, SCREENED, "abc").values
    answers = flow.apply_page(rich, "awareness", values, SCREENED, "abc")
    assert answers["brands_order"] == shown


def test_matrix_rows_in_a_seeded_random_order(rich):
    answers = {**SCREENED, "brands": ["acme"], "fav": "acme"}
    orders = {
        tuple(
            r.code for r in question(view_of(rich, "opinion", answers, seed=str(n)), "image").rows
        )
        for n in range(30)
    }
    assert len(orders) > 1
    assert all(sorted(o) == ["local", "price", "quality"] for o in orders)


def test_current_values_are_refilled(rich):
    answers = {
        **SCREENED,
        "brands": ["acme", "more"],
        "brands_other": "Zorg",
        "fav": "acme",
        "image": {"quality": "3"},
        "nps": 7,
    }
    assert question(view_of(rich, "awareness", answers), "brands").value == ["acme", "more"]
    assert question(view_of(rich, "awareness", answers), "brands").other_value == "Zorg"
    opinion = view_of(rich, "opinion", answers)
    assert {r.code: r.value for r in question(opinion, "image").rows}["quality"] == "3"
    assert question(opinion, "nps").value == 7


def test_render_hints_come_from_the_question_type(rich):
    screener = view_of(rich, "screener", {"consent": "1"})
    country, age = screener.questions
    assert country.kind.widget == "dropdown"
    assert (age.kind.widget, age.kind.min, age.kind.max) == ("number", 0, 120)
    assert age.required
    nps = question(
        view_of(rich, "opinion", {**SCREENED, "brands": ["acme"], "fav": "acme"}, lang="en"), "nps"
    )
    assert nps.anchors == ("Never", "Certainly")
    brands = question(view_of(rich, "awareness", SCREENED), "brands")
    flags = {o.code: (o.other, o.exclusive, o.fixed) for o in brands.options}
    assert flags["more"] == (True, False, True)
    assert flags["none"] == (False, True, True)
    assert flags["acme"] == (False, False, False)
    assert brands.kind.max == 3


@pytest.mark.parametrize("page", ["intro", "screener", "awareness", "preference", "details"])
def test_every_page_renders_in_both_languages(rich, page):
    answers = {**SCREENED, "brands": ["acme", "globex"], "fav": "acme", "nps": 3}
    for lang in rich.languages:
        for qv in view_of(rich, page, answers, lang=lang).questions:
            assert qv.text
            assert "${" not in qv.text
            assert all(o.label for o in qv.options)


def test_typography_reaches_piped_option_labels(rich):
    # (typed answers piped into a text stay as typed: tests/respondent/test_finish.py)
    from surveyapp.engine.render import render_page

    def mark(text):
        return text.replace(" ", "_")

    answers = {**SCREENED, "brands": ["acme"], "fav": "acme", "image": {"quality": "1"}}
    view = render_page(rich, "opinion", answers, "seed", "fr", typeset=mark)
    assert question(view, "nps").text == "Recommanderiez-vous_Acme_?"
    other = {**answers, "fav": "more", "brands": ["acme", "more"]}
    view = render_page(rich, "opinion", other, "seed", "fr", typeset=mark)
    assert question(view, "nps").text == "Recommanderiez-vous_Une_autre_marque_?"
