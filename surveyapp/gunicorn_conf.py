"""gunicorn settings used by `surveyapp serve` and the container (override with GUNICORN_CMD_ARGS).

The access log carries no client address, user agent or referrer, and no query string
(continue-later codes and recruitment parameters travel there).
"""

import os

bind = os.environ.get("SURVEYAPP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SURVEYAPP_WORKERS", "4"))
_sqlite = os.environ.get("SURVEYAPP_DATABASE_URL", "sqlite").startswith("sqlite")
# SQLite has one writer: threads would queue on its lock and push the tail latency up.
worker_class = os.environ.get("SURVEYAPP_WORKER_CLASS", "sync" if _sqlite else "gthread")
threads = int(os.environ.get("SURVEYAPP_THREADS", "1" if _sqlite else "4"))
timeout = int(os.environ.get("SURVEYAPP_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
access_log_format = (
    "%(t)s level=INFO logger=access method=%(m)s path=%(U)s status=%(s)s bytes=%(B)s ms=%(M)s"
)
# gunicorn ignores X-Forwarded-*; the app reads X-Forwarded-For/-Proto itself (Werkzeug's
# ProxyFix) only when SURVEYAPP_PROXY_HOPS is set (docs/operations.md, "HTTPS in front").
forwarded_allow_ips = ""


# The embedded job worker (`surveyapp serve` on the default SQLite queue): started once the
# master is ready, stopped with it, so the one command runs everything on a single host.
_job_worker = None


def when_ready(server):
    """Start `surveyapp worker` beside the web workers when asked (SURVEYAPP_EMBEDDED_WORKER)."""
    global _job_worker
    if os.environ.get("SURVEYAPP_EMBEDDED_WORKER") != "1":
        return
    import subprocess  # noqa: S404 - fixed argument list, no shell
    import sys

    args = [sys.executable, "-m", "surveyapp.cli", "worker"]
    _job_worker = subprocess.Popen(args)  # noqa: S603
    server.log.info("embedded job worker started (pid %s)", _job_worker.pid)


def on_exit(server):
    """Stop the embedded job worker with the master (a job cut short runs again later)."""
    if _job_worker is not None and _job_worker.poll() is None:
        _job_worker.terminate()
        try:
            _job_worker.wait(timeout=graceful_timeout)
        except Exception:  # noqa: BLE001 - still alive: kill it
            _job_worker.kill()
