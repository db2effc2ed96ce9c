"""GET /healthz and the security headers on plain and error responses."""

from __future__ import annotations

from surveyapp import create_app


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "up"}


def test_healthz_503_when_database_is_gone(tmp_path):
    app = create_app(
        {
            "SECRET_KEY": "x",
            "TESTING": True,
            # A directory that does not exist: SQLite cannot open the file.
            "DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "down"
    assert response.headers["Retry-After"] == "5"


def test_security_headers_on_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_chunked_post_is_refused(client):
    response = client.post("/healthz", data=b"a=1", headers={"Transfer-Encoding": "chunked"})
    assert response.status_code in (405, 411)
