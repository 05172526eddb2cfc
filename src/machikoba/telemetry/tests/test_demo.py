"""The demo's monitored machines (telemetry.demo): every unit registered, a week of
history on each at once, and seeding again adds nothing twice."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from machikoba.core.models import AuditEvent
from machikoba.core.testing.clock import clock_at, working_day
from machikoba.core.testing.factories import CompanyFactory, make_equipment
from machikoba.telemetry.choices import MachineState, Source
from machikoba.telemetry.demo import history_days, seed_machines
from machikoba.telemetry.models import IngestStats, Machine, StateInterval
from machikoba.telemetry.simulator import LUNCH, OFF_SHIFT, ShopHours

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

HOURS = ShopHours()


def _shop():
    company = CompanyFactory()
    make_equipment(company, kind="NC旋盤", model_name="LB3000", count=2)
    make_equipment(company, kind="汎用旋盤", model_name="LEO-80A", count=1)
    return company


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _rows():
    return list(
        StateInterval.objects.order_by("machine_id", "start", "seq").values_list(
            "machine_id", "boot", "seq", "start", "end", "state", "reason", "count", "parts"
        )
    )


def test_every_unit_is_monitored_with_a_week_of_history():
    company = _shop()
    # Seeded in the middle of a working day, so that today's morning is history too.
    noon = dt.datetime.combine(
        working_day(1), dt.time(14, 0), tzinfo=timezone.get_current_timezone()
    )
    with clock_at(noon):
        machines = seed_machines(company=company, hours=HOURS)
        now = timezone.now()

    assert [(m.name, m.unit, m.source) for m in machines] == [
        ("NC旋盤 LB3000 #1", 1, Source.MQTT),
        ("NC旋盤 LB3000 #2", 2, Source.MQTT),
        ("汎用旋盤 LEO-80A", 1, Source.MQTT),
    ]
    assert all(m.ideal_cycle_seconds for m in machines)
    assert AuditEvent.objects.filter(verb="machine.register").count() == 3
    days = history_days(HOURS, days=7, today=noon.date())
    working = [day for day in days if HOURS.working_day(day)]
    assert len(working) == 8  # the last 7 working days and today
    for machine in machines:
        rows = list(machine.intervals.order_by("start", "seq"))
        assert _local(rows[0].start) == dt.datetime.combine(days[0], dt.time(0), noon.tzinfo)
        assert rows[-1].end is None  # its current state
        assert rows[-1].start < now
        # The rows follow one another without a gap, as the collector leaves them.
        assert all(a.end == b.start for a, b in itertools.pairwise(rows))
        by_day: dict[dt.date, Counter] = defaultdict(Counter)
        for row in rows:
            end = row.end or now
            by_day[_local(row.start).date()][row.state] += (end - row.start).total_seconds() / 60
        for day in working[:-1]:
            # A working day: mostly producing, a lunch break and nights as planned stops.
            produced = by_day[day][MachineState.PRODUCING]
            assert 60 < produced < 24 * 60, (machine.name, day, by_day[day])
            lunch = dt.datetime.combine(day, dt.time(12), noon.tzinfo)
            at_lunch = next(
                r for r in rows if r.start <= lunch and (r.end is None or r.end > lunch)
            )
            assert (at_lunch.state, at_lunch.reason) == (MachineState.PLANNED_STOP, LUNCH)
        at_night = any(
            r.state == MachineState.PRODUCING and _local(r.start).hour >= 18 for r in rows
        )
        if machine == machines[0]:  # the shop's fastest: a bar-fed lathe left running
            assert at_night
        else:
            assert any(r.reason == OFF_SHIFT for r in rows) or at_night
        # Each day is one stream, its counter from 0; the parts of a closed producing row
        # are the counter's rise.
        assert {r.boot for r in rows} == {f"demo-{day:%Y%m%d}" for day in days}
        assert sum(r.parts or 0 for r in rows) > 200
        stats = IngestStats.objects.get(machine=machine)
        assert stats.stored == len(rows)
        assert stats.last_seen == rows[-1].start


def test_seeding_again_adds_nothing_and_days_later_fills_the_days_since():
    company = _shop()
    start = dt.datetime.combine(
        working_day(1), dt.time(10, 0), tzinfo=timezone.get_current_timezone()
    )
    with clock_at(start):
        seed_machines(company=company, hours=HOURS)
        first = _rows()
        seed_machines(company=company, hours=HOURS)
        assert _rows() == first
        assert Machine.objects.filter(company=company).count() == 3

    later = start + dt.timedelta(days=4)
    with clock_at(later):
        seed_machines(company=company, hours=HOURS)
        now = timezone.now()

    rows = _rows()
    assert Machine.objects.filter(company=company).count() == 3
    keys = [(machine, boot, seq) for machine, boot, seq, *_rest in rows]
    assert len(keys) == len(set(keys))
    # What was there is still there (its last row now closed by the next day's first).
    before = {(m, b, s): (st, e, state) for m, b, s, st, e, state, *_r in first}
    after = {(m, b, s): (st, e, state) for m, b, s, st, e, state, *_r in rows}
    assert all(
        after[key][0] == value[0] and after[key][2] == value[2] for key, value in before.items()
    )
    new_days = {_local(start_at).date() for _m, _b, _s, start_at, *_r in rows} - {
        _local(start_at).date() for _m, _b, _s, start_at, *_r in first
    }
    assert new_days == {start.date() + dt.timedelta(days=n) for n in range(1, 5)}
    for machine in Machine.objects.filter(company=company):
        machine_rows = list(machine.intervals.order_by("start", "seq"))
        assert all(a.end == b.start for a, b in itertools.pairwise(machine_rows))
        assert [r.end for r in machine_rows].count(None) == 1
        assert machine_rows[-1].start < now
