"""Who is asking: the admin session behind the cookie, or an API token; and what they may do.

- `load_user()` validates the server-side session named by the Flask session cookie.
- `roles_required(*roles)` guards an admin page (302 to the login page, or 403).
- `require_access(scope)` guards a data route that scripts may call with
  `Authorization: Bearer <token>` and people with their session (see its docstring).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from surveyapp.domain import Role, TokenScope
from surveyapp.extensions import csrf, db
from surveyapp.models import User, utcnow
from surveyapp.services import auth as auth_service
from surveyapp.services import tokens as token_service

#: Key of the raw session id in the (signed) Flask session cookie.
SESSION_KEY = "admin_sid"
ROLES_ALL = tuple(role.value for role in Role)
#: Roles whose session may use each token scope's routes (a token needs the scope itself).
SCOPE_ROLES: dict[str, tuple[str, ...]] = {
    TokenScope.EXPORT: ROLES_ALL,
    TokenScope.QUOTAS: ROLES_ALL,
}
#: Query-string names under which tokens are refused (they would end up in logs and history).
TOKEN_QUERY_NAMES = ("token", "access_token", "api_key", "apikey", "bearer")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: What an account whose password was reset may still use before choosing a new one.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.password", "auth.language", "auth.logout"})


def now() -> datetime:
    """The clock of the session checks (tests replace it to travel in time)."""
    return utcnow()


def session_policy() -> auth_service.SessionPolicy:
    """Idle and absolute lifetimes from the config."""
    config = current_app.config
    return auth_service.SessionPolicy(
        idle=timedelta(minutes=config["ADMIN_IDLE_MINUTES"]),
        absolute=timedelta(hours=config["ADMIN_ABSOLUTE_HOURS"]),
    )


def load_user() -> User | None:
    """The user of a valid admin session for this request (checked once per request)."""
    if "admin_user" in g:
        return g.admin_user
    raw = session.get(SESSION_KEY)
    user = None
    if raw:
        moment = now()
        check = auth_service.check_session(db.session, raw, moment, session_policy())
        if check is None:
            session.pop(SESSION_KEY, None)
        else:
            if check.needs_touch:
                auth_service.touch_session(db.session, check.id_hash, moment)
            user = check.user
            g.locale = user.language
    g.admin_user = user
    return user


def current_user() -> User | None:
    """The logged-in admin user, if any (after `load_user`)."""
    return g.get("admin_user")


def signed_in_user() -> User:
    """The logged-in admin user of a route that `roles_required` guards (401 without one)."""
    user = current_user()
    if user is None:
        abort(401)
    return user


def start_session(raw_id: str) -> None:
    """Bind a fresh login to the browser: a new cookie content, nothing kept from before."""
    session.clear()
    session[SESSION_KEY] = raw_id
    g.pop("admin_user", None)


def end_session() -> str | None:
    """Forget the login in the browser; returns the raw id to revoke."""
    raw = session.get(SESSION_KEY)
    session.clear()
    g.pop("admin_user", None)
    return raw


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path inside the admin area, else None (no open redirect).

    Control characters (CR, LF, NUL, DEL…) are refused: a `Location` header cannot carry them
    (Werkzeug raises, which was a 500) and they have no place in a link we built ourselves.
    """
    if not target or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin/"):
        return None
    return target


def _login_redirect():
    path = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=path))


def must_change_password(user: User) -> bool:
    """True when this request must lead the user to the password form first (after a reset)."""
    return user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS


def roles_required(*roles: str) -> Callable:
    """Decorator: a logged-in user with one of `roles` (302 to login when anonymous, else 403)."""
    unknown = set(roles) - set(ROLES_ALL)
    if not roles or unknown:
        raise ValueError(f"roles must be among {ROLES_ALL}, got {roles}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            user = load_user()
            if user is None:
                return _login_redirect()
            if must_change_password(user):
                return redirect(url_for("auth.password"), 303)
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.admin_roles = tuple(roles)  # type: ignore[attr-defined]  # read by guard_blueprint
        return wrapper

    return decorator


def guard_blueprint() -> Any:
    """before_request of the admin blueprint: deny by default.

    Every admin view must declare who may use it (`roles_required` or `require_access`);
    one that does not answers 403 to everybody, so a forgotten decorator fails closed.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return None
    if getattr(view, "access_scope", None):
        return None  # require_access authenticates (token or session) itself
    if not getattr(view, "admin_roles", None):
        abort(403)
    return None


def private_page_headers(response: Response) -> Response:
    """after_request of the admin and login pages: never cached."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _json_error(status: int, message: str, headers: dict[str, str] | None = None):
    response = jsonify(error=message, status=status)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def require_access(scope: str, survey_arg: str | None = "slug") -> Callable:
    """Decorator for data routes (exports, quota JSON) usable by people and by scripts.

    - A token in the query string (`?token=`, `?access_token=`…) is refused with 401 (A-6).
    - With an `Authorization` header: it must be `Bearer <token>`, live, of an active user,
      with `scope`, and cover the survey named by the `survey_arg` URL argument; else 401.
      Each accepted use is audit-logged (`token.use`). CSRF does not apply (no cookie is used).
    - Without it: the admin session must belong to a role of `SCOPE_ROLES[scope]` (anonymous:
      302 to login for browsers, 401 otherwise; other roles: 403), and non-GET requests need
      the CSRF token like any form.

    The view finds the survey in `g.access_survey` and the audit actor in `g.access_actor`.
    """
    if scope not in SCOPE_ROLES:
        raise ValueError(f"unknown scope {scope!r}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if any(name in request.args for name in TOKEN_QUERY_NAMES):
                return _json_error(
                    401,
                    _(
                        "API tokens are accepted only in the Authorization header "
                        "(Authorization: Bearer <token>), never in the address. "
                        "Revoke this token: it may now be in logs or browser history."
                    ),
                )
            survey = None
            slug = kwargs.get(survey_arg) if survey_arg else None
            if slug is not None:
                from surveyapp.services.surveys import get_survey

                survey = get_survey(db.session, slug)
                if survey is None:
                    abort(404)
            header = request.headers.get("Authorization")
            if header is not None:
                denied = _accept_token(header, scope, survey)
            else:
                denied = _accept_session(scope)
            if denied is not None:
                return denied
            g.access_survey = survey
            return view(*args, **kwargs)

        wrapper.access_scope = scope  # type: ignore[attr-defined]  # read by guard_blueprint
        csrf.exempt(wrapper)  # checked in _accept_session when no Authorization header is sent
        return wrapper

    return decorator


def _accept_token(header: str, scope: str, survey) -> Any:
    scheme, _sep, secret = header.strip().partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="surveyapp", error="invalid_token"'}
    if scheme.lower() != "bearer" or not secret.strip():
        return _json_error(401, _("Send the token as: Authorization: Bearer <token>."), challenge)
    use = token_service.authenticate(db.session, secret.strip(), scope, survey, request.path, now())
    if use is None:
        return _json_error(
            401,
            _("This token is unknown, expired, revoked, or not valid for this survey or use."),
            challenge,
        )
    g.api_token = use.token
    g.access_actor = token_service.token_actor(use.token)
    return None


def _accept_session(scope: str) -> Any:
    if request.method not in SAFE_METHODS:
        csrf.protect()
    user = load_user()
    if user is None:
        wants_page = "text/html" in request.accept_mimetypes.values()
        if wants_page and not request.path.endswith(".json"):
            return _login_redirect()
        return _json_error(
            401, _("Log in or send an API token."), {"WWW-Authenticate": 'Bearer realm="surveyapp"'}
        )
    if must_change_password(user):
        if "text/html" in request.accept_mimetypes.values():
            return redirect(url_for("auth.password"), 303)
        return _json_error(
            403, _("Change your password first (your account’s password was reset).")
        )
    if user.role not in SCOPE_ROLES[scope]:
        abort(403)
    g.access_actor = auth_service.user_actor(user)
    return None
