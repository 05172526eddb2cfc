"""Registering for the lab's events: a place while there is one, then the waitlist (with
its position); a cancellation moves the head of the waitlist up (told); every refusal
(deadline, start, draft, cancelled, twice, someone else's company); desk visitors
registered by the staff."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, WardRoleFactory, ward
from machikoba.core.testing.factories_lab import make_lab, make_lab_staff
from machikoba.core.testing.factories_lab_events import (
    make_event,
    make_member,
    make_visitor,
    register,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import EventStatus, RegistrationStatus
from machikoba.lab.error_codes_events import EventErrorCode
from machikoba.lab.models_events import Registration
from machikoba.lab.selectors.events import waitlist_position
from machikoba.lab.services.registrations import (
    registration_add_visitor,
    registration_cancel,
    registration_create,
)

pytestmark = pytest.mark.django_db

R = RegistrationStatus


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Run a service and deliver the notices it queued (in-app rows)."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            result = call()
        run_queued_tasks("notification")
        return result

    return run


def _refused(code, call):
    before = list(Registration.objects.values_list("pk", "status"))
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert list(Registration.objects.values_list("pk", "status")) == before
    return caught.value


def test_a_free_place_then_the_waitlist_in_order(lab, deliver):
    event = make_event(lab, capacity=2)
    people = [make_member() for _ in range(4)]
    made = [
        deliver(lambda c=c, u=u: registration_create(actor=u, event=event, company=c))
        for c, u in people
    ]
    assert [r.status for r in made] == [R.REGISTERED, R.REGISTERED, R.WAITLISTED, R.WAITLISTED]
    assert [waitlist_position(r) for r in made] == [None, None, 1, 2]
    assert made[0].company == people[0][0]
    assert made[0].user == people[0][1]
    assert Notification.objects.get(user=people[0][1]).kind == "lab_event_registered"
    waiting = Notification.objects.get(user=people[3][1])
    assert waiting.kind == "lab_event_waitlisted"
    assert "2 番目" in waiting.body
    assert waiting.url.endswith(f"/lab/events/{event.pk}/")
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="lab_registration.").values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == sorted(
        ["lab_registration.create"] * 2 + ["lab_registration.waitlist"] * 2
    )


def test_cancelling_moves_the_head_of_the_waitlist_up(lab, deliver):
    event = make_event(lab, capacity=1)
    (_, first), (_, second), (_, third) = make_member(), make_member(), make_member()
    held = registration_create(actor=first, event=event)
    head = registration_create(actor=second, event=event)
    next_in_line = registration_create(actor=third, event=event)
    deliver(lambda: registration_cancel(actor=first, registration=held))
    for r in (held, head, next_in_line):
        r.refresh_from_db()
    assert held.status == R.CANCELLED
    assert held.cancelled_at is not None
    assert head.status == R.REGISTERED
    assert next_in_line.status == R.WAITLISTED
    assert waitlist_position(next_in_line) == 1
    promoted = Notification.objects.get(user=second, kind="lab_event_promoted")
    assert event.title in promoted.title
    assert not Notification.objects.filter(user=third, kind="lab_event_promoted").exists()
    assert AuditEvent.objects.filter(verb="lab_registration.registered").count() == 1


def test_leaving_the_waitlist_moves_nobody_up_and_shortens_it(lab):
    event = make_event(lab, capacity=1)
    (_, a), (_, b), (_, c) = make_member(), make_member(), make_member()
    registration_create(actor=a, event=event)
    second = registration_create(actor=b, event=event)
    third = registration_create(actor=c, event=event)
    registration_cancel(actor=b, registration=second)
    third.refresh_from_db()
    assert third.status == R.WAITLISTED
    assert waitlist_position(third) == 1
    assert Registration.objects.filter(event=event, status=R.REGISTERED).count() == 1


def test_a_cancelled_person_may_register_again_at_the_end_of_the_line(lab):
    event = make_event(lab, capacity=1)
    (_, a), (_, b) = make_member(), make_member()
    first = registration_create(actor=a, event=event)
    registration_cancel(actor=a, registration=first)
    registration_create(actor=b, event=event)
    again = registration_create(actor=a, event=event)
    assert again.pk != first.pk
    assert again.status == R.WAITLISTED


def test_refused_after_the_deadline(lab):
    event = make_event(lab, registration_closes_at=timezone.now() - dt.timedelta(minutes=1))
    _, person = make_member()
    error = _refused(
        EventErrorCode.REGISTRATION_CLOSED, lambda: registration_create(actor=person, event=event)
    )
    assert "締切" in str(error.message)


def test_refused_once_started(lab):
    event = make_event(lab, starts_in=-dt.timedelta(minutes=5))
    _, person = make_member()
    _refused(EventErrorCode.EVENT_STARTED, lambda: registration_create(actor=person, event=event))


def test_refused_for_a_cancelled_or_draft_event(lab):
    _, person = make_member()
    cancelled = make_event(lab, status=EventStatus.CANCELLED)
    draft = make_event(lab, status=EventStatus.DRAFT)
    _refused(
        EventErrorCode.EVENT_CANCELLED, lambda: registration_create(actor=person, event=cancelled)
    )
    _refused(EventErrorCode.EVENT_NOT_OPEN, lambda: registration_create(actor=person, event=draft))


def test_refused_at_an_inactive_lab(lab):
    event = make_event(lab)
    lab.active = False
    lab.save()
    _, person = make_member()
    _refused(EventErrorCode.EVENT_NOT_OPEN, lambda: registration_create(actor=person, event=event))


def test_refused_twice_registered_or_waiting(lab):
    event = make_event(lab, capacity=1)
    (_, a), (_, b) = make_member(), make_member()
    registration_create(actor=a, event=event)
    registration_create(actor=b, event=event)
    _refused(EventErrorCode.ALREADY_REGISTERED, lambda: registration_create(actor=a, event=event))
    error = _refused(
        EventErrorCode.ALREADY_REGISTERED, lambda: registration_create(actor=b, event=event)
    )
    assert "キャンセル待ち (1 番目)" in str(error.message)


def test_refused_for_a_company_that_is_not_theirs(lab):
    event = make_event(lab)
    _, person = make_member()
    _refused(
        EventErrorCode.NOT_A_MEMBER,
        lambda: registration_create(actor=person, event=event, company=CompanyFactory()),
    )


def test_a_person_without_a_company_registers(lab):
    event = make_event(lab)
    officer = WardRoleFactory(role=WardRole.OFFICER).user
    registration = registration_create(actor=officer, event=event)
    assert registration.status == R.REGISTERED
    assert registration.company is None


def test_the_person_cancels_until_the_start_the_staff_until_the_end(lab):
    event = make_event(lab, starts_in=-dt.timedelta(minutes=10))
    _, person = make_member()
    registration = register(event, person)
    _refused(
        EventErrorCode.CANCEL_TOO_LATE,
        lambda: registration_cancel(actor=person, registration=registration),
    )
    registration_cancel(actor=make_lab_staff(), registration=registration)
    registration.refresh_from_db()
    assert registration.status == R.CANCELLED


def test_nobody_moves_up_once_the_event_started(lab):
    event = make_event(lab, capacity=1, starts_in=-dt.timedelta(minutes=10))
    (_, a), (_, b) = make_member(), make_member()
    held = register(event, a)
    waiting = register(event, b, status=R.WAITLISTED)
    registration_cancel(actor=make_lab_staff(), registration=held)
    waiting.refresh_from_db()
    assert waiting.status == R.WAITLISTED


def test_someone_elses_registration_is_not_theirs_to_cancel(lab):
    event = make_event(lab)
    company, person = make_member()
    _, colleague = make_member(company)
    registration = register(event, person, company=company)
    for other in (colleague, make_member()[1], WardRoleFactory(role=WardRole.OFFICER).user):
        _refused(
            EventErrorCode.REGISTRATION_NOT_YOURS,
            lambda other=other: registration_cancel(actor=other, registration=registration),
        )


def test_a_cancelled_registration_is_not_cancelled_twice(lab):
    event = make_event(lab)
    _, person = make_member()
    registration = register(event, person, status=R.CANCELLED)
    _refused(
        EventErrorCode.TRANSITION_NOT_ALLOWED,
        lambda: registration_cancel(actor=person, registration=registration),
    )


def test_nothing_to_cancel_at_a_cancelled_event(lab):
    event = make_event(lab, status=EventStatus.CANCELLED)
    _, person = make_member()
    registration = register(event, person)
    _refused(
        EventErrorCode.EVENT_CANCELLED,
        lambda: registration_cancel(actor=person, registration=registration),
    )


def test_staff_register_a_desk_visitor_even_after_the_deadline(lab):
    staff = make_lab_staff()
    event = make_event(
        lab, capacity=1, registration_closes_at=timezone.now() - dt.timedelta(hours=1)
    )
    first = registration_add_visitor(actor=staff, event=event, visitor=make_visitor(lab))
    second = registration_add_visitor(
        actor=staff, event=event, visitor=make_visitor(lab, name="受付 次郎")
    )
    assert (first.status, first.user) == (R.REGISTERED, None)
    assert second.status == R.WAITLISTED
    _refused(
        EventErrorCode.ALREADY_REGISTERED,
        lambda: registration_add_visitor(actor=staff, event=event, visitor=first.visitor),
    )


def test_a_visitor_of_another_lab_or_by_someone_else_is_refused(lab):
    staff = make_lab_staff()
    event = make_event(lab)
    elsewhere = make_lab(SUMIDA, name="墨田区 ラボ")
    _refused(
        EventErrorCode.VISITOR_INVALID,
        lambda: registration_add_visitor(actor=staff, event=event, visitor=make_visitor(elsewhere)),
    )
    visitor = make_visitor(lab)
    other_ward_staff = WardRoleFactory(role=WardRole.LAB_STAFF, municipality=ward(SUMIDA)).user
    for actor in (make_member()[1], WardRoleFactory(role=WardRole.OFFICER).user, other_ward_staff):
        _refused(
            EventErrorCode.NOT_LAB_STAFF,
            lambda actor=actor: registration_add_visitor(actor=actor, event=event, visitor=visitor),
        )


def test_a_desk_visitor_is_not_registered_for_a_started_or_cancelled_event(lab):
    staff = make_lab_staff()
    visitor = make_visitor(lab)
    started = make_event(lab, starts_in=-dt.timedelta(minutes=5))
    cancelled = make_event(lab, status=EventStatus.CANCELLED)
    _refused(
        EventErrorCode.EVENT_STARTED,
        lambda: registration_add_visitor(actor=staff, event=started, visitor=visitor),
    )
    _refused(
        EventErrorCode.EVENT_CANCELLED,
        lambda: registration_add_visitor(actor=staff, event=cancelled, visitor=visitor),
    )
