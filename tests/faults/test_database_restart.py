"""F-2: the PostgreSQL server restarts, or is down for a few seconds, under a running app.

Runs on a private cluster made by the test (`initdb`, its own port and socket directory,
destroyed afterwards), never on the machine's shared server. PostgreSQL only: skipped in the
SQLite pass, and it must run (not skip) in the PostgreSQL pass.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import requests

from surveyapp.database import engine_for_url
from surveyapp.services import migrations
from tests.faults.helpers import (
    SCHEMA,
    assert_answers_kept,
    assert_polite_503,
    check_database,
    log_text,
    respondent,
    resubmit,
    skip_unless_postgres,
    step,
    worker_pids,
)
from tests.support.fault_pg import private_cluster
from tests.support.servers import gunicorn, load_and_open

pytestmark = [pytest.mark.slow, pytest.mark.db]


@pytest.fixture
def cluster_app(tmp_path):
    """A private cluster with a migrated database holding the race survey, and 2 workers on
    it (gthread, as gunicorn_conf chooses for PostgreSQL); yields (cluster, url, base URL,
    gunicorn process, its log path)."""
    skip_unless_postgres()
    with private_cluster() as cluster:
        url = cluster.create_database("faults")
        engine = engine_for_url(url)
        migrations.upgrade(engine)
        engine.dispose()
        load_and_open(url, SCHEMA)
        log = tmp_path / "gunicorn.log"
        with gunicorn(url, workers=2, log_path=log) as (base, proc):
            yield cluster, url, base, proc, log


class Load:
    """Respondents answering pages in a loop on a few threads, every request recorded."""

    def __init__(self, base: str, threads: int = 4) -> None:
        self.base = base
        self.records: list[tuple[float, float, str]] = []  # (sent, answered, outcome)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self._pool = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def __enter__(self) -> Load:
        for thread in self._pool:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self._pool:
            thread.join(60)

    def _record(self, sent: float, outcome: str) -> None:
        with self.lock:
            self.records.append((sent, time.monotonic(), outcome))

    def _run(self, n: int) -> None:
        seed = 1000 * n
        while not self.stop.is_set():
            seed += 1
            person = respondent(self.base, seed, "fr" if seed % 2 else "en", cell=str(seed % 4 + 1))
            for _request in range(3):  # open, p1, p2
                if self.stop.is_set():
                    return
                sent = time.monotonic()
                try:
                    outcome = step(person)
                except requests.RequestException as exc:
                    outcome = type(exc).__name__
                self._record(sent, outcome)
                if outcome not in ("200", "303"):
                    break  # this respondent gives up; a new one starts

    def sent_after(self, moment: float) -> Counter:
        """Outcomes of the requests sent after `moment`."""
        with self.lock:
            return Counter(outcome for sent, _done, outcome in self.records if sent > moment)

    def count(self) -> int:
        with self.lock:
            return len(self.records)

    def wait_for(self, n: int, timeout: float) -> None:
        """Wait until `n` more requests have been answered."""
        target = self.count() + n
        deadline = time.monotonic() + timeout
        while self.count() < target:
            assert time.monotonic() < deadline, f"the load stalled at {self.count()} requests"
            time.sleep(0.05)


def test_restart_mid_load_then_no_5xx(cluster_app):
    """`pg_ctl restart -m fast` under load: during the restart only polite 503s (never a 500
    or a broken connection), after it 0 5xx: the pool replaces the dead connections at checkout."""
    cluster, url, base, proc, log = cluster_app
    workers = worker_pids(proc.pid)
    with Load(base) as load:
        load.wait_for(80, timeout=60)
        cluster.restart("fast")
        back = time.monotonic()
        load.wait_for(80, timeout=60)
    during = Counter(o for sent, _d, o in load.records if sent <= back)
    after = load.sent_after(back)
    print(f"F-2 restart: before/during {dict(during)}, after {dict(after)}")
    assert set(during) <= {"200", "303", "503", "GET 503"}, during
    assert set(after) <= {"200", "303"}, after
    assert sum(after.values()) >= 80
    assert worker_pids(proc.pid) == workers  # recovered without a worker restart
    assert "status=500" not in log_text(log)
    check_database(url)


def test_database_down_polite_503_then_recovers(cluster_app):
    """Server stopped for 5 s: every page sent gets a 503 with Retry-After in the respondent's
    language, with a form that sends the same answers again; GETs get the light 503 page.
    Back up: pressing "Try again" saves the page and the respondents finish."""
    cluster, url, base, proc, log = cluster_app
    workers = worker_pids(proc.pid)
    people = [respondent(base, i, lang) for i, lang in enumerate(["fr", "en", "fr", "en"])]
    for person in people[2:]:
        person.start()
        assert person.answer_page()  # these two stand on p2; the first two on p1 (no row yet)
    for person in people[:2]:
        person.start()
    cluster.stop("fast")
    down = time.monotonic()
    pending = {}
    try:
        while time.monotonic() - down < 5:
            for n, person in enumerate(people):
                page, body = person.prepare() if n not in pending else pending[n][:2]
                answer = person.post(page, body)
                assert_polite_503(answer, person.lang)
                assert_answers_kept(answer, body)
                pending[n] = (page, body, answer.text)
                shown = person.http.get(f"{base}/s/{person.slug}/p/{page}", timeout=30)
                assert_polite_503(shown, person.lang)
            time.sleep(0.5)
    finally:
        cluster.start()
    for n, person in enumerate(people):
        saved = resubmit(person, pending[n][2])
        assert saved.status_code == 303, (n, saved.status_code, saved.text[:300])
        assert person.get(saved.headers["Location"]).status_code == 200
        for _page in range(3):
            if person.page_id is None or not person.answer_page():
                break
        assert person.page_id is None, person.url
    assert worker_pids(proc.pid) == workers
    assert "status=500" not in log_text(log)
    statuses = check_database(url, expected_rows=4)
    assert set(statuses) <= {"complete", "quota_full"}
