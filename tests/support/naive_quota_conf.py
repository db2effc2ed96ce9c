"""gunicorn settings for the harness's sensitivity check (RELIABILITY Q-2): surveyapp's settings,
with the quota claim replaced in every worker by a naive count-then-update that runs, as
autocommit code does, without a transaction around the check and the write."""

from surveyapp.gunicorn_conf import *  # noqa: F403


def post_worker_init(worker):  # noqa: ARG001 - gunicorn hook signature
    """Swap the claim for the naive one in this worker."""
    import time

    from sqlalchemy import select, update

    from surveyapp.extensions import db
    from surveyapp.models import QuotaCell, QuotaClaim
    from surveyapp.services import quotas
    from surveyapp.services.transaction import begin_write

    def naive_claim(session, response, cell_ids):
        session.commit()
        cells = list(
            session.scalars(
                select(QuotaCell).where(
                    QuotaCell.survey_id == response.survey_id, QuotaCell.cell_id.in_(list(cell_ids))
                )
            )
        )
        session.commit()
        if any(c.kind == "hard" and c.completes >= c.target for c in cells):
            return False
        time.sleep(0.005)  # the work an application does between its check and its write
        begin_write(db.session)
        for cell in cells:
            session.execute(
                update(QuotaCell)
                .where(QuotaCell.id == cell.id)
                .values(completes=QuotaCell.completes + 1)
                .execution_options(synchronize_session=False)
            )
            session.add(QuotaClaim(response_id=response.id, cell_id=cell.id))
        session.flush()
        return True

    quotas.claim = naive_claim
