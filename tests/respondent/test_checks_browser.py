"""A failed cross-question check and a required_when in a real browser (chromium), in French and
English, on a phone (360 px) and a laptop (1280 px): the messages stand next to their questions,
in the respondent's language, with every answer kept; the "don't know" box and the number field
exclude each other (the script; without it, the server refuses both in words). Screenshots go to
$SURVEYAPP_TEST_OUTPUT/checks (default test-output/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.respondent.test_checks_web import SCHEMA, SLUG
from tests.support.browser import DESKTOP, MOBILE, cli_server, output_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OUTPUT = output_dir("checks")
MESSAGES = {
    "fr": ("Votre ancienneté ne peut pas dépasser votre âge.", "Je ne sais pas"),
    "en": ("Your years in the job cannot exceed your age.", "Don't know"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("checks")
    path = tmp / "checks.yaml"
    path.write_text(SCHEMA, encoding="utf-8")
    commands = [["db", "upgrade"], ["survey", "load", str(path)], ["survey", "open", SLUG]]
    with cli_server(tmp, "checks", commands) as (base, _url):
        yield base


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["360", "1280"])
def test_a_failed_check_shows_next_to_its_question(server, browser, lang, viewport):
    context = browser.new_context(viewport=viewport, locale=lang)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{server}/s/{SLUG}/")
    assert "/p/p1" in page.url
    for name, value in {"age": "40", "tenure": "45", "staff": "120", "share_a": "60",
                        "share_b": "40", "why": "", "zip": "75011"}.items():  # fmt: skip
        page.fill(f'#page-form [name="{name}"]', value)
    page.check('#page-form [name="staff_dk"]')  # the script empties the number field
    assert page.input_value('[name="staff"]') == ""
    page.fill('#page-form [name="staff"]', "120")  # and typing a number unticks the box
    assert not page.is_checked('[name="staff_dk"]')
    page.check('#page-form [name="staff_dk"]')
    with page.expect_navigation():
        page.click('.r-actions button[value="next"]')
    check, dont_know = MESSAGES[lang]
    tenure_error = page.locator("#q-tenure .r-err").inner_text()
    assert check.replace("'", "’") in tenure_error.replace("\u202f", " ")
    assert page.locator("#q-staff .r-err").count() == 0  # the box alone: a valid answer
    assert dont_know in page.locator('label[for="f-staff_dk"]').inner_text()
    assert page.locator("#q-why .r-err").count() == 1  # required_when: tenure >= 40
    assert page.input_value('[name="tenure"]') == "45"  # answers kept
    assert page.input_value('[name="age"]') == "40"
    assert page.is_checked('[name="staff_dk"]')
    assert page.input_value('[name="staff"]') == ""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], "nothing overflows the screen"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"check-{lang}-{viewport['width']}.png"), full_page=True)
    context.close()
