"""The solver's options and the checks that turn a caller's arguments into them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import SchedulingInputError

MIN_TIME_LIMIT = 0.05
MAX_TIME_LIMIT = 24 * 3600.0
MAX_WORKERS = 64


@dataclass(frozen=True)
class SolveOptions:
    objective: tuple[str, ...] = ("makespan",)
    time_limit: float = 30.0
    workers: int = 2
    seed: int = 0
    deterministic: bool = False
    max_iterations: int | None = None
    progress_interval: float = 1.0


def checked_time_limit(time_limit: float) -> float:
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float):
        raise SchedulingInputError(f"time limit must be a number of seconds, not {time_limit!r}")
    if not math.isfinite(time_limit) or not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        raise SchedulingInputError(
            f"time limit {time_limit} s is out of range [{MIN_TIME_LIMIT}, {MAX_TIME_LIMIT:.0f}]"
        )
    return float(time_limit)


def checked_workers(workers: int) -> int:
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise SchedulingInputError(f"workers must be an integer, not {workers!r}")
    if not 1 <= workers <= MAX_WORKERS:
        raise SchedulingInputError(f"workers {workers} is out of range [1, {MAX_WORKERS}]")
    return workers


def checked_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise SchedulingInputError(f"seed must be an integer in [0, 2**31), not {seed!r}")
    return seed
