"""A throw-away PostgreSQL cluster on a loopback port, for the server tests and the sync benchmark.

It uses Debian's server binaries (package ``postgresql``, installed by ``make test``) and lives in
a temporary folder that is removed on stop. PostgreSQL refuses to run as root, so under root (CI)
``initdb`` and ``postgres`` run as the ``postgres`` user that the Debian package creates. Durability
is switched off (``fsync=off``): the cluster holds nothing worth keeping, and tests should not
wait on the disk.
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from tests.harness import free_port


def server_binaries() -> Path | None:
    """The folder of the newest installed PostgreSQL server's binaries, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


class TemporaryPostgres:
    """``start()`` a private cluster on 127.0.0.1; ``new_database()`` gives each test a fresh one."""

    def __init__(self) -> None:
        binaries = server_binaries()
        if binaries is None:
            raise RuntimeError("PostgreSQL's server is not installed (Debian package postgresql; `make test` installs it)")
        self.binaries = binaries
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="ward-pg-"))
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        self._process: subprocess.Popen | None = None

    def _run_as_owner(self, *command: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *command] if os.geteuid() == 0 else list(command)

    def start(self) -> "TemporaryPostgres":
        data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, self.user)
        subprocess.run(self._run_as_owner(str(self.binaries / "initdb"), "-D", str(data), "-U", "postgres",
                                          "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._process = subprocess.Popen(
            self._run_as_owner(str(self.binaries / "postgres"), "-D", str(data), "-p", str(self.port),
                               "-h", "127.0.0.1", "-k", str(self.folder), "-c", "fsync=off",
                               "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                               "-c", "max_connections=300"),
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "server.log", "wb"))
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.admin_dsn, connect_timeout=2).close()
                return self
            except psycopg.OperationalError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "server.log").read_text(errors="replace")
                    self.stop()
                    raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
                time.sleep(0.1)

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def new_database(self) -> str:
        """Create an empty database; returns its SQLAlchemy URL."""
        name = f"ward_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            subprocess.run(self._run_as_owner(str(self.binaries / "pg_ctl"), "stop", "-D", str(self.folder / "data"),
                                              "-m", "immediate"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "TemporaryPostgres":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
