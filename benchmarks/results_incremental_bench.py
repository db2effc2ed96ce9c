"""Results page at 100 000 responses: cold, warm, and after 1 000 new completes (incremental).

    .venv/bin/python benchmarks/results_incremental_bench.py [--rows 100000] [--added 1000]
        [--backends sqlite,postgresql] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--db-name surveyapp_results_incr_bench] [--vacuum] [--stale-rounds 1]

For each backend: a fresh database, the barometer with `--rows` generated responses inserted in
bulk (`results_bench.fill`), an analyst logged in through the login form (CSRF on), and the
page `/admin/surveys/barometre-2015/results?by=s1&weighted=1` requested through Flask's test
client:

- cold: the first request, computed in the request (RESULTS_JOB_ROWS above the rows): the
  baseline, a read from scratch of every response and every table;
- warm: the same page from another worker (its per-process read forgotten): the figures read
  back from the shared cache;
- stale: after `--added` new completes, with RESULTS_JOB_ROWS at its default (5 000): the
  page shows the latest figures with their time stamp and starts the refresh job;
- incremental: the refresh job run in this process (its per-process read forgotten, as in a
  worker): the stored columns plus the new responses, every table, stored;
- full: the same computation from scratch (stored columns and per-process read forgotten);
- fresh: the page once the job is done.

Ratios are printed against the cold page measured in the same run (cold / warm, cold / stale)
and full / incremental; a ratio is refused when its baseline is broken (an error status, a
page without the expected number of responses, or a time that is not plausible). Writes
benchmarks/results/results_incremental.json. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.common import drop_database, fresh_database  # noqa: E402
from benchmarks.results_bench import DEFAULT_PG, POOL, SCHEMA, fill, pool_of_respondents  # noqa: E402

OUT = REPO / "benchmarks" / "results" / "results_incremental.json"
BENCH_DB = "surveyapp_results_incr_bench"
PAGE = "/admin/surveys/barometre-2015/results?by=s1&weighted=1"
EMAIL = "analyst@example.org"
PASSWORD = "correct horse battery staple"


def _timed(fn):
    t, c = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - t, time.process_time() - c


def _responses_shown(html: str) -> int | None:
    found = re.search(r'class="summary">([\d\s\u202f\u00a0,.]+?) (?:responses|réponses)', html)
    return int(re.sub(r"\D", "", found.group(1))) if found else None


def _login(client):
    """Log in through the form, with its CSRF token, as a browser does."""
    form = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    return client.post("/admin/login", data=data)


def add_completes(app, pool, added: int, offset: int) -> None:
    """`added` new complete responses, updated now (after the stored columns' mark)."""
    import hashlib

    from sqlalchemy import insert, select

    from surveyapp.extensions import db
    from surveyapp.models import Response, Survey

    now = datetime.now(UTC)
    with app.app_context():
        survey = db.session.scalar(select(Survey))
        rows = []
        for i in range(added):
            answers, ending, lang = pool[i % len(pool)]
            rows.append({
                "survey_id": survey.id, "version_id": survey.current_version_id,
                "token_hash": hashlib.sha256(f"incr-{offset + i}".encode()).hexdigest(),
                "status": "complete", "ending_id": ending, "language": lang,
                "answers": answers, "params": {"source": "1"}, "page_history": [],
                "seed": f"{offset + i:032x}", "is_test": False,
                "started_at": now - timedelta(minutes=11), "updated_at": now, "completed_at": now,
            })  # fmt: skip
        db.session.execute(insert(Response), rows)
        db.session.commit()


def vacuum(url: str) -> None:
    """VACUUM ANALYZE the responses on PostgreSQL: the visibility map an index-only scan needs
    (autovacuum sets it some time after a bulk insert; nothing to do on SQLite)."""
    from sqlalchemy import create_engine, text

    if not url.startswith("postgresql"):
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE responses"))
    engine.dispose()


def measure(url: str, pool, rows: int, added: int, stale_rounds: int = 1) -> dict:
    """The timings of one backend (see the module docstring); the stale page's best of
    `stale_rounds` requests."""
    from sqlalchemy import delete, func, select

    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.jobs import queue
    from surveyapp.models import Job, Response, ResultsColumns, Survey
    from surveyapp.services import accounts, jobs
    from surveyapp.services import results as service
    from surveyapp.services.audit import Actor

    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "RATELIMIT_STORAGE_URI": "memory://",
                      "RESULTS_JOB_ROWS": rows * 10})  # fmt: skip
    queue.enqueue = lambda app, job_id: None  # the job is run below, in this process
    with app.app_context():
        accounts.create_user(db.session, EMAIL, "analyst", PASSWORD, Actor("system", "bench"))
        expected = db.session.scalar(
            select(func.count()).where(Response.status == "complete", Response.is_test.is_(False))
        )
    client = app.test_client()
    login = _login(client)
    assert login.status_code == 303, login.status_code  # noqa: S101 - a benchmark set-up check
    out: dict = {"expected": expected}

    def page(name: str) -> str:
        response, wall, cpu = _timed(lambda: client.get(PAGE))
        html = response.get_data(as_text=True)
        out[name] = {"status": response.status_code, "wall_s": wall, "cpu_s": cpu,
                     "responses": _responses_shown(html),
                     "refresh": 'id="job-live"' in html}  # fmt: skip
        return html

    service.clear_cache()
    page("cold")
    service.clear_cache()  # another worker: nothing read in this process
    page("warm")
    add_completes(app, pool, added, rows)
    app.config["RESULTS_JOB_ROWS"] = 5000
    rounds = []
    for _ in range(stale_rounds):  # the same job is found again: nothing else changes
        service.clear_cache()
        page("stale")
        rounds.append(out["stale"])
    out["stale_rounds"] = rounds
    out["stale"] = min(rounds, key=lambda p: p["wall_s"])
    with app.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.kind == "results_page"))
        size = db.session.scalar(select(func.length(ResultsColumns.payload)))
    out["columns_payload_bytes"] = size
    service.clear_cache()
    with app.app_context():
        state, wall, cpu = _timed(lambda: jobs.run_job(db.session, queue.settings_for(app), job_id))
    out["incremental"] = {"state": state, "wall_s": wall, "cpu_s": cpu}
    page("fresh")
    with app.app_context():  # the same computation from scratch
        db.session.execute(delete(ResultsColumns))
        db.session.commit()
        service.clear_cache()
        options = service.parse_options({"by": "s1", "weighted": "1"}, ("fr", "en"), "fr")
        survey = db.session.scalar(select(Survey))
        (loaded, _report), wall, cpu = _timed(lambda: service.compute(db.session, survey, options))
    out["full"] = {"wall_s": wall, "cpu_s": cpu, "responses": loaded.data.n}
    db.dispose(app)
    return out


def ratio(label: str, base: dict, other: dict, problems: list[str]) -> str:
    """`base / other` in wall time, or why it is refused."""
    if problems:
        return f"{label}: refused ({'; '.join(problems)})"
    if other["wall_s"] <= 0:
        return f"{label}: refused (no time measured)"
    return f"{label}: {base['wall_s'] / other['wall_s']:.1f}"


def baseline_problems(r: dict, rows: int) -> list[str]:
    """Why the cold page cannot serve as a baseline (empty when it can)."""
    cold, problems = r["cold"], []
    if cold["status"] != 200:
        problems.append(f"cold page answered {cold['status']}")
    if cold["responses"] != r["expected"]:
        problems.append(f"cold page shows {cold['responses']} responses, not {r['expected']}")
    if cold["wall_s"] < 0.05 * rows / 1000 * 0.1:  # under 0.5 ms per 100 responses: no read
        problems.append(f"cold page took {cold['wall_s']:.3f} s: too fast to have read {rows}")
    return problems


def main() -> None:
    """Run the benchmark and print/write its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--added", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a server the run may create on")
    parser.add_argument("--db-name", default=BENCH_DB, help="the database made and dropped")
    parser.add_argument("--stale-rounds", type=int, default=1, help="stale page: best of N")
    parser.add_argument(
        "--vacuum",
        action="store_true",
        help="VACUUM ANALYZE the responses after the bulk insert (PostgreSQL), as autovacuum "
        "leaves a table filled over weeks (the --added responses are not vacuumed)",
    )
    args = parser.parse_args()
    from surveyapp.engine import load_survey_file

    pool = pool_of_respondents(load_survey_file(SCHEMA), POOL)
    figures = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            url = fresh_database(backend, args.pg_url, Path(tmp), args.db_name)
            try:
                fill_s = fill(url, args.rows, pool)
                if args.vacuum:
                    vacuum(url)
                timings = measure(url, pool, args.rows, args.added, args.stale_rounds)
                r = {"backend": backend, "rows": args.rows, "added": args.added,
                     "fill_s": fill_s, **timings}  # fmt: skip
            finally:
                drop_database(backend, args.pg_url, args.db_name)
        problems = baseline_problems(r, args.rows)
        for name in ("warm", "stale", "fresh"):
            if r[name]["status"] != 200:
                problems.append(f"{name} page answered {r[name]['status']}")
        if r["fresh"]["responses"] != r["expected"] + args.added:
            problems.append(f"fresh page shows {r['fresh']['responses']} responses")
        if (
            r["incremental"]["state"] != "done"
            or r["full"]["responses"] != r["expected"] + args.added
        ):
            problems.append("the refresh job or the full recompute did not give every response")
        r["problems"] = problems
        figures.append(r)
        print(f"{backend}: {r['expected']} responses (tests excluded), +{args.added}; "
              f"bulk insert {fill_s:.1f} s; "
              f"stored columns {r['columns_payload_bytes'] / 1e6:.1f} MB")  # fmt: skip
        for name in ("cold", "warm", "stale", "fresh"):
            p = r[name]
            print(f"  page {name:>6}: {p['wall_s']:.3f} s wall, {p['cpu_s']:.3f} s CPU, "
                  f"status {p['status']}, {p['responses']} responses"
                  f"{', refresh note' if p['refresh'] else ''}")  # fmt: skip
        if len(r["stale_rounds"]) > 1:
            walls = ", ".join(f"{p['wall_s']:.3f}" for p in r["stale_rounds"])
            print(f"  (stale page: best of {walls} s wall)")
        for name in ("incremental", "full"):
            p = r[name]
            print(f"  {name:>11} refresh: {p['wall_s']:.2f} s wall, {p['cpu_s']:.2f} s CPU")
        print("  " + ratio("cold / warm", r["cold"], r["warm"], problems))
        print("  " + ratio("cold / stale", r["cold"], r["stale"], problems))
        print("  " + ratio("full / incremental", r["full"], r["incremental"], problems))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_end": os.getloadavg()},
        "results": figures,
    }, indent=2) + "\n", encoding="utf-8")  # fmt: skip
    print(f"written {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
