"""SPSS details an analyst sees first: whole-number formats for codes, language names as value
labels, notes and codebook notes in the language asked for (read back with pyreadstat)."""

from __future__ import annotations

import csv
import io

import pyreadstat

from surveyapp.exports.columns import NOT_ANSWERED, ExportColumn
from surveyapp.exports.spss import SavBuilder

URL = "/admin/surveys/barometre-2015"


def read_sav(client, tmp_path, query: str = ""):
    path = tmp_path / "export.sav"
    response = client.get(f"{URL}/export.sav{query}")
    assert response.status_code == 200
    path.write_bytes(response.data)
    return pyreadstat.read_sav(str(path), user_missing=True)


def test_codes_and_counts_have_whole_number_formats(login_as, panel, tmp_path):
    frame, meta = read_sav(login_as("analyst"), tmp_path)
    formats = meta.original_variable_types
    assert formats["s1"] == "F2.0"  # codes 1-4, nobody skipped it
    assert formats["q3_4"] == "F2.0"  # a 0/1 column
    assert formats["q22"].startswith("A")  # free text stays a string
    assert formats["q1b"].startswith("A")
    assert formats["q2"] in ("F2.0", "F3.0")  # F3.0 only when -99 occurs
    assert formats["is_test"] == "F2.0"
    width = len(str(int(frame["duration_s"].max())))
    assert formats["duration_s"] == f"F{max(2, width)}.0"
    # A column holding -99 is wide enough to print it.
    assert "-99" in frame["q11b_6"].astype(str).tolist() or formats["q11b_6"] == "F2.0"
    for name, fmt in formats.items():
        assert not fmt.startswith("F8.2"), name


def test_the_missing_code_widens_the_format_when_it_occurs(tmp_path):
    labels = {"1": {"fr": "Oui", "en": "Yes"}, "2": {"fr": "Non", "en": "No"}}
    column = ExportColumn("q", "answer", "single", values=labels, numeric=True)
    formats = []
    for rows in ([[1], [2], [None]], [[1], [NOT_ANSWERED], [None]]):
        builder = SavBuilder([column], "fr")
        builder.add_rows(rows)
        builder.write(tmp_path / "q.sav")
        _, meta = pyreadstat.read_sav(str(tmp_path / "q.sav"), user_missing=True)
        formats.append(meta.original_variable_types["q"])
    assert formats == ["F2.0", "F3.0"]


def test_language_value_labels_are_language_names(login_as, panel, tmp_path):
    analyst = login_as("analyst")
    for query in ("", "?lang=en"):
        _, meta = read_sav(analyst, tmp_path, query)
        assert meta.variable_value_labels["language"] == {"fr": "Français", "en": "English"}


def test_notes_follow_the_label_language(login_as, panel, tmp_path):
    analyst = login_as("analyst")
    _, french = read_sav(analyst, tmp_path, "?lang=fr")
    _, english = read_sav(analyst, tmp_path, "?lang=en")
    assert "réponses, exportées le" in french.notes[0]
    assert french.notes[1].startswith("Données manquantes : ")
    assert "responses, exported" in english.notes[0]
    assert english.notes[1].startswith("Missing: ")


def test_codebook_notes_are_translated(login_as, panel):
    data = login_as("analyst").get(f"{URL}/codebook.csv?preset=excel-fr").data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    note = rows[0]
    assert note["text_fr"].startswith("Préréglage « excel-fr » : UTF-8 avec BOM")
    assert "virgule décimale" in note["text_fr"]
    assert "decimal commas" in note["text_en"]
    language = next(r for r in rows if r["name"] == "language")
    assert language["values_fr"] == "fr=Français | en=English"
