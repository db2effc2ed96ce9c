"""Fixtures for the invitation tests: a real SMTP server (aiosmtpd) and a survey with a
declared parameter (the contact attribute carried into the response)."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp.extensions import db
from surveyapp.services import surveys
from surveyapp.services.audit import Actor
from tests.support.mail import smtp  # noqa: F401 - a fixture of this folder's tests

DEMO = Path(__file__).resolve().parents[1] / "admin" / "fixtures" / "demo.yaml"


@pytest.fixture
def demo(app):
    """The demo survey (declared parameter `src`), loaded and open."""
    with app.app_context():
        result = surveys.load_schema_file(db.session, DEMO, Actor.cli())
        surveys.set_state(db.session, result.survey, "open", Actor.cli())
        return result.survey.slug


@pytest.fixture
def mail_app(app, smtp):  # noqa: F811 - the imported fixture
    """The app configured to send through the in-process server."""
    app.config.update(
        SMTP_URL=smtp.url,
        MAIL_FROM="Baromètre <etude@example.org>",
        PUBLIC_URL="https://enquete.example.org",
        MAIL_PER_MINUTE=0,
        REMINDER_INTERVAL_DAYS=3,
    )
    return app
