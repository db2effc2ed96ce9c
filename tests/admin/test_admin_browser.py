"""The admin pages in a real browser (Debian chromium + Playwright) against gunicorn: an analyst
reaches every export from the survey page by following links only, and every admin page is
photographed in French and English at 360 and 1280 px (test-output/admin/pages/), checked for
horizontal overflow and overprinted links."""

from __future__ import annotations

import random
import re
import subprocess

import pytest

from surveyapp.engine import load_survey_file
from tests.admin.helpers import PASSWORD
from tests.admin.test_fieldwork_browser import BAROMETER, OUTPUT, SCRIPT
from tests.support.http_respondent import HttpRespondent
from tests.support.servers import REPO, VENV_BIN, app_env, fresh_database, gunicorn, load_and_open

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = OUTPUT / "pages"
USERS = {"analyst@example.org": "analyst", "admin@example.org": "admin"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("admin-browser"), "adminpages") as url:
        for email, role in USERS.items():
            subprocess.run(
                [str(VENV_BIN / "surveyapp"), "user", "create", email, "--role", role,
                 "--password-stdin"],
                input=PASSWORD + "\n", text=True, env=app_env(url), cwd=REPO, check=True,
                capture_output=True,
            )  # fmt: skip
        slug = load_and_open(url, BAROMETER)
        with gunicorn(url, workers=1) as (base, _proc):
            schema = load_survey_file(BAROMETER)
            for i in range(3):
                HttpRespondent(base, slug, schema, random.Random(i), script=dict(SCRIPT)).run()
            yield base, slug


def _login(page, base: str, email: str, lang: str | None = None) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/admin/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    if lang and page.locator("html").get_attribute("lang") != lang:
        page.click("#language-switch")
        expect(page.locator("html")).to_have_attribute("lang", lang)


def test_an_analyst_reaches_every_export_by_links(browser, server):
    from playwright.sync_api import expect

    base, slug = server
    context = browser.new_context(accept_downloads=True, locale="en")
    page = context.new_page()
    _login(page, base, "analyst@example.org", "en")
    page.click(f"a[href$='/admin/surveys/{slug}']")  # from the survey list
    expect(page.locator("#downloads-h")).to_be_visible()
    links = page.locator("section.downloads a")
    count = links.count()
    assert count == 15  # 3 CSV presets x (codes + 2 languages), 2 SPSS, 2 codebooks, 2 xlsx
    names = set()
    for i in range(count):
        with page.expect_download() as info:
            links.nth(i).click()
        download = info.value
        assert download.failure() is None, download.url
        path = download.path()
        assert path is not None
        assert path.stat().st_size > 0, download.url
        names.add(
            download.suggested_filename.rsplit("_", 1)[0]
            + "."
            + download.suggested_filename.rsplit(".", 1)[1]
        )
    assert names == {
        f"{slug}_responses.csv",
        f"{slug}_responses.sav",
        f"{slug}_codebook.csv",
        f"{slug}_codebook.json",
        f"{slug}_results.xlsx",
    }
    assert page.locator("text=Contact list").count() == 0  # not for analysts


#: Checked in the browser: no element wider than the viewport (tables scroll in their own
#: wrapper, their captions wrap within it), and no two links of the preview bar overlapping.
LAYOUT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.table-wrap')) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1) {
      wide.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
    }
  }
  const items = document.querySelectorAll('.preview-bar li');
  const links = [...items].map(e => e.getBoundingClientRect());
  const overlaps = [];
  for (let i = 1; i < links.length; i++) {
    const a = links[i - 1], b = links[i];
    if (a.top === b.top && b.left < a.right - 0.5) overlaps.push(i);
  }
  // List numbers of a wrapped flex list are drawn outside each item, over the previous link.
  for (const list of document.querySelectorAll('ol, ul')) {
    const style = getComputedStyle(list);
    if (style.display.includes('flex') && style.listStyleType !== 'none' && list.children.length) {
      overlaps.push('markers of ' + (list.parentElement.className || list.tagName));
    }
  }
  // A scrolling table's caption wraps within the wrapper's visible width (not cut off).
  const captions = [];
  for (const caption of document.querySelectorAll('.table-wrap caption')) {
    const r = caption.getBoundingClientRect();
    const box = caption.closest('.table-wrap').getBoundingClientRect();
    if (r.width && r.right > box.right + 1) captions.push(caption.textContent.slice(0, 40));
  }
  const scroll = document.documentElement.scrollWidth > width + 1;
  return {wide: wide.slice(0, 5), overlaps, scroll, captions};
}"""


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_screenshots_of_every_admin_page(browser, server, lang):
    base, slug = server
    PAGES.mkdir(parents=True, exist_ok=True)
    problems = {}
    for width in (360, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale=lang)
        page = context.new_page()
        page.goto(f"{base}/admin/login?lang={lang}")
        shots = [("login", None)]
        _shoot(page, PAGES / f"login_{lang}_{width}.png", problems)
        _login(page, base, "admin@example.org", lang)
        page.goto(f"{base}/admin/surveys/{slug}/responses")
        detail = page.locator("table tbody th a").first.get_attribute("href")
        # A job started from the jobs page (no worker runs here: it stays queued, the page
        # shows its progress); starting it again finds the same queued job.
        page.goto(f"{base}/admin/surveys/{slug}/jobs")
        with page.expect_navigation():
            page.click("form.job-start button[type=submit]")
        job = page.url.removeprefix(base)
        assert re.fullmatch(rf"/admin/surveys/{slug}/jobs/\d+", job), job
        shots = [
            ("dashboard", "/admin/"),
            ("survey", f"/admin/surveys/{slug}"),
            ("fieldwork", f"/admin/surveys/{slug}/dashboard"),
            ("quotas", f"/admin/surveys/{slug}/quotas"),
            ("responses", f"/admin/surveys/{slug}/responses"),
            ("response", detail),
            ("users", "/admin/users"),
            ("tokens", "/admin/tokens"),
            ("upload", "/admin/surveys/upload"),
            ("preview", f"/admin/surveys/{slug}/preview?page=p03&lang={lang}"),
            ("results", f"/admin/surveys/{slug}/results?by=s1&lang={lang}"),
            ("open-answers", f"/admin/surveys/{slug}/open-answers?q=q22&group_by=s1"),
            ("invitations", f"/admin/surveys/{slug}/invitations"),
            ("jobs", f"/admin/surveys/{slug}/jobs"),
            ("job", job),
            ("password", "/admin/password"),
        ]
        for name, path in shots:
            response = page.goto(f"{base}{path}")
            assert response is not None
            assert response.status == 200, (name, response.status)
            assert page.locator("html").get_attribute("lang") == lang, name
            _shoot(page, PAGES / f"{name}_{lang}_{width}.png", problems)
        context.close()
    assert not problems, problems


def _shoot(page, path, problems) -> None:
    page.screenshot(path=str(path), full_page=True)
    found = page.evaluate(LAYOUT_PROBLEMS)
    if found["wide"] or found["overlaps"] or found["scroll"] or found["captions"]:
        problems[path.name] = found
