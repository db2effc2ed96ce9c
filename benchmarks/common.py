"""Shared by the benchmarks: a fresh migrated database per run and its removal; the machine's
speed at the time of a run."""

from __future__ import annotations

import timeit
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from surveyapp.database import engine_for_url
from surveyapp.services import migrations


def fresh_database(backend: str, pg_url: str, workdir: Path, name: str) -> str:
    """An empty database migrated to head (SQLite file `<name>.db`, or PostgreSQL `name`)."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / f'{name}.db'}"
    else:
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    engine = engine_for_url(url)
    migrations.upgrade(engine)
    engine.dispose()
    return url


def drop_database(backend: str, pg_url: str, name: str) -> None:
    """Remove a benchmark's PostgreSQL database (SQLite files go with the temporary folder)."""
    if backend != "postgresql":
        return
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def machine_speed() -> float:
    """Microseconds per `sum(range(1000))`, best of 5, as `python -m timeit` prints it: what a
    CPU-time figure is worth on this machine at this moment. A shared virtual machine's speed
    moves (13 to 23.5 µs was seen here within one hour), so CPU times from different runs compare
    only with this beside them; ratios measured within one run do not need it."""
    timer = timeit.Timer("sum(range(1000))")
    loops, _ = timer.autorange()
    return min(timer.repeat(5, loops)) / loops * 1e6
