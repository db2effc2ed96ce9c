"""A failed export leaves no partial file (CLI) and is an error page before the first byte (web)."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp.exports.cells import CsvWriter
from surveyapp.exports.spss import SavBuilder
from surveyapp.services import exports as exports_service

URL = "/admin/surveys/barometre-2015"


def invoke(app, runner, *args: str):
    with app.app_context():
        return runner.invoke(args=["export", *args])


def _rows_fail(monkeypatch) -> None:
    def raw_rows(self, rows):
        raise RuntimeError("the disk went away mid-export")

    monkeypatch.setattr(CsvWriter, "raw_rows", raw_rows)


def _sav_fails_half_written(monkeypatch) -> None:
    def write(self, path, **kwargs):
        Path(path).write_bytes(b"$FL2 half a file")
        raise RuntimeError("the disk went away mid-export")

    monkeypatch.setattr(SavBuilder, "write", write)


@pytest.mark.parametrize(("fmt", "fail"), [("csv", _rows_fail), ("sav", _sav_fails_half_written)])
def test_a_failed_cli_export_leaves_no_partial_file(
    app, runner, panel, tmp_path, monkeypatch, fmt, fail
):
    fail(monkeypatch)
    earlier = tmp_path / f"earlier.{fmt}"
    earlier.write_bytes(b"the complete export of yesterday")
    fresh = tmp_path / f"fresh.{fmt}"
    for out in (earlier, fresh):
        result = invoke(app, runner, "barometre-2015", "--format", fmt, "-o", str(out))
        assert result.exit_code != 0
        assert isinstance(result.exception, RuntimeError)
    assert earlier.read_bytes() == b"the complete export of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == [earlier.name]  # no temporary left


def test_a_cli_export_replaces_the_file_only_when_complete(app, runner, panel, tmp_path):
    out = tmp_path / "export.csv"
    out.write_bytes(b"old")
    result = invoke(app, runner, "barometre-2015", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfresponse_id,")
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


@pytest.mark.parametrize(
    ("route", "fail"),
    [("export.csv", "builders"), ("export.sav", "sav")],
)
def test_an_export_failing_before_the_first_byte_is_an_error_page(
    app, panel, login_as, monkeypatch, route, fail
):
    if fail == "builders":

        def broken(*args, **kwargs):
            raise RuntimeError("the row builders cannot be made")

        monkeypatch.setattr(exports_service, "_builders", broken)
    else:
        _sav_fails_half_written(monkeypatch)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 page
    response = login_as("analyst").get(f"{URL}/{route}", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert "Content-Disposition" not in response.headers
    assert response.mimetype == "text/html"


def test_a_download_still_streams_and_closes(app, panel, login_as):
    client = login_as("analyst")
    response = client.get(f"{URL}/export.csv", buffered=False)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.response)
    response.close()
    assert body.count(b"\r\n") == 5  # header + the four completes
