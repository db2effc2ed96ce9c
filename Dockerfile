# syntax=docker/dockerfile:1
# surveyapp container: gunicorn on SURVEYAPP_BIND (0.0.0.0:8000), migrations applied at start.
#   docker build -t surveyapp .
#   docker run -e SURVEYAPP_SECRET_KEY=... \
#     -e SURVEYAPP_DATABASE_URL=postgresql+psycopg://user:pass@db/surveyapp -p 8000:8000 surveyapp
# First admin, bundled survey, TLS proxy and the SQLite volume: docs/operations.md "Containers".

FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
# Dependencies first, exactly as locked (versions and hashes: requirements.lock, refreshed by
# `bash .ci/lock`): this layer is rebuilt only when the lock file changes, not at every code change.
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --require-hashes -r requirements.lock
# Then the package as a wheel: setup.py bundles migrations/ and translations/ into it (the
# catalogs compiled), with the templates, static files and bundled surveys. No editable install:
# the runtime image carries /opt/venv only, no source tree.
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY surveyapp ./surveyapp
COPY migrations ./migrations
COPY translations ./translations
RUN python -m pip wheel --no-deps --wheel-dir /dist . \
 && /opt/venv/bin/pip install --no-deps /dist/surveyapp-*.whl \
 && /opt/venv/bin/pip check

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
WORKDIR /var/lib/surveyapp
# Numeric, so that a host or orchestrator can check it is not root (user surveyapp).
USER 10001:10001
# The SQLite file (default database) and the rate-limit counters live here: mount a volume.
VOLUME ["/var/lib/surveyapp"]
EXPOSE 8000
# Checks /healthz where gunicorn listens: follows SURVEYAPP_BIND (surveyapp/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["python", "-m", "surveyapp.healthcheck"]
ENTRYPOINT ["python", "-m", "surveyapp.entrypoint"]
