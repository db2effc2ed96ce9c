"""Security headers on every response, and request-size limits."""

from __future__ import annotations

from flask import Flask, Response, abort, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def init_app(app: Flask) -> None:
    """Register the header hook and the body guards (call before CSRFProtect's init_app, so
    that an oversized or chunked body is refused before its token is checked)."""
    app.config.setdefault("MAX_FORM_PARTS", 400)
    app.before_request(_reject_chunked_forms)
    app.before_request(_limit_form_parts)
    app.after_request(_set_headers)


def _reject_chunked_forms() -> None:
    """A form body without a length cannot be limited before reading it: refuse it (411)."""
    if (
        request.method in {"POST", "PUT", "PATCH"}
        and "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    ):
        abort(411)


def _limit_form_parts() -> None:
    """Werkzeug counts MAX_FORM_PARTS for multipart bodies only: count urlencoded fields too."""
    from flask import current_app

    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        limit = current_app.config["MAX_FORM_PARTS"]
        if sum(len(values) for _key, values in request.form.lists()) > limit:
            abort(413)


#: Set on every response that does not carry its own (a view may set a stricter one).
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    # same-origin: Flask-WTF's HTTPS referrer check needs our own pages' referrer; no other
    # site ever receives one.
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _set_headers(response: Response) -> Response:
    """Content-Security-Policy, nosniff, referrer policy, frame ban and HSTS in production,
    unless the response has its own. The names present are read once (`Headers.setdefault`
    scans and lower-cases every header twice per name: ~4 times this hook's cost)."""
    from flask import current_app

    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    wanted = SECURITY_HEADERS + ((HSTS,) if current_app.config.get("HSTS") else ())
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    return response
