"""Clipped reads of machine state intervals for a window of time (the metrics' raw data).

``intervals_in(machines, start, end, now)`` returns what the machines did between
``start`` and ``end``: every stored row that overlaps the window, cut to it, with
consecutive rows in the same state and reason merged (a sensor that repeats its state
every minute is one span, not sixty). The open row (the machine's current state) counts
until ``min(now, end)``; time after ``now`` has not happened yet and is in no span.

Access: **caller-trusted.** The caller has read ``machines`` through
``Machine.objects.for_user(user, action)`` (``VIEW`` for a company's own pages,
``SUPPORT`` for a ward's aggregates), so the rows of those machines are the caller's to
read; this module does not look at a user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery

from .models import Machine, StateInterval


@dataclass(frozen=True, slots=True)
class Span:
    """``machine_id`` was in ``state`` (with ``reason``) from ``start`` to ``end``, both
    inside the window asked for.

    ``parts`` is the part counter's count for the span: a row's ``parts`` shared out in
    proportion to the part of the row inside the window (so a row cut in two by a shift
    boundary gives each shift its share), summed over merged rows; ``None`` when no row of
    the span has a count (no counter, or the row is still open: its parts are known when
    it closes)."""

    machine_id: int
    start: dt.datetime
    end: dt.datetime
    state: str
    reason: str
    parts: float | None
    open: bool = False

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


def _machine_ids(machines: Iterable[Machine | int]) -> list[int]:
    return sorted({m if isinstance(m, int) else m.pk for m in machines})


def intervals_in(
    machines: Iterable[Machine | int],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> list[Span]:
    """The spans of ``machines`` inside ``[start, end)``, ordered by machine and time
    (see the module's docstring; the caller has checked access to the machines)."""
    ids = _machine_ids(machines)
    limit = min(end, now)
    if not ids or limit <= start:
        return []
    rows = (
        StateInterval.objects.filter(machine_id__in=ids, start__lt=limit)
        .filter(Q(end__gt=start) | Q(end__isnull=True))
        .order_by("machine_id", "start", "seq")
        .values_list("machine_id", "start", "end", "state", "reason", "parts")
    )
    spans: list[Span] = []
    for machine_id, row_start, row_end, state, reason, parts in rows.iterator(chunk_size=2000):
        cut_start = max(row_start, start)
        cut_end = limit if row_end is None else min(row_end, limit)
        if cut_end <= cut_start:
            continue
        share = None
        if parts is not None and row_end is not None:
            length = (row_end - row_start).total_seconds()
            share = parts * (cut_end - cut_start).total_seconds() / length if length > 0 else parts
        is_open = row_end is None
        previous = spans[-1] if spans else None
        if (
            previous is not None
            and previous.machine_id == machine_id
            and previous.state == state
            and previous.reason == reason
            and previous.end == cut_start
        ):
            merged_parts = (
                previous.parts
                if share is None
                else share
                if previous.parts is None
                else previous.parts + share
            )
            spans[-1] = Span(
                machine_id, previous.start, cut_end, state, reason, merged_parts, is_open
            )
            continue
        spans.append(Span(machine_id, cut_start, cut_end, state, reason, share, is_open))
    return spans


@dataclass(frozen=True, slots=True)
class CurrentState:
    """A machine's current state (its open row) and since when it has been in it:
    rows before the open one in the same state and reason are the same stretch."""

    machine_id: int
    state: str
    reason: str
    since: dt.datetime


def current_states(machines: Iterable[Machine | int]) -> dict[int, CurrentState]:
    """Each machine's open row, with ``since`` the start of the unbroken run of rows in
    its state and reason (one query; caller-trusted like ``intervals_in``). A machine
    with no row yet is missing from the answer."""
    ids = _machine_ids(machines)
    if not ids:
        return {}
    rows = StateInterval.objects.filter(machine_id=OuterRef("machine_id"))
    # The start of the last row before the open one in another state or reason; the
    # current stretch starts with the first row after it.
    other = Subquery(
        rows.filter(start__lt=OuterRef("start"))
        .exclude(state=OuterRef("state"), reason=OuterRef("reason"))
        .order_by("-start", "-seq")
        .values("start")[:1]
    )
    after_other = Subquery(
        rows.filter(start__gt=OuterRef("other_start"), start__lte=OuterRef("start"))
        .order_by("start", "seq")
        .values("start")[:1]
    )
    first = Subquery(rows.order_by("start", "seq").values("start")[:1])
    current = (
        StateInterval.objects.filter(machine_id__in=ids, end__isnull=True)
        .annotate(other_start=other)
        .annotate(stretch_start=after_other, first_start=first)
        .values_list(
            "machine_id", "state", "reason", "start", "other_start", "stretch_start", "first_start"
        )
    )
    answer: dict[int, CurrentState] = {}
    for machine_id, state, reason, start, other_start, stretch_start, first_start in current:
        since = (stretch_start if other_start is not None else first_start) or start
        answer[machine_id] = CurrentState(machine_id, state, reason, min(since, start))
    return answer
