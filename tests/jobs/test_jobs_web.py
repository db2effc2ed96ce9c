"""Job pages: start from a form or a token, a real progress bar with JSON and a no-JS refresh,
the file for the export roles only, errors in words in both languages, large exports sent to
a job."""

from __future__ import annotations

import re

from surveyapp.extensions import db
from surveyapp.jobs import queue
from surveyapp.models import Job, Survey
from surveyapp.services import jobs, tokens
from surveyapp.services.audit import Actor
from tests.admin.helpers import login, page_csrf, post_form
from tests.jobs.helpers import add_responses

BASE = "/admin/surveys/demo/jobs"


def _start(client, kind="csv", **options):
    return post_form(client, BASE, BASE, {"kind": kind, **options})


def _run(app, job_id):
    with app.app_context():
        return jobs.run_job(db.session, queue.settings_for(app), job_id)


def test_a_job_started_from_the_page_shows_progress_then_its_file(
    app, demo_survey, as_role, make_user
):
    with app.app_context():
        add_responses(db.session, demo_survey, 120)
    client = as_role("analyst")
    response = _start(client, "csv", preset="plain", status="complete")
    assert response.status_code == 303
    page_url = response.headers["Location"]
    job_id = int(page_url.rsplit("/", 1)[1])
    page = client.get(page_url).get_data(as_text=True)
    assert '<progress id="job-progress" max="100" value="0">' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "Waiting for a worker" in page
    assert "0 of 120 responses read" in page
    make_user("fr@example.org", "analyst", language="fr")
    french = app.test_client()
    assert login(french, "fr@example.org").status_code == 303
    # "Réponses lues : 0 sur 120", never « 0 réponses lues » (the French singular has 0 and 1).
    assert "Réponses lues\u00a0: 0 sur 120" in french.get(page_url).get_data(as_text=True)
    status = client.get(f"{BASE}/{job_id}.json").get_json()
    assert status["state"] == "queued"
    assert status["total"] == 120
    assert status["download_url"] is None
    assert client.get(f"{BASE}/{job_id}/file").status_code == 404  # never before it is done
    # The same request again: the same job, not a second file.
    assert _start(client, "csv", preset="plain", status="complete").headers["Location"] == (
        page_url
    )
    assert _run(app, job_id) == "done"
    page = client.get(page_url).get_data(as_text=True)
    assert 'value="100"' in page
    assert "refresh" not in page
    status = client.get(f"{BASE}/{job_id}.json").get_json()
    assert (status["state"], status["done"], status["percent"]) == ("done", 120, 100)
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment; filename=demo_resp")
    assert download.get_data(as_text=True).count("\n") == 121
    download.close()
    listing = client.get(BASE).get_data(as_text=True)
    assert f'href="{BASE}/{job_id}"' in listing
    assert "Ready" in listing


def test_failed_job_is_explained_in_both_languages(app, demo_survey, make_user):
    with app.app_context():
        survey = db.session.get(Survey, demo_survey.id)
        job_id = jobs.create_job(db.session, survey, "csv", {}, Actor("system", "t"))[0].id
        job = db.session.get(Job, job_id)
        job.state, job.error, job.attempts = "failed", "worker_lost", 2
        db.session.commit()
    for lang, words in (("en", "stopped twice"), ("fr", "s’est arrêté deux fois")):
        make_user(f"{lang}@example.org", "study", language=lang)
        client = app.test_client()
        assert login(client, f"{lang}@example.org").status_code == 303
        page = client.get(f"{BASE}/{job_id}").get_data(as_text=True)
        assert words in page
        assert 'role="alert"' in page
        assert words in client.get(f"{BASE}/{job_id}.json").get_json()["error_message"]


def test_bad_options_are_refused_in_words_not_a_5xx(app, demo_survey, as_role):
    client = as_role("study")
    response = _start(client, "csv", status="nonsense")
    assert response.status_code == 422
    assert "This job cannot be started" in response.get_data(as_text=True)
    assert _start(client, "pdf").status_code == 422


def test_jobs_of_another_survey_are_not_found(app, demo_survey, as_role):
    with app.app_context():
        other = Survey(slug="other", state="draft")
        db.session.add(other)
        db.session.commit()
        job = Job(survey_id=other.id, kind="csv", params={}, created_by_type="system")
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    client = as_role("admin")
    assert client.get(f"{BASE}/{job_id}").status_code == 404
    assert client.get(f"{BASE}/{job_id}.json").status_code == 404


def test_a_token_with_the_export_scope_starts_follows_and_downloads(
    app, demo_survey, client, users
):
    with app.app_context():
        add_responses(db.session, demo_survey, 5)
        secret = tokens.create_token(
            db.session, "admin@example.org", ["export"], None, 30, Actor("system", "t")
        ).secret
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.post(BASE, data={"kind": "sav"}, headers=headers)
    assert response.status_code == 202
    job_id = response.get_json()["id"]
    assert _run(app, job_id) == "done"
    status = client.get(f"{BASE}/{job_id}.json", headers=headers).get_json()
    download = client.get(status["download_url"], headers=headers)
    assert download.data[:4] == b"$FL2"
    download.close()
    assert client.get(status["download_url"]).status_code == 401  # no token, no session


def test_a_large_export_from_a_browser_becomes_a_job(app, demo_survey, as_role):
    app.config["EXPORT_JOB_ROWS"] = 10
    with app.app_context():
        add_responses(db.session, demo_survey, 11)
    client = as_role("analyst")
    response = client.get("/admin/surveys/demo/export.csv?preset=plain")
    assert response.status_code == 303
    assert re.search(r"/jobs\?.*kind=csv", response.headers["Location"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This export holds 11 responses" in page
    assert 'name="preset" value="plain"' in page
    token = page_csrf(client, response.headers["Location"])
    started = client.post(BASE, data={"csrf_token": token, "kind": "csv", "preset": "plain"})
    assert started.status_code == 303
    app.config["EXPORT_JOB_ROWS"] = 1000
    assert client.get("/admin/surveys/demo/export.csv").status_code == 200  # small: streamed
