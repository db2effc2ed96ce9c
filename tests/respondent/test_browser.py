"""The barometer in a real browser (Debian chromium + Playwright) against a real gunicorn.

One server for the module: a temporary SQLite database migrated, the barometer loaded and
opened through the CLI. Screenshots of the endings and a page-weight table go to
$SURVEYAPP_TEST_OUTPUT/browser (default test-output/). Every page is scanned with axe-core.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import statistics
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, inspect, text

from tests.respondent.helpers import (
    AMERICAN_USER,
    BAROMETER,
    EVERY_USER_PAGE,
    NON_USER,
    SCREENED_OUT,
    SLUG,
)
from tests.support.browser import DESKTOP, MOBILE, cli_server, output_dir
from tests.support.servers import REPO

#: On PostgreSQL (CI's `-m db` pass) only the two complete runs and the privacy and weight
#: check run again, to keep the browser time low; the rest runs on SQLite.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTPUT = output_dir("browser")
AXE_DIR = Path(os.environ.get("SURVEYAPP_AXE_DIR", REPO / ".cache" / "axe"))
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BUDGET = 50 * 1024
META = {"csrf_token", "_lang", "_token", "_action"}


@dataclass
class Server:
    base: str
    database_url: str
    access_log: Path
    weights: dict[str, tuple[int, int]] = field(default_factory=dict)
    asset_sizes: dict[str, int] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """gunicorn on a fresh database (SQLite, or a new PostgreSQL database next to
    SURVEYAPP_TEST_DATABASE_URL) with the barometer loaded and open through the CLI."""
    tmp = tmp_path_factory.mktemp("browser")
    commands = [["db", "upgrade"], ["survey", "load", str(BAROMETER)], ["survey", "open", SLUG]]
    access = tmp / "access.log"
    logging = ("--access-logfile", str(access))
    with cli_server(tmp, "browser", commands, args=logging) as (base, url):
        yield Server(base, url, access)


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core, installed by .ci/setup (or here, once) with npm into .cache/axe."""
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    with (AXE_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # xdist workers install it once, one at a time
        if not AXE_JS.exists():
            subprocess.run(
                [
                    "npm",
                    "install",
                    "--prefix",
                    str(AXE_DIR),
                    "--no-audit",
                    "--no-fund",
                    "--silent",
                    "axe-core@4.14.1",
                ],
                check=True,
                timeout=180,
            )
    return AXE_JS.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- helpers
def new_page(browser, viewport, locale: str):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if _console_error(msg) else None)
    page.errors = errors  # type: ignore[attr-defined]
    return context, page


def _console_error(msg) -> bool:
    """A script or CSP error; a 422 page load (a refused form) is not one."""
    return msg.type == "error" and "status of 422" not in msg.text


def page_id(page) -> str:
    match = re.search(r"/p/([a-z0-9_]+)", page.url)
    return match[1] if match else page.url.rsplit("/", 1)[-1].split("?")[0]


def scan(page, server: Server, axe: str, label: str) -> None:
    """axe-core on the page: collect serious and critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe + "\n;0")  # evaluated through the DevTools protocol: CSP stays on
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    for v in result["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = [n["target"] for n in v["nodes"]][:3]
            server.violations.append(f"{label}: {v['id']} ({v['impact']}) {targets}")


def weigh(page, server: Server, label: str) -> None:
    """HTML + CSS + JS of the page (uncompressed bytes, a cached asset counted at its full
    size) and the number of requests the page makes (document + assets)."""
    entries = page.evaluate("""() => [
        ...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')
    ].map(e => [e.name, e.decodedBodySize])""")
    total = entries[0][1]
    for url, _size in entries[1:]:
        if url not in server.asset_sizes:
            server.asset_sizes[url] = len(requests.get(url, timeout=5).content)
        total += server.asset_sizes[url]
    server.weights[label] = (total, len(entries))


def fill(page, script: dict) -> None:
    """Answer the page's fields from a script (first option when the script has none)."""
    names = page.eval_on_selector_all(
        "#page-form [name]", "els => [...new Set(els.map(e => e.name))]"
    )
    for name in names:
        if name in META or name.endswith("_other"):
            continue
        base, _, row = name.partition(".")
        value = script.get(base)
        if row:
            value = value.get(row) if isinstance(value, dict) else None
        field = page.locator(f'#page-form [name="{name}"]')
        kind = field.first.evaluate("e => e.type")
        if kind in ("radio", "checkbox"):
            values = value if isinstance(value, list) else [value] if value else []
            if not values:
                values = [field.first.get_attribute("value")]
            for v in values:
                page.check(f'#page-form [name="{name}"][value="{v}"]')
        elif kind == "select-one":
            field.select_option(value or field.locator("option").nth(1).get_attribute("value"))
        else:
            field.fill(str(value or ""))


def submit(page) -> None:
    with page.expect_navigation():
        page.click('.r-actions button[value="next"]')


def walk(page, server: Server, axe: str | None, script: dict, label: str, stop=None) -> list:
    """Answer pages until an ending (or the page `stop`); scan and weigh each one."""
    seen = []
    while "/p/" in page.url and page_id(page) != stop:
        current = page_id(page)
        seen.append(current)
        if axe:
            scan(page, server, axe, f"{label}/{current}")
        weigh(page, server, f"{label}/{current}")
        fill(page, script)
        submit(page)
        assert len(seen) < 40
    return seen


def shot(page, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


# --------------------------------------------------------------------------- tests
@pytest.mark.db  # also run on PostgreSQL (CI's `-m db` pass)
def test_french_respondent_completes_on_a_phone(server, browser, axe_source):
    context, page = new_page(browser, MOBILE, "fr-FR")
    page.goto(f"{server.base}/?src=adetem")
    assert page.url.endswith("/p/p01?src=adetem")
    scan(page, server, axe_source, "fr/p01")
    page.click('.r-actions button[value="next"]')  # consent not ticked: errors
    page.wait_for_selector("#error-summary")
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    scan(page, server, axe_source, "fr/p01-errors")
    pages = walk(page, server, axe_source, {**EVERY_USER_PAGE, "q23": ["1", "4"]}, "fr", stop="p28")
    page.check('input[name="q23"][value="1"]')
    page.check('input[name="q23"][value="4"]')  # exclusive "No thanks": the script unticks 1
    assert not page.is_checked('input[name="q23"][value="1"]')
    page.check('input[name="q23"][value="2"]')
    assert not page.is_checked('input[name="q23"][value="4"]')
    page.fill('textarea[name="q22"]', "Écouter avant de publier 😀")
    pages += walk(page, server, axe_source, EVERY_USER_PAGE, "fr")
    assert page.url.endswith("/end")
    assert {"p15", "p17", "p26", "p29"} <= set(pages)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= MOBILE["width"]
    assert "Merci pour votre participation" in page.inner_text("main")
    scan(page, server, axe_source, "fr/end")
    weigh(page, server, "fr/end")
    shot(page, "thank-you-fr-mobile")
    assert page.errors == []  # type: ignore[attr-defined]
    context.close()


@pytest.mark.db  # also run on PostgreSQL (CI's `-m db` pass)
def test_english_respondent_switches_to_french_half_way(server, browser, axe_source):
    context, page = new_page(browser, DESKTOP, "en-US")
    page.goto(f"{server.base}/s/{SLUG}/")
    walk(page, server, None, AMERICAN_USER, "en", stop="p13")
    assert page.get_attribute("html", "lang") == "en"
    page.check('input[name="q7"][value="4"]')
    with page.expect_navigation():
        page.click('.r-lang button[lang="fr"]')
    assert page.get_attribute("html", "lang") == "fr"
    assert page_id(page) == "p13"
    assert page.is_checked('input[name="q7"][value="4"]')  # what was typed is kept
    scan(page, server, axe_source, "switch/p13-fr")
    with page.expect_navigation():
        page.click('.r-actions button[value="back"]')
    assert page_id(page) == "p12"
    assert page.is_checked('input[name="q6"][value="1"]')  # earlier answers are kept
    walk(page, server, None, {**AMERICAN_USER, "q7": "4"}, "switch")
    assert "Merci pour votre participation" in page.inner_text("main")
    shot(page, "thank-you-en-switched-to-fr-desktop")
    rows = query(server, "SELECT answers FROM responses WHERE language_chosen = :t", t=True)
    answers = [json.loads(a) if isinstance(a, str) else a for (a,) in rows]
    assert any(a["q7"] == "4" and a["s1"] == "2" for a in answers)
    context.close()


def test_keyboard_only(server, browser, axe_source):
    context, page = new_page(browser, DESKTOP, "en-US")
    page.goto(f"{server.base}/s/{SLUG}/?lang=en")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    script = {**NON_USER, "s1": "2"}
    for _ in range(12):
        if "/p/" not in page.url:
            break
        answer_with_keyboard(page, script)
    assert page.url.endswith("/end")
    assert "Thank you for taking part!" in page.inner_text("main")
    shot(page, "thank-you-non-user-keyboard")
    context.close()


def answer_with_keyboard(page, script: dict) -> None:
    """Tab through the form; Space ticks, arrows choose a radio, Enter submits."""
    done: set[str] = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        el = page.evaluate("""() => { const e = document.activeElement;
            return {tag: e.tagName, type: e.type, name: e.name, value: e.value,
                    checked: e.checked, action: e.value,
                    outline: getComputedStyle(e).outlineStyle}; }""")
        if el["tag"] in ("INPUT", "BUTTON", "SELECT", "TEXTAREA", "A"):
            assert el["outline"] != "none", el  # visible focus
        name = el["name"]
        if el["tag"] == "BUTTON" and el["action"] == "next":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        if not name or name in done or name in META:
            continue
        wanted = script.get(name)
        if el["type"] == "radio":
            wanted = wanted or el["value"]
            while page.evaluate("() => document.activeElement.value") != wanted:
                page.keyboard.press("ArrowDown")
            if not page.evaluate("() => document.activeElement.checked"):
                page.keyboard.press("Space")
            done.add(name)
        elif el["type"] == "checkbox":
            if el["value"] in (wanted or ["1"]) and not el["checked"]:
                page.keyboard.press("Space")
        elif el["tag"] == "TEXTAREA" or el["type"] == "text":
            page.keyboard.type(str(wanted or ""))
            done.add(name)
    raise AssertionError("no Continue button reached with Tab")


def test_screen_out_and_quota_full(server, browser, axe_source):
    context, page = new_page(browser, MOBILE, "fr-FR")
    page.goto(f"{server.base}/s/{SLUG}/")
    walk(page, server, None, SCREENED_OUT, "so")
    assert page.url.endswith("/end")
    assert "ne vous concerne pas" in page.inner_text("main")  # spec §10.2.2
    assert re.search(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){7}", page.inner_text("main"))
    scan(page, server, axe_source, "so/end")
    shot(page, "screen-out-fr-mobile")
    context.close()
    query(server, "UPDATE quota_cells SET target = 0 WHERE cell_id = 'country_size__3__3'")
    context, page = new_page(browser, MOBILE, "en-CA")
    page.goto(f"{server.base}/s/{SLUG}/")
    walk(page, server, None, {**AMERICAN_USER, "s1": "3", "s1b": "2", "s6": "6"}, "qf")
    assert "We have already received all the answers we need" in page.inner_text("main")
    scan(page, server, axe_source, "qf/end")
    shot(page, "quota-full-en-mobile")
    context.close()


def test_resume_on_a_second_browser_with_the_continue_later_code(server, browser, axe_source):
    first, phone = new_page(browser, MOBILE, "fr-FR")
    phone.goto(f"{server.base}/s/{SLUG}/")
    walk(phone, server, None, EVERY_USER_PAGE, "resume", stop="p10")
    phone.check('input[name="q2"][value="4"]')
    with phone.expect_navigation():
        phone.click('button[value="later"]')  # saves what was typed on the page
    assert phone.url.endswith("/later")
    scan(phone, server, axe_source, "resume/later")
    code = phone.inner_text("code.r-code")
    second, laptop = new_page(browser, DESKTOP, "en-GB")
    laptop.goto(f"{server.base}/s/{SLUG}/resume")
    scan(laptop, server, axe_source, "resume/form")
    laptop.fill("#code", code.lower())
    with laptop.expect_navigation():
        laptop.click('.r-actions button[type="submit"]')
    assert page_id(laptop) == "p10"
    assert laptop.is_checked('input[name="q2"][value="4"]')  # typed on the phone, kept
    walk(laptop, server, None, EVERY_USER_PAGE, "resume", stop="p12")
    assert page_id(laptop) == "p12"  # the response goes on from the second browser
    phone.goto(f"{server.base}/s/{SLUG}/")
    assert page_id(phone) == "p01"  # the code was used: this device starts afresh
    first.close()
    second.close()


def test_a_chunked_form_body_is_refused(server):
    session = requests.Session()
    html = session.get(f"{server.base}/s/{SLUG}/p/p01").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    body = iter([f"csrf_token={token}&".encode(), b"consent=1"])
    response = session.post(
        f"{server.base}/s/{SLUG}/p/p01",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
    )
    assert response.status_code in (411, 413)


@pytest.mark.db  # also run on PostgreSQL (CI's `-m db` pass)
def test_zz_after_every_run_no_address_is_stored_or_logged_and_pages_are_light(server):
    dump = repr(query(server, None))
    assert "127.0.0.1" not in dump
    assert "HeadlessChrome" not in dump
    log = server.access_log.read_text()
    assert "status=200" in log
    assert "127.0.0.1" not in log
    assert "HeadlessChrome" not in log
    assert server.violations == []
    heavy = {k: v for k, v in server.weights.items() if v[0] >= BUDGET}
    assert heavy == {}
    weights = [w for w, _n in server.weights.values()]
    requests_per_page = [n for _w, n in server.weights.values()]
    OUTPUT.mkdir(parents=True, exist_ok=True)
    summary = {
        "pages": len(weights),
        "max_bytes": max(weights),
        "median_bytes": statistics.median(weights),
        "max_requests": max(requests_per_page),
        "median_requests": statistics.median(requests_per_page),
        "per_page": server.weights,
    }
    (OUTPUT / "page-weight.json").write_text(json.dumps(summary, indent=1, sort_keys=True))


def query(server: Server, sql: str | None, **params):
    """Run one statement on the server's database, or dump every table when sql is None."""
    engine = create_engine(server.database_url)
    try:
        with engine.begin() as conn:
            if sql is not None:
                result = conn.execute(text(sql), params)
                return result.all() if result.returns_rows else None
            names = inspect(conn).get_table_names()
            return {t: conn.execute(text(f'SELECT * FROM "{t}"')).all() for t in names}  # noqa: S608
    finally:
        engine.dispose()
