"""Spec §9.9: exports give the completion date and the duration, not full timestamps, unless an
admin explicitly asks for them (query `timestamps=1`, CLI `--timestamps`), audit-logged."""

from __future__ import annotations

import csv
import io

import pyreadstat
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent

URL = "/admin/surveys/barometre-2015"


def rows(data: bytes) -> dict[str, dict[str, str]]:
    text = data.decode("utf-8-sig")
    return {r["response_id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}


def export_events(app) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
            )
        )


def test_default_export_has_the_day_and_the_duration_only(login_as, panel):
    data = login_as("analyst").get(f"{URL}/export.csv").data
    header = data.decode("utf-8-sig").split("\r\n", 1)[0].split(",")
    assert "started_at" not in header
    assert "completed_at" not in header
    assert header[header.index("completed_date") + 1] == "duration_s"
    french = rows(data)[str(panel["french"])]
    assert (french["completed_date"], french["duration_s"]) == ("2015-05-10", "900")


def test_timestamps_are_refused_to_every_role_but_admin(login_as, panel, api_token, client):
    for role in ("analyst", "study"):
        response = login_as(role).get(f"{URL}/export.csv?timestamps=1")
        assert response.status_code == 403
    bearer = {"Authorization": f"Bearer {api_token()}"}
    assert client.get(f"{URL}/export.csv?timestamps=1", headers=bearer).status_code == 403
    assert client.get(f"{URL}/export.csv?timestamps=yes", headers=bearer).status_code == 400


def test_an_admin_who_asks_gets_timestamps_and_the_audit_log_says_so(app, login_as, panel):
    admin = login_as("admin")
    french = rows(admin.get(f"{URL}/export.csv?timestamps=1").data)[str(panel["french"])]
    assert french["started_at"] == "2015-05-10T09:00:00Z"
    assert french["completed_at"] == "2015-05-10T09:15:00Z"
    assert "completed_date" not in french
    admin.get(f"{URL}/export.csv")
    asked, default = export_events(app)
    assert (asked.details["timestamps"], default.details["timestamps"]) == (True, False)


def test_spss_gets_a_date_variable_unless_timestamps(login_as, panel, tmp_path):
    admin = login_as("admin")
    plain, full = tmp_path / "plain.sav", tmp_path / "full.sav"
    plain.write_bytes(admin.get(f"{URL}/export.sav").data)
    full.write_bytes(admin.get(f"{URL}/export.sav?timestamps=1").data)
    frame, meta = pyreadstat.read_sav(str(plain))
    assert "started_at" not in frame.columns
    assert meta.original_variable_types["completed_date"] == "SDATE10"
    frame, meta = pyreadstat.read_sav(str(full))
    assert meta.original_variable_types["started_at"].startswith("DATETIME")
    assert "completed_date" not in frame.columns


def test_codebook_follows_the_same_rule(login_as, panel):
    analyst = login_as("analyst")
    names = [c["name"] for c in analyst.get(f"{URL}/codebook.json").get_json()["columns"]]
    assert "completed_date" in names
    assert "started_at" not in names


def test_cli_timestamps_flag(app, runner, panel):
    with app.app_context():
        default = runner.invoke(args=["export", "barometre-2015"])
        full = runner.invoke(args=["export", "barometre-2015", "--timestamps"])
    assert default.exit_code == 0, default.output
    assert full.exit_code == 0, full.output
    assert "completed_date" in default.output
    assert "started_at" not in default.output
    assert "started_at" in full.output
    assert [e.details["timestamps"] for e in export_events(app)] == [False, True]
