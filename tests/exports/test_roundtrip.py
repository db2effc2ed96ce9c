"""Round trip: responses filled through the engine, exported over HTTP, read back with csv,
pandas and pyreadstat: the same codes, the same missing-data distinctions, the same labels."""

from __future__ import annotations

import csv
import io
import math
import shutil
import subprocess

import pandas as pd
import pyreadstat
import pytest

URL = "/admin/surveys/barometre-2015"


def read_csv(data: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    """Rows of an export as dicts, after checking the BOM and the CRLF row terminator."""
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.fixture
def analyst(login_as):
    """An analyst's browser session."""
    return login_as("analyst")


@pytest.fixture
def exported(analyst, panel) -> dict[str, dict[str, str]]:
    """The default CSV export, by response id."""
    response = analyst.get(f"{URL}/export.csv")
    assert response.status_code == 200
    return {row["response_id"]: row for row in read_csv(response.data)}


def test_default_export_holds_completes_only(exported, panel):
    assert set(exported) == {str(panel[k]) for k in ("french", "us", "nonuser", "french2")}


def test_codes_and_the_three_kinds_of_missing(exported, panel):
    fr, us, nonuser = (exported[str(panel[k])] for k in ("french", "us", "nonuser"))
    # Answered "don't know" keeps its own code; not asked is empty; shown-blank is -99.
    assert fr["q2"] == "5"
    assert nonuser["q2"] == ""  # after the non-user ending: not asked
    assert us["q22"] == "-99"
    assert nonuser["q1b"] == "-99"
    assert fr["q1b"] == ""  # hidden by the route (Q1 = 1)
    # An option hidden by its condition is "not asked", not 0 (Viadeo only in France).
    assert (fr["q3_4"], fr["q3_5"]) == ("1", "0")
    assert (us["q3_4"], us["q3_5"]) == ("", "")
    # options_from: Q10a offers the networks ticked in Q3 only.
    assert (fr["q10a_1"], fr["q10a_3"], fr["q10a_2"]) == ("0", "1", "")
    # Q4 is asked only with several networks; q4_main carries the auto-coded one.
    assert (fr["q4"], fr["q4_main"], fr["q4_auto"]) == ("3", "3", "0")
    assert (us["q4"], us["q4_main"], us["q4_auto"]) == ("", "2", "1")
    # "Other" chosen with the text left blank vs other not chosen.
    assert fr["q11b_6"] == "1"
    assert fr["q11b_other"] == "-99"
    assert us["q11b_other"] == ""
    assert us["q20a_other"] == "Teams"
    # Grids, derived variables, orders shown.
    assert (fr["q17_a"], fr["q17_b"], fr["q17_c"]) == ("2", "2", "2")
    assert fr["flag_straight"] == "1"
    assert us["flag_straight"] == "0"
    assert fr["flag_q13"] == "1"
    assert set(fr["q3_order"].split()) == {str(c) for c in range(1, 16)}
    assert us["q3_order"]
    assert "4" not in us["q3_order"].split()


def test_metadata_columns(exported, panel):
    fr, us = exported[str(panel["french"])], exported[str(panel["us"])]
    assert (fr["status"], fr["ending"], fr["language"], fr["schema_version"]) == (
        "complete",
        "end_complete",
        "fr",
        "1",
    )
    assert (fr["source"], us["source"]) == ("1", "3")
    assert "started_at" not in fr
    assert "completed_at" not in fr
    assert fr["completed_date"] == "2015-05-10"
    assert (fr["duration_s"], us["duration_s"]) == ("900", "80")
    assert fr["is_test"] == "0"
    # Median of END_COMPLETE durations is 900 s: 80 s is under a third of it.
    assert (fr["flag_speed"], us["flag_speed"]) == ("0", "1")
    assert exported[str(panel["nonuser"])]["flag_speed"] == "0"


def test_formula_like_text_is_neutralised_but_numbers_are_not(exported, panel):
    fr, nonuser = exported[str(panel["french"])], exported[str(panel["nonuser"])]
    assert fr["s7_other"].startswith("'=HYPERLINK(")
    assert fr["q22"].startswith("'-5 conseils")
    assert nonuser["q1a_other"] == "'@budget"
    assert fr["q23_4"] == "1"


def test_pandas_reads_the_plain_preset_with_zero_cleaning(analyst, panel, exported):
    response = analyst.get(f"{URL}/export.csv?preset=plain")
    assert response.status_code == 200
    assert not response.data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(response.data)).set_index("response_id")
    fr, us = frame.loc[panel["french"]], frame.loc[panel["us"]]
    assert frame["s1"].dtype.kind in "if"
    assert frame["q3_1"].dtype.kind in "if"
    assert fr["q2"] == 5
    assert math.isnan(frame.loc[panel["nonuser"], "q2"])
    assert math.isnan(us["q3_4"])
    assert fr["q3_4"] == 1
    assert us["q22"] == -99 or us["q22"] == "-99"
    assert fr["q22"] == "-5 conseils: écouter, « répondre »"  # verbatim in the plain preset
    # The same codes as the default preset, column by column.
    for rid, row in exported.items():
        for name in ("s1", "s6", "q2", "q3_4", "q10a_2", "size_band", "q4_main", "q17_c"):
            value = frame.loc[int(rid), name]
            assert (row[name] == "" and math.isnan(value)) or float(row[name]) == value


def test_labels_in_english_and_french(analyst, panel):
    english = {
        r["response_id"]: r for r in read_csv(analyst.get(f"{URL}/export.csv?labels=en").data)
    }
    french = {
        r["response_id"]: r for r in read_csv(analyst.get(f"{URL}/export.csv?labels=fr").data)
    }
    us, fr = english[str(panel["us"])], french[str(panel["french"])]
    assert us["s1"] == "United States"
    assert fr["s1"] == "France"
    assert french[str(panel["french"])]["q2"] == "Ne sais pas"
    assert english[str(panel["french"])]["q2"] == "Don’t know"
    assert us["q22"] == "-99"
    assert us["q4"] == ""
    assert us["q3_2"] == "1"  # 0/1 columns stay 0/1
    assert us["source"] == "Hootsuite"


def test_french_excel_preset(analyst, panel):
    rows = read_csv(analyst.get(f"{URL}/export.csv?preset=excel-fr").data, delimiter=";")
    by_id = {r["response_id"]: r for r in rows}
    assert by_id[str(panel["french"])]["q22"].startswith("'-5 conseils: écouter")


def test_spss_file_has_labels_values_and_declared_missing(analyst, panel, tmp_path):
    response = analyst.get(f"{URL}/export.sav")
    assert response.status_code == 200
    path = tmp_path / "export.sav"
    path.write_bytes(response.data)
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    frame = frame.set_index("response_id")
    fr, us, nonuser = (frame.loc[panel[k]] for k in ("french", "us", "nonuser"))
    labels = meta.column_names_to_labels
    assert labels["s1"] == "Dans quel pays travaillez-vous principalement ?"
    assert meta.variable_value_labels["s1"][1] == "France"
    assert meta.variable_value_labels["q2"][5] == "Ne sais pas"
    assert meta.variable_value_labels["q3_4"] == {
        0: "Non coché",
        1: "Coché",
        -99: "Affichée, sans réponse",
    }
    assert fr["s1"] == 1
    assert fr["q2"] == 5
    assert fr["q3_4"] == 1
    assert math.isnan(us["q3_4"])
    assert math.isnan(us["q4"])
    assert us["q4_main"] == 2
    assert us["q22"] == "-99"
    assert nonuser["q1b"] == "-99"
    assert fr["q1b"] == ""
    assert fr["q11b_other"] == "-99"
    assert fr["s7_other"].startswith("=HYPERLINK(")
    assert meta.missing_ranges["q22"] == [{"lo": "-99", "hi": "-99"}]
    assert meta.missing_ranges["s1"] == [{"lo": -99.0, "hi": -99.0}]
    assert "started_at" not in frame.columns  # spec §9.9: the day, not the time
    assert meta.original_variable_types["completed_date"] == "SDATE10"
    assert str(fr["completed_date"]) == "2015-05-10"
    assert len(frame) == 4


def test_spss_in_english(analyst, panel, tmp_path):
    path = tmp_path / "en.sav"
    path.write_bytes(analyst.get(f"{URL}/export.sav?lang=en").data)
    _, meta = pyreadstat.read_sav(str(path))
    assert meta.column_names_to_labels["s1"] == "In which country do you mainly work?"
    assert meta.variable_value_labels["q2"][5] == "Don’t know"


@pytest.mark.skipif(shutil.which("pspp") is None, reason="PSPP is not installed")
def test_pspp_opens_the_file(analyst, panel, tmp_path):
    path = tmp_path / "export.sav"
    path.write_bytes(analyst.get(f"{URL}/export.sav").data)
    syntax = tmp_path / "check.sps"
    syntax.write_text(
        f"GET FILE='{path}'.\nDISPLAY DICTIONARY /VARIABLES=s1 q2 q22.\n"
        "FREQUENCIES /VARIABLES=s1 q2.\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["pspp", "-O", "format=txt", "-o", str(tmp_path / "out.txt"), str(syntax)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = (tmp_path / "out.txt").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, result.stderr + output
    assert "Dans quel pays travaillez-vous principalement" in output
    assert "Ne sais pas" in output
    assert "France" in output
    assert "-99" in output  # the declared missing value of q22
