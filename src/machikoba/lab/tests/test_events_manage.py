"""Lab staff create, edit, publish and cancel their lab's events: every field refused with
a clear message (nothing saved), a training session names a training of the lab, the
capacity never drops below the places taken and a larger one moves the waitlist up, and a
cancellation tells everyone registered or waiting."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, WardRoleFactory, ward
from machikoba.core.testing.factories_lab import (
    make_lab,
    make_lab_staff,
    make_training,
    make_vendor,
)
from machikoba.core.testing.factories_lab_events import make_event, make_member, register
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import EventKind, EventStatus, RegistrationStatus
from machikoba.lab.error_codes_events import EventErrorCode
from machikoba.lab.models_events import Event
from machikoba.lab.selectors.events import event_cards
from machikoba.lab.services.events import (
    event_cancel,
    event_create,
    event_publish,
    event_update,
)

pytestmark = pytest.mark.django_db

R = RegistrationStatus


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def staff():
    return make_lab_staff()


def _values(**overrides):
    starts = timezone.now() + dt.timedelta(days=10)
    values = {
        "kind": EventKind.SEMINAR,
        "title": "IoTで見える化 入門セミナー",
        "description": "稼働監視の始め方",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "place": "セミナールーム",
        "capacity": 20,
        "registration_closes_at": starts - dt.timedelta(days=1),
        "training": None,
        "host": None,
    }
    values.update(overrides)
    return values


def _invalid(call, code=EventErrorCode.EVENT_INVALID):
    before = list(Event.objects.values_list("pk", "status", "capacity", "title"))
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    assert list(Event.objects.values_list("pk", "status", "capacity", "title")) == before
    return caught.value


def test_staff_create_a_draft_only_they_see_until_published(lab, staff):
    vendor = make_vendor()
    event = event_create(actor=staff, lab=lab, **_values(host=vendor))
    assert event.status == EventStatus.DRAFT
    assert event.created_by == staff
    assert event.host == vendor
    assert AuditEvent.objects.filter(verb="lab_event.create", target_id=str(event.pk)).exists()
    _, member = make_member()
    assert event_cards(member) == []
    assert [c.event for c in event_cards(staff)] == []  # the list shows published ones
    event_publish(actor=staff, event=event)
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert [c.event for c in event_cards(member)] == [event]


def test_only_the_labs_staff_create(lab):
    other_ward_staff = WardRoleFactory(role=WardRole.LAB_STAFF, municipality=ward(SUMIDA)).user
    for actor in (
        make_member()[1],
        WardRoleFactory(role=WardRole.OFFICER).user,
        other_ward_staff,
        make_vendor().memberships.get().user,
    ):
        _invalid(
            lambda actor=actor: event_create(actor=actor, lab=lab, **_values()),
            EventErrorCode.NOT_LAB_STAFF,
        )


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("title", {"title": "  "}),
        ("kind", {"kind": "party"}),
        ("starts_at", {"starts_at": None}),
        ("ends_at", {"ends_at": None}),
        ("capacity", {"capacity": 0}),
        ("capacity", {"capacity": 5000}),
        ("capacity", {"capacity": None}),
    ],
)
def test_each_field_is_checked(lab, staff, field, overrides):
    error = _invalid(lambda: event_create(actor=staff, lab=lab, **_values(**overrides)))
    assert field in error.fields


def test_times_are_checked(lab, staff):
    now = timezone.now()
    past = _invalid(
        lambda: event_create(
            actor=staff,
            lab=lab,
            **_values(starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=1)),
        )
    )
    assert str(past.fields["starts_at"][0]) == "開始は今より後の日時にしてください。"
    start = now + dt.timedelta(days=3)
    backwards = _invalid(
        lambda: event_create(
            actor=staff,
            lab=lab,
            **_values(starts_at=start, ends_at=start - dt.timedelta(hours=1)),
        )
    )
    assert "ends_at" in backwards.fields
    late = _invalid(
        lambda: event_create(
            actor=staff,
            lab=lab,
            **_values(
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                registration_closes_at=start + dt.timedelta(minutes=1),
            ),
        )
    )
    assert "registration_closes_at" in late.fields


def test_a_training_session_names_a_training_of_the_lab(lab, staff):
    training = make_training(lab)
    elsewhere = make_training(make_lab(SUMIDA, name="墨田区 ラボ"), name="よその講習")
    missing = _invalid(
        lambda: event_create(actor=staff, lab=lab, **_values(kind=EventKind.TRAINING))
    )
    assert "training" in missing.fields
    foreign = _invalid(
        lambda: event_create(
            actor=staff, lab=lab, **_values(kind=EventKind.TRAINING, training=elsewhere)
        )
    )
    assert str(foreign.fields["training"][0]) == "このラボの講習を選んでください。"
    stray = _invalid(lambda: event_create(actor=staff, lab=lab, **_values(training=training)))
    assert "training" in stray.fields
    event = event_create(
        actor=staff, lab=lab, **_values(kind=EventKind.TRAINING, training=training)
    )
    assert event.training == training


def test_the_co_host_is_a_vendor(lab, staff):
    error = _invalid(lambda: event_create(actor=staff, lab=lab, **_values(host=CompanyFactory())))
    assert str(error.fields["host"][0]) == "共催できるのはITベンダーだけです。"


def test_the_capacity_stays_above_the_places_taken(lab, staff):
    event = make_event(lab, capacity=3)
    for _ in range(3):
        register(event, make_member()[1])
    error = _invalid(
        lambda: event_update(actor=staff, event=event, capacity=2),
        EventErrorCode.CAPACITY_BELOW_REGISTERED,
    )
    assert "3 人" in str(error.fields["capacity"][0])


def test_a_larger_capacity_moves_the_waitlist_up(lab, staff, django_capture_on_commit_callbacks):
    event = make_event(lab, capacity=1)
    register(event, make_member()[1])
    waiting = [register(event, make_member()[1], status=R.WAITLISTED) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        event_update(actor=staff, event=event, capacity=3, place="大会議室")
    run_queued_tasks("notification")
    for registration in waiting:
        registration.refresh_from_db()
    assert [r.status for r in waiting] == [R.REGISTERED, R.REGISTERED, R.WAITLISTED]
    assert Notification.objects.filter(kind="lab_event_promoted").count() == 2
    event.refresh_from_db()
    assert (event.capacity, event.place) == (3, "大会議室")
    assert AuditEvent.objects.get(verb="lab_event.update").before["capacity"] == 1


def test_an_event_underway_keeps_its_start_when_edited(lab, staff):
    event = make_event(lab, starts_in=-dt.timedelta(minutes=30))
    event_update(actor=staff, event=event, place="2階")  # the start is not moved: fine
    _invalid(
        lambda: event_update(
            actor=staff, event=event, starts_at=timezone.now() - dt.timedelta(minutes=10)
        )
    )


def test_others_may_not_edit_publish_or_cancel(lab):
    event = make_event(lab, status=EventStatus.DRAFT)
    for actor in (make_member()[1], WardRoleFactory(role=WardRole.OFFICER).user):
        for call in (
            lambda actor=actor: event_update(actor=actor, event=event, title="x"),
            lambda actor=actor: event_publish(actor=actor, event=event),
            lambda actor=actor: event_cancel(actor=actor, event=event),
        ):
            _invalid(call, EventErrorCode.NOT_LAB_STAFF)


def test_publishing_twice_or_too_late_is_refused(lab, staff):
    published = make_event(lab)
    _invalid(lambda: event_publish(actor=staff, event=published), EventErrorCode.EVENT_NOT_DRAFT)
    late = make_event(lab, status=EventStatus.DRAFT, starts_in=-dt.timedelta(minutes=1))
    _invalid(lambda: event_publish(actor=staff, event=late), EventErrorCode.EVENT_STARTED)


def test_cancelling_tells_everyone_registered_or_waiting(
    lab, staff, django_capture_on_commit_callbacks
):
    event = make_event(lab, capacity=1)
    (_, registered), (_, waiting), (_, gone) = make_member(), make_member(), make_member()
    register(event, registered)
    register(event, waiting, status=R.WAITLISTED)
    register(event, gone, status=R.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(actor=staff, event=event, reason="講師の急病のため")
    run_queued_tasks("notification")
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    told = Notification.objects.filter(kind="lab_event_cancelled")
    assert {n.user for n in told} == {registered, waiting}
    assert "講師の急病のため" in told.first().body
    assert told.first().url.endswith("/lab/events/mine/")
    _invalid(lambda: event_cancel(actor=staff, event=event), EventErrorCode.EVENT_CANCELLED)
    _invalid(
        lambda: event_update(actor=staff, event=event, title="再開"), EventErrorCode.EVENT_CANCELLED
    )
    _invalid(lambda: event_publish(actor=staff, event=event), EventErrorCode.EVENT_NOT_DRAFT)


def test_an_ended_event_is_not_cancelled_nor_edited(lab, staff):
    event = make_event(lab, starts_in=-dt.timedelta(hours=3), hours=1)
    _invalid(lambda: event_cancel(actor=staff, event=event), EventErrorCode.EVENT_ENDED)
    _invalid(lambda: event_update(actor=staff, event=event, title="x"), EventErrorCode.EVENT_ENDED)


def test_a_long_cancel_reason_is_refused(lab, staff):
    event = make_event(lab)
    error = _invalid(lambda: event_cancel(actor=staff, event=event, reason="あ" * 201))
    assert "reason" in error.fields
