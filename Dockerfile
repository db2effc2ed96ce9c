# syntax=docker/dockerfile:1
# surveyapp container: gunicorn on SURVEYAPP_BIND (0.0.0.0:8000), migrations applied at start.
#   docker build -t surveyapp .
#   docker run -e SURVEYAPP_SECRET_KEY=... \
#     -e SURVEYAPP_DATABASE_URL=postgresql+psycopg://user:pass@db/surveyapp -p 8000:8000 surveyapp
# First admin, bundled survey, TLS proxy and the SQLite volume: docs/operations.md "Containers".

FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
# Dependencies first, from pyproject.toml alone: this layer is rebuilt only when they change,
# not at every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && /opt/venv/bin/pip install -r /tmp/requirements.txt
# Then the code (editable: migrations/ and translations/ are found beside the package).
COPY README.md ./
COPY surveyapp ./surveyapp
RUN /opt/venv/bin/pip install --no-deps -e .
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
RUN groupadd --system --gid 10001 surveyapp \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/surveyapp --create-home surveyapp
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
# Numeric, so that a host or orchestrator can check it is not root (user surveyapp).
USER 10001:10001
# The SQLite file (default database) and the rate-limit counters live here: mount a volume.
VOLUME ["/var/lib/surveyapp"]
EXPOSE 8000
# Checks /healthz where gunicorn listens: follows SURVEYAPP_BIND (surveyapp/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["python", "-m", "surveyapp.healthcheck"]
ENTRYPOINT ["python", "-m", "surveyapp.entrypoint"]
