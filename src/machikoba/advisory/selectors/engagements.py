"""Reads of one engagement: the page each of its people sees (team, phases with their due
dates and evidence, visits, measurements with their change, hours) and what they may do
there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.advisory.choices import Better, EngagementStatus, PhaseStatus
from machikoba.advisory.models import (
    Engagement,
    EngagementMember,
    Measurement,
    Phase,
    PhaseEvidence,
    Visit,
)
from machikoba.core.access import CHANGE, MANAGE, OWNER_ROLES, VIEW, has_role


@dataclass(frozen=True)
class Change:
    """How a measurement moved: the difference, the percentage of the value before
    (None when that was 0) and whether it went the better way (None: no change)."""

    difference: Decimal
    percent: Decimal | None
    improved: bool | None


def measurement_change(measurement: Measurement) -> Change | None:
    if measurement.after_value is None:
        return None
    before, after = Decimal(measurement.before_value), Decimal(measurement.after_value)
    difference = after - before
    percent = None
    if before != 0:
        percent = (difference / before * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    improved: bool | None = None
    if difference != 0:
        improved = difference < 0 if measurement.better == Better.LOWER else difference > 0
    return Change(difference=difference, percent=percent, improved=improved)


@dataclass(frozen=True)
class PhaseRow:
    phase: Phase
    overdue: bool
    evidence: list[PhaseEvidence]
    # The phase before it is done (or it is the first): it may be completed.
    may_complete: bool


@dataclass(frozen=True)
class MeasurementRow:
    measurement: Measurement
    change: Change | None


@dataclass(frozen=True)
class Hours:
    total_minutes: int
    signed_minutes: int

    @property
    def unsigned_minutes(self) -> int:
        return self.total_minutes - self.signed_minutes


@dataclass(frozen=True)
class EngagementPage:
    engagement: Engagement
    members: list[EngagementMember]
    phases: list[PhaseRow]
    visits: list[Visit]
    measurements: list[MeasurementRow]
    hours: Hours
    # What the person looking may do here.
    is_office: bool
    is_team: bool
    is_lead: bool
    is_owner: bool
    my_advisor_id: int | None = None
    evidence_count: int = field(default=0)

    @property
    def active(self) -> bool:
        return self.engagement.status == EngagementStatus.ACTIVE

    @property
    def may_change(self) -> bool:
        return self.active and (self.is_office or self.is_team)

    @property
    def may_close(self) -> bool:
        return self.active and (self.is_office or self.is_lead) and self.all_done

    @property
    def all_done(self) -> bool:
        return all(row.phase.status == PhaseStatus.DONE for row in self.phases)

    @property
    def done_count(self) -> int:
        return sum(1 for row in self.phases if row.phase.status == PhaseStatus.DONE)

    @property
    def current_phase(self) -> Phase | None:
        return next((r.phase for r in self.phases if r.phase.status != PhaseStatus.DONE), None)

    @property
    def awaiting_sign_off(self) -> list[Visit]:
        return [v for v in self.visits if v.signed_off_at is None]


def is_overdue(phase: Phase, today: dt.date | None = None) -> bool:
    return phase.status != PhaseStatus.DONE and phase.due_on < (today or timezone.localdate())


def engagement_hours(visits: list[Visit]) -> Hours:
    return Hours(
        total_minutes=sum(v.minutes for v in visits),
        signed_minutes=sum(v.minutes for v in visits if v.signed_off_at is not None),
    )


def engagement_page(*, user: User, engagement: Engagement) -> EngagementPage:
    """Everything the engagement page shows, read through the access layer: the caller
    got ``engagement`` with ``get_for_user_or_404(..., VIEW)``."""
    today = timezone.localdate()
    members = list(
        EngagementMember.objects.for_user(user, VIEW)
        .filter(engagement=engagement)
        .select_related("advisor__user")
        .order_by("-lead", "id")
    )
    phases = list(
        Phase.objects.for_user(user, VIEW)
        .filter(engagement=engagement)
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=PhaseEvidence.objects.for_user(user, VIEW).order_by("id"),
                to_attr="visible_evidence",
            )
        )
        .order_by("order")
    )
    rows = []
    previous_done = True
    for phase in phases:
        rows.append(
            PhaseRow(
                phase=phase,
                overdue=is_overdue(phase, today),
                evidence=list(phase.visible_evidence),
                may_complete=previous_done and phase.status == PhaseStatus.IN_PROGRESS,
            )
        )
        previous_done = phase.status == PhaseStatus.DONE
    visits = list(
        Visit.objects.for_user(user, VIEW)
        .filter(engagement=engagement)
        .select_related("advisor__user", "signed_off_by")
        .order_by("-starts_at", "-id")
    )
    measurements = [
        MeasurementRow(measurement=m, change=measurement_change(m))
        for m in Measurement.objects.for_user(user, VIEW)
        .filter(engagement=engagement)
        .order_by("id")
    ]
    is_office = Engagement.objects.for_user(user, MANAGE).filter(pk=engagement.pk).exists()
    mine = next((m for m in members if m.advisor.user_id == user.pk), None)
    is_team = (
        mine is not None
        and mine.advisor.active
        and Engagement.objects.for_user(user, CHANGE).filter(pk=engagement.pk).exists()
    )
    return EngagementPage(
        engagement=engagement,
        members=members,
        phases=rows,
        visits=visits,
        measurements=measurements,
        hours=engagement_hours(visits),
        is_office=is_office,
        is_team=is_team,
        is_lead=is_team and mine is not None and mine.lead,
        is_owner=has_role(user, engagement.company, OWNER_ROLES),
        my_advisor_id=mine.advisor_id if is_team and mine is not None else None,
        evidence_count=sum(len(r.evidence) for r in rows),
    )


def engagements_visible(*, user: User, status: str | None = None) -> list[Engagement]:
    """The engagements ``user`` may see (their company's, their team's, their ward's),
    running first, newest start first; ``status`` narrows them. For the API's list."""
    rows = (
        Engagement.objects.for_user(user, VIEW)
        .select_related("company", "municipality")
        .order_by("status", "-starts_on", "-id")
    )
    if status:
        rows = rows.filter(status=status)
    return list(rows)
