"""Progress reports from a running solve: throttled, and safe to call from solver threads."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from .model import Progress

ProgressCallback = Callable[[Progress], None]


class Reporter:
    """Throttles progress reports and serialises them (solver threads report too)."""

    def __init__(self, callback: ProgressCallback | None, interval: float, started: float):
        self.callback = callback
        self.interval = interval
        self.started = started
        self.last_report = -math.inf
        self.last_value: int | None = None
        self.lock = threading.Lock()

    def report(self, stage: str, value: int | None, bound: int | None, improved: bool) -> None:
        if self.callback is None:
            return
        with self.lock:
            now = time.monotonic()
            self.last_value = value
            if not improved and now - self.last_report < self.interval:
                return
            self.last_report = now
            self.callback(Progress(value, bound, now - self.started, stage, improved))

    def bound_moved(self, stage: str, bound: float) -> None:
        """CP-SAT proved a better bound during a whole-model solve (throttled)."""
        if math.isfinite(bound):
            self.report(stage, self.last_value, math.ceil(bound - 1e-6), improved=False)


class SolutionReporter(cp_model.CpSolverSolutionCallback):
    """Reports each solution CP-SAT finds during a whole-model solve."""

    def __init__(self, reporter: Reporter, stage: str) -> None:
        super().__init__()
        self.reporter = reporter
        self.stage = stage

    def on_solution_callback(self) -> None:
        bound = math.ceil(self.best_objective_bound - 1e-6)
        self.reporter.report(self.stage, round(self.objective_value), bound, improved=True)
