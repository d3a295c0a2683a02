"""A per-device request limit, so one looping or compromised kiosk cannot crowd out a ward's others.

A token bucket per key (a device, or a client address that keeps failing), in memory: a kiosk may send ``burst`` requests at once and
``rate_per_s`` on average. A healthy kiosk sends one request per 500 records, far below it. Kept
in the server process, so a restart forgets it; that only makes the limit lenient for a moment.
"""
import threading
import time


class RateLimiter:
    """``retry_after(key)``: None when the request may go ahead, else the seconds to wait."""

    MAX_KEYS = 100_000  # many addresses each failing once must not grow the table without end

    def __init__(self, rate_per_s: float, burst: float, clock=time.monotonic) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least one request")
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)
        self._lock = threading.Lock()

    def _tokens(self, key: str, now: float) -> float:
        tokens, then = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - then) * self.rate_per_s)

    def waiting(self, key: str) -> float | None:
        """Like ``retry_after`` but spends nothing: None when a request would be let through now."""
        now = self._clock()
        with self._lock:
            tokens = self._tokens(key, now)
        return None if tokens >= 1 else (1 - tokens) / self.rate_per_s

    def retry_after(self, key: str) -> float | None:
        now = self._clock()
        with self._lock:
            if len(self._buckets) >= self.MAX_KEYS and key not in self._buckets:  # forget the refilled ones,
                self._buckets = {k: v for k, v in self._buckets.items() if self._tokens(k, now) < self.burst}
                if len(self._buckets) >= self.MAX_KEYS:  # or, flooded from everywhere, everyone for a moment
                    self._buckets.clear()
            tokens = self._tokens(key, now)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate_per_s
