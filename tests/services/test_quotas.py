"""Quota runtime at the service level: claims, releases, target changes, the invariant."""

from __future__ import annotations

import secrets

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import QuotaCell, QuotaClaim, Response, Survey, SurveyVersion, utcnow
from surveyapp.services import quotas
from surveyapp.services.audit import Actor
from surveyapp.services.transaction import begin_write

ACTOR = Actor("system", "tests")


def _survey(session, cells: dict[str, tuple[str, int]]) -> Survey:
    survey = Survey(slug=f"s-{secrets.token_hex(4)}")
    session.add(survey)
    session.flush()
    version = SurveyVersion(survey_id=survey.id, number=1, label="1", source="x", sha256="0" * 64)
    session.add(version)
    session.flush()
    for cell_id, (kind, target) in cells.items():
        session.add(
            QuotaCell(
                survey_id=survey.id,
                quota_id=cell_id.split("__")[0],
                cell_id=cell_id,
                kind=kind,
                target=target,
            )
        )
    session.commit()
    return survey


def _response(session, survey: Survey) -> Response:
    version_id = session.scalar(
        select(SurveyVersion.id).where(SurveyVersion.survey_id == survey.id)
    )
    response = Response(
        survey_id=survey.id,
        version_id=version_id,
        language="fr",
        token_hash=secrets.token_hex(32),
        seed="s",
        answers={},
        params={},
        page_history=[],
    )
    session.add(response)
    session.commit()
    return response


def _finish(session, response: Response, cells: list[str]) -> str:
    """What completing does with quotas: claim, then set the outcome, in one transaction."""
    begin_write(db.session)
    ok = quotas.claim(session, response, cells)
    response.status = "complete" if ok else "quota_full"
    response.ending_id = "end_complete" if ok else "qf"
    response.completed_at = utcnow()
    session.commit()
    return response.status


def _counter(session, survey, cell_id) -> int:
    return session.scalar(
        select(QuotaCell.completes).where(
            QuotaCell.survey_id == survey.id, QuotaCell.cell_id == cell_id
        )
    )


def test_claim_stops_at_target_and_changes_nothing_when_full(session):
    survey = _survey(session, {"c__1": ("hard", 2), "soft__1": ("soft", 1)})
    outcomes = [_finish(session, _response(session, survey), ["c__1", "soft__1"]) for _ in range(3)]
    assert outcomes == ["complete", "complete", "quota_full"]
    assert _counter(session, survey, "c__1") == 2
    # The soft cell counts past its target (monitor only), but not the refused response.
    assert _counter(session, survey, "soft__1") == 2
    assert quotas.check_invariant(session, survey.id) == []


def test_a_refused_claim_rolls_back_cells_already_taken(session):
    survey = _survey(session, {"a__1": ("hard", 5), "b__1": ("hard", 0)})
    assert _finish(session, _response(session, survey), ["a__1", "b__1"]) == "quota_full"
    assert _counter(session, survey, "a__1") == 0
    assert session.scalar(select(func.count()).select_from(QuotaClaim)) == 0


def test_full_cells_reports_full_and_closed_hard_cells(session):
    survey = _survey(session, {"a__1": ("hard", 0), "b__1": ("hard", 3), "s__1": ("soft", 0)})
    assert quotas.full_cells(session, survey.id, ["a__1", "b__1", "s__1"]) == {"a__1"}
    quotas.set_closed(session, survey.id, "b__1", True, ACTOR)
    assert quotas.full_cells(session, survey.id, ["b__1"]) == {"b__1"}
    quotas.set_closed(session, survey.id, "b__1", False, ACTOR)
    assert quotas.full_cells(session, survey.id, ["b__1"]) == frozenset()


def test_lowering_a_target_stops_new_completes_and_raising_reopens(session):
    survey = _survey(session, {"c__1": ("hard", 3)})
    for _ in range(2):
        _finish(session, _response(session, survey), ["c__1"])
    quotas.set_target(session, survey.id, "c__1", 1, ACTOR)
    assert _finish(session, _response(session, survey), ["c__1"]) == "quota_full"
    quotas.set_target(session, survey.id, "c__1", 4, ACTOR)
    outcomes = [_finish(session, _response(session, survey), ["c__1"]) for _ in range(3)]
    assert outcomes == ["complete", "complete", "quota_full"]


def test_release_gives_the_slot_back(session):
    survey = _survey(session, {"c__1": ("hard", 1)})
    first = _response(session, survey)
    _finish(session, first, ["c__1"])
    begin_write(db.session)
    assert quotas.release(session, first.id) == 1
    session.delete(first)
    session.commit()
    assert _counter(session, survey, "c__1") == 0
    assert _finish(session, _response(session, survey), ["c__1"]) == "complete"


def test_unknown_cell_and_negative_target_are_refused(session):
    survey = _survey(session, {"c__1": ("hard", 1)})
    with pytest.raises(quotas.QuotaError):
        quotas.set_target(session, survey.id, "nope", 3, ACTOR)
    with pytest.raises(quotas.QuotaError):
        quotas.set_target(session, survey.id, "c__1", -1, ACTOR)


class QuotaMachine(RuleBasedStateMachine):
    """Any interleaving of start, finish, double finish, delete and target changes keeps the
    invariant, and no finish ever takes a counter past the target in force (Q-4)."""

    app = None

    @initialize()
    def setup(self):
        self.ctx = self.app.app_context()
        self.ctx.push()
        self.session = db.session
        self.survey = _survey(self.session, {"c__1": ("hard", 3), "c__2": ("hard", 2)})
        self.started: list[tuple[Response, str]] = []
        self.finished: dict[int, str] = {}

    def teardown(self):
        self.ctx.pop()

    @rule(cell=st.sampled_from(["c__1", "c__2"]))
    def start(self, cell):
        self.started.append((_response(self.session, self.survey), cell))

    @rule(data=st.data())
    def finish(self, data):
        pending = [(r, c) for r, c in self.started if r.id not in self.finished]
        if not pending:
            return
        response, cell = data.draw(st.sampled_from(pending))
        target = self.session.scalar(
            select(QuotaCell.target).where(
                QuotaCell.survey_id == self.survey.id, QuotaCell.cell_id == cell
            )
        )
        before = _counter(self.session, self.survey, cell)
        outcome = _finish(self.session, response, [cell])
        self.finished[response.id] = outcome
        assert (outcome == "complete") == (before < target)
        assert _counter(self.session, self.survey, cell) <= max(before, target)

    @rule(data=st.data())
    def double_finish(self, data):
        done = [(r, c) for r, c in self.started if r.id in self.finished]
        if not done:
            return
        response, _cell = data.draw(st.sampled_from(done))
        # A finished response replays its outcome: the service checks the status first.
        self.session.refresh(response)
        assert response.status == self.finished[response.id]

    @rule(data=st.data())
    def delete(self, data):
        if not self.started:
            return
        response, cell = data.draw(st.sampled_from(self.started))
        begin_write(db.session)
        quotas.release(self.session, response.id)
        self.session.delete(response)
        self.session.commit()
        self.started.remove((response, cell))
        self.finished.pop(response.id, None)

    @rule(cell=st.sampled_from(["c__1", "c__2"]), new_target=st.integers(0, 5))
    def change_target(self, cell, new_target):
        quotas.set_target(self.session, self.survey.id, cell, new_target, ACTOR)

    @invariant()
    def counters_match_completes(self):
        if hasattr(self, "survey"):
            assert quotas.check_invariant(self.session, self.survey.id) == []


def test_quota_state_machine(app):
    QuotaMachine.app = app
    runner = QuotaMachine.TestCase
    runner.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
    runner().runTest()
