"""`surveyapp survey check SLUG|FILE` and `surveyapp survey quotas SLUG`, end to end.

The commands run through the app's CLI (click's runner, in an application context as the
`surveyapp` entry point gives them), or in a fresh interpreter where the exit status and the
split between standard output and standard error are the point. What is checked is what a
study team member reads: located messages, warnings, exit codes, and a quota table with labels
in the questionnaire's order, targets, completes, respondents in progress and each cell's status.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from surveyapp.extensions import db
from surveyapp.models import QuotaCell
from surveyapp.services import surveys
from surveyapp.services.audit import Actor
from tests.admin.helpers import FIXTURES, add_response, claim
from tests.support.servers import REPO

DEMO = (FIXTURES / "demo.yaml").read_text(encoding="utf-8")
#: p2 shown only when q1 is both 1 and 2: a lint warning, not an error.
UNREACHABLE = DEMO.replace(
    "  - id: p2\n    questions:",
    "  - id: p2\n    when: {all: [{q: q1, eq: 1}, {q: q1, eq: 2}]}\n    questions:",
)
#: An ending condition naming a question that does not exist: an error.
BROKEN = DEMO.replace("    when: {q: q1, eq: 2}\n", "    when: {q: q9, eq: 2}\n")
#: German: no interface catalog, so buttons would be shown in English (a warning).
GERMAN = DEMO.replace("languages: [fr, en]", "languages: [fr, de]").replace(", en: ", ", de: ")


def _sizes(count: int) -> str:
    """A survey whose hard quota has one cell per company size, codes 1 to `count`."""
    options = "\n".join(
        f'    - {{code: {i}, label: {{fr: "Taille {i}", en: "Size {i}"}}}}'
        for i in range(1, count + 1)
    )
    targets = ", ".join(f"{i}: {10 * i}" for i in range(1, count + 1))
    return f"""schema_version: 1
survey:
  id: sizes
  version: "1"
  languages: [fr, en]
  default_language: en
  title: {{fr: "Tailles", en: "Sizes"}}
option_lists:
  sizes:
{options}
pages:
  - id: p1
    questions:
      - id: size
        type: single
        text: {{fr: "Taille ?", en: "Size?"}}
        options: sizes
  - id: p2
    questions:
      - id: why
        type: text
        text: {{fr: "Pourquoi ?", en: "Why?"}}
endings:
  - id: qf
    status: quota_full
    message: {{fr: "Complet.", en: "Full."}}
  - id: end
    status: complete
    default: true
    message: {{fr: "Merci !", en: "Thank you!"}}
quotas:
  - id: by_size
    kind: hard
    label: {{fr: "Par taille", en: "By size"}}
    by: [size]
    targets: {{{targets}}}
    check_after: p1
    ending: qf
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _load(app, text: str, name: str):
    with app.app_context():
        loaded = surveys.load_schema_text(db.session, text, name, Actor("system", "t"))
        return loaded.survey


def _invoke(app, runner, *args: str):
    with app.app_context():
        return runner.invoke(args=list(args))


def _table(output: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of the quota table, columns split on two or more spaces."""
    lines = [line for line in output.splitlines() if line.strip()]
    assert set(lines[1]) == {"-", " "}, output  # the rule under the header
    split = [[part.strip() for part in line.split("  ") if part.strip()] for line in lines]
    return split[0], split[2:]


# ---------------------------------------------------------------------------- survey check
def test_check_a_file_prints_ok_and_its_paths(app, runner, tmp_path):
    result = _invoke(app, runner, "survey", "check", _write(tmp_path, "demo.yaml", DEMO))
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'demo.yaml'}: OK" in result.stdout
    assert "distinct paths: 3 (1 ending as complete)" in result.stdout
    assert "paths by ending: end 1, qf 1, so 1" in result.stdout
    assert result.stderr == ""


def test_check_warns_but_passes(app, runner, tmp_path):
    path = _write(tmp_path, "warn.yaml", UNREACHABLE)
    result = _invoke(app, runner, "survey", "check", path)
    assert result.exit_code == 0, result.output
    assert f"warning: {path}:40:5: pages[1]: unreachable" in result.stderr
    assert "no combination of answers shows page 'p2'" in result.stderr
    assert f"{path}: OK" in result.stdout


def test_check_warns_about_a_language_without_interface_catalog(app, runner, tmp_path):
    path = _write(tmp_path, "de.yaml", GERMAN)
    result = _invoke(app, runner, "survey", "check", path)
    assert result.exit_code == 0, result.output
    assert f"warning: {path}: no interface catalog for de" in result.stderr


def test_check_locates_a_problem_and_exits_1(app, runner, tmp_path):
    path = _write(tmp_path, "bad.yaml", BROKEN)
    result = _invoke(app, runner, "survey", "check", path)
    assert result.exit_code == 1, result.output
    assert f"{path}:56:11: endings[0].when: unknown question 'q9'" in result.stderr
    assert f"{path}: 1 problem(s)" in result.stderr
    assert "OK" not in result.stdout


def test_check_goes_on_after_a_failure_and_still_exits_1(app, runner, tmp_path):
    bad = _write(tmp_path, "bad.yaml", BROKEN)
    good = _write(tmp_path, "good.yaml", DEMO)
    result = _invoke(app, runner, "survey", "check", bad, "missing.yaml", str(tmp_path), good)
    assert result.exit_code == 1, result.output
    assert f"{bad}: 1 problem(s)" in result.stderr
    assert "missing.yaml: no such file" in result.stderr
    assert f"{tmp_path}: a directory, not a schema file" in result.stderr
    assert f"{good}: OK" in result.stdout


def test_check_a_loaded_survey_by_its_slug(app, runner):
    _load(app, DEMO, "demo.yaml")
    _load(app, DEMO.replace('version: "1"', 'version: "2"'), "demo.yaml")
    result = _invoke(app, runner, "survey", "check", "demo")
    assert result.exit_code == 0, result.output
    assert "demo (version 2): OK" in result.stdout
    assert "distinct paths: 3" in result.stdout


def test_check_an_unknown_slug_exits_1(app, runner):
    result = _invoke(app, runner, "survey", "check", "nosuch")
    assert result.exit_code == 1, result.output
    assert "nosuch: no such file, and no loaded survey with this slug" in result.stderr


def test_check_in_a_fresh_process_exit_status_and_streams(tmp_path):
    """The entry point itself: exit status 1, problems on stderr, OK lines on stdout."""
    bad = _write(tmp_path, "bad.yaml", BROKEN)
    good = _write(tmp_path, "good.yaml", DEMO)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance"),
        "SURVEYAPP_LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "-m", "surveyapp.cli", "survey", "check", good, bad, "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert f"{good}: OK" in result.stdout
    assert f"{bad}:56:11: endings[0].when: unknown question 'q9'" in result.stderr
    # No database on this fresh instance: the slug is refused with a hint, not a traceback.
    assert "demo: no such file, and the database cannot be read" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------- survey quotas
def test_quotas_table_in_the_questionnaires_order_with_every_figure(app, runner):
    survey = _load(app, _sizes(12), "sizes.yaml")
    for _ in range(10):  # size 1: 10 of 10, full
        claim(
            app, add_response(app, survey, status="complete", answers={"size": "1"}), "by_size__1"
        )
    rid = add_response(app, survey, status="complete", answers={"size": "10"})
    claim(app, rid, "by_size__10")
    add_response(app, survey, answers={"size": "10"})  # in progress, in cell 10
    add_response(app, survey, answers={"size": "2"})
    add_response(app, survey, answers={"size": "2"})
    with app.app_context():
        db.session.execute(
            update(QuotaCell).where(QuotaCell.cell_id == "by_size__3").values(is_closed=True)
        )
        db.session.commit()
    result = _invoke(app, runner, "survey", "quotas", "sizes")
    assert result.exit_code == 0, result.output
    header, rows = _table(result.stdout)
    assert header == ["Quota", "Cell", "Target", "Complete", "In progress", "Status"]
    # Natural order: the order of the options (1, 2, …, 10, 11, 12), never "1, 10, 11, 12, 2".
    assert [r[1] for r in rows] == [f"Size {i}" for i in range(1, 13)]
    assert rows[0] == ["By size", "Size 1", "10", "10", "0", "full"]
    assert rows[1] == ["By size", "Size 2", "20", "0", "2", "open"]
    assert rows[2] == ["By size", "Size 3", "30", "0", "0", "closed"]
    assert rows[9] == ["By size", "Size 10", "100", "1", "1", "open"]
    assert rows[11] == ["By size", "Size 12", "120", "0", "0", "open"]
    assert "by_size__" not in result.stdout  # labels, not internal cell ids
    french = _invoke(app, runner, "survey", "quotas", "sizes", "--lang", "fr")
    assert _table(french.stdout)[1][0][:2] == ["Par taille", "Taille 1"]


def test_quotas_numbers_are_right_aligned(app, runner):
    _load(app, _sizes(12), "sizes.yaml")
    lines = _invoke(app, runner, "survey", "quotas", "sizes").stdout.splitlines()
    target = lines[0].index("Target") + len("Target")
    assert {line[target - 1] for line in lines[2:]} == {"0"}  # 10, 20, … 120 end in one column


def test_quotas_check_holds_then_finds_a_mismatch(app, runner):
    survey = _load(app, DEMO, "demo.yaml")
    rid = add_response(app, survey, status="complete", answers={"region": "1"})
    claim(app, rid, "by_region__1")
    held = _invoke(app, runner, "survey", "quotas", "demo", "--check")
    assert held.exit_code == 0, held.output
    assert "invariant holds" in held.stdout
    with app.app_context():
        cell = db.session.scalar(select(QuotaCell).where(QuotaCell.cell_id == "by_region__2"))
        cell.completes += 1  # a counter that no claim backs
        db.session.commit()
    broken = _invoke(app, runner, "survey", "quotas", "demo", "--check")
    assert broken.exit_code == 1, broken.output
    assert "MISMATCH by_region__2: counter 1, claims 0, complete non-test responses 0" in (
        broken.stderr
    )
    assert "invariant holds" not in broken.stdout


def test_quotas_of_a_survey_without_quota(app, runner):
    text = DEMO[: DEMO.index("quotas:")]
    _load(app, text.replace("id: demo", "id: plain"), "plain.yaml")
    result = _invoke(app, runner, "survey", "quotas", "plain")  # the survey's French
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "plain : aucun quota"
    english = _invoke(app, runner, "survey", "quotas", "plain", "--lang", "en")
    assert english.stdout.strip() == "plain: no quota"


@pytest.mark.parametrize("args", [("quotas", "nosuch"), ("quotas", "nosuch", "--check")])
def test_quotas_of_an_unknown_survey_exits_1(app, runner, args):
    result = _invoke(app, runner, "survey", *args)
    assert result.exit_code == 1, result.output
    assert "no survey 'nosuch'" in result.stderr
