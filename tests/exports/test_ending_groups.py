"""Endings that are two checks of one rule (`report_as`): the barometer's so3 and so3_gm read
as one SO3 in the exports, the codebook and the results, the detail kept in `ending_detail`."""

from __future__ import annotations

import csv
import io

import pytest

from surveyapp.engine import SchemaError, load_survey
from surveyapp.exports.layout import survey_layout
from surveyapp.exports.rows import RowBuilder, Target, make_record

URL = "/admin/surveys/barometre-2015"
BAROMETER = "surveyapp/surveys/barometre-2015.yaml"


def barometer():
    from pathlib import Path

    return load_survey(Path(BAROMETER).read_text(encoding="utf-8"))


def test_the_barometer_declares_so3_gm_as_so3():
    endings = {e.id: e for e in barometer().endings}
    assert endings["so3_gm"].report_as == "so3"
    assert endings["so3"].report_as is None


def test_rows_report_the_group_and_keep_the_detail():
    schema = barometer()
    layout = survey_layout([(1, schema)])
    names = [c.name for c in layout]
    assert names[names.index("ending") + 1] == "ending_detail"
    ending = layout[names.index("ending")]
    detail = layout[names.index("ending_detail")]
    assert "so3_gm" not in ending.values
    assert "so3" in ending.values
    assert "so3_gm" in detail.values
    for fast in (True, False):
        build = RowBuilder(layout, schema, 1, Target("csv"), fast=fast)
        for real, shown in (("so3_gm", "so3"), ("so3", "so3"), ("so2", "so2"), (None, None)):
            record = make_record(1, {"s1": "1"}, status="screened_out", ending=real)
            row = build(record)
            cells = (row[names.index("ending")], row[names.index("ending_detail")])
            assert cells == (shown, real), (fast, real)


def test_export_and_codebook_over_http(login_as, panel):
    analyst = login_as("analyst")
    data = analyst.get(f"{URL}/export.csv?status=all&preset=plain").data.decode()
    header = next(csv.reader(io.StringIO(data)))
    assert header[header.index("ending") + 1] == "ending_detail"
    codebook = analyst.get(f"{URL}/codebook.json").get_json()["columns"]
    entry = next(c for c in codebook if c["name"] == "ending")
    assert "so3_gm" not in [v["code"] for v in entry["values"]]


def test_report_as_must_name_another_ending_of_the_same_status():
    from tests.admin.helpers import FIXTURES

    text = (FIXTURES / "demo.yaml").read_text()
    wrong = text.replace(
        "    when: {q: q1, eq: 2}\n", "    when: {q: q1, eq: 2}\n    report_as: end\n"
    )
    assert wrong != text
    with pytest.raises(SchemaError, match="report_as"):
        load_survey(wrong)
    right = text.replace(
        "  - id: qf\n",
        "  - id: so_bis\n    status: screened_out\n    check_after: p1\n"
        "    when: {q: region, eq: 2}\n    report_as: so\n"
        "    message: {fr: a, en: a}\n  - id: qf\n",
    )
    assert {e.id: e.report_as for e in load_survey(right).endings}["so_bis"] == "so"
