"""F-3 and F-4: SQLite's two ways of refusing a write, under real gunicorn workers.

- Contention: another connection holds the write lock (BEGIN IMMEDIATE) longer than the busy
  timeout. The page save waits the busy timeout, then answers 503 + Retry-After (never 500)
  with the answers kept; the file stays intact and the respondent goes on once it is released.
- Disk full: `PRAGMA max_page_count` just above the file's size (a test hook applies it to the
  server's own connections: the pragma is per connection). Every save that needs a new page
  answers a clear 503 with the answers kept, nothing partial is stored, the file stays intact,
  and the same respondents go on once the cap is lifted.

SQLite only, whatever SURVEYAPP_TEST_DATABASE_URL says: these tests make their own file.
"""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.faults.helpers import (
    FAULT_CONF,
    assert_answers_kept,
    assert_polite_503,
    check_database,
    log_text,
    respondent,
    resubmit,
    sqlite_integrity,
    sqlite_survey,
)
from tests.support.servers import gunicorn

pytestmark = pytest.mark.slow

BUSY_MS = 1000  # the server's busy timeout here (production: 5000), to keep the test short


def test_write_lock_held_past_busy_timeout_gives_503_then_recovers(tmp_path):
    url = sqlite_survey(tmp_path, "lock")
    log = tmp_path / "gunicorn.log"
    with gunicorn(url, workers=2, log_path=log, SURVEYAPP_SQLITE_BUSY_TIMEOUT_MS=str(BUSY_MS)) as (
        base,
        _proc,
    ):
        people = [respondent(base, i, lang) for i, lang in enumerate(["fr", "en"])]
        for person in people:
            person.start()
        people[1].answer_page()  # one new respondent (p1), one finishing (p2)
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            refused = []
            for person in people:
                page, body = person.prepare()
                sent = time.monotonic()
                answer = person.post(page, body)
                waited = time.monotonic() - sent
                assert_polite_503(answer, person.lang)
                assert_answers_kept(answer, body)
                assert waited >= BUSY_MS / 1000 * 0.9, "refused before the busy timeout"
                refused.append(answer.text)
                # Reading still works while the lock is held (WAL): the page is shown again.
                assert person.http.get(person.url, timeout=30).status_code == 200
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert sqlite_integrity(url) == "ok"
        for person, page_503 in zip(people, refused, strict=True):
            saved = resubmit(person, page_503)
            assert saved.status_code == 303, saved.text[:300]
            assert person.get(saved.headers["Location"]).status_code == 200
        assert people[0].page_id == "p2"
        assert people[1].page_id is None
    assert "status=500" not in log_text(log)
    assert log_text(log).count("reason='database is locked'") == 2
    check_database(url, expected_rows=2)


def test_disk_full_gives_503_keeps_answers_and_stores_nothing_partial(tmp_path):
    url = sqlite_survey(tmp_path, "full")
    cap = tmp_path / "max_page_count"
    log = tmp_path / "gunicorn.log"
    with gunicorn(
        url, workers=2, config=FAULT_CONF, log_path=log, SURVEYAPP_FAULT_PAGE_CAP=str(cap)
    ) as (base, _proc):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
        cap.write_text(str(pages + 1))
        # New respondents save their first page until the file cannot grow.
        saved, refused = 0, []
        for n in range(400):
            person = respondent(base, n, "en" if n % 2 else "fr")
            person.start()
            page, body = person.prepare()
            answer = person.post(page, body)
            if answer.status_code == 303:
                saved += 1
                continue
            assert_polite_503(answer, person.lang)
            assert_answers_kept(answer, body)
            refused.append((person, answer.text))
            if len(refused) == 3:
                break
        assert len(refused) == 3, f"the cap of {pages + 1} pages never filled up"
        # Each failing save stays a 503 while the disk is full; nothing partial is stored.
        for person, page_503 in refused:
            again = resubmit(person, page_503)
            assert_polite_503(again, person.lang)
        assert sqlite_integrity(url) == "ok"
        check_database(url, expected_rows=saved)
        # Space returns: the same respondents go on, with what they typed.
        cap.write_text("")
        for person, page_503 in refused:
            answer = resubmit(person, page_503)
            assert answer.status_code == 303, answer.text[:300]
            assert person.get(answer.headers["Location"]).status_code == 200
            assert person.page_id == "p2"
            assert not person.answer_page()  # and finish
    assert "status=500" not in log_text(log)
    assert log_text(log).count("reason='database or disk is full'") == 6  # 3 refused, twice
    assert sqlite_integrity(url) == "ok"
    statuses = check_database(url, expected_rows=saved + 3)
    print(f"F-4: {saved} first pages fitted under the cap, 3 refused then finished: {statuses}")
