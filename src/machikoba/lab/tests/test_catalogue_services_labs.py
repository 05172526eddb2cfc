"""The lab's settings by its staff: the booking rules, the weekly hours and closures. Bad
input is refused with a clear message and changes nothing; only the lab's own staff
(not another ward's, not an officer, not a shop) change it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import SUMIDA, MembershipFactory, WardRoleFactory
from machikoba.core.testing.factories_lab import make_lab, make_lab_staff
from machikoba.lab.calendar import day_hours
from machikoba.lab.error_codes_catalogue import CatalogueErrorCode
from machikoba.lab.models import Closure, Lab, OpeningHours
from machikoba.lab.services.labs import (
    closure_add,
    closure_remove,
    lab_settings_update,
    opening_hours_set,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def staff():
    return make_lab_staff()


def _refused(code, call):
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


# --- the rules ---------------------------------------------------------------------------


def test_staff_change_the_rules(lab, staff):
    lab_settings_update(actor=staff, lab=lab, slot_minutes=60, max_hours_per_company_month=8)
    lab.refresh_from_db()
    assert (lab.slot_minutes, lab.max_hours_per_company_month) == (60, 8)
    event = AuditEvent.objects.get(verb="lab.update")
    assert event.before["slot_minutes"] == 30
    assert event.after["slot_minutes"] == 60


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slot_minutes", 2),
        ("entry_code_seconds", 5),
        ("book_days_ahead", 0),
        ("no_show_limit", None),
    ],
)
def test_a_rule_out_of_bounds_is_refused_and_nothing_changes(lab, staff, field, value):
    error = _refused(
        CatalogueErrorCode.LAB_INVALID,
        lambda: lab_settings_update(actor=staff, lab=lab, name="新しい名前", **{field: value}),
    )
    assert field in error.fields
    assert "から" in str(error.fields[field][0])
    lab.refresh_from_db()
    assert lab.name == "大田区 町工場DXラボ"
    assert not AuditEvent.objects.filter(verb="lab.update").exists()


def test_an_empty_name_is_refused(lab, staff):
    error = _refused(
        CatalogueErrorCode.LAB_INVALID, lambda: lab_settings_update(actor=staff, lab=lab, name=" ")
    )
    assert "name" in error.fields


def test_others_may_not_change_the_rules(lab):
    sumida_staff = make_lab_staff(SUMIDA)
    officer = WardRoleFactory(role="officer").user
    shop = MembershipFactory().user
    for actor in (sumida_staff, officer, shop):
        _refused(
            CatalogueErrorCode.NOT_LAB_STAFF,
            lambda actor=actor: lab_settings_update(actor=actor, lab=lab, slot_minutes=60),
        )
    lab.refresh_from_db()
    assert lab.slot_minutes == 30


def test_a_joint_lab_is_run_by_the_staff_of_the_group(lab):
    from machikoba.wards.models import MunicipalityGroup

    group = MunicipalityGroup.objects.create(name="共同ラボの区 (テスト)")
    lab.municipality.group = group
    lab.municipality.save()
    staff = WardRoleFactory(role="lab_staff", municipality=None, group=group).user
    lab_settings_update(actor=staff, lab=lab, slot_minutes=15)
    assert Lab.objects.get(pk=lab.pk).slot_minutes == 15


# --- weekly hours ------------------------------------------------------------------------


def _week():
    days = {day: (dt.time(9), dt.time(17)) for day in range(6)}
    days[6] = None
    return days


def test_staff_set_the_week(lab, staff):
    opening_hours_set(actor=staff, lab=lab, days=_week() | {5: None})
    rows = {row.weekday: (row.opens, row.closes) for row in OpeningHours.objects.filter(lab=lab)}
    assert set(rows) == {0, 1, 2, 3, 4}
    assert rows[0] == (dt.time(9), dt.time(17))
    assert AuditEvent.objects.filter(verb="lab_hours.set").count() == 1


def test_closing_before_opening_is_refused_and_the_old_week_stays(lab, staff):
    error = _refused(
        CatalogueErrorCode.HOURS_INVALID,
        lambda: opening_hours_set(
            actor=staff, lab=lab, days=_week() | {2: (dt.time(18), dt.time(9))}
        ),
    )
    assert "closes_2" in error.fields
    assert OpeningHours.objects.filter(lab=lab).count() == 6
    assert OpeningHours.objects.get(lab=lab, weekday=2).closes == dt.time(18)


def test_a_week_without_an_open_day_is_refused(lab, staff):
    _refused(
        CatalogueErrorCode.HOURS_INVALID,
        lambda: opening_hours_set(actor=staff, lab=lab, days=dict.fromkeys(range(7))),
    )
    assert OpeningHours.objects.filter(lab=lab).count() == 6


def test_all_seven_days_are_needed(lab, staff):
    _refused(
        CatalogueErrorCode.HOURS_INVALID,
        lambda: opening_hours_set(actor=staff, lab=lab, days={0: (dt.time(9), dt.time(17))}),
    )


def test_another_wards_staff_may_not_set_the_week(lab):
    _refused(
        CatalogueErrorCode.NOT_LAB_STAFF,
        lambda: opening_hours_set(actor=make_lab_staff(SUMIDA), lab=lab, days=_week()),
    )
    assert OpeningHours.objects.get(lab=lab, weekday=0).closes == dt.time(18)


# --- closures ----------------------------------------------------------------------------


def test_a_closure_closes_the_lab_on_its_days(lab, staff):
    first = timezone.localdate() + dt.timedelta(days=10)
    closure_add(actor=staff, lab=lab, starts_on=first, ends_on=first, reason="設備点検")
    fresh = Lab.objects.get(pk=lab.pk)
    assert day_hours(fresh, first).closed_reason == "設備点検"
    assert AuditEvent.objects.filter(verb="lab_closure.create").count() == 1


@pytest.mark.parametrize(
    ("start", "end", "reason", "field"),
    [
        (10, 9, "点検", "ends_on"),
        (-5, -2, "点検", "ends_on"),
        (10, 10, "  ", "reason"),
        (1, 400, "改装", "ends_on"),
    ],
)
def test_bad_closures_are_refused(lab, staff, start, end, reason, field):
    today = timezone.localdate()
    error = _refused(
        CatalogueErrorCode.CLOSURE_INVALID,
        lambda: closure_add(
            actor=staff,
            lab=lab,
            starts_on=today + dt.timedelta(days=start),
            ends_on=today + dt.timedelta(days=end),
            reason=reason,
        ),
    )
    assert field in error.fields
    assert not Closure.objects.exists()


def test_overlapping_closures_are_refused(lab, staff):
    first = timezone.localdate() + dt.timedelta(days=10)
    closure_add(
        actor=staff, lab=lab, starts_on=first, ends_on=first + dt.timedelta(days=2), reason="点検"
    )
    error = _refused(
        CatalogueErrorCode.CLOSURE_INVALID,
        lambda: closure_add(
            actor=staff,
            lab=lab,
            starts_on=first + dt.timedelta(days=2),
            ends_on=first + dt.timedelta(days=5),
            reason="工事",
        ),
    )
    assert "重なっています" in str(error.fields["starts_on"][0])
    assert Closure.objects.count() == 1


def test_removing_a_closure(lab, staff):
    first = timezone.localdate() + dt.timedelta(days=3)
    closure = closure_add(actor=staff, lab=lab, starts_on=first, ends_on=first, reason="点検")
    _refused(
        CatalogueErrorCode.NOT_LAB_STAFF,
        lambda: closure_remove(actor=make_lab_staff(SUMIDA), closure=closure),
    )
    assert Closure.objects.count() == 1
    closure_remove(actor=staff, closure=closure)
    assert not Closure.objects.exists()
    assert AuditEvent.objects.filter(verb="lab_closure.delete").count() == 1
