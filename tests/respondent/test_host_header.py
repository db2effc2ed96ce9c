"""A forged Host header never reaches a link shown to a respondent (issue #16 point 8)."""

from __future__ import annotations

import re

import pytest

from tests.respondent.helpers import FRENCH_USER, SLUG, Respondent

FORGED = {"Host": "evil.example", "Accept-Language": "fr"}


def _later_page(client) -> str:
    r = Respondent(client, headers=FORGED)
    r.start()
    r.answer(FRENCH_USER)
    leaving = r.post(r.hidden().items(), action="later")
    assert leaving.status_code == 303
    page = client.get(f"/s/{SLUG}/later", headers=FORGED)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_continue_later_link_ignores_a_forged_host(client, barometer):
    html = _later_page(client)
    assert "evil.example" not in html
    assert re.search(rf'href="/s/{SLUG}/resume\?code=[0-9A-Z]{{32}}"', html)


def test_the_continue_later_link_uses_the_configured_public_url(app, client, barometer):
    app.config["PUBLIC_URL"] = "https://enquete.example.org"
    html = _later_page(client)
    assert "evil.example" not in html
    assert re.search(
        rf'href="https://enquete\.example\.org/s/{SLUG}/resume\?code=[0-9A-Z]{{32}}"', html
    )
    # The link's text is the whole link (#13), from the configured address too.
    assert re.search(
        rf">https://enquete\.example\.org/s/{SLUG}/resume\?code=[0-9A-Z]{{32}}</a>", html
    )


def test_trusted_hosts_refuse_another_host_with_a_400(app, client, barometer):
    app.config["TRUSTED_HOSTS"] = ["enquete.example.org"]
    assert client.get(f"/s/{SLUG}/", headers=FORGED).status_code == 400
    good = client.get(f"/s/{SLUG}/", headers={"Host": "enquete.example.org"})
    assert good.status_code in (200, 303)


@pytest.mark.parametrize("value", ["enquete.example.org", "ftp://x.example", "https://x/?a=1"])
def test_a_public_url_that_is_no_base_address_stops_the_start(monkeypatch, value):
    from surveyapp.config import ConfigError, load_config

    monkeypatch.setenv("SURVEYAPP_PUBLIC_URL", value)
    with pytest.raises(ConfigError, match="SURVEYAPP_PUBLIC_URL"):
        load_config(__import__("pathlib").Path("/tmp"), {"SECRET_KEY": "x"})
