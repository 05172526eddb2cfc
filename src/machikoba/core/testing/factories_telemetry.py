"""Test data of machine monitoring: machines of a shop's equipment list and state
intervals built relative to a moment the test chooses (tests pass on any day)."""

from __future__ import annotations

import datetime as dt
import itertools

from machikoba.companies.models import Equipment
from machikoba.core.testing.factories import CompanyFactory
from machikoba.telemetry.choices import MachineState, Source
from machikoba.telemetry.models import Machine, StateInterval

_names = itertools.count(1)


def make_machine(
    company=None, *, source: str = Source.MQTT, equipment=None, unit: int = 1, **fields
):
    """A monitored machine: unit ``unit`` of ``equipment`` (a new NC旋盤 row of ``company``
    by default)."""
    company = company or (equipment.company if equipment else CompanyFactory())
    if equipment is None:
        equipment = Equipment.objects.create(company=company, kind="NC旋盤", count=max(unit, 1))
    fields.setdefault("name", f"MC-{next(_names)}")
    return Machine.objects.create(
        company=company, equipment=equipment, unit=unit, source=source, **fields
    )


def make_intervals(machine, start: dt.datetime, spans, *, boot: str = "test"):
    """Closed-back-to-back intervals from ``start``: ``spans`` is a list of
    ``(state, minutes)`` or ``(state, minutes, reason)`` or ``(state, minutes, reason,
    parts)``; the last one stays open unless it is followed by ``None``.

    Returns the rows in order."""
    rows = []
    at = start
    seq = StateInterval.objects.filter(machine=machine, boot=boot).count()
    items = [span for span in spans if span is not None]
    close_last = spans and spans[-1] is None
    for index, span in enumerate(items):
        state, minutes, *rest = span
        reason = rest[0] if rest else ""
        parts = rest[1] if len(rest) > 1 else None
        end = at + dt.timedelta(minutes=minutes)
        is_last = index == len(items) - 1
        rows.append(
            StateInterval.objects.create(
                machine=machine,
                boot=boot,
                seq=seq,
                start=at,
                end=None if is_last and not close_last else end,
                state=MachineState(state),
                reason=reason,
                parts=parts,
            )
        )
        seq += 1
        at = end
    return rows
