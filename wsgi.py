"""The only module-level app: gunicorn's target (`gunicorn wsgi:app`) and Flask CLI discovery."""

from surveyapp import create_app

app = create_app()
