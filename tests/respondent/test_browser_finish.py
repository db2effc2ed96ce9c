"""The respondent pages' layout in a real browser (issue #13): French punctuation never starts a
line at 320, 375 and 390 px; the matrix is a table at 1280 px and stacked at 360 px, axe-clean
both ways; screenshots of each page type, FR and EN, 360 and 1280 px, under
$SURVEYAPP_TEST_OUTPUT/respondent (default test-output/).

One gunicorn for the module (the harness of test_browser.py): the barometer open, and a small
survey loaded then closed (the closed page).
"""

from __future__ import annotations

import pytest

from tests.respondent.helpers import (
    BAROMETER,
    EVERY_USER_PAGE,
    FRENCH_USER,
    SCREENED_OUT,
    SLUG,
)

# The page helpers of test_browser.py; `axe_source` is its fixture (hence F811 below).
from tests.respondent.test_browser import (  # noqa: F401
    OUTPUT,
    Server,
    axe_source,
    fill,
    new_page,
    page_id,
    query,
    scan,
    submit,
)
from tests.respondent.test_finish import MINI
from tests.support.browser import DESKTOP, MOBILE, cli_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = OUTPUT.parent / "respondent"
#: Spec §10.2.1: (screening title, real title) by language.
TITLES = {
    "fr": (
        "Enquête auprès des milieux professionnels",
        "Baromètre des médias sociaux dans les départements marketing",
    ),
    "en": ("Survey of business professionals", "Social Media Barometer for Marketing Departments"),
}
CLOSED = "mini-fin"
#: The quota-full ending: Canada (s1=3), 250 staff or more (s6=6), whose cell the screenshot
#: test empties (no other test of this module walks as a Canadian). S1b, the language a
#: Canadian answers in, is the page's language (it switches the interface).
FULL_CELL = "country_size__3__3"
FULL_CELL_PROFILE = {**FRENCH_USER, "s1": "3", "s6": "6"}
#: Spec §10.2.2: one generic screen-out message, a quota-full message naming no variable
#: (nor a "group" the respondent never heard of in the interface's sentence after it).
ENDINGS = {
    "fr": (
        "ne vous concerne pas",
        "Nous avons déjà reçu toutes les réponses nécessaires",
        "elles ne sont pas comptées dans les résultats.",
    ),
    "en": (
        "does not apply to you",
        "We have already received all the answers we need",
        "they are not counted in the results.",
    ),
}
#: Marks that must never start a line box in French.
MARKS = "?!:;»%"
#: For each text node: every mark whose line box starts with it (its Range rect lies below
#: the previous visible character's). Hidden text (screen-reader only, display:none) is skipped.
LINE_STARTS = """(marks) => {
  const skip = 'script,style,textarea,select,option,.r-vh,.r-default,[hidden]';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const bad = [];
  let prev = null, context = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skip)) continue;
    const text = node.data;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (/[ \\t\\n\\r]/.test(ch)) continue;
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rects = range.getClientRects();
      if (!rects.length || rects[0].width === 0) continue;
      const rect = rects[0];
      if (marks.includes(ch) && prev && rect.top >= prev.bottom - 2) {
        bad.push((context + text.slice(0, i + 1)).slice(-40));
      }
      prev = rect;
    }
    context = text;
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn on a fresh database: the barometer open, a small survey closed."""
    tmp = tmp_path_factory.mktemp("browser-finish")
    mini = tmp / "mini.yaml"
    mini.write_text(MINI, encoding="utf-8")
    commands = [
        ["db", "upgrade"],
        ["survey", "load", str(BAROMETER)],
        ["survey", "open", SLUG],
        ["survey", "load", str(mini)],
        ["survey", "open", CLOSED],
        ["survey", "close", CLOSED],
    ]
    with cli_server(tmp, "browser_finish", commands) as (base, url):
        yield Server(base, url, tmp / "access.log")


def line_starts(page) -> list[str]:
    return page.evaluate(LINE_STARTS, MARKS)


def split_code_groups(page) -> list[str]:
    """Groups of four of the page's codes that a line break cuts (one rect per line)."""
    return page.eval_on_selector_all(
        ".r-code .r-grp",
        "els => els.filter(e => e.getClientRects().length > 1).map(e => e.textContent)",
    )


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [320, 375, 390])
def test_no_french_line_starts_with_punctuation(server, browser, width):
    context, page = new_page(browser, {"width": width, "height": 740}, "fr-FR")
    page.goto(f"{server.base}/s/{SLUG}/?lang=fr")
    found: dict[str, list[str]] = {}
    page.click('.r-actions button[value="next"]')  # the error state of the consent page
    page.wait_for_selector("#error-summary")
    found["p01-errors"] = line_starts(page)
    script = {**EVERY_USER_PAGE, "q23": ["1"]}
    for _ in range(40):
        if "/p/" not in page.url:
            break
        current = page_id(page)
        found[current] = line_starts(page)
        if current == "p10":
            with page.expect_navigation():
                page.click('button[value="later"]')
            found["later"] = line_starts(page)
            assert page.locator(".r-code .r-grp").count() == 8
            assert split_code_groups(page) == []
            page.goto(f"{server.base}/s/{SLUG}/")
        fill(page, script)
        submit(page)
    assert page.url.endswith("/end")
    found["end"] = line_starts(page)
    assert page.locator(".r-code .r-grp").count() == 8  # the withdrawal code
    assert split_code_groups(page) == []
    for path in ("withdraw", "resume"):
        page.goto(f"{server.base}/s/{SLUG}/{path}?lang=fr")
        found[path] = line_starts(page)
    assert len(found) > 28
    bad = {k: v for k, v in found.items() if v}
    assert bad == {}
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    context.close()


def test_the_line_start_check_sees_a_stray_mark(server, browser):
    """The measurement itself: an ordinary space before "?" in a narrow box is caught."""
    context, page = new_page(browser, {"width": 320, "height": 740}, "fr-FR")
    page.set_content('<p style="width:7.5ch;font:16px monospace">abcdef ? oui</p>')
    assert line_starts(page) == ["abcdef ?"]
    page.set_content('<p style="width:7.5ch;font:16px monospace">abcdef\u202f? oui</p>')
    assert line_starts(page) == []
    context.close()


def to_page(page, base: str, target: str, lang: str) -> None:
    page.goto(f"{base}/s/{SLUG}/?lang={lang}")
    for _ in range(40):
        if page_id(page) == target:
            return
        fill(page, {**FRENCH_USER, "s1": "1" if lang == "fr" else "2"})
        submit(page)
    raise AssertionError(f"{target} not reached")


@pytest.mark.parametrize(("viewport", "layout"), [(DESKTOP, "table"), (MOBILE, "block")])
def test_matrix_table_on_wide_screens_stacked_on_phones(
    server,
    browser,
    axe_source,  # noqa: F811
    viewport,
    layout,
):
    context, page = new_page(browser, viewport, "en-US")
    to_page(page, server.base, "p24", "en")
    table = page.locator("table.r-mx")
    assert table.evaluate("e => getComputedStyle(e).display") == layout
    tops = page.eval_on_selector_all(
        'tr.r-mx-row:first-child input[type="radio"]',
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))",
    )
    assert len(tops) == 5
    if layout == "table":
        assert len(set(tops)) == 1  # one row of radios under the scale's column headers
        assert page.locator("table.r-mx thead th").first.is_visible()
    else:
        assert tops == sorted(tops)
        assert len(set(tops)) == 5  # stacked, each with its visible label
        assert page.locator("table.r-mx td label").first.is_visible()
    name = page.evaluate(
        """() => { const r = document.querySelector('tr.r-mx-row input[type=radio]');
        return r.getAttribute('aria-labelledby').split(' ')
          .map(id => document.getElementById(id).textContent).join(' ') }"""
    )
    assert name.startswith("“Our social media presence")  # quotes of the wording revision 2
    assert name.endswith("Strongly agree")
    violations: list[str] = []
    probe = Server(server.base, server.database_url, server.access_log, violations=violations)
    scan(page, probe, axe_source, f"matrix-{layout}")
    page.click('.r-actions button[value="next"]')  # errors: the table keeps its layout
    page.wait_for_selector("#error-summary")
    scan(page, probe, axe_source, f"matrix-{layout}-errors")
    assert violations == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("viewport", "size"), [(MOBILE, "360"), (DESKTOP, "1280")])
def test_screenshots_of_every_respondent_page_type(
    server,
    browser,
    lang,
    viewport,
    size,
):
    context, page = new_page(browser, viewport, "fr-FR" if lang == "fr" else "en-US")
    base = server.base

    def take(kind: str) -> None:
        shot(page, f"{kind}-{lang}-{size}")

    page.goto(f"{base}/s/{SLUG}/?lang={lang}")
    take("01-consent-intro")
    page.click('.r-actions button[value="next"]')
    page.wait_for_selector("#error-summary")
    take("02-error-state")
    script = {**EVERY_USER_PAGE, "s1": "1" if lang == "fr" else "2", "q23": ["1"]}
    kinds = {
        "p02": "03-single",
        "p07": "03b-real-title",
        "p10": "04-multiple",
        "p24": "05-matrix",
        "p28": "06-text",
    }
    titles = {}
    for _ in range(40):
        if "/p/" not in page.url:
            break
        current = page_id(page)
        titles[current] = (page.inner_text(".r-title"), page.title())
        if current in kinds:
            take(kinds[current])
        if current == "p10":
            with page.expect_navigation():
                page.click('button[value="later"]')
            take("07-continue-later")
            page.goto(f"{base}/s/{SLUG}/")
        fill(page, script)
        submit(page)
    take("08-ending")
    assert page.url.endswith("/end")
    # Spec §10.2.1: the neutral title while screening (header and tab), the real one from P07.
    neutral, real = TITLES[lang]
    assert titles["p02"] == (neutral, neutral)
    assert titles["p07"] == (real, real)
    assert page.inner_text(".r-title") == real  # the complete ending
    page.goto(f"{base}/s/{SLUG}/resume?lang={lang}")
    take("09-resume-form")
    page.goto(f"{base}/s/{SLUG}/withdraw?lang={lang}")
    take("10-withdraw")
    page.goto(f"{base}/s/{CLOSED}/?lang={lang}")
    take("11-closed")
    assert page.errors == []  # type: ignore[attr-defined]
    context.close()
    # The two other endings, each reached by a new respondent (a fresh browser context).
    query(server, "UPDATE quota_cells SET target = 0 WHERE cell_id = :cell", cell=FULL_CELL)
    screened_out, quota_full, not_counted = ENDINGS[lang]
    full = {**FULL_CELL_PROFILE, "s1b": "1" if lang == "fr" else "2"}
    for kind, script, words in (
        ("12-screened-out", SCREENED_OUT, (screened_out,)),
        ("13-quota-full", full, (quota_full, not_counted)),
    ):
        context, page = new_page(browser, viewport, "fr-FR" if lang == "fr" else "en-US")
        page.goto(f"{base}/s/{SLUG}/?lang={lang}")
        for _ in range(12):
            if "/p/" not in page.url:
                break
            fill(page, script)
            submit(page)
        assert page.url.endswith("/end"), kind
        take(kind)
        text = page.inner_text("main")
        assert all(w in text for w in words), (kind, text)
        assert page.inner_text(".r-title") == neutral  # still the neutral title (§10.2.1)
        assert page.errors == []  # type: ignore[attr-defined]
        context.close()
