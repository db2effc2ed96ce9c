"""surveyapp: bilingual survey collection platform."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from surveyapp.config import load_config


def create_app(config: dict | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints, CLI, error handlers."""
    instance_path = os.environ.get("SURVEYAPP_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=False)
    app.config.update(load_config(Path(app.instance_path), config))

    from surveyapp.cookie_session import CachedSerializerSessionInterface

    app.session_interface = CachedSerializerSessionInterface()

    from surveyapp import errors, input_guard, links, logging_setup, security
    from surveyapp.extensions import babel, csrf, db
    from surveyapp.i18n import init_app as init_i18n
    from surveyapp.i18n import select_locale

    logging_setup.configure(app)
    if app.config.get("PROXY_HOPS"):
        # The client address for the respondent start limit comes from X-Forwarded-For, as
        # set by the configured number of trusted proxies (never more).
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)  # type: ignore[method-assign]  # Flask's documented wrap
    db.init_app(app)
    security.init_app(app)
    input_guard.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_i18n(app)
    errors.init_app(app)
    links.init_app(app)

    from surveyapp.auth import init_app as init_auth

    init_auth(app)

    from surveyapp.core import bp as core_bp

    app.register_blueprint(core_bp)

    from surveyapp.admin import bp as admin_bp
    from surveyapp.auth import bp as auth_bp

    app.register_blueprint(auth_bp, url_prefix="/admin")
    app.register_blueprint(admin_bp, url_prefix="/admin")

    from surveyapp.exports.web import bp as exports_bp

    app.register_blueprint(exports_bp, url_prefix="/admin")

    from surveyapp.results.web import bp as results_bp

    app.register_blueprint(results_bp, url_prefix="/admin")

    from surveyapp.jobs.web import bp as jobs_bp

    app.register_blueprint(jobs_bp, url_prefix="/admin")

    from surveyapp.respondent import bp as respondent_bp

    app.register_blueprint(respondent_bp)

    from surveyapp import cli

    cli.register(app)
    return app
