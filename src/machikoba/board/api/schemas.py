"""What the board API sends and takes. The ``*_out`` builders mask what the pages mask:
a request's details (poster, drawing number, description, delivery place, drawings) for
those who may see them, a hand's terms for its shop and the poster, a team's amounts as
``board.selectors.team_split`` decides."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from machikoba.accounts.models import User
from machikoba.board.access import hand_terms_visible
from machikoba.board.models import Admission, Hand, Request, RequestProcess, Team, TeamMember
from machikoba.board.selectors import TeamSplit
from machikoba.core.access import MEMBER_ROLES, VIEW, company_ids_for
from machikoba.core.api_fields import SOME_TEXT
from machikoba.core.ids import BodyId

PAYMENT_METHODS = Literal["bank_transfer", "cash"]


# --- out --------------------------------------------------------------------------------


class RouteItemOut(Schema):
    id: int
    position: int
    process: str = Field(description="process code")
    process_name: str
    spec: str


class RequestSummaryOut(Schema):
    """What every shop that sees a request on the board sees (no poster, no drawings)."""

    id: int
    part_name: str
    material: str | None = Field(description="material code")
    material_note: str
    quantity: int
    due_date: dt.date
    answer_by: dt.date
    area: str
    status: str
    audience: str
    joint: bool = Field(description="a buyer's request (answered by a team); else a posted job")
    route: list[RouteItemOut]


class OwnRequestOut(RequestSummaryOut):
    hands: int
    waiting_admissions: int
    quotes: int


class HandOut(Schema):
    id: int
    process_id: int
    company_id: int
    company_name: str
    price: int | None = Field(description="its shop and the poster only")
    lead_time_days: int | None = Field(description="its shop and the poster only")
    comment: str
    created_at: dt.datetime


class ProcessOut(RouteItemOut):
    step_id: int | None = Field(description="the posted job's step (a posted job only)")
    hands: list[HandOut]
    my_hand: HandOut | None


class AdmissionOut(Schema):
    id: int
    request_id: int
    company_id: int
    company_name: str
    status: str
    nda_version: str
    nda_accepted_at: dt.datetime
    decided_at: dt.datetime | None


class DocumentRefOut(Schema):
    id: int = Field(description="a document of the drawings API")
    title: str
    drawing_number: str


class MemberRefOut(Schema):
    id: int
    company_id: int
    company_name: str
    status: str


class TeamSummaryOut(Schema):
    id: int
    request_id: int
    part_name: str
    lead_id: int
    lead_name: str
    status: str
    price: int | None = Field(description="the quote: the lead's and the buyer's people")
    lead_time_days: int | None
    valid_until: dt.date | None
    sent_at: dt.datetime | None
    buyer_order_id: int | None
    members: list[MemberRefOut]


class BoardRequestOut(RequestSummaryOut):
    poster: bool = Field(description="the caller's company posted it")
    details: bool = Field(description="the caller sees the details")
    company_id: int | None = Field(description="the poster (details only)")
    company_name: str | None
    drawing_number: str | None
    description: str | None
    delivery_place: str | None
    documents: list[DocumentRefOut]
    cancel_reason: str
    nda_text: str = Field(description="the board's NDA a shop accepts to ask for the details")
    processes: list[ProcessOut]
    teams: list[TeamSummaryOut]
    my_team_id: int | None
    admission: AdmissionOut | None = Field(description="the calling shop's own request")
    admissions: list[AdmissionOut] = Field(description="for the poster")


class SplitLineOut(Schema):
    member_id: int
    company_id: int
    company_name: str
    status: str
    process_ids: list[int]
    amount: int | None = Field(description="null: not for the caller's eyes")
    delivery_date: dt.date | None
    note: str | None


class TeamOut(TeamSummaryOut):
    margin: int | None
    total: int | None
    sees_all: bool
    share_split: bool
    payment_days: int
    conditions: str | None
    lead: bool = Field(description="the caller's company leads")
    details: bool
    processes: list[RouteItemOut]
    assignments: dict[int, int] = Field(description="request process id → member id")
    lines: list[SplitLineOut]
    me: MemberRefOut | None = Field(description="the calling company's own row")
    problems: list[str] = Field(description="what stops the quote (the lead, while forming)")
    hands: list[HandOut] = Field(description="hands to invite from (the lead, while forming)")


class ThreadRefOut(Schema):
    thread_id: int = Field(description="a thread of the messaging API")


class RfqRefOut(Schema):
    rfq_id: int = Field(description="an RFQ of the network API")


class BoardCompanyRefOut(Schema):
    id: int
    name: str
    kind: str


# --- in ---------------------------------------------------------------------------------


class BoardFilters(Schema):
    all: bool = Field(False, description="every open request, not only the processes we take")
    process: str = Field("", max_length=100, description="process code (sub-processes too)")
    material_id: BodyId | None = None


class RouteIn(Schema):
    process: str = Field(max_length=100, description="process code")
    spec: str = Field("", max_length=500)


class BoardRequestIn(Schema):
    part_name: str = Field(max_length=200, pattern=SOME_TEXT)
    drawing_number: str = Field("", max_length=100)
    material_id: BodyId | None = None
    material_note: str = Field("", max_length=100)
    quantity: int = Field(ge=1, le=2_147_483_647)
    due_date: dt.date
    answer_by: dt.date
    area: str = Field("", max_length=60)
    delivery_place: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    document_ids: list[BodyId] = Field(default_factory=list, max_length=50)
    audience: Literal["board", "chosen"] = "board"
    invited_ids: list[BodyId] = Field(default_factory=list, max_length=50)
    route: list[RouteIn] = Field(min_length=1, max_length=20)


class JobPostIn(Schema):
    step_ids: list[BodyId] = Field(min_length=1, max_length=50)
    answer_by: dt.date
    description: str = Field("", max_length=5000)


class AdmissionIn(Schema):
    agree: Literal[True] = Field(description="the caller accepts the board's NDA")


class BoardDecisionIn(Schema):
    decision: Literal["admit", "refuse"]


class HandIn(Schema):
    """At least one of the three: an indicative price, a lead time or a comment."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["price"], "properties": {"price": {"type": "integer"}}},
                {
                    "required": ["lead_time_days"],
                    "properties": {"lead_time_days": {"type": "integer"}},
                },
                {"required": ["comment"], "properties": {"comment": {"pattern": SOME_TEXT}}},
            ]
        }
    )

    price: int | None = Field(None, ge=1, le=9_223_372_036_854_775_807)
    lead_time_days: int | None = Field(None, ge=1, le=365)
    comment: str = Field("", max_length=500)


class HandRfqIn(Schema):
    hand_ids: list[BodyId] = Field(min_length=1, max_length=50)


class BoardReasonIn(Schema):
    reason: str = Field(max_length=500, pattern=SOME_TEXT)


class BoardAwardIn(Schema):
    team_id: BodyId
    delivery_place: str = Field(max_length=300, pattern=SOME_TEXT)
    inspection_date: dt.date
    payment_date: dt.date
    payment_method: PAYMENT_METHODS = "bank_transfer"


class BoardInviteIn(Schema):
    company_id: BodyId


class AssignmentIn(Schema):
    process_id: BodyId
    member_id: BodyId | None = Field(description="null: take the process back")


class AssignmentsIn(Schema):
    assignments: list[AssignmentIn] = Field(min_length=1, max_length=20)


class TermsIn(Schema):
    margin: int = Field(ge=0, le=9_223_372_036_854_775_807)
    payment_days: int = Field(ge=0, le=60)
    share_split: bool = False


class TeamQuoteIn(Schema):
    lead_time_days: int = Field(ge=1, le=32767)
    valid_until: dt.date
    conditions: str = Field("", max_length=2000)


class BoardAnswerIn(Schema):
    answer: Literal["join", "decline"]


class MemberQuoteIn(Schema):
    price: int = Field(ge=1, le=9_223_372_036_854_775_807)
    delivery_date: dt.date
    note: str = Field("", max_length=500)


class BuyerIn(Schema):
    name: str = Field(max_length=200, pattern=SOME_TEXT)
    prefecture: str = Field(max_length=10, pattern=SOME_TEXT)
    municipality: str = Field(max_length=50, pattern=SOME_TEXT)
    address_line: str = Field("", max_length=200)


# --- builders ---------------------------------------------------------------------------


def route_item(process: RequestProcess) -> dict[str, Any]:
    return {
        "id": process.pk,
        "position": process.position,
        "process": process.process.code,
        "process_name": process.process.name_ja,
        "spec": process.spec,
    }


def summary_fields(req: Request, route: list[RequestProcess] | None = None) -> dict[str, Any]:
    processes = (
        route
        if route is not None
        else list(req.processes.select_related("process").order_by("position"))
    )
    return {
        "id": req.pk,
        "part_name": req.part_name,
        "material": req.material.code if req.material is not None else None,
        "material_note": req.material_note,
        "quantity": req.quantity,
        "due_date": req.due_date,
        "answer_by": req.answer_by,
        "area": req.area,
        "status": req.status,
        "audience": req.audience,
        "joint": req.is_joint,
        "route": [RouteItemOut(**route_item(p)) for p in processes],
    }


def hand_out(user: User, hand: Hand, show_terms: bool | None = None) -> HandOut:
    terms = hand_terms_visible(user, hand) if show_terms is None else show_terms
    return HandOut(
        id=hand.pk,
        process_id=hand.process_id,
        company_id=hand.company_id,
        company_name=hand.company.name,
        price=hand.price if terms else None,
        lead_time_days=hand.lead_time_days if terms else None,
        comment=hand.comment,
        created_at=hand.created_at,
    )


def admission_out(admission: Admission) -> AdmissionOut:
    return AdmissionOut(
        id=admission.pk,
        request_id=admission.request_id,
        company_id=admission.company_id,
        company_name=admission.company.name,
        status=admission.status,
        nda_version=admission.nda_version,
        nda_accepted_at=admission.nda_accepted_at,
        decided_at=admission.decided_at,
    )


def member_ref(member: TeamMember) -> MemberRefOut:
    return MemberRefOut(
        id=member.pk,
        company_id=member.company_id,
        company_name=member.company.name,
        status=member.status,
    )


def _sees_price(user: User, team: Team) -> bool:
    mine = set(company_ids_for(user, MEMBER_ROLES, VIEW))
    return team.lead_id in mine or team.request.company_id in mine


def team_summary_fields(
    user: User, team: Team, members: list[TeamMember], *, sees_price: bool | None = None
) -> dict[str, Any]:
    price = _sees_price(user, team) if sees_price is None else sees_price
    return {
        "id": team.pk,
        "request_id": team.request_id,
        "part_name": team.request.part_name,
        "lead_id": team.lead_id,
        "lead_name": team.lead.name,
        "status": team.status,
        "price": team.price if price else None,
        "lead_time_days": team.lead_time_days,
        "valid_until": team.valid_until,
        "sent_at": team.sent_at,
        "buyer_order_id": team.buyer_order_id if price else None,
        "members": [member_ref(m) for m in members],
    }


def split_lines(split: TeamSplit, assigned: dict[int, int]) -> list[SplitLineOut]:
    return [
        SplitLineOut(
            member_id=line.member.pk,
            company_id=line.member.company_id,
            company_name=line.member.company.name,
            status=line.member.status,
            process_ids=[p.pk for p in line.processes],
            amount=line.amount,
            delivery_date=line.delivery_date,
            note=line.member.note if line.amount is not None else None,
        )
        for line in split.lines
    ]
