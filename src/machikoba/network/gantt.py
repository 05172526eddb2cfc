"""The job page's bar chart as a pure function of the steps, the due date and today:
bars as percentages of the span from the first planned date to the due date."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from machikoba.core.dates import format_date
from machikoba.network.choices import StepStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from machikoba.network.models import Step

FINISHED = (StepStatus.SHIPPED, StepStatus.RECEIVED, StepStatus.CLOSED)
MIN_WIDTH = 3.0  # percent: the shortest bar still reads as a bar on a phone
LABEL_UNTIL = 85.0  # percent: a tick label further right would run off the chart
# A label with its year (2027/01/11) is twice as wide: on a phone's chart (about 220 px)
# it fits only left of 60 %.
LONG_LABEL_UNTIL = 60.0
FLIP_AT = 70.0  # percent: from here a marker's label ends at its line


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


TICK_STEPS = (1, 2, 7, 14, 28, 56, 91, 182)  # days between ticks; weekly ones start on Mondays


def axis_ticks(start: dt.date, end: dt.date, *, max_ticks: int = 5) -> list[dict[str, Any]]:
    """Dated ticks for the chart's axis from ``start`` to ``end`` (both inside the span of
    ``(end - start).days + 1`` days): at most ``max_ticks``, one every 1, 2, 7, 14 … days
    (weekly and longer steps on Mondays), each with its position in percent and a short
    label (``12/09``; ``2027/01/04`` where the year changes). Ticks past ``LABEL_UNTIL``
    percent (``LONG_LABEL_UNTIL`` for a label with its year) keep their line but not their
    label, which would run off the chart."""
    span = max((end - start).days + 1, 1)
    step = next((d for d in TICK_STEPS if span / d <= max_ticks), TICK_STEPS[-1])
    first = start
    if step >= 7:
        first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    ticks: list[dict[str, Any]] = []
    day, year = first, start.year
    while day <= end:
        left = round((day - start).days / span * 100, 2)
        same_year = year == day.year
        label = f"{day:%m/%d}" if same_year else format_date(day)
        until = LABEL_UNTIL if same_year else LONG_LABEL_UNTIL
        ticks.append({"day": day, "left": left, "label": label if left <= until else ""})
        year = day.year
        day += dt.timedelta(days=step)
    return ticks


def gantt(*, steps: Sequence[Step], due_date: dt.date, today: dt.date) -> dict[str, Any]:
    """One bar per step: planned (from its planned dates) and actual (from its start to its
    shipment, finish or today), and whether it is late: not finished and past its planned
    end, or finished after it. A step without both planned dates has no bars."""
    dates = [d for s in steps for d in (s.planned_start, s.planned_end) if d]
    start = min([*dates, today, due_date])
    end = max([*dates, today, due_date])
    span = max((end - start).days + 1, 1)

    day_width = 100 / span

    def pct(day: dt.date) -> float:
        return round((day - start).days / span * 100, 2)

    bars: list[dict[str, Any]] = []
    for step in steps:
        if not (step.planned_start and step.planned_end):
            bars.append({"step": step, "planned": None, "actual": None, "late": False, "dates": ""})
            continue
        actual_start = _local_date(step.started_at)
        actual_end = _local_date(step.shipped_at) or _local_date(step.finished_at)
        finished = step.status in FINISHED
        late = (not finished and step.planned_end < today) or (
            finished and actual_end is not None and actual_end > step.planned_end
        )
        actual: dict[str, float] | None = None
        if actual_start:
            until = actual_end or today
            actual = {
                "left": pct(actual_start),
                "width": max(pct(until) - pct(actual_start) + day_width, MIN_WIDTH),
            }
        bars.append(
            {
                "step": step,
                "planned": {
                    "left": pct(step.planned_start),
                    "width": max(
                        pct(step.planned_end) - pct(step.planned_start) + day_width, MIN_WIDTH
                    ),
                },
                "actual": actual,
                "late": late,
                "dates": _range_label(step.planned_start, step.planned_end),
            }
        )
    return {
        "bars": bars,
        "start": start,
        "end": end,
        "ticks": axis_ticks(start, end),
        "today": pct(today),
        "due": pct(due_date),
        "today_label": f"{today:%m/%d}",
        "due_label": f"{due_date:%m/%d}",
        # A marker's label sits to the right of its line, or ends at it near the right edge.
        "today_flip": pct(today) > FLIP_AT,
        "due_flip": pct(due_date) > FLIP_AT,
    }


def _range_label(first: dt.date, last: dt.date) -> str:
    return f"{first:%m/%d}" if first == last else f"{first:%m/%d}–{last:%m/%d}"
