"""F-2, deterministic part: the database connection dies after a view made its response (a
PostgreSQL restart or failover at that instant). The session's closing ROLLBACK then fails in
the app-context teardown, outside every error handler: the response must still go out, and the
next request must get a fresh connection. PostgreSQL only (it terminates a server backend).
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from surveyapp.extensions import db
from tests.faults.helpers import skip_unless_postgres


@pytest.mark.own_app  # adds routes
def test_connection_lost_after_the_response_is_made(app, database_url):
    skip_unless_postgres()
    killer = create_engine(database_url, isolation_level="AUTOCOMMIT")

    def made_then_lost():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "made"

    def still_there():
        return str(db.session.execute(text("SELECT 1")).scalar_one())

    app.add_url_rule("/faults/made-then-lost", view_func=made_then_lost)
    app.add_url_rule("/faults/still-there", view_func=still_there)
    client = app.test_client()
    try:
        response = client.get("/faults/made-then-lost")
        assert (response.status_code, response.text) == (200, "made")
        again = client.get("/faults/still-there")
        assert (again.status_code, again.text) == (200, "1")
    finally:
        killer.dispose()
