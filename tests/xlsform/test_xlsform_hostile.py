"""Hostile workbooks are refused quickly, in bounded memory, with a message (issue #16)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from surveyapp.commands.xlsform import import_command
from surveyapp.engine import limits
from surveyapp.xlsform.reader import read_workbook
from tests.support.servers import REPO
from tests.xlsform.hostile_files import MB, damaged, far_cell, whitespace_bomb
from tests.xlsform.xlsform_support import FORMS, feature_rows, write_xlsform

#: Runs read_workbook in a fresh process: its peak RSS is this read's, not the test session's.
CHILD = """
import json, resource, sys, time
from surveyapp.xlsform.reader import read_workbook
import openpyxl.reader.excel  # imported before measuring
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.process_time()
book = read_workbook(sys.argv[1])
print(json.dumps({
    "cpu": time.process_time() - started,
    "grew_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before,
    "problems": [str(p) for p in book.problems],
}))
"""


def _cap_memory() -> None:
    # 2 GB of address space: the unguarded reader dies with MemoryError instead of the machine
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def read_in_child(path) -> dict:
    """Problems, CPU seconds and peak RSS growth (KB) of reading `path` in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        preexec_fn=_cap_memory,  # noqa: PLW1509 - no threads are started before it
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.fixture
def workbook(tmp_path):
    columns, hints, settings = FORMS["fr+en"]
    survey, choices = feature_rows(columns, hints)
    return write_xlsform(tmp_path / "features.xlsx", survey, choices, settings)


def test_a_7_kb_workbook_with_a_cell_at_xfd1048576_is_refused_at_once(tmp_path):
    path = far_cell(tmp_path / "far.xlsx")
    assert path.stat().st_size < 7_000
    found = read_in_child(path)
    assert found["problems"] == [
        "survey: the sheet declares the range A1:XFD1048576: at most 20,000 rows and 200 "
        "columns (GR)"
    ]
    assert found["cpu"] < 2.0
    assert found["grew_kb"] < 64 * 1024


def test_a_workbook_with_1_gb_of_whitespace_inside_is_refused_at_once(workbook, tmp_path):
    path = whitespace_bomb(workbook, tmp_path / "bomb.xlsx", megabytes=1024)
    assert path.stat().st_size < 2 * MB
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 1024 * MB
    found = read_in_child(path)
    (problem,) = found["problems"]
    assert problem.startswith("workbook: the part xl/worksheets/sheet1.xml expands to 1,073,7")
    assert problem.endswith(" bytes: at most 20,000,000 per part")
    assert found["cpu"] < 2.0
    assert found["grew_kb"] < 64 * 1024


def test_a_part_under_the_size_cap_but_compressed_like_whitespace_is_refused(workbook, tmp_path):
    path = whitespace_bomb(workbook, tmp_path / "bomb.xlsx", megabytes=15)
    (problem,) = read_workbook(path).problems
    assert str(problem).startswith("workbook: the part xl/worksheets/sheet1.xml is compressed ")
    assert "times (at most 100 for a part over 1 MB): not a spreadsheet" in str(problem)


def _without_dimension(path):
    """Drop the <dimension> element of the first sheet: the size is then only found by reading."""
    source = path.with_suffix(".orig.xlsx")
    path.rename(source)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension")
                data = data[:start] + data[data.index(b"/>", start) + 2 :]
            zout.writestr(info, data)
    return path


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("A30000", "the sheet has more than 20,000 rows"),
        ("GS2", "the sheet has a cell in column GS, row 2"),
    ],
)
def test_rows_and_columns_are_counted_even_when_the_sheet_hides_its_size(tmp_path, cell, message):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "survey"
    ws["A1"], ws[cell] = "type", "x"
    book.save(tmp_path / "hidden.xlsx")
    path = _without_dimension(tmp_path / "hidden.xlsx")
    (problem,) = read_workbook(path).problems
    assert str(problem) == (
        f"survey: {message}: at most {limits.MAX_WORKSHEET_ROWS:,} rows and 200 columns (GR)"
    )


@pytest.mark.parametrize(
    ("member", "start"),
    [
        ("xl/worksheets/sheet1.xml", "survey: the sheet is damaged (unclosed token: line 1"),
        ("xl/workbook.xml", "workbook: cannot read the workbook (unclosed token: line 1"),
    ],
)
def test_damaged_xml_is_a_located_refusal(workbook, tmp_path, member, start):
    path = damaged(workbook, tmp_path / "damaged.xlsx", member)
    (problem,) = read_workbook(path).problems
    assert str(problem).startswith(start)


def test_survey_import_shows_damaged_xml_as_a_message(workbook, tmp_path):
    path = damaged(workbook, tmp_path / "damaged.xlsx", "xl/worksheets/sheet1.xml")
    result = CliRunner().invoke(import_command, [str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"{path}: survey: the sheet is damaged (unclosed token" in result.stderr
    assert "1 problem(s): the workbook was not imported" in result.stderr


def test_survey_check_and_load_show_damaged_workbooks_and_non_utf8_yaml(runner, workbook, tmp_path):
    broken = damaged(workbook, tmp_path / "damaged.xlsx", "xl/worksheets/sheet1.xml")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b'schema_version: 1\nsurvey: {title: {fr: "\xe9t\xe9"}}\n')
    for command in ("check", "load"):
        result = runner.invoke(args=["survey", command, str(broken)])
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), result.exception
        assert f"{broken}: survey: the sheet is damaged (unclosed token" in result.output

        result = runner.invoke(args=["survey", command, str(latin1)])
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), result.exception
        assert f"{latin1}:2:1: the file is not valid UTF-8 (byte 40)" in result.output
