"""The admin area (mounted under /admin): surveys, responses, dashboards, users, API tokens.

Every view declares who may use it with `roles_required` or `require_access`; the blueprint's
`guard_blueprint` answers 403 to a view that declares nothing (deny by default).
"""

from __future__ import annotations

from flask import Blueprint

from surveyapp.auth.access import current_user, guard_blueprint, private_page_headers
from surveyapp.i18n import TYPESET_BLUEPRINTS

bp = Blueprint("admin", __name__)
#: French interface strings of these pages get French typography (no mark starts a line).
TYPESET_BLUEPRINTS.add(bp.name)
bp.before_request(guard_blueprint)
bp.after_request(private_page_headers)


@bp.app_template_global()
def admin_user():
    """The logged-in admin user in templates (None on the login page)."""
    return current_user()


from surveyapp.admin import (  # noqa: E402,F401
    api,
    dashboard,
    formatting,
    invitations,
    preview,
    quotas,
    responses,
    surveys,
    tokens,
    users,
)
