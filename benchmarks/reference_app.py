"""The ceiling for the load benchmark: a bare Flask + SQLAlchemy endpoint pair.

Fixed so that it cannot be tuned: GET renders a Jinja template with the same number of inputs as
the barometer page under test; POST stores the page's answers as one JSON document in one
transaction and redirects (303). Run under the same gunicorn settings, worker class, worker
count and database as surveyapp, once its table exists (`create_table`, before the server starts:
workers importing the app at the same time would race to create it, and gunicorn stops when one
fails to boot): `gunicorn -c python:surveyapp.gunicorn_conf benchmarks.reference_app:app`.
"""

from __future__ import annotations

import json
import os
import secrets

from flask import Flask, redirect, render_template_string, request
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert

from surveyapp.database import engine_for_url

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Page</title></head>
<body><main><form method="post" action="/page">
<input type="hidden" name="csrf_token" value="{{ token }}">
{% for q in range(questions) %}<fieldset><legend>Question {{ q }}</legend>
{% for o in range(options) %}<label>
<input type="radio" name="q{{ q }}" value="{{ o }}"> Option {{ o }}</label>
{% endfor %}</fieldset>{% endfor %}
<button type="submit">Suivant</button></form></main></body></html>"""

metadata = MetaData()
pages = Table(
    "reference_pages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False),
    Column("answers", Text, nullable=False),
)


def create_table(url: str) -> None:
    """Create the reference's one table in the database at `url`."""
    engine = engine_for_url(url)
    metadata.create_all(engine)
    engine.dispose()


app = Flask(__name__)
engine = engine_for_url(os.environ.get("SURVEYAPP_DATABASE_URL", "sqlite://"))


@app.get("/page")
def page():
    """Render a form with as many inputs as the page under test."""
    questions = request.args.get("q", 6, type=int)
    options = request.args.get("o", 6, type=int)
    return render_template_string(
        PAGE, questions=questions, options=options, token=secrets.token_hex(16)
    )


@app.post("/page")
def save():
    """Store the answers as one JSON document in one transaction, then redirect."""
    answers = {k: v for k, v in request.form.items() if k != "csrf_token"}
    with engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
        conn.execute(insert(pages).values(token=secrets.token_hex(16), answers=json.dumps(answers)))
    return redirect("/page", 303)


@app.get("/healthz")
def healthz():
    """Readiness probe for the benchmark driver."""
    return {"status": "ok"}
