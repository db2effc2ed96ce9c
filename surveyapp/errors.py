"""Error pages in the visitor's language; database outages become a polite 503."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

log = logging.getLogger("surveyapp.errors")


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(DataError, _data_refused)


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        411: _("Length required"),
        413: _("The form is too large"),
        422: _("The form could not be processed"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
        503: _("Service temporarily unavailable"),
    }


def _http_error(exc: HTTPException):
    code = exc.code or 500
    title = _titles().get(code, exc.name)
    if isinstance(exc, SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page template.
        log.info("event=untrusted_host")
        return title, code, {"Content-Type": "text/plain; charset=utf-8"}
    if _wants_json():
        return {"error": title, "status": code}, code
    return render_template("error.html", code=code, title=title), code


def log_database_unavailable(exc: OperationalError) -> None:
    """Log why the database refused: the driver's first line tells a held lock ("database is
    locked"), a full disk ("database or disk is full") and a server away apart. It carries
    no statement and no parameters, so no answer can leak into the log."""
    lines = str(exc.orig).strip().splitlines()
    reason = lines[0][:160] if lines else ""
    log.warning("event=database_unavailable error=%s reason=%r", type(exc.orig).__name__, reason)


def _database_unavailable(exc: OperationalError):
    log_database_unavailable(exc)
    title = _titles()[503]
    headers = {"Retry-After": "5"}
    if _wants_json():
        return {"error": title, "status": 503}, 503, headers
    return render_template("error.html", code=503, title=title), 503, headers


def _data_refused(exc: DataError):
    """A value the database cannot take (a NUL, an out-of-range number): the client's input is
    at fault, so 400, with one log line naming the driver's error class and no value."""
    from surveyapp.extensions import db

    db.reset_after_error()
    log.info("event=data_refused error=%s", type(exc.orig).__name__)
    title = _titles()[400]
    if _wants_json():
        return {"error": title, "status": 400}, 400
    return render_template("error.html", code=400, title=title), 400
