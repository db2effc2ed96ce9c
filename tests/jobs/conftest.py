"""Fixtures of the job tests: those of the admin tests, and job settings in the test folder."""

from __future__ import annotations

import pytest

from surveyapp.jobs import queue
from tests.admin.conftest import as_role, demo_survey, make_user, users  # noqa: F401


@pytest.fixture
def settings(app):
    """The job settings of the test app (files under its instance folder)."""
    return queue.settings_for(app)
