"""Scale-out, proven: two app hosts (gunicorn on 127.0.0.2 and 127.0.0.3) behind HAProxy
round-robin, one PostgreSQL, one Redis (login rate limit and job queue), one job worker.

Runs in the PostgreSQL pass (the hosts share a server database; skipped with a reason on the
SQLite pass). HAProxy adds `X-Served-By` to every answer so the test sees which host served it.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.engine import load_survey_file
from surveyapp.models import QuotaCell, Response
from tests.faults.helpers import engine_on, skip_unless_postgres
from tests.quotas.test_concurrency import race
from tests.support.http_respondent import HttpRespondent
from tests.support.servers import (
    REPO,
    app_env,
    free_port,
    fresh_database,
    load_and_open,
    spawn,
    stop,
    wait_for_health,
)

pytestmark = [pytest.mark.slow, pytest.mark.db]

HOSTS = ("127.0.0.2", "127.0.0.3")
RACE = REPO / "tests" / "quotas" / "fixtures" / "race.yaml"
BAROMETER = REPO / "surveyapp" / "surveys" / "barometre-2015.yaml"
REDIS_URL = "redis://127.0.0.1:6379/3"
PASSWORD = "a long admin pass phrase"

HAPROXY = """
global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout queue 60s
    timeout client 60s
    timeout server 60s
    timeout check 5s
    retries 3
    option redispatch
frontend web
    bind 127.0.0.1:{port}
    default_backend hosts
backend hosts
    balance roundrobin
    option httpchk GET /healthz
    http-response set-header X-Served-By %s
{servers}
"""


class Site:
    """The two hosts, the proxy and the worker of one test."""

    def __init__(self, url: str, tmp: Path) -> None:
        self.url, self.tmp = url, tmp
        self.env = app_env(
            url,
            SURVEYAPP_INSTANCE_PATH=str(tmp / "instance"),
            SURVEYAPP_RATELIMIT_STORAGE_URL=REDIS_URL,
            SURVEYAPP_JOBS_URL=REDIS_URL,
            SURVEYAPP_WORKERS="2",
            SURVEYAPP_LOG_LEVEL="WARNING",
        )
        self.hosts: dict[str, tuple[str, subprocess.Popen]] = {}
        self.base = ""

    def start(self, stack: ExitStack) -> None:
        """Both hosts, then the proxy once they are healthy, then the worker."""
        for i, address in enumerate(HOSTS):
            port = free_port()
            env = {**self.env, "SURVEYAPP_BIND": f"{address}:{port}"}
            gunicorn = str(Path(sys.executable).parent / "gunicorn")
            args = [gunicorn, "-c", "python:surveyapp.gunicorn_conf", "surveyapp:create_app()"]
            proc = spawn(args, env, self.tmp / f"host{i}.log")
            stack.callback(stop, proc)
            self.hosts[f"h{i}"] = (f"http://{address}:{port}", proc)
        for base, proc in self.hosts.values():
            wait_for_health(base, timeout=90, proc=proc)
        port = free_port()
        servers = "\n".join(
            f"    server {name} {base.removeprefix('http://')} check inter 2s fall 5 rise 1"
            for name, (base, _proc) in self.hosts.items()
        )
        config = self.tmp / "haproxy.cfg"
        config.write_text(HAPROXY.format(port=port, servers=servers))
        proxy = spawn([shutil.which("haproxy"), "-f", str(config)], None, self.tmp / "ha.log")
        stack.callback(stop, proxy)
        self.base = f"http://127.0.0.1:{port}"
        wait_for_health(self.base, proc=proxy)
        worker = spawn(
            [sys.executable, "-m", "surveyapp.cli", "worker", "--workers", "1"],
            self.env,
            self.tmp / "worker.log",
        )
        stack.callback(stop, worker)


@pytest.fixture
def site(tmp_path):
    """A fresh PostgreSQL database with the race and barometer surveys, and the running site."""
    skip_unless_postgres()
    if shutil.which("haproxy") is None:
        pytest.fail("haproxy is not installed (bash .ci/setup installs it)")
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    with fresh_database(tmp_path, "twohosts") as url, ExitStack() as stack:
        load_and_open(url, RACE)
        load_and_open(url, BAROMETER)
        running = Site(url, tmp_path)
        running.start(stack)
        yield running
    store.flushdb()


def _served(person_or_session) -> list[str]:
    return [t.host for t in getattr(person_or_session, "hosts", [])]


class TracedRespondent(HttpRespondent):
    """A respondent that notes which host served each request (X-Served-By)."""

    def _request(self, kind, method, url, **kwargs):
        response = super()._request(kind, method, url, **kwargs)
        self.__dict__.setdefault("served", []).append(response.headers.get("X-Served-By"))
        return response


def _stored(url: str) -> dict[int, Response]:
    with engine_on(url) as engine, Session(engine) as session:
        rows = session.scalars(select(Response)).all()
        session.expunge_all()
        return {r.id: r for r in rows}


def test_alternating_respondents_keep_every_answer(site):
    survey = load_survey_file(BAROMETER)
    people = [
        TracedRespondent(site.base, "barometre-2015", survey, random.Random(i), lang="fr")
        for i in range(12)
    ]
    for person in people:
        person.http.headers["Connection"] = "close"  # one connection a request: round-robin
    # One after the other: with one connection a request, HAProxy's round-robin then sends
    # each respondent's requests to h0 and h1 in turn. (Run concurrently, a respondent's few
    # requests could all land on one host by chance; the race below is the concurrent test.)
    for person in people:
        person.run()
    stored = list(_stored(site.url).values())
    assert len(stored) == len(people)
    for person in people:
        assert set(person.served) == {"h0", "h1"}, person.served  # both hosts served it
    assert all(r.status != "in_progress" for r in stored)  # every one reached an ending

    # Every answer kept: the stored answers are exactly the respondents' (as multisets: two
    # respondents screened out on the first page can have the same answers). The server also
    # records the order each randomised list was shown in (`<q>_order`), which nobody posts.
    def posted(answers):
        return repr(sorted((k, v) for k, v in answers.items() if not k.endswith("_order")))

    assert Counter(posted(r.answers) for r in stored) == Counter(posted(p.answers) for p in people)


def test_200_finishers_for_50_slots_across_hosts(site):
    result = race(site.base, 200, lambda i: {"cell": "1", "side": "1"}, seed=7)
    assert result["errors"] == Counter()
    with engine_on(site.url) as engine, Session(engine) as session:
        statuses = Counter(
            dict(
                session.execute(
                    select(Response.status, func.count()).group_by(Response.status)
                ).all()
            )
        )
        completes = session.scalar(
            select(QuotaCell.completes).where(QuotaCell.cell_id == "cells__1")
        )
    assert statuses["complete"] == 50
    assert completes == 50


def _admin(site) -> None:
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.services import accounts
    from surveyapp.services.audit import Actor

    app = create_app({"DATABASE_URL": site.url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        accounts.create_user(
            db.session, "lead@example.org", "admin", PASSWORD, Actor("system", "t")
        )
    db.dispose(app)


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_admin_session_csrf_and_rate_limit_hold_across_hosts(site):
    _admin(site)
    browser = requests.Session()
    browser.headers["Connection"] = "close"
    page = browser.get(f"{site.base}/admin/login")
    token = CSRF.search(page.text).group(1)
    login = browser.post(
        f"{site.base}/admin/login",
        data={"email": "lead@example.org", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert login.status_code == 303
    assert login.headers["X-Served-By"] != page.headers["X-Served-By"]  # token from the other host
    served = set()
    for _ in range(4):
        page = browser.get(f"{site.base}/admin/", allow_redirects=False)
        assert page.status_code == 200
        served.add(page.headers["X-Served-By"])
    assert served == {"h0", "h1"}  # the session holds on both hosts
    token = CSRF.search(page.text).group(1)
    change = browser.post(
        f"{site.base}/admin/language",
        data={"language": "en", "next": "/admin/", "csrf_token": token},
        allow_redirects=False,
    )
    assert change.status_code == 303
    assert change.headers["X-Served-By"] != page.headers["X-Served-By"]
    # The login limit (10 a minute per address) counts attempts made on either host: the
    # attempts go to each host in turn, directly.
    statuses, hosts = [], []
    for attempt in range(12):
        host = f"h{attempt % 2}"
        base = site.hosts[host][0]
        other = requests.Session()
        page = other.get(f"{base}/admin/login")
        answer = other.post(
            f"{base}/admin/login",
            data={
                "email": "lead@example.org",
                "password": "wrong",
                "csrf_token": CSRF.search(page.text).group(1),
            },
            allow_redirects=False,
        )
        statuses.append(answer.status_code)
        hosts.append(host)
    assert set(hosts) == {"h0", "h1"}
    # The admin's own login above was the first attempt of the minute: 9 more are allowed, 5
    # or fewer on each host, so only a counter shared by the hosts refuses the rest.
    assert statuses[:9] == [200] * 9
    assert statuses[9:] == [429, 429, 429]


def test_respondents_carry_on_when_a_host_is_killed(site):
    survey = load_survey_file(RACE)
    people = [
        TracedRespondent(site.base, "quota-race", survey, random.Random(100 + i),
                         script={"cell": str(1 + i % 4), "side": "1"})
        for i in range(40)
    ]  # fmt: skip
    for person in people:
        person.http.headers["Connection"] = "close"
        person.start()
        assert person.page_id == "p1"
    acknowledged: dict[int, set[str]] = {}

    def answer(i: int) -> None:
        person = people[i]
        page, body = person.prepare()
        for _attempt in range(5):  # a respondent whose page failed sends it again
            try:
                response = person.post(page, body)
            except requests.RequestException:
                continue
            if response.status_code == 303:
                acknowledged.setdefault(i, set()).add(page)
                for _again in range(5):  # the next page, reloaded if its host died mid-answer
                    try:
                        person.get(response.headers["Location"])
                        return
                    except requests.RequestException:
                        time.sleep(0.2)
                raise AssertionError(f"respondent {i}: the page after {page} never loaded")
            time.sleep(0.2)
        raise AssertionError(f"respondent {i}: page {page} never acknowledged")

    with ThreadPoolExecutor(max_workers=8) as pool:
        first = [pool.submit(answer, i) for i in range(20)]
        _base, victim = site.hosts["h0"]
        victim.send_signal(signal.SIGKILL)  # the master; its workers next
        subprocess.run(["pkill", "-KILL", "-g", str(victim.pid)], check=False)  # noqa: S607
        rest = [pool.submit(answer, i) for i in range(20, 40)]
        for future in first + rest:
            future.result(timeout=120)
    late = [people[i].served[-1] for i in range(20, 40)]
    assert set(late) == {"h1"}  # only the survivor answers now
    stored = _stored(site.url)
    assert len(stored) == 40
    for i, person in enumerate(people):
        assert acknowledged[i] == {"p1"}
        row = next(r for r in stored.values() if r.answers == person.answers)
        assert row.current_page == "p2"  # the acknowledged page is kept


def test_a_job_started_on_one_host_is_downloaded_through_the_other(site):
    _admin(site)
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.services import tokens
    from surveyapp.services.audit import Actor

    app = create_app({"DATABASE_URL": site.url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        secret = tokens.create_token(
            db.session, "lead@example.org", ["export"], None, 1, Actor("system", "t")
        ).secret
    db.dispose(app)
    race(site.base, 12, lambda i: {"cell": "2", "side": "1"}, seed=3)
    headers = {"Authorization": f"Bearer {secret}"}
    first, second = site.hosts["h0"][0], site.hosts["h1"][0]
    started = requests.post(
        f"{first}/admin/surveys/quota-race/jobs", data={"kind": "csv"}, headers=headers
    )
    assert started.status_code == 202
    job_id = started.json()["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = requests.get(
            f"{second}/admin/surveys/quota-race/jobs/{job_id}.json", headers=headers
        ).json()
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert status["state"] == "done", status
    body = requests.get(second + status["download_url"], headers=headers)
    assert body.status_code == 200
    assert body.text.count("\n") == 13  # header + the 12 complete responses
