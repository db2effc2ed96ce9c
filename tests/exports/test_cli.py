"""`surveyapp export`: the same files as the downloads, audit-logged as the CLI user."""

from __future__ import annotations

import json

import pyreadstat
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent
from tests.exports.helpers import add_contact

URL = "/admin/surveys/barometre-2015"


def invoke(app, runner, *args: str):
    with app.app_context():
        return runner.invoke(args=["export", *args])


def without_exported_at(data: bytes) -> dict:
    document = json.loads(data)
    document["survey"].pop("exported_at")
    return document


def test_csv_to_a_file_is_the_download(app, runner, panel, login_as, tmp_path):
    out = tmp_path / "export.csv"
    result = invoke(app, runner, "barometre-2015", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == login_as("analyst").get(f"{URL}/export.csv").data


def test_presets_labels_and_filters_on_stdout(app, runner, panel, login_as):
    args = ("--preset", "plain", "--labels", "en", "--source", "3", "--status", "complete")
    result = invoke(app, runner, "barometre-2015", *args)
    assert result.exit_code == 0, result.output
    query = "preset=plain&labels=en&source=3"
    expected = login_as("analyst").get(f"{URL}/export.csv?{query}").data
    assert result.stdout_bytes == expected
    assert b"United States" in result.stdout_bytes


def test_sav_codebook_and_contacts(app, runner, panel, tmp_path, login_as, barometer):
    sav = tmp_path / "x.sav"
    assert invoke(app, runner, "barometre-2015", "--format", "sav", "-o", str(sav)).exit_code == 0
    frame, meta = pyreadstat.read_sav(str(sav))
    assert len(frame) == 4
    assert meta.variable_value_labels["s1"][1] == "France"
    book = invoke(app, runner, "barometre-2015", "--format", "codebook-json")
    expected = login_as("analyst").get(f"{URL}/codebook.json").data
    assert without_exported_at(book.stdout_bytes) == without_exported_at(expected)
    with app.app_context():
        add_contact(barometer, "a@example.org", {"q23": ["1"]})
    contacts = invoke(app, runner, "barometre-2015", "--format", "contacts")
    assert contacts.stdout_bytes.decode("utf-8-sig").splitlines()[1] == "a@example.org,1,0,0,0"
    with app.app_context():
        actors = db.session.scalars(
            select(AuditEvent.actor_type).where(AuditEvent.action == "export")
        ).all()
    assert actors.count("system") == 3


def test_errors(app, runner, barometer):
    assert invoke(app, runner, "nope").exit_code != 0
    bad = invoke(app, runner, "barometre-2015", "--from", "yesterday")
    assert bad.exit_code == 2
    assert "from" in bad.output
    assert invoke(app, runner, "barometre-2015", "--format", "sav").exit_code == 2
