"""The respondent use cases at the service level, on the barometer (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from surveyapp.models import AuditEvent, Contact, QuotaCell, QuotaClaim, Response
from surveyapp.services import responses
from surveyapp.services.responses import PageScreen, Redirect, Visitor, secret_hash
from tests.respondent.helpers import SLUG, open_barometer
from tests.support.transactions import driver_in_transaction

KEY = b"test-secret-key"
SCREENING = [
    ("p02", {"s1": "1"}),
    ("p04", {"s2": "1", "s3": "1"}),
    ("p05", {"s4": "2", "s5": "1"}),
    ("p06", {"s6": "2"}),
    ("p07", {"s7": "5", "s8": "1"}),
]
USER_PAGES = [
    ("p08", {"q1": "1"}),
    ("p10", {"q2": "3", "q3": ["1", "2", "3"]}),
    ("p11", {"q4": "3", "q5": "3"}),
    ("p12", {"q6": ["1", "3"]}),
    ("p13", {"q7": "2", "q7a": "3"}),
    ("p14", {"q8": "7"}),
    ("p16", {"q9": "3", "q9a": "2", "q10": "3"}),
    ("p18", {"q11": "2", "q12": "1"}),
    ("p19", {"q11a": "2"}),
    ("p20", {"q13": ["3"]}),
    ("p21", {"q14": "2"}),
    ("p22", {"q14a": ["1"], "q15": "2"}),
    ("p23", {"q16": ["1"]}),
    ("p24", {"q17.a": "1", "q17.b": "2", "q17.c": "3", "q18": "1"}),
    ("p25", {"q19": ["1"], "q20": "2"}),
    ("p27", {f"q21_{c}": "2" for c in (1, 2, 3)} | {"q21_8": "5", "q21_10": "6"}),
    ("p28", {"q22": "", "q23": ["1", "2"]}),
    ("p29", {"q23_email": "  nom@entreprise.fr "}),
]


@pytest.fixture
def barometer(app, session):
    """The barometer, loaded and open."""
    return open_barometer(app)


def visitor(token: str | None = None, **kw) -> Visitor:
    return Visitor(token=token, secret=KEY, **kw)


def body(fields: dict, **meta: str) -> MultiDict:
    pairs = []
    for key, value in {**fields, **meta}.items():
        pairs += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
    return MultiDict(pairs)


def start(session, lang: str = "fr", args: dict | None = None, switch: bool = False) -> str:
    guest = visitor(lang=lang, lang_switch=switch)
    screen = responses.show_page(session, SLUG, "p01", guest, args or {})
    assert isinstance(screen, PageScreen)
    assert screen.new
    out = responses.submit_page(
        session,
        SLUG,
        "p01",
        guest,
        body({"consent": "1"}, _token=screen.start_token, _lang=screen.lang),
        args or {},
    )
    assert isinstance(out, Redirect), out
    assert out.set_token == screen.start_token
    return out.set_token


def post(session, token: str, page: str, fields: dict, action: str = "next", **meta):
    return responses.submit_page(
        session, SLUG, page, visitor(token), body(fields, _action=action, **meta), {}
    )


def walk(session, token: str, pages) -> Redirect:
    out = None
    for page, fields in pages:
        out = post(session, token, page, fields)
        assert isinstance(out, Redirect), (page, out)
    return out


def stored(session, token: str) -> Response:
    session.expire_all()
    return session.scalar(select(Response).where(Response.token_hash == secret_hash(token)))


def cell(session, cell_id: str) -> QuotaCell:
    session.expire_all()
    return session.scalar(select(QuotaCell).where(QuotaCell.cell_id == cell_id))


# --------------------------------------------------------------------------- tokens
def test_tokens_are_160_random_bits_in_a_typeable_alphabet():
    tokens = {responses.new_token() for _ in range(20_000)}
    assert len(tokens) == 20_000
    assert all(len(t) == 32 and set(t) <= set(responses.CODE_ALPHABET) for t in tokens)
    token = next(iter(tokens))
    shown = responses.format_code(token)
    assert len(shown) == 39
    assert shown.count("-") == 7
    sloppy = " " + shown.lower().replace("0", "o").replace("1", "l") + " "
    assert responses.normalise_code(sloppy) == token
    assert responses.normalise_code("not a code") is None
    assert responses.normalise_code("x" * 10_000) is None


def test_withdrawal_code_depends_on_the_token_and_the_key():
    token = responses.new_token()
    code = responses.withdrawal_code(token, KEY)
    assert code == responses.withdrawal_code(token, KEY)
    assert code != responses.withdrawal_code(token, b"another key")
    assert code != responses.withdrawal_code(responses.new_token(), KEY)
    assert responses.normalise_code(responses.format_code(code)) == code


# --------------------------------------------------------------------------- consent
def test_nothing_is_stored_before_consent(session, barometer):
    guest = visitor(lang="fr")
    screen = responses.show_page(session, SLUG, "p01", guest, {})
    out = responses.submit_page(
        session, SLUG, "p01", guest, body({}, _token=screen.start_token), {}
    )
    assert isinstance(out, PageScreen)
    assert out.status == 422
    assert [e.code for e in out.errors] == ["consent_required"]
    later = responses.submit_page(session, SLUG, "p02", guest, body({"s1": "1"}), {})
    assert isinstance(later, Redirect)
    assert later.target == "entry"
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_consent_creates_the_response_with_its_version_language_and_parameters(session, barometer):
    token = start(session, "en", {"src": "adetem", "utm_source": "x", "pid": "P-7"})
    response = stored(session, token)
    assert response.token_hash == secret_hash(token)
    assert token not in str(response.__dict__)
    assert response.consent_version == "2"  # barometer 2015.2 (spec §10.1 R2)
    assert response.answers == {"consent": "1"}
    assert response.params == {"source": "1", "pid": "P-7"}
    assert (response.language, response.language_chosen) == ("en", False)
    assert response.current_page == "p02"
    assert response.page_history == ["p01"]
    assert len(response.seed) == 32


def test_the_same_start_posted_twice_makes_one_response(session, barometer):
    guest = visitor(lang="fr")
    screen = responses.show_page(session, SLUG, "p01", guest, {})
    form = body({"consent": "1"}, _token=screen.start_token)
    first = responses.submit_page(session, SLUG, "p01", guest, form, {})
    second = responses.submit_page(session, SLUG, "p01", guest, form, {})
    assert first == second
    assert session.scalar(select(func.count()).select_from(Response)) == 1


# --------------------------------------------------------------------------- order
def test_pages_posted_out_of_order_change_nothing(session, barometer):
    token = start(session)
    walk(session, token, SCREENING[:1])
    before = stored(session, token).revision
    out = post(session, token, "p06", {"s6": "2"})
    assert out == Redirect("page", page_id="p04")
    out = post(session, token, "p02", {"s1": "2"})  # left behind (Back button): a notice
    assert out == Redirect("page", page_id="p04", notice="moved")
    response = stored(session, token)
    assert response.revision == before
    assert response.answers["s1"] == "1"


def test_back_returns_to_the_previous_page_and_keeps_the_typed_draft(session, barometer):
    token = start(session)
    walk(session, token, SCREENING[:2])
    out = post(session, token, "p05", {"s4": "3"}, action="back")
    assert out == Redirect("page", page_id="p04")
    response = stored(session, token)
    assert response.current_page == "p04"
    assert response.page_history == ["p01", "p02"]
    screen = responses.show_page(session, SLUG, "p04", visitor(token), {})
    assert screen.view.questions[0].value == "1"  # s2 as answered
    walk(session, token, SCREENING[1:2])
    draft = responses.show_page(session, SLUG, "p05", visitor(token), {})
    assert draft.typed == {"s4": ["3"]}


def test_changing_an_earlier_answer_drops_the_answers_it_hides(session, barometer):
    token = start(session)
    walk(session, token, SCREENING + USER_PAGES[:11])
    assert stored(session, token).current_page == "p22"
    walk(session, token, [("p22", {"q14a": ["1"], "q15": "2"})])
    assert stored(session, token).answers["q15"] == "2"
    post(session, token, "p23", {}, action="back")
    post(session, token, "p22", {}, action="back")
    walk(session, token, [("p21", {"q14": "3"})])
    answers = stored(session, token).answers
    assert "q14a" not in answers
    assert "q15" not in answers
    out = post(session, token, "p22", {"q14b": ["2"]})
    assert out == Redirect("page", page_id="p23")


# --------------------------------------------------------------------------- language
def test_country_sets_the_language_unless_chosen(session, barometer):
    token = start(session, "fr")
    walk(session, token, [("p02", {"s1": "2"})])
    assert stored(session, token).language == "en"
    chosen = start(session, "fr", switch=True)
    walk(session, chosen, [("p02", {"s1": "2"})])
    assert stored(session, chosen).language == "fr"


def test_canadians_choose_their_language_even_after_a_switch(session, barometer):
    token = start(session, "fr", switch=True)
    walk(session, token, [("p02", {"s1": "3"})])
    assert stored(session, token).current_page == "p03"
    walk(session, token, [("p03", {"s1b": "2"})])
    response = stored(session, token)
    assert (response.language, response.language_chosen) == ("en", True)


def test_the_language_switch_keeps_typed_values_and_stores_no_code(session, barometer):
    token = start(session, "fr")
    walk(session, token, SCREENING[:1])
    before = dict(stored(session, token).answers)
    out = post(session, token, "p04", {"s2": "1", "s3": "not-a-code"}, action="lang:en")
    assert out == Redirect("page", page_id="p04")
    response = stored(session, token)
    assert (response.language, response.language_chosen) == ("en", True)
    assert response.answers == before
    screen = responses.show_page(session, SLUG, "p04", visitor(token), {})
    assert screen.lang == "en"
    assert screen.typed == {"s2": ["1"], "s3": ["not-a-code"]}


# --------------------------------------------------------------------------- endings and quotas
def test_completion_claims_the_cells_splits_the_contact_and_sets_a_withdrawal_code(
    session, barometer
):
    token = start(session, "fr", {"src": "visionary", "pid": "P-1"})
    out = walk(session, token, SCREENING + USER_PAGES)
    assert out == Redirect("end")
    response = stored(session, token)
    assert (response.status, response.ending_id) == ("complete", "end_complete")
    assert response.completed_at is not None
    assert response.current_page is None
    assert response.params == {"source": "2"}  # the transient panel id is gone
    assert "q23_email" not in response.answers
    assert response.draft is None
    code = responses.withdrawal_code(token, KEY)
    assert response.withdrawal_hash == secret_hash(code)
    assert cell(session, "country_size__1__1").completes == 1
    claimed = session.scalars(select(QuotaClaim.cell_id)).all()
    assert len(claimed) >= 3  # the hard cell and the soft cells of this profile
    contact = session.scalars(select(Contact)).one()
    assert contact.email == "nom@entreprise.fr"
    assert contact.requests == {"q23": ["1", "2"]}
    ending = responses.ending_screen(session, SLUG, visitor(token))
    assert ending.withdrawal_code == responses.format_code(code)
    assert ending.status == "complete"
    assert "Merci" in ending.message


def test_a_full_cell_screens_out_early_and_a_cell_filled_meanwhile_ends_in_quota_full(
    session, barometer
):
    session.execute(
        update(QuotaCell).where(QuotaCell.cell_id == "country_size__1__1").values(target=0)
    )
    session.commit()
    early = start(session)
    out = walk(session, early, SCREENING[:4])
    assert out == Redirect("end")
    assert (stored(session, early).status, stored(session, early).ending_id) == ("quota_full", "qf")
    session.execute(
        update(QuotaCell).where(QuotaCell.cell_id == "country_size__1__1").values(target=1)
    )
    session.commit()
    late = start(session)
    walk(session, late, SCREENING + USER_PAGES[:-2])
    session.execute(
        update(QuotaCell).where(QuotaCell.cell_id == "country_size__1__1").values(completes=1)
    )
    session.commit()
    out = walk(session, late, USER_PAGES[-2:])
    response = stored(session, late)
    assert (response.status, response.ending_id) == ("quota_full", "qf")
    assert session.scalar(select(func.count()).select_from(QuotaClaim)) == 0
    assert responses.ending_screen(session, SLUG, visitor(late)).status == "quota_full"


def test_test_responses_never_claim(session, barometer):
    token = start(session)
    session.execute(update(Response).values(is_test=True))
    session.commit()
    walk(session, token, SCREENING + USER_PAGES)
    assert stored(session, token).status == "complete"
    assert cell(session, "country_size__1__1").completes == 0


def test_screen_out_keeps_the_answers_with_the_status(session, barometer):
    token = start(session)
    out = walk(session, token, [("p02", {"s1": "4"})])
    assert out == Redirect("end")
    response = stored(session, token)
    assert (response.status, response.ending_id, response.answers["s1"]) == (
        "screened_out",
        "so1",
        "4",
    )
    assert post(session, token, "p02", {"s1": "1"}) == Redirect("end")
    assert stored(session, token).revision == response.revision


# --------------------------------------------------------------------------- resume, withdraw
def test_resume_gives_a_new_token_and_the_old_code_stops_working(session, barometer):
    token = start(session)
    walk(session, token, SCREENING[:2])
    out = responses.resume(session, SLUG, responses.format_code(token).lower())
    assert out.target == "page"
    assert out.page_id == "p05"
    assert out.set_token not in (None, token)
    assert responses.resume(session, SLUG, token) is None
    assert stored(session, out.set_token).current_page == "p05"
    assert responses.resume(session, SLUG, "garbage") is None


def test_withdrawal_deletes_the_answers_and_releases_the_quota_slot(session, barometer):
    token = start(session)
    walk(session, token, SCREENING + USER_PAGES)
    assert cell(session, "country_size__1__1").completes == 1
    assert not responses.withdraw(session, SLUG, responses.new_token())
    code = responses.format_code(responses.withdrawal_code(token, KEY))
    assert responses.withdraw(session, SLUG, code)
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    assert session.scalar(select(func.count()).select_from(QuotaClaim)) == 0
    assert cell(session, "country_size__1__1").completes == 0
    assert session.scalar(select(func.count()).select_from(Contact)) == 1  # unlinked by design
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "response.withdraw")
    ).one()
    assert event.actor_type == "respondent"
    assert "nom@" not in str(event.details)
    assert not responses.withdraw(session, SLUG, code)


def test_a_closed_survey_takes_no_answer(session, barometer):
    token = start(session)
    from surveyapp.services import surveys
    from surveyapp.services.audit import Actor

    surveys.set_state(session, surveys.get_survey(session, SLUG), "closed", Actor.cli())
    out = post(session, token, "p02", {"s1": "1"})
    assert isinstance(out, responses.ClosedScreen)
    assert out.had_answers
    assert stored(session, token).current_page == "p02"
    guest = responses.enter(session, SLUG, visitor(lang="en"), {})
    assert isinstance(guest, responses.ClosedScreen)
    assert not guest.had_answers


PANEL = """
schema_version: 1
survey:
  id: panel-mini
  version: "1"
  languages: [fr, en]
  default_language: en
  title: {fr: "Mini", en: "Mini"}
parameters:
  - id: pid
    type: text
    transient: true
pages:
  - id: p1
    questions:
      - id: consent
        type: consent
        consent_version: "7"
        text: {fr: "D'accord", en: "I agree"}
  - id: p2
    questions:
      - id: age
        type: integer
        min: 18
        max: 99
        text: {fr: "Âge ?", en: "Age?"}
endings:
  - id: done
    status: complete
    default: true
    message: {fr: "Merci", en: "Thanks"}
    redirect: "https://panel.example/done?id=${pid}"
"""


def test_an_ending_redirect_carries_the_panel_id_then_forgets_it(session, app):
    from surveyapp.services import surveys
    from surveyapp.services.audit import Actor

    loaded = surveys.load_schema_text(session, PANEL, "panel.yaml", Actor.cli())
    surveys.set_state(session, loaded.survey, "open", Actor.cli())
    guest = Visitor(secret=KEY, accept=("de-DE", "en-GB"))
    screen = responses.show_page(session, "panel-mini", "p1", guest, {"pid": "A&B 7"})
    assert screen.lang == "en"  # German is not offered: the first offered language wins
    out = responses.submit_page(
        session,
        "panel-mini",
        "p1",
        guest,
        body({"consent": "1"}, _token=screen.start_token),
        {"pid": "A&B 7"},
    )
    token = out.set_token
    assert stored(session, token).consent_version == "7"
    too_young = responses.submit_page(
        session, "panel-mini", "p2", visitor(token), body({"age": "12"}), {}
    )
    assert [e.code for e in too_young.errors] == ["too_small"]
    out = responses.submit_page(
        session, "panel-mini", "p2", visitor(token), body({"age": "42"}), {}
    )
    assert out == Redirect("external", url="https://panel.example/done?id=A%26B%207")
    response = stored(session, token)
    assert response.params == {}
    assert response.answers == {"consent": "1", "age": 42}


def test_a_response_write_refuses_a_key_that_names_no_column(session, barometer):
    """The write is a Core UPDATE whose SET clause follows the keys bound: a key naming no
    column would be dropped without a word, so it is refused and nothing is written."""
    from surveyapp.services.responses.context import load_context
    from surveyapp.services.responses.writes import write_changes

    token = start(session)
    before = stored(session, token).revision
    ctx = load_context(session, SLUG, token)
    with pytest.raises(ValueError, match="current_pgae"):
        write_changes(session, ctx, {"current_pgae": "p04"}, Redirect("page", page_id="p04"))
    session.rollback()
    assert stored(session, token).revision == before
    assert stored(session, token).current_page == "p02"


def test_the_context_reads_rows_into_records_equal_to_the_entities(session, barometer):
    """`load_context` reads Core rows, never entities: its records hold what the ORM loads
    for the same survey and response, and nothing enters the session's identity map."""
    from dataclasses import fields

    from surveyapp.models import Survey
    from surveyapp.services.responses.context import ResponseRecord, SurveyRecord, load_context

    token = start(session)
    session.close()
    ctx = load_context(session, SLUG, token, full_cells=True)
    assert not list(session.identity_map.values())
    unknown = load_context(session, SLUG, "no-such-token")
    assert unknown.response is None
    assert unknown.survey == ctx.survey
    response = stored(session, token)
    survey = session.get(Survey, response.survey_id)
    assert ctx.response == ResponseRecord.of(response)
    assert ctx.response.answers
    assert ctx.response.page_history
    assert ctx.survey == SurveyRecord(*(getattr(survey, f.name) for f in fields(SurveyRecord)))
    assert ctx.version_id == response.version_id
    session.rollback()


def test_the_context_of_a_posted_page_carries_the_full_and_closed_hard_cells(session, barometer):
    """Read in the context's own statement: full or closed hard cells, never soft ones."""
    from surveyapp.services.responses.context import load_context

    session.execute(
        update(QuotaCell).where(QuotaCell.cell_id == "country_size__1__1").values(target=0)
    )
    session.execute(
        update(QuotaCell).where(QuotaCell.cell_id == "country_size__1__2").values(is_closed=True)
    )
    session.execute(update(QuotaCell).where(QuotaCell.kind == "soft").values(target=0))
    session.commit()
    token = start(session)
    assert load_context(session, SLUG, token).full_cells is None  # not asked: not read
    full = load_context(session, SLUG, token, full_cells=True).full_cells
    assert full == {"country_size__1__1", "country_size__1__2"}
    assert load_context(session, SLUG, None, full_cells=True).full_cells == full
    session.rollback()


def test_a_posted_page_reads_the_quota_cells_with_its_context(session, barometer, app):
    """One SELECT per posted page (survey, response and full cells), then the UPDATE: no
    separate read of the quota cells; a full cell still screens out early."""
    from sqlalchemy import event

    from surveyapp.extensions import db

    session.execute(
        update(QuotaCell).where(QuotaCell.cell_id == "country_size__1__1").values(target=0)
    )
    session.commit()
    token = start(session)
    walk(session, token, SCREENING[:3])
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_):
        seen.append(statement.split()[0].upper())

    engine = db.engine_for(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        out = post(session, token, *SCREENING[3])
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert out == Redirect("end")
    assert stored(session, token).ending_id == "qf"
    assert [s for s in seen if s != "BEGIN"] == ["SELECT", "UPDATE", "UPDATE"]


def _writes_by_transaction(session, token: str, pages) -> dict[str, set[bool]]:
    """Walk `pages`; for each kind of write sent ("UPDATE responses", "INSERT INTO contacts",
    ...), whether the driver's connection was inside a transaction when it ran."""
    from sqlalchemy import event

    engine = session.get_bind()
    seen: dict[str, set[bool]] = {}

    def after(conn, cursor, statement, *_):
        words = statement.split()
        if words[0] not in ("UPDATE", "INSERT"):
            return
        inside = driver_in_transaction(conn)
        kind = " ".join(words[:3] if words[0] == "INSERT" else words[:2])
        seen.setdefault(kind, set()).add(inside)

    event.listen(engine, "after_cursor_execute", after)
    try:
        walk(session, token, pages)
    finally:
        event.remove(engine, "after_cursor_execute", after)
    return seen


def test_a_plain_page_is_one_update_without_a_transaction_an_ending_is_one_transaction(
    session, barometer
):
    """A page that only moves on is stored by one revision-guarded UPDATE, atomic on its own:
    no BEGIN and no COMMIT (two round trips on PostgreSQL). The ending page's writes (the
    claims, the contact, the response) are one transaction."""
    token = start(session, "fr")
    assert _writes_by_transaction(session, token, SCREENING + USER_PAGES[:-1]) == {
        "UPDATE responses": {False}
    }
    ending = _writes_by_transaction(session, token, USER_PAGES[-1:])
    assert ending["UPDATE responses"] == {True}
    assert ending["INSERT INTO contacts"] == {True}
    assert ending["UPDATE quota_cells"] == {True}
    assert stored(session, token).status == "complete"
