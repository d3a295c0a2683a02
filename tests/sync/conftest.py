"""Every server test here runs twice: on SQLite (WAL), the embedded default, and on PostgreSQL.

The PostgreSQL cluster is started once per test session, only if a test asks for it, on a
loopback port in a temporary folder (``tests.postgres``); each test gets a fresh database in it.
"""
from pathlib import Path

import pytest

from tests.harness import WardServer
from tests.postgres import TemporaryPostgres, server_binaries

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_cluster():
    if server_binaries() is None:
        pytest.skip("PostgreSQL's server is not installed (`make test` installs the Debian package postgresql)")
    with TemporaryPostgres() as cluster:
        yield cluster


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ward.sqlite3'}"
    return request.getfixturevalue("postgres_cluster").new_database()


@pytest.fixture
def ward_server(database_url: str):
    """Overrides the SQLite-only fixture of tests/conftest.py: here the same tests run on both backends."""
    server = WardServer(database_url).start()
    yield server
    server.stop()
