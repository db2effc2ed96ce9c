"""Property tests: random respondents walk every schema; random forms never sneak a code in.

Run on the rich fixture and on every schema shipped in surveyapp/surveys/ (the barometer).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveyapp.engine import export_columns, export_row, flow, load_survey_file
from surveyapp.engine.visibility import environment, page_open, question_state

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = [Path(__file__).resolve().parent / "fixtures" / "rich.yaml"]
SCHEMAS += sorted((ROOT / "surveyapp" / "surveys").glob("*.yaml"))
SURVEYS = {path.name: load_survey_file(path) for path in SCHEMAS}
IDS = list(SURVEYS)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def valid_value(data: Any, qv: Any) -> Any:
    """A value a respondent may post for a rendered question (as form strings)."""
    q = qv.question
    codes = [o.code for o in qv.options]
    optional = not q.required
    if q.type == "single":
        return data.draw(st.sampled_from(codes + ([""] if optional else [])))
    if q.type == "multiple":
        exclusive = [o.code for o in qv.options if o.exclusive]
        plain = [c for c in codes if c not in exclusive]
        high = min(q.kind.max or len(plain), len(plain))
        low = min(q.kind.minimum(q), high)
        if exclusive and data.draw(st.integers(0, 4)) == 0 or not plain:
            return [data.draw(st.sampled_from(exclusive or codes))]
        return data.draw(st.lists(st.sampled_from(plain), min_size=low, max_size=high, unique=True))
    if q.type == "matrix":
        return {r.code: data.draw(st.sampled_from(codes)) for r in qv.rows}
    if q.type in ("integer", "nps"):
        low = q.kind.min if q.kind.min is not None else -5
        high = q.kind.max if q.kind.max is not None else 1000
        return str(data.draw(st.integers(int(low), int(high))))
    if q.type == "decimal":
        low = q.kind.min if q.kind.min is not None else -5
        high = q.kind.max if q.kind.max is not None else 1000
        number = data.draw(st.decimals(low, high, places=min(q.kind.decimals, 2)))
        return str(number).replace(".", data.draw(st.sampled_from([".", ","])))
    if q.type == "consent":
        return "1"
    if q.type == "email":
        return data.draw(st.sampled_from(["", "a@b.fr", " name@example.com "]))
    if q.type == "text":
        return data.draw(st.text(max_size=20)).replace("\x00", "")
    return None


def form_for(data: Any, view: Any) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for qv in view.questions:
        value = valid_value(data, qv)
        if isinstance(value, dict):
            form.update({f"{qv.id}.{row}": [code] for row, code in value.items()})
        elif isinstance(value, list):
            form[qv.id] = value
        elif value is not None:
            form[qv.id] = [value]
        if any(o.other for o in qv.options) and data.draw(st.booleans()):
            form[f"{qv.id}_other"] = [data.draw(st.text(max_size=10)).replace("\x00", "")]
    return form


def check_view(survey: Any, view: Any, answers: dict[str, Any]) -> None:
    """Everything shown must be visible now: page, questions, options, rows."""
    env = environment(survey, answers)
    page = survey.page(view.id)
    assert page_open(page, env)
    assert view.questions, f"empty page {view.id} shown"
    for qv in view.questions:
        q = qv.question
        assert q.when is None or q.when(env)
        state = question_state(q, env)
        assert state.visible
        assert {o.code for o in qv.options} == {o.code for o in state.options}
        assert {r.code for r in qv.rows} == {r.code for r in state.rows}
        for o in state.options:
            assert o.when is None or o.when(env)
        if q.options_from:
            assert {o.code for o in qv.options} <= set(env.get(q.options_from) or ())


def rendered_fields(view: Any) -> set[str]:
    """The inputs the page's template draws for a view (respondent/_fields.html): a question's
    id, or `<id>.<row>` per matrix row; `<id>.<part>` per date part; `<id>_other` beside an
    "other" option; `<id>_dk` with a "don't know" box; nothing for a note."""
    names: set[str] = set()
    for qv in view.questions:
        if qv.question.type == "note":
            continue
        rows = [f"{qv.id}.{row.code}" for row in qv.rows]
        names.update(rows if qv.question.type == "matrix" else [qv.id])
        names.update(f"{qv.id}.{part}" for part in qv.kind.parts)
        if any(o.other for o in qv.options):
            names.add(f"{qv.id}_other")
        if qv.dont_know is not None:
            names.add(f"{qv.id}_dk")
    return names


@pytest.mark.parametrize("name", IDS)
@SETTINGS
@given(data=st.data())
def test_random_respondents_always_reach_an_ending(name, data):
    survey = SURVEYS[name]
    seed = data.draw(st.text(min_size=1, max_size=8))
    lang = data.draw(st.sampled_from(survey.languages))
    answers: dict[str, Any] = {}
    hard = [c.id for q in survey.quotas if q.kind == "hard" for c in q.cells]
    full = (
        frozenset(data.draw(st.lists(st.sampled_from(hard), max_size=2))) if hard else frozenset()
    )
    step = flow.first_step(survey, answers)
    shown: list[str] = []
    previous = 0.0
    for _ in range(len(survey.pages) + 1):
        if isinstance(step, flow.EndingReached):
            break
        page_id = step.page_id
        assert page_id not in shown, "a page was shown twice"
        shown.append(page_id)
        view = flow.render_page(survey, page_id, answers, seed, lang)
        check_view(survey, view, answers)
        # what a posted page may send, found without building the view: the rendered fields
        assert flow.posted_names(survey, page_id, answers) == rendered_fields(view)
        share = flow.progress(survey, page_id, answers)
        assert previous <= share < 1, "progress went backwards"
        previous = share
        result = flow.validate_page(survey, page_id, form_for(data, view), answers, seed)
        assert result.ok, (page_id, result.errors)
        answers = flow.apply_page(survey, page_id, result.values, answers, seed)
        assert not any(q.id in answers for q in flow.contact_fields(survey))
        step = flow.next_step(survey, page_id, answers, full)
    assert isinstance(step, flow.EndingReached), shown
    assert flow.route(survey, answers)[: len(shown)] == shown or step.ending.status != "complete"
    flow.quota_cells(survey, answers)
    flow.derived_values(survey, answers)
    row = export_row(survey, answers)
    assert set(row) == {c.name for c in export_columns(survey)}


HOSTILE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "1", "01", "1.0", "a", "none", "other", "None", "true", "-1", "1e9"]),
    st.sampled_from(["\x00", "\ud800", "é", "ⅰ", "１", "<script>", "' OR 1=1 --"]),
)


@pytest.mark.parametrize("name", IDS)
@SETTINGS
@given(data=st.data())
def test_hostile_forms_never_store_a_code_that_is_not_offered(name, data):
    survey = SURVEYS[name]
    page = data.draw(st.sampled_from(survey.pages))
    answers = reach(survey, page.id, data)
    if answers is None:
        return
    view = flow.render_page(survey, page.id, answers, "seed", survey.default_language)
    fields = [qv.id for qv in view.questions] + [
        f"{qv.id}.{r.code}" for qv in view.questions for r in qv.rows
    ]
    fields += [f"{qv.id}_other" for qv in view.questions] + ["unknown", "csrf_token"]
    form = data.draw(st.dictionaries(st.sampled_from(fields), st.lists(HOSTILE, max_size=3)))
    result = flow.validate_page(survey, page.id, form, answers, "seed")
    offered = {qv.id: {o.code for o in qv.options} for qv in view.questions}
    for key, value in result.values.items():
        if key in offered and survey.questions[key].type in ("single", "multiple"):
            codes = value if isinstance(value, list) else [value]
            assert all(c is None or c in offered[key] for c in codes), (key, value)
        if (
            survey.questions.get(key) is not None
            and survey.questions[key].type == "matrix"
            and value
        ):
            assert set(value.values()) <= offered[key]
        if isinstance(value, str):
            assert "\x00" not in value
    if result.ok:
        flow.apply_page(survey, page.id, result.values, answers, "seed")


def reach(survey: Any, target: str, data: Any) -> dict[str, Any] | None:
    """Answers of a random respondent up to `target` (None if the route skips it)."""
    answers: dict[str, Any] = {}
    step = flow.first_step(survey, answers)
    while isinstance(step, flow.NextPage):
        if step.page_id == target:
            return answers
        view = flow.render_page(survey, step.page_id, answers, "seed", survey.default_language)
        result = flow.validate_page(survey, step.page_id, form_for(data, view), answers, "seed")
        answers = flow.apply_page(survey, step.page_id, result.values, answers, "seed")
        step = flow.next_step(survey, step.page_id, answers)
    return None


@pytest.mark.parametrize("name", IDS)
@SETTINGS
@given(data=st.data())
def test_stored_values_of_the_wrong_type_never_crash_the_flow(name, data):
    survey = SURVEYS[name]
    junk = st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=3),
        st.lists(st.text(max_size=2)),
        st.dictionaries(st.text(max_size=2), st.text(max_size=2)),
    )
    ids = list(survey.questions)
    answers = data.draw(st.dictionaries(st.sampled_from(ids), junk, max_size=8))
    for page in survey.pages:
        flow.render_page(survey, page.id, answers, "s", survey.default_language)
        flow.next_step(survey, page.id, answers)
        flow.progress(survey, page.id, answers)
    flow.apply_page(survey, survey.pages[0].id, {}, answers, "s")
    flow.quota_cells(survey, answers)
