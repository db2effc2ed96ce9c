# syntax=docker/dockerfile:1
# surveyapp container: gunicorn on :8000, migrations applied at start.
#   docker build -t surveyapp .
#   docker run -e SURVEYAPP_SECRET_KEY=... \
#     -e SURVEYAPP_DATABASE_URL=postgresql+psycopg://user:pass@db/surveyapp -p 8000:8000 surveyapp

FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY surveyapp ./surveyapp
RUN /opt/venv/bin/pip install -e .
COPY migrations ./migrations
COPY translations ./translations
COPY wsgi.py ./
# Compile the interface catalogs at build time (.mo files are not committed).
RUN /opt/venv/bin/python -c "from surveyapp.services.translations import compile_catalogs; compile_catalogs()" \
 && find /app -name '__pycache__' -prune -exec rm -rf {} +

FROM python:3.11.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SURVEYAPP_ENV=production \
    SURVEYAPP_BIND=0.0.0.0:8000 \
    SURVEYAPP_INSTANCE_PATH=/var/lib/surveyapp
RUN useradd --system --uid 10001 --home-dir /var/lib/surveyapp --create-home surveyapp
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER surveyapp
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"]
ENTRYPOINT ["python", "-m", "surveyapp.entrypoint"]
