"""The respondent's route: endings in order, quotas, pass-by checks, going back, progress."""

from __future__ import annotations

import pytest

from surveyapp.engine import flow
from surveyapp.engine.quotas import parameters_from_query, redirect_url, transient_parameters

ADULT_FAN = {
    "country": "fr",
    "age": "30",
    "brands": ["acme", "globex"],
    "fav": "acme",
    "nps": "5",
    "why": "Trop cher",
    "want": ["1", "2"],
    "email": "Name@Example.com",
}


def test_complete_route(rich, walk):
    ending, pages, answers = walk(rich, ADULT_FAN)
    assert ending == "done"
    assert pages == [
        "intro", "screener", "awareness", "preference",
        "opinion", "details", "follow_up", "contact",
    ]  # fmt: skip
    assert answers["why"] == "Trop cher"
    assert "email" not in answers
    assert answers["brands_order"][3:] == ["more", "none"]


@pytest.mark.parametrize(
    ("script", "ending", "last_page"),
    [
        ({"age": "17"}, "minor", "screener"),
        ({"country": "other"}, "elsewhere", "screener"),
        ({"age": "12", "country": "other"}, "minor", "screener"),  # endings in list order
        ({"brands": ["none"]}, "unaware", "awareness"),
        ({"brands": ["globex"], "want": ["3"]}, "done", "follow_up"),
    ],
)
def test_endings(rich, walk, script, ending, last_page):
    reached, pages, _ = walk(rich, {**ADULT_FAN, **script})
    assert reached == ending
    assert pages[-1] == last_page


def test_hard_quota_full_after_its_page_and_after_the_endings(rich, walk):
    full = frozenset({"country_adult__fr__1"})
    assert walk(rich, ADULT_FAN, full_cells=full)[:2] == ("qf", ["intro", "screener"])
    assert walk(rich, {**ADULT_FAN, "age": "15"}, full_cells=full)[0] == "minor"
    assert walk(rich, {**ADULT_FAN, "country": "be"}, full_cells=full)[0] == "done"


def test_next_step_returns_the_ending_object(rich):
    answers = {"consent": "1", "country": "other", "age": 40}
    step = flow.next_step(rich, "screener", answers)
    assert isinstance(step, flow.EndingReached)
    assert (step.ending.id, step.ending.status) == ("elsewhere", "screened_out")
    assert flow.next_step(rich, "intro", {"consent": "1"}) == flow.NextPage("screener")


def test_endings_of_a_skipped_page_are_checked_when_passing_it(survey_from, walk):
    survey = survey_from(
        """\
        - id: p1
          questions:
            - id: a
              type: single
              text: {fr: A, en: A}
              options: [{code: 1, label: {fr: x, en: x}}, {code: 2, label: {fr: y, en: y}}]
        - id: p2
          when: {q: a, eq: 1}
          questions:
            - {id: b, type: text, text: {fr: B, en: B}}
        - id: p3
          questions:
            - {id: c, type: text, text: {fr: C, en: C}}
        """,
        endings="""\
        endings:
          - {id: stop, status: screened_out, check_after: p2, when: {q: a, eq: 2},
             message: {fr: x, en: x}}
          - {id: done, status: complete, default: true, message: {fr: x, en: x}}
        """,
    )
    assert walk(survey, {"a": "2"})[:2] == ("stop", ["p1"])
    assert walk(survey, {"a": "1"})[:2] == ("done", ["p1", "p2", "p3"])


def test_first_page_and_parameters_that_hide_it(survey_from):
    survey = survey_from(
        """\
        - id: p1
          when: {q: src, eq: 1}
          questions:
            - {id: a, type: text, text: {fr: A, en: A}}
        - id: p2
          questions:
            - {id: b, type: text, text: {fr: B, en: B}}
        """,
        parameters=(
            "- {id: src, options: [{code: 1, label: {fr: x, en: x}},"
            " {code: 2, label: {fr: y, en: y}}]}\n"
        ),
    )
    assert flow.first_page(survey, {"src": "1"}) == "p1"
    assert flow.first_page(survey, {"src": "2"}) == "p2"
    assert flow.first_page(survey, {}) == "p2"


def test_route_previous_page_and_progress(rich, walk):
    _, pages, answers = walk(rich, ADULT_FAN)
    assert flow.route(rich, answers) == pages
    assert flow.visible_pages(rich, answers) == pages
    assert flow.previous_page(rich, "opinion", answers) == "preference"
    assert flow.previous_page(rich, "intro", answers) is None
    shares = [flow.progress(rich, page, answers) for page in pages]
    assert shares[0] == 0
    assert shares == sorted(shares)
    assert shares[-1] == pytest.approx(7 / 8)


def test_progress_counts_pages_that_may_still_be_shown(rich):
    at_start = flow.progress(rich, "awareness", {"consent": "1", "country": "fr", "age": 30})
    # 2 pages done; awareness + preference, opinion (maybe), details, follow_up, contact (maybe)
    assert at_start == pytest.approx(2 / 8)
    without_acme = {"consent": "1", "country": "fr", "age": 30, "brands": ["globex"]}
    # opinion is ruled out: 3 done, preference, then details, follow_up, contact (maybe)
    assert flow.progress(rich, "preference", without_acme) == pytest.approx(3 / 7)


def test_progress_of_a_page_after_which_an_ending_fires(rich):
    answers = {"consent": "1", "country": "fr", "age": 30, "brands": ["none"]}
    assert flow.progress(rich, "awareness", answers) == pytest.approx(2 / 3)


def test_going_back_drops_answers_that_became_hidden(rich, walk):
    _, _, answers = walk(rich, ADULT_FAN)
    assert {"image", "nps", "why", "image_order"} <= answers.keys()
    values = flow.validate_page(
        rich,
        "awareness",
        {"brands": ["globex", "more"], "brands_other": ["Zorg"]},
        answers,
        "seed",
    ).values
    after = flow.apply_page(rich, "awareness", values, answers, "seed")
    for gone in ("image", "image_order", "nps", "why"):
        assert gone not in after
    assert after["brands"] == ["globex", "more"]
    assert after["brands_other"] == "Zorg"
    assert "fav" not in after  # 'acme' is no longer offered: asked again
    assert after["want"] == ["1", "2"]  # still visible, kept


def test_going_back_prunes_codes_no_longer_offered_and_auto_codes(rich, walk):
    _, _, answers = walk(rich, {**ADULT_FAN, "brands": ["initech", "acme"], "fav": "initech"})
    values = flow.validate_page(
        rich, "screener", {"country": ["be"], "age": ["30"]}, answers
    ).values
    after = flow.apply_page(rich, "screener", values, answers, "seed")
    assert after["brands"] == ["acme"]  # initech is not offered in Belgium
    assert after["fav"] == "acme"  # auto-coded: one brand left


def test_an_ending_that_now_fires_drops_every_later_answer(rich, walk):
    _, _, answers = walk(rich, ADULT_FAN)
    values = flow.validate_page(
        rich, "screener", {"country": ["fr"], "age": ["16"]}, answers
    ).values
    after = flow.apply_page(rich, "screener", values, answers, "seed")
    assert set(after) == {"consent", "country", "age"}


def test_apply_page_ignores_values_of_hidden_questions_and_other_pages(rich):
    answers = {"consent": "1", "country": "fr", "age": 30, "brands": ["globex"]}
    after = flow.apply_page(
        rich, "preference", {"fav": "acme", "price": 12.5, "nps": 9, "email": "x@y.z"}, answers
    )
    assert after["fav"] == "globex"  # auto-coded, the posted value is ignored
    assert after["price"] == 12.5
    assert "nps" not in after
    assert "email" not in after


def test_autocode_single_hides_the_question_and_stores_the_code(rich):
    answers = {"consent": "1", "country": "fr", "age": 30, "brands": ["globex"]}
    view = flow.render_page(rich, "preference", answers, "seed", "fr")
    assert [qv.id for qv in view.questions] == ["price"]
    two = {**answers, "brands": ["globex", "acme"]}
    view = flow.render_page(rich, "preference", two, "seed", "fr")
    (fav, _) = view.questions
    assert [o.code for o in fav.options] == ["acme", "globex"]


def test_derived_values(rich):
    derived = flow.derived_values(rich, {"age": 30, "brands": ["globex"]})
    assert derived == {"adult": "1", "brand_count": 1, "main_brand": "globex"}
    derived = flow.derived_values(rich, {"age": 12, "brands": ["globex", "acme"], "fav": "acme"})
    assert derived == {"adult": "0", "brand_count": 2, "main_brand": "acme"}
    assert flow.derived_values(rich, {}) == {"adult": None, "brand_count": None, "main_brand": None}


def test_quota_cells(rich):
    cells = flow.quota_cells(rich, {"country": "fr", "age": 30, "brands": ["acme"], "source": "1"})
    assert [(c.quota_id, c.cell_id, c.kind, c.target) for c in cells] == [
        ("country_adult", "country_adult__fr__1", "hard", 10),
        ("acme_fans", "acme_fans", "soft", 20),
        ("by_source", "by_source__1", "soft", 100),
    ]
    assert flow.quota_cells(rich, {"country": "fr", "age": 12}) == []


def test_sets_language(rich):
    assert flow.language_from_answers(rich, "screener", {"country": "ca"}) == "en"
    assert flow.language_from_answers(rich, "screener", {"country": "fr"}) == "fr"
    assert flow.language_from_answers(rich, "screener", {"country": "other"}) is None
    assert flow.language_from_answers(rich, "awareness", {"brands": ["acme"]}) is None


def test_contact_email_is_split_from_the_answers(rich, walk):
    _, _, answers = walk(rich, {**ADULT_FAN, "want": ["2"]})
    result = flow.validate_page(rich, "contact", {"email": ["  a.b@example.org "]}, answers)
    assert result.values == {}
    assert result.contact is not None
    assert (result.contact.email, dict(result.contact.codes)) == (
        "a.b@example.org",
        {"want": ["2"]},
    )
    after = flow.apply_page(rich, "contact", {"email": "a.b@example.org"}, answers)
    assert "email" not in after
    # an e-mail found in stored answers is pruned too, the others kept
    assert flow.prune(rich, {**answers, "email": "a.b@example.org"}) == flow.prune(rich, answers)
    assert flow.prune(rich, answers)["want"] == ["2"]
    assert flow.validate_page(rich, "contact", {"email": [""]}, answers).contact is None
    values, record = flow.split_contact(rich, {"email": "z@z.zz", "x": 1}, {"want": ["1"]})
    assert values == {"x": 1}
    assert record is not None
    assert record.codes == {"want": ["1"]}


def test_parameters_and_redirects(rich):
    assert parameters_from_query(rich, {"src": "mail", "pid": "ab c/é"}) == {
        "source": "1",
        "pid": "ab c/é",
    }
    assert parameters_from_query(rich, {"src": "99"}) == {"source": "9"}
    assert parameters_from_query(rich, {"src": ["2"], "pid": "x" * 65}) == {"source": "2"}
    assert parameters_from_query(rich, {"pid": "a\nb"}) == {"source": "9"}
    assert transient_parameters(rich) == ["pid"]
    minor = rich.ending("minor")
    url = redirect_url(rich, minor, {"pid": "ab c/é&x=1", "source": "1"})
    assert url == "https://panel.example/so?id=ab%20c%2F%C3%A9%26x%3D1&src=1"
    assert redirect_url(rich, minor, {}) == "https://panel.example/so?id=&src="
    assert redirect_url(rich, rich.default_ending, {}) is None
