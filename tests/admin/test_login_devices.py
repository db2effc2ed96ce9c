"""Device cookies (#16 point 1): an attacker can throttle logins, not lock the team out.

A browser where an account logged in keeps a signed cookie; from it, that account's logins skip
the per-account and global limits an attacker exhausts, and have a budget of their own.
"""

from __future__ import annotations

import uuid

from surveyapp.auth import devices
from tests.admin.helpers import login, page_csrf

OWNER = "admin@example.org"


def _log_out(client) -> None:
    token = page_csrf(client, "/admin/")
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 303


def _device_cookie(client):
    return client.get_cookie(devices.COOKIE_NAME, path=devices.COOKIE_PATH)


def test_spray_does_not_lock_out_a_browser_that_logged_in_before(app, users):
    # The default budgets (10 and 60), over an hour rather than a minute: 72 argon2 checks on
    # a loaded machine can take longer than a minute, and a window must not end mid-test.
    app.config["LOGIN_RATE_LIMIT"] = "10 per hour"
    app.config["LOGIN_GLOBAL_RATE_LIMIT"] = "60 per hour"
    owner = app.test_client()
    assert login(owner, OWNER).status_code == 303
    cookie = _device_cookie(owner)
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Strict"
    assert cookie.path == "/admin/login"
    assert "admin" not in cookie.value  # a keyed digest, not the address
    _log_out(owner)

    attacker = app.test_client()
    variants = [
        "admin@example.org",
        " ADMIN@example.org",
        "Admin @Example.org ",
        "ａｄｍｉｎ@example.org",
    ]
    on_owner = [login(attacker, variants[i % 4], f"guess {i}").status_code for i in range(12)]
    # The owner's own login was the first of 10: case, spacing, full-width share one budget.
    assert on_owner == [200] * 9 + [429] * 3
    spray = [
        login(attacker, f"{uuid.uuid4().hex[:8]}@example.org", "guess").status_code
        for _ in range(60)
    ]  # 72 attempts in all: 12 on the owner's address, 60 on random ones
    assert spray[:45] == [200] * 45
    assert spray[-5:] == [429] * 5  # the global limit is reached

    response = login(owner, OWNER)  # at once, no waiting
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    assert owner.get("/admin/").status_code == 200

    # Everyone without that cookie stays throttled, even with the right password.
    refused = login(attacker, OWNER)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert login(app.test_client(), OWNER).status_code == 429  # a new browser is untrusted
    assert login(attacker, "other@example.org", "x").status_code == 429  # global limit


def test_the_cookie_vouches_only_for_its_accounts(app, users):
    app.config["LOGIN_GLOBAL_RATE_LIMIT"] = "3 per hour"
    browser = app.test_client()
    assert login(browser, "study@example.org").status_code == 303  # 1 of the global 3
    _log_out(browser)
    for i in range(2):
        login(app.test_client(), f"x{i}@example.org", "guess")
    assert login(browser, "analyst@example.org").status_code == 429  # not its account
    assert login(browser, "study@example.org").status_code == 303  # its account


def test_a_forged_or_edited_cookie_is_ignored(app, users):
    app.config["LOGIN_RATE_LIMIT"] = "2 per hour"
    attacker = app.test_client()
    own = app.test_client()
    assert login(own, "study@example.org").status_code == 303
    signed = _device_cookie(own).value
    for _ in range(2):
        login(attacker, OWNER, "guess")
    with app.test_request_context():
        forged = devices._serializer().dumps({"n": "x", "a": [devices.account_digest(OWNER)]})
    for value in (forged[:-2] + "AA", signed, "garbage"):
        attacker.set_cookie(devices.COOKIE_NAME, value, path=devices.COOKIE_PATH)
        assert login(attacker, OWNER).status_code == 429, value


def test_a_trusted_browser_has_its_own_budget(app, users):
    app.config["LOGIN_DEVICE_RATE_LIMIT"] = "3 per hour"
    owner = app.test_client()
    assert login(owner, OWNER).status_code == 303  # untrusted yet: not on the device budget
    _log_out(owner)
    assert [login(owner, OWNER, "typo").status_code for _ in range(3)] == [200, 200, 200]
    assert login(owner, OWNER).status_code == 429  # a stolen cookie gets 3 guesses, no more
    assert login(app.test_client(), OWNER).status_code == 303  # and locks only that browser


def test_the_cookie_remembers_several_accounts_and_expires(app, users):
    browser = app.test_client()
    for email in ("study@example.org", "analyst@example.org"):
        assert login(browser, email).status_code == 303
        _log_out(browser)
    with app.test_request_context(
        "/admin/login",
        method="POST",
        data={"email": " Study@example.org"},
        headers={"Cookie": f"{devices.COOKIE_NAME}={_device_cookie(browser).value}"},
    ):
        device = devices.read_device()
        assert len(device.accounts) == 2
        assert devices.is_trusted()
        app.config["LOGIN_DEVICE_COOKIE_DAYS"] = -1
        assert devices.read_device() is None  # expired (max_age in the signature)


def test_normalised_login_and_digest_hold_no_address(app):
    assert devices.normalised_login(" Ａdmin @Example.ORG\t") == "admin@example.org"
    with app.test_request_context():
        digest = devices.account_digest("admin@example.org")
        assert digest == devices.account_digest("ADMIN@example.org ")
        assert "admin" not in digest
        app.secret_key = "another-secret"
        assert devices.account_digest("admin@example.org") != digest  # keyed
