"""Start coverage in every Python process of a coverage run (README, "Coverage").

Put this directory first on PYTHONPATH and set COVERAGE_PROCESS_START to pyproject.toml: each
interpreter the tests start (the CLI, `python -m surveyapp.entrypoint`, gunicorn and its forked
workers, the job worker, xdist workers) then measures itself from its first import and writes a
data file of its own. Without COVERAGE_PROCESS_START, or without coverage installed, it does
nothing.
"""

import os

if os.environ.get("COVERAGE_PROCESS_START"):
    try:
        import coverage
    except ImportError:  # not installed: the run goes on unmeasured
        pass
    else:
        coverage.process_startup()
