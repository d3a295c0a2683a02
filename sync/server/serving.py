"""Running the API under uvicorn so slow or never-finished requests cannot take the ward off the air.

Every open connection costs a file descriptor, and a client that sends half a request head and then
waits holds one for as long as the server lets it. Uvicorn has a keep-alive timeout for idle
connections and ``limit_concurrency`` (503 beyond it) but no deadline for a request that is still
arriving, so 1,100 such clients used up the process's descriptors and every accept failed. Here:

- each request's head must arrive within ``header_timeout_s`` and its body within ``body_timeout_s``
  after that (long enough for a gzipped batch over a poor mobile link), or the connection is closed;
- connections beyond ``max_connections`` are closed as soon as they are accepted, and requests beyond
  it answer 503 (uvicorn's ``limit_concurrency``);
- a request head is at most ``max_head_bytes`` (h11's incomplete-event limit), the listen backlog is bounded;
- a log line repeated in a burst (``Too many open files`` from the accept loop, say) is written once
  per interval with a count, so an attack cannot fill the ward's disk with logs.
"""
import asyncio
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

REPEAT_INTERVAL_S = 60.0
QUIETED_LOGGERS = ("uvicorn.error", "uvicorn.access", "asyncio")


@dataclass(frozen=True)
class ServeLimits:
    """What one ward server process lets its clients hold (``ward-server serve`` options)."""

    max_connections: int = 500
    header_timeout_s: float = 10.0
    body_timeout_s: float = 120.0
    keep_alive_s: int = 5
    backlog: int = 128
    max_head_bytes: int = 16 * 1024


class GuardedH11Protocol(H11Protocol):
    """Uvicorn's h11 protocol with deadlines for each request's head and body and a cap on connections."""

    limits = ServeLimits()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        if len(self.connections) > self.limits.max_connections:
            self.transport.abort()  # frees the descriptor now; the client sees a reset and retries later
            return
        self._arm(self.limits.header_timeout_s)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        waiting_for_head = self.conn.their_state is h11.IDLE
        super().data_received(data)
        state = self.conn.their_state
        if state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._disarm()  # the whole request is in: the app's time is not the client's
        elif waiting_for_head and state is h11.SEND_BODY:
            self._arm(self.limits.body_timeout_s)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm(self.limits.header_timeout_s)  # the next request on this connection gets its own deadlines

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_for(limits: ServeLimits) -> type[GuardedH11Protocol]:
    return type("LimitedH11Protocol", (GuardedH11Protocol,), {"limits": limits})


def uvicorn_config(app: Any, host: str, port: int, limits: ServeLimits = ServeLimits(), **options: Any) -> uvicorn.Config:
    """A uvicorn config for ``app`` with ``limits`` applied; ``options`` go to uvicorn as they are."""
    return uvicorn.Config(app, host=host, port=port, lifespan="on", http=protocol_for(limits),
                          limit_concurrency=limits.max_connections, backlog=limits.backlog,
                          timeout_keep_alive=limits.keep_alive_s, h11_max_incomplete_event_size=limits.max_head_bytes,
                          **options)


class RepeatFilter(logging.Filter):
    """Lets a message through once per ``interval_s``; the next one that passes says how many were held back."""

    MAX_KINDS = 256

    def __init__(self, interval_s: float = REPEAT_INTERVAL_S, clock=time.monotonic) -> None:
        super().__init__()
        self.interval_s = interval_s
        self._clock = clock
        self._seen: dict[tuple, tuple[float, int]] = {}  # kind -> (when last let through, held back since)
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        kind = (record.name, record.levelno, str(record.msg)[:200], type(error).__name__, getattr(error, "errno", None))
        now = self._clock()
        with self._lock:
            passed, held = self._seen.get(kind, (None, 0))
            if passed is not None and now - passed < self.interval_s:
                self._seen[kind] = (passed, held + 1)
                return False
            if len(self._seen) >= self.MAX_KINDS:
                self._seen.clear()
            self._seen[kind] = (now, 0)
        if held:
            record.msg = f"{record.msg} (and {held} more like it in the last {now - passed:.0f} s)"
        return True


def quiet_repeats(interval_s: float = REPEAT_INTERVAL_S) -> RepeatFilter:
    """Install one RepeatFilter on the loggers an overloaded server floods; returns it."""
    repeat = RepeatFilter(interval_s)
    for name in QUIETED_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, RepeatFilter)]:
            logger.removeFilter(old)
        logger.addFilter(repeat)
    return repeat
