"""Caller-trusted writes of the lab: they check no user's rights, because their caller (a
checked service of this package: a booking's owner, the kiosk's code, lab staff) already
did. Views never import this module (``lint-imports`` checks).

The only places that assign ``Booking.status`` and ``Registration.status``, by the tables
in ``lab.transitions``; and the one way a training record is made (by staff by hand, or
from a training session's attendance).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError
from machikoba.lab.choices import BookingStatus, RegistrationStatus
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.error_codes_events import EventErrorCode
from machikoba.lab.models import Training, TrainingRecord
from machikoba.lab.models_bookings import Booking, WaitlistEntry
from machikoba.lab.models_events import Event, Registration
from machikoba.lab.transitions import booking_may_move, registration_may_move


def lock_booking(pk: int) -> Booking:
    return Booking.objects.select_for_update(of=("self",)).select_related("item", "lab").get(pk=pk)


def booking_transition(
    *, booking: Booking, to: str, actor: User | None, at: dt.datetime | None = None
) -> Booking:
    """Move ``booking`` (locked by the caller) to ``to``; refused unless the table allows
    it. Stamps ``checked_in_at`` (in use) or ``cancelled_at`` (cancelled)."""
    if not booking_may_move(booking.status, to):
        raise ApplicationError(
            BookingErrorCode.TRANSITION_NOT_ALLOWED,
            _("この予約は「%(status)s」のため、この操作はできません。")
            % {"status": booking.get_status_display()},
            status_code=409,
        )
    moment = at or timezone.now()
    before = booking.status
    booking.status = to
    if to == BookingStatus.IN_USE:
        booking.checked_in_at = moment
    if to == BookingStatus.CANCELLED:
        booking.cancelled_at = moment
    booking.full_clean()
    booking.save()
    audit_record(
        actor=actor,
        verb=f"lab_booking.{to}",
        target=booking,
        company=booking.company,
        before={"status": before},
        after={"status": to},
    )
    return booking


def registration_transition(
    *, registration: Registration, to: str, actor: User | None, at: dt.datetime | None = None
) -> Registration:
    """Move ``registration`` (locked by the caller) to ``to``; refused unless the table
    allows it. Stamps ``attended_at`` or ``cancelled_at``."""
    if not registration_may_move(registration.status, to):
        raise ApplicationError(
            EventErrorCode.TRANSITION_NOT_ALLOWED,
            _("この申込みは「%(status)s」のため、この操作はできません。")
            % {"status": registration.get_status_display()},
            status_code=409,
        )
    moment = at or timezone.now()
    before = registration.status
    registration.status = to
    if to == RegistrationStatus.ATTENDED:
        registration.attended_at = moment
    if to == RegistrationStatus.CANCELLED:
        registration.cancelled_at = moment
    registration.full_clean()
    registration.save()
    audit_record(
        actor=actor,
        verb=f"lab_registration.{to}",
        target=registration,
        company=registration.company,
        before={"status": before},
        after={"status": to},
    )
    return registration


def training_record_create(
    *,
    training: Training,
    user: User,
    actor: User | None,
    company: Company | None = None,
    passed_on: dt.date | None = None,
    event: Event | None = None,
) -> TrainingRecord:
    """Record that ``user`` passed ``training`` on ``passed_on`` (default today), valid for
    the training's ``validity_days``. The caller checked that ``actor`` runs the lab."""
    passed = passed_on or timezone.localdate()
    record = TrainingRecord(
        training=training,
        user=user,
        company=company,
        event=event,
        passed_on=passed,
        expires_on=passed + dt.timedelta(days=training.validity_days),
        recorded_by=actor,
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        verb="lab_training_record.create",
        target=record,
        company=company,
        after={"training": training.pk, "user": user.pk, "expires_on": str(record.expires_on)},
    )
    return record


def waitlist_status_set(
    *,
    entry: WaitlistEntry,
    to: str,
    actor: User | None,
    verb: str,
    after: dict[str, str] | None = None,
) -> WaitlistEntry:
    """Move a waitlist entry (locked by the caller) to ``to``, saving whatever else the
    caller changed on it (an offer's times), with an audit event."""
    before = entry.status
    entry.status = to
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor,
        verb=verb,
        target=entry,
        company=entry.company,
        before={"status": before},
        after={"status": to, **(after or {})},
    )
    return entry
