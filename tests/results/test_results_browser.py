"""The results view in a real browser (Debian chromium + Playwright) against a real gunicorn:
log in as an analyst, switch the breakdown to country, and keep a screenshot
($SURVEYAPP_TEST_OUTPUT/results, default test-output/)."""

from __future__ import annotations

import pytest

from surveyapp import create_app
from surveyapp.database import engine_for_url
from surveyapp.extensions import db
from surveyapp.services import accounts, migrations, surveys
from surveyapp.services.audit import Actor
from tests.admin.helpers import PASSWORD
from tests.results.helpers import BAROMETER, barometer, generate, store
from tests.support.browser import output_dir
from tests.support.servers import gunicorn

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTPUT = output_dir("results")
EMAIL = "analyst@example.org"
EMAIL_FR = "analyste@example.org"


def _prepare(url: str) -> None:
    """Migrate, load the barometer, store 400 generated responses and an analyst account."""
    engine = engine_for_url(url)
    migrations.upgrade(engine)
    engine.dispose()
    app = create_app(
        {"ENV_NAME": "testing", "SECRET_KEY": "x", "DATABASE_URL": url,
         "RATELIMIT_STORAGE_URI": "memory://"}
    )  # fmt: skip
    with app.app_context():
        survey = surveys.load_schema_file(db.session, BAROMETER, Actor("system", "test")).survey
        store(db.session, survey, generate(barometer(), 400, seed=2015))
        # create_user is a write transaction of its own: set the languages once both exist
        user = accounts.create_user(db.session, EMAIL, "analyst", PASSWORD, Actor("system", "t"))
        french = accounts.create_user(db.session, EMAIL_FR, "analyst", PASSWORD, Actor("s", "t"))
        user.user.language = "en"
        french.user.language = "fr"
        db.session.commit()
    db.dispose(app)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('results-browser') / 'results.db'}"
    _prepare(url)
    with gunicorn(url, workers=1) as (base, _proc):
        yield base


def test_results_view_switches_the_breakdown_to_country(browser, server):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    page.on(
        "response",
        lambda r: (
            failed.append(r.url) if r.status >= 400 and not r.url.endswith("/favicon.ico") else None
        ),
    )
    page.goto(f"{server}/admin/surveys/barometre-2015/results")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/results**")
    assert page.locator("#t-q2 table").count() == 1
    assert page.locator("#t-q2 thead tr").first.locator("th").count() == 2  # answer, Total
    page.select_option("#by", "s1")
    page.click("form.results-options button[type=submit]")
    page.wait_for_url("**by=s1**")
    header = page.locator("#t-q2 thead tr").first.inner_text()
    for country in ("France", "(A)", "(B)", "(C)"):
        assert country in header
    page.locator("#t-q3 summary").click()  # open the chart
    chart = page.locator("#t-q3 img")
    chart.wait_for(state="visible")
    for _ in range(100):  # the SVG is drawn by the server (no script may be eval'd)
        if chart.evaluate("img => img.complete && img.naturalWidth"):
            break
        page.wait_for_timeout(100)
    assert chart.evaluate("img => img.naturalWidth") > 0
    page.locator("#t-q3").screenshot(path=str(OUTPUT / "results-q3-chart.png"))
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(OUTPUT / "results-by-country.png"), full_page=False)
    assert not failed, failed
    assert not [e for e in errors if "favicon" not in e and "404" not in e], errors
    assert (OUTPUT / "results-by-country.png").stat().st_size > 10_000


@pytest.mark.parametrize(("email", "width"), [(EMAIL, 360), (EMAIL_FR, 360), (EMAIL_FR, 1280)])
def test_results_page_says_when_its_figures_were_computed(browser, server, email, width):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    words = "Chiffres du" if email == EMAIL_FR else "Figures as of"
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{server}/admin/surveys/barometre-2015/results")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/results**")
    stamp = page.locator("#computed-at")
    stamp.scroll_into_view_if_needed()
    assert stamp.is_visible()
    assert words in stamp.inner_text()
    lang = "fr" if email == EMAIL_FR else "en"
    page.screenshot(path=str(OUTPUT / f"results-computed-at-{lang}-{width}.png"))
    box = stamp.bounding_box()  # the line wraps within the viewport
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width


@pytest.mark.parametrize(
    ("email", "width"), [(EMAIL, 360), (EMAIL, 1280), (EMAIL_FR, 360), (EMAIL_FR, 1280)]
)
def test_dont_know_row_and_comparable_base_on_screen(browser, server, email, width):
    """§10.4.1 as a reader sees it: Q7's "Don't know" row under the comparable answers, its own
    base beside it, the base statement saying why; French percentages never break before %."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    fr = email == EMAIL_FR
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{server}/admin/surveys/barometre-2015/results?by=s1")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/results**")
    section = page.locator("#t-q7")
    section.scroll_into_view_if_needed()
    dont_know = section.locator("tr.row-dont_know th")
    assert dont_know.inner_text().startswith("Ne sais pas" if fr else "Don’t know")
    statement = section.locator(".base-statement").inner_text()
    expected = "«\u202fNe sais pas\u202f» est exclu" if fr else "“Don’t know” is left out"
    assert expected in statement
    cell = section.locator("tr.row-answer td").first.inner_text()
    assert ("\u202f%" in cell) if fr else ("%" in cell and "\u202f" not in cell)
    section.screenshot(path=str(OUTPUT / f"results-dont-know-{'fr' if fr else 'en'}-{width}.png"))
