"""Homework through the API: the problem worksheet (課題の棚卸し), the ROI estimate, the
DX plan (save, submit; the instructors and officers accept or return it), comments on each,
and the instructor's list of cohorts and plans waiting. The company's owner and staff and
the participant write while they hold a seat; the cohort's instructors and the ward's
officers read and review; nobody else finds it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Schema, Status
from pydantic import Field

from machikoba.core.access import (
    INSTRUCTOR,
    VIEW,
    WARD_OFFICER,
    get_for_user_or_404,
    has_any_ward_role,
)
from machikoba.core.ids import PathId
from machikoba.programs.api._router import router
from machikoba.programs.choices import HomeworkKind, ProblemArea
from machikoba.programs.models import Application
from machikoba.programs.models_homework import DxPlan, WorksheetItem
from machikoba.programs.selectors import homework as selectors
from machikoba.programs.services import homework as services

YEN_MAX = 10_000_000_000
HOURLY_WAGE_MAX = 1_000_000  # yen an hour: far above any wage, within the stored integer

# --- schemas ----------------------------------------------------------------------------


class CommentOut(Schema):
    id: int
    kind: str
    author_name: str
    by_reviewer: bool = Field(description="an instructor's or officer's (else the company's)")
    body: str
    created_at: dt.datetime


class HeaderOut(Schema):
    application_id: int
    company_name: str
    participant_name: str
    can_write: bool
    can_review: bool
    comments: list[CommentOut]


class ProgramsItemOut(Schema):
    id: int
    number: int
    area: str
    problem: str
    impact: int = Field(description="1 (small) .. 5 (large)")
    effort: int = Field(description="1 (easy) .. 5 (hard)")
    quadrant: str


class WorksheetOut(HeaderOut):
    items: list[ProgramsItemOut]
    full: bool = Field(description="no more items may be added")


class ProgramsItemIn(Schema):
    area: ProblemArea
    problem: str = Field(min_length=1, max_length=300)
    impact: int = Field(ge=1, le=5)
    effort: int = Field(ge=1, le=5)


class RoiValues(Schema):
    tool: str = Field(min_length=1, max_length=200)
    investment_cost: int = Field(ge=1, le=YEN_MAX)
    yearly_running_cost: int = Field(0, ge=0, le=YEN_MAX)
    hours_freed_per_year: int = Field(ge=0, le=1_000_000)
    hourly_wage: int = Field(ge=0, le=HOURLY_WAGE_MAX)
    other_savings_per_year: int = Field(0, ge=0, le=YEN_MAX)


class RoiFiguresOut(Schema):
    investment_cost: int
    yearly_saving: int
    payback_months: int | None = Field(description="empty: it does not pay back")


class RoiOut(HeaderOut):
    estimate: RoiValues | None
    figures: RoiFiguresOut | None


class PlanValues(Schema):
    goal: str = Field("", max_length=300)
    current_state: str = Field("", max_length=1500)
    actions: str = Field("", max_length=1500)
    schedule: str = Field("", max_length=1000)
    budget: int | None = Field(None, ge=0, le=YEN_MAX)
    success_measures: str = Field("", max_length=1000)
    person_in_charge: str = Field("", max_length=100)


class ProgramsPlanIn(PlanValues):
    submit: bool = Field(False, description="save and hand in to the instructors at once")


class PlanStateOut(PlanValues):
    status: str = Field(description="draft, submitted, returned or accepted")
    revision: int
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None


class ProgramsPlanOut(HeaderOut):
    plan: PlanStateOut | None
    editable: bool
    can_submit: bool
    can_decide: bool


class ProgramsDecisionIn(Schema):
    decision: Literal["accept", "return"]
    body: str = Field("", max_length=2000, description="the comment (needed to return)")


class CommentIn(Schema):
    kind: HomeworkKind
    body: str = Field(min_length=1, max_length=2000)


class TaughtCohortOut(Schema):
    cohort_id: int
    program_name: str
    cohort_name: str
    participants: int
    plans_waiting: int


class WaitingPlanOut(Schema):
    application_id: int
    company_name: str
    submitted_at: dt.datetime | None


class TeachingOut(Schema):
    cohorts: list[TaughtCohortOut]
    plans_waiting: list[WaitingPlanOut]


# --- helpers ----------------------------------------------------------------------------


def _header(header: selectors.HomeworkHeader) -> dict:
    application = header.application
    return {
        "application_id": application.pk,
        "company_name": application.company.name,
        "participant_name": application.participant.get_full_name(),
        "can_write": header.can_write,
        "can_review": header.can_review,
        "comments": [
            CommentOut(
                id=row.comment.pk,
                kind=row.comment.kind,
                author_name=row.comment.author.get_full_name() if row.comment.author else "",
                by_reviewer=row.by_reviewer,
                body=row.comment.body,
                created_at=row.comment.created_at,
            )
            for row in header.comments
        ],
    }


def _application(request, application_id: int) -> Application:
    return selectors.homework_application(request.user, application_id)


def _writable(request, application_id: int) -> Application:
    """404 when the caller may not see it, 403 when they may see but not write it."""
    application = _application(request, application_id)
    if not selectors.may_write_homework(request.user, application):
        raise PermissionDenied
    return application


def _worksheet_out(request, application: Application) -> WorksheetOut:
    page = selectors.worksheet_page(request.user, application)
    return WorksheetOut(
        **_header(page.header),
        items=[
            ProgramsItemOut(
                id=row.item.pk,
                number=row.number,
                area=row.item.area,
                problem=row.item.problem,
                impact=row.item.impact,
                effort=row.item.effort,
                quadrant=str(row.quadrant_label),
            )
            for row in page.items
        ],
        full=page.full,
    )


def _writable_item(request, item_id: int) -> WorksheetItem:
    item = get_for_user_or_404(
        WorksheetItem.objects.select_related("worksheet__application__company"),
        request.user,
        VIEW,
        pk=item_id,
    )
    if not selectors.may_write_homework(request.user, item.worksheet.application):
        raise PermissionDenied
    return item


def _roi_out(request, application: Application) -> RoiOut:
    page = selectors.roi_page(request.user, application)
    estimate = page.estimate
    return RoiOut(
        **_header(page.header),
        estimate=RoiValues(**{name: getattr(estimate, name) for name in services.ROI_FIELDS})
        if estimate
        else None,
        figures=RoiFiguresOut(
            investment_cost=page.figures.investment_cost,
            yearly_saving=page.figures.yearly_saving,
            payback_months=page.figures.payback_months,
        )
        if page.figures
        else None,
    )


def _plan_out(request, application: Application) -> ProgramsPlanOut:
    page = selectors.plan_page(request.user, application)
    plan = page.plan
    return ProgramsPlanOut(
        **_header(page.header),
        plan=PlanStateOut(
            **{name: getattr(plan, name) for name in services.PLAN_FIELDS},
            status=plan.status,
            revision=plan.revision,
            submitted_at=plan.submitted_at,
            decided_at=plan.decided_at,
        )
        if plan
        else None,
        editable=page.editable,
        can_submit=page.can_submit,
        can_decide=page.can_decide,
    )


# --- worksheet ----------------------------------------------------------------------------


@router.get(
    "/applications/{application_id}/worksheet",
    response=WorksheetOut,
    summary="The problem worksheet (課題の棚卸し) and its comments",
)
def programs_worksheet(request, application_id: PathId):
    return _worksheet_out(request, _application(request, application_id))


@router.post(
    "/applications/{application_id}/worksheet/items",
    response={201: WorksheetOut},
    summary="Add a problem to the worksheet",
)
def programs_worksheet_item_add(request, application_id: PathId, payload: ProgramsItemIn):
    application = _writable(request, application_id)
    services.worksheet_item_add(actor=request.user, application=application, **payload.dict())
    return Status(201, _worksheet_out(request, application))


@router.put("/worksheet-items/{item_id}", response=WorksheetOut, summary="Change a problem")
def programs_worksheet_item_update(request, item_id: PathId, payload: ProgramsItemIn):
    item = _writable_item(request, item_id)
    services.worksheet_item_update(actor=request.user, item=item, **payload.dict())
    return _worksheet_out(request, item.worksheet.application)


@router.delete("/worksheet-items/{item_id}", response={204: None}, summary="Remove a problem")
def programs_worksheet_item_delete(request, item_id: PathId):
    item = _writable_item(request, item_id)
    services.worksheet_item_delete(actor=request.user, item=item)
    return Status(204, None)


# --- ROI estimate ----------------------------------------------------------------------------


@router.get("/applications/{application_id}/roi", response=RoiOut, summary="The ROI estimate")
def programs_roi(request, application_id: PathId):
    return _roi_out(request, _application(request, application_id))


@router.put("/applications/{application_id}/roi", response=RoiOut, summary="Save the ROI estimate")
def programs_roi_save(request, application_id: PathId, payload: RoiValues):
    application = _writable(request, application_id)
    services.roi_estimate_save(actor=request.user, application=application, **payload.dict())
    return _roi_out(request, application)


# --- DX plan --------------------------------------------------------------------------------


@router.get("/applications/{application_id}/plan", response=ProgramsPlanOut, summary="The DX plan")
def programs_plan(request, application_id: PathId):
    return _plan_out(request, _application(request, application_id))


@router.put(
    "/applications/{application_id}/plan",
    response=ProgramsPlanOut,
    summary="Save the DX plan (with submit: and hand it in)",
)
def programs_plan_save(request, application_id: PathId, payload: ProgramsPlanIn):
    application = _writable(request, application_id)
    values = payload.dict(exclude={"submit"})
    write = services.dx_plan_save_and_submit if payload.submit else services.dx_plan_save
    write(actor=request.user, application=application, **values)
    return _plan_out(request, application)


def _plan_of(request, application: Application) -> DxPlan:
    return get_for_user_or_404(DxPlan, request.user, VIEW, application=application)


@router.post(
    "/applications/{application_id}/plan/submit",
    response=ProgramsPlanOut,
    summary="Hand the DX plan in to the instructors",
)
def programs_plan_submit(request, application_id: PathId):
    application = _writable(request, application_id)
    services.dx_plan_submit(actor=request.user, plan=_plan_of(request, application))
    return _plan_out(request, application)


@router.post(
    "/applications/{application_id}/plan/decision",
    response=ProgramsPlanOut,
    summary="Accept or return the DX plan (instructors, officers)",
)
def programs_plan_decide(request, application_id: PathId, payload: ProgramsDecisionIn):
    application = _application(request, application_id)
    if not selectors.may_review_homework(request.user, application):
        raise PermissionDenied
    plan = _plan_of(request, application)
    if payload.decision == "accept":
        services.dx_plan_accept(actor=request.user, plan=plan, comment=payload.body)
    else:
        services.dx_plan_return(actor=request.user, plan=plan, comment=payload.body)
    return _plan_out(request, application)


@router.post(
    "/applications/{application_id}/comments",
    response={201: CommentOut},
    summary="Comment on a piece of homework (reviewers, or the company's reply)",
)
def programs_homework_comment(request, application_id: PathId, payload: CommentIn):
    application = _application(request, application_id)
    comment = services.homework_comment_add(
        actor=request.user, application=application, kind=payload.kind, body=payload.body
    )
    return Status(
        201,
        CommentOut(
            id=comment.pk,
            kind=comment.kind,
            author_name=request.user.get_full_name(),
            by_reviewer=selectors.may_review_homework(request.user, application),
            body=comment.body,
            created_at=comment.created_at,
        ),
    )


# --- the instructor's list -----------------------------------------------------------------


@router.get(
    "/teaching",
    response=TeachingOut,
    summary="The cohorts the caller teaches (or runs) and the plans waiting for review",
)
def programs_teaching(request):
    page = selectors.teaching_page(request.user)
    if not page.cohorts and not has_any_ward_role(request.user, (INSTRUCTOR, WARD_OFFICER)):
        raise PermissionDenied
    return TeachingOut(
        cohorts=[
            TaughtCohortOut(
                cohort_id=row.cohort.pk,
                program_name=row.cohort.program.name,
                cohort_name=row.cohort.name,
                participants=row.participants,
                plans_waiting=row.plans_waiting,
            )
            for row in page.cohorts
        ],
        plans_waiting=[
            WaitingPlanOut(
                application_id=plan.application_id,
                company_name=plan.application.company.name,
                submitted_at=plan.submitted_at,
            )
            for plan in page.plans_waiting
        ],
    )
