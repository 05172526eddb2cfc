"""The two doors into the lab: 「マイラボ」 for anyone with an account (what they have booked,
registered for, passed, asked for) and 「ラボの運営」 for the support office (the labs of
the wards it serves: for lab staff every desk, for officers the figures and the
consortium)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.core.access import (
    CHANGE,
    SUPPORT,
    VIEW,
    WARD_OFFICER,
    member_company_ids,
    municipality_ids_for,
)
from machikoba.lab.access import office_wards
from machikoba.lab.choices import (
    BookingStatus,
    RegistrationStatus,
    TrialStatus,
    WaitlistStatus,
)
from machikoba.lab.models import Lab, TrainingRecord
from machikoba.lab.models_bookings import Booking, WaitlistEntry
from machikoba.lab.models_events import Registration
from machikoba.lab.models_vendors import TrialRequest


@dataclass(frozen=True)
class MyLab:
    labs: list[Lab]
    next_booking: Booking | None
    upcoming_bookings: int
    offers: int
    registrations: int
    valid_trainings: int
    active_trials: int
    has_company: bool


def my_lab(user: User) -> MyLab:
    now = timezone.now()
    today = timezone.localdate()
    bookings = (
        Booking.objects.for_user(user, VIEW)
        .filter(user=user, status=BookingStatus.BOOKED, ends_at__gte=now)
        .select_related("item", "lab")
        .order_by("starts_at", "pk")
    )
    companies = member_company_ids(user)
    return MyLab(
        labs=list(Lab.objects.for_user(user, VIEW).filter(active=True).order_by("name", "pk")),
        next_booking=bookings.first(),
        upcoming_bookings=bookings.count(),
        offers=WaitlistEntry.objects.for_user(user, VIEW)
        .filter(user=user, status=WaitlistStatus.OFFERED, offer_expires_at__gt=now)
        .count(),
        registrations=Registration.objects.for_user(user, VIEW)
        .filter(
            user=user,
            status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED),
            event__ends_at__gte=now,
        )
        .count(),
        valid_trainings=TrainingRecord.objects.for_user(user, VIEW)
        .filter(user=user, revoked_at__isnull=True, expires_on__gte=today)
        .count(),
        active_trials=TrialRequest.objects.for_user(user, VIEW)
        .filter(company__in=companies, status__in=(TrialStatus.REQUESTED, TrialStatus.ACTIVE))
        .count(),
        has_company=bool(companies),
    )


@dataclass(frozen=True)
class OfficeLab:
    lab: Lab
    runs: bool  # lab staff of its ward: every desk; otherwise (an officer) the figures


@dataclass(frozen=True)
class LabOffice:
    labs: list[OfficeLab] = field(default_factory=list)
    consortium: bool = False  # partners, projects, matchings (staff and officers)
    referrals: bool = False  # DX-loan referrals (officers)

    @property
    def any(self) -> bool:
        return bool(self.labs) or self.consortium


def lab_office(user: User) -> LabOffice:
    """The labs ``user`` runs (CHANGE) or counts for (SUPPORT), and the office's other
    doors; empty for anyone else."""
    run = set(Lab.objects.for_user(user, CHANGE).values_list("pk", flat=True))
    labs = list(
        Lab.objects.for_user(user, SUPPORT).select_related("municipality").order_by("name", "pk")
    )
    return LabOffice(
        labs=[OfficeLab(lab, lab.pk in run) for lab in labs],
        consortium=bool(office_wards(user)),
        referrals=bool(municipality_ids_for(user, WARD_OFFICER)),
    )
