"""A per-device request limit, so one looping or compromised kiosk cannot crowd out a ward's others.

A token bucket per device, in memory: a kiosk may send ``burst`` requests at once and
``rate_per_s`` on average. A healthy kiosk sends one request per 500 records, far below it. Kept
in the server process, so a restart forgets it; that only makes the limit lenient for a moment.
"""
import threading
import time


class RateLimiter:
    """``retry_after(key)``: None when the request may go ahead, else the seconds to wait."""

    def __init__(self, rate_per_s: float, burst: float, clock=time.monotonic) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least one request")
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float | None:
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate_per_s)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate_per_s
