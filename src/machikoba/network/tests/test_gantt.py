"""The job page's chart as a pure function: table-driven cases of bars, spans and lateness."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from machikoba.network.choices import StepStatus
from machikoba.network.gantt import gantt

TODAY = dt.date(2026, 6, 10)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _step(start=None, end=None, status=StepStatus.PLANNED, started=None, shipped=None, done=None):
    return SimpleNamespace(
        planned_start=start,
        planned_end=end,
        status=status,
        started_at=_at(started) if started else None,
        shipped_at=_at(shipped) if shipped else None,
        finished_at=_at(done) if done else None,
    )


D = dt.date


@pytest.mark.parametrize(
    ("step", "late", "actual"),
    [
        # no planned dates: no bars, never late
        (_step(), False, None),
        # planned, not started, ends after today: on time
        (_step(D(2026, 6, 10), D(2026, 6, 14)), False, None),
        # planned end passed, not finished: late
        (
            _step(D(2026, 6, 1), D(2026, 6, 5), StepStatus.IN_PROGRESS, started=D(2026, 6, 2)),
            True,
            (2026, 6, 2),
        ),
        # shipped on its planned end: on time
        (
            _step(
                D(2026, 6, 1),
                D(2026, 6, 5),
                StepStatus.SHIPPED,
                started=D(2026, 6, 1),
                shipped=D(2026, 6, 5),
            ),
            False,
            (2026, 6, 1),
        ),
        # shipped after its planned end: late
        (
            _step(
                D(2026, 6, 1),
                D(2026, 6, 5),
                StepStatus.RECEIVED,
                started=D(2026, 6, 1),
                shipped=D(2026, 6, 7),
            ),
            True,
            (2026, 6, 1),
        ),
        # finished (not shipped) before its end, end passed: finished counts only when shipped
        (
            _step(
                D(2026, 6, 1),
                D(2026, 6, 5),
                StepStatus.DONE,
                started=D(2026, 6, 1),
                done=D(2026, 6, 4),
            ),
            True,
            (2026, 6, 1),
        ),
    ],
)
def test_bars_and_lateness(step, late, actual):
    chart = gantt(steps=[step], due_date=D(2026, 6, 20), today=TODAY)
    bar = chart["bars"][0]
    assert bar["late"] is late
    if step.planned_start is None:
        assert bar["planned"] is None
        assert bar["actual"] is None
        return
    assert bar["planned"]["width"] >= 1
    if actual is None:
        assert bar["actual"] is None
    else:
        assert bar["actual"]["left"] == round(
            (D(*actual) - chart["start"]).days / ((chart["end"] - chart["start"]).days + 1) * 100, 2
        )


@pytest.mark.parametrize(
    ("dates", "due", "start", "end"),
    [
        # the span runs from the earliest date (planned, today, due) to the latest
        ([], D(2026, 6, 20), TODAY, D(2026, 6, 20)),
        ([(D(2026, 6, 1), D(2026, 6, 30))], D(2026, 6, 20), D(2026, 6, 1), D(2026, 6, 30)),
        ([(D(2026, 6, 12), D(2026, 6, 15))], D(2026, 6, 5), D(2026, 6, 5), D(2026, 6, 15)),
    ],
)
def test_the_span(dates, due, start, end):
    steps = [_step(a, b) for a, b in dates]
    chart = gantt(steps=steps, due_date=due, today=TODAY)
    assert (chart["start"], chart["end"]) == (start, end)
    span = (end - start).days + 1
    assert chart["today"] == round((TODAY - start).days / span * 100, 2)
    assert chart["due"] == round((due - start).days / span * 100, 2)


def test_a_one_day_bar_is_one_day_wide():
    step = _step(D(2026, 6, 10), D(2026, 6, 10))
    chart = gantt(steps=[step], due_date=D(2026, 6, 19), today=TODAY)  # a 10-day span
    assert chart["bars"][0]["planned"] == {"left": 0.0, "width": 10.0}
