"""Each figure of the lab's statistics computed from rows made here: the entries (a person
entering twice counts twice, a desk visitor counts, refusals and departures do not), the
延べ利用者数 (a booking used on a day its person checked in is one visit, not two),
distinct companies, item utilisation, training passes (revoked left out), event
attendance (an event of the previous fiscal year left out) and matchings by source.

The year counted is the previous fiscal year (wholly past whatever today is); the tests of
the current year are marked clock-sensitive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, WardRoleFactory, ward
from machikoba.core.testing.factories_lab import (
    make_item,
    make_lab,
    make_lab_staff,
    make_training,
    make_vendor,
    open_day,
)
from machikoba.core.testing.factories_lab_stats import (
    at,
    demo_slot,
    desk_visitor,
    enter,
    held_event,
    matching,
    member,
    register,
    training_record,
    used_booking,
)
from machikoba.core.testing.matrix import LAB_STAFF, METRO_VIEWER, OFFICER, OTHER_WARD_OFFICER
from machikoba.lab.calendar import open_hours_between
from machikoba.lab.choices import (
    BookingStatus,
    EntryKind,
    EventStatus,
    FollowUpAnswer,
    ItemKind,
    MatchingSource,
    MatchingStatus,
    RegistrationStatus,
)
from machikoba.lab.selectors.stats import lab_stats, stats_lab, stats_years

pytestmark = pytest.mark.django_db

FY = fiscal_year(timezone.localdate()) - 1  # the last whole fiscal year
FIRST, LAST = fiscal_year_bounds(FY)


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def staff():
    return make_lab_staff()


def day_in(lab, month_offset: int = 0, n: int = 1) -> dt.date:
    """The ``n``-th open day of the fiscal year's month number ``month_offset`` (0: April)."""
    month = (FIRST.replace(day=1) + dt.timedelta(days=31 * month_offset)).replace(day=1)
    return open_day(lab, n, after=month - dt.timedelta(days=1))


def stats(user, lab, year=FY):
    return lab_stats(user, lab, year)


def month_row(result, day):
    return next(m for m in result.months if m.month == day.replace(day=1))


# ------------------------------------------------------------------------------- visits


def test_every_entered_event_counts_a_person_entering_twice_counts_twice(lab, staff):
    shop = CompanyFactory(name="蒲田精工")
    person = member(shop)
    day = day_in(lab, 0)
    enter(lab, at(day, 9), user=person)
    enter(lab, at(day, 11), user=person, kind=EntryKind.LEFT)
    enter(lab, at(day, 13), user=person)
    enter(lab, at(day, 15), user=person, kind=EntryKind.REFUSED)
    result = stats(staff, lab)
    row = month_row(result, day)
    assert (row.entries, row.visits, row.companies) == (2, 2, 1)
    assert (result.entries, result.visits, result.companies) == (2, 2, 1)


def test_a_desk_visitor_counts_and_their_registered_company_once(lab, staff):
    shop = CompanyFactory()
    day = day_in(lab, 1)
    enter(lab, at(day, 10), visitor=desk_visitor(lab, company=shop))
    enter(lab, at(day, 11), visitor=desk_visitor(lab, name="社名なしの方"))
    enter(lab, at(day, 12), user=member(shop))
    row = month_row(stats(staff, lab), day)
    assert (row.entries, row.companies) == (3, 1)


def test_a_booking_used_and_checked_in_the_same_day_is_one_visit(lab, staff):
    cobot = make_item(lab)
    person = member()
    day = day_in(lab, 2)
    enter(lab, at(day, 9, 50), user=person)
    used_booking(cobot, person, at(day, 10))
    row = month_row(stats(staff, lab), day)
    assert (row.entries, row.bookings_used, row.bookings_without_entry, row.visits) == (1, 1, 0, 1)


def test_a_booking_used_without_a_check_in_that_day_is_a_visit_once_per_person_and_day(lab, staff):
    cobot = make_item(lab)
    printer = make_item(lab, kind=ItemKind.PRINTER_3D, name="3Dプリンター")
    person = member()
    day = day_in(lab, 3)
    other_day = open_day(lab, 1, after=day)
    used_booking(cobot, person, at(day, 10))
    used_booking(printer, person, at(day, 14), status=BookingStatus.IN_USE)
    enter(lab, at(other_day, 10), user=person)  # an entry on another day does not cover it
    result = stats(staff, lab)
    assert result.bookings_used == 2
    assert result.bookings_without_entry == 1
    assert result.visits == 2  # the entry of the other day + the day with bookings


def test_bookings_not_used_are_not_counted(lab, staff):
    cobot = make_item(lab)
    person = member()
    day = day_in(lab, 4)
    for n, status in enumerate(
        (BookingStatus.BOOKED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
    ):
        used_booking(cobot, person, at(day, 9 + 2 * n), status=status)
    result = stats(staff, lab)
    assert (result.bookings_used, result.visits, result.companies) == (0, 0, 0)


def test_companies_are_counted_once_per_month_and_once_in_the_year(lab, staff):
    shop, other = CompanyFactory(), CompanyFactory()
    cobot = make_item(lab)
    april, may = day_in(lab, 0), day_in(lab, 1)
    enter(lab, at(april, 10), user=member(shop))
    enter(lab, at(april, 11), user=member(shop))
    used_booking(cobot, member(other), at(april, 13))
    enter(lab, at(may, 10), user=member(shop))
    result = stats(staff, lab)
    assert month_row(result, april).companies == 2
    assert month_row(result, may).companies == 1
    assert result.companies == 2
    assert next(m.month for m in result.months) == FIRST
    assert len(result.months) == 12


def test_the_chart_bars_are_relative_to_the_busiest_month(lab, staff):
    april, may = day_in(lab, 0), day_in(lab, 1)
    for hour in (9, 10, 11, 12):
        enter(lab, at(april, hour), user=member())
    enter(lab, at(may, 10), user=member())
    used_booking(make_item(lab), member(), at(may, 13))  # no entry that day: a visit more
    result = stats(staff, lab)
    assert (month_row(result, april).chart_entries, month_row(result, april).chart_bookings) == (
        100,
        0,
    )
    assert (month_row(result, may).chart_entries, month_row(result, may).chart_bookings) == (
        25,
        25,
    )
    assert month_row(result, day_in(lab, 2)).chart_entries == 0


def test_rows_outside_the_year_or_of_another_lab_are_not_counted(lab, staff):
    other_lab = make_lab(name="別のラボ")
    person = member()
    enter(lab, at(FIRST - dt.timedelta(days=1), 10), user=person)  # 31 March: the year before
    enter(lab, at(LAST + dt.timedelta(days=1), 10), user=person)  # 1 April: the year after
    enter(other_lab, at(day_in(lab, 0), 10), user=person)
    enter(lab, at(LAST, 23, 30), user=person)  # 31 March 23:30 JST is still this year
    result = stats(staff, lab)
    assert result.entries == 1
    assert month_row(result, LAST).entries == 1


# ------------------------------------------------------------------------------- items


def test_utilisation_is_hours_used_over_open_hours_times_capacity(lab, staff):
    cobot = make_item(lab, capacity=2)
    person = member()
    day = day_in(lab, 5)
    used_booking(cobot, person, at(day, 10), hours=3)
    used_booking(cobot, person, at(day, 14), hours=1, status=BookingStatus.IN_USE)
    used_booking(cobot, person, at(open_day(lab, 1, after=day), 10), status=BookingStatus.NO_SHOW)
    used_booking(cobot, person, at(open_day(lab, 2, after=day), 10), status=BookingStatus.CANCELLED)
    result = stats(staff, lab)
    (row,) = result.items
    open_hours = open_hours_between(lab, FIRST, LAST)
    assert result.open_hours == open_hours
    assert (row.hours_used, row.bookings_used, row.no_shows) == (4.0, 2, 1)
    assert row.utilisation == round(100 * 4 / (open_hours * 2), 1)


def test_a_vendor_demo_slot_counts_its_hours_once_however_many_seats(lab, staff):
    vendor = make_vendor()
    kit = make_item(lab, kind=ItemKind.IOT_KIT, name="IoTキット", exhibitor=vendor)
    slot = demo_slot(kit, at(day_in(lab, 6), 13), hours=2)
    for _ in range(3):
        used_booking(kit, member(), slot.starts_at, hours=2, demo_slot=slot)
    (row,) = stats(staff, lab).items
    assert (row.hours_used, row.bookings_used, row.exhibitor) == (2.0, 3, vendor.name)


def test_an_item_without_open_hours_has_no_utilisation(lab, staff):
    make_item(lab)
    (row,) = stats(staff, lab, FY + 5).items  # a year to come: no open day counted yet
    assert row.utilisation is None


# ---------------------------------------------------------------------------- trainings


def test_training_passes_leave_out_revoked_records_and_other_years(lab, staff):
    cobot = make_item(lab)
    safety = make_training(lab, [cobot])
    other = make_training(lab, name="3Dプリンター講習")
    person = member()
    training_record(safety, person, day_in(lab, 0))
    training_record(safety, person, day_in(lab, 8))  # passed again: two passes, one person
    training_record(safety, member(), day_in(lab, 2), revoked=True)
    training_record(safety, member(), FIRST - dt.timedelta(days=1))
    training_record(make_training(make_lab(SUMIDA, name="墨田のラボ")), member(), day_in(lab, 1))
    result = stats(staff, lab)
    counts = {t.name: (t.passes, t.people) for t in result.trainings}
    assert counts == {safety.name: (2, 1), other.name: (0, 0)}
    assert result.training_passes == 2


# ------------------------------------------------------------------------------- events


def test_event_attendance_rate_and_survey_average(lab, staff):
    seminar = held_event(lab, at(day_in(lab, 3), 14), capacity=10)
    register(seminar, status=RegistrationStatus.ATTENDED, rating=4)
    register(seminar, status=RegistrationStatus.ATTENDED, rating=5)
    register(seminar, status=RegistrationStatus.ATTENDED)
    register(seminar)
    register(seminar, status=RegistrationStatus.WAITLISTED)
    register(seminar, status=RegistrationStatus.CANCELLED, rating=1)
    result = stats(staff, lab)
    (row,) = result.events
    assert (row.capacity, row.registered, row.attended) == (10, 4, 3)
    assert row.attendance_rate == 75.0
    # The cancelled person's answer is a survey response of the event too: (4+5+1)/3.
    assert (row.surveys, row.survey_average) == (3, 3.3)
    assert (result.events_held, result.event_registered, result.event_attended) == (1, 4, 3)
    assert result.event_attendance_rate == 75.0


def test_only_events_published_in_the_year_are_held(lab, staff):
    held_event(lab, at(day_in(lab, 4), 14), title="今年度のセミナー")
    held_event(lab, at(FIRST - dt.timedelta(days=2), 14), title="前年度のセミナー")
    held_event(lab, at(day_in(lab, 5), 14), title="中止の回", status=EventStatus.CANCELLED)
    held_event(lab, at(day_in(lab, 6), 14), title="下書き", status=EventStatus.DRAFT)
    held_event(make_lab(SUMIDA, name="墨田のラボ"), at(day_in(lab, 4), 14), title="他区")
    result = stats(staff, lab)
    assert [e.title for e in result.events] == ["今年度のセミナー"]
    assert result.events_held == 1
    assert result.events[0].attendance_rate is None  # nobody registered: no rate


# ---------------------------------------------------------------------------- matchings


def test_confirmed_matchings_of_the_ward_by_source_and_their_follow_ups(lab, staff):
    day = day_in(lab, 2)
    matching(lab, day, answer=FollowUpAnswer.YES)
    matching(lab, day, source=MatchingSource.EVENT, answer=FollowUpAnswer.IN_PROGRESS)
    matching(lab, day, source=MatchingSource.EVENT, answer=FollowUpAnswer.NO)
    matching(lab, LAST, source=MatchingSource.VENDOR_DEMO)  # asked on a day to come? see below
    matching(lab, day, source=MatchingSource.CONSULTATION, status=MatchingStatus.PROPOSED)
    matching(lab, day, source=MatchingSource.CONSULTATION, status=MatchingStatus.DECLINED)
    matching(lab, FIRST - dt.timedelta(days=1))
    matching(lab, day, municipality=ward(SUMIDA))
    result = stats(staff, lab)
    counts = {m.source: m.count for m in result.matchings}
    assert counts == {
        MatchingSource.LAB_VISIT: 1,
        MatchingSource.EVENT: 2,
        MatchingSource.VENDOR_DEMO: 1,
        MatchingSource.CONSULTATION: 0,
    }
    assert result.matchings_total == 4
    follow = result.follow_ups
    assert (follow.yes, follow.in_progress, follow.no) == (1, 1, 1)
    # Agreed on 31 March of last year: its question is due 91 days later.
    due_passed = LAST + dt.timedelta(days=91) <= timezone.localdate()
    assert (follow.unanswered, follow.not_due) == ((1, 0) if due_passed else (0, 1))
    assert result.network_first_awards == 0
    assert result.matchings_with_network == 4


# ------------------------------------------------------------------- who counts what


def test_the_wards_officer_counts_the_same_as_the_staff(lab, staff, world):
    enter(lab, at(day_in(lab, 0), 10), user=member())
    held_event(lab, at(day_in(lab, 1), 14))
    matching(lab, day_in(lab, 1))
    officer = world.users[OFFICER]
    assert stats_lab(officer, lab.pk) == lab
    mine, theirs = stats(staff, lab), stats(officer, lab)
    assert (theirs.entries, theirs.events_held, theirs.matchings_total) == (1, 1, 1)
    assert (mine.entries, mine.events_held, mine.matchings_total) == (1, 1, 1)


@pytest.mark.parametrize("actor", [OTHER_WARD_OFFICER, METRO_VIEWER, "member", "vendor", "admin"])
def test_anyone_else_finds_no_statistics_and_counts_nothing(lab, world, actor):
    enter(lab, at(day_in(lab, 0), 10), user=member())
    used_booking(make_item(lab), member(), at(day_in(lab, 0), 13))
    training_record(make_training(lab), member(), day_in(lab, 0))
    held_event(lab, at(day_in(lab, 1), 14))
    matching(lab, day_in(lab, 1))
    user = world.users[actor]
    with pytest.raises(Http404):
        stats_lab(user, lab.pk)
    result = stats(user, lab)  # even handed the lab, the access layer counts nothing
    assert (result.entries, result.bookings_used, result.companies) == (0, 0, 0)
    assert result.items == []
    assert result.trainings == []
    assert result.events == []
    assert result.matchings_total == 0


def test_another_wards_lab_staff_find_no_statistics_of_this_lab(lab):
    sumida_staff = make_lab_staff(SUMIDA)
    with pytest.raises(Http404):
        stats_lab(sumida_staff, lab.pk)
    assert stats_lab(make_lab_staff(), lab.pk) == lab


def test_the_staff_of_a_lab_run_by_a_group_of_wards_count_it(lab):
    from machikoba.accounts.choices import WardRole
    from machikoba.wards.models import MunicipalityGroup

    group = MunicipalityGroup.objects.create(name="城南ラボ連合")
    ward().__class__.objects.filter(pk=lab.municipality_id).update(group=group)
    joint_staff = WardRoleFactory(role=WardRole.LAB_STAFF, municipality=None, group=group).user
    enter(lab, at(day_in(lab, 0), 10), user=member())
    assert stats_lab(joint_staff, lab.pk) == lab
    assert stats(joint_staff, lab).entries == 1


# ------------------------------------------------------------------------------- years


@pytest.mark.clock_sensitive
def test_the_current_year_is_counted_through_today(lab, staff):
    today = timezone.localdate()
    current = fiscal_year(today)
    first, _last = fiscal_year_bounds(current)
    result = stats(staff, lab, current)
    assert result.is_current
    assert result.period_end == today
    assert result.months[-1].month == today.replace(day=1)
    assert result.open_hours == open_hours_between(lab, first, today)
    assert stats_years(lab)[0] == current
    assert len(stats_years(lab)) == 5
    assert not stats(staff, lab).is_current


@pytest.mark.clock_sensitive
def test_the_network_first_awards_of_the_ward_are_counted(lab, staff, world):
    from machikoba.network.tests.test_matches_selectors import _award

    supplier = world.other_company
    supplier.memberships.get()  # the award's supplier answers with its owner
    _award(world, supplier)
    result = stats(staff, lab, fiscal_year(timezone.localdate()))
    assert result.network_first_awards == 1
    assert result.matchings_with_network == 1
    assert stats(staff, lab).network_first_awards == 0  # last year: none


def test_staff_of_the_world_count_like_a_fresh_lab_staff(lab, world):
    assert stats_lab(world.users[LAB_STAFF], lab.pk) == lab
