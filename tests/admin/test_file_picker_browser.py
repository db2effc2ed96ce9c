"""File inputs and hints in a real browser (Debian chromium + Playwright, gunicorn), in French
and English at 360 px: the visible text of a file input is the page's language whatever the
browser's, the real input keeps the keyboard focus and the required check, choosing a file
shows its name and the upload works, with and without JavaScript; a placeholder in a hint is
one line box; axe reports no serious or critical violation. Screenshots go to
test-output/admin/pages/ (`upload-chosen_<lang>_360.png`, `invitations-hint_<lang>_360.png`)."""

from __future__ import annotations

import re

import pytest

from tests.admin.helpers import PASSWORD
from tests.admin.test_admin_browser import PAGES, _login
from tests.respondent.test_browser import axe_source  # noqa: F401 - fixture
from tests.support.servers import REPO, create_user, fresh_database, gunicorn, load_and_open

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO = REPO / "tests/admin/fixtures/demo.yaml"
EMAIL = "admin@example.org"
#: The browser speaks the other language: its own "Choose File" would be the wrong one.
BROWSER_LOCALE = {"fr": "en-US", "en": "fr-FR"}
TEXTS = {
    "fr": ("Choisir un fichier", "Aucun fichier choisi"),
    "en": ("Choose a file", "No file chosen"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("file-picker"), "filepicker") as url:
        create_user(url, EMAIL, "admin", PASSWORD)
        slug = load_and_open(url, DEMO)
        with gunicorn(url, workers=1) as (base, _proc):
            yield base, slug


def _serious(page, axe: str) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe + "\n;0")  # through the DevTools protocol: CSP stays on
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until `selector` has the focus (it is in the keyboard order)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} never took the keyboard focus")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_file_input_speaks_the_pages_language(browser, server, axe_source, lang, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    base, slug = server
    PAGES.mkdir(parents=True, exist_ok=True)
    button, none = TEXTS[lang]
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, locale=BROWSER_LOCALE[lang]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, base, EMAIL, lang)

    page.goto(f"{base}/admin/surveys/upload")
    face = page.locator(".file-picker-face")
    expect(face).to_be_visible()
    expect(page.locator(".file-picker-button")).to_have_text(button)
    expect(page.locator(".file-picker-name")).to_have_text(none)
    native = page.locator("input#schema")
    # The browser's own text is not seen: the input is transparent, over the face.
    assert native.evaluate("e => getComputedStyle(e).opacity") == "0"
    box, under = native.bounding_box(), face.bounding_box()
    assert box
    assert under
    assert box["width"] >= under["width"] - 1
    assert box["height"] >= under["height"] - 1
    assert native.get_attribute("accept") == ".yaml,.yml"
    assert native.evaluate("e => e.required && e.labels.length === 1")
    described = native.get_attribute("aria-describedby") or ""
    assert "schema-name" in described.split()
    # Submitting with no file: the browser's required check stops it on the real input.
    page.click("main button[type=submit]")
    assert native.evaluate("e => !e.validity.valid && document.activeElement === e")
    assert page.url.endswith("/admin/surveys/upload")
    # The keyboard reaches the real input, and its focus ring shows on the face.
    page.goto(f"{base}/admin/surveys/upload")
    _tab_to(page, "input#schema")
    assert face.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    assert _serious(page, axe_source) == []

    page.set_input_files("input#schema", str(DEMO))
    expect(page.locator(".file-picker-name")).to_have_text("demo.yaml")
    page.screenshot(path=str(PAGES / f"upload-chosen_{lang}_360.png"), full_page=True)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/admin/surveys/{slug}$"))

    # The contact list on the invitations page: the same control, and the hint's placeholders
    # each one line box at 360 px.
    page.goto(f"{base}/admin/surveys/{slug}/invitations")
    codes = page.locator("#text-hint code.placeholder")
    assert codes.count() == 3
    assert codes.evaluate_all("es => es.map(e => e.getClientRects().length)") == [1, 1, 1]
    expect(page.locator("#contacts-h ~ form .file-picker-name")).to_have_text(none)
    assert _serious(page, axe_source) == []
    page.locator("#text-hint").scroll_into_view_if_needed()
    page.screenshot(path=str(PAGES / f"invitations-hint_{lang}_360.png"))
    contacts = tmp_path / f"contacts-{lang}.csv"
    contacts.write_text("email,language,src\nana@example.org,fr,1\n", encoding="utf-8")
    page.set_input_files("input#contacts", str(contacts))
    expect(page.locator("#contacts-h ~ form .file-picker-name")).to_have_text(contacts.name)
    page.click("#contacts-h ~ form button[type=submit]")
    expect(page.locator("table th[scope=row]:has-text('ana@example.org')")).to_be_visible()
    assert not errors, errors
    context.close()


def test_without_javascript_the_native_input_works(browser, server):
    from playwright.sync_api import expect

    base, slug = server
    context = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    _login(page, base, EMAIL, None)
    page.goto(f"{base}/admin/surveys/upload")
    expect(page.locator(".file-picker-face")).to_be_hidden()
    native = page.locator("input#schema")
    expect(native).to_be_visible()
    assert native.evaluate("e => getComputedStyle(e).opacity") == "1"
    page.set_input_files("input#schema", str(DEMO))
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/admin/surveys/{slug}$"))
    context.close()
