"""Incremental results: the stored columns plus the responses added since their mark give the
same columns as a read from scratch, whatever responses are added, withdrawn, changed or
committed late in between."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from surveyapp.exports.query import stream_records
from surveyapp.extensions import db
from surveyapp.models import Response, ResultsColumns, Survey
from surveyapp.results.data import Dataset, build_dataset
from surveyapp.services import exports, results_columns
from surveyapp.services import results as service
from tests.results.conftest import filled_responses
from tests.results.helpers import store

MOMENT = datetime(2015, 5, 10, tzinfo=UTC)
#: Token numbers never used twice in a test session (each example takes a block of 1000).
_TOKENS = itertools.count(10)


def _values(data: Dataset) -> dict:
    """Every cell as a value (codes decoded through their categories)."""
    out: dict = {"ids": data.ids.tolist()}
    for name, column in data.codes.items():
        cats = data.categories[name]
        out[f"c:{name}"] = [cats[i] if i >= 0 else int(i) for i in column.tolist()]
    for name, matrix in data.flags.items():
        out[f"f:{name}"] = matrix.tolist()
    for name, column in data.numbers.items():
        out[f"n:{name}"] = [None if np.isnan(x) else x for x in column.tolist()]
    for name, column in data.blank.items():
        out[f"b:{name}"] = column.tolist()
    for name, column in data.texts.items():
        out[f"t:{name}"] = list(column)
    return out


def _both(survey: Survey, filters) -> tuple[results_columns.Read, Dataset]:
    """(the incremental read, a read from scratch) of the survey's responses now."""
    session = db.session
    layout = exports.load_layout(session, survey)
    versions = tuple(sorted((n, s.source, s.version) for n, s in layout.versions.items()))
    schemas = [layout.versions[n] for n in sorted(layout.versions)]
    from surveyapp.results.variables import catalog, question_titles

    variables = catalog(layout.columns, question_titles(schemas))
    read = results_columns.read_columns(
        session, survey.id, versions, filters, variables, layout.versions
    )
    scratch = build_dataset(
        variables.values(), layout.versions, stream_records(session.get_bind(), survey.id, filters)
    )
    return read, scratch


def _filters(survey: Survey):
    options = service.parse_options({}, ("fr", "en"), "fr")
    return options.filters


def _survey() -> Survey:
    return db.session.scalar(select(Survey))


def test_new_responses_are_read_alone_and_merged(app, baro):
    with app.app_context():
        survey = _survey()
        filters = _filters(survey)
        first, scratch = _both(survey, filters)
        assert first.how == "full"
        assert _values(first.data) == _values(scratch)
        again, _s = _both(survey, filters)
        assert (again.how, again.added) == ("cached", 0)
        store(db.session, survey, filled_responses()[:7], start=3000)
        completes = sum(1 for _a, s, _e in filled_responses()[:7] if s == "complete")
        later, scratch = _both(survey, filters)
        assert (later.how, later.added) == ("incremental", completes)
        assert later.data.n == scratch.n == first.data.n + completes
        assert _values(later.data) == _values(scratch)


def test_a_deleted_or_changed_response_means_a_read_from_scratch(app, baro):
    with app.app_context():
        survey = _survey()
        filters = _filters(survey)
        _both(survey, filters)
        first = db.session.scalar(select(func.min(Response.id)))
        db.session.execute(delete(Response).where(Response.id == first))
        db.session.commit()
        read, scratch = _both(survey, filters)
        assert read.how == "full"
        assert _values(read.data) == _values(scratch)
        # A response committed late, with a time stamp before the mark: the count tells.
        store(db.session, survey, filled_responses()[:1], start=4000, updated_at=MOMENT)
        read, scratch = _both(survey, filters)
        assert read.how == "full"
        assert _values(read.data) == _values(scratch)


def test_a_change_stamped_before_the_mark_is_seen_by_its_revision(app, baro):
    """A host whose clock is behind saves a page: its time stamp does not move the response
    after the mark, its revision does change the mark."""
    with app.app_context():
        survey = _survey()
        filters = _filters(survey)
        _both(survey, filters)
        rid = db.session.scalar(
            select(func.max(Response.id)).where(
                Response.status == "complete", Response.is_test.is_(False)
            )
        )
        answers = dict(db.session.get(Response, rid).answers, s1="3")
        db.session.execute(
            update(Response)
            .where(Response.id == rid)
            .values(answers=answers, revision=Response.revision + 1, updated_at=MOMENT)
        )
        db.session.commit()
        read, scratch = _both(survey, filters)
        assert read.how == "full"
        assert _values(read.data) == _values(scratch)


def test_an_altered_row_is_read_again_not_trusted(app, baro):
    with app.app_context():
        survey = _survey()
        filters = _filters(survey)
        _both(survey, filters)
        db.session.execute(update(ResultsColumns).values(payload=b"x", signature="0" * 64))
        db.session.commit()
        read, scratch = _both(survey, filters)
        assert read.how == "full"
        assert _values(read.data) == _values(scratch)


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(1, 6)),
        st.tuples(st.just("withdraw"), st.integers(0, 10_000)),
        st.tuples(st.just("change"), st.integers(0, 10_000)),
        st.tuples(st.just("skewed"), st.integers(0, 10_000)),
        st.tuples(st.just("late"), st.integers(1, 3)),
        st.tuples(st.just("read"), st.just(0)),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS, status=st.sampled_from(["complete", "complete,screened_out,quota_full"]))
def test_incremental_equals_from_scratch(app, baro, ops, status):
    """Random sequences of adds, withdrawals, changes and late commits, read after each."""
    with app.app_context():
        survey = _survey()
        filters = service.parse_options({"status": status}, ("fr", "en"), "fr").filters
        db.session.execute(delete(ResultsColumns))
        db.session.commit()
        pool = filled_responses()
        start = next(_TOKENS) * 1000
        clock = 0
        for op, arg in ops:
            clock += 1
            ids = list(db.session.scalars(select(Response.id).where(Response.is_test.is_(False))))
            if op == "add":
                taken = [pool[(start + j) % len(pool)] for j in range(arg)]
                store(db.session, survey, taken, start=start, updated_at=_now(clock))
                start += arg
            elif op == "withdraw" and ids:
                db.session.execute(delete(Response).where(Response.id == ids[arg % len(ids)]))
                db.session.commit()
            elif op in ("change", "skewed") and ids:
                # As the app saves a page: a new revision; "skewed": by a host whose clock
                # is behind (its time stamp is before the mark).
                answers, _status, _ending = pool[arg % len(pool)]
                db.session.execute(
                    update(Response)
                    .where(Response.id == ids[arg % len(ids)])
                    .values(
                        answers=answers,
                        revision=Response.revision + 1,
                        updated_at=_now(clock) if op == "change" else MOMENT,
                    )
                )
                db.session.commit()
            elif op == "late":
                store(db.session, survey, pool[:arg], start=start, updated_at=MOMENT)
                start += arg
            read, scratch = _both(survey, filters)
            assert read.data.n == scratch.n
            assert _values(read.data) == _values(scratch), (op, read.how)


def _now(clock: int) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=clock)
