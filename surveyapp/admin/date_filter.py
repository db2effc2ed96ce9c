"""Date filters typed as day, month and year (admin/_date_filter.html) into ISO query values.

A GET form posts `from.day`, `from.month`, `from.year`; the page's links, downloads and the
CLI use `from=YYYY-MM-DD`. `redirect_to_iso` turns the first into the second with one redirect
(so the address stays short and shareable), and when a typed date is not one it drops that
filter and flashes why in the admin's language (« Terminées du : Cette date n’existe pas :
31/02. »), never a 400 page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from surveyapp.engine.dates import PARTS, from_parts
from surveyapp.respondent.display import message


def redirect_to_iso(endpoint: str, labels: Mapping[str, str], **values) -> Response | None:
    """A redirect to `endpoint` with each date filter of `labels` (query name -> its label) as
    an ISO date; None when the query string has no day/month/year fields."""
    args = MultiDict(request.args)
    names = [f"{key}.{part}" for key in labels for part in PARTS]
    if not any(name in args for name in names):
        return None
    for key, label in labels.items():
        posted = [args.getlist(f"{key}.{part}") for part in PARTS]
        for part in PARTS:
            args.poplist(f"{key}.{part}")
        if not any(posted):
            continue
        args.poplist(key)
        value, error = from_parts(key, [[v[:20] for v in values_] for values_ in posted])
        if error is not None:
            flash(f"{label} — {message(error)}", "error")
        elif value is not None:
            args[key] = value.isoformat()
    query: dict[str, Any] = args.to_dict(flat=False)
    return redirect(url_for(endpoint, **values, **query), code=303)
