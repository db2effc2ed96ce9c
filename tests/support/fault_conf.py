"""gunicorn settings for the fault tests (RELIABILITY F-1..F-6): surveyapp's own settings, plus
test-only faults installed in each worker by `post_worker_init`, switched on by environment
variables. Production code carries none of this.

- `SURVEYAPP_FAULT_SLOW_CLAIM=<seconds>` with `SURVEYAPP_FAULT_MARKERS=<dir>`: when the test
  creates `<dir>/arm`, the next finishing respondent's quota claim takes it (renamed to
  `<dir>/<pid>`) and sleeps inside its transaction (after the quota UPDATEs, before the commit),
  so the test knows which worker to SIGKILL mid-request. Other claims run at full speed.
- `SURVEYAPP_FAULT_PAGE_CAP=<file>`: every pooled SQLite connection, when checked out, applies
  `PRAGMA max_page_count=<the number in the file>` (an empty or missing file lifts the cap).
  The pragma is per connection, so only the server's own connections can be capped: "disk full".
- Always: a request carrying `X-Fault-Hang: <seconds>` sleeps that long before the app sees it.
"""

import os

from surveyapp.gunicorn_conf import *  # noqa: F403

HANG_HEADER = "HTTP_X_FAULT_HANG"
NO_CAP = 1073741823  # SQLite's default max_page_count


def post_worker_init(worker):
    """Install the faults asked for in this worker."""
    app = worker.wsgi
    if os.environ.get("SURVEYAPP_FAULT_SLOW_CLAIM"):
        _slow_claims(float(os.environ["SURVEYAPP_FAULT_SLOW_CLAIM"]))
    if os.environ.get("SURVEYAPP_FAULT_PAGE_CAP"):
        _page_cap(app, os.environ["SURVEYAPP_FAULT_PAGE_CAP"])
    worker.wsgi = _hang_on_request(app)


def _slow_claims(seconds: float) -> None:
    import time
    from pathlib import Path

    from surveyapp.services import quotas

    markers = Path(os.environ["SURVEYAPP_FAULT_MARKERS"])
    original = quotas.claim
    marker = markers / str(os.getpid())

    def slow_claim(session, response, cell_ids):
        claimed = original(session, response, cell_ids)
        try:
            (markers / "arm").rename(marker)  # atomic: one claim only takes it
        except FileNotFoundError:
            return claimed
        time.sleep(seconds)  # the counters are updated, the transaction still open
        marker.unlink(missing_ok=True)
        return claimed

    quotas.claim = slow_claim


def _page_cap(app, path: str) -> None:
    from pathlib import Path

    from sqlalchemy import event

    from surveyapp.extensions import db

    cap_file = Path(path)

    @event.listens_for(db.engine_for(app), "checkout")
    def _apply_cap(dbapi_conn, _record, _proxy):
        text = cap_file.read_text().strip() if cap_file.exists() else ""
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA max_page_count={int(text) if text else NO_CAP}")
        cursor.close()


def _hang_on_request(app):
    import time

    def middleware(environ, start_response):
        hang = environ.get(HANG_HEADER)
        if hang:
            time.sleep(float(hang))
        return app(environ, start_response)

    return middleware
