"""Screening: the ward office's list of a call's applications, one application's
screening (要件確認, 差戻し, reviewers, bonus points), a stage's ranking and the 採択; the
reviewer's assignments (the conflict-of-interest declaration first, then the scores)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from machikoba.accounts.models import User
from machikoba.accounts.rules import is_reviewer, is_ward_officer
from machikoba.core.access import CHANGE, MANAGE, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import BodyId, PathId
from machikoba.subsidies import selectors, services
from machikoba.subsidies.api._router import router
from machikoba.subsidies.api.schemas import (
    ApplicationSummaryOut,
    BodyOut,
    application_summary_out,
    body_out,
)
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode
from machikoba.subsidies.models import Application, Call, Stage
from machikoba.subsidies.models_screening import BonusClaim, ReviewerAssignment
from machikoba.subsidies.selectors.body import application_body

StatusChoice = Literal[
    "submitted",
    "returned",
    "screening",
    "ineligible",
    "selected",
    "not_selected",
    "grant_requested",
    "granted",
    "reported",
    "confirmed",
    "paid",
    "withdrawn",
]


def _officer(request: Any) -> None:
    if not is_ward_officer(request.user):
        raise PermissionDenied


# --- the office's calls and applications -------------------------------------------------


class OfficeCallOut(Schema):
    id: int
    municipality_id: int
    fiscal_year: int
    name: str
    phase: str = Field(description="where the call stands, in words")
    filed: int = Field(description="applications filed")
    decided: int = Field(description="yen decided so far")


@router.get(
    "/office/calls",
    response=Page[OfficeCallOut],
    summary="The calls of the officer's wards, newest first",
)
def subsidies_office_calls(request: Any, params: Query[PageParams]) -> dict[str, Any]:
    _officer(request)
    rows = selectors.office_home(user=request.user).rows
    return page_of(
        rows,
        params,
        lambda row: OfficeCallOut(
            id=row.call.pk,
            municipality_id=row.call.municipality_id,
            fiscal_year=row.call.fiscal_year,
            name=row.call.name,
            phase=str(row.phase),
            filed=row.filed,
            decided=row.decided,
        ),
    )


class OfficeApplicationFilters(Schema):
    stage_id: BodyId | None = None
    status: StatusChoice | None = None
    q: str = Field("", max_length=100, description="part of the company's name")


class OfficeApplicationOut(ApplicationSummaryOut):
    bonus: int = Field(description="verified bonus points")
    paid: int | None


@router.get(
    "/office/calls/{call_id}/applications",
    response=Page[OfficeApplicationOut],
    summary="A call's filed applications (the officer's ward), in order of submission",
)
def subsidies_office_applications(
    request: Any,
    call_id: PathId,
    params: Query[PageParams],
    filters: Query[OfficeApplicationFilters],
) -> dict[str, Any]:
    _officer(request)
    call = get_for_user_or_404(
        Call.objects.select_related("municipality"), request.user, CHANGE, pk=call_id
    )
    applications = selectors.call_applications(
        user=request.user,
        call=call,
        stage_id=filters.stage_id,
        status=filters.status or "",
        text=filters.q,
    ).select_related("stage__call")
    page = page_of(applications, params)
    rows = selectors.application_rows(user=request.user, applications=page["results"])
    page["results"] = [
        OfficeApplicationOut(
            **application_summary_out(row.application).dict(), bonus=row.bonus, paid=row.paid
        )
        for row in rows
    ]
    return page


# --- one application's screening ---------------------------------------------------------


class ScoreOut(Schema):
    criterion_id: int
    score: int
    comment: str


class AssignmentOut(Schema):
    id: int
    reviewer_id: int
    reviewer_name: str
    status: str = Field(description="assigned, cleared, conflicted or submitted")
    conflict_note: str
    total: int | None = Field(description="once submitted")
    scores: list[ScoreOut]
    ties: list[str] = Field(description="the reviewer's ties to the company on record")


class SubsidiesCandidateOut(Schema):
    user_id: int
    name: str
    ties: list[str]


class BonusRowOut(Schema):
    criterion_id: int
    name: str
    points: int
    claim_id: int | None
    claim_status: str | None
    evidence_document_id: int | None
    evidence_note: str


class ScreeningOut(Schema):
    application: BodyOut
    assignments: list[AssignmentOut]
    candidates: list[SubsidiesCandidateOut] = Field(description="the ward's reviewers to assign")
    bonus: list[BonusRowOut]
    verified_bonus: int
    rubric_mean: float | None
    rubric_max: int


def _screened(request: Any, pk: int) -> Application:
    _officer(request)
    return get_for_user_or_404(
        Application.objects.select_related("stage__call__municipality", "company"),
        request.user,
        MANAGE,
        pk=pk,
    )


def _screening_out(request: Any, application: Application) -> ScreeningOut:
    page = selectors.screening_application_page(request.user, application)
    return ScreeningOut(
        application=body_out(application_body(request.user, application)),
        assignments=[
            AssignmentOut(
                id=row.assignment.pk,
                reviewer_id=row.assignment.reviewer_id,
                reviewer_name=row.assignment.reviewer.get_full_name(),
                status=row.assignment.status,
                conflict_note=row.assignment.conflict_note,
                total=row.total,
                scores=[
                    ScoreOut(criterion_id=s.criterion_id, score=s.score, comment=s.comment)
                    for s in row.scores
                ],
                ties=[str(t) for t in row.ties],
            )
            for row in page.assignments
        ],
        candidates=[
            SubsidiesCandidateOut(
                user_id=c.user.pk, name=c.user.get_full_name(), ties=[str(t) for t in c.ties]
            )
            for c in page.candidates
        ],
        bonus=[
            BonusRowOut(
                criterion_id=row.criterion.pk,
                name=row.criterion.name,
                points=row.criterion.points,
                claim_id=row.claim.pk if row.claim else None,
                claim_status=row.claim.status if row.claim else None,
                evidence_document_id=row.claim.evidence_id if row.claim else None,
                evidence_note=row.claim.evidence_note if row.claim else "",
            )
            for row in page.bonus
        ],
        verified_bonus=page.verified_bonus,
        rubric_mean=float(page.rubric_mean) if page.rubric_mean is not None else None,
        rubric_max=page.rubric_max,
    )


@router.get(
    "/office/applications/{application_id}/screening",
    response=ScreeningOut,
    summary="One application's screening for the officers of its ward",
)
def subsidies_screening(request: Any, application_id: PathId) -> ScreeningOut:
    return _screening_out(request, _screened(request, application_id))


class ScreeningActionIn(Schema):
    action: Literal["pass", "fail", "return", "assign", "unassign", "bonus_verify", "bonus_reject"]
    comment: str = Field("", max_length=3000, description="pass: a note; return: what to fix")
    reason: str = Field("", max_length=2000, description="fail: why (the company is told)")
    reviewer_id: BodyId | None = Field(None, description="assign: one of the candidates")
    assignment_id: BodyId | None = Field(None, description="unassign: the assignment")
    claim_id: BodyId | None = Field(None, description="bonus_verify, bonus_reject: the claim")
    note: str = Field("", max_length=300, description="bonus_verify, bonus_reject: a note")


def _reviewer(request: Any, application: Application, pk: int | None) -> User:
    chosen = next(
        (
            u
            for u in selectors.reviewer_candidates(user=request.user, application=application)
            if u.pk == pk
        ),
        None,
    )
    if chosen is None:
        raise ApplicationError(
            ScreeningErrorCode.REVIEWER_NOT_GRANTED,
            _("審査員を選んでください (この区の審査員だけを選べます)。"),
        )
    return chosen


@router.post(
    "/office/applications/{application_id}/screening",
    response=ScreeningOut,
    summary="Screen an application: pass, fail, return, (un)assign reviewers, verify or"
    " reject a bonus claim",
)
def subsidies_screening_action(
    request: Any, application_id: PathId, payload: ScreeningActionIn
) -> ScreeningOut:
    application = _screened(request, application_id)
    user = request.user
    action = payload.action
    if action == "pass":
        services.eligibility_pass(actor=user, application=application, comment=payload.comment)
    elif action == "fail":
        services.eligibility_fail(actor=user, application=application, reason=payload.reason)
    elif action == "return":
        services.application_return(actor=user, application=application, comments=payload.comment)
    elif action == "assign":
        services.reviewer_assign(
            actor=user,
            application=application,
            reviewer=_reviewer(request, application, payload.reviewer_id),
        )
    elif action == "unassign":
        assignment = get_for_user_or_404(
            ReviewerAssignment,
            user,
            MANAGE,
            pk=payload.assignment_id or 0,
            application=application,
        )
        services.reviewer_unassign(actor=user, assignment=assignment)
    else:
        claim = get_for_user_or_404(
            BonusClaim, user, MANAGE, pk=payload.claim_id or 0, application=application
        )
        if action == "bonus_verify":
            services.bonus_claim_verify(actor=user, claim=claim, note=payload.note)
        else:
            services.bonus_claim_reject(actor=user, claim=claim, note=payload.note)
    return _screening_out(request, _screened(request, application_id))


# --- a stage's ranking and the 採択 -------------------------------------------------------


class RankedOut(Schema):
    application_id: int
    company_name: str
    rank: int
    reviewer_totals: list[int]
    rubric_mean: float
    bonus: int
    total: float
    requested_amount: int
    proposed: bool = Field(description="in the proposal within the budget")


class StageScreeningOut(Schema):
    stage_id: int
    ranking: list[RankedOut]
    proposal_total: int
    confirmed_at: dt.datetime | None
    selected_ids: list[int] = Field(description="the 採択, once confirmed")
    blockers: list[str] = Field(description="why the selection cannot be confirmed yet")
    may_confirm: bool


def _stage(request: Any, pk: int) -> Stage:
    _officer(request)
    return get_for_user_or_404(
        Stage.objects.select_related("call__municipality"), request.user, MANAGE, pk=pk
    )


def _stage_out(request: Any, stage: Stage) -> StageScreeningOut:
    page = selectors.stage_page(request.user, stage)
    proposed = {row.application.pk for row in page.proposal.selected}
    return StageScreeningOut(
        stage_id=stage.pk,
        ranking=[
            RankedOut(
                application_id=row.application.pk,
                company_name=row.application.company.name,
                rank=row.rank,
                reviewer_totals=list(row.reviewer_totals),
                rubric_mean=float(row.rubric_mean),
                bonus=row.bonus,
                total=float(row.total),
                requested_amount=row.requested_amount,
                proposed=row.application.pk in proposed,
            )
            for row in page.proposal.ranking.rows
        ],
        proposal_total=page.proposal.total,
        confirmed_at=page.selection.confirmed_at if page.selection else None,
        selected_ids=list(page.selection.selected_ids) if page.selection else [],
        blockers=[str(b) for b in page.blockers],
        may_confirm=page.may_confirm,
    )


@router.get(
    "/office/stages/{stage_id}/screening",
    response=StageScreeningOut,
    summary="A stage's ranking, the proposal within the budget and the 採択",
)
def subsidies_stage_screening(request: Any, stage_id: PathId) -> StageScreeningOut:
    return _stage_out(request, _stage(request, stage_id))


class SelectionIn(Schema):
    selected_ids: list[BodyId] | None = Field(
        None, max_length=1000, description="null: the proposal as it is"
    )
    reason: str = Field("", max_length=2000, description="why, when it differs from the proposal")


@router.post(
    "/office/stages/{stage_id}/selection",
    response=StageScreeningOut,
    summary="Confirm the 採択 of a stage (the proposal, or an edit with a reason)",
)
def subsidies_selection_confirm(
    request: Any, stage_id: PathId, payload: SelectionIn
) -> StageScreeningOut:
    stage = _stage(request, stage_id)
    services.selection_confirm(
        actor=request.user,
        stage=stage,
        selected_ids=payload.selected_ids,
        reason=payload.reason,
    )
    return _stage_out(request, _stage(request, stage_id))


# --- the reviewer ------------------------------------------------------------------------


def _reviewer_only(request: Any) -> None:
    if not is_reviewer(request.user):
        raise PermissionDenied


class ReviewRowOut(Schema):
    assignment_id: int
    status: str
    company_name: str
    title: str
    call_name: str
    stage_label: str


@router.get(
    "/reviews",
    response=Page[ReviewRowOut],
    summary="The reviewer's own assignments (those waiting for them first)",
)
def subsidies_reviews(request: Any, params: Query[PageParams]) -> dict[str, Any]:
    _reviewer_only(request)
    return page_of(
        selectors.review_home(request.user),
        params,
        lambda r: ReviewRowOut(
            assignment_id=r.assignment_id,
            status=r.status,
            company_name=r.company_name,
            title=r.title,
            call_name=r.call_name,
            stage_label=r.stage_label,
        ),
    )


class RubricRowOut(Schema):
    criterion_id: int
    name: str
    description: str
    max_score: int
    score: int | None
    comment: str


class SubsidiesReviewOut(Schema):
    assignment_id: int
    status: str
    company_name: str
    representative: str
    corporate_number: str
    title: str
    reference: str
    comment: str
    rubric: list[RubricRowOut] = Field(description="own scores; empty until declared clear")
    may_score: bool
    application: BodyOut | None = Field(
        description="the application, once declared clear and while in screening"
    )


def _assignment(request: Any, pk: int) -> ReviewerAssignment:
    _reviewer_only(request)
    return get_for_user_or_404(
        ReviewerAssignment.objects.select_related(
            "application__company", "application__stage__call__municipality"
        ),
        request.user,
        CHANGE,
        pk=pk,
        reviewer=request.user,
    )


def _review_out(request: Any, assignment: ReviewerAssignment) -> SubsidiesReviewOut:
    page = selectors.review_page(request.user, assignment)
    application = assignment.application
    readable = page.opened and application.status == "screening"
    return SubsidiesReviewOut(
        assignment_id=assignment.pk,
        status=assignment.status,
        company_name=page.facts.company_name,
        representative=page.facts.representative,
        corporate_number=page.facts.corporate_number,
        title=page.facts.title,
        reference=page.facts.reference,
        comment=assignment.comment if page.opened else "",
        rubric=[
            RubricRowOut(
                criterion_id=r.criterion.pk,
                name=r.criterion.name,
                description=r.criterion.description,
                max_score=r.criterion.max_score,
                score=r.score,
                comment=r.comment,
            )
            for r in page.rubric
        ],
        may_score=page.may_score,
        application=body_out(application_body(request.user, application)) if readable else None,
    )


@router.get(
    "/reviews/{assignment_id}",
    response=SubsidiesReviewOut,
    summary="One of the reviewer's assignments",
)
def subsidies_review(request: Any, assignment_id: PathId) -> SubsidiesReviewOut:
    return _review_out(request, _assignment(request, assignment_id))


class DeclareIn(Schema):
    tied: bool = Field(description="true: a conflict of interest (say which in note)")
    note: str = Field("", max_length=300)


@router.post(
    "/reviews/{assignment_id}/declaration",
    response=SubsidiesReviewOut,
    summary="Declare whether the reviewer has a conflict of interest with the company",
)
def subsidies_review_declare(
    request: Any, assignment_id: PathId, payload: DeclareIn
) -> SubsidiesReviewOut:
    assignment = _assignment(request, assignment_id)
    services.conflict_declare(
        actor=request.user, assignment=assignment, tied=payload.tied, note=payload.note
    )
    return _review_out(request, _assignment(request, assignment_id))


class ScoreIn(Schema):
    criterion_id: BodyId
    score: int | None = Field(None, ge=0, le=1000, description="null: not scored yet")
    comment: str = Field("", max_length=1000)


class ScoresIn(Schema):
    scores: list[ScoreIn] = Field(max_length=100)
    comment: str = Field("", max_length=3000, description="the overall comment")
    submit: bool = Field(False, description="true: submit (final); false: save a draft")


@router.put(
    "/reviews/{assignment_id}/scores",
    response=SubsidiesReviewOut,
    summary="Save or submit the reviewer's scores",
)
def subsidies_review_scores(
    request: Any, assignment_id: PathId, payload: ScoresIn
) -> SubsidiesReviewOut:
    assignment = _assignment(request, assignment_id)
    scores = {s.criterion_id: (s.score, s.comment) for s in payload.scores}
    write = services.scores_submit if payload.submit else services.scores_save
    write(actor=request.user, assignment=assignment, scores=scores, comment=payload.comment)
    return _review_out(request, _assignment(request, assignment_id))
