"""Respondent load benchmark: simulated respondents walk the barometer through a real gunicorn,
beside a bare reference app (the ceiling) under the same settings, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/load_bench.py [--seconds 10] [--rounds 3] [--warmup 3]
        [--concurrency 16 64] [--backends sqlite postgresql] [--think 0]

Prints a row per round and a summary per setting, and writes benchmarks/results/load.json. The
result is the ratio of our page cycles per second (POST a page + GET the next) to the reference
app's (GET its form + POST it), both servers running side by side, driven unmeasured for a few
seconds first, then in alternating rounds; the median round's ratio is the result. No ratio is
printed (and the exit status is 1) when any round's reference run had errors, completed fewer
cycles than requested or ran at an implausible rate: see benchmarks/load_checks.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text, update  # noqa: E402

from benchmarks.common import machine_speed  # noqa: E402
from benchmarks.load_checks import Floors, median_round, ratio_refusal  # noqa: E402
from benchmarks.reference_app import create_table  # noqa: E402
from surveyapp.engine import load_survey_file  # noqa: E402
from surveyapp.models import QuotaCell  # noqa: E402
from tests.support.http_respondent import HttpRespondent, loopback_session  # noqa: E402
from tests.support.servers import gunicorn, load_and_open  # noqa: E402

BAROMETER = REPO / "surveyapp" / "surveys" / "barometre-2015.yaml"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
#: Options per question of the reference page (its inputs: the page under test's).
OPTIONS = 6
INPUT = re.compile(r"<(input|select|textarea)\b(?![^>]*type=\"hidden\")")


def eligible_script(rng: random.Random) -> dict[str, str]:
    """Answers that pass the barometer's screening most of the time, as a panel sends them."""
    return {
        "s1": rng.choice("123"),
        "s2": "1",
        "s3": rng.choice("1234"),
        "s5": rng.choice("123"),
        "s6": rng.choice("1234567"),
        "q1": "1" if rng.random() < 0.9 else "2",
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children still alive (gunicorn master + workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        proc_pid, ppid = int(stat.parent.name), int(fields[1])
        if proc_pid == pid or ppid == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Stats:
    """Latencies and errors shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.cycles = 0
        self.completes = 0
        self.inputs: list[int] = []

    def add(self, seconds: list[float], cycles: int = 0, completes: int = 0) -> None:
        with self.lock:
            self.latencies.extend(seconds)
            self.cycles += cycles
            self.completes += completes


def drive_surveyapp(
    base: str, slug: str, survey, concurrency: int, seconds: float, think: float, stats: Stats
) -> None:
    """Respondents loop: start, answer every page, finish, start again, until time is up."""
    deadline = time.monotonic() + seconds

    def user(n: int) -> None:
        rng = random.Random(n)
        while time.monotonic() < deadline:
            person = HttpRespondent(
                base,
                slug,
                survey,
                random.Random(rng.random()),
                lang=rng.choice(["fr", "en"]),
                script=eligible_script(rng),
            )
            try:
                person.start()
                while person.page_id and time.monotonic() < deadline:
                    with stats.lock:
                        stats.inputs.append(len(INPUT.findall(person.html)))
                    if think:
                        time.sleep(rng.uniform(0, 2 * think))
                    before = len(person.timings)
                    ended = not person.answer_page()
                    timings = person.timings[before:]
                    for t in timings:
                        if t.status >= 400:
                            stats.errors[f"http {t.status}"] += 1
                    stats.add([t.seconds for t in timings], cycles=1, completes=int(ended))
            except (requests.RequestException, RuntimeError, AssertionError) as exc:
                stats.errors[type(exc).__name__] += 1

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(user, range(concurrency)))


def drive_reference(
    base: str,
    questions: int,
    options: int,
    concurrency: int,
    seconds: float,
    think: float,
    stats: Stats,
) -> None:
    """The same loop against the reference pair: GET the form, POST its answers."""
    deadline = time.monotonic() + seconds

    def user(n: int) -> None:
        rng = random.Random(n)
        http = loopback_session()
        while time.monotonic() < deadline:
            try:
                if think:
                    time.sleep(rng.uniform(0, 2 * think))
                t0 = time.perf_counter()
                page = http.get(f"{base}/page?q={questions}&o={options}", timeout=30)
                t1 = time.perf_counter()
                body = {f"q{q}": str(rng.randrange(options)) for q in range(questions)}
                body["csrf_token"] = "x"
                posted = http.post(f"{base}/page", data=body, timeout=30, allow_redirects=False)
                t2 = time.perf_counter()
                for status in (page.status_code, posted.status_code):
                    if status >= 400:
                        stats.errors[f"http {status}"] += 1
                stats.add([t1 - t0, t2 - t1], cycles=1)
            except requests.RequestException as exc:
                stats.errors[type(exc).__name__] += 1

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(user, range(concurrency)))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


def summary(stats: Stats, seconds: float, cpu: float) -> dict:
    return {
        "cycles": stats.cycles,
        "page_cycles_per_s": stats.cycles / seconds,
        "completes_per_min": stats.completes * 60 / seconds,
        "p50_ms": percentile(stats.latencies, 0.50) * 1000,
        "p95_ms": percentile(stats.latencies, 0.95) * 1000,
        "p99_ms": percentile(stats.latencies, 0.99) * 1000,
        "errors": dict(stats.errors),
        "server_cpu_ms_per_cycle": cpu * 1000 / stats.cycles if stats.cycles else None,
        "page_posts_per_s": stats.cycles / seconds,
    }


def database_for(backend: str, tmp: Path, label: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'{label}.db'}"
    name = f"surveyapp_bench_{label}_{os.getpid()}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_database(url: str) -> None:
    """Remove a benchmark's PostgreSQL database (SQLite files go with the temporary folder)."""
    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def prepare(url: str) -> str:
    """Migrate, load and open the barometer, and lift the targets so quotas never bind."""
    from surveyapp.database import engine_for_url
    from surveyapp.services import migrations

    engine = engine_for_url(url)
    migrations.upgrade(engine)
    engine.dispose()
    slug = load_and_open(url, BAROMETER)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(update(QuotaCell).values(target=10_000_000))
    engine.dispose()
    return slug


def measure_round(pid: int, drive: Callable[[Stats], None], seconds: float) -> tuple[dict, Stats]:
    """One timed drive of a running server (its gunicorn master's pid): its summary."""
    stats = Stats()
    cpu0 = cpu_seconds(pid)
    drive(stats)
    return summary(stats, seconds, cpu_seconds(pid) - cpu0), stats


def run(args) -> dict:
    """Each backend and concurrency: both servers started once and driven unmeasured for
    `warmup` seconds (a long-lived worker's steady state: its first requests compile the
    templates and fill the caches), then `rounds` alternating timed drives (ours, the
    reference, ours, …). A round's ratio pairs drives made a few seconds apart, so a change in
    the machine's speed between them (a shared virtual machine's moves by half within minutes)
    weighs on both; the result is the median round."""
    survey = load_survey_file(BAROMETER)
    speed = machine_speed()
    print(f"machine speed: sum(range(1000)) {speed:.1f} µs", flush=True)
    results: dict = {
        "machine": {"cores": os.cpu_count(), "sum_range_1000_us": [speed]},
        "seconds": args.seconds,
        "rounds": args.rounds,
        "runs": [],
    }
    floors = Floors(args.min_reference_rate, args.min_cycles_per_user)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for backend in args.backends:
            for concurrency in args.concurrency:
                ours_url = database_for(backend, tmp, f"ours{concurrency}")
                slug = prepare(ours_url)
                ref_url = database_for(backend, tmp, f"ref{concurrency}")
                create_table(ref_url)
                rounds = []
                with (
                    gunicorn(ours_url, workers=args.workers) as (ours_base, ours_proc),
                    gunicorn(ref_url, workers=args.workers, app="benchmarks.reference_app:app") as (
                        ref_base,
                        ref_proc,
                    ),
                ):
                    if args.warmup:  # first requests: templates compiled, caches filled
                        drive_surveyapp(
                            ours_base, slug, survey, concurrency, args.warmup, 0, Stats()
                        )
                        # any form size warms the reference's one template
                        drive_reference(ref_base, 1, OPTIONS, concurrency, args.warmup, 0, Stats())
                    for number in range(1, args.rounds + 1):
                        ours, ours_stats = measure_round(
                            ours_proc.pid,
                            partial(
                                drive_surveyapp,
                                ours_base,
                                slug,
                                survey,
                                concurrency,
                                args.seconds,
                                args.think,
                            ),
                            args.seconds,
                        )
                        inputs = statistics.mean(ours_stats.inputs) if ours_stats.inputs else 30
                        questions = max(1, round(inputs / OPTIONS))
                        ref, _ = measure_round(
                            ref_proc.pid,
                            partial(
                                drive_reference,
                                ref_base,
                                questions,
                                OPTIONS,
                                concurrency,
                                args.seconds,
                                args.think,
                            ),
                            args.seconds,
                        )
                        refusal = ratio_refusal(ours, ref, concurrency, floors)
                        ratio = (
                            None
                            if refusal
                            else ours["page_cycles_per_s"] / ref["page_cycles_per_s"]
                        )
                        rounds.append(
                            {
                                "round": number,
                                "inputs_per_page": inputs,
                                "surveyapp": ours,
                                "reference": ref,
                                "ratio": ratio,
                                "ratio_refused": refusal,
                            }
                        )
                        print_row(backend, concurrency, rounds[-1])
                drop_database(ours_url)
                drop_database(ref_url)
                results["runs"].append(combine(backend, concurrency, args.think, rounds))
                print_summary(results["runs"][-1])
    speed = machine_speed()
    results["machine"]["sum_range_1000_us"].append(speed)
    print(f"machine speed: sum(range(1000)) {speed:.1f} µs at the end", flush=True)
    return results


def combine(backend: str, concurrency: int, think: float, rounds: list[dict]) -> dict:
    """The rounds of one backend and concurrency, summed up by their median round
    (`load_checks.median_round`)."""
    median, refused = median_round(rounds)
    shown = median or rounds[0]
    return {
        "backend": backend,
        "concurrency": concurrency,
        "think_s": think,
        "inputs_per_page": shown["inputs_per_page"],
        "surveyapp": shown["surveyapp"],
        "reference": shown["reference"],
        "ratio": median["ratio"] if median else None,
        "ratios": sorted(r["ratio"] for r in rounds if r["ratio"] is not None),
        "ratio_refused": "; ".join(refused) or None,
        "rounds": rounds,
    }


def print_row(backend: str, concurrency: int, r: dict) -> None:
    o, f = r["surveyapp"], r["reference"]
    print(
        f"{backend:<10} c={concurrency:<3} round {r['round']}: ours "
        f"{o['page_cycles_per_s']:7.1f} cyc/s (p50 {o['p50_ms']:.0f} / p95 {o['p95_ms']:.0f} / "
        f"p99 {o['p99_ms']:.0f} ms, {o['completes_per_min']:.0f} completes/min, cpu "
        f"{o['server_cpu_ms_per_cycle']:.1f} ms/cycle, errors {o['errors'] or 0}) | ceiling "
        f"{f['page_cycles_per_s']:7.1f} cyc/s (p99 {f['p99_ms']:.0f} ms, cpu "
        f"{f['server_cpu_ms_per_cycle']:.1f} ms/cycle, errors {f['errors'] or 0}) | "
        + (
            f"ratio {r['ratio']:.2f}"
            if r["ratio"] is not None
            else f"NO RATIO: {r['ratio_refused']}"
        ),
        flush=True,
    )


def print_summary(r: dict) -> None:
    o = r["surveyapp"]
    print(
        f"{r['backend']:<10} c={r['concurrency']:<3} "
        + (
            f"ratio {r['ratio']:.2f} (median of {', '.join(f'{x:.2f}' for x in r['ratios'])}); "
            f"median round: ours {o['page_cycles_per_s']:.1f} cyc/s, p99 {o['p99_ms']:.0f} ms"
            if r["ratio"] is not None
            else f"NO RATIO: {r['ratio_refused']}"
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="seconds per timed drive")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds (ours, reference) per setting"
    )
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="unmeasured seconds of each server first"
    )
    parser.add_argument("--think", type=float, default=0.0, help="mean think time (s)")
    parser.add_argument(
        "--min-reference-rate",
        type=float,
        default=Floors.min_rate,
        help="reference cycles/s below which no ratio is printed",
    )
    parser.add_argument(
        "--min-cycles-per-user",
        type=int,
        default=Floors.min_cycles_per_user,
        help="reference cycles each respondent must complete for a ratio",
    )
    parser.add_argument("--output", default=str(REPO / "benchmarks" / "results" / "load.json"))
    args = parser.parse_args()
    results = run(args)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2))
    print(f"written {args.output}")
    refused = [r for r in results["runs"] if r["ratio"] is None]
    if refused:
        sys.exit(f"{len(refused)} run(s) without a ratio: see NO RATIO above")


if __name__ == "__main__":
    main()
