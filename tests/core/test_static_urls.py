"""`static_url` memoises `url_for("static")` per script root: the same URL, prefix included."""

from __future__ import annotations

from flask import url_for

from surveyapp import create_app
from surveyapp.links import static_url


def test_static_url_is_url_for_under_each_script_root():
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "k", "LOG_LEVEL": "WARNING"})
    seen = set()
    for root in ("", "/study", "/other/mount"):
        for _ in range(2):  # the second time from the memo
            with app.test_request_context("/", base_url=f"http://host.example{root}/"):
                url = static_url("app.css")
                assert url == url_for("static", filename="app.css")
                assert url == f"{root}/static/app.css"
                seen.add(url)
    assert len(seen) == 3
