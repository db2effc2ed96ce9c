"""The results pages and downloads, on the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent
from tests.results.conftest import filled_responses

BASE = "/admin/surveys/barometre-2015"


def _completes(**where) -> list[dict]:
    out = []
    for answers, status, _ending in filled_responses():
        if status != "complete":
            continue
        if all(answers.get(k) == v for k, v in where.items()):
            out.append(answers)
    return out


def test_roles_anonymous_visitors_go_to_the_login_page(app, baro, as_role):
    anonymous = app.test_client()
    assert anonymous.get(f"{BASE}/results").status_code == 302
    for role in ("analyst", "study", "admin"):
        assert as_role(role).get(f"{BASE}/results").status_code == 200, role
    assert as_role("analyst").get("/admin/surveys/nope/results").status_code == 404


def test_page_shows_every_table_with_its_base_and_excludes_test_responses(baro, as_role):
    client = as_role("study")
    html = client.get(f"{BASE}/results").get_data(as_text=True)
    completes = _completes()
    assert f"{len(completes)} responses" in html
    users = [a for a in completes if a.get("q1") == "1"]
    assert f"n = {len(users)} of {len(completes)}" in html  # Q2, asked to users only
    for qid in ("s1", "q3", "q17", "q21_8", "size_band", "q4_main"):
        assert f'id="t-{qid}"' in html
    assert 'id="t-q22"' not in html  # free text: in the open-answer reader, not a table


def test_breakdown_by_country_weighted_and_labels_in_english(baro, as_role):
    client = as_role("analyst", "fr")
    html = client.get(f"{BASE}/results?by=s1&weighted=1&lang=en").get_data(as_text=True)
    assert "United States" in html
    assert "(B)" in html
    assert "Effective base" in html or "Base effective" in html
    assert client.get(f"{BASE}/results?by=nonsense").status_code == 400
    assert client.get(f"{BASE}/results?from=yesterday").status_code == 400


def test_filters_language_and_dates(baro, as_role):
    client = as_role("analyst")
    english = [a for a in _completes() if a.get("s1") == "2" or a.get("s1b") == "2"]
    html = client.get(f"{BASE}/results?language=en").get_data(as_text=True)
    assert f"{len(english)} responses" in html
    html = client.get(f"{BASE}/results?from=2030-01-01").get_data(as_text=True)
    assert "0 responses" in html


def test_table_csv_in_the_chosen_language(baro, as_role):
    client = as_role("analyst")
    response = client.get(f"{BASE}/results/s1.csv?by=s1-region&lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header = next(r for r in rows if len(r) > 3 and r[1] == "Total")
    assert "North America (B)" in header
    france = next(r for r in rows if r and r[0] == "France")
    assert int(france[1]) == len(_completes(s1="1"))
    assert client.get(f"{BASE}/results/q22.csv").status_code == 404


def test_workbook_has_one_sheet_per_question_with_labels_in_french(baro, as_role):
    response = as_role("study").get(f"{BASE}/results.xlsx?by=s1&weighted=1&lang=fr")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    names = book.sheetnames
    assert {"q2", "q3", "q17", "s1", "size_band"} <= set(names)
    assert len(names) > 60
    sheet = book["s1"]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "États-Unis" in values
    one = as_role("analyst").get(f"{BASE}/results/q3.xlsx")
    assert load_workbook(io.BytesIO(one.data), read_only=True).sheetnames[1:] == ["q3"]


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_charts_as_svg_and_png(baro, as_role, fmt, magic):
    client = as_role("analyst")
    for qid in ("q3", "q17", "s1"):
        response = client.get(f"{BASE}/results/{qid}.{fmt}?by=s1")
        assert response.status_code == 200, qid
        assert response.data.startswith(magic)
        assert response.headers["Cache-Control"] == "no-store", qid  # results stay private
    download = client.get(f"{BASE}/results/q2.{fmt}?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert client.get(f"{BASE}/results/q22.{fmt}").status_code == 404


def test_open_answers_reader_filter_and_audited_csv(app, baro, as_role):
    client = as_role("analyst")
    html = client.get(f"{BASE}/open-answers?q=q22").get_data(as_text=True)
    assert "possibly personal data" in html
    french = [a for a in _completes(s1="1") if a.get("q22")]
    page = client.get(f"{BASE}/open-answers?q=q22&group_by=s1&group=1").get_data(as_text=True)
    assert f"{len(french)} answers" in page
    response = client.get(f"{BASE}/open-answers.csv?q=q22&group_by=s1&group=1")
    assert response.status_code == 200
    assert "personal-data" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(french) + 1
    assert "possibly personal data" in rows[0][-1]
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id.desc())
        ).first()
        assert event.details["format"] == "open_answers.csv"
        assert event.details["rows"] == len(french)
    assert client.get(f"{BASE}/open-answers?q=q2").status_code == 404


def test_open_answers_in_french_plural_typography_and_column_names(baro, as_role):
    """« 0 réponse. » / « 44 réponses. » (French plural: 0 and 1 singular), the schema's
    column headers set in French (no "?" alone on a line), and the response-number column
    not named like the answer column."""
    client = as_role("analyst", "fr")
    for by, group, n in (("q1", "2", 0), ("s1", "1", 44)):  # Q22 is not asked to non-users
        assert n == len([a for a in _completes(**{by: group}) if a.get("q22")])
        query = f"q=q22&group_by={by}&group={group}&lang=fr"
        page = client.get(f"{BASE}/open-answers?{query}").get_data(as_text=True)
        assert f"<p>{n} réponse{'s' if n > 1 else ''}." in page
        assert "Réponses ouvertes · Baromètre des médias sociaux" in page  # title, not slug
    assert '<th scope="col">Dans quel pays travaillez-vous principalement\u202f?</th>' in page
    assert '<th scope="col">N° de réponse</th>' in page
    english = as_role("analyst", "en").get(f"{BASE}/open-answers?q=q22&group_by=q1&group=2")
    assert "<p>0 answers." in english.get_data(as_text=True)


def test_report_command_writes_the_workbook(app, baro, runner, tmp_path):
    target = tmp_path / "report.xlsx"
    with app.app_context():
        result = runner.invoke(args=["report", "barometre-2015", "--by", "s1", "--weighted",
                                     "-o", str(target)])  # fmt: skip
    assert result.exit_code == 0, result.output
    book = load_workbook(target, read_only=True)
    assert "q3" in book.sheetnames
    single = tmp_path / "q2.csv"
    with app.app_context():
        result = runner.invoke(args=["report", "barometre-2015", "--only", "q2", "--lang", "en",
                                     "-o", str(single)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Q2 —" in single.read_text(encoding="utf-8-sig")
    with app.app_context():
        result = runner.invoke(args=["report", "barometre-2015", "--by", "zz", "-o", str(target)])
    assert result.exit_code != 0
    assert "unknown breakdown" in result.output
