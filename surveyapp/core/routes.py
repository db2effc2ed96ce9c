"""Health check for load balancers and the container orchestrator."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from surveyapp.core import bp
from surveyapp.extensions import db


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 when it does not."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "unavailable", "database": "down"}, 503, {"Retry-After": "5"}
    return {"status": "ok", "database": "up"}
