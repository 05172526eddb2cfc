"""What an entry starts: the person's booking due within 30 minutes (or under way) moves to
利用中, their registration for an event of the lab that is on moves to 出席; nothing of
another person, another lab, another time or another status moves. The kiosk says so."""

from __future__ import annotations

import datetime as dt

import pytest

from machikoba.companies.choices import CompanyRole
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, UserFactory
from machikoba.core.testing.factories_lab import make_item, make_lab, make_lab_staff
from machikoba.core.testing.factories_lab_visits import (
    make_booking,
    make_event,
    make_registration,
    make_visitor,
    opening_moment,
    personal_code,
)
from machikoba.lab.choices import BookingStatus, EntryKind, EventStatus, RegistrationStatus
from machikoba.lab.models_visits import EntryEvent
from machikoba.lab.services import visits

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def staff():
    return make_lab_staff()


@pytest.fixture
def shop():
    return CompanyFactory(name="蒲田精密株式会社")


@pytest.fixture
def member(shop):
    return MembershipFactory(company=shop, role=CompanyRole.OWNER).user


@pytest.fixture
def cobot(lab):
    return make_item(lab, name="協働ロボット")


@pytest.fixture
def ten(lab, frozen_clock):
    moment = opening_moment(lab, 10)
    frozen_clock.move_to(moment)
    return moment


def scan_in(staff, lab, user):
    return visits.entry_scan(
        actor=staff, lab=lab, token=personal_code(user), direction=EntryKind.ENTERED
    )


@pytest.mark.parametrize(
    ("starts_in", "moves"),
    [
        (dt.timedelta(minutes=30), True),  # due within 30 minutes
        (dt.timedelta(minutes=31), False),  # not yet
        (dt.timedelta(minutes=-50), True),  # started, not ended (a one-hour booking)
        (dt.timedelta(minutes=-60), False),  # ended
    ],
)
def test_a_booking_due_moves_to_in_use(lab, staff, member, shop, cobot, ten, starts_in, moves):
    booking = make_booking(lab, user=member, company=shop, item=cobot, starts_at=ten + starts_in)
    outcome = scan_in(staff, lab, member)
    booking.refresh_from_db()
    if moves:
        assert booking.status == BookingStatus.IN_USE
        assert booking.checked_in_at == ten
        start = (ten + starts_in).astimezone(dt.timezone(dt.timedelta(hours=9)))
        assert outcome.lines == [f"協働ロボットのご予約 {start:%H:%M}〜 を開始しました"]
        assert EntryEvent.objects.get(kind=EntryKind.ENTERED).booking == booking
        assert AuditEvent.objects.filter(
            verb="lab_booking.in_use", target_id=str(booking.pk), actor=staff
        ).exists()
    else:
        assert booking.status == BookingStatus.BOOKED
        assert outcome.lines == []
        assert EntryEvent.objects.get(kind=EntryKind.ENTERED).booking is None


def test_only_the_persons_own_booked_bookings_at_this_lab_move(lab, staff, member, shop, ten):
    colleague = MembershipFactory(company=shop, role=CompanyRole.STAFF).user
    other_lab = make_lab(name="第二ラボ")
    theirs = make_booking(lab, user=colleague, company=shop, starts_at=ten)
    elsewhere = make_booking(other_lab, user=member, company=shop, starts_at=ten)
    cancelled = make_booking(
        lab, user=member, company=shop, starts_at=ten, status=BookingStatus.CANCELLED
    )
    scan_in(staff, lab, member)
    for booking in (theirs, elsewhere, cancelled):
        before = booking.status
        booking.refresh_from_db()
        assert booking.status == before


def test_a_registration_for_an_event_on_now_moves_to_attended(lab, staff, member, shop, ten):
    seminar = make_event(lab, starts_at=ten + dt.timedelta(minutes=20), title="IoT入門")
    registration = make_registration(seminar, user=member, company=shop)
    outcome = scan_in(staff, lab, member)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ATTENDED
    assert registration.attended_at == ten
    assert any("IoT入門" in line and "出席" in line for line in outcome.lines)
    assert EntryEvent.objects.get(kind=EntryKind.ENTERED).event == seminar


@pytest.mark.parametrize(
    ("starts_in", "status", "moves"),
    [
        (dt.timedelta(minutes=-90), EventStatus.PUBLISHED, True),  # under way (2 hours)
        (dt.timedelta(minutes=31), EventStatus.PUBLISHED, False),  # too early
        (dt.timedelta(hours=-2), EventStatus.PUBLISHED, False),  # over
        (dt.timedelta(minutes=10), EventStatus.CANCELLED, False),  # called off
    ],
)
def test_only_an_event_on_now_is_attended(lab, staff, member, ten, starts_in, status, moves):
    event = make_event(lab, starts_at=ten + starts_in, status=status)
    registration = make_registration(event, user=member)
    scan_in(staff, lab, member)
    registration.refresh_from_db()
    expected = RegistrationStatus.ATTENDED if moves else RegistrationStatus.REGISTERED
    assert registration.status == expected


def test_a_waitlisted_or_other_labs_registration_does_not_move(lab, staff, member, ten):
    waiting = make_registration(
        make_event(lab, starts_at=ten), user=member, status=RegistrationStatus.WAITLISTED
    )
    elsewhere = make_registration(make_event(make_lab(name="第二ラボ"), starts_at=ten), user=member)
    someone = make_registration(make_event(lab, starts_at=ten, title="別の回"), user=UserFactory())
    scan_in(staff, lab, member)
    waiting.refresh_from_db()
    elsewhere.refresh_from_db()
    someone.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert elsewhere.status == RegistrationStatus.REGISTERED
    assert someone.status == RegistrationStatus.REGISTERED


def test_a_desk_visitors_registration_is_attended_at_the_desk(lab, staff, ten):
    visitor = make_visitor(lab)
    registration = make_registration(make_event(lab, starts_at=ten), visitor=visitor)
    outcome = visits.entry_desk_visitor(
        actor=staff, lab=lab, visitor=visitor, direction=EntryKind.ENTERED
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ATTENDED
    assert outcome.lines


def test_a_refused_entry_starts_nothing(lab, staff, member, shop, ten):
    booking = make_booking(lab, user=member, company=shop, starts_at=ten)
    visits.entry_scan(
        actor=staff, lab=lab, token=personal_code(member), direction=EntryKind.LEFT
    )  # not in: refused
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_leaving_does_not_start_a_booking(lab, staff, member, shop, ten, frozen_clock):
    scan_in(staff, lab, member)
    later = make_booking(lab, user=member, company=shop, starts_at=ten + dt.timedelta(hours=2))
    frozen_clock.move_to(ten + dt.timedelta(hours=1, minutes=45))
    visits.entry_scan(actor=staff, lab=lab, token=personal_code(member), direction=EntryKind.LEFT)
    later.refresh_from_db()
    assert later.status == BookingStatus.BOOKED


def test_the_phone_starts_the_booking_too(lab, member, shop, ten):
    from machikoba.lab.services import entry_codes

    booking = make_booking(lab, user=member, company=shop, starts_at=ten)
    outcome = visits.entry_by_lab_code(
        actor=member, lab=lab, code=entry_codes.lab_code(lab), direction=EntryKind.ENTERED
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.IN_USE
    assert outcome.lines
    assert AuditEvent.objects.filter(verb="lab_booking.in_use", actor=member).exists()
