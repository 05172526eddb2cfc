"""Test data of the lab's events: an event (published, a week ahead by default), a member
of a company to register, a registration in a given status, a desk visitor and a
survey answer. Times are relative to now: tests pass on any day."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.lab.choices import EventKind, EventStatus, RegistrationStatus
from machikoba.lab.models import Lab
from machikoba.lab.models_events import Event, Registration, SurveyResponse
from machikoba.lab.models_visits import Visitor


def make_event(
    lab: Lab,
    *,
    kind: str = EventKind.SEMINAR,
    status: str = EventStatus.PUBLISHED,
    starts_in: dt.timedelta = dt.timedelta(days=7),
    hours: float = 2,
    capacity: int = 10,
    **fields,
) -> Event:
    """An event of ``lab`` starting ``starts_in`` from now (negative: already begun)."""
    starts = fields.pop("starts_at", None) or timezone.now() + starts_in
    return Event.objects.create(
        lab=lab,
        kind=kind,
        status=status,
        title=fields.pop("title", "協働ロボット活用セミナー"),
        starts_at=starts,
        ends_at=fields.pop("ends_at", None) or starts + dt.timedelta(hours=hours),
        capacity=capacity,
        **fields,
    )


def make_member(company=None, *, role: str = CompanyRole.OWNER, **user_fields):
    """A person of ``company`` (a new shop by default): ``(company, user)``."""
    company = company or CompanyFactory()
    membership = MembershipFactory(
        company=company, role=role, **{f"user__{k}": v for k, v in user_fields.items()}
    )
    return company, membership.user


def register(
    event: Event,
    user=None,
    *,
    company=None,
    visitor: Visitor | None = None,
    status: str = RegistrationStatus.REGISTERED,
) -> Registration:
    """A registration made directly (no service, no notice)."""
    registration = Registration.objects.create(
        event=event,
        user=user,
        visitor=visitor,
        company=company,
        status=status,
        attended_at=timezone.now() if status == RegistrationStatus.ATTENDED else None,
    )
    return registration


def make_visitor(lab: Lab, name: str = "受付 花子", **fields) -> Visitor:
    return Visitor.objects.create(lab=lab, name=name, **fields)


def answer_survey(registration: Registration, **fields) -> SurveyResponse:
    values = {"rating": 4, "useful": True, "met_partner": "", "comment": ""}
    values.update(fields)
    return SurveyResponse.objects.create(registration=registration, **values)
