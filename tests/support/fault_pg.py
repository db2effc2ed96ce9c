"""A private PostgreSQL cluster for fault tests that stop and restart the server (RELIABILITY
F-2): made with `initdb` in a temporary directory, on its own port and socket directory, and
destroyed afterwards. The machine's shared server is never touched.

PostgreSQL refuses to run as root: under root the cluster runs as the `postgres` system user
(`runuser -u postgres --`), and its directory is handed to that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port

SHARED_PORT = 5432


def postgres_bindir() -> Path:
    """The directory of initdb and pg_ctl: `pg_config --bindir`, else the newest Debian one."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(out.stdout.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    raise RuntimeError("initdb and pg_ctl were not found: install the PostgreSQL server binaries")


def _run(command: list[str], timeout: float = 120) -> None:
    """Run a server command; fail with its output (a skip would hide a broken PG pass)."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


@dataclass
class Cluster:
    """A running private cluster: `url(dbname)`, `stop()`, `start()`, `restart()`."""

    bindir: Path
    root: Path
    port: int
    run_as: list[str]

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database of this cluster (trust auth, user postgres)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        _run([*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args])

    @property
    def _server_args(self) -> tuple[str, ...]:
        # The server's output goes to a log file: on a pipe it would keep `run` waiting.
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        return ("-l", str(self.root / "server.log"), "-o", options)

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        self._ctl("start", "-w", "-t", "30", *self._server_args)

    def stop(self, mode: str = "fast") -> None:
        """Stop (fast: roll back open transactions and disconnect every client)."""
        self._ctl("stop", "-w", "-t", "30", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        """`pg_ctl restart -m <mode>`."""
        self._ctl("restart", "-w", "-t", "30", "-m", mode, *self._server_args)

    def create_database(self, name: str) -> str:
        """A new database; returns its URL."""
        from sqlalchemy import create_engine, text

        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """initdb + start on a free port (never 5432); stopped and deleted on exit."""
    bindir = postgres_bindir()
    root = Path(tempfile.mkdtemp(prefix="surveyapp-faults-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    assert port != SHARED_PORT
    cluster = Cluster(bindir, root, port, run_as)
    try:
        initdb = [str(bindir / "initdb"), "-D", str(cluster.data), "-U", "postgres"]
        _run([*run_as, *initdb, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            try:
                cluster.stop("immediate")
            except (RuntimeError, subprocess.SubprocessError, OSError):
                pass
        shutil.rmtree(root, ignore_errors=True)
