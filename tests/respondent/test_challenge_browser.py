"""The consent page's proof-of-work in a real browser (issue #16 point 4 b): the script solves
the challenge before the form goes (the server accepts nothing else here: the no-JS wait is set
to an hour), and without JavaScript the page asks to wait, in the respondent's language."""

from __future__ import annotations

import pytest

from tests.respondent.helpers import BAROMETER, SLUG
from tests.respondent.test_browser import page_id, shot
from tests.support.browser import DESKTOP, MOBILE
from tests.support.servers import fresh_database, gunicorn, load_and_open


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("challenge")
    with fresh_database(tmp, "challenge") as url:
        load_and_open(url, BAROMETER)
        with gunicorn(
            url,
            workers=1,
            log_path=tmp / "server.log",
            SURVEYAPP_RESPONDENT_CHALLENGE="on",
            SURVEYAPP_RESPONDENT_CHALLENGE_WAIT="3600",
        ) as (address, _proc):
            yield address


@pytest.mark.parametrize(("viewport", "locale"), [(MOBILE, "fr-FR"), (DESKTOP, "en-GB")])
def test_the_script_solves_the_challenge_and_the_respondent_starts(base, browser, viewport, locale):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/s/{SLUG}/")
    page.check('input[name="consent"]')
    with page.expect_navigation(timeout=30_000):
        page.click('.r-actions button[value="next"]')
    assert page_id(page) == "p02", page.url
    assert errors == []
    context.close()


@pytest.mark.parametrize(
    ("viewport", "locale", "message"),
    [
        (MOBILE, "fr-FR", "Veuillez patienter quelques secondes"),
        (DESKTOP, "en-GB", "Please wait a few seconds"),
        (MOBILE, "en-GB", "Please wait a few seconds"),
        (DESKTOP, "fr-FR", "Veuillez patienter quelques secondes"),
    ],
)
def test_without_javascript_the_page_asks_to_wait(base, browser, viewport, locale, message):
    context = browser.new_context(viewport=viewport, locale=locale, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/s/{SLUG}/")
    page.check('input[name="consent"]')
    with page.expect_navigation():
        page.click('.r-actions button[value="next"]')
    assert message in page.content()
    assert page.is_checked('input[name="consent"]')  # what was ticked is kept
    shot(page, f"challenge-wait-{locale}-{viewport['width']}")
    context.close()
