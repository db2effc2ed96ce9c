"""Results benchmark: the full table set of 100 000 barometer responses, from the database.

    .venv/bin/python benchmarks/results_bench.py [--rows 100000] [--backends sqlite,postgresql]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

For each backend it builds a fresh database (PostgreSQL: a database `surveyapp_results_bench`,
dropped at the end), stores barometer responses filled through the engine (a pool of distinct
respondents cycled with varied sources and dates), and measures in this process:

- read: the filtered responses read into columns (`services.results.load`, cold cache);
- tables: every table for no breakdown, country, France vs North America, size band, and
  country weighted (`results.report.build_report`);
- workbook: the XLSX of every table by country, weighted (what `surveyapp report` writes);
- total: read + country weighted tables + workbook, from a cold cache: the figure asked for
  (wall clock, and the process's CPU time, which other work on the machine inflates less);
- cli: `surveyapp report barometre-2015 --by s1 --weighted -o …` in a fresh process.

Prints a table and writes benchmarks/results/results.json. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.common import drop_database, fresh_database  # noqa: E402

SCHEMA = REPO / "surveyapp" / "surveys" / "barometre-2015.yaml"
OUT = REPO / "benchmarks" / "results" / "results.json"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "surveyapp_results_bench"
POOL = 600
AVOID = {"s1": {"4"}, "s2": {"2", "3", "6"}, "s3": {"5", "6", "7", "8", "9", "10"},
         "s5": {"4", "5"}, "s6": {"8"}}  # fmt: skip


def pool_of_respondents(schema, n: int, seed: int = 2015) -> list[tuple[dict, str, str]]:
    """`n` distinct complete responses (answers, ending, language) filled through the engine."""
    from surveyapp.engine import flow

    rng = random.Random(seed)
    pool = []
    while len(pool) < n:
        answers: dict = {}
        seed_text = f"r{len(pool)}-{rng.random()}"
        page = flow.first_page(schema, answers)
        while True:
            view = flow.render_page(schema, page, answers, seed_text, "fr")
            form: dict[str, list[str]] = {}
            for qv in view.questions:
                q = qv.question
                codes = [o.code for o in qv.options if o.code not in AVOID.get(q.id, ())]
                if q.type == "consent":
                    form[q.id] = ["1"]
                elif q.type == "single":
                    form[q.id] = ["1" if q.id == "q1" and rng.random() < 0.9 else rng.choice(codes)]
                elif q.type == "multiple":
                    plain = [o.code for o in qv.options if not o.exclusive]
                    limit = min(getattr(q.kind, "max", None) or 4, 4, len(plain))
                    form[q.id] = rng.sample(plain, rng.randint(1, limit))
                elif q.type == "matrix":
                    for row in qv.rows:
                        form[f"{q.id}.{row.code}"] = [rng.choice(codes)]
                elif q.type == "text" and rng.random() < 0.5:
                    form[q.id] = [rng.choice(["Écouter", "Be consistent", "Mesurer"])]
            result = flow.validate_page(schema, page, form, answers, seed_text)
            if result.errors:
                break
            answers = flow.apply_page(schema, page, result.values, answers, seed_text)
            step = flow.next_step(schema, page, answers)
            if isinstance(step, flow.EndingReached):
                if step.ending.status == "complete":
                    lang = "en" if "2" in (answers.get("s1"), answers.get("s1b")) else "fr"
                    pool.append((answers, step.ending.id, lang))
                break
            page = step.page_id
    return pool


def fill(url: str, rows: int, pool) -> float:
    """Load the barometer through the service and insert `rows` responses; returns seconds."""
    from sqlalchemy import insert

    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.models import Response
    from surveyapp.services import surveys
    from surveyapp.services.audit import Actor

    started = time.perf_counter()
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "RATELIMIT_STORAGE_URI": "memory://"})  # fmt: skip
    rng = random.Random(rows)
    base = datetime(2015, 5, 10, tzinfo=UTC)
    with app.app_context():
        survey = surveys.load_schema_file(db.session, SCHEMA, Actor("system", "bench")).survey
        sid, vid = survey.id, survey.current_version_id
        for start in range(0, rows, 5000):
            batch = []
            for i in range(start, min(rows, start + 5000)):
                answers, ending, lang = pool[i % len(pool)]
                moment = base + timedelta(seconds=rng.randint(0, 80 * 86400))
                batch.append({
                    "survey_id": sid, "version_id": vid,
                    "token_hash": hashlib.sha256(f"results-bench-{i}".encode()).hexdigest(),
                    "status": "complete", "ending_id": ending, "language": lang,
                    "answers": answers, "params": {"source": rng.choice("12349")},
                    "page_history": [], "seed": f"{i:032x}", "is_test": i % 500 == 0,
                    "started_at": moment, "updated_at": moment + timedelta(minutes=11),
                    "completed_at": moment + timedelta(minutes=11),
                })  # fmt: skip
            db.session.execute(insert(Response), batch)
            db.session.commit()
    db.dispose(app)
    return time.perf_counter() - started


def measure(url: str) -> dict:
    """The timings of one backend (see the module docstring)."""
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.results import breakdowns as bd
    from surveyapp.results.report import build_report
    from surveyapp.services import results
    from surveyapp.services.surveys import get_survey

    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "RATELIMIT_STORAGE_URI": "memory://"})  # fmt: skip
    out: dict = {}
    with app.app_context():
        survey = get_survey(db.session, "barometre-2015")
        options = results.parse_options({"by": "s1", "weighted": "1"}, ("fr", "en"), "fr")
        results.clear_cache()
        t0, c0 = time.perf_counter(), time.process_time()
        loaded = results.load(db.session, survey, options.filters)
        out["read_s"] = time.perf_counter() - t0
        out["read_cpu_s"] = time.process_time() - c0
        out["responses"] = loaded.data.n
        out["tables"] = {}
        for key, weighted in ((None, False), ("s1", False), ("s1-region", False),
                              ("size_band", False), ("s1", True)):  # fmt: skip
            t = time.perf_counter()
            report = build_report(
                loaded.data, loaded.variables, loaded.schema,
                bd.find(loaded.breakdowns, key), weighted,
            )  # fmt: skip
            name = f"{key or 'total'}{' weighted' if weighted else ''}"
            out["tables"][name] = {"seconds": time.perf_counter() - t, "count": len(report.tables)}
        t = time.perf_counter()
        body = results.workbook(db.session, survey, options)
        out["workbook_s"] = time.perf_counter() - t
        out["workbook_bytes"] = len(body)
        results.clear_cache()
        t, c = time.perf_counter(), time.process_time()
        results.workbook(db.session, survey, options)
        out["total_cold_s"] = time.perf_counter() - t
        out["total_cold_cpu_s"] = time.process_time() - c
    db.dispose(app)
    env = dict(os.environ, SURVEYAPP_DATABASE_URL=url, SURVEYAPP_SECRET_KEY="bench",
               SURVEYAPP_ENV="development", SURVEYAPP_LOG_LEVEL="WARNING")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).parent / "surveyapp"), "report", "barometre-2015",
             "--by", "s1", "--weighted", "-o", str(Path(tmp) / "report.xlsx")],
            env=env, cwd=REPO, check=True, capture_output=True, timeout=600,
        )  # fmt: skip
        out["cli_s"] = time.perf_counter() - t
    return out


def main() -> None:
    """Run the benchmark and print/write its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    from surveyapp.engine import load_survey_file

    started = time.perf_counter()
    pool = pool_of_respondents(load_survey_file(SCHEMA), POOL)
    print(f"pool of {POOL} respondents in {time.perf_counter() - started:.1f} s", flush=True)
    figures = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            url = fresh_database(backend, args.pg_url, Path(tmp), BENCH_DB)
            try:
                fill_s = fill(url, args.rows, pool)
                result = {"backend": backend, "rows": args.rows, "fill_s": fill_s, **measure(url)}
            finally:
                drop_database(backend, args.pg_url, BENCH_DB)
        figures.append(result)
        print(
            f"{backend:>10}: {result['responses']} responses (tests excluded) — read "
            f"{result['read_s']:.1f} s, country weighted tables "
            f"{result['tables']['s1 weighted']['seconds']:.1f} s "
            f"({result['tables']['s1 weighted']['count']} tables), workbook "
            f"{result['workbook_s']:.1f} s; from cold {result['total_cold_s']:.1f} s "
            f"(CPU {result['total_cold_cpu_s']:.1f} s); "
            f"CLI {result['cli_s']:.1f} s",
            flush=True,
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_average_at_end": os.getloadavg(),
                },
                "results": figures,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
