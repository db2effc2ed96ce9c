"""The browser harness of the browser tests (marked `browser`): Debian chromium driven by
Playwright, launched once per test session (once per xdist worker), a fresh context per page,
and the gunicorn server prepared through the CLI that the respondent browser tests visit.

Registered as a plugin by tests/conftest.py: every test module can ask for `browser`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.servers import REPO, VENV_BIN, app_env, fresh_database, gunicorn

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MOBILE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def output_dir(name: str) -> Path:
    """Where a browser test leaves its screenshots: $SURVEYAPP_TEST_OUTPUT/<name>."""
    return Path(os.environ.get("SURVEYAPP_TEST_OUTPUT", REPO / "test-output")) / name


@pytest.fixture(scope="session")
def chromium():
    """One chromium for the session (for the worker under xdist): starting it costs seconds."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium):
    """The session's chromium; the contexts (and pages) a test opens are closed after it, so
    no cookie, storage or page of one test reaches the next."""
    yield chromium
    for context in list(chromium.contexts):
        context.close()


@contextmanager
def cli_server(
    tmp: Path, label: str, commands: list[list[str]], **gunicorn_args
) -> Iterator[tuple[str, str]]:
    """gunicorn (two workers) on a fresh database prepared by `surveyapp` CLI commands; yields
    (base URL, database URL). The commands run in one subprocess: importing the app costs
    seconds per process."""
    with fresh_database(tmp, label) as url:
        script = (
            "from surveyapp.cli import main\n"
            f"for args in {commands!r}:\n"
            "    main(args, standalone_mode=False)\n"
        )
        subprocess.run(
            [str(VENV_BIN / "python"), "-c", script],
            env=app_env(url),
            cwd=REPO,
            check=True,
            capture_output=True,
            timeout=120,
        )
        with gunicorn(url, workers=2, log_path=tmp / "server.log", **gunicorn_args) as (base, _p):
            yield base, url
