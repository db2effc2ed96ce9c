"""Refuse input no database can store, before any view or query sees it.

PostgreSQL refuses a NUL character in text (`DataError`) where SQLite stores it: without this
guard `GET /s/%00/` was a 404 on one database and a 500 (with the bound parameters in a
multi-line log) on the other. A NUL in the path is a 404 (no page has such a name); in the query
string or a form field it is a 400. Uploaded files are not inspected here: their readers check
their own content. One log line says where the character was, never the value.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask, abort, request
from werkzeug.datastructures import MultiDict

log = logging.getLogger("surveyapp.input")

NUL = "\x00"
#: Endpoints whose form values are checked by their service, with a friendlier answer: a
#: questionnaire page comes back with the typed values and a located "invalid characters"
#: message (422), and its drafts are stored without NUL (services.responses.forms.typed_values).
FORMS_CHECKED_BY_THEIR_SERVICE = frozenset({"respondent.submit"})


def init_app(app: Flask) -> None:
    """Register the guard (before CSRFProtect: a NUL form is refused before its token check)."""
    app.before_request(refuse_nul)


def _has_nul(items: Iterable[str]) -> bool:
    return any(NUL in item for item in items)


def _multidict_has_nul(data: MultiDict) -> bool:
    return any(NUL in key or _has_nul(values) for key, values in data.lists())


def refuse_nul() -> None:
    """404 for a NUL in the path, 400 for one in the query string or a form field."""
    if NUL in request.path:
        log.info("event=invalid_input where=path reason=nul")
        abort(404)
    if _multidict_has_nul(request.args):
        log.info("event=invalid_input where=query reason=nul")
        abort(400)
    if (
        request.method in {"POST", "PUT", "PATCH"}
        and request.endpoint not in FORMS_CHECKED_BY_THEIR_SERVICE
        and _multidict_has_nul(request.form)
    ):
        log.info("event=invalid_input where=form reason=nul")
        abort(400)
