"""Idempotent submissions and step order (RELIABILITY I-1..I-5, I-7), through the test client."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import QuotaClaim, Response
from tests.respondent.helpers import FRENCH_USER, SLUG, Respondent, db_dump

FR = {"Accept-Language": "fr"}


def to_page(client, page: str, script=FRENCH_USER) -> Respondent:
    r = Respondent(client, headers=FR)
    r.start()
    while r.page_id != page:
        r.answer(script)
    return r


def twin(app, r: Respondent):
    """A second client with the same cookies (the same respondent in another tab)."""
    other = app.test_client()
    for cookie in r.client._cookies.values():
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return other


def test_the_same_page_posted_twice_at_once_saves_once(app, client, barometer):
    r = to_page(client, "p05")
    body = r.form_for(FRENCH_USER)
    other = twin(app, r)
    barrier = threading.Barrier(2)
    results = []

    def send(c):
        barrier.wait()
        response = c.post(f"/s/{SLUG}/p/p05", data=_multi(body), headers=FR)
        results.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=send, args=(c,)) for c in (client, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(303, f"/s/{SLUG}/p/p06")] * 2
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.page_history == ["p01", "p02", "p04", "p05"]
        assert response.revision == 4


def test_the_final_page_posted_twice_at_once_completes_once(app, client, barometer):
    r = to_page(client, "p29")
    body = r.form_for(FRENCH_USER)
    other = twin(app, r)
    barrier = threading.Barrier(2)
    results = []

    def send(c):
        barrier.wait()
        response = c.post(f"/s/{SLUG}/p/p29", data=_multi(body), headers=FR)
        results.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=send, args=(c,)) for c in (client, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(303, f"/s/{SLUG}/end")] * 2
    with app.app_context():
        assert db.session.scalar(select(Response.status)) == "complete"
        cells = db.session.scalar(select(func.count()).select_from(QuotaClaim))
    assert cells == 4  # the hard cell and three soft cells (b2b, sector, role), once


def test_an_accepted_page_posted_again_with_other_answers_changes_nothing(app, client, barometer):
    r = to_page(client, "p04")
    stale = r.form_for(FRENCH_USER)
    r.answer(FRENCH_USER)
    before = db_dump(app)
    again = r.post([(k, "2" if k == "s2" else v) for k, v in stale], url=f"/s/{SLUG}/p/p04")
    assert again.status_code == 303
    assert again.headers["Location"] == f"/s/{SLUG}/p/p05"
    assert db_dump(app) == before


def test_a_page_ahead_of_the_respondent_changes_nothing(app, client, barometer):
    r = to_page(client, "p04")
    before = db_dump(app)
    ahead = client.post(
        f"/s/{SLUG}/p/p06", data=_multi([*r.hidden().items(), ("s6", "2")]), headers=FR
    )
    assert ahead.status_code == 303
    assert ahead.headers["Location"] == f"/s/{SLUG}/p/p04"
    final = client.post(
        f"/s/{SLUG}/p/p28", data=_multi([*r.hidden().items(), ("q23", "4")]), headers=FR
    )
    assert final.headers["Location"] == f"/s/{SLUG}/p/p04"
    assert db_dump(app) == before


def test_nothing_changes_after_the_end(app, client, barometer):
    r = Respondent(client, headers=FR)
    r.complete(FRENCH_USER)
    before = db_dump(app)
    hidden = {"csrf_token": r.hidden().get("csrf_token")} if r.hidden() else {}
    token = _csrf(client)
    for page, fields in [("p02", [("s1", "2")]), ("p28", [("q23", "4")]), ("p29", [])]:
        for action in ("next", "back", "lang:en"):
            response = client.post(
                f"/s/{SLUG}/p/{page}",
                data=_multi([("csrf_token", token), *fields, ("_action", action), *hidden.items()]),
                headers=FR,
            )
            assert response.status_code == 303
            assert response.headers["Location"] == f"/s/{SLUG}/end"
    assert client.get(f"/s/{SLUG}/p/p02").headers["Location"] == f"/s/{SLUG}/end"
    assert db_dump(app) == before


def test_every_respondent_post_answers_303_and_every_route_is_known(app):
    rules = {
        r.endpoint: r.methods
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("respondent.")
    }
    posts = {e for e, methods in rules.items() if "POST" in methods}
    assert posts == {
        "respondent.submit",
        "respondent.resume",
        "respondent.withdraw",
        "respondent.unsubscribe",  # 303 too: tests/invitations/test_links.py
    }


def _csrf(client) -> str:
    import re

    html = client.get(f"/s/{SLUG}/withdraw").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]


def _multi(pairs):
    from werkzeug.datastructures import MultiDict

    return MultiDict([(k, v) for k, v in pairs if v is not None])
