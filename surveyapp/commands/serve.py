"""`surveyapp serve`: run the app under gunicorn."""

from __future__ import annotations

import os
import shutil
import sys

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=None, type=int, help="gunicorn workers (default 4).")
@click.option("--threads", default=None, type=int, help="Threads per worker (gthread).")
@click.option(
    "--job-worker/--no-job-worker",
    default=None,
    help="Run a background job worker too (default: yes on the embedded SQLite queue).",
)
def serve_command(
    host: str, port: int, workers: int | None, threads: int | None, job_worker: bool | None
) -> None:
    """Run the app under gunicorn (settings: surveyapp/gunicorn_conf.py)."""
    from flask import current_app

    from surveyapp.jobs.queue import is_embedded

    env = os.environ.copy()
    env["SURVEYAPP_BIND"] = f"{host}:{port}"
    env.setdefault("SURVEYAPP_DATABASE_URL", current_app.config["DATABASE_URL"])
    if job_worker if job_worker is not None else is_embedded(current_app):
        env["SURVEYAPP_EMBEDDED_WORKER"] = "1"
        env.setdefault("SURVEYAPP_INSTANCE_PATH", current_app.instance_path)
    if workers:
        env["SURVEYAPP_WORKERS"] = str(workers)
    if threads:
        env["SURVEYAPP_THREADS"] = str(threads)
        env.setdefault("SURVEYAPP_WORKER_CLASS", "gthread")
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    args = [gunicorn, "-c", "python:surveyapp.gunicorn_conf", "surveyapp:create_app()"]
    click.echo(f"surveyapp listening on http://{host}:{port}/ (admin: http://{host}:{port}/admin/)")
    os.execve(gunicorn, args, env)  # noqa: S606 - fixed argument list, no shell
