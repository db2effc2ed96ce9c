"""A date question in a real browser: three labelled fields in the page language's order, side
by side on a 360 px phone, the impossible date refused in words with the typed values kept, the
real one accepted; axe-clean; screenshots FR and EN at 360 and 1280 px under
$SURVEYAPP_TEST_OUTPUT/respondent (default test-output/)."""

from __future__ import annotations

import pytest

# The page helpers of test_browser.py; `axe_source` is its fixture (hence F811 below).
from tests.respondent.test_browser import (  # noqa: F401
    OUTPUT,
    Server,
    axe_source,
    new_page,
    scan,
)
from tests.respondent.test_date_field import DATED
from tests.support.browser import cli_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = OUTPUT.parent / "respondent"
#: (locale, labels in the order shown, the error for 31 February 1980).
LANGUAGES = {
    "fr": ("fr-FR", ["Jour", "Mois", "Année"], "Cette date n’existe pas\u00a0: 31/02."),
    "en": ("en-US", ["Month", "Day", "Year"], "This date does not exist: 2/31."),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn on a fresh database with the small date survey open."""
    tmp = tmp_path_factory.mktemp("browser-date")
    source = tmp / "dated.yaml"
    source.write_text(DATED, encoding="utf-8")
    commands = [["db", "upgrade"], ["survey", "load", str(source)], ["survey", "open", "dated"]]
    with cli_server(tmp, "browser_date", commands) as (base, url):
        yield Server(base, url, tmp / "access.log")


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_date_in_three_fields(server, browser, axe_source, lang, width):  # noqa: F811
    locale, labels, impossible = LANGUAGES[lang]
    context, page = new_page(browser, {"width": width, "height": 800}, locale)
    page.goto(f"{server.base}/s/dated/?lang={lang}")
    parts = page.locator(".r-date-part")
    assert parts.locator("label").all_inner_texts() == labels
    boxes = [parts.nth(i).bounding_box() for i in range(3)]
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]  # one row, even on a phone
    assert abs(boxes[0]["y"] - boxes[2]["y"]) < 2
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    scan(page, server, axe_source, f"date-{lang}-{width}")
    values = {"day": "31", "month": "2", "year": "1980"}
    for part, value in values.items():
        page.fill(f'input[name="born.{part}"]', value)
    page.click('.r-actions button[value="next"]')
    page.wait_for_selector("#error-summary")
    assert impossible in page.inner_text(".r-date .r-err")
    for part, value in values.items():
        assert page.input_value(f'input[name="born.{part}"]') == value
    scan(page, server, axe_source, f"date-{lang}-{width}-error")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"date-error-{lang}-{width}.png"), full_page=True)
    page.fill('input[name="born.day"]', "3")
    page.click('.r-actions button[value="next"]')
    page.wait_for_url("**/p/p2**")
    assert not page.errors, page.errors
    context.close()
    assert not server.violations, server.violations
