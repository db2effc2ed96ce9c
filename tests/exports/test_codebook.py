"""The codebook (CSV and JSON) documents every column, in both languages; formula-safe."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from surveyapp.exports.cells import TRIGGERS
from tests.exports.conftest import CSRF_RE
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
    book = analyst.get(f"{URL}/codebook.json?lang=en").get_json()
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


def test_codebook_notes_follow_the_export_language(login_as, panel):
    analyst = login_as("analyst")
    french = analyst.get(f"{URL}/codebook.json?lang=fr&labels=fr").get_json()
    english = analyst.get(f"{URL}/codebook.json?lang=en&labels=fr").get_json()
    french_columns = {c["name"]: c for c in french["columns"]}
    english_columns = {c["name"]: c for c in english["columns"]}
    assert french_columns["q1b"]["missing"] == {"": "non posée", "-99": "affichée, sans réponse"}
    assert english_columns["q1b"]["missing"] == {"": "not asked", "-99": "shown, not answered"}
    assert french_columns["q3_1"]["missing"][""].startswith("non posée (question non posée")
    assert french_columns["q11b_other"]["missing"]["-99"] == "« autre » choisie, texte laissé vide"
    assert french["file"]["values"] == "libellés (fr)"
    assert english["file"]["values"] == "labels (fr)"
    assert french["file"]["encoding"] == "UTF-8 avec BOM"
    assert english["file"]["encoding"] == "UTF-8 with BOM"
    assert french["file"]["timestamps"].startswith("ISO 8601, en UTC")
    assert french["formula_injection"].startswith("Dans les préréglages excel et excel-fr")
    assert english["formula_injection"].startswith("In the excel and excel-fr presets")
    assert "NON neutralisé" in french["presets"]["plain"]["description"]
    assert "NOT neutralised" in english["presets"]["plain"]["description"]
    scheme = french["missing_data"]
    assert scheme["not_asked"]["spss"].startswith("valeur manquante système")
    assert scheme["dont_know"]["csv"] == "le code propre de l’option"
    assert scheme["shown_not_answered"]["csv"] == "-99"
    assert english["missing_data"]["dont_know"]["csv"] == "the option’s own code"
    # Without `lang`: the survey's default language, as for the SPSS labels.
    assert analyst.get(f"{URL}/codebook.json").get_json()["file"] == french["file"] | {
        "values": "codes des réponses"
    }

    def missing(lang: str) -> dict[str, str]:
        data = analyst.get(f"{URL}/codebook.csv?preset=plain&lang={lang}").data.decode("utf-8")
        return {r["name"]: r["missing"] for r in csv.DictReader(io.StringIO(data, newline=""))}

    assert missing("fr")["q1b"] == "(vide)=non posée | -99=affichée, sans réponse"
    assert missing("en")["q1b"] == "(empty)=not asked | -99=shown, not answered"
    assert missing("fr")["completed_date"] == "(vide)=en cours"


def test_the_admin_page_asks_for_the_codebook_in_its_language(login_as, panel):
    analyst = login_as("analyst")  # a French account: the admin pages are in French
    for lang, note in (("fr", "non posée"), ("en", "not asked")):
        page = analyst.get(URL).get_data(as_text=True)
        assert f'<html lang="{lang}"' in page
        assert f'href="{URL}/codebook.csv?lang={lang}"' in page
        href = f"{URL}/codebook.json?lang={lang}"
        assert f'href="{href}"' in page
        book = analyst.get(href).get_json()
        assert {c["name"]: c for c in book["columns"]}["q1b"]["missing"][""] == note
        token = CSRF_RE.search(page).group(1)
        switched = analyst.post(
            "/admin/language", data={"csrf_token": token, "language": "en", "next": URL}
        )
        assert switched.status_code == 303
