"""Per-device rate limits and rate-limited logging (collector.limits)."""

from __future__ import annotations

import logging

from machikoba.telemetry.collector.limits import LogLimiter, RateLimiter


class Clock:
    """A clock the test moves by hand (the limiter's own time source)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_rate_holds():
    clock = Clock()
    limiter = RateLimiter(rate=20, burst=100, clock=clock)
    assert sum(limiter.allow("flood") for _ in range(150)) == 100
    clock.now += 1.0  # one second refills twenty
    assert sum(limiter.allow("flood") for _ in range(50)) == 20
    clock.now += 0.05  # a twentieth of a second: one
    assert limiter.allow("flood")
    assert not limiter.allow("flood")


def test_a_flood_from_one_device_does_not_starve_the_others():
    clock = Clock()
    limiter = RateLimiter(rate=20, burst=100, clock=clock)
    for _ in range(10_000):
        limiter.allow("flood")
    assert all(limiter.allow("quiet") for _ in range(100))
    assert not limiter.allow("flood")


def test_a_quiet_device_never_goes_beyond_its_burst():
    clock = Clock()
    limiter = RateLimiter(rate=20, burst=5, clock=clock)
    clock.now += 3600  # idle for an hour: still only the burst
    assert sum(limiter.allow("sensor") for _ in range(10)) == 5


def test_the_buckets_kept_are_bounded():
    clock = Clock()
    limiter = RateLimiter(rate=1, burst=1, max_keys=3, clock=clock)
    for key in ("a", "b", "c", "d"):
        assert limiter.allow(key)
    assert len(limiter._buckets) == 3
    assert limiter.allow("a")  # forgotten: a fresh bucket


def test_the_defaults_come_from_the_settings(settings):
    settings.MACHIKOBA_TELEMETRY_RATE = 2.0
    settings.MACHIKOBA_TELEMETRY_BURST = 3.0
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    assert (limiter.rate, limiter.burst) == (2.0, 3.0)
    assert sum(limiter.allow("x") for _ in range(10)) == 3


def test_one_warning_per_device_per_minute(caplog):
    clock = Clock()
    logs = LogLimiter(logging.getLogger("machikoba.test.limits"), 60, clock=clock)
    with caplog.at_level(logging.WARNING, logger="machikoba.test.limits"):
        assert logs.warning("m1", "machine %s floods", 1)
        for _ in range(500):
            assert not logs.warning("m1", "machine %s floods", 1)
        assert logs.warning("m2", "machine %s floods", 2)  # another device: its own line
        clock.now += 61
        assert logs.warning("m1", "machine %s floods", 1)
    assert [r.getMessage() for r in caplog.records] == [
        "machine 1 floods",
        "machine 2 floods",
        "machine 1 floods (500 more like it held back)",
    ]
