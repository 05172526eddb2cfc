"""Permission matrix of the lab's events. Anyone signed in reads the published events and
registers; a draft is "not found" except to the lab's staff (大田区's, here). A
registration is its person's (they cancel it; their company's editors see it but may not
cancel it: 403) and the lab staff's; everybody else does not find it. The staff's pages
and buttons of a published event are refused (403) to anyone else, the survey is the
attendee's alone."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories_lab import make_lab, make_training
from machikoba.core.testing.factories_lab_events import make_event, make_visitor, register
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    REFUSED,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.lab.choices import EventKind, EventStatus, RegistrationStatus
from machikoba.lab.models import TrainingRecord
from machikoba.lab.models_events import Event, Registration, SurveyResponse

SIGNED_IN = expect(200, **{ANONYMOUS: LOGIN})
# Pages of the staff: a published event is visible to all, so anyone else gets a 403.
STAFF_PAGE = expect(403, **{ANONYMOUS: LOGIN, LAB_STAFF: 200})
STAFF_BUTTON = expect(403, **{ANONYMOUS: LOGIN, LAB_STAFF: DONE})
# A draft: nobody but the lab's staff finds it.
DRAFT_BUTTON = expect(404, **{ANONYMOUS: LOGIN, LAB_STAFF: DONE})


def _event(w, **fields):
    w.event = make_event(make_lab(), **fields)
    return w.event


def _at(name, **fields):
    return lambda w: reverse(f"lab:{name}", args=[_event(w, **fields).pk])


def _members_registration(w, **fields):
    """The world's company owner's registration (an event underway by default)."""
    fields.setdefault("starts_in", -dt.timedelta(minutes=30))
    status = fields.pop("status", RegistrationStatus.REGISTERED)
    event = _event(w, **fields)
    w.registration = register(event, w.users[MEMBER], company=w.company, status=status)
    return w.registration


def _registration_url(name, **fields):
    return lambda w: reverse(f"lab:{name}", args=[_members_registration(w, **fields).pk])


def _survey_url(w):
    registration = _members_registration(
        w, starts_in=-dt.timedelta(hours=3), status=RegistrationStatus.ATTENDED
    )
    return reverse("lab:event_survey", args=[registration.event_id])


def _training_url(w):
    lab = make_lab()
    w.event = make_event(
        lab,
        kind=EventKind.TRAINING,
        training=make_training(lab),
        starts_in=-dt.timedelta(minutes=30),
    )
    register(w.event, w.users[MEMBER], company=w.company, status=RegistrationStatus.ATTENDED)
    return reverse("lab:event_training_records", args=[w.event.pk])


def _visitor_url(w):
    event = _event(w)
    w.visitor = make_visitor(event.lab)
    return reverse("lab:event_register_visitor", args=[event.pk])


def _event_data(w):
    starts = timezone.localtime() + dt.timedelta(days=10)
    return {
        "lab": str(w.event.lab_id) if getattr(w, "event", None) else str(make_lab().pk),
        "kind": EventKind.EXCHANGE,
        "title": "大田区 ものづくり交流会",
        "starts_at": starts.strftime("%Y-%m-%dT18:00"),
        "ends_at": starts.strftime("%Y-%m-%dT20:00"),
        "capacity": "30",
    }


def _registrations(w):
    return Registration.objects.values_list("pk", "status")


def _status(w):
    return Event.objects.values_list("pk", "status")


MATRIX = [
    Case("lab:event_list", lambda w: _event(w) and reverse("lab:event_list"), SIGNED_IN),
    Case(
        "lab:event_mine",
        lambda w: _members_registration(w) and reverse("lab:event_mine"),
        SIGNED_IN,
    ),
    Case(
        "lab:event_staff_list",
        lambda w: _event(w) and reverse("lab:event_staff_list"),
        STAFF_PAGE,
    ),
    Case("lab:event_create", lambda w: _event(w) and reverse("lab:event_create"), STAFF_PAGE),
    Case(
        "lab:event_create",
        lambda w: _event(w) and reverse("lab:event_create"),
        STAFF_BUTTON,
        method="POST",
        data=_event_data,
        effect=lambda w: Event.objects.count(),
    ),
    Case("lab:event_detail", _at("event_detail"), SIGNED_IN),
    Case(
        "lab:event_detail",
        _at("event_detail", status=EventStatus.DRAFT),
        expect(404, **{ANONYMOUS: LOGIN, LAB_STAFF: 200}),
        note="draft",
    ),
    Case(
        "lab:event_register",
        _at("event_register"),
        expect(DONE, **{ANONYMOUS: LOGIN}),
        method="POST",
        effect=lambda w: Registration.objects.count(),
    ),
    Case(
        "lab:event_register",
        _at("event_register", status=EventStatus.DRAFT),
        expect(404, **{ANONYMOUS: LOGIN, LAB_STAFF: REFUSED}),
        method="POST",
        effect=lambda w: Registration.objects.count(),
        note="draft",
    ),
    Case("lab:event_survey", _survey_url, expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200})),
    Case(
        "lab:event_survey",
        _survey_url,
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE}),
        method="POST",
        data=lambda w: {"rating": "4", "useful": "yes", "met_partner": "", "comment": ""},
        effect=lambda w: SurveyResponse.objects.count(),
    ),
    Case("lab:event_edit", _at("event_edit"), STAFF_PAGE),
    Case(
        "lab:event_edit",
        _at("event_edit"),
        STAFF_BUTTON,
        method="POST",
        data=_event_data,
        effect=lambda w: Event.objects.values_list("title", flat=True),
    ),
    Case("lab:event_staff", _at("event_staff"), STAFF_PAGE),
    Case(
        "lab:event_publish",
        _at("event_publish", status=EventStatus.DRAFT),
        DRAFT_BUTTON,
        method="POST",
        effect=_status,
    ),
    Case("lab:event_cancel", _at("event_cancel"), STAFF_BUTTON, method="POST", effect=_status),
    Case(
        "lab:event_register_visitor",
        _visitor_url,
        STAFF_BUTTON,
        method="POST",
        data=lambda w: {"visitor": str(w.visitor.pk)},
        effect=lambda w: Registration.objects.count(),
    ),
    Case(
        "lab:event_attendance",
        _at("event_attendance", starts_in=-dt.timedelta(minutes=30)),
        STAFF_PAGE,
    ),
    Case(
        "lab:event_registration_attend",
        _registration_url("event_registration_attend"),
        # The person and their company's editors see the registration, may not mark it.
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: 403, STAFF: 403, LAB_STAFF: DONE}),
        method="POST",
        effect=_registrations,
    ),
    Case(
        "lab:event_training_records",
        _training_url,
        STAFF_BUTTON,
        method="POST",
        effect=lambda w: TrainingRecord.objects.count(),
    ),
    Case(
        "lab:event_registration_cancel",
        _registration_url("event_registration_cancel", starts_in=dt.timedelta(days=3)),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: 403, LAB_STAFF: DONE}),
        method="POST",
        effect=_registrations,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
