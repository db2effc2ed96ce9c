"""Authentication of the admin area: login sessions, API tokens, roles, login throttling.

Views elsewhere use `roles_required(...)` for pages and `require_access(scope)` for data
routes that scripts may call with a bearer token (exports, quota JSON).
"""

from __future__ import annotations

from flask import Blueprint, Flask

from surveyapp.auth.access import (
    SCOPE_ROLES,
    current_user,
    load_user,
    private_page_headers,
    require_access,
    roles_required,
)
from surveyapp.i18n import TYPESET_BLUEPRINTS

bp = Blueprint("auth", __name__)
#: French interface strings of these pages get French typography (no mark starts a line).
TYPESET_BLUEPRINTS.add(bp.name)
bp.after_request(private_page_headers)

__all__ = [
    "SCOPE_ROLES",
    "bp",
    "current_user",
    "init_app",
    "load_user",
    "require_access",
    "roles_required",
]


def init_app(app: Flask) -> None:
    """Bind the rate limiter (shared counters, see `ratelimit.check_storage`)."""
    from surveyapp.auth.ratelimit import check_storage, configure_storage
    from surveyapp.extensions import limiter, skip_limiter_hooks

    configure_storage(app)
    limiter.init_app(app)
    skip_limiter_hooks(app)
    check_storage(app)


from surveyapp.auth import routes  # noqa: E402,F401
