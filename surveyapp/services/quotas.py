"""Quota runtime: which cells are full, atomic claims at completion, release on deletion.

A claim is one conditional UPDATE per hard cell (`completes < target`), cells taken in a fixed
order (sorted cell ids) so that concurrent finishers never deadlock; never count-then-insert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from surveyapp.domain import QuotaKind, ResponseStatus
from surveyapp.models import QuotaCell, QuotaClaim, Response, table_of, utcnow
from surveyapp.services.audit import Actor
from surveyapp.services.sqlutil import affected
from surveyapp.services.transaction import transactional


def full_cells(session: Session, survey_id: int, cell_ids: Iterable[str]) -> frozenset[str]:
    """The hard cells among `cell_ids` that accept no more completes (full or closed)."""
    ids = list(cell_ids)
    if not ids:
        return frozenset()
    rows = session.scalars(
        select(QuotaCell.cell_id).where(
            QuotaCell.survey_id == survey_id,
            QuotaCell.cell_id.in_(ids),
            QuotaCell.kind == QuotaKind.HARD,
            (QuotaCell.completes >= QuotaCell.target) | QuotaCell.is_closed,
        )
    )
    return frozenset(rows)


class Claimant(Protocol):
    """What a claim needs of the completing response (an entity or a request's record)."""

    @property
    def id(self) -> int: ...

    @property
    def survey_id(self) -> int: ...


_CELLS = table_of(QuotaCell)
_CLAIMS = table_of(QuotaClaim)
#: Built once (Core statements: a claim binds values; the ORM's bulk UPDATE rebuilt and
#: re-resolved the statement for every cell of every completing respondent).
_CELLS_OF_RESPONSE = select(_CELLS.c.id, _CELLS.c.cell_id, _CELLS.c.kind).where(
    _CELLS.c.survey_id == bindparam("survey_id"),
    _CELLS.c.cell_id.in_(bindparam("cell_ids", expanding=True)),
)
_COUNT_SOFT = (
    update(_CELLS)
    .where(_CELLS.c.id == bindparam("pk"))
    .values(completes=_CELLS.c.completes + 1, updated_at=bindparam("now"))
)
#: A hard cell takes the slot only while it is under its target and open.
_COUNT_HARD = _COUNT_SOFT.where(_CELLS.c.completes < _CELLS.c.target, _CELLS.c.is_closed.is_(False))
_CLAIM = insert(_CLAIMS)


def claim(session: Session, response: Claimant, cell_ids: Iterable[str]) -> bool:
    """Claim a slot in every cell for a completing response, inside the caller's transaction.

    Returns False, with no counter changed, when any hard cell is full or closed. Soft cells are
    counted without a ceiling. The caller commits (or rolls back) with the response's status.
    """
    ids = sorted(set(cell_ids))
    if not ids:
        return True
    params = {"survey_id": response.survey_id, "cell_ids": ids}
    cells = {row.cell_id: row for row in session.execute(_CELLS_OF_RESPONSE, params)}
    now = utcnow()
    claims = []
    with session.begin_nested() as savepoint:
        for cell_id in ids:
            cell = cells.get(cell_id)
            if cell is None:
                continue  # a cell of a newer or older version: nothing to count against
            count = _COUNT_HARD if cell.kind == QuotaKind.HARD else _COUNT_SOFT
            if affected(session.execute(count, {"pk": cell.id, "now": now})) != 1:
                savepoint.rollback()
                return False
            claims.append({"response_id": response.id, "cell_id": cell.id, "claimed_at": now})
        if claims:
            session.execute(_CLAIM, claims)
    return True


def release(session: Session, response_id: int) -> int:
    """Give back every slot a response holds (before deleting it); returns how many."""
    # Same lock order as `claim` (by cell id) so a release never deadlocks against a claim.
    cell_pks = list(
        session.scalars(
            select(QuotaClaim.cell_id)
            .join(QuotaCell, QuotaCell.id == QuotaClaim.cell_id)
            .where(QuotaClaim.response_id == response_id)
            .order_by(QuotaCell.cell_id)
        )
    )
    for pk in cell_pks:
        session.execute(
            update(QuotaCell)
            .where(QuotaCell.id == pk)
            .values(completes=QuotaCell.completes - 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    session.execute(delete(QuotaClaim).where(QuotaClaim.response_id == response_id))
    return len(cell_pks)


@dataclass(frozen=True, slots=True)
class InvariantViolation:
    """A cell whose counter disagrees with the complete responses it holds."""

    cell_id: str
    counter: int
    claims: int
    completes: int


def check_invariant(session: Session, survey_id: int) -> list[InvariantViolation]:
    """Cells whose counter differs from their claims or from their complete, non-test responses."""
    claims = (
        select(QuotaClaim.cell_id, func.count().label("n")).group_by(QuotaClaim.cell_id).subquery()
    )
    valid = (
        select(QuotaClaim.cell_id, func.count().label("n"))
        .join(Response, Response.id == QuotaClaim.response_id)
        .where(Response.status == ResponseStatus.COMPLETE, Response.is_test.is_(False))
        .group_by(QuotaClaim.cell_id)
        .subquery()
    )
    rows = session.execute(
        select(
            QuotaCell.cell_id,
            QuotaCell.completes,
            func.coalesce(claims.c.n, 0),
            func.coalesce(valid.c.n, 0),
        )
        .outerjoin(claims, claims.c.cell_id == QuotaCell.id)
        .outerjoin(valid, valid.c.cell_id == QuotaCell.id)
        .where(QuotaCell.survey_id == survey_id)
        .order_by(QuotaCell.cell_id)
    )
    return [
        InvariantViolation(cell_id, counter, n_claims, n_valid)
        for cell_id, counter, n_claims, n_valid in rows
        if not counter == n_claims == n_valid
    ]


class QuotaError(ValueError):
    """A study-team change to a quota that cannot be made."""


def _cell(session: Session, survey_id: int, cell_id: str) -> QuotaCell:
    cell = session.scalar(
        select(QuotaCell).where(QuotaCell.survey_id == survey_id, QuotaCell.cell_id == cell_id)
    )
    if cell is None:
        raise QuotaError(f"no quota cell {cell_id!r}")
    return cell


@transactional
def set_target(
    session: Session, survey_id: int, cell_id: str, target: int, actor: Actor
) -> QuotaCell:
    """Change a cell's target during fieldwork; lowering it below the count stops new completes.

    Commits. The claim compares against the target in force when it runs, so a lowered target
    takes effect for every finish that commits after this one.
    """
    from surveyapp.services.audit import record

    if target < 0:
        raise QuotaError("a target cannot be negative")
    cell = _cell(session, survey_id, cell_id)
    previous = cell.target
    session.execute(
        update(QuotaCell).where(QuotaCell.id == cell.id).values(target=target, updated_at=utcnow())
    )
    record(
        session,
        actor,
        "quota.target",
        survey_id=survey_id,
        target=cell_id,
        details={"from": previous, "to": target},
    )
    session.refresh(cell)
    return cell


@transactional
def set_closed(
    session: Session, survey_id: int, cell_id: str, closed: bool, actor: Actor
) -> QuotaCell:
    """Close a cell (no claim succeeds) or reopen it. Commits."""
    from surveyapp.services.audit import record

    cell = _cell(session, survey_id, cell_id)
    session.execute(
        update(QuotaCell)
        .where(QuotaCell.id == cell.id)
        .values(is_closed=closed, updated_at=utcnow())
    )
    record(
        session,
        actor,
        "quota.close" if closed else "quota.reopen",
        survey_id=survey_id,
        target=cell_id,
    )
    session.refresh(cell)
    return cell
