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
# The app's own proxy headers are ignored: the client address is never needed.
forwarded_allow_ips = ""
