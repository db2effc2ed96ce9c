"""Fixtures for the respondent tests: the barometer loaded and open."""

from __future__ import annotations

import pytest

from tests.respondent.helpers import open_barometer


@pytest.fixture
def barometer(app):
    """The barometer, loaded and open for fieldwork."""
    return open_barometer(app)
