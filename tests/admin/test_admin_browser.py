"""The admin pages in a real browser (Debian chromium + Playwright) against gunicorn: an analyst
reaches every export from the survey page by following links only, and every admin page is
photographed in French and English at 360 and 1280 px (test-output/admin/pages/), checked for
horizontal overflow and overprinted links. The fieldwork dashboard is photographed with its
invitation funnel (contacts mailed through a real SMTP server, some following their links) and
a finished background job with its download link (run by a real `surveyapp worker`)."""

from __future__ import annotations

import random
import re
import subprocess

import pytest
from aiosmtpd.controller import Controller

from surveyapp.engine import load_survey_file
from tests.admin.helpers import PASSWORD
from tests.admin.test_fieldwork_browser import BAROMETER, OUTPUT, SCRIPT
from tests.support.http_respondent import HttpRespondent
from tests.support.mail import MailSink
from tests.support.servers import (
    REPO,
    VENV_BIN,
    app_env,
    free_port,
    fresh_database,
    gunicorn,
    load_and_open,
    spawn,
    stop,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = OUTPUT / "pages"
USERS = {"analyst@example.org": "analyst", "admin@example.org": "admin"}
#: What each invited contact does with the link of their mail (8 mailed, 2 never open it):
#: the funnel reads invited 8 -> opened 6 -> started 4 -> reached an ending 2.
INVITED = ["finish", "finish", "start", "start", "open", "open", "none", "none"]


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(VENV_BIN / "surveyapp"), *args],
        input=stdin, text=True, env=env, cwd=REPO, capture_output=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, (args, done.stderr[-2000:])
    return done.stdout + done.stderr


def _invite(base: str, env: dict[str, str], slug: str, schema, sink: MailSink, tmp) -> None:
    """Import a contact list, mail it through the SMTP sink, and follow the links as INVITED
    says (each contact in their own language)."""
    contacts = tmp / "contacts.csv"
    languages = ["fr", "en"] * (len(INVITED) // 2)
    lines = [f"contact{i}@example.org,{lang}" for i, lang in enumerate(languages)]
    contacts.write_text("email,language\n" + "\n".join(lines) + "\n", encoding="utf-8")
    _cli(env, "invite", "import", slug, str(contacts))
    mail = {"SMTP_URL": sink.url, "PUBLIC_URL": base, "MAIL_PER_MINUTE": "6000"}
    mail_env = dict(env, **{f"SURVEYAPP_{key}": value for key, value in mail.items()})
    _cli(mail_env, "invite", "send", slug)
    assert len(sink.received) == len(INVITED)
    link = re.compile(re.escape(base) + rf"/s/{slug}/i/[A-Za-z0-9_-]+")
    for i, (action, lang) in enumerate(zip(INVITED, languages, strict=True)):
        if action == "none":
            continue
        message = sink.to(f"contact{i}@example.org")[0].message
        url = link.search(message.get_body(("plain",)).get_content())[0]
        respondent = HttpRespondent(
            base, slug, schema, random.Random(100 + i), lang=lang, script=dict(SCRIPT)
        )
        respondent.get(url)  # opened
        if action == "start":
            respondent.answer_page()  # consent given: started
        elif action == "finish":
            while respondent.answer_page():
                pass


def _finished_job(env: dict[str, str], slug: str, tmp) -> str:
    """A results workbook prepared by a real worker; returns its page's path."""
    out = _cli(env, "jobs", "start", slug, "--kind", "results", "--no-wait")
    job_id = re.search(r"job (\d+): queued", out)[1]
    worker = spawn([str(VENV_BIN / "surveyapp"), "worker", "--workers", "1"], env, tmp / "w.log")
    try:
        _cli(env, "jobs", "watch", job_id)  # exit status 0: the job is done
    finally:
        stop(worker)
    return f"/admin/surveys/{slug}/jobs/{job_id}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("admin-browser")
    instance = tmp / "instance"  # the jobs' queue and files, shared by gunicorn and the worker
    instance.mkdir()
    sink = MailSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        with fresh_database(tmp, "adminpages") as url:
            env = app_env(url, SURVEYAPP_INSTANCE_PATH=str(instance), SURVEYAPP_JOBS_URL="")
            for email, role in USERS.items():
                _cli(env, "user", "create", email, "--role", role, "--password-stdin",
                     stdin=PASSWORD + "\n")  # fmt: skip
            slug = load_and_open(url, BAROMETER)
            with gunicorn(
                url, workers=1, SURVEYAPP_INSTANCE_PATH=str(instance), SURVEYAPP_JOBS_URL=""
            ) as (base, _proc):
                schema = load_survey_file(BAROMETER)
                for i in range(3):
                    HttpRespondent(base, slug, schema, random.Random(i), script=dict(SCRIPT)).run()
                _invite(base, env, slug, schema, sink, tmp)
                done_job = _finished_job(env, slug, tmp)
                yield base, slug, done_job
    finally:
        controller.stop()


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

    base, slug, _job = server
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
#: wrapper, their captions wrap within it; list tables, `table.records`, fit without
#: scrolling), and no two links of the preview bar overlapping.
LAYOUT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    // Tables scroll in their wrapper, except the list tables (rows as blocks on a phone).
    if (el.closest('.table-wrap') && !el.closest('table.records')) continue;
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
    base, slug, done_job = server
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
            ("job-done", done_job),
            ("password", "/admin/password"),
        ]
        for name, path in shots:
            response = page.goto(f"{base}{path}")
            assert response is not None
            assert response.status == 200, (name, response.status)
            assert page.locator("html").get_attribute("lang") == lang, name
            _shoot(page, PAGES / f"{name}_{lang}_{width}.png", problems)
            if name == "fieldwork":  # the invitation funnel: 8 mailed, 2 reached an ending
                funnel = page.locator("table.invitation-funnel")
                counts = funnel.locator("tbody tr td:nth-of-type(1)").all_inner_texts()
                assert counts == ["8", "6", "4", "2"], counts
            elif name == "job-done":
                assert page.locator("#job-progress").get_attribute("value") == "100"
                assert page.locator(".job-file a[download]").count() == 1
        context.close()
    assert not problems, problems


def _shoot(page, path, problems) -> None:
    page.screenshot(path=str(path), full_page=True)
    found = page.evaluate(LAYOUT_PROBLEMS)
    if found["wide"] or found["overlaps"] or found["scroll"] or found["captions"]:
        problems[path.name] = found
