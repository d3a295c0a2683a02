"""A real ward server on 127.0.0.1 for tests and benchmarks, run in a thread of the test process."""
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from sqlalchemy import func, select

from sync.server import identity
from sync.server.app import create_app
from sync.server.db import StoredRecord, make_engine, make_sessions
from sync.server.keys import BundleKeys
from sync.server.migrate import upgrade
from sync.server.serving import ServeLimits, uvicorn_config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WardServer:
    """``ward-server serve`` in a thread: start, stop and start again on the same port.

    ``app_options`` go to ``create_app`` (packs_dir, rate_per_s, burst, …); ``tls`` is a
    (certificate, key) pair of PEM files to serve HTTPS instead of HTTP; ``limits`` are the
    ``ward-server serve`` connection limits. The bundle master key and the published releases are
    the test's own (beside the SQLite file, or in a temporary folder for PostgreSQL) unless given.
    """

    def __init__(self, database_url: str, port: int | None = None, tls: tuple[Path, Path] | None = None,
                 limits: ServeLimits = ServeLimits(), **app_options) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.tls = tls
        self.limits = limits
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        folder = (Path(database_url.removeprefix("sqlite:///")).parent if database_url.startswith("sqlite:///")
                  else Path(tempfile.mkdtemp(prefix="ward-keys-")))
        app_options.setdefault("bundle_key_file", folder / "ward-bundle.key")
        app_options.setdefault("releases_dir", folder / "releases")
        self.bundle_keys = BundleKeys(app_options["bundle_key_file"])
        self.app_options = app_options
        upgrade(database_url)
        self.engine = make_engine(database_url)
        self.sessions = make_sessions(self.engine)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "WardServer":
        self.app = app = create_app(self.database_url, **self.app_options)
        certfile, keyfile = self.tls or (None, None)
        config = uvicorn_config(app, "127.0.0.1", self.port, self.limits, log_level="warning",
                                ssl_certfile=certfile, ssl_keyfile=keyfile)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the ward server did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self, abrupt: bool = False) -> None:
        """Stop serving; ``abrupt`` drops requests in flight instead of letting them finish."""
        if self._server is not None:
            self._server.force_exit = abrupt
            self._server.should_exit = True
            self._thread.join(10)
            self._server.config.app.state.engine.dispose()
            self._server = None
        self.engine.dispose()

    def enrollment_token(self, venue: str = "Cà phê Luka") -> str:
        with self.sessions() as session:
            return identity.create_enrollment(session, venue)

    def records(self) -> list[StoredRecord]:
        with self.sessions() as session:
            return list(session.scalars(select(StoredRecord).order_by(StoredRecord.device_id, StoredRecord.seq)))

    def record_count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(StoredRecord))
