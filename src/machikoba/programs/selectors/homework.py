"""Reads of homework (課題の棚卸し, 投資対効果の試算, DX計画書) and of the instructor's list.

Pages get one ready object each (``worksheet_page``, ``roi_page``, ``plan_page``,
``teaching_page``), read through the access layer. Who may write and who may review is
answered here (``may_write_homework``, ``may_review_homework``) for the pages' buttons and
the services' checks alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.safestring import SafeString

from machikoba.accounts.models import User
from machikoba.core.access import EDITOR_ROLES, MANAGE, VIEW, can, get_for_user_or_404, has_role
from machikoba.programs.access import instructor_cohort_ids
from machikoba.programs.choices import (
    ApplicationStatus,
    HomeworkKind,
    PlanStatus,
)
from machikoba.programs.models import Application, Cohort
from machikoba.programs.models_homework import (
    DxPlan,
    HomeworkComment,
    RoiEstimate,
    WorksheetItem,
)
from machikoba.programs.priority_matrix import (
    prioritised,
    priority_matrix_svg,
    quadrant_labels,
    quadrant_of,
)
from machikoba.programs.roi import RoiFigures, roi_figures

# A worksheet holds at most this many problems: enough for any shop, short enough to
# read on a phone and to draw.
WORKSHEET_MAX_ITEMS = 30


def may_write_homework(user: Any, application: Application) -> bool:
    """The company's owner or staff (of an active company) and the participant write
    homework, while the application holds a seat."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if application.status != ApplicationStatus.ACCEPTED:
        return False
    return application.participant_id == user.pk or has_role(
        user, application.company, EDITOR_ROLES
    )


def may_review_homework(user: Any, application: Application) -> bool:
    """The cohort's instructors and the programme's officers comment on homework and
    accept or return the plan."""
    return can(user, MANAGE, application)


def cohort_instructors(cohort: Cohort) -> list[User]:
    """The people teaching ``cohort``: named on the cohort or on one of its sessions."""
    return list(
        User.objects.filter(
            Q(taught_cohorts=cohort) | Q(taught_sessions__cohort=cohort), is_active=True
        )
        .distinct()
        .order_by("pk")
    )


@dataclass(frozen=True)
class CommentRow:
    comment: HomeworkComment
    by_reviewer: bool


@dataclass(frozen=True)
class HomeworkHeader:
    """What every homework page shows on top: whose homework, and what the reader may
    do with it."""

    application: Application
    kind: str
    can_write: bool
    can_review: bool
    comments: list[CommentRow]

    @property
    def kind_label(self) -> str:
        return str(HomeworkKind(self.kind).label)


def _comments(user: User, application: Application, kind: str) -> list[CommentRow]:
    rows = (
        HomeworkComment.objects.for_user(user, VIEW)
        .filter(application=application, kind=kind)
        .select_related("author")
    )
    return [CommentRow(comment=c, by_reviewer=_by_reviewer(c, application)) for c in rows]


def _by_reviewer(comment: HomeworkComment, application: Application) -> bool:
    """Whether an instructor or an officer wrote it (not the participant or the
    company's people)."""
    author = comment.author
    if author is None or author.pk == application.participant_id:
        return False
    return not has_role(author, application.company, EDITOR_ROLES, VIEW)


def _header(user: User, application: Application, kind: str) -> HomeworkHeader:
    return HomeworkHeader(
        application=application,
        kind=kind,
        can_write=may_write_homework(user, application),
        can_review=may_review_homework(user, application),
        comments=_comments(user, application, kind),
    )


def homework_application(user: User, pk: int) -> Application:
    """The application whose homework ``user`` opens (404 when they may not see it)."""
    queryset = Application.objects.select_related(
        "cohort__program__municipality", "company", "participant"
    )
    return get_for_user_or_404(queryset, user, VIEW, pk=pk)


# --- worksheet ------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    number: int
    item: WorksheetItem
    quadrant: str
    quadrant_label: str


@dataclass(frozen=True)
class WorksheetPage:
    header: HomeworkHeader
    items: list[ItemRow]
    matrix: SafeString
    full: bool


def worksheet_items(user: User, application: Application) -> QuerySet[WorksheetItem]:
    return WorksheetItem.objects.for_user(user, VIEW).filter(worksheet__application=application)


def worksheet_page(user: User, application: Application) -> WorksheetPage:
    items = prioritised(worksheet_items(user, application))
    labels = quadrant_labels()
    rows = []
    for number, item in enumerate(items, start=1):
        quadrant = quadrant_of(impact=item.impact, effort=item.effort)
        rows.append(
            ItemRow(number=number, item=item, quadrant=quadrant, quadrant_label=labels[quadrant])
        )
    return WorksheetPage(
        header=_header(user, application, HomeworkKind.WORKSHEET),
        items=rows,
        matrix=priority_matrix_svg(items),
        full=len(rows) >= WORKSHEET_MAX_ITEMS,
    )


# --- ROI estimate ---------------------------------------------------------------------


def estimate_figures(estimate: RoiEstimate) -> RoiFigures:
    return roi_figures(
        investment_cost=estimate.investment_cost,
        hours_freed_per_year=estimate.hours_freed_per_year,
        hourly_wage=estimate.hourly_wage,
        other_savings_per_year=estimate.other_savings_per_year,
        yearly_running_cost=estimate.yearly_running_cost,
    )


@dataclass(frozen=True)
class RoiPage:
    header: HomeworkHeader
    estimate: RoiEstimate | None
    figures: RoiFigures | None


def roi_page(user: User, application: Application) -> RoiPage:
    estimate = RoiEstimate.objects.for_user(user, VIEW).filter(application=application).first()
    return RoiPage(
        header=_header(user, application, HomeworkKind.ROI),
        estimate=estimate,
        figures=estimate_figures(estimate) if estimate else None,
    )


def roi_prefill(application: Application) -> dict[str, Any]:
    """The ROI estimate's figures for a later subsidy application of the same company:
    ``{"tool", "investment_cost", "yearly_saving", "payback_months"}`` (payback None when
    the tool never pays back), or ``{}`` without an estimate.

    A trusted read: it checks no user, so the caller (the subsidy application's service
    or selector) must have read ``application`` through the access layer first."""
    estimate = RoiEstimate.objects.filter(application=application).first()
    if estimate is None:
        return {}
    figures = estimate_figures(estimate)
    return {
        "tool": estimate.tool,
        "investment_cost": figures.investment_cost,
        "yearly_saving": figures.yearly_saving,
        "payback_months": figures.payback_months,
    }


# --- DX plan --------------------------------------------------------------------------

# The fields a plan needs before it can be submitted.
PLAN_REQUIRED_FIELDS = ("goal", "current_state", "actions", "schedule")


@dataclass(frozen=True)
class PlanPage:
    header: HomeworkHeader
    plan: DxPlan | None
    editable: bool
    can_submit: bool
    can_decide: bool
    roi: RoiFigures | None
    estimate: RoiEstimate | None


def plan_editable(plan: DxPlan | None) -> bool:
    return plan is None or plan.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


def plan_page(user: User, application: Application) -> PlanPage:
    header = _header(user, application, HomeworkKind.PLAN)
    plan = DxPlan.objects.for_user(user, VIEW).filter(application=application).first()
    estimate = RoiEstimate.objects.for_user(user, VIEW).filter(application=application).first()
    editable = header.can_write and plan_editable(plan)
    return PlanPage(
        header=header,
        plan=plan,
        editable=editable,
        can_submit=editable and plan is not None,
        can_decide=header.can_review and plan is not None and plan.status == PlanStatus.SUBMITTED,
        roi=estimate_figures(estimate) if estimate else None,
        estimate=estimate,
    )


# --- the instructor's list ------------------------------------------------------------


@dataclass(frozen=True)
class TaughtCohort:
    cohort: Cohort
    participants: int
    plans_waiting: int


@dataclass(frozen=True)
class TeachingPage:
    cohorts: list[TaughtCohort]
    plans_waiting: list[DxPlan] = field(default_factory=list)


def teaching_page(user: User) -> TeachingPage:
    """The cohorts ``user`` teaches (and, for an officer, the cohorts of their ward's
    programmes), each with its participants and the plans waiting for review; then the
    submitted plans themselves, oldest first."""
    cohorts = (
        Cohort.objects.for_user(user, VIEW)
        .filter(
            Q(pk__in=instructor_cohort_ids(user))
            | Q(pk__in=Cohort.objects.for_user(user, MANAGE).values("pk"))
        )
        .select_related("program")
        .annotate(
            seated=Count(
                "applications",
                filter=Q(applications__status=ApplicationStatus.ACCEPTED),
                distinct=True,
            ),
            waiting=Count(
                "applications__dx_plan",
                filter=Q(applications__dx_plan__status=PlanStatus.SUBMITTED),
                distinct=True,
            ),
        )
        .order_by("-fiscal_year", "program__name", "name")
    )
    plans = (
        DxPlan.objects.for_user(user, MANAGE)
        .filter(status=PlanStatus.SUBMITTED)
        .select_related("application__company", "application__cohort__program")
        .order_by("submitted_at", "pk")
    )
    return TeachingPage(
        cohorts=[
            TaughtCohort(cohort=c, participants=c.seated, plans_waiting=c.waiting) for c in cohorts
        ],
        plans_waiting=list(plans),
    )
