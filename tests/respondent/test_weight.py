"""Light pages: HTML + CSS + JS under 50 KB on every barometer page, no external asset."""

from __future__ import annotations

import re
import statistics

from tests.respondent.helpers import (
    CANADIAN,
    EVERY_USER_PAGE,
    NON_USER,
    SCREENED_OUT,
    Respondent,
)

BUDGET = 50 * 1024
ASSET = re.compile(r'<(?:link|script|img)\b[^>]*\b(?:href|src)="([^"]+)"')


def weigh(client, html: str) -> tuple[int, int]:
    """(bytes of the page and its assets, number of requests)."""
    assets = [a for a in ASSET.findall(html) if not a.startswith("data:")]
    assert all(a.startswith("/static/") for a in assets), assets  # no CDN, no other origin
    size = len(html.encode("utf-8"))
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200
        size += len(response.get_data())
        response.close()
    return size, 1 + len(assets)


def test_every_page_is_under_the_budget(client, barometer, capsys):
    sizes: dict[str, tuple[int, int]] = {}
    for script, query in (
        (EVERY_USER_PAGE, ""),
        (CANADIAN, "?lang=en"),
        (NON_USER, ""),
        (SCREENED_OUT, ""),
    ):
        r = Respondent(client.application.test_client(), headers={"Accept-Language": "fr"})
        r.start(query)
        while True:
            sizes[r.page_id or r.url] = weigh(client, r.html)
            if r.page_id is None:
                break
            r.answer(script)
    over = {page: size for page, (size, _n) in sizes.items() if size >= BUDGET}
    assert over == {}
    weights = [size for size, _n in sizes.values()]
    with capsys.disabled():
        print(
            f"\npage weight (HTML+CSS+JS, uncompressed): max {max(weights)} B, "
            f"median {statistics.median(weights):.0f} B over {len(weights)} pages; "
            f"requests per page: {sorted({n for _s, n in sizes.values()})}"
        )
