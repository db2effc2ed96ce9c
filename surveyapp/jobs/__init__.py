"""Background jobs: heavy exports and computations run by a worker, off the request path.

- `kinds`: what a job can do (a registry: add a `JobKind` to add a job type);
- `queue`: the Huey queue (SQLite file in the instance folder by default, Redis in production)
  and the worker loop with its watchdog;
- `surveyapp.services.jobs`: create, run, watch and prune jobs (the only layer that commits);
- `web`: the admin pages (progress, JSON, download).
"""
