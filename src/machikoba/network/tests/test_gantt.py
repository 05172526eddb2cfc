"""The job page's chart as a pure function: table-driven cases of bars, spans and lateness."""

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.utils import timezone

from machikoba.network.choices import StepStatus
from machikoba.network.gantt import MIN_WIDTH, axis_ticks, gantt

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


# The axis (issue 16, item 12): dated ticks, today and due labels, readable bars.


@pytest.mark.parametrize(
    ("start", "end", "every", "first"),
    [
        # up to 5 days: a tick a day, from the first day
        (D(2026, 6, 10), D(2026, 6, 14), 1, D(2026, 6, 10)),
        # 10 days: every 2 days
        (D(2026, 6, 10), D(2026, 6, 19), 2, D(2026, 6, 10)),
        # a month: weekly, on Mondays (2026-06-15 is a Monday)
        (D(2026, 6, 10), D(2026, 7, 9), 7, D(2026, 6, 15)),
        # 40 days: fortnightly, on Mondays
        (D(2026, 6, 10), D(2026, 7, 19), 14, D(2026, 6, 15)),
        # a quarter: every 4 weeks, on Mondays (2026-06-01 is one)
        (D(2026, 6, 1), D(2026, 8, 20), 28, D(2026, 6, 1)),
    ],
)
def test_axis_ticks_are_dated_and_spaced(start, end, every, first):
    ticks = axis_ticks(start, end)
    assert 1 <= len(ticks) <= 5
    days = [t["day"] for t in ticks]
    assert days[0] == first
    assert all((b - a).days == every for a, b in itertools.pairwise(days))
    assert days[-1] <= end < days[-1] + dt.timedelta(days=every)
    span = (end - start).days + 1
    for tick in ticks:
        assert tick["left"] == round((tick["day"] - start).days / span * 100, 2)
        if tick["left"] <= 85:
            assert tick["label"] == f"{tick['day']:%m/%d}"
        else:  # it would run off the right edge
            assert tick["label"] == ""


def test_a_tick_in_a_new_year_shows_the_year():
    ticks = axis_ticks(D(2026, 12, 28), D(2027, 1, 3))  # 7 days: every 2 days
    assert [t["label"] for t in ticks] == ["12/28", "12/30", "2027/01/01", ""]


def test_a_label_with_its_year_near_the_right_edge_keeps_its_line_only():
    # Twice as wide as 12/30, "2027/01/01" at 80 % would run off a phone's chart.
    ticks = axis_ticks(D(2026, 12, 24), D(2027, 1, 2))  # 10 days: every 2 days
    assert [t["left"] for t in ticks] == [0.0, 20.0, 40.0, 60.0, 80.0]
    assert [t["label"] for t in ticks] == ["12/24", "12/26", "12/28", "12/30", ""]


def test_a_single_day_has_one_tick():
    assert axis_ticks(TODAY, TODAY) == [{"day": TODAY, "left": 0.0, "label": "06/10"}]


def test_today_and_due_labels_and_where_they_sit():
    chart = gantt(steps=[_step(D(2026, 6, 1), D(2026, 6, 5))], due_date=D(2026, 6, 20), today=TODAY)
    assert chart["ticks"] == axis_ticks(D(2026, 6, 1), D(2026, 6, 20))
    assert (chart["today_label"], chart["due_label"]) == ("06/10", "06/20")
    # today is in the middle: its label to the right of the line; the due date is the
    # last day, near the right edge: its label ends at the line
    assert (chart["today_flip"], chart["due_flip"]) == (False, True)


def test_short_bars_stay_readable_and_carry_their_dates():
    # a 100-day span: one day is 1 %, too thin to see on a phone
    step = _step(D(2026, 6, 10), D(2026, 6, 10), StepStatus.IN_PROGRESS, started=D(2026, 6, 10))
    chart = gantt(steps=[step], due_date=D(2026, 9, 17), today=TODAY)
    bar = chart["bars"][0]
    assert bar["planned"]["width"] == MIN_WIDTH
    assert bar["actual"]["width"] == MIN_WIDTH  # started today: not a dot
    assert bar["dates"] == "06/10"
    longer = gantt(
        steps=[_step(D(2026, 6, 10), D(2026, 6, 14))], due_date=D(2026, 6, 20), today=TODAY
    )
    assert longer["bars"][0]["dates"] == "06/10–06/14"
