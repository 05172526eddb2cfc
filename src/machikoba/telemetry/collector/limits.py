"""Per-device rate limits: a flood from one sensor is refused (counted as
``rate_limited``) without starving the others, and logged once a minute, not per message.

A token bucket per device key: ``rate`` messages a second on average, ``burst`` at once
(a sensor reconnecting sends its state and a heartbeat together; one restarting may
replay a little). Settings ``MACHIKOBA_TELEMETRY_RATE`` / ``MACHIKOBA_TELEMETRY_BURST``
(environment ``TELEMETRY_RATE`` / ``TELEMETRY_BURST``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings

DEFAULT_RATE = 20.0
DEFAULT_BURST = 100.0
# Buckets kept at most; the least recently used go first (random keys cannot grow memory).
MAX_KEYS = 50_000


class RateLimiter:
    """``allow(key)``: whether one more message from ``key`` may pass now."""

    def __init__(
        self,
        rate: float | None = None,
        burst: float | None = None,
        *,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate is None:
            rate = getattr(settings, "MACHIKOBA_TELEMETRY_RATE", DEFAULT_RATE)
        if burst is None:
            burst = getattr(settings, "MACHIKOBA_TELEMETRY_BURST", DEFAULT_BURST)
        self.rate = float(rate)
        self.burst = max(float(burst), 1.0)
        self.max_keys = max_keys
        self.clock = clock
        self._lock = threading.Lock()
        # key -> (tokens, when they were counted)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            allowed = tokens >= 1.0 - 1e-9  # float sums of refills
            if allowed:
                tokens = max(0.0, tokens - 1.0)
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return allowed


class LogLimiter:
    """Log a warning about ``key`` at most once per ``interval`` seconds, with how many
    were held back in between."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = 60.0,
        *,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.interval = interval
        self.max_keys = max_keys
        self.clock = clock
        self._lock = threading.Lock()
        # key -> (last logged, suppressed since)
        self._last: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def warning(self, key: str, message: str, *args: object) -> bool:
        """Log ``message % args`` unless ``key`` was logged within the interval; whether
        it was logged."""
        now = self.clock()
        with self._lock:
            last, held = self._last.pop(key, (None, 0))
            if last is not None and now - last < self.interval:
                self._last[key] = (last, held + 1)
                return False
            self._last[key] = (now, 0)
            while len(self._last) > self.max_keys:
                self._last.popitem(last=False)
        if held:
            self.logger.warning(message + " (%d more like it held back)", *args, held)
        else:
            self.logger.warning(message, *args)
        return True
