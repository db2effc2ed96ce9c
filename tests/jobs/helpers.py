"""Helpers of the job tests: many responses at once, a job run in the test process."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import insert

from surveyapp.models import Response, Survey, utcnow


def add_responses(session, survey: Survey, count: int, start: int = 0) -> None:
    """Insert `count` complete responses to the demo survey (one multi-row INSERT a batch)."""
    survey = session.get(Survey, survey.id)
    now = utcnow()
    rows = [
        {
            "survey_id": survey.id,
            "version_id": survey.current_version_id,
            "token_hash": hashlib.sha256(f"{survey.id}-{start + i}".encode()).hexdigest(),
            "language": "fr" if i % 2 else "en",
            "seed": f"{i:016x}",
            "status": "complete",
            "ending_id": "end",
            "current_page": None,
            "answers": {"q1": "1" if i % 3 else "2", "region": "1" if i % 2 else "2"},
            "params": {},
            "page_history": [],
            "started_at": now - timedelta(minutes=10),
            "updated_at": now,
            "completed_at": now,
        }
        for i in range(count)
    ]
    for first in range(0, len(rows), 2000):
        session.execute(insert(Response), rows[first : first + 2000])
    session.commit()
