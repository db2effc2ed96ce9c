"""Routes through the barometer (surveyapp/surveys/barometre-2015.yaml) with the engine.

A scripted respondent posts page by page through validate_page / apply_page / next_step,
as the respondent service does. Each test checks one route of the specification
(barometre-2015.md §5 routing B1-B8, screen-outs SO1-SO5, §9.2 pages, §9.7 hard quota),
as revised by §10 (survey version 2015.2): S6b after "Don't know" in S6, new "Don't know" and
"None of these" codes, randomised long lists, one generic screen-out message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from surveyapp.engine import flow, load_survey_file

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "surveyapp" / "surveys" / "barometre-2015.yaml"
SEED = "barometer-route-test"

#: A French user in a small in-house marketing team who answers everything (scripted values
#: for questions that a route hides are simply never posted).
BASE: dict[str, object] = {
    "consent": "1",
    "s1": "1",
    "s2": "1",
    "s3": "1",
    "s4": "2",
    "s5": "1",
    "s6": "2",
    "s7": "5",
    "s8": "1",
    "q1": "1",
    "q1a": ["2", "3"],
    "q1b": "Plus de temps.",
    "q2": "3",
    "q3": ["1", "2", "3"],
    "q4": "3",
    "q5": "3",
    "q6": ["1", "3", "8"],
    "q7": "2",
    "q7a": "3",
    "q8": "1",
    "q8a": "3",
    "q8b": ["2", "3"],
    "q9": "3",
    "q9a": "2",
    "q10": "1",
    "q10a": ["1"],
    "q11": "2",
    "q12": "1",
    "q11a": "2",
    "q11b": ["1"],
    "q13": ["3", "8"],
    "q14": "2",
    "q14a": ["1", "2"],
    "q15": "2",
    "q14b": ["2"],
    "q16": ["1", "4"],
    "q17": {"a": "1", "b": "2", "c": "3"},
    "q18": "1",
    "q19": ["1", "4"],
    "q20": "2",
    "q20a": ["4"],
    "q22": "Commencer petit et mesurer.",
    "q23": ["4"],
    "q23_email": "nom@entreprise.fr",
}

USER_PAGES_ALWAYS = [
    "p01",
    "p02",
    "p04",
    "p05",
    "p06",
    "p07",
    "p08",
    "p10",
    "p11",
    "p12",
    "p13",
    "p14",
    "p16",
    "p18",
    "p19",
    "p20",
    "p21",
    "p22",
    "p23",
    "p24",
    "p25",
    "p27",
    "p28",
]


# --------------------------------------------------------------------------- the walker
@dataclass
class Walk:
    ending: str
    status: str
    pages: list[str]
    answers: dict
    views: dict = field(default_factory=dict)

    def shown(self, page_id: str) -> list[str]:
        """Ids of the questions shown on a page, in display order."""
        return [qv.question.id for qv in self.views[page_id].questions]

    def offered(self, page_id: str, qid: str) -> set[str]:
        """Option codes offered to the respondent for a question."""
        for qv in self.views[page_id].questions:
            if qv.question.id == qid:
                return {str(o.code) for o in qv.options}
        raise AssertionError(f"{qid} not shown on {page_id}")


def _ending(step) -> tuple[str, str] | None:
    """(ending id, status) when the step is an ending, else None."""
    if isinstance(step, flow.EndingReached):
        return step.ending.id, step.ending.status
    assert isinstance(step, flow.NextPage), step
    return None


def _language(answers: dict, current: str) -> str:
    """The respondent's language after S1 / S1b (sets_language {1: fr, 2: en})."""
    for qid in ("s1b", "s1"):
        code = answers.get(qid)
        if code in ("1", 1):
            return "fr"
        if code in ("2", 2):
            return "en"
    return current


def matrix_field(qid: str, row: str) -> str:
    """Form field name of a matrix row."""
    return f"{qid}.{row}"


def _form(view, script: dict) -> dict[str, list[str]]:
    """The POST body for a page: scripted answers, else the first option offered."""
    form: dict[str, list[str]] = {}
    for qv in view.questions:
        qid = qv.question.id
        value = script.get(qid)
        if value is None:
            if not qv.options:
                continue
            value = qv.options[0].code
        if isinstance(value, dict):
            for row, code in value.items():
                form[matrix_field(qid, row)] = [str(code)]
        elif isinstance(value, list):
            form[qid] = [str(v) for v in value]
        else:
            form[qid] = [str(value)]
        if f"{qid}_other" in script:
            form[f"{qid}_other"] = [str(script[f"{qid}_other"])]
    return form


def walk(
    survey, script: dict, *, full_cells=frozenset(), lang: str = "fr", max_pages: int = 40
) -> Walk:
    """Answer the questionnaire from a script; return the ending, pages visited and answers."""
    answers: dict = {}
    pages: list[str] = []
    views: dict = {}
    page_id = flow.first_page(survey, answers)
    for _ in range(max_pages):
        pages.append(page_id)
        view = flow.render_page(survey, page_id, answers, SEED, lang)
        views[page_id] = view
        result = flow.validate_page(survey, page_id, _form(view, script), answers, SEED)
        assert not result.errors, f"{page_id}: {result.errors}"
        answers = flow.apply_page(survey, page_id, result.values, answers, SEED)
        lang = _language(answers, lang)
        step = flow.next_step(survey, page_id, answers, full_cells=frozenset(full_cells))
        ending = _ending(step)
        if ending is not None:
            return Walk(ending[0], ending[1], pages, answers, views)
        page_id = step.page_id
    raise AssertionError(f"no ending after {max_pages} pages: {pages}")


def answers_until(survey, script: dict, page_id: str) -> dict:
    """Answers as they stand when `page_id` is displayed (the route must reach it)."""
    answers: dict = {}
    current = flow.first_page(survey, answers)
    while current != page_id:
        view = flow.render_page(survey, current, answers, SEED, "fr")
        result = flow.validate_page(survey, current, _form(view, script), answers, SEED)
        assert not result.errors, f"{current}: {result.errors}"
        answers = flow.apply_page(survey, current, result.values, answers, SEED)
        step = flow.next_step(survey, current, answers)
        assert _ending(step) is None, f"ended before {page_id}"
        current = step.page_id
    return answers


@pytest.fixture(scope="module")
def survey():
    return load_survey_file(SCHEMA_PATH)


def with_(**changes) -> dict:
    return {**BASE, **changes}


# --------------------------------------------------------------------------- full routes
def test_base_user_completes(survey):
    w = walk(survey, BASE)
    assert w.ending == "end_complete"
    assert w.status == "complete"
    assert w.pages == sorted(USER_PAGES_ALWAYS + ["p15", "p17"])
    assert len(w.pages) == 25


def test_shortest_user_route_has_23_pages(survey):
    w = walk(survey, with_(q8="7", q10="3", q20="2", q23=["4"]))
    assert w.ending == "end_complete"
    assert w.pages == USER_PAGES_ALWAYS
    assert len(w.pages) == 23


def test_longest_user_route_has_28_pages(survey):
    w = walk(survey, with_(s1="3", s1b="1", q8="5", q10="2", q20="1", q23=["1", "2"]))
    assert w.ending == "end_complete"
    assert len(w.pages) == 28
    assert w.pages == [f"p{n:02d}" for n in range(1, 30) if n != 9]


@pytest.mark.parametrize("q1", ["2", "3"])
@pytest.mark.parametrize(("s1", "s1b", "n_pages"), [("1", None, 8), ("2", None, 8), ("3", "2", 9)])
def test_non_users_end_after_p09(survey, q1, s1, s1b, n_pages):
    w = walk(survey, with_(q1=q1, s1=s1, s1b=s1b))
    assert w.ending == "end_nonuser"
    assert w.status == "complete"
    assert w.pages[-2:] == ["p08", "p09"]
    assert len(w.pages) == n_pages
    assert "q1a" in w.answers
    assert "q2" not in w.answers
    assert str(flow.derived_values(survey, w.answers)["user"]) == "0"


def test_non_user_may_leave_q1b_empty(survey):
    script = with_(q1="3")
    del script["q1b"]
    assert walk(survey, script).ending == "end_nonuser"


# --------------------------------------------------------------------------- screen-outs
def test_so1_other_country(survey):
    w = walk(survey, with_(s1="4"))
    assert (w.ending, w.pages) == ("so1", ["p01", "p02"])
    assert w.status == "screened_out"


@pytest.mark.parametrize("s2", ["2", "3", "6"])
def test_so2_agencies_freelancers_students(survey, s2):
    w = walk(survey, with_(s2=s2))
    assert (w.ending, w.pages) == ("so2", ["p01", "p02", "p04"])
    assert w.status == "screened_out"


@pytest.mark.parametrize("s2", ["4", "5"])
def test_public_and_non_profit_continue(survey, s2):
    w = walk(survey, with_(s2=s2))
    assert w.ending == "end_complete"
    assert str(flow.derived_values(survey, w.answers)["public_np"]) == "1"


@pytest.mark.parametrize("s3", ["6", "7", "8", "9", "10"])
def test_so3_outside_marketing_after_p04(survey, s3):
    w = walk(survey, with_(s3=s3))
    assert (w.ending, w.pages) == ("so3", ["p01", "p02", "p04"])
    assert w.status == "screened_out"


@pytest.mark.parametrize("s6", ["3", "4", "5", "6", "7"])
def test_so3_general_management_of_50_plus_after_p06(survey, s6):
    w = walk(survey, with_(s3="5", s6=s6))
    assert w.ending == "so3_gm"
    assert w.pages == ["p01", "p02", "p04", "p05", "p06"]
    assert w.status == "screened_out"


@pytest.mark.parametrize("s6", ["1", "2"])
def test_b8_general_management_of_small_firm_continues(survey, s6):
    assert walk(survey, with_(s3="5", s6=s6)).ending == "end_complete"


@pytest.mark.parametrize("s5", ["4", "5"])
def test_so4_not_involved(survey, s5):
    w = walk(survey, with_(s5=s5))
    assert (w.ending, w.pages) == ("so4", ["p01", "p02", "p04", "p05"])


def test_so5_size_unknown_even_roughly(survey):
    """§10.4.2: S6 = 8 leads to S6b; SO5 only when S6b is "Don't know" too."""
    w = walk(survey, with_(s6="8", s6b="99"))
    assert (w.ending, w.pages) == ("so5", ["p01", "p02", "p04", "p05", "p06", "p06b"])
    assert w.status == "screened_out"


@pytest.mark.parametrize(("s6b", "band"), [("1", "1"), ("2", "2"), ("3", "3")])
def test_s6b_approximate_size_continues_in_its_band(survey, s6b, band):
    """§10.4.2: an approximate size counts in its country x size cell like any other."""
    w = walk(survey, with_(s1="2", s6="8", s6b=s6b))
    assert w.ending == "end_complete"
    assert w.pages[:7] == ["p01", "p02", "p04", "p05", "p06", "p06b", "p07"]
    assert str(flow.derived_values(survey, w.answers)["size_band"]) == band
    cells = {getattr(c, "cell_id", c) for c in flow.quota_cells(survey, w.answers)}
    assert f"country_size__2__{band}" in cells


@pytest.mark.parametrize("s6", ["1", "4", "7"])
def test_s6b_only_when_size_unknown(survey, s6):
    assert "p06b" not in walk(survey, with_(s6=s6)).pages


def test_general_manager_of_unknown_size_ends_at_so3_without_s6b(survey):
    """§10.4.2: S3 = 5 with S6 = 8 ends at SO3 (so3_gm) and never sees S6b."""
    w = walk(survey, with_(s3="5", s6="8"))
    assert (w.ending, w.pages) == ("so3_gm", ["p01", "p02", "p04", "p05", "p06"])


def test_longest_route_with_s6b_has_29_pages(survey):
    script = with_(s1="3", s1b="1", s6="8", s6b="2", q8="5", q10="2", q20="1", q23=["1"])
    w = walk(survey, script)
    assert w.ending == "end_complete"
    assert len(w.pages) == 29


# --------------------------------------------------------------------------- quota
def test_quota_cells_of_a_respondent(survey):
    answers = answers_until(survey, with_(s1="3", s6="6"), "p07")
    assert "country_size__3__3" in {
        getattr(c, "cell_id", c) for c in flow.quota_cells(survey, answers)
    }
    answers = walk(survey, with_(s1="3", s1b="2", s6="6")).answers
    cells = {getattr(c, "cell_id", c): c for c in flow.quota_cells(survey, answers)}
    assert "country_size__3__3" in cells
    assert getattr(cells["country_size__3__3"], "target", 75) == 75
    # BASE: S7 = 5, S8 = 1 (B2B), S4 = 2 (manager), S2 = 1 (company).
    assert {"soft_b2b__3", "soft_sector__3__5", "soft_role__3"} <= set(cells)
    assert not {"soft_b2c__3", "soft_public_np__3", "soft_lang_ca"} & set(cells)
    french = walk(survey, with_(s1="3", s1b="1", s6="6")).answers
    assert "soft_lang_ca" in {getattr(c, "cell_id", c) for c in flow.quota_cells(survey, french)}
    assert str(flow.derived_values(survey, answers)["size_band"]) == "3"


def test_full_cell_ends_at_qf_after_p06(survey):
    w = walk(survey, with_(s1="1", s6="2"), full_cells={"country_size__1__1"})
    assert w.ending == "qf"
    assert w.status == "quota_full"
    assert w.pages == ["p01", "p02", "p04", "p05", "p06"]


def test_another_cell_full_does_not_stop_the_respondent(survey):
    full = {"country_size__1__2", "country_size__2__1", "country_size__3__1"}
    assert walk(survey, with_(s1="1", s6="2"), full_cells=full).ending == "end_complete"


def test_screen_outs_on_p06_come_before_the_quota(survey):
    full = {f"country_size__1__{b}" for b in (1, 2, 3)}
    assert walk(survey, with_(s3="5", s6="4"), full_cells=full).ending == "so3_gm"
    assert walk(survey, with_(s6="8", s6b="99"), full_cells=full).ending == "so5"


def test_full_cell_reached_through_s6b_ends_at_qf_after_p06b(survey):
    w = walk(survey, with_(s1="1", s6="8", s6b="3"), full_cells={"country_size__1__3"})
    assert (w.ending, w.status) == ("qf", "quota_full")
    assert w.pages[-2:] == ["p06", "p06b"]


# --------------------------------------------------------------------------- §10.2 messages
def test_one_generic_screen_out_message(survey):
    """§10.2.2: the six screen-outs show the same text, naming no answer and no profile."""
    screened = [e for e in survey.endings if e.status == "screened_out"]
    assert {e.id for e in screened} == {"so1", "so2", "so3", "so3_gm", "so4", "so5"}
    for lang in ("fr", "en"):
        assert len({e.message[lang] for e in screened}) == 1
        assert "profil" not in screened[0].message[lang]
    assert "D’après vos réponses" in screened[0].message["fr"]


def test_quota_full_message_names_no_quota_variable(survey):
    """§10.2.3: the qf message must not tell a respondent what to change to get in."""
    message = survey.ending("qf").message
    for word in ("pays", "taille", "entreprise", "country", "size", "company"):
        assert word not in message["fr"].lower() + " " + message["en"].lower(), word
    assert "profils comme le vôtre" in message["fr"]
    assert "a profile like yours" in message["en"]


def test_full_cell_earlier_ending_wins(survey):
    assert walk(survey, with_(s2="2"), full_cells={"country_size__1__1"}).ending == "so2"


# --------------------------------------------------------------------------- language (B7)
@pytest.mark.parametrize(("s1b", "lang"), [("1", "1"), ("2", "2")])
def test_canadian_chooses_the_language(survey, s1b, lang):
    w = walk(survey, with_(s1="3", s1b=s1b))
    assert w.pages[:4] == ["p01", "p02", "p03", "p04"]
    assert w.shown("p03") == ["s1b"]
    assert w.offered("p03", "s1b") == {"1", "2"}
    assert str(flow.derived_values(survey, w.answers)["lang"]) == lang


@pytest.mark.parametrize(("s1", "lang"), [("1", "1"), ("2", "2")])
def test_france_and_usa_skip_p03(survey, s1, lang):
    w = walk(survey, with_(s1=s1))
    assert "p03" not in w.pages
    assert str(flow.derived_values(survey, w.answers)["lang"]) == lang


def test_s1b_is_rendered_in_both_languages(survey):
    answers = answers_until(survey, with_(s1="3"), "p03")
    for lang in ("fr", "en"):
        view = flow.render_page(survey, "p03", answers, SEED, lang)
        (qv,) = view.questions
        texts = {qv.question.text[lang_] for lang_ in ("fr", "en")}
        for t in texts:
            assert "Dans quelle langue souhaitez-vous répondre ?" in t
            assert "In which language would you like to answer?" in t


# --------------------------------------------------------------------------- networks (B2)
@pytest.mark.parametrize(
    ("s1", "offered"),
    [
        ("1", {str(c) for c in range(1, 16)}),
        ("2", {str(c) for c in range(1, 16)} - {"4", "5"}),
        ("3", {str(c) for c in range(1, 16)} - {"4", "5"}),
    ],
)
def test_viadeo_and_xing_only_in_france(survey, s1, offered):
    w = walk(survey, with_(s1=s1, s1b="1"))
    assert w.offered("p10", "q3") == offered


def test_viadeo_cannot_be_posted_outside_france(survey):
    script = with_(s1="2")
    answers = answers_until(survey, script, "p10")
    form = {"q2": ["3"], "q3": ["4"]}
    assert flow.validate_page(survey, "p10", form, answers, SEED).errors


def test_q3_order_is_random_with_other_last_and_stable(survey):
    answers = answers_until(survey, BASE, "p10")
    first = flow.render_page(survey, "p10", answers, SEED, "fr")
    again = flow.render_page(survey, "p10", answers, SEED, "fr")
    (q3,) = [qv for qv in first.questions if qv.question.id == "q3"]
    (q3_again,) = [qv for qv in again.questions if qv.question.id == "q3"]
    codes = [str(o.code) for o in q3.options]
    assert codes == [str(o.code) for o in q3_again.options]
    assert codes[-1] == "15"
    orders = set()
    for n in range(8):
        view = flow.render_page(survey, "p10", answers, f"seed-{n}", "fr")
        (qv,) = [qv for qv in view.questions if qv.question.id == "q3"]
        orders.add(tuple(str(o.code) for o in qv.options))
        assert str(qv.options[-1].code) == "15"
    assert len(orders) > 1


def _orders(survey, script: dict, page_id: str, qid: str, n: int = 12) -> set[tuple[str, ...]]:
    """Option orders shown for `qid` under n response seeds (each one stable on reload)."""
    answers = answers_until(survey, script, page_id)
    orders = set()
    for seed in (f"seed-{i}" for i in range(n)):
        views = [flow.render_page(survey, page_id, answers, seed, "fr") for _ in range(2)]
        got = [
            tuple(o.code for o in qv.options) for v in views for qv in v.questions if qv.id == qid
        ]
        assert got[0] == got[1], "the order must not change on reload"
        orders.add(got[0])
    return orders


#: §10.5: question -> (page, script changes to reach it, codes pinned first, codes pinned last).
RANDOMISED = {
    "s2": ("p04", {}, (), ("6",)),
    "s3": ("p04", {}, (), ("10",)),
    "q1a": ("p09", {"q1": "2"}, (), ("8",)),
    "q6": ("p12", {}, (), ("98",)),
    "q13": ("p20", {}, ("1",), ("7", "11", "99")),
    "q14a": ("p22", {}, (), ()),
    "q16": ("p23", {}, (), ("98",)),
}


@pytest.mark.parametrize("qid", sorted(RANDOMISED))
def test_long_lists_are_randomised_with_anchors_fixed(survey, qid):
    page, changes, first, last = RANDOMISED[qid]
    orders = _orders(survey, with_(**changes), page, qid)
    assert len(orders) > 1, f"{qid} is not shuffled"
    for order in orders:
        assert order[: len(first)] == first, order
        assert order[len(order) - len(last) :] == last, order


def test_ordered_scales_are_not_randomised(survey):
    for qid, page in (("s4", "p05"), ("s6", "p06"), ("q9a", "p16"), ("q7", "p13")):
        assert len(_orders(survey, BASE, page, qid, n=6)) == 1, qid
    (order,) = _orders(survey, BASE, "p16", "q9a", n=1)
    assert order == ("1", "2", "3", "4", "6", "5")  # §10.4.1: [6] between [4] and [5]


@pytest.mark.parametrize(
    ("page", "qid", "code", "changes"),
    [
        ("p13", "q7", "99", {}),
        ("p16", "q10", "99", {}),
        ("p18", "q12", "99", {}),
        ("p21", "q14", "99", {}),
        ("p16", "q9a", "6", {}),
        ("p06b", "s6b", "99", {"s6": "8"}),
    ],
)
def test_new_single_choice_codes_are_offered(survey, page, qid, code, changes):
    answers = answers_until(survey, with_(**changes), page)
    view = flow.render_page(survey, page, answers, SEED, "en")
    (qv,) = [qv for qv in view.questions if qv.id == qid]
    assert code in {o.code for o in qv.options}


def test_q10_dont_know_skips_q10a(survey):
    w = walk(survey, with_(q10="99"))
    assert "p17" not in w.pages
    assert w.answers["q10"] == "99"


def test_q14_dont_know_skips_p22(survey):
    """§10.4.1: Q14 = 99 asks neither Q14a, Q15 nor Q14b, so P22 is not shown (B5 extended)."""
    w = walk(survey, with_(q14="99"))
    assert "p22" not in w.pages
    assert w.ending == "end_complete"
    assert not {"q14a", "q15", "q14b"} & set(w.answers)


@pytest.mark.parametrize(
    ("page", "qid", "code", "other"),
    [("p12", "q6", "98", "1"), ("p20", "q13", "99", "3"), ("p23", "q16", "98", "1")],
)
def test_none_and_dont_know_are_exclusive(survey, page, qid, code, other):
    answers = answers_until(survey, BASE, page)
    alone = flow.validate_page(survey, page, {qid: [code]}, answers, SEED)
    assert not alone.errors
    assert alone.values[qid] == [code]
    assert flow.validate_page(survey, page, {qid: [code, other]}, answers, SEED).errors


def test_q19_dont_know_is_exclusive(survey):
    answers = answers_until(survey, BASE, "p25")
    assert not flow.validate_page(
        survey, "p25", {"q19": ["99"], "q20": ["2"]}, answers, SEED
    ).errors
    form = {"q19": ["99", "1"], "q20": ["2"]}
    assert flow.validate_page(survey, "p25", form, answers, SEED).errors


def test_flag_q13_cannot_fire_with_dont_know(survey):
    w = walk(survey, with_(q13=["99"]))
    assert str(flow.derived_values(survey, w.answers)["flag_q13"]) == "0"


@pytest.mark.parametrize("network", ["2", "6", "15"])
def test_single_network_skips_q4_and_is_auto_coded(survey, network):
    w = walk(survey, with_(q3=[network], q10a=[network], q3_other="Mastodon"))
    assert w.shown("p11") == ["q5"]
    assert "q4" not in w.answers or w.answers["q4"] in (None, "")
    derived = flow.derived_values(survey, w.answers)
    assert str(derived["q3_count"]) == "1"
    assert str(derived["q4_main"]) == network
    assert str(derived["q4_auto"]) == "1"


def test_several_networks_q4_offers_only_those_ticked(survey):
    w = walk(survey, with_(q3=["1", "3", "6"], q4="6", q10="1", q10a=["3", "6"]))
    assert w.shown("p11") == ["q4", "q5"]
    assert w.offered("p11", "q4") == {"1", "3", "6"}
    assert w.offered("p17", "q10a") == {"1", "3", "6"}
    derived = flow.derived_values(survey, w.answers)
    assert str(derived["q3_count"]) == "3"
    assert str(derived["q4_main"]) == "6"
    assert str(derived["q4_auto"]) == "0"


def test_q4_rejects_a_network_not_ticked(survey):
    script = with_(q3=["1", "3"])
    answers = answers_until(survey, script, "p11")
    assert flow.validate_page(survey, "p11", {"q4": ["2"], "q5": ["1"]}, answers, SEED).errors


def test_q10a_asked_even_with_one_network(survey):
    w = walk(survey, with_(q3=["3"], q10="2", q10a=["3"]))
    assert "p17" in w.pages
    assert w.offered("p17", "q10a") == {"3"}


@pytest.mark.parametrize("q10", ["3"])
def test_b6_no_paid_social_skips_q10a(survey, q10):
    w = walk(survey, with_(q10=q10))
    assert "p17" not in w.pages


# --------------------------------------------------------------------------- Q21 items
def test_q21_items_follow_the_networks_ticked(survey):
    w = walk(survey, with_(q3=["1", "3", "15"], q4="1", q10a=["1"], q3_other="Mastodon"))
    assert w.shown("p27") == ["q21_1", "q21_3", "q21_8", "q21_10", "q21_15"]
    for qid in ("q21_1", "q21_3", "q21_15"):
        assert w.offered("p27", qid) == {"1", "2", "3", "4"}
    for qid in ("q21_8", "q21_10"):
        assert w.offered("p27", qid) == {"5", "6", "99"}
    for qid in w.shown("p27"):
        assert qid in w.answers


def test_q21_instagram_and_snapchat_ticked(survey):
    w = walk(survey, with_(q3=["8", "10"], q4="8", q10a=["8"]))
    assert w.shown("p27") == ["q21_8", "q21_10"]
    assert w.offered("p27", "q21_8") == {"1", "2", "3", "4"}
    assert w.offered("p27", "q21_10") == {"1", "2", "3", "4"}


@pytest.mark.parametrize(("lang", "used", "plans"), [
    ("fr", "Dans les 12 prochains mois, votre usage d’Instagram va…",
     "Votre entreprise prévoit-elle de se lancer sur Instagram dans les 12 prochains mois ?"),
    ("en", "In the next 12 months, your use of Instagram will…",
     "Does your company plan to start using Instagram in the next 12 months?"),
])  # fmt: skip
def test_q21_instagram_stem_follows_q3(survey, lang, used, plans):
    """§10.4.4: one id, two stems; the plan stem (Yes/No/Don't know) when not selected in Q3."""
    for q3, stem, offered in (
        (["8", "1"], used, {"1", "2", "3", "4"}),
        (["1"], plans, {"5", "6", "99"}),
    ):
        answers = answers_until(survey, with_(q3=q3, q4="1", q10a=["1"]), "p27")
        view = flow.render_page(survey, "p27", answers, SEED, lang)
        (qv,) = [qv for qv in view.questions if qv.id == "q21_8"]
        assert qv.text == stem
        assert {o.code for o in qv.options} == offered


def test_q21_viadeo_in_france(survey):
    w = walk(survey, with_(s1="1", q3=["3", "4"], q4="4", q10a=["4"]))
    assert w.shown("p27") == ["q21_3", "q21_4", "q21_8", "q21_10"]


def test_q21_option_that_does_not_fit_is_rejected(survey):
    answers = answers_until(survey, with_(q3=["1"]), "p27")
    form = {"q21_1": ["5"], "q21_8": ["5"], "q21_10": ["6"]}
    assert flow.validate_page(survey, "p27", form, answers, SEED).errors
    form["q21_1"] = ["1"]
    assert not flow.validate_page(survey, "p27", form, answers, SEED).errors


def test_q21_every_item_is_required(survey):
    answers = answers_until(survey, with_(q3=["1"]), "p27")
    form = {"q21_1": ["1"], "q21_8": ["5"]}
    assert flow.validate_page(survey, "p27", form, answers, SEED).errors


# --------------------------------------------------------------------------- B3, B4, B5
@pytest.mark.parametrize("q11", ["1", "2", "3", "4"])
def test_b3_replies_ask_how_fast(survey, q11):
    w = walk(survey, with_(q11=q11))
    assert w.shown("p19") == ["q11a"]
    assert "q11b" not in w.answers


@pytest.mark.parametrize("q11", ["5", "6"])
def test_b3_no_replies_ask_why(survey, q11):
    w = walk(survey, with_(q11=q11, q11b=["3", "6"], q11b_other="Politique interne"))
    assert w.shown("p19") == ["q11b"]
    assert "q11a" not in w.answers


@pytest.mark.parametrize("q8", ["1", "2", "3", "4", "6"])
def test_b4_in_house_asks_headcount(survey, q8):
    w = walk(survey, with_(q8=q8))
    assert w.shown("p15") == ["q8a"]


def test_b4_agency_asks_tasks(survey):
    w = walk(survey, with_(q8="5"))
    assert w.shown("p15") == ["q8b"]
    assert "q8a" not in w.answers


def test_b4_no_one_skips_both(survey):
    w = walk(survey, with_(q8="7"))
    assert "p15" not in w.pages
    assert "q8a" not in w.answers
    assert "q8b" not in w.answers


@pytest.mark.parametrize("q14", ["1", "2"])
def test_b5_measurers_get_kpis_and_roi(survey, q14):
    w = walk(survey, with_(q14=q14))
    assert w.shown("p22") == ["q14a", "q15"]


def test_b5_non_measurers_get_why_not(survey):
    w = walk(survey, with_(q14="3"))
    assert w.shown("p22") == ["q14b"]
    assert "q14a" not in w.answers
    assert "q15" not in w.answers


def test_q20_yes_asks_which_network(survey):
    w = walk(survey, with_(q20="1", q20a=["1", "8"], q20a_other="Teams"))
    assert "p26" in w.pages


# --------------------------------------------------------------------------- limits (§9.5)
def test_limits_exclusive_and_required(survey):
    w = walk(survey, with_(q23=["1"]))

    def errors(page: str, form: dict[str, list[str]]):
        return flow.validate_page(survey, page, form, w.answers, SEED).errors

    assert errors("p12", {"q6": ["1", "2", "3", "4", "5", "6"]})
    assert not errors("p12", {"q6": ["1", "2", "3", "4", "5"]})
    assert errors("p23", {"q16": ["1", "2", "3", "4"]})
    assert not errors("p23", {"q16": ["1"]})
    assert errors("p20", {"q13": ["11", "3"]})
    assert not errors("p20", {"q13": ["1", "2", "9"]})
    assert errors("p25", {"q19": ["5", "1"], "q20": ["2"]})
    assert errors("p28", {"q23": ["4", "1"]})
    assert not errors("p28", {"q23": ["4"]})
    assert errors("p01", {})
    assert errors("p29", {"q23_email": ["pas-une-adresse"]})
    assert not errors("p29", {})


def test_q23_email_page_only_when_something_is_requested(survey):
    assert "p29" not in walk(survey, with_(q23=["4"])).pages
    for ticked in (["1"], ["2"], ["3"]):
        w = walk(survey, with_(q23=ticked))
        assert w.pages[-2:] == ["p28", "p29"]
        assert w.ending == "end_complete"


def test_q23_email_is_optional(survey):
    script = with_(q23=["1"])
    del script["q23_email"]
    w = walk(survey, script)
    assert w.ending == "end_complete"
