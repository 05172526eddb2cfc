"""Real concurrent transactions on PostgreSQL: two people taking an event's last place at
the same moment are served one after the other (the event's row is locked while its
places are counted): one gets the place, the other is put on the waitlist. A cancellation
racing a registration never lets the event go over its capacity.

SQLite serialises writers and has no row locks, so these run on PostgreSQL only (CI
always does: MACHIKOBA_REQUIRE_POSTGRES)."""

import pytest

from machikoba.core.testing.concurrency import needs_postgresql, race
from machikoba.core.testing.factories_lab import make_lab
from machikoba.core.testing.factories_lab_events import make_event, make_member, register
from machikoba.lab.choices import RegistrationStatus
from machikoba.lab.models_events import Registration
from machikoba.lab.services.registrations import registration_cancel, registration_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql,
]

R = RegistrationStatus


def _held(event):
    return Registration.objects.filter(event=event, status__in=(R.REGISTERED, R.ATTENDED)).count()


def test_two_people_taking_the_last_place_at_once(transactional_db):
    event = make_event(make_lab(), capacity=2)
    register(event, make_member()[1])
    (_, first), (_, second) = make_member(), make_member()
    results = race(
        lambda: registration_create(actor=first, event=event),
        lambda: registration_create(actor=second, event=event),
    )
    assert all(isinstance(r, Registration) for r in results), results
    assert sorted(r.status for r in results) == [R.REGISTERED, R.WAITLISTED]
    assert _held(event) == 2


def test_a_cancellation_racing_a_registration_keeps_the_capacity(transactional_db):
    event = make_event(make_lab(), capacity=1)
    _, holder = make_member()
    held = register(event, holder)
    _, waiting = make_member()
    head = register(event, waiting, status=R.WAITLISTED)
    _, newcomer = make_member()
    cancelled, newcomers = race(
        lambda: registration_cancel(actor=holder, registration=held),
        lambda: registration_create(actor=newcomer, event=event),
    )
    assert isinstance(cancelled, Registration), cancelled
    assert isinstance(newcomers, Registration), newcomers
    head.refresh_from_db()
    # The head of the waitlist moves up; the newcomer waits behind them.
    assert head.status == R.REGISTERED
    assert newcomers.status == R.WAITLISTED
    assert _held(event) == 1
