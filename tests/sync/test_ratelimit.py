"""The token bucket behind the per-device and per-address limits."""
from sync.server.ratelimit import RateLimiter


def test_waiting_spends_nothing_and_retry_after_spends_one():
    now = [0.0]
    limiter = RateLimiter(rate_per_s=1, burst=2, clock=lambda: now[0])
    assert limiter.waiting("10.0.0.9") is None and limiter.waiting("10.0.0.9") is None
    assert limiter.retry_after("10.0.0.9") is None and limiter.retry_after("10.0.0.9") is None
    assert limiter.retry_after("10.0.0.9") == 1.0 and limiter.waiting("10.0.0.9") == 1.0
    now[0] = 1.0
    assert limiter.waiting("10.0.0.9") is None


def test_addresses_that_each_fail_once_do_not_grow_the_table_without_end():
    limiter = RateLimiter(rate_per_s=1, burst=2, clock=lambda: 0.0)
    limiter.MAX_KEYS = 100
    for number in range(10_000):
        limiter.retry_after(f"10.{number // 256}.{number % 256}.1")
    assert len(limiter._buckets) <= 100
