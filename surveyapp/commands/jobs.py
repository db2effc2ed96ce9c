"""`surveyapp worker` runs the background jobs; `surveyapp jobs …` starts and follows them."""

from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask_babel import force_locale

from surveyapp.extensions import db
from surveyapp.jobs import queue
from surveyapp.jobs.kinds import KINDS
from surveyapp.models import Job
from surveyapp.services import jobs
from surveyapp.services.audit import Actor
from surveyapp.services.surveys import get_survey


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=int, help="Jobs run at once.")
def worker_command(workers: int) -> None:
    """Run background jobs until stopped (Ctrl-C or SIGTERM; a job cut short runs again)."""
    click.echo(f"surveyapp worker: queue {queue.queue_url(current_app).split('@')[-1]}", err=True)
    queue.run_worker(current_app._get_current_object(), workers)  # type: ignore[attr-defined]  # werkzeug proxy


@click.group("jobs")
def jobs_group() -> None:
    """Start, list and follow background jobs (exports, results workbooks)."""


@jobs_group.command("start")
@click.argument("slug")
@click.option("--kind", type=click.Choice(list(KINDS)), required=True, help="What to prepare.")
@click.option(
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="An export or results option, e.g. --option status=all --option lang=en.",
)
@click.option("--wait/--no-wait", default=True, show_default=True, help="Follow it to its end.")
def start_command(slug: str, kind: str, options: tuple[str, ...], wait: bool) -> None:
    """Start a KIND job for SLUG (or find the identical one already running) and follow it."""
    survey = get_survey(db.session, slug)
    if survey is None:
        raise click.ClickException(f"no survey {slug!r}")
    params = dict(_pair(text) for text in options)
    try:
        job, new = jobs.create_job(db.session, survey, kind, params, Actor.cli())
    except jobs.JobError as exc:
        raise click.ClickException(str(exc)) from exc
    if new:
        queue.enqueue(current_app, job.id)
    click.echo(f"job {job.id}: {'queued' if new else 'already ' + job.state}", err=True)
    if wait:
        _watch(job.id)


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{text!r} is not KEY=VALUE", param_hint="--option")
    return key, value


@jobs_group.command("list")
@click.argument("slug")
def list_command(slug: str) -> None:
    """SLUG's latest jobs: id, kind, state, progress, file."""
    survey = get_survey(db.session, slug)
    if survey is None:
        raise click.ClickException(f"no survey {slug!r}")
    for job in jobs.survey_jobs(db.session, survey):
        total = "?" if job.total is None else job.total
        click.echo(f"{job.id}\t{job.kind}\t{job.state}\t{job.done}/{total}\t{job.file_name or ''}")


@jobs_group.command("watch")
@click.argument("job_id", type=int)
def watch_command(job_id: int) -> None:
    """Follow job JOB_ID with a progress bar until it ends; exit status 1 if it failed."""
    _watch(job_id)


@jobs_group.command("prune")
def prune_command() -> None:
    """Delete finished jobs older than SURVEYAPP_JOB_RETENTION_DAYS, and their files."""
    count = jobs.prune(db.session, queue.settings_for(current_app))
    click.echo(f"{count} jobs deleted", err=True)


def _read(job_id: int) -> Job:
    db.session.rollback()  # a new snapshot each time
    job = db.session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise click.ClickException(f"no job {job_id}")
    return job


def _watch(job_id: int, every: float = 0.5) -> None:
    job = _read(job_id)
    shown = 0
    with click.progressbar(
        length=job.total or 0, label=f"job {job_id} ({job.kind})", file=sys.stderr, show_pos=True
    ) as bar:
        while not job.finished:
            if job.done > shown:
                bar.update(job.done - shown)
                shown = job.done
            time.sleep(every)
            job = _read(job_id)
        if job.state == "done" and job.done > shown:
            bar.update(job.done - shown)
    if job.state == "failed":
        with force_locale("en"):
            raise click.ClickException(f"job {job_id} failed: {jobs.error_words(job)}")
    path = jobs.file_path(queue.settings_for(current_app), job)
    click.echo(f"job {job_id}: done, {job.done} responses, file {path}")
