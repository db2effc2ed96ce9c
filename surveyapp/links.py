"""Links shown to respondents or sent to them, never built from the request's Host header.

A forged `Host` header must not end up in a continue-later link that a respondent copies to
another device. A link meant to leave the page is built from `SURVEYAPP_PUBLIC_URL` (the
study's public address) when it is set; otherwise it is relative, and the browser resolves it
against the address it really shows. `SURVEYAPP_TRUSTED_HOSTS` (Flask's `TRUSTED_HOSTS`)
additionally answers 400 to any other Host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for

from surveyapp.caching import LRUCache


def init_app(app: Flask) -> None:
    """Offer `public_url` and `static_url` to templates."""
    app.add_template_global(public_url)
    app.add_template_global(static_url)


#: Static files' URLs by (the request's script root, file name): `url_for("static")` builds
#: the same path at every page (three per respondent page, 1.2 % of its cycle), and a relative
#: URL depends on nothing else.
_STATIC_URLS: LRUCache[tuple[str, str], str] = LRUCache(256)


def static_url(filename: str) -> str:
    """`url_for("static", filename=filename)`, memoised per script root."""
    key = (request.script_root, filename)
    return _STATIC_URLS.get_or_create(key, lambda: url_for("static", filename=filename))


def check_public_url(value: str | None) -> str | None:
    """The configured public URL without a trailing slash; ValueError when it is not one."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"not an http(s) base address: {value!r}")
    return value.rstrip("/")


def public_url(endpoint: str, **values) -> str:
    """The URL of `endpoint`: under the configured public address, else relative."""
    path = url_for(endpoint, **values)
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return path
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    if root != "/" and path.startswith(root):
        path = path[len(root.rstrip("/")) :]
    return base + path
