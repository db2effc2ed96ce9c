"""`survey import`, `survey export-xlsform` and `read_schema_source` (for `survey load`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from surveyapp.commands.xlsform import export_xlsform_command, import_command, read_schema_source
from surveyapp.engine import load_survey
from surveyapp.xlsform import import_xlsform
from tests.xlsform.xlsform_support import EN, FORMS, SETTINGS_EN, feature_rows, write_xlsform

BAROMETER = Path(__file__).resolve().parents[2] / "surveyapp" / "surveys" / "barometre-2015.yaml"


@pytest.fixture
def workbook(tmp_path):
    columns, hints, settings = FORMS["fr+en"]
    survey, choices = feature_rows(columns, hints)
    return write_xlsform(tmp_path / "features.xlsx", survey, choices, settings)


def test_import_to_stdout(workbook):
    result = CliRunner().invoke(import_command, [str(workbook)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Imported from the XLSForm features.xlsx")
    load_survey(result.stdout, "stdout")
    assert "warning: " in result.stderr


def test_import_to_a_file(workbook, tmp_path):
    out = tmp_path / "survey.yaml"
    result = CliRunner().invoke(import_command, [str(workbook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "test-form, 8 page(s), written" in result.stderr
    assert load_survey(out.read_text(encoding="utf-8"), str(out)).id == "test-form"


def test_import_refusal_exits_with_located_messages(tmp_path):
    survey = [
        {"type": "text", "name": "a", EN: "A?"},
        {"type": "text", "name": "b", EN: "B?", "relevant": "string-length(${a}) > 2"},
    ]
    path = write_xlsform(tmp_path / "bad.xlsx", survey, [], SETTINGS_EN)
    out = tmp_path / "never.yaml"
    result = CliRunner().invoke(import_command, [str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert "survey, row 3, column D (relevant), character 1: " in result.stderr
    assert "1 problem(s): the workbook was not imported" in result.stderr
    assert not out.exists()


def test_import_language_option(tmp_path):
    survey = [{"type": "text", "name": "a", "label": "Pourquoi ?"}]
    path = write_xlsform(tmp_path / "fr.xlsx", survey, [], SETTINGS_EN)
    assert CliRunner().invoke(import_command, [str(path)]).exit_code == 1
    result = CliRunner().invoke(import_command, [str(path), "--language", "fr"])
    assert result.exit_code == 0, result.output
    assert "languages: [fr]" in result.stdout


def test_read_schema_source(workbook):
    assert read_schema_source(BAROMETER) == BAROMETER.read_text(encoding="utf-8")
    assert read_schema_source(workbook) == import_xlsform(workbook).text


def test_export_a_schema_file(tmp_path):
    out = tmp_path / "barometre.xlsx"
    result = CliRunner().invoke(export_xlsform_command, ["--file", str(BAROMETER), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _form_id(out) == "barometre-2015"  # (the round trip itself: test_xlsform_roundtrip)


def test_export_needs_a_slug_or_a_file(tmp_path):
    result = CliRunner().invoke(export_xlsform_command, ["-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert "give either a survey SLUG or --file PATH" in result.output


def test_export_refuses_a_broken_schema(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema_version: 1\nsurvey: {id: x}\n", encoding="utf-8")
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(export_xlsform_command, ["--file", str(broken), "-o", str(out)])
    assert result.exit_code == 1
    assert "nothing written" in result.output
    assert not out.exists()


def _form_id(path: Path) -> str:
    settings = openpyxl.load_workbook(path)["settings"]
    return dict(zip(*settings.iter_rows(values_only=True), strict=True))["form_id"]


def _store(session, text: str) -> None:
    """A survey with one stored version (what `survey load` leaves in the database)."""
    from surveyapp.models import Survey, SurveyVersion

    survey = Survey(slug="barometre-2015")
    session.add(survey)
    session.flush()
    digest = hashlib.sha256(text.encode()).hexdigest()
    version = SurveyVersion(survey_id=survey.id, number=1, label="x", source=text, sha256=digest)
    session.add(version)
    session.flush()
    survey.current_version_id = version.id
    session.commit()


def test_export_a_loaded_survey(app, runner, session, tmp_path):
    out = tmp_path / "loaded.xlsx"
    _store(session, BAROMETER.read_text(encoding="utf-8"))
    result = runner.invoke(export_xlsform_command, ["barometre-2015", "-o", str(out)])
    assert result.exit_code == 0, result.output
    missing = runner.invoke(export_xlsform_command, ["nope", "-o", str(out)])
    assert missing.exit_code == 1
    assert "no survey 'nope'" in missing.output
    assert _form_id(out) == "barometre-2015"


def test_check_and_load_take_the_import_options(app, runner, session, tmp_path):
    from surveyapp.commands.survey import survey_group

    survey = [{"type": "text", "name": "a", "label": "Pourquoi ?"}]
    path = str(write_xlsform(tmp_path / "fr.xlsx", survey, [], SETTINGS_EN))
    refused = runner.invoke(survey_group, ["check", path])
    assert refused.exit_code == 1
    assert "which language are the columns label written in?" in refused.output
    checked = runner.invoke(survey_group, ["check", path, "--language", "fr"])
    assert checked.exit_code == 0, checked.output
    assert f"{path}: OK" in checked.output
    loaded = runner.invoke(survey_group, ["load", path, "--language", "fr"])
    assert loaded.exit_code == 0, loaded.output
    assert "test-form: version 1 (new version)" in loaded.output
