"""Cascading choices and a read-only calculated value imported from XLSForm, in a real browser:
the zone page offers only the region's zones, and the total is shown in the note; screenshots
in French and English at 360 and 1280 px under $SURVEYAPP_TEST_OUTPUT/xlsform."""

from __future__ import annotations

import pytest

from surveyapp.xlsform import import_xlsform
from tests.respondent.test_browser import fill, new_page, page_id, submit
from tests.support.browser import DESKTOP, MOBILE, cli_server, output_dir
from tests.xlsform.xlsform_support import EN, FR, write_xlsform

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = output_dir("xlsform")
SETTINGS = {
    "form_id": "Cascade_Web",
    "version": "1",
    "form_title": "Cascade",
    "default_language": "Français (fr)",
}
SURVEY = [
    {"type": "select_one region", "name": "region", FR: "Votre région ?", EN: "Your region?"},
    {"type": "select_one zone", "name": "zone", FR: "Votre zone ?", EN: "Your zone?",
     "choice_filter": "region=${region}"},
    {"type": "integer", "name": "a", FR: "Adultes ?", EN: "Adults?"},
    {"type": "integer", "name": "b", FR: "Enfants ?", EN: "Children?"},
    {"type": "decimal", "name": "total", FR: "Taille du ménage", EN: "Household size",
     "read_only": "yes", "calculation": "${a}+${b}"},
]  # fmt: skip
CHOICES = [
    {"list_name": "region", "name": "north", FR: "Nord", EN: "North"},
    {"list_name": "region", "name": "south", FR: "Sud", EN: "South"},
    {"list_name": "zone", "name": "z1", FR: "Zone un", EN: "Zone one", "region": "north"},
    {"list_name": "zone", "name": "z2", FR: "Zone deux", EN: "Zone two", "region": "north"},
    {"list_name": "zone", "name": "z3", FR: "Zone trois", EN: "Zone three", "region": "south"},
]
SIZE = {"fr": "Taille du ménage\u00a0: 7", "en": "Household size: 7"}
ZONES = {"fr": ["Zone un", "Zone deux"], "en": ["Zone one", "Zone two"]}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xlsform-browser")
    workbook = write_xlsform(tmp / "cascade.xlsx", SURVEY, CHOICES, SETTINGS)
    schema = tmp / "cascade.yaml"
    schema.write_text(import_xlsform(workbook).text, encoding="utf-8")
    commands = [
        ["db", "upgrade"],
        ["survey", "load", str(schema)],
        ["survey", "open", "cascade_web"],
    ]
    with cli_server(tmp, "xlsform_browser", commands) as (url, _db):
        yield url


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("width", "viewport"), [(360, MOBILE), (1280, DESKTOP)])
def test_cascading_zones_and_the_calculated_size(base, browser, language, width, viewport):
    context, page = new_page(browser, viewport, language)
    page.goto(f"{base}/s/cascade_web/")
    assert page_id(page) == "p_region"
    fill(page, {"region": "north"})
    submit(page)
    assert page_id(page) == "p_zone"
    labels = page.locator("#page-form label").all_inner_texts()
    assert [t.strip() for t in labels if t.strip().startswith("Zone")] == ZONES[language]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"zone-{language}-{width}.png"), full_page=True)
    fill(page, {"zone": "z2"})
    submit(page)
    fill(page, {"a": "3"})
    submit(page)
    fill(page, {"b": "4"})
    submit(page)
    assert page_id(page) == "p_total"
    assert SIZE[language] in page.inner_text("main")
    page.screenshot(path=str(SHOTS / f"total-{language}-{width}.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]
    context.close()
