"""The results files as printed and read in French: landscape, one page wide, headings
repeated on every page (openpyxl read-back); decimal commas in French tables and text."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

BASE = "/admin/surveys/barometre-2015"


def test_every_table_sheet_prints_landscape_fit_to_width_with_repeated_headings(baro, as_role):
    data = as_role("analyst").get(f"{BASE}/results.xlsx?by=s1&lang=en").data
    book = load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
        assert ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
    sheet = book["s1"]
    assert sheet.print_title_rows == "$1:$4"  # title, base statement, two header rows
    header = [c.value for c in sheet[3]]
    assert "Total" in header
    assert [c.value for c in sheet[4]][1:4] == ["n", "%", "sig."]
    assert sheet.cell(row=5, column=1).value.startswith("Base")  # the data start after


def test_french_table_csv_uses_semicolons_and_decimal_commas(baro, as_role):
    client = as_role("analyst")
    french = client.get(f"{BASE}/results/q2.csv?by=s1&lang=fr").get_data(as_text=True)
    english = client.get(f"{BASE}/results/q2.csv?by=s1&lang=en").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(french.lstrip("\ufeff")), delimiter=";"))
    shares = [c for r in rows for c in r if c.replace(",", "").isdigit() and "," in c]
    assert shares, "no percentage with a decimal comma"
    assert "Test du khi-deux : χ² = " in french
    stat = french.split("χ² = ")[1].split(",", 1)
    assert stat[0].isdigit()  # "12,34": the comma is the decimal sign
    assert "Chi-square test: χ² = " in english
    assert ", df = " in english
    english_stat = english.split("χ² = ")[1].split(",")[0]
    assert "." in english_stat


def test_french_results_page_writes_test_statistics_with_a_comma(baro, as_role):
    html = as_role("analyst", "fr").get(f"{BASE}/results?by=s1&lang=fr").get_data(as_text=True)
    statistic = html.split("χ² = ")[1][:12]
    assert "," in statistic.split(" ")[0]
    assert "." not in statistic.split(" ")[0]


def test_results_page_percentages_come_from_babel(baro, as_role):
    """French "42,3 %" with a narrow no-break space (U+202F, issue #13; CLDR has U+00A0 there),
    English "42.3%"; every table cell, base and weighting share alike."""
    fr = as_role("analyst", "fr").get(f"{BASE}/results?lang=fr").get_data(as_text=True)
    en = as_role("study", "en").get(f"{BASE}/results?lang=en").get_data(as_text=True)
    assert re.search(r"\d,\d\u202f%", fr)
    assert not re.search(r"\d[ \t]%", fr)  # never a breakable space before % (interface text)
    assert not re.search(r"\d\.\d\s?%", fr)
    assert re.search(r"\d\.\d%", en)
    assert not re.search(r"\d[ \u00a0\u202f]%", en)
