"""Per-type behaviour that lives on the question type classes (not in `type ==` branches)."""

from __future__ import annotations

import pytest

from surveyapp.engine.choices import multiple_kind


def test_only_a_matrix_has_rows(rich):
    kinds = {q.type: q.kind.has_rows for q in rich.questions.values()}
    assert kinds["matrix"] is True
    assert not any(has for name, has in kinds.items() if name != "matrix")


def test_only_a_note_takes_no_answer(rich):
    kinds = {q.type: q.kind.takes_answer for q in rich.questions.values()}
    assert kinds["note"] is False
    assert all(takes for name, takes in kinds.items() if name != "note")


def test_required_ticks_follow_min_and_required(survey_from):
    survey = survey_from(
        """\
        - id: p1
          questions:
            - id: two
              type: multiple
              min: 2
              text: {fr: T, en: T}
              options: [{code: a, label: {fr: a, en: a}}, {code: b, label: {fr: b, en: b}}]
            - id: loose
              type: multiple
              min: 2
              required: false
              text: {fr: T, en: T}
              options: [{code: a, label: {fr: a, en: a}}, {code: b, label: {fr: b, en: b}}]
            - id: one
              type: single
              text: {fr: T, en: T}
              options: [{code: a, label: {fr: a, en: a}}]
        """
    )
    ticks = {qid: q.kind.required_ticks(q) for qid, q in survey.questions.items()}
    assert ticks == {"two": 2, "loose": 0, "one": 0}
    assert multiple_kind(survey.questions["two"]).min == 2
    with pytest.raises(TypeError, match="'one' is a single"):
        multiple_kind(survey.questions["one"])
