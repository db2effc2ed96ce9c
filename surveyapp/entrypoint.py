"""Container start-up: apply migrations, then replace this process with gunicorn.

`python -m surveyapp.entrypoint [gunicorn args...]` — used as the image's ENTRYPOINT and
tested directly (tests/core/test_entrypoint.py), since no Docker engine runs in CI.
Set SURVEYAPP_LOAD_BUNDLED=1 to also load the bundled questionnaires at start.
`python -m surveyapp.entrypoint worker [--workers N]` runs the background job worker instead
(no migration: the web container applies them).
"""

from __future__ import annotations

import os
import shutil
import sys


def main(argv: list[str]) -> None:
    """Migrate the configured database, then exec gunicorn with our settings (or, for
    `worker`, exec the job worker)."""
    if argv[:1] == ["worker"]:
        command = [sys.executable, "-m", "surveyapp.cli", "worker", *argv[1:]]
        os.execv(sys.executable, command)  # noqa: S606 - fixed argument list, no shell
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.services import migrations, surveys
    from surveyapp.services.audit import Actor

    app = create_app()
    with app.app_context():
        migrations.upgrade(db.engine)
        print(f"entrypoint: database at {migrations.current_revision(db.engine)}", flush=True)
        if os.environ.get("SURVEYAPP_LOAD_BUNDLED") == "1":
            for result in surveys.load_bundled(db.session, Actor("system", "entrypoint")):
                print(
                    f"entrypoint: survey {result.survey.slug} v{result.version.number}", flush=True
                )
    db.dispose(app)
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    args = [gunicorn, "-c", "python:surveyapp.gunicorn_conf", *argv, "surveyapp:create_app()"]
    os.execv(gunicorn, args)  # noqa: S606 - fixed argument list, no shell


if __name__ == "__main__":
    main(sys.argv[1:])
