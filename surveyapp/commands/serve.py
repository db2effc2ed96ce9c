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
def serve_command(host: str, port: int, workers: int | None, threads: int | None) -> None:
    """Run the app under gunicorn (settings: surveyapp/gunicorn_conf.py)."""
    from flask import current_app

    env = os.environ.copy()
    env["SURVEYAPP_BIND"] = f"{host}:{port}"
    env.setdefault("SURVEYAPP_DATABASE_URL", current_app.config["DATABASE_URL"])
    if workers:
        env["SURVEYAPP_WORKERS"] = str(workers)
    if threads:
        env["SURVEYAPP_THREADS"] = str(threads)
        env.setdefault("SURVEYAPP_WORKER_CLASS", "gthread")
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    args = [gunicorn, "-c", "python:surveyapp.gunicorn_conf", "surveyapp:create_app()"]
    click.echo(f"surveyapp listening on http://{host}:{port}/ (admin: http://{host}:{port}/admin/)")
    os.execve(gunicorn, args, env)  # noqa: S606 - fixed argument list, no shell
