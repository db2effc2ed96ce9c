"""Where a respondent's page cycle spends its time: barometer walks through the Flask test
client (SQLite), simulated answers from the engine. A page cycle is the POST of a page and the
GET of the page it redirects to.

The figures are a long-lived worker's steady state: one unmeasured warm-up respondent walks
first (templates compiled, the compiled-schema and SQL statement caches filled), so the
first-request cost is excluded; it is printed separately (CPU of the warm-up walk's cycles).

    .venv/bin/python benchmarks/profile_pages.py [--respondents 10] [--sort cumulative|tottime]
        [--cpu] [--baseline REV [--rounds 3]] [--database sqlite|postgresql]

Prints, without the profiler, the process CPU time per cycle (all of it, and the server's: the
time spent inside the application's WSGI callable, without the test client's work of building
requests and reading responses, which a real server leaves to the browser), SQL statements per
cycle (a `before_cursor_execute` listener) and Python function calls per cycle, then a cProfile
listing (wall clock, or process CPU time with --cpu: stable when other processes share the
cores).

--database postgresql walks on a fresh database of the local PostgreSQL server (PG_ADMIN) and
also prints the database server's CPU per cycle (its processes' CPU time read from /proc during
the measured walks: a local server only).

--baseline REV measures the code of git revision REV (exported to a temporary directory) with
the same walks, alternating rounds with this tree's code in the same run, and prints the
ratios baseline / this tree (best round of each; CPU varies with the load, statements and
calls do not). No ratio is printed when either side had an error response or did not reach
the ending.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
#: The tree whose code is measured (this one, or a baseline revision's export).
CODE = REPO
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
ATTR = re.compile(r'(name|value)="([^"]*)"')
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ELIGIBLE = {"s1": "1", "s2": "1", "s3": "1", "s5": "1", "s6": "4", "q1": "1"}


class Meter:
    """What the cycles cost: CPU seconds, statements, errors; the profiler when one is set."""

    def __init__(self, profile: cProfile.Profile | None = None) -> None:
        self.profile = profile
        self.cpu = 0.0
        #: CPU seconds inside the application (its WSGI callable) during the measured cycles.
        self.server_cpu = 0.0
        self.statements = 0
        self.counting = False
        self.cycles = 0
        self.errors: list[str] = []
        self.unfinished = 0
        #: CPU seconds and cycles of the unmeasured warm-up walk (first-request cost).
        self.warmup_cpu = 0.0
        self.warmup_cycles = 0
        #: CPU seconds of the local PostgreSQL server's processes during the measured walks.
        self.db_cpu = 0.0

    def statement(self, *_: Any) -> None:
        if self.counting:
            self.statements += 1

    def wrap(self, wsgi_app: Any) -> Any:
        """`wsgi_app`, adding its CPU time to `server_cpu` while cycles are measured (the
        response body is made inside: a Flask view returns it whole)."""

        def timed(environ: Any, start_response: Any) -> Any:
            if not self.counting:
                return wsgi_app(environ, start_response)
            start = time.process_time()
            try:
                return wsgi_app(environ, start_response)
            finally:
                self.server_cpu += time.process_time() - start

        return timed


def walk(client, slug, survey, rng, meter: Meter) -> None:
    """One respondent from consent to the ending; only the page cycles are measured."""
    from werkzeug.datastructures import MultiDict

    from surveyapp.engine import apply_page, render_page, validate_page
    from tests.support.simulate import random_form

    response = client.get(f"/s/{slug}/?lang=fr", follow_redirects=True)
    answers: dict = {}
    while match := re.search(r"/p/([^/]+)$", response.request.path):
        page = match.group(1)
        view = render_page(survey, page, answers, "profile", "fr")
        form = random_form(view, rng)
        shown = {qv.id for qv in view.questions}
        form.update({k: [v] for k, v in ELIGIBLE.items() if k in shown})
        answers = apply_page(
            survey, page, validate_page(survey, page, form, answers, "profile").values, answers
        )
        html = response.get_data(as_text=True)
        body = [
            (attrs.get("name"), attrs.get("value", ""))
            for attrs in (dict(ATTR.findall(tag)) for tag in HIDDEN.findall(html))
        ]
        body += [(k, v) for k, vs in form.items() for v in vs] + [("_action", "next")]
        path = response.request.path
        meter.counting = True
        if meter.profile is not None:
            meter.profile.enable()
        start = time.process_time()
        posted = client.post(path, data=MultiDict(body))
        response = client.get(posted.headers["Location"]) if posted.status_code == 303 else posted
        meter.cpu += time.process_time() - start
        if meter.profile is not None:
            meter.profile.disable()
        meter.counting = False
        meter.cycles += 1
        if posted.status_code != 303 or response.status_code != 200:
            meter.errors.append(f"{path}: {posted.status_code} then {response.status_code}")
            return
        if response.request.path == path:  # the page came back: no progress
            meter.errors.append(f"{path}: the page came back")
            return
    if not response.request.path.endswith("/end"):
        meter.unfinished += 1


def postgres_cpu() -> float:
    """CPU seconds used so far by the processes named postgres on this machine (live ones)."""
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
        except OSError:  # ended meanwhile
            continue
        if "(postgres)" in stat:
            fields = stat.rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def fresh_database(database: str) -> Iterator[str]:
    """The URL of an empty database (a temporary SQLite file, or a PostgreSQL database made on
    the local server and dropped afterwards), migrated to head."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from surveyapp.database import engine_for_url
    from surveyapp.services import migrations

    with tempfile.TemporaryDirectory() as tmp:
        url, name = f"sqlite:///{tmp}/profile.db", f"profile_pages_{os.getpid()}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        if database == "postgresql":
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
        engine = engine_for_url(url)
        migrations.upgrade(engine)
        engine.dispose()
        try:
            yield url
        finally:
            if database == "postgresql":
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def run(respondents: int, profile: cProfile.Profile | None, database: str = "sqlite") -> Meter:
    """One unmeasured warm-up walk, then `respondents` measured walks of the barometer on a
    fresh database (a long-lived worker's steady state)."""
    from sqlalchemy import event

    from surveyapp import create_app
    from surveyapp.engine import load_survey_file
    from surveyapp.extensions import db
    from tests.support.servers import load_and_open

    barometer = CODE / "surveyapp" / "surveys" / "barometre-2015.yaml"
    meter = Meter(profile)
    with fresh_database(database) as url:
        slug = load_and_open(url, barometer)
        config = {"DATABASE_URL": url, "SECRET_KEY": "profile", "LOG_LEVEL": "WARNING"}
        # every walk comes from one address: the per-client start limit is off
        app = create_app({**config, "RESPONDENT_START_LIMIT": None})
        app.wsgi_app = meter.wrap(app.wsgi_app)  # type: ignore[method-assign]
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", meter.statement)
        survey = load_survey_file(barometer)
        rng = random.Random(1)
        # warm-up: a worker's first requests compile templates and fill the statement caches
        warmup = Meter()
        walk(app.test_client(), slug, survey, random.Random(0), warmup)
        meter.warmup_cpu, meter.warmup_cycles = warmup.cpu, warmup.cycles
        meter.errors += [f"warm-up: {e}" for e in warmup.errors]
        db_cpu = postgres_cpu() if database == "postgresql" else 0.0
        for _ in range(respondents):
            walk(app.test_client(), slug, survey, rng, meter)
        if database == "postgresql":
            meter.db_cpu = postgres_cpu() - db_cpu
        with app.app_context():
            db.engine.dispose()
    return meter


def measure(respondents: int, database: str = "sqlite") -> dict[str, Any]:
    """CPU and statements without the profiler, then function calls under it (same walks)."""
    plain = run(respondents, None, database)
    counted = run(respondents, cProfile.Profile(), database)
    assert counted.profile is not None
    calls = pstats.Stats(counted.profile).total_calls  # type: ignore[attr-defined]
    cycles = max(plain.cycles, 1)
    return {
        "cycles": plain.cycles,
        "cpu_ms": plain.cpu * 1000 / cycles,
        "server_cpu_ms": plain.server_cpu * 1000 / cycles,
        "db_cpu_ms": plain.db_cpu * 1000 / cycles,
        "warmup_cpu_ms": plain.warmup_cpu * 1000 / max(plain.warmup_cycles, 1),
        "statements": plain.statements / cycles,
        "calls": calls / max(counted.cycles, 1),
        "errors": plain.errors + counted.errors,
        "unfinished": plain.unfinished + counted.unfinished,
    }


def child(code: Path, respondents: int, database: str) -> dict[str, Any]:
    """`measure` in a fresh interpreter importing the code under `code`."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            str(code),
            "--respondents",
            str(respondents),
            "--database",
            database,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def export_revision(rev: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


def machine_speed() -> float:
    """`benchmarks.common.machine_speed`, imported in the parent only (a --measure child must
    import the surveyapp of the code it measures, which benchmarks.common would import first)."""
    from benchmarks.common import machine_speed as speed

    return speed()


def compare(rev: str, respondents: int, rounds: int, database: str = "sqlite") -> int:
    speed = machine_speed()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        export_revision(rev, base)
        results: dict[str, list[dict[str, Any]]] = {"baseline": [], "this tree": []}
        for _ in range(rounds):
            results["baseline"].append(child(base, respondents, database))
            results["this tree"].append(child(REPO, respondents, database))
    print(
        f"{respondents} barometer respondents per round after one unmeasured warm-up "
        f"respondent (steady state), {rounds} rounds, alternating, on {database}"
    )
    print(
        f"{'':<12}{'cycles':>8}{'server CPU ms/cycle (best, all)':>42}"
        f"{'with client':>13}{'statements':>12}{'calls':>10}"
        + (f"{'database CPU (best, all)':>30}" if database == "postgresql" else "")
    )
    best: dict[str, dict[str, float]] = {}
    for name, runs in results.items():
        cpus = [r["server_cpu_ms"] for r in runs]
        best[name] = {
            "server_cpu_ms": min(cpus),
            "cpu_ms": min(r["cpu_ms"] for r in runs),
            "statements": runs[0]["statements"],
            "calls": min(r["calls"] for r in runs),
            "db_cpu_ms": min(r["db_cpu_ms"] for r in runs),
        }
        shown = ", ".join(f"{c:.2f}" for c in cpus)
        db_shown = ", ".join(f"{r['db_cpu_ms']:.2f}" for r in runs)
        print(
            f"{name:<12}{runs[0]['cycles']:>8}{best[name]['server_cpu_ms']:>14.2f} ({shown})"
            f"{best[name]['cpu_ms']:>13.2f}{best[name]['statements']:>12.2f}"
            f"{best[name]['calls']:>10.0f}"
            + (f"{best[name]['db_cpu_ms']:>12.2f} ({db_shown})" if database == "postgresql" else "")
        )
    broken = [
        f"{name}: {problem}"
        for name, runs in results.items()
        for r in runs
        for problem in r["errors"] + (["unfinished walks"] if r["unfinished"] else [])
    ]
    if broken:
        print("no ratio: " + "; ".join(broken[:5]))
        return 1
    print(
        "baseline / this tree: "
        + ", ".join(
            f"{key} {best['baseline'][key] / best['this tree'][key]:.2f}"
            for key in ("server_cpu_ms", "cpu_ms", "statements", "calls")
            + (("db_cpu_ms",) if database == "postgresql" else ())
        )
    )
    with open("/proc/loadavg") as fh:
        print("load average:", " ".join(fh.read().split()[:3]))
    print(f"machine speed: sum(range(1000)) {speed:.1f} µs before, {machine_speed():.1f} µs after")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=10)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--cpu", action="store_true", help="profile process CPU time, not wall")
    parser.add_argument("--baseline", metavar="REV", help="compare with git revision REV")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--measure", metavar="CODE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        global CODE
        CODE = Path(args.measure)
        sys.path.insert(0, args.measure)
        from surveyapp.services.translations import compile_catalogs

        compile_catalogs()
        print(json.dumps(measure(args.respondents, args.database)))
        return
    sys.path.insert(0, str(REPO))
    if args.baseline:
        sys.exit(compare(args.baseline, args.respondents, args.rounds, args.database))
    speed = machine_speed()
    figures = measure(args.respondents, args.database)
    print(f"machine speed: sum(range(1000)) {speed:.1f} µs before, {machine_speed():.1f} µs after")
    print(
        f"{figures['cycles']} page cycles (POST + redirected GET): "
        f"{figures['server_cpu_ms']:.2f} ms server CPU ({figures['cpu_ms']:.2f} ms with the test "
        f"client's), {figures['statements']:.2f} SQL statements, {figures['calls']:.0f} function "
        f"calls per cycle; errors: {figures['errors'][:5] or 'none'}"
    )
    if args.database == "postgresql":
        print(f"database server (local PostgreSQL): {figures['db_cpu_ms']:.2f} ms CPU per cycle")
    print(
        "steady state: after one unmeasured warm-up respondent, whose cycles cost "
        f"{figures['warmup_cpu_ms']:.2f} ms CPU each (first-request cost, excluded)"
    )
    profile = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    meter = run(args.respondents, profile, args.database)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    clock = "CPU" if args.cpu else "wall"
    print(
        f"under the profiler ({clock}): "
        f"{stats.total_tt * 1000 / max(meter.cycles, 1):.1f} ms per cycle"  # type: ignore[attr-defined]
    )
    print("own time by package:", split(stats))
    stats.sort_stats(args.sort).print_stats(args.lines)
    print(out.getvalue())


def split(stats: pstats.Stats) -> str:
    """Share of the profiled time spent in each library's (or surveyapp package's) own code."""
    shares: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0].split(".")[0]
        elif "/surveyapp/" in filename:
            key = "surveyapp." + filename.split("/surveyapp/")[-1].split("/")[0].split(".")[0]
        elif filename.startswith("~") or "<" in filename:
            key = "builtins"
        else:
            key = "stdlib" if "/lib/python" in filename else "other"
        shares[key] = shares.get(key, 0.0) + tottime
    total = sum(shares.values()) or 1.0
    top = sorted(shares.items(), key=lambda kv: -kv[1])[:12]
    return ", ".join(f"{k} {v / total:.0%}" for k, v in top)


if __name__ == "__main__":
    main()
