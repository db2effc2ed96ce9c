"""A response reaching its ending: the ending's status, the quota slots claimed (a full hard
cell sends the respondent to its quota's ending instead), the withdrawal code's hash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from surveyapp.engine import Survey as Schema
from surveyapp.engine import flow
from surveyapp.engine.flow import CellRef
from surveyapp.engine.model import Ending
from surveyapp.models import utcnow
from surveyapp.services import quotas
from surveyapp.services.responses.codes import secret_hash, withdrawal_code
from surveyapp.services.responses.context import ResponseContext
from surveyapp.services.responses.contract import Redirect


def finish_response(
    session: Session,
    ctx: ResponseContext,
    ending: Ending,
    env: Mapping[str, Any],
    cells: Sequence[CellRef],
    changes: dict[str, Any],
    token: str,
    secret: bytes,
) -> Redirect:
    """The ending's status, quota slots claimed (hard cell full -> its quota's ending)."""
    response, schema = ctx.response, ctx.schema
    assert response is not None
    if ending.status == "complete" and not response.is_test:
        counted = [c.cell_id for c in cells if ending.id in _endings_counted_by(schema, c.quota_id)]
        if not quotas.claim(session, response, counted):
            ending = _quota_full_ending(session, ctx, cells)
    url = flow.redirect_url(schema, ending, env)
    transient = {p.id for p in schema.parameters if p.transient}
    changes["params"] = {k: v for k, v in response.params.items() if k not in transient}
    changes["draft"] = None
    changes.update(
        status=ending.status,
        ending_id=ending.id,
        completed_at=utcnow(),
        current_page=None,
        withdrawal_hash=secret_hash(withdrawal_code(token, secret)),
    )
    return Redirect("external", url=url) if url else Redirect("end")


def _endings_counted_by(schema: Schema, quota_id: str) -> tuple[str, ...]:
    quota = next(q for q in schema.quotas if q.id == quota_id)
    return quota.counts or tuple(e.id for e in schema.endings if e.status == "complete")


def _quota_full_ending(session: Session, ctx: ResponseContext, cells: Sequence[CellRef]) -> Ending:
    hard = [c for c in cells if c.kind == "hard"]
    full = quotas.full_cells(session, ctx.survey.id, [c.cell_id for c in hard])
    by_id = {q.id: q for q in ctx.schema.quotas}
    for cell in sorted(hard, key=lambda c: c.cell_id not in full):
        ending_id = by_id[cell.quota_id].ending
        if ending_id:
            return ctx.schema.ending(ending_id)
    raise RuntimeError("a hard quota claim failed without a quota ending")
