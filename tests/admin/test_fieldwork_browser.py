"""A study-team member runs fieldwork from the browser alone (Debian chromium + Playwright)
against a real gunicorn: log in, upload the barometer, preview a page in both languages, start a
test response, open fieldwork, watch the dashboard and the quota page fill while respondents
complete over HTTP, close fieldwork. Screenshots go to $SURVEYAPP_TEST_OUTPUT/admin."""

from __future__ import annotations

import random
import re

import pytest

from surveyapp.engine import load_survey_file
from tests.admin.helpers import PASSWORD
from tests.support.browser import output_dir
from tests.support.http_respondent import HttpRespondent
from tests.support.servers import REPO, create_user, fresh_database, gunicorn

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTPUT = output_dir("admin")
BAROMETER = REPO / "surveyapp/surveys/barometre-2015.yaml"
EMAIL = "study@example.org"
#: Passes the screening: France (s1=1), small company (s6=4 → size band 2), a user (q1=1).
SCRIPT = {"s1": "1", "s2": "1", "s3": "1", "s5": "1", "s6": "4", "q1": "1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("fieldwork-browser"), "fieldwork") as url:
        create_user(url, EMAIL, "study", PASSWORD)
        with gunicorn(url, workers=2) as (base, _proc):
            yield base


def _complete(base: str, slug: str, n: int) -> None:
    schema = load_survey_file(BAROMETER)
    for i in range(n):
        respondent = HttpRespondent(base, slug, schema, random.Random(i), script=dict(SCRIPT))
        respondent.run()
        assert "/end" in respondent.url, respondent.url


def test_study_team_runs_fieldwork_from_the_browser(browser, server):
    from playwright.sync_api import expect

    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="en")
    errors: list[str] = []
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )

    page.goto(f"{server}/admin/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    if page.locator("html").get_attribute("lang") != "en":  # one control: the switch
        page.click("#language-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{server}/admin/surveys/upload")
    page.set_input_files("input[name=schema]", str(BAROMETER))
    page.click("button:has-text('Check and load')")
    expect(page).to_have_url(re.compile(r"/admin/surveys/[a-z0-9-]+$"))
    slug = page.url.rstrip("/").rsplit("/", 1)[1]

    # Preview a page in both languages: read-only, nothing stored.
    page.click("a:has-text('Preview')")
    page.click(".preview-bar a:has-text('p02')")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("button[name=_action][value=next]").first).to_be_disabled()
    page.click("a[hreflang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"page=p02&lang=en"))

    # A test response while the survey is still a draft.
    page.goto(f"{server}/admin/surveys/{slug}")
    page.click("button:has-text('Start a test response')")
    expect(page.locator(".r-notice")).to_be_visible()
    page.check("input[name=consent]")
    page.click("button.r-btn[value=next]")  # consent accepted: the test response exists
    expect(page).to_have_url(re.compile(r"/p/p02"))
    expect(page.locator(".r-notice")).to_be_visible()

    # Open fieldwork.
    page.goto(f"{server}/admin/surveys/{slug}")
    page.select_option("select[name=state]", "open")
    page.click("form[action$='/state'] button[type=submit]")
    # The barometer still holds the data controller's contact placeholders (spec §10.2.4):
    # the page lists them and asks the study team to confirm.
    expect(page.locator("#placeholders-h")).to_be_visible()
    page.click("button:has-text('Open fieldwork anyway')")
    expect(page.locator(".badge-open")).to_be_visible()
    # that first answer is the one refusal this walk expects (409: confirm, nothing changed)
    assert errors == [f"409 {server}/admin/surveys/{slug}/state"], errors
    errors.clear()

    page.goto(f"{server}/admin/surveys/{slug}/quotas")
    cell = page.locator("tr[data-cell='country_size__1__2'] td[data-field=completes]")
    expect(cell).to_have_text("0")
    _complete(server, slug, 3)
    # The page refreshes itself from the JSON (every 10 s) without a reload.
    expect(cell).to_have_text("3", timeout=25_000)
    grid = page.locator("table.quota-grid td[data-cell='country_size__1__2'] meter")
    expect(grid).to_have_attribute("value", "3")
    page.screenshot(path=str(OUTPUT / "quotas.png"), full_page=True)

    page.goto(f"{server}/admin/surveys/{slug}/dashboard")
    expect(page.locator(".cards")).to_contain_text("3")
    page.screenshot(path=str(OUTPUT / "dashboard.png"), full_page=True)

    page.goto(f"{server}/admin/surveys/{slug}")
    page.select_option("select[name=state]", "closed")
    page.click("form[action$='/state'] button[type=submit]")
    expect(page.locator(".badge-closed")).to_be_visible()
    assert not errors, errors
