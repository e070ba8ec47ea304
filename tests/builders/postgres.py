"""PostgreSQL for tests: a fresh database on the machine's server (127.0.0.1:5432, trust auth), and a
throwaway cluster of a test's own that it may stop and start (never the machine's server).

The machine's server is there on development and CI machines (test.sh starts it); when it does not
answer, the test fails saying so — it is never skipped.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

SERVER = os.environ.get("TPD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
NOT_REACHABLE = ("PostgreSQL does not answer at {server} ({error}); the users-store tests need it: "
                 "start it (./test.sh installs and starts it) or set TPD_TEST_POSTGRES")


def admin_connection(server: str = SERVER):
    import psycopg
    return psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5)


def create_database(server: str = SERVER) -> str:
    """A new empty database; returns its URL."""
    import psycopg
    name = f"tpd_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin_connection(server) as con:
            con.execute(f'create database "{name}"')
    except psycopg.OperationalError as error:
        raise RuntimeError(NOT_REACHABLE.format(server=server, error=str(error).strip())) from error
    return f"{server}/{name}"


def drop_database(url: str) -> None:
    from warehouse.users_store import forget_store
    forget_store(url)
    server, name = url.rsplit("/", 1)
    with admin_connection(server) as con:
        con.execute(f'drop database if exists "{name}" with (force)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*command: str) -> list[str]:
    """Run as the `postgres` account when root (initdb and the server refuse root)."""
    if os.geteuid() != 0:
        return list(command)
    return ["runuser", "-u", "postgres", "--", *command]


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary directory on a spare port, which a test may stop and start."""

    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("initdb not found under /usr/lib/postgresql (apt-get install postgresql)")
        self.bin = Path(bins[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="tpd-pg-"))
        self.port = _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        subprocess.run(_as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                    "--no-sync"), check=True, capture_output=True)
        self.server = f"postgresql://postgres@127.0.0.1:{self.port}"

    def start(self) -> "ThrowawayCluster":
        subprocess.run(_as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
                                    "-w", "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                                    "start"), check=True, capture_output=True)
        return self

    def stop(self) -> None:
        subprocess.run(_as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"),
                       capture_output=True)

    def running(self) -> bool:
        return subprocess.run(_as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "status"),
                              capture_output=True).returncode == 0

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_until(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()
