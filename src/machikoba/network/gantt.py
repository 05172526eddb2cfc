"""The job page's bar chart as a pure function of the steps, the due date and today:
bars as percentages of the span from the first planned date to the due date."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from machikoba.network.choices import StepStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from machikoba.network.models import Step

FINISHED = (StepStatus.SHIPPED, StepStatus.RECEIVED, StepStatus.CLOSED)


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def gantt(*, steps: Sequence[Step], due_date: dt.date, today: dt.date) -> dict[str, Any]:
    """One bar per step: planned (from its planned dates) and actual (from its start to its
    shipment, finish or today), and whether it is late: not finished and past its planned
    end, or finished after it. A step without both planned dates has no bars."""
    dates = [d for s in steps for d in (s.planned_start, s.planned_end) if d]
    start = min([*dates, today, due_date])
    end = max([*dates, today, due_date])
    span = max((end - start).days + 1, 1)

    def pct(day: dt.date) -> float:
        return round((day - start).days / span * 100, 2)

    bars: list[dict[str, Any]] = []
    for step in steps:
        if not (step.planned_start and step.planned_end):
            bars.append({"step": step, "planned": None, "actual": None, "late": False})
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
            actual = {"left": pct(actual_start), "width": max(pct(until) - pct(actual_start), 1)}
        bars.append(
            {
                "step": step,
                "planned": {
                    "left": pct(step.planned_start),
                    "width": max(pct(step.planned_end) - pct(step.planned_start) + 100 / span, 1),
                },
                "actual": actual,
                "late": late,
            }
        )
    return {"bars": bars, "start": start, "end": end, "today": pct(today), "due": pct(due_date)}
