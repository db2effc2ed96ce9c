"""Logging to stdout in a greppable key=value format; never an IP address or an answer."""

from __future__ import annotations

import logging
import sys

from flask import Flask

LOG_FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


def configure(app: Flask) -> None:
    """Send the app's logs to stdout once per process."""
    root = logging.getLogger("surveyapp")
    root.setLevel(app.config["LOG_LEVEL"])
    if not any(getattr(h, "_surveyapp", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler._surveyapp = True  # type: ignore[attr-defined]  # our marker on a stdlib handler
        root.addHandler(handler)
        root.propagate = False
    app.logger.handlers.clear()
    app.logger.propagate = True
