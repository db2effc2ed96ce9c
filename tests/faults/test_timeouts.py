"""F-5: gunicorn's `timeout` against a hung request and against a long export.

What gunicorn does (read in gunicorn/workers/sync.py, gthread.py and arbiter.py, and in
benoitc/gunicorn#2086, #1493): the master kills a worker whose heartbeat file is older than
`timeout`. A *sync* worker refreshes its heartbeat only between requests, so on sync workers
(our SQLite setting) `timeout` bounds a whole request, streamed responses included: the master
sends SIGABRT, the request ends (gunicorn's own bare 500 page if nothing was sent yet, else a
cut connection), a new worker is started. A *gthread* worker
(our PostgreSQL setting) refreshes it from its main loop every second whatever its threads do,
so there `timeout` never ends a request: a hung request keeps one thread until it returns.

A streamed export therefore still occupies a sync worker for as long as the client takes to
read it, beyond what the kernel's socket buffers absorb (about 4 MB here): a slow client makes
the worker overrun `timeout` and the download is cut. Behind a buffering reverse proxy (nginx's
default `proxy_buffering on`) the worker only takes the export's production time. The export
test shows both with one stalled client each: cut when it reads the worker directly, complete
through the buffering proxy, whose upstream answer ended well within `timeout`.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from sqlalchemy import insert, select

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import Response, Survey, utcnow
from surveyapp.services import accounts, tokens
from surveyapp.services.audit import Actor
from tests.faults.helpers import (
    FAULT_CONF,
    engine_on,
    log_text,
    respondent,
    sqlite_survey,
    step,
    wait_for_workers,
    worker_pids,
)
from tests.support.fault_proxy import BufferingProxy, dechunk, get_after_stall
from tests.support.servers import gunicorn, load_and_open

pytestmark = pytest.mark.slow

TIMEOUT_S = 3
KILLED = re.compile(r"WORKER TIMEOUT \(pid:(\d+)\)")
EXPORT_SCHEMA = Path(__file__).parent / "fixtures" / "export.yaml"
EXPORT_SLUG = "faults-export"
STORY = "Une réponse longue, avec des virgules, des « guillemets » et des accents. " * 27


def _stream(base: str, count: int, rate: float, seed: int) -> Counter:
    """`count` requests at `rate` per second from respondents going through the survey."""
    outcomes: Counter = Counter()
    person = None
    for n in range(count):
        sent = time.monotonic()
        if person is None or person.page_id is None:
            person = respondent(base, seed + n, "fr" if n % 2 else "en", cell=str(n % 4 + 1))
        try:
            outcomes[step(person)] += 1
        except requests.RequestException as exc:
            outcomes[type(exc).__name__] += 1
        time.sleep(max(0.0, 1 / rate - (time.monotonic() - sent)))
    return outcomes


def _hang(base: str, seconds: float, result: dict) -> None:
    started = time.monotonic()
    try:
        answer = requests.get(
            f"{base}/healthz", headers={"X-Fault-Hang": str(seconds)}, timeout=seconds + 30
        )
        result["outcome"] = str(answer.status_code)
        result["body"] = answer.text
    except requests.RequestException as exc:
        result["outcome"] = type(exc).__name__
    result["seconds"] = time.monotonic() - started


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory):
    """Sync workers (our SQLite setting) with a 3 s timeout, on a database holding the race
    survey and the export survey with enough long answers to outgrow the socket buffers."""
    tmp = tmp_path_factory.mktemp("sync")
    url = sqlite_survey(tmp, "timeouts")
    load_and_open(url, EXPORT_SCHEMA)
    rows = (_socket_buffer_bytes() + 2_000_000) // len(STORY.encode())
    secret = _export_rows(url, rows)
    log = tmp / "gunicorn.log"
    with gunicorn(
        url,
        workers=3,
        config=FAULT_CONF,
        log_path=log,
        SURVEYAPP_TIMEOUT=str(TIMEOUT_S),
        SURVEYAPP_WORKER_CLASS="sync",
    ) as (base, proc):
        yield base, proc, log, secret, rows


def test_sync_worker_hung_request_is_killed_and_replaced(sync_server):
    base, proc, log, _secret, _rows = sync_server
    already = len(KILLED.findall(log_text(log)))
    before = worker_pids(proc.pid)
    hung: dict = {}
    hanger = threading.Thread(target=_hang, args=(base, 60, hung))
    hanger.start()
    outcomes = _stream(base, 50, rate=8, seed=0)  # about 6 s: past the timeout
    hanger.join(40)
    killed = [int(pid) for pid in KILLED.findall(log_text(log))[already:]]
    assert len(killed) == 1, log_text(log)[-2000:]
    assert killed[0] in before
    after = wait_for_workers(proc.pid, len(before), timeout=10, exclude=killed)
    assert outcomes == Counter({"200": outcomes["200"], "303": outcomes["303"]}), outcomes
    assert sum(outcomes.values()) == 50
    # gunicorn answers the aborted request itself when it can (its bare 500 page), else the
    # connection is cut; either way within moments of the timeout, and nothing of ours leaks.
    assert hung["outcome"] in {"500", "ConnectionError"}, hung
    assert "Traceback" not in hung.get("body", "")
    assert TIMEOUT_S <= hung["seconds"] < TIMEOUT_S + 10, hung
    assert len(after - before) == 1
    print(f"F-5 sync: hung request ended ({hung['outcome']}) after {hung['seconds']:.1f} s")


def test_gthread_timeout_is_a_heartbeat_not_a_request_limit(tmp_path):
    """Documents gunicorn's gthread semantics (our PostgreSQL setting): the hung request is
    *not* killed, it keeps one thread until it returns; the other requests are unaffected."""
    log = tmp_path / "gunicorn.log"
    hang_s = TIMEOUT_S + 3
    with gunicorn(
        sqlite_survey(tmp_path, "gthread"),
        workers=2,
        config=FAULT_CONF,
        log_path=log,
        SURVEYAPP_TIMEOUT=str(TIMEOUT_S),
        SURVEYAPP_WORKER_CLASS="gthread",
        SURVEYAPP_THREADS="4",
    ) as (base, proc):
        before = worker_pids(proc.pid)
        hung: dict = {}
        hanger = threading.Thread(target=_hang, args=(base, hang_s, hung))
        hanger.start()
        outcomes = _stream(base, 50, rate=8, seed=100)
        hanger.join(40)
        assert worker_pids(proc.pid) == before
    assert outcomes == Counter({"200": outcomes["200"], "303": outcomes["303"]}), outcomes
    assert hung["outcome"] == "200", hung
    assert hung["seconds"] >= hang_s, hung
    assert "WORKER TIMEOUT" not in log_text(log)


def _export_rows(url: str, rows: int) -> str:
    """`rows` complete responses to the export survey with a long text answer each, an analyst
    and an export token; returns the token."""
    with engine_on(url) as engine, engine.begin() as conn:
        survey_id, version_id = conn.execute(
            select(Survey.id, Survey.current_version_id).where(Survey.slug == EXPORT_SLUG)
        ).one()
        now = utcnow()
        conn.execute(
            insert(Response),
            [
                {
                    "survey_id": survey_id,
                    "version_id": version_id,
                    "token_hash": secrets.token_hex(32),
                    "status": "complete",
                    "ending_id": "done",
                    "language": "fr",
                    "page_history": ["p1"],
                    "answers": {"consent": 1, "story": f"{n} {STORY}"},
                    "params": {},
                    "seed": secrets.token_hex(16),
                    "started_at": now,
                    "updated_at": now,
                    "completed_at": now,
                }
                for n in range(rows)
            ],
        )
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
    actor = Actor("system", "tests")
    with app.app_context():
        accounts.create_user(db.session, "analyst@example.org", "analyst", "p" * 12, actor)
        secret = tokens.create_token(
            db.session, "analyst@example.org", ["export"], None, 1, actor
        ).secret
    db.dispose(app)
    return secret


def _socket_buffer_bytes() -> int:
    """The largest TCP send buffer the kernel grants: what a stalled client lets pile up."""
    with open("/proc/sys/net/ipv4/tcp_wmem") as fh:
        return int(fh.read().split()[2])


def test_long_export_does_not_hold_a_sync_worker_behind_a_buffering_proxy(sync_server):
    base, _proc, log, secret, rows = sync_server
    already = len(KILLED.findall(log_text(log)))
    port = int(base.rsplit(":", 1)[1])
    path = f"/admin/surveys/{EXPORT_SLUG}/export.csv"
    headers = {"Authorization": f"Bearer {secret}"}
    stall = TIMEOUT_S + 2
    results: dict[str, bytes] = {}

    def download(name: str, to_port: int) -> None:
        results[name] = get_after_stall(to_port, path, headers, stall)

    with BufferingProxy(port) as proxy:
        clients = [
            threading.Thread(target=download, args=("direct", port)),
            threading.Thread(target=download, args=("proxied", proxy.port)),
        ]
        for thread in clients:
            thread.start()
        outcomes = _stream(base, 40, rate=8, seed=200)  # meanwhile, respondents go on
        for thread in clients:
            thread.join(60)
        upstream = list(proxy.upstream_seconds)
    status, body, complete = dechunk(results["proxied"])
    assert (status, complete) == (200, True)
    assert body.count(STORY.encode()) == rows  # every row
    assert len(upstream) == 1
    assert upstream[0] < TIMEOUT_S, upstream  # the worker was free well in time
    # The same stalled client reading the worker directly holds it past the timeout: cut.
    status, body, complete = dechunk(results["direct"])
    assert status == 200
    assert not complete
    assert body.count(STORY.encode()) < rows
    assert len(KILLED.findall(log_text(log))[already:]) == 1
    assert outcomes == Counter({"200": outcomes["200"], "303": outcomes["303"]}), outcomes
    print(
        f"F-5 export: {rows} rows, {len(body) / 1e6:.1f} MB before the cut, worker busy "
        f"{upstream[0]:.2f} s behind the proxy ({len(results['proxied']) / 1e6:.1f} MB)"
    )
