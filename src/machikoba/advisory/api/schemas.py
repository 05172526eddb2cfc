"""What the advisory API reads and writes: the schemas and the functions that turn the
selectors' rows into them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from machikoba.advisory.models import (
    Advisor,
    Engagement,
    EngagementMember,
    Measurement,
    Phase,
    PhaseEvidence,
    SupportRequest,
    Visit,
)
from machikoba.advisory.selectors import EngagementPage, MeasurementRow, PhaseRow
from machikoba.core.api_fields import MeasureDecimal
from machikoba.core.ids import BodyId

EngagementStatusChoice = Literal["active", "closed", "cancelled"]
KindChoice = Literal["it_expert", "sme_consultant", "other"]
BetterChoice = Literal["lower", "higher"]

# --- out ---------------------------------------------------------------------------------


class AdvisoryRequestOut(Schema):
    id: int
    company_id: int
    company_name: str
    municipality_id: int
    origin: str = Field(description="company (asked by the company) or officer (proposed)")
    status: str = Field(description="proposed, open, assigned, declined or withdrawn")
    topics: str
    description: str
    graduation_id: int | None
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class AdvisorOut(Schema):
    id: int
    user_id: int
    name: str
    kind: str
    organisation: str
    specialties: str
    active: bool


class MemberOut(Schema):
    advisor: AdvisorOut
    lead: bool


class EvidenceOut(Schema):
    id: int
    title: str
    original_name: str
    mime: str
    size: int
    uploaded_at: dt.datetime


class PhaseOut(Schema):
    id: int
    engagement_id: int
    kind: str
    order: int
    due_on: dt.date
    status: str = Field(description="not_started, in_progress or done")
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    note: str
    overdue: bool
    may_complete: bool = Field(description="in progress and the phase before it is done")
    evidence: list[EvidenceOut]


class VisitOut(Schema):
    id: int
    engagement_id: int
    advisor_id: int
    advisor_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    minutes: int
    work_done: str
    next_steps: str
    signed_off_at: dt.datetime | None


class MeasurementOut(Schema):
    id: int
    engagement_id: int
    name: str
    unit: str
    better: str
    before_value: Decimal
    before_on: dt.date
    after_value: Decimal | None
    after_on: dt.date | None
    difference: Decimal | None = Field(description="after minus before, once measured")
    percent: Decimal | None = Field(description="the change in % of the value before")
    improved: bool | None = Field(description="moved the better way (null: no change yet)")


class EngagementSummaryOut(Schema):
    id: int
    company_id: int
    company_name: str
    municipality_id: int
    request_id: int
    status: str
    starts_on: dt.date
    ends_on: dt.date
    closed_at: dt.datetime | None


class HoursOut(Schema):
    total_minutes: int
    signed_minutes: int
    unsigned_minutes: int


class EngagementOut(EngagementSummaryOut):
    closing_summary: str
    members: list[MemberOut]
    phases: list[PhaseOut]
    visits: list[VisitOut]
    measurements: list[MeasurementOut]
    hours: HoursOut
    is_office: bool = Field(description="the caller is an officer of the engagement's ward")
    is_team: bool = Field(description="the caller is an advisor on its team")
    is_lead: bool
    is_owner: bool = Field(description="the caller owns the company (signs visits off)")
    may_change: bool
    may_close: bool


# --- in ----------------------------------------------------------------------------------


class AdvisoryRequestIn(Schema):
    topics: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=3000)


class AdvisoryProposeIn(AdvisoryRequestIn):
    company_id: BodyId = Field(description="a company of a ward the officer serves")
    graduation_id: BodyId | None = Field(None, description="the DX道場 graduation it follows")


class AdvisoryReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class VisitIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    work_done: str = Field(min_length=1, max_length=3000)
    next_steps: str = Field("", max_length=2000)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class MeasurementIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    unit: str = Field(min_length=1, max_length=20)
    better: BetterChoice
    before_value: MeasureDecimal
    before_on: dt.date


class AfterIn(Schema):
    after_value: MeasureDecimal
    after_on: dt.date


class CloseIn(Schema):
    summary: str = Field(min_length=1, max_length=4000)


class DatesIn(Schema):
    starts_on: dt.date
    ends_on: dt.date


class AssignIn(DatesIn):
    advisor_ids: list[BodyId] = Field(min_length=1, max_length=20)
    lead_id: BodyId | None = Field(None, description="one of advisor_ids; default the first")


class AdvisorEditIn(Schema):
    kind: KindChoice
    organisation: str = Field("", max_length=120)
    specialties: str = Field("", max_length=300)
    ward_ids: list[BodyId] = Field(min_length=1, max_length=30)
    capacity: int = Field(ge=1, le=20)
    hourly_fee: int = Field(ge=0, le=100_000)
    active: bool = True


class AdvisorIn(AdvisorEditIn):
    email: str = Field(
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="the e-mail address of the person's machikoba account",
    )


# --- rows to schemas ---------------------------------------------------------------------


def request_out(row: SupportRequest) -> AdvisoryRequestOut:
    return AdvisoryRequestOut(
        id=row.pk,
        company_id=row.company_id,
        company_name=row.company.name,
        municipality_id=row.municipality_id,
        origin=row.origin,
        status=row.status,
        topics=row.topics,
        description=row.description,
        graduation_id=row.graduation_id,
        created_at=row.created_at,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
    )


def advisor_out(advisor: Advisor) -> AdvisorOut:
    return AdvisorOut(
        id=advisor.pk,
        user_id=advisor.user_id,
        name=advisor.user.get_full_name(),
        kind=advisor.kind,
        organisation=advisor.organisation,
        specialties=advisor.specialties,
        active=advisor.active,
    )


def member_out(member: EngagementMember) -> MemberOut:
    return MemberOut(advisor=advisor_out(member.advisor), lead=member.lead)


def evidence_out(evidence: PhaseEvidence) -> EvidenceOut:
    return EvidenceOut(
        id=evidence.pk,
        title=evidence.title,
        original_name=evidence.original_name,
        mime=evidence.mime,
        size=evidence.size,
        uploaded_at=evidence.uploaded_at,
    )


def phase_out(row: PhaseRow) -> PhaseOut:
    phase: Phase = row.phase
    return PhaseOut(
        id=phase.pk,
        engagement_id=phase.engagement_id,
        kind=phase.kind,
        order=phase.order,
        due_on=phase.due_on,
        status=phase.status,
        started_at=phase.started_at,
        completed_at=phase.completed_at,
        note=phase.note,
        overdue=row.overdue,
        may_complete=row.may_complete,
        evidence=[evidence_out(e) for e in row.evidence],
    )


def visit_out(visit: Visit) -> VisitOut:
    return VisitOut(
        id=visit.pk,
        engagement_id=visit.engagement_id,
        advisor_id=visit.advisor_id,
        advisor_name=visit.advisor.user.get_full_name(),
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        minutes=visit.minutes,
        work_done=visit.work_done,
        next_steps=visit.next_steps,
        signed_off_at=visit.signed_off_at,
    )


def measurement_out(row: MeasurementRow) -> MeasurementOut:
    m: Measurement = row.measurement
    change = row.change
    return MeasurementOut(
        id=m.pk,
        engagement_id=m.engagement_id,
        name=m.name,
        unit=m.unit,
        better=m.better,
        before_value=m.before_value,
        before_on=m.before_on,
        after_value=m.after_value,
        after_on=m.after_on,
        difference=change.difference if change else None,
        percent=change.percent if change else None,
        improved=change.improved if change else None,
    )


def summary_fields(item: Engagement) -> dict[str, object]:
    return {
        "id": item.pk,
        "company_id": item.company_id,
        "company_name": item.company.name,
        "municipality_id": item.municipality_id,
        "request_id": item.request_id,
        "status": item.status,
        "starts_on": item.starts_on,
        "ends_on": item.ends_on,
        "closed_at": item.closed_at,
    }


def engagement_summary_out(item: Engagement) -> EngagementSummaryOut:
    return EngagementSummaryOut(**summary_fields(item))  # type: ignore[arg-type]


def engagement_out(page: EngagementPage) -> EngagementOut:
    return EngagementOut(
        **summary_fields(page.engagement),  # type: ignore[arg-type]
        closing_summary=page.engagement.closing_summary,
        members=[member_out(m) for m in page.members],
        phases=[phase_out(r) for r in page.phases],
        visits=[visit_out(v) for v in page.visits],
        measurements=[measurement_out(r) for r in page.measurements],
        hours=HoursOut(
            total_minutes=page.hours.total_minutes,
            signed_minutes=page.hours.signed_minutes,
            unsigned_minutes=page.hours.unsigned_minutes,
        ),
        is_office=page.is_office,
        is_team=page.is_team,
        is_lead=page.is_lead,
        is_owner=page.is_owner,
        may_change=page.may_change,
        may_close=page.may_close,
    )
