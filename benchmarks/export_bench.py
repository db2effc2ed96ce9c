"""Export benchmark: 100 000 barometer responses streamed to CSV, against the database's floor.

    .venv/bin/python benchmarks/export_bench.py [--rows 100000] [--small 10000]
        [--backends sqlite,postgresql] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

For each backend it builds a fresh database, stores barometer responses filled through the
engine (a pool of distinct respondents, repeated with varied times, sources and durations),
and measures, in a fresh child process each time:

- the streamed export (`services.exports.csv_chunks`, default preset): total time, time to the
  first byte, peak RSS of the process during the export and its increase over the baseline;
- the physical floor: the same values laid out as a wide table (one column per export column,
  built here for the comparison) dumped by the database's own bulk CSV export:
  `COPY (SELECT …) TO STDOUT WITH CSV` through psql on PostgreSQL, the sqlite3 shell's CSV
  mode on SQLite.

Targets (issue): within 3x of the floor on SQLite and 6x on PostgreSQL; first byte within 1 s;
peak memory under 150 MB, and less than 10 MB apart between 10 000 and 100 000 rows.
Prints a table and writes benchmarks/results/export.json. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
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
RESULTS = REPO / "benchmarks" / "results" / "export.json"
RUNS = 3
POOL = 400
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "surveyapp_export_bench"


# ----------------------------------------------------------------------------- data
def respondent_pool(schema, n: int, seed: int = 7) -> list[tuple[dict, str, str]]:
    """`n` distinct complete responses (answers, ending, language) filled through the engine."""
    from surveyapp.engine import flow

    rng = random.Random(seed)
    avoid = {
        "s1": {"4"},
        "s2": {"2", "3", "6"},
        "s3": {"5", "6", "7", "8", "9", "10"},
        "s5": {"4", "5"},
        "s6": {"8"},
    }
    texts = [
        "Écouter avant de publier",
        '=HYPERLINK("http://x")',
        "-5 conseils",
        None,
        "Be consistent; measure, then adjust",
        "@team: « patience »",
    ]
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
                codes = [o.code for o in qv.options if o.code not in avoid.get(q.id, ())]
                if q.type == "consent":
                    form[q.id] = ["1"]
                elif q.type == "single":
                    form[q.id] = [rng.choice(codes)]
                elif q.type == "multiple":
                    plain = [o.code for o in qv.options if not o.exclusive]
                    limit = getattr(q.kind, "max", None) or 4
                    form[q.id] = rng.sample(plain, rng.randint(1, min(limit, 4, len(plain))))
                elif q.type == "matrix":
                    for row in qv.rows:
                        form[f"{q.id}.{row.code}"] = [rng.choice(codes)]
                elif q.type == "text":
                    text = rng.choice(texts)
                    if text:
                        form[q.id] = [text]
                if any(o.other for o in qv.options) and rng.random() < 0.5:
                    form[f"{q.id}_other"] = [rng.choice(["Précisé", "=1+2", "TikTok"])]
            result = flow.validate_page(schema, page, form, answers, seed_text)
            if result.errors:
                break
            answers = flow.apply_page(schema, page, result.values, answers, seed_text)
            step = flow.next_step(schema, page, answers)
            if isinstance(step, flow.EndingReached):
                if step.ending.status == "complete":
                    lang = "en" if answers.get("s1") == "2" or answers.get("s1b") == "2" else "fr"
                    pool.append((answers, step.ending.id, lang))
                break
            page = step.page_id
    return pool


def response_rows(pool, start: int, count: int, version_id: int, survey_id: int, seed: int):
    """Response rows (dicts) cycling through the pool with varied times and sources."""
    rng = random.Random(seed + start)
    base = datetime(2015, 5, 10, tzinfo=UTC)
    for i in range(start, start + count):
        answers, ending, lang = pool[i % len(pool)]
        started = base + timedelta(seconds=rng.randint(0, 80 * 86400))
        seconds = max(20, int(rng.lognormvariate(6.4, 0.45)))
        yield {
            "survey_id": survey_id,
            "version_id": version_id,
            "token_hash": hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
            "status": "complete",
            "ending_id": ending,
            "language": lang,
            "answers": answers,
            "params": {"source": rng.choice(["1", "2", "3", "4", "9"])},
            "page_history": [],
            "seed": f"{i:032x}"[-32:],
            "started_at": started,
            "updated_at": started + timedelta(seconds=seconds),
            "completed_at": started + timedelta(seconds=seconds),
        }


# ----------------------------------------------------------------------------- databases
def load_survey_version(engine) -> tuple[int, int]:
    """The barometer as survey + version 1 (inserted directly); returns (survey id, version id)."""
    from sqlalchemy import insert, select, update

    from surveyapp.models import Survey, SurveyVersion

    source = SCHEMA.read_text(encoding="utf-8")
    with engine.begin() as conn:
        survey_id = conn.execute(
            insert(Survey).values(slug="barometre-2015", state="open").returning(Survey.id)
        ).scalar_one()
        version_id = conn.execute(
            insert(SurveyVersion)
            .values(
                survey_id=survey_id,
                number=1,
                label="2015.1",
                source=source,
                sha256=hashlib.sha256(source.encode()).hexdigest(),
            )
            .returning(SurveyVersion.id)
        ).scalar_one()
        conn.execute(
            update(Survey).where(Survey.id == survey_id).values(current_version_id=version_id)
        )
        conn.execute(select(1))
    return survey_id, version_id


def insert_responses(engine, rows) -> None:
    """Bulk insert (COPY on PostgreSQL, executemany on SQLite)."""
    from sqlalchemy import insert

    from surveyapp.models import Response

    rows = list(rows)
    if engine.dialect.name == "postgresql":
        cols = list(rows[0])
        raw = engine.raw_connection()
        try:
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY responses ({', '.join(cols)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(row[c])
                            if c in ("answers", "params", "page_history")
                            else row[c]
                            for c in cols
                        ]
                    )
            raw.commit()
        finally:
            raw.close()
        return
    with engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(Response), rows[i : i + 5000])


# ----------------------------------------------------------------------------- the floor
def build_wide_table(url: str, slug: str) -> tuple[int, list[str]]:
    """The export's own values (plain preset) stored as one column per export column."""
    from sqlalchemy import Column, Integer, MetaData, Table, Text, insert

    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.services import exports
    from surveyapp.services.surveys import get_survey

    app = create_app(_app_config(url))
    with app.app_context():
        survey = get_survey(db.session, slug)
        options = exports.parse_options({"preset": "plain"})
        layout = exports.load_layout(db.session, survey)
        names = [c.name for c in layout.columns]
        numeric = [c.numeric for c in layout.columns]
        metadata = MetaData()
        table = Table(
            "bench_wide",
            metadata,
            *[Column(f"c{i}", Integer if num else Text) for i, num in enumerate(numeric)],
        )
        engine = db.engine
        metadata.drop_all(engine)
        metadata.create_all(engine)
        count = 0
        from surveyapp.exports.rows import Target

        target = Target("csv", exports.PRESETS["plain"], None)
        with engine.begin() as conn:
            for batch in exports.iter_rows(db.session, layout, options, target):
                values = [
                    {
                        f"c{i}": (int(v) if num and v is not None and v != "" else v)
                        for i, (v, num) in enumerate(zip(row, numeric, strict=True))
                    }
                    for row in batch
                ]
                conn.execute(insert(table), values)
                count += len(values)
    db.dispose(app)
    return count, names


def floor_seconds(backend: str, url: str, names: list[str]) -> float:
    """Wall time of the database's own CSV dump of the wide table (best of RUNS)."""
    from sqlalchemy.engine import make_url

    aliases = ", ".join(f'c{i} AS "{name}"' for i, name in enumerate(names))
    query = f"SELECT {aliases} FROM bench_wide"
    if backend == "sqlite":
        path = make_url(url).database
        cmd = ["sqlite3", "-csv", "-header", path, query]
    else:
        parsed = make_url(url)
        cmd = [
            "psql",
            "-q",
            "-h",
            parsed.host or "127.0.0.1",
            "-p",
            str(parsed.port or 5432),
            "-U",
            parsed.username or "postgres",
            "-d",
            parsed.database,
            "-c",
            f"COPY ({query}) TO STDOUT WITH CSV HEADER",
        ]
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - start)
    return best


# ----------------------------------------------------------------------------- our export
def _app_config(url: str) -> dict:
    return {"ENV_NAME": "testing", "TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url}


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child_sav(url: str, slug: str) -> dict:
    """Write the SPSS file in this (fresh) process and measure it."""
    import pandas  # noqa: F401 - imported before the baseline, as a running server has it
    import pyreadstat  # noqa: F401

    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.services import exports
    from surveyapp.services.audit import Actor
    from surveyapp.services.surveys import get_survey

    app = create_app(_app_config(url))
    with app.app_context(), tempfile.TemporaryDirectory() as tmp:
        survey = get_survey(db.session, slug)
        baseline = _rss_kb("VmRSS")
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            pass
        start = time.perf_counter()
        path = Path(tmp) / "export.sav"
        exports.write_sav(db.session, survey, exports.parse_options({}), Actor("system", "b"), path)
        total = time.perf_counter() - start
        peak = _rss_kb("VmHWM")
        size = path.stat().st_size
    return {
        "seconds": total,
        "bytes": size,
        "baseline_mb": baseline / 1024,
        "peak_mb": peak / 1024,
        "increase_mb": (peak - baseline) / 1024,
    }


def child(url: str, slug: str) -> dict:
    """Run one export in this (fresh) process and measure it."""
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.services import exports
    from surveyapp.services.audit import Actor
    from surveyapp.services.surveys import get_survey

    app = create_app(_app_config(url))
    with app.app_context():
        survey = get_survey(db.session, slug)
        options = exports.parse_options({})
        baseline = _rss_kb("VmRSS")
        try:  # reset the peak (VmHWM) so that it measures the export alone
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            pass
        start = time.perf_counter()
        cpu = time.process_time()
        first = None
        size = 0
        for chunk in exports.csv_chunks(db.session, survey, options, Actor("system", "bench")):
            if first is None:
                first = time.perf_counter() - start
            size += len(chunk)
        total = time.perf_counter() - start
        cpu = time.process_time() - cpu
        peak = _rss_kb("VmHWM")
    return {
        "seconds": total,
        "cpu_seconds": cpu,
        "first_byte_s": first,
        "bytes": size,
        "baseline_mb": baseline / 1024,
        "peak_mb": peak / 1024,
        "increase_mb": (peak - baseline) / 1024,
    }


def measure(url: str, slug: str) -> dict:
    """Best-of-RUNS time of the export, each run in a fresh process; memory of every run."""
    runs = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, __file__, "--child", url, slug],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["seconds"])
    return {
        **best,
        "runs_seconds": [round(r["seconds"], 3) for r in runs],
        "peak_mb": max(r["peak_mb"] for r in runs),
        "increase_mb": max(r["increase_mb"] for r in runs),
        "first_byte_s": max(r["first_byte_s"] for r in runs),
    }


# ----------------------------------------------------------------------------- main
def bench_backend(backend: str, args, pool) -> dict:
    """Fill, export at the small and full sizes, build the floor, compare."""
    from surveyapp.database import engine_for_url

    workdir = Path(tempfile.mkdtemp(prefix="export-bench-"))
    try:
        url = fresh_database(backend, args.pg_url, workdir, BENCH_DB)
        engine = engine_for_url(url)
        survey_id, version_id = load_survey_version(engine)
        t0 = time.perf_counter()
        insert_responses(engine, response_rows(pool, 0, args.small, version_id, survey_id, 1))
        fill_seconds = time.perf_counter() - t0
        small = measure(url, "barometre-2015")
        t0 = time.perf_counter()
        insert_responses(
            engine,
            response_rows(pool, args.small, args.rows - args.small, version_id, survey_id, 1),
        )
        fill_seconds += time.perf_counter() - t0
        engine.dispose()
        full = measure(url, "barometre-2015")
        sav = None
        if args.sav:
            out = subprocess.run(
                [sys.executable, __file__, "--child-sav", url, "barometre-2015"],
                check=True,
                capture_output=True,
                text=True,
            )
            sav = json.loads(out.stdout.strip().splitlines()[-1])
        count, names = build_wide_table(url, "barometre-2015")
        floor = floor_seconds(backend, url, names)
        target = 3 if backend == "sqlite" else 6
        return {
            "sav": sav,
            "backend": backend,
            "rows": count,
            "columns": len(names),
            "fill_seconds": round(fill_seconds, 1),
            "export_small": small,
            "export": full,
            "floor_seconds": floor,
            "ratio": full["seconds"] / floor,
            "ratio_target": target,
            "memory_spread_mb": full["peak_mb"] - small["peak_mb"],
        }
    finally:
        drop_database(backend, args.pg_url, BENCH_DB)
        shutil.rmtree(workdir, ignore_errors=True)


def report(results: list[dict], args) -> None:
    """Print a human-readable table."""
    print()
    columns = results[0]["columns"] if results else "?"
    print(
        f"Export benchmark: {args.rows} barometer responses ({columns} columns), "
        f"best of {RUNS} runs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    head = (
        f"{'backend':<11}{'export s':>9}{'cpu s':>7}{'floor s':>9}{'ratio':>8}{'target':>8}"
        f"{'1st byte':>10}{'peak MB':>9}{'+MB':>7}{f'peak@{args.small}':>12}{'spread':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        e, s = r["export"], r["export_small"]
        print(
            f"{r['backend']:<11}{e['seconds']:>9.2f}{e['cpu_seconds']:>7.2f}"
            f"{r['floor_seconds']:>9.2f}{r['ratio']:>7.2f}x{r['ratio_target']:>7}x"
            f"{e['first_byte_s']:>9.3f}s{e['peak_mb']:>9.1f}{e['increase_mb']:>7.1f}"
            f"{s['peak_mb']:>12.1f}{r['memory_spread_mb']:>8.1f}"
        )
    print(
        "export s: wall time of the streamed CSV export (default preset), first byte included;"
        " cpu s: its process CPU time (both threads);\nfloor s: the database's own CSV dump of"
        " the same values as a wide table; peak MB: peak RSS of the exporting process (app"
        " loaded);\n+MB: its increase over the process's RSS before the export; spread: peak at"
        f" {args.rows} rows minus peak at {args.small} rows."
    )
    for r in results:
        if r.get("sav"):
            sav = r["sav"]
            print(
                f"SPSS .sav on {r['backend']}: {sav['seconds']:.1f} s, peak {sav['peak_mb']:.0f} MB"
                f" (+{sav['increase_mb']:.0f} MB over the baseline, pandas loaded), "
                f"{sav['bytes'] / 1e6:.0f} MB file"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("SURVEYAPP_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument(
        "--sav",
        action="store_true",
        help="also time the SPSS export once at the full size (in memory)",
    )
    parser.add_argument("--child", nargs=2, metavar=("URL", "SLUG"), help=argparse.SUPPRESS)
    parser.add_argument("--child-sav", nargs=2, metavar=("URL", "SLUG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    if args.child_sav:
        print(json.dumps(child_sav(*args.child_sav)))
        return
    if shutil.which("sqlite3") is None and "sqlite" in args.backends:
        sys.exit("the sqlite3 shell is missing: apt-get install sqlite3")
    from surveyapp.engine import load_survey

    schema = load_survey(SCHEMA.read_text(encoding="utf-8"), str(SCHEMA))
    t0 = time.perf_counter()
    pool = respondent_pool(schema, POOL)
    print(
        f"{len(pool)} distinct respondents filled through the engine in "
        f"{time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    results = []
    for backend in args.backends.split(","):
        print(f"{backend}: filling {args.rows} responses and exporting…", flush=True)
        results.append(bench_backend(backend, args, pool))
    report(results, args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": sys.version.split()[0],
                    "load_average_1min": os.getloadavg()[0],
                },
                "rows": args.rows,
                "small": args.small,
                "runs": RUNS,
                "results": results,
            },
            indent=2,
        )
    )
    print(f"written {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
