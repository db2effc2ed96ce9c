"""The codebook (CSV and JSON) documents every column, in both languages; formula-safe."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from surveyapp.exports.cells import TRIGGERS
from tests.exports.helpers import add_version

URL = "/admin/surveys/barometre-2015"
DEMO_URL = "/admin/surveys/export-demo"
DEMO = Path(__file__).resolve().parent / "fixtures" / "export-demo.yaml"


@pytest.fixture
def demo(app):
    with app.app_context():
        add_version(DEMO.read_text(encoding="utf-8"), "export-demo.yaml")


def test_json_codebook_describes_every_export_column(login_as, panel):
    analyst = login_as("analyst")
    book = analyst.get(f"{URL}/codebook.json").get_json()
    header = analyst.get(f"{URL}/export.csv").data.decode("utf-8-sig").split("\r\n")[0]
    columns = {c["name"]: c for c in book["columns"]}
    assert list(columns) == header.split(",")
    s1 = columns["s1"]
    assert s1["text"] == {
        "fr": "Dans quel pays travaillez-vous principalement ?",
        "en": "In which country do you mainly work?",
    }
    assert s1["values"][1] == {"code": "2", "label": {"fr": "États-Unis", "en": "United States"}}
    assert "country_size__1__3" in s1["quota_cells"]
    assert "soft_sector__1__14" in columns["s7"]["quota_cells"]
    assert "country_size__2__2" in columns["s6"]["quota_cells"]  # through size_band
    assert columns["q1b"]["condition"] == "q1 in {2, 3}"
    assert columns["q1b"]["condition_tree"] == {"q": "q1", "in": ["2", "3"]}
    assert columns["q1b"]["personal"] is True
    assert columns["q3_4"]["condition"] == "s1 = 1"
    assert columns["q10a_3"]["condition"] == "(q10 in {1, 2}) and (q3 has 3)"
    assert columns["q1b"]["missing"] == {"": "not asked", "-99": "shown, not answered"}
    assert columns["q3_1"]["missing"][""].startswith("not asked")
    assert columns["size_band"]["section"] == "derived"
    assert columns["size_band"]["condition"].startswith("1 if s6 in {1, 2, 3}")
    assert columns["q3_order"]["section"] == "order"
    assert columns["flag_speed"]["section"] == "quality"
    assert columns["q2"]["values"][4]["label"]["en"] == "Don’t know"
    assert book["missing_data"]["shown_not_answered"]["csv"] == "-99"
    assert book["presets"]["plain"]["formula_neutralised"] is False
    assert "NOT neutralised" in book["presets"]["plain"]["description"]
    assert book["versions"] == [{"number": 1, "label": "2015.2"}]


def test_csv_codebook_rows_and_preset_note(login_as, panel):
    data = login_as("analyst").get(f"{URL}/codebook.csv?preset=plain").data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    notes = [r for r in rows if r["section"] == "note"]
    assert "NOT neutralised" in notes[0]["text_en"]
    assert notes[0]["name"] == "_file"
    by_name = {r["name"]: r for r in rows}
    assert by_name["s1"]["values_en"].startswith("1=France | 2=United States")
    assert by_name["q3_4"]["condition"] == "s1 = 1"
    assert by_name["q22"]["personal"] == "1"


def test_titles_and_labels_are_neutralised_in_codebook_and_labels_mode(login_as, demo):
    analyst = login_as("analyst")
    data = analyst.get(f"{DEMO_URL}/codebook.csv").data.decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(data, newline="")):
        for key in ("text_fr", "text_en", "values_fr", "values_en", "condition"):
            assert row[key][:1] not in TRIGGERS, (row["name"], key, row[key])
    by_name = {r["name"]: r for r in csv.DictReader(io.StringIO(data, newline=""))}
    assert by_name["fav"]["text_en"] == '\'=HYPERLINK("http://127.0.0.1/x","x")'
    # The JSON codebook is data, not a spreadsheet: texts are given as written.
    book = analyst.get(f"{DEMO_URL}/codebook.json").get_json()
    fav = next(c for c in book["columns"] if c["name"] == "fav")
    assert fav["text"]["fr"].startswith("=HYPERLINK(")
    assert book["survey"]["title"]["en"] == "=Export demo"
