"""Oversized schemas are refused in milliseconds by the upload and `survey check` (issue #16)."""

from __future__ import annotations

import re

import pytest

from tests.admin.test_surveys_admin import _survey, _upload
from tests.support.hostile_schemas import crossed_quota, not_chain
from tests.support.timing import cpu_seconds

#: CPU seconds allowed for a refusal: about ten times what it takes here (0.1–0.4 s), and far
#: below the minutes the same files took before the limits (issue #16).
REFUSAL_CPU_SECONDS = 2.0

#: The problem row of the upload page: line, column, YAML path, message.
ROW = re.compile(
    r'<tr class="severity-error"><td class="num">(\d+)</td><td class="num">(\d+)</td>\s*'
    r"<td><code>([^<]*)</code></td><td>([^<]*)</td></tr>"
)


def test_upload_refuses_two_crossed_1500_option_questions_in_milliseconds(app, as_role):
    client = as_role("study")
    text = crossed_quota(1_500)
    with cpu_seconds() as spent:  # CPU time: the shared test machine is loaded
        response = _upload(client, text, "huge.yaml")
    assert spent.seconds < REFUSAL_CPU_SECONDS
    assert response.status_code == 422
    line = text.splitlines().index("option_lists:") + 3
    assert ROW.findall(response.get_data(as_text=True)) == [
        (str(line), "5", "option_lists.many", "1,500 options: at most 1,000 allowed")
    ]
    assert _survey(app, "t") is None


@pytest.mark.parametrize("depth", [210, 300])
def test_upload_refuses_a_deep_not_chain_with_a_location(app, as_role, depth):
    text = not_chain(depth)
    response = _upload(as_role("study"), text, "deep.yaml")
    assert response.status_code == 422
    ((line, column, _path, message),) = ROW.findall(response.get_data(as_text=True))
    assert int(line) == len(text.split("id: b,")[0].splitlines())
    assert int(column) > 1
    assert message.startswith("mappings and lists nested more than 128 levels deep")


def test_survey_check_refuses_two_crossed_1500_option_questions_in_milliseconds(runner, tmp_path):
    path = tmp_path / "huge.yaml"
    text = crossed_quota(1_500)
    path.write_text(text, encoding="utf-8")
    with cpu_seconds() as spent:
        result = runner.invoke(args=["survey", "check", str(path)])
    assert spent.seconds < REFUSAL_CPU_SECONDS
    assert result.exit_code == 1
    line = text.splitlines().index("option_lists:") + 3
    assert result.output.splitlines() == [
        f"{path}:{line}:5: option_lists.many: 1,500 options: at most 1,000 allowed",
        f"{path}: 1 problem(s)",
    ]
