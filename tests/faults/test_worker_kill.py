"""F-1 / I-6: SIGKILL a worker in the middle of a burst of finishing respondents.

120 respondents of the race survey (cell 1, target 50) stand on the last page and finish at the
same instant. A test hook, armed once the burst runs, makes the next finish hold its
transaction open after its quota UPDATE; that worker is killed with SIGKILL inside the window.
Afterwards no response lacks the answers of a page it passed, the quota counters equal their
claims and complete responses (no overfill), and one retry with the same token gives each
respondent exactly one outcome: 120 finished rows, 50 complete. The master has replaced the
worker.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from surveyapp.models import Response
from tests.faults.helpers import (
    CELL_1_TARGET,
    FAULT_CONF,
    SCHEMA,
    check_database,
    engine_on,
    is_postgres,
    log_text,
    respondent,
    wait_for_workers,
    worker_pids,
)
from tests.support.servers import fresh_database, gunicorn, load_and_open

pytestmark = [pytest.mark.slow, pytest.mark.db]

FINISHERS = 120
WORKERS = 4
HOLD_S = "2"  # the armed finish keeps its transaction open this long (killed before)
ARM_AFTER = 10  # finishes committed before the hook is armed: the kill falls mid-burst


def _finished(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(
            select(func.count()).select_from(Response).where(Response.status != "in_progress")
        )


def _kill_one_mid_request(url, markers, killed: list[int], go: threading.Event) -> None:
    """Once the burst runs and some finishes are committed, arm the hook and SIGKILL the
    worker whose finish takes it."""
    go.wait(60)
    deadline = time.monotonic() + 30
    with engine_on(url) as engine:
        while _finished(engine) < ARM_AFTER and time.monotonic() < deadline:
            time.sleep(0.005)
    (markers / "arm").touch()  # the next finish to claim takes it; the burst goes on
    while time.monotonic() < deadline:
        for marker in markers.iterdir():
            if marker.name.isdigit():
                os.kill(int(marker.name), signal.SIGKILL)
                killed.append(int(marker.name))
                return
        time.sleep(0.002)


def _burst_kill_and_retry(base: str, proc, markers, url: str) -> tuple[list[int], set[int]]:
    """The burst, the kill, the checks right after it, then one retry for each lost request."""
    people = [respondent(base, i, "fr" if i % 2 else "en") for i in range(FINISHERS)]
    prepared: dict[int, tuple] = {}
    first: dict[int, str] = {}
    barrier = threading.Barrier(FINISHERS, timeout=60)
    go = threading.Event()

    def finish(i: int) -> None:
        person = people[i]
        person.start()
        assert person.answer_page()  # p1 saved: the response exists, on p2
        prepared[i] = person.prepare()
        if barrier.wait() == 0:
            go.set()
        try:
            first[i] = str(person.post(*prepared[i]).status_code)
        except requests.RequestException as exc:
            first[i] = f"{type(exc).__name__}: {exc}"[:200]

    killed: list[int] = []
    killer = threading.Thread(target=_kill_one_mid_request, args=(url, markers, killed, go))
    killer.start()
    before = worker_pids(proc.pid)
    with ThreadPoolExecutor(max_workers=FINISHERS) as pool:
        for future in [pool.submit(finish, i) for i in range(FINISHERS)]:
            future.result(timeout=90)
    killer.join(35)
    assert killed, "no worker was caught inside a finish"
    assert killed[0] in before

    # The master replaces the killed worker: 4 live workers again, the killed one gone.
    wait_for_workers(proc.pid, WORKERS, timeout=5, exclude=killed)

    # Only the killed worker's request fails, and only as a broken connection (no 5xx).
    lost = {i for i, outcome in first.items() if outcome != "303"}
    assert len(first) == FINISHERS
    assert lost, "no request failed: the worker was not killed mid-request"
    assert all(first[i].startswith("ConnectionError") for i in lost), {i: first[i] for i in lost}
    if not is_postgres():
        # A sync worker (SQLite) holds one request; the others wait in the shared backlog. A
        # gthread worker (PostgreSQL) has accepted every connection it holds, running or
        # queued, and all of them are lost with it.
        assert len(lost) == 1, f"a sync worker holds one request, {len(lost)} were lost"
    # Right after the kill, before any retry: nothing half-saved, counters consistent.
    check_database(url, expected_rows=FINISHERS)

    # One retry with the same token (cookie) and the same answers.
    for i in lost:
        retry = people[i].post(*prepared[i])
        assert retry.status_code == 303, (i, retry.status_code, retry.text[:300])
    # Every respondent now has exactly one outcome, and sees it on the ending page.
    for i, person in enumerate(people):
        page = person.get(f"/s/{person.slug}/end")
        assert page.status_code == 200, (i, person.url)
        assert person.page_id is None, (i, person.url)
    return killed, lost


def test_sigkill_a_worker_during_a_burst_of_finishes(tmp_path):
    started = time.monotonic()
    markers = tmp_path / "inflight"
    markers.mkdir()
    log = tmp_path / "gunicorn.log"
    with fresh_database(tmp_path, "kill") as url:
        load_and_open(url, SCHEMA)
        with gunicorn(
            url,
            workers=WORKERS,
            config=FAULT_CONF,
            log_path=log,
            SURVEYAPP_FAULT_SLOW_CLAIM=HOLD_S,
            SURVEYAPP_FAULT_MARKERS=str(markers),
        ) as (base, proc):
            killed, lost = _burst_kill_and_retry(base, proc, markers, url)
        statuses = check_database(url, expected_rows=FINISHERS)
    assert statuses == {"complete": CELL_1_TARGET, "quota_full": FINISHERS - CELL_1_TARGET}
    assert "status=500" not in log_text(log)
    elapsed = time.monotonic() - started
    print(f"F-1: worker {killed[0]} killed, {len(lost)} request lost and retried, {elapsed:.1f} s")
    assert elapsed < 60
