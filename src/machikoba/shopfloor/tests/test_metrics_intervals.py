"""Clipped interval reads (telemetry/selectors_intervals.py), the planned-time windows
(shopfloor/metrics/windows.py) and the shift writes (shopfloor/metrics/services.py)."""

from __future__ import annotations

import datetime as dt

import jpholiday
import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.clock import quiet_monday
from machikoba.core.testing.factories_floor import floor
from machikoba.core.testing.factories_telemetry import make_intervals, make_machine
from machikoba.shopfloor.error_codes_metrics import MetricErrorCode
from machikoba.shopfloor.metrics import services
from machikoba.shopfloor.metrics.windows import CALENDAR_SHIFT, ShiftDef, build_calendar
from machikoba.shopfloor.models_metrics import Shift
from machikoba.telemetry.selectors_intervals import current_states, intervals_in


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def machine(db):
    return make_machine(name="NC-1")


def test_rows_are_clipped_to_the_window_and_same_state_rows_merged(machine):
    day = quiet_monday() - dt.timedelta(days=7)
    make_intervals(
        machine,
        local(day, 7),
        [
            ("producing", 90, "", 90),  # 07:00–08:30, 90 parts: half inside the window
            ("producing", 30, "", 30),  # 08:30–09:00: merged with the row before
            ("idle", 30, "material"),  # 09:00–09:30
            ("idle", 30, "operator"),  # another reason: its own span
            None,
        ],
    )
    spans = intervals_in([machine], local(day, 7, 45), local(day, 9, 45), now=local(day, 23))
    assert [(s.state, s.reason, s.start, s.end) for s in spans] == [
        ("producing", "", local(day, 7, 45), local(day, 9)),
        ("idle", "material", local(day, 9), local(day, 9, 30)),
        ("idle", "operator", local(day, 9, 30), local(day, 9, 45)),
    ]
    # 45 of the first row's 90 minutes are inside: 45 of its 90 parts, plus the next 30.
    assert spans[0].parts == pytest.approx(75)
    assert spans[0].minutes == 75
    assert spans[1].parts is None


def test_the_open_row_ends_at_now_and_nothing_after_now_is_a_span(machine):
    day = quiet_monday() - dt.timedelta(days=7)
    make_intervals(machine, local(day, 8), [("idle", 60), ("producing", 10)])
    now = local(day, 9, 20)
    spans = intervals_in([machine], local(day, 8), local(day, 17), now=now)
    assert [(s.state, s.end, s.open) for s in spans] == [
        ("idle", local(day, 9), False),
        ("producing", now, True),
    ]
    # A window that ends before now cuts the open row at its own end.
    (_idle, cut) = intervals_in([machine], local(day, 8), local(day, 9, 5), now=now)
    assert cut.end == local(day, 9, 5)
    # A window entirely after now has no spans.
    assert intervals_in([machine], local(day, 10), local(day, 11), now=now) == []
    assert intervals_in([], local(day, 8), local(day, 9), now=now) == []


def test_other_machines_rows_stay_out(machine):
    day = quiet_monday() - dt.timedelta(days=7)
    other = make_machine(name="NC-2")
    make_intervals(other, local(day, 8), [("alarm", 60), None])
    make_intervals(machine, local(day, 8), [("producing", 60), None])
    spans = intervals_in([machine], local(day, 0), local(day, 23), now=local(day, 23))
    assert {s.machine_id for s in spans} == {machine.pk}


def test_current_state_since_is_the_start_of_the_unbroken_stretch(machine):
    day = quiet_monday() - dt.timedelta(days=7)
    make_intervals(
        machine,
        local(day, 8),
        [("idle", 30), ("alarm", 10, "A1"), ("alarm", 5, "A1"), ("alarm", 5, "A1")],
    )
    silent = make_machine(name="NC-9")
    states = current_states([machine, silent])
    assert set(states) == {machine.pk}
    assert states[machine.pk].state == "alarm"
    assert states[machine.pk].reason == "A1"
    assert states[machine.pk].since == local(day, 8, 30)
    # After a gap in the rows (nothing stored overnight), the stretch starts with the
    # first row after the last other state, not where that state ended.
    gap = make_machine(name="NC-4")
    make_intervals(gap, local(day, 8), [("alarm", 30), None], boot="yesterday")
    make_intervals(gap, local(day, 10), [("producing", 60), ("producing", 30)], boot="today")
    assert current_states([gap])[gap.pk].since == local(day, 10)
    # A machine whose first row is its open one: since that row's start.
    fresh = make_machine(name="NC-3")
    make_intervals(fresh, local(day, 10), [("producing", 5)])
    assert current_states([fresh])[fresh.pk].since == local(day, 10)


def test_windows_skip_weekends_holidays_and_shutdowns_and_cross_midnight():
    monday = quiet_monday()
    friday = monday - dt.timedelta(days=3)
    calendar = build_calendar(
        weekdays=[0, 1, 2, 3, 4],
        shutdowns=[monday + dt.timedelta(days=1)],
        day_start=dt.time(8, 30),
        day_end=dt.time(17, 30),
        shifts=[
            ShiftDef("1", "日勤", dt.time(8), dt.time(17)),
            ShiftDef("2", "夜勤", dt.time(22), dt.time(6)),
        ],
        tz=timezone.get_current_timezone(),
    )
    windows = calendar.windows(friday, monday + dt.timedelta(days=1))
    assert [(w.day, w.shift.name) for w in windows] == [
        (friday, "日勤"),
        (friday, "夜勤"),
        (monday, "日勤"),
        (monday, "夜勤"),
    ]
    night = windows[1]
    assert night.end == local(friday + dt.timedelta(days=1), 6)
    assert night.minutes == 8 * 60
    # 03:00 on Saturday belongs to Friday's night shift.
    assert calendar.day_of(local(friday + dt.timedelta(days=1), 3)) == friday
    assert calendar.day_of(local(monday, 12)) == monday
    # Elapsed planned time: only what has passed.
    assert windows[2].elapsed(local(monday, 10)) == 120
    assert windows[2].elapsed(local(monday, 7)) == 0


def test_without_shifts_the_calendar_day_is_the_one_shift_and_holidays_are_off():
    calendar = build_calendar(
        weekdays=range(7),
        shutdowns=[],
        day_start=dt.time(8, 30),
        day_end=dt.time(17, 30),
        shifts=[],
        tz=timezone.get_current_timezone(),
    )
    holiday = timezone.localdate()
    while not jpholiday.is_holiday(holiday):
        holiday += dt.timedelta(days=1)
    assert calendar.windows(holiday, holiday) == []
    ordinary = holiday + dt.timedelta(days=1)
    while jpholiday.is_holiday(ordinary):
        ordinary += dt.timedelta(days=1)
    (window,) = calendar.windows(ordinary, ordinary)
    assert window.shift.key == CALENDAR_SHIFT
    assert window.shift.name == "稼働時間"
    assert window.minutes == 9 * 60


# --- shifts ------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    return floor()


def test_an_owner_adds_shifts_and_overlaps_are_refused(people):
    day = services.shift_add(
        actor=people.owner, company=people.shop, name="日勤", start=dt.time(8), end=dt.time(17)
    )
    night = services.shift_add(
        actor=people.staff, company=people.shop, name="夜勤", start=dt.time(22), end=dt.time(6)
    )
    assert (day.order, night.order) == (1, 2)
    assert night.crosses_midnight
    assert night.minutes == 480
    # 05:00–07:00 touches the night shift's next morning.
    with pytest.raises(ApplicationError) as refused:
        services.shift_add(
            actor=people.owner, company=people.shop, name="早番", start=dt.time(5), end=dt.time(7)
        )
    assert refused.value.code == MetricErrorCode.SHIFT_OVERLAP
    assert refused.value.http_status() == 409  # the shifts already there refuse it
    assert "夜勤" in str(refused.value.fields["start"][0])
    with pytest.raises(ApplicationError) as same_name:
        services.shift_add(
            actor=people.owner, company=people.shop, name="日勤", start=dt.time(17), end=dt.time(20)
        )
    assert same_name.value.code == MetricErrorCode.SHIFT_NAME_TAKEN
    assert same_name.value.http_status() == 409
    with pytest.raises(ApplicationError) as empty:
        services.shift_add(
            actor=people.owner, company=people.shop, name="空", start=dt.time(18), end=dt.time(18)
        )
    assert empty.value.code == MetricErrorCode.SHIFT_INVALID
    assert empty.value.http_status() == 422
    assert Shift.objects.filter(company=people.shop).count() == 2


def test_at_most_four_shifts(people):
    for number, hour in enumerate((0, 6, 12, 18), start=1):
        services.shift_add(
            actor=people.owner,
            company=people.shop,
            name=f"{number}直",
            start=dt.time(hour),
            end=dt.time(hour + 5),
        )
    with pytest.raises(ApplicationError) as refused:
        services.shift_add(
            actor=people.owner,
            company=people.shop,
            name="5直",
            start=dt.time(23),
            end=dt.time(23, 30),
        )
    assert refused.value.code == MetricErrorCode.SHIFT_LIMIT


def test_a_floor_worker_or_another_company_cannot_change_shifts(people):
    with pytest.raises(PermissionRefused):
        services.shift_add(
            actor=people.worker, company=people.shop, name="日勤", start=dt.time(8), end=dt.time(17)
        )
    with pytest.raises(PermissionRefused):
        services.shift_add(
            actor=people.customer_owner,
            company=people.shop,
            name="日勤",
            start=dt.time(8),
            end=dt.time(17),
        )
    shift = services.shift_add(
        actor=people.owner, company=people.shop, name="日勤", start=dt.time(8), end=dt.time(17)
    )
    with pytest.raises(PermissionRefused):
        services.shift_delete(actor=people.worker, shift=shift)
    services.shift_delete(actor=people.staff, shift=shift)
    assert not Shift.objects.exists()
