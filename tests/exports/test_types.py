"""Typed cells on a small questionnaire: numbers stay numbers, identifier codes, labels that
look like formulas, optional questions of every type left blank, a conditional matrix row."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from tests.exports.helpers import BLANK, add_version, fill, schema_of, store

DEMO = Path(__file__).resolve().parent / "fixtures" / "export-demo.yaml"
URL = "/admin/surveys/export-demo"


@pytest.fixture
def demo_rows(app):
    """Three responses: every answer given; everything left blank; pear lover (row b shown)."""
    with app.app_context():
        survey = add_version(DEMO.read_text(encoding="utf-8"), "export-demo.yaml")
        schema = schema_of(survey)
        full = {
            "fav": "apple",
            "temp": "-5",
            "price": "4,25",
            "likes": ["apple", "misc"],
            "likes_other": "+33 6 00 00 00 00",
            "grid": {"a": "1"},
            "why": "@home",
        }
        blank = {"fav": BLANK, "temp": BLANK, "price": BLANK, "likes": BLANK, "grid": BLANK}
        pear = {
            "fav": "pear",
            "temp": "0",
            "price": "10",
            "likes": ["pear"],
            "grid": {"a": "2", "b": "2"},
        }
        return [
            store(survey, fill(schema, script), params={"source": "1"}, seconds=s)
            for script, s in ((full, 60), (blank, 30), (pear, 90))
        ]


def rows(data: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    return list(
        csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter)
    )


def test_excel_preset_cells(login_as, demo_rows):
    data = login_as("analyst").get(f"{URL}/export.csv").data
    full, blank, pear = rows(data)
    assert (full["fav"], full["temp"], full["price"]) == ("apple", "-5", "4.25")
    assert b",-5," in data  # a negative number is written unquoted, never prefixed
    assert (full["likes_apple"], full["likes_pear"], full["likes_misc"]) == ("1", "0", "1")
    assert full["likes_other"] == "'+33 6 00 00 00 00"
    assert full["why"] == "'@home"
    assert (full["grid_a"], full["grid_b"]) == ("1", "")  # row b hidden (fav is not pear)
    assert full["fruit_fan"] == "1"
    # Shown and left blank: -99 everywhere, distinct from 0 and from "not asked".
    assert (blank["fav"], blank["temp"], blank["price"]) == ("-99", "-99", "-99")
    assert (blank["likes_apple"], blank["likes_misc"], blank["likes_other"]) == ("-99", "-99", "")
    assert (blank["grid_a"], blank["grid_b"]) == ("-99", "")
    assert blank["why"] == ""
    assert blank["fruit_fan"] == ""
    assert (pear["grid_a"], pear["grid_b"], pear["flag_straight_grid"]) == ("2", "2", "1")
    assert (pear["temp"], pear["price"]) == ("0", "10")


def test_labels_mode_neutralises_formula_like_labels(login_as, demo_rows):
    full, blank, pear = rows(login_as("analyst").get(f"{URL}/export.csv?labels=en").data)
    assert (full["fav"], pear["fav"]) == ("'=Apple", "'-Pear")
    assert blank["fav"] == "-99"
    assert full["grid_a"] == "Agree"
    assert full["source"] == "List"


def test_french_excel_decimal_comma(login_as, demo_rows):
    full, _blank, pear = rows(
        login_as("analyst").get(f"{URL}/export.csv?preset=excel-fr").data, ";"
    )
    assert (full["price"], full["temp"], pear["price"]) == ("4,25", "-5", "10")


def test_plain_preset_for_pandas(login_as, demo_rows):
    data = login_as("analyst").get(f"{URL}/export.csv?preset=plain").data
    frame = pd.read_csv(io.BytesIO(data), keep_default_na=True)
    assert frame["temp"].tolist() == [-5, -99, 0]
    assert frame["price"].tolist() == [4.25, -99, 10]
    assert frame["likes_other"].iloc[0] == "+33 6 00 00 00 00"
    assert math.isnan(frame["grid_b"].iloc[0])
    assert frame["grid_b"].iloc[1:].tolist()[1] == 2


def test_identifier_codes_are_spss_strings_with_value_labels(login_as, demo_rows, tmp_path):
    path = tmp_path / "demo.sav"
    path.write_bytes(login_as("analyst").get(f"{URL}/export.sav?lang=en").data)
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert frame["fav"].tolist() == ["apple", "-99", "pear"]
    assert meta.variable_value_labels["fav"]["apple"] == "=Apple"
    assert meta.variable_value_labels["fav"]["-99"] == "Shown, not answered"
    assert frame["temp"].tolist() == [-5, -99, 0]
    assert meta.missing_ranges["temp"] == [{"lo": -99.0, "hi": -99.0}]
    assert frame["price"].tolist() == [4.25, -99, 10]
    assert frame["grid_a"][1] == -99
    assert frame["grid_b"][2] == 2
    assert math.isnan(frame["grid_b"][0])
    assert math.isnan(frame["grid_b"][1])
    assert meta.column_names_to_labels["fav"] == '=HYPERLINK("http://127.0.0.1/x","x")'
    assert meta.variable_measure["temp"] == "scale"
