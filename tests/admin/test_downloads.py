"""The survey page lists every export for the roles that may download it, each link works."""

from __future__ import annotations

import re
from html import unescape

import pytest

PAGE = "/admin/surveys/demo"
EVERYONE = {
    "/admin/surveys/demo/export.csv?preset=excel",
    "/admin/surveys/demo/export.csv?preset=excel&labels=fr",
    "/admin/surveys/demo/export.csv?preset=excel&labels=en",
    "/admin/surveys/demo/export.csv?preset=excel-fr",
    "/admin/surveys/demo/export.csv?preset=excel-fr&labels=fr",
    "/admin/surveys/demo/export.csv?preset=excel-fr&labels=en",
    "/admin/surveys/demo/export.csv?preset=plain",
    "/admin/surveys/demo/export.csv?preset=plain&labels=fr",
    "/admin/surveys/demo/export.csv?preset=plain&labels=en",
    "/admin/surveys/demo/export.sav?lang=fr",
    "/admin/surveys/demo/export.sav?lang=en",
    "/admin/surveys/demo/codebook.csv?lang=en",  # the notes in the account's language
    "/admin/surveys/demo/codebook.json?lang=en",
    "/admin/surveys/demo/results.xlsx?lang=fr",
    "/admin/surveys/demo/results.xlsx?lang=en",
}
CONTACTS = {"/admin/surveys/demo/contacts.csv"}
TIMESTAMPS = {
    "/admin/surveys/demo/export.csv?timestamps=1",
    "/admin/surveys/demo/export.sav?timestamps=1",
}


def download_links(html: str) -> set[str]:
    section = html.split('id="downloads-h"', 1)[1].split("</section>", 1)[0]
    return {unescape(h) for h in re.findall(r'href="([^"]+)"', section)}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("analyst", EVERYONE),
        ("study", EVERYONE | CONTACTS),
        ("admin", EVERYONE | CONTACTS | TIMESTAMPS),
    ],
)
def test_each_role_sees_exactly_the_exports_it_may_use(as_role, demo_survey, role, expected):
    client = as_role(role)
    html = client.get(PAGE).get_data(as_text=True)
    links = download_links(html)
    assert links == expected
    for href in sorted(links):
        response = client.get(href)
        body = response.get_data()  # streamed: read to the end, then close
        response.close()
        assert response.status_code == 200, href
        assert body, href
        assert response.headers["Content-Disposition"].startswith("attachment;"), href


def test_each_download_is_explained_in_the_admin_language(app, make_user, demo_survey):
    from tests.admin.helpers import login

    make_user("fr@example.org", "analyst", language="fr")
    client = app.test_client()
    login(client, "fr@example.org")
    html = client.get(PAGE).get_data(as_text=True)
    for words in (
        "Réponses, CSV pour Excel",
        "Réponses, CSV pour Excel en français",
        "Réponses, CSV brut (R, pandas)",
        "Réponses, SPSS (.sav)",
        "Livre de codes",
        "Classeur de résultats (.xlsx)",
        "libellés en français",
        "libellés en anglais",
    ):
        assert words in unescape(html), words
    assert "<h1>Démo" in html
