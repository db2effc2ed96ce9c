"""What the fault tests share: databases with the race survey, respondents, the 503 page's form,
the server's workers and log, and the database checks made after every fault."""

from __future__ import annotations

import os
import random
import re
import time
from collections import Counter
from contextlib import contextmanager
from functools import lru_cache
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from sqlalchemy import create_engine, func, select

from surveyapp.database import engine_for_url
from surveyapp.engine import load_survey_file
from surveyapp.models import QuotaCell, QuotaClaim, Response
from surveyapp.services import migrations
from tests.support.http_respondent import HttpRespondent
from tests.support.servers import load_and_open

SCHEMA = Path(__file__).resolve().parents[1] / "quotas" / "fixtures" / "race.yaml"
SURVEY = load_survey_file(SCHEMA)
SLUG = "quota-race"
FAULT_CONF = "python:tests.support.fault_conf"
#: Quota target of cell 1 in race.yaml.
CELL_1_TARGET = 50
#: What a respondent must never see, whatever fails.
LEAKS = ("Traceback", "OperationalError", "sqlalchemy", "psycopg", "sqlite3", 'File "/')

FORM = re.compile(r'<form method="post" action="([^"]*)">(.*?)</form>', re.S)
INPUT = re.compile(r"<input[^>]*>|<button[^>]*>")
ATTR = re.compile(r'(name|value)="([^"]*)"')
TITLE = re.compile(r"<h1>(.*?)</h1>", re.S)
HTML_LANG = re.compile(r'<html lang="([a-z]+)">')


def is_postgres() -> bool:
    """The suite runs on PostgreSQL (the db-marked second pass)."""
    return os.environ.get("SURVEYAPP_TEST_DATABASE_URL", "").startswith("postgresql")


def sqlite_survey(tmp: Path, label: str) -> str:
    """A SQLite database file migrated to head, the race survey loaded and open."""
    url = f"sqlite:///{tmp / f'{label}.db'}"
    engine = engine_for_url(url)
    migrations.upgrade(engine)
    engine.dispose()
    load_and_open(url, SCHEMA)
    return url


def respondent(base: str, seed: int, lang: str, cell: str = "1") -> HttpRespondent:
    """A respondent of the race survey whose browser asks for `lang`."""
    person = HttpRespondent(
        base, SLUG, SURVEY, random.Random(seed), lang=lang, script={"cell": cell, "side": "1"}
    )
    person.http.headers["Accept-Language"] = lang
    return person


def step(person: HttpRespondent) -> str:
    """One step of a respondent in a request stream: open the survey (new respondent) or post
    the current page and open the page it leads to. Returns the outcome: the status of the
    request, "GET <status>" when the page a 303 leads to fails; raises on transport errors."""
    if person.page_id is None:
        return str(person.start().status_code)
    answer = person.post(*person.prepare())
    if answer.status_code != 303:
        return str(answer.status_code)
    shown = person.get(answer.headers["Location"])
    return "303" if shown.status_code == 200 else f"GET {shown.status_code}"


def retry_form(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The 503 page's form: its action and what it posts (hidden fields and its button)."""
    match = FORM.search(html)
    assert match, "the 503 page has no form to send the answers again"
    fields = []
    for tag in INPUT.findall(match.group(2)):
        attrs = dict(ATTR.findall(tag))
        if "name" in attrs:
            fields.append((attrs["name"], unescape(attrs.get("value", ""))))
    return unescape(match.group(1)), fields


def resubmit(person: HttpRespondent, html: str) -> requests.Response:
    """Press the 503 page's "Try again" button, as a browser would."""
    action, fields = retry_form(html)
    return person.http.post(
        urljoin(person.base, action), data=fields, allow_redirects=False, timeout=30
    )


@lru_cache
def translated(lang: str, message: str) -> str:
    """`message` in `lang` as the app's catalogs give it."""
    from flask_babel import force_locale, gettext

    from surveyapp import create_app

    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    with app.test_request_context(), force_locale(lang):
        return gettext(message)


def assert_polite_503(response: requests.Response, lang: str) -> None:
    """A 503 with Retry-After, in the respondent's language, without any internals."""
    assert response.status_code == 503, (response.status_code, response.text[:500])
    assert int(response.headers["Retry-After"]) > 0
    body = response.text
    match = HTML_LANG.search(body)
    assert match, "the 503 page has no <html lang>"
    assert match.group(1) == lang, f"503 page not in {lang}"
    title = TITLE.search(body)
    assert title, "the 503 page has no title"
    assert unescape(title.group(1)).strip() == translated(lang, "Service temporarily unavailable")
    for leak in LEAKS:
        assert leak not in body, f"the 503 page shows {leak!r}"


def assert_answers_kept(response: requests.Response, body: list[tuple[str, str]]) -> None:
    """The 503 page re-posts exactly what the respondent sent (answers, token, language)."""
    _action, fields = retry_form(response.text)
    sent = Counter((k, v) for k, v in body if k not in ("_action", "csrf_token"))
    kept = Counter((k, v) for k, v in fields if k not in ("_action", "csrf_token"))
    assert kept == sent
    assert ("_action", "next") in fields


def worker_pids(master_pid: int) -> set[int]:
    """The live (not zombie) child processes of gunicorn's master."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == master_pid and fields[0] != "Z":
            pids.add(int(entry.name))
    return pids


def wait_for_workers(master_pid: int, count: int, timeout: float, exclude=()) -> set[int]:
    """Poll until the master has `count` live workers, none of them in `exclude`."""
    deadline = time.monotonic() + timeout
    pids: set[int] = set()
    while time.monotonic() < deadline:
        pids = worker_pids(master_pid)
        if len(pids) == count and not pids & set(exclude):
            return pids
        time.sleep(0.05)
    raise AssertionError(f"{count} workers expected within {timeout} s, found {sorted(pids)}")


@contextmanager
def engine_on(url: str):
    """A short-lived engine for checks from the test process."""
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def check_database(url: str, expected_rows: int | None = None) -> Counter:
    """After a fault: every response holds the answers of each page it passed, a finished one
    its last page too; quota counters equal their claims and their complete responses, never
    above target. Returns the count of responses by status."""
    from sqlalchemy.orm import Session

    from surveyapp.services import quotas

    with engine_on(url) as engine, Session(engine) as session:
        responses = list(session.scalars(select(Response)))
        for row in responses:
            assert {"consent", "cell", "side"} <= set(row.answers), (row.id, row.answers)
            if row.status == "in_progress":
                assert row.current_page == "p2", row.id
                assert "last" not in row.answers, row.id
                assert row.page_history == ["p1"], row.id
            elif row.status == "quota_full" and "last" not in row.answers:
                # a full cell found by the check after p1 (race.yaml: `check_after: p1`)
                # ends the response there, before p2
                assert row.current_page is None, row.id
                assert row.page_history == ["p1"], row.id
            else:
                assert "last" in row.answers, row.id
                assert row.current_page is None, row.id
                assert row.page_history == ["p1", "p2"], row.id
        survey_id = responses[0].survey_id if responses else None
        if survey_id is not None:
            assert quotas.check_invariant(session, survey_id) == []
        for cell in session.scalars(select(QuotaCell)):
            assert cell.completes <= cell.target, cell.cell_id
        orphans = session.scalar(
            select(func.count())
            .select_from(QuotaClaim)
            .join(Response, Response.id == QuotaClaim.response_id)
            .where(Response.status != "complete")
        )
        assert orphans == 0
    statuses = Counter(row.status for row in responses)
    if expected_rows is not None:
        assert len(responses) == expected_rows, statuses
    return statuses


def sqlite_integrity(url: str) -> str:
    """PRAGMA integrity_check of a SQLite database file."""
    import sqlite3

    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def log_text(path: Path) -> str:
    """A server log as text."""
    return path.read_text(errors="replace") if path.exists() else ""


def skip_unless_postgres() -> None:
    """Skip on SQLite only; on PostgreSQL the test must run (and must not skip)."""
    if not is_postgres():
        pytest.skip("PostgreSQL fault: runs in the PostgreSQL pass (SURVEYAPP_TEST_DATABASE_URL)")
