"""Oversized bodies and slow clients against a real server on 127.0.0.1, over raw sockets.

A body over its route's limit is refused before it is read (by its Content-Length, or while a
chunked body streams in), so 100 MB sent at the enrollment endpoint barely moves the server's
memory. Clients that open a request and never finish it are cut off after the request timeout,
connections beyond the cap are closed at once, a normal kiosk is still served, and the log stays small.
"""
import logging
import select
import socket
import time

import psutil
import pytest
import requests

from sync.server.serving import QUIETED_LOGGERS, RepeatFilter, ServeLimits, quiet_repeats
from tests.harness import WardServer

MB = 1024 * 1024


@pytest.fixture
def ward_server(tmp_path):
    """On SQLite only: the limits act before any database is touched."""
    server = WardServer(f"sqlite:///{tmp_path / 'ward.sqlite3'}").start()
    yield server
    server.stop()


def answer_to_upload(port: int, head: bytes, chunks, timeout: float = 20) -> bytes:
    """Send ``head`` then ``chunks`` until the server answers; returns the first bytes of its answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        try:
            return sock.recv(4096)
        except ConnectionResetError:
            return b""


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def test_a_100_mb_enrollment_body_is_refused_before_it_is_read(ward_server):
    process = psutil.Process()  # the server runs in a thread of this process
    before = process.memory_info().rss
    block = b"x" * MB
    declared = (b"POST /api/v1/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % (100 * MB))
    assert status_of(answer_to_upload(ward_server.port, declared, (block for _ in range(100)))) == 413
    chunked = b"POST /api/v1/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    pieces = (b"%x\r\n%s\r\n" % (len(block), block) for _ in range(100))
    assert status_of(answer_to_upload(ward_server.port, chunked, pieces)) == 413
    assert process.memory_info().rss - before < 40 * MB
    assert requests.get(f"{ward_server.url}/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize("path, size", [("/api/v1/enroll", 5 * 1024), ("/api/v1/heartbeat", 17 * 1024),
                                        ("/api/v1/records", 2 * MB + 1), ("/healthz", 5 * 1024)])
def test_every_route_has_a_body_limit(ward_server, path, size):
    response = requests.post(f"{ward_server.url}{path}", data=b"{" + b" " * size + b"}", timeout=10,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 413 or (path == "/healthz" and response.status_code == 405)


def half_requests(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that each send half a request head and then say nothing more."""
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"POST /api/v1/records HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
        socks.append(sock)
    return socks


def closed_by_server(sock: socket.socket) -> bool:
    """True when the server has closed or reset the connection; False when it is still waiting on it."""
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_slow_clients_are_cut_off_and_a_kiosk_is_still_served(tmp_path, caplog):
    limits = ServeLimits(max_connections=100, header_timeout_s=1.0, body_timeout_s=3.0)
    server = WardServer(f"sqlite:///{tmp_path / 'ward.sqlite3'}", limits=limits).start()
    repeat = quiet_repeats(interval_s=60)
    caplog.set_level(logging.WARNING)
    try:
        slow = half_requests(server.port, 60)
        started = time.monotonic()
        assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200  # served beside 60 slow ones
        assert time.monotonic() - started < 3.0  # not queued behind them (each holds on for a second)

        over = half_requests(server.port, 200)  # beyond the cap: closed as soon as accepted
        for sock in over:
            sock.settimeout(5)
        assert all(closed_by_server(sock) for sock in over)  # before the next one comes, so it is under the cap
        body = socket.create_connection(("127.0.0.1", server.port), timeout=5)  # a whole head, then a trickle
        body.sendall(b"POST /api/v1/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{")
        time.sleep(1.2)
        body.settimeout(0.1)
        assert not closed_by_server(body)  # past the head's deadline, but the head is in: the body has longer
        time.sleep(2.5)  # past the body's deadline; the slow heads are long gone
        for sock in slow + over + [body]:
            sock.settimeout(0.5)
        assert sum(closed_by_server(sock) for sock in slow + over + [body]) == 261
        for sock in slow + over + [body]:
            sock.close()
        assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
        assert len(caplog.records) <= 10 and sum(len(r.getMessage()) for r in caplog.records) < 5000
    finally:
        server.stop()
        for name in QUIETED_LOGGERS:
            logging.getLogger(name).removeFilter(repeat)


def test_a_repeated_log_line_is_written_once_per_interval_with_a_count():
    now = [0.0]
    repeat = RepeatFilter(interval_s=60, clock=lambda: now[0])
    logger = logging.getLogger("tests.repeat")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger.addHandler(keep := Keep())
    logger.addFilter(repeat)
    logger.propagate = False
    try:
        error = OSError(24, "Too many open files")
        for _ in range(10_000):
            logger.error("socket.accept() out of system resource", exc_info=(OSError, error, None))
        logger.error("something else")
        now[0] = 61
        logger.error("socket.accept() out of system resource", exc_info=(OSError, error, None))
    finally:
        logger.removeHandler(keep)
        logger.removeFilter(repeat)
    assert [r.getMessage() for r in records] == [
        "socket.accept() out of system resource", "something else",
        "socket.accept() out of system resource (and 9999 more like it in the last 61 s)"]
