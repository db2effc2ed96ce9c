"""JSON for scripts and dashboards, behind `require_access` (session or bearer token)."""

from __future__ import annotations

from flask import g, jsonify
from flask_babel import get_timezone

from surveyapp.admin import bp
from surveyapp.admin.dashboard import fieldwork_today, page_order
from surveyapp.auth.access import require_access
from surveyapp.extensions import db
from surveyapp.services import dashboard


@bp.get("/api/surveys/<slug>/fieldwork.json")
@require_access("quotas")
def fieldwork_json(slug: str):
    """Fieldwork progress of a survey: totals and per-day counts (scope `quotas`)."""
    survey = g.access_survey
    tz = get_timezone()
    board = dashboard.fieldwork(
        db.session, survey, tz, page_order(survey), today=fieldwork_today(survey, tz)
    )
    totals = board.totals
    response = jsonify(
        survey=survey.slug,
        state=survey.state,
        totals={
            "starts": totals.starts,
            "in_progress": totals.in_progress,
            "complete": totals.complete,
            "screened_out": totals.screened_out,
            "quota_full": totals.quota_full,
        },
        median_completion_seconds=board.median_seconds,
        days=[
            {
                "day": d.day.isoformat(),
                "starts": d.starts,
                "complete": d.complete,
                "screened_out": d.screened_out,
                "quota_full": d.quota_full,
            }
            for d in board.days
        ],
        stopped_at=[{"page": page, "respondents": n} for page, n in board.funnel],
    )
    response.headers["Cache-Control"] = "no-store"
    return response
