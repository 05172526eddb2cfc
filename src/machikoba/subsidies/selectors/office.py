"""The ward office's reads of the DX subsidy: its calls, one call's dashboard (the pipeline
and budget of each stage, the reviewers' progress, overdue 事業化状況報告), the call's
applications with filters and their scores as the ranking counts them, and the table of
its export. The pages of a call's rules are ``office_rules``'s.

Every read starts from ``for_user`` with the office's action (``CHANGE`` on calls,
``MANAGE`` on applications, assignments, payments and reports: only the wards the officer
serves), so another ward's rows are never listed or summed. The figures are grouped in the
database: a page costs the same number of queries whatever the number of applications
(``tests/test_office_queries.py`` pins them).

What the figures mean (the dashboard's legend says the same):

- 申請件数: applications submitted and not withdrawn (a draft is the applicant's own until
  submitted; it is only counted as 作成中); 申請額: their requested amounts.
- 採択: applications selected (交付候補) and every step after it.
- 交付決定額: the decided amounts of applications granted (交付決定) and after.
- 確定額: the confirmed amounts (額の確定, 支払済み). 支払額: the payments recorded.
- 執行見込額: per granted application its confirmed amount once fixed, else its decided
  amount; 残額 = budget − 執行見込額. 交付候補 (selected, not yet decided) are shown beside
  it, not subtracted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, MANAGE
from machikoba.core.dates import format_datetime
from machikoba.core.errors import ApplicationError
from machikoba.subsidies.choices import (
    GRANTED_STATUSES,
    ApplicationStatus,
    AssignmentStatus,
    ValueAddedStatus,
)
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode
from machikoba.subsidies.models import (
    Application,
    Call,
    Payment,
    ReviewerAssignment,
    Stage,
    ValueAddedReport,
)
from machikoba.subsidies.selectors.ranking import application_scores, one_decimal

S = ApplicationStatus
# Not (or no longer) an application the office screens.
NOT_FILED = (S.DRAFT, S.WITHDRAWN)
# 採択 and every step after it.
SELECTED_STATUSES = (S.SELECTED, S.GRANT_REQUESTED, *GRANTED_STATUSES)
# Selected, not yet granted: their requested amount is earmarked, not decided.
CANDIDATE_STATUSES = (S.SELECTED, S.GRANT_REQUESTED)
CONFIRMED_STATUSES = (S.CONFIRMED, S.PAID)
# Assignments whose reviewer still has to score.
PENDING_ASSIGNMENTS = (AssignmentStatus.ASSIGNED, AssignmentStatus.CLEARED)
# Rows per page of the office's application list.
PAGE_SIZE = 50


def office_calls(user: User) -> QuerySet[Call]:
    """The calls of the wards ``user`` serves as an officer."""
    return Call.objects.for_user(user, CHANGE)


def office_applications(user: User) -> QuerySet[Application]:
    return Application.objects.for_user(user, MANAGE)


# --- the rules lock ----------------------------------------------------------------------


def submitted_count(call: Call) -> int:
    """Applications ever submitted to ``call`` (a withdrawn one counts if it was filed)."""
    return (
        Application.objects.filter(stage__call=call)
        .filter(Q(submitted_at__isnull=False) | ~Q(status__in=NOT_FILED))
        .count()
    )


def rules_lock(call: Call, *, now: dt.datetime | None = None) -> ApplicationError | None:
    """Why the rules of ``call`` may no longer change, or None while they may.

    The rules are what applicants rely on: each stage's rate, cap, minimum, rounding and
    requirements, the expense categories with their limits, the required attachments, the
    rubric and the bonus points, and whether a GビズID-verified representative must submit.
    They are fixed once any application was submitted, and once the window opened (an
    applicant may be half-way through the wizard on the published rules)."""
    count = submitted_count(call)
    if count:
        return ApplicationError(
            CallOfficeErrorCode.RULES_LOCKED_SUBMITTED,
            _(
                "この公募にはすでに提出された申請が %(count)d 件あるため、ルール (補助率・"
                "上限額・下限・経費区分・必要書類・審査項目・加点) は変更できません。"
            )
            % {"count": count},
            status_code=409,
        )
    now = now or timezone.now()
    if call.opens_at <= now:
        return ApplicationError(
            CallOfficeErrorCode.RULES_LOCKED_OPEN,
            _(
                "受付が %(opened)s に始まったため、申請者が前提にしているルール (補助率・"
                "上限額・下限・経費区分・必要書類・審査項目・加点) は変更できません。名称・"
                "説明・まだ来ていない日付・予算額は変更できます。"
            )
            % {"opened": format_datetime(call.opens_at)},
            status_code=409,
        )
    return None


# --- the office's home ---------------------------------------------------------------------


def call_phase(call: Call, now: dt.datetime) -> str:
    """Where ``call`` stands by its dates, in a few words."""
    today = timezone.localdate(now)
    if now < call.opens_at:
        return _("受付前 (%(when)s から)") % {"when": format_datetime(call.opens_at)}
    if now < call.closes_at:
        return _("受付中 (%(when)s 締切)") % {"when": format_datetime(call.closes_at)}
    if today < call.decision_on:
        return _("審査中")
    return _("採択決定後 (交付・実績報告)")


@dataclass(frozen=True)
class CallRow:
    call: Call
    phase: str
    filed: int
    decided: int


@dataclass(frozen=True)
class OfficeHome:
    rows: list[CallRow]
    latest: Call | None  # the call to start next year's from


def office_home(*, user: User) -> OfficeHome:
    """The ward's calls, newest first, each with its phase, the applications filed and the
    amount decided so far."""
    calls = list(
        office_calls(user)
        .select_related("municipality")
        .order_by("-fiscal_year", "-opens_at", "-pk")
    )
    figures = (
        office_applications(user)
        .filter(stage__call__in=[c.pk for c in calls])
        .values("stage__call")
        .annotate(
            filed=Count("pk", filter=~Q(status__in=NOT_FILED)),
            decided=Sum("decided_amount", filter=Q(status__in=GRANTED_STATUSES)),
        )
        .order_by()
    )
    by_call: dict[int, dict[str, Any]] = {row["stage__call"]: dict(row) for row in figures}
    now = timezone.now()
    rows = [
        CallRow(
            call=call,
            phase=call_phase(call, now),
            filed=by_call.get(call.pk, {}).get("filed") or 0,
            decided=by_call.get(call.pk, {}).get("decided") or 0,
        )
        for call in calls
    ]
    return OfficeHome(rows=rows, latest=calls[0] if calls else None)


# --- one call's dashboard ------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    requested: int


@dataclass(frozen=True)
class Money:
    """The budget of a stage (or the call) against what is decided and paid."""

    budget: int
    decided: int = 0
    committed: int = 0  # confirmed where fixed, else decided
    paid: int = 0
    candidates: int = 0  # requested by 交付候補 not yet decided

    @property
    def remaining(self) -> int:
        return self.budget - self.committed

    @property
    def committed_percent(self) -> int:
        return _percent(self.committed, self.budget)

    @property
    def paid_percent(self) -> int:
        return _percent(self.paid, self.budget)


def _percent(part: int, whole: int) -> int:
    return int(part * 100 // whole) if whole else 0


@dataclass(frozen=True)
class ReviewerBehind:
    reviewer_id: int
    name: str
    pending: int


@dataclass(frozen=True)
class ReviewerProgress:
    assigned: int = 0  # not counting assignments ended by a declared conflict
    cleared: int = 0  # declared no conflict (scoring or done)
    submitted: int = 0
    conflicted: int = 0
    behind: list[ReviewerBehind] = field(default_factory=list)


@dataclass(frozen=True)
class StageCard:
    stage: Stage
    pipeline: list[StatusCount]  # every status with at least one application
    drafts: int
    filed: int
    requested: int
    selected: int
    decided: int
    confirmed: int
    paid: int
    money: Money
    reviewers: ReviewerProgress


@dataclass(frozen=True)
class CallDashboard:
    call: Call
    phase: str
    stages: list[StageCard]
    money: Money
    stage_budgets: int
    filed: int
    overdue_reports: int
    rules_lock: ApplicationError | None


def _sum(rows: Iterable[dict[str, Any]], key: str, statuses: Sequence[str]) -> int:
    return sum(row[key] or 0 for row in rows if row["status"] in statuses)


def _count(rows: Iterable[dict[str, Any]], statuses: Sequence[str]) -> int:
    return sum(row["n"] for row in rows if row["status"] in statuses)


def _reviewer_progress(user: User, call: Call) -> dict[int, ReviewerProgress]:
    assignments = ReviewerAssignment.objects.for_user(user, MANAGE).filter(
        application__stage__call=call
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        assignments.exclude(application__status=S.WITHDRAWN)
        .values("application__stage", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["application__stage"]][row["status"]] += row["n"]
    behind: dict[int, list[ReviewerBehind]] = defaultdict(list)
    for pending in (
        assignments.filter(status__in=PENDING_ASSIGNMENTS, application__status=S.SCREENING)
        .values("application__stage", "reviewer", "reviewer__name", "reviewer__email")
        .annotate(pending=Count("pk"))
        .order_by("application__stage", "-pending", "reviewer__name", "reviewer")
    ):
        behind[pending["application__stage"]].append(
            ReviewerBehind(
                reviewer_id=pending["reviewer"],
                name=pending["reviewer__name"] or pending["reviewer__email"],
                pending=pending["pending"],
            )
        )
    result = {}
    for stage_id in set(counts) | set(behind):
        by_status = counts[stage_id]
        conflicted = by_status[AssignmentStatus.CONFLICTED]
        result[stage_id] = ReviewerProgress(
            assigned=sum(by_status.values()) - conflicted,
            cleared=by_status[AssignmentStatus.CLEARED] + by_status[AssignmentStatus.SUBMITTED],
            submitted=by_status[AssignmentStatus.SUBMITTED],
            conflicted=conflicted,
            behind=behind[stage_id],
        )
    return result


def call_dashboard(*, user: User, call: Call) -> CallDashboard:
    """The office's page of one call: per stage the applications by status with their
    amounts, the budget against what is decided and paid, and the reviewers' progress;
    for the call the same totals and how many 事業化状況報告 are overdue."""
    stages = list(Stage.objects.for_user(user, CHANGE).filter(call=call).order_by("number"))
    figures: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        office_applications(user)
        .filter(stage__call=call)
        .values("stage", "status")
        .annotate(
            n=Count("pk"),
            requested=Sum("requested_amount"),
            decided=Sum("decided_amount"),
            confirmed=Sum("confirmed_amount"),
            committed=Sum(Coalesce("confirmed_amount", "decided_amount")),
        )
        .order_by()
    ):
        figures[row["stage"]].append(dict(row))
    paid = dict(
        Payment.objects.for_user(user, MANAGE)
        .filter(application__stage__call=call)
        .values("application__stage")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("application__stage", "total")
    )
    reviewers = _reviewer_progress(user, call)
    status_order = {value: index for index, value in enumerate(S.values)}
    cards = []
    for stage in stages:
        rows = figures[stage.pk]
        filed_statuses = [s for s in S.values if s not in NOT_FILED]
        money = Money(
            budget=stage.budget,
            decided=_sum(rows, "decided", GRANTED_STATUSES),
            committed=_sum(rows, "committed", GRANTED_STATUSES),
            paid=paid.get(stage.pk) or 0,
            candidates=_sum(rows, "requested", CANDIDATE_STATUSES),
        )
        cards.append(
            StageCard(
                stage=stage,
                pipeline=[
                    StatusCount(
                        status=row["status"],
                        label=str(S(row["status"]).label),
                        count=row["n"],
                        requested=row["requested"] or 0,
                    )
                    for row in sorted(rows, key=lambda r: status_order[r["status"]])
                ],
                drafts=_count(rows, (S.DRAFT,)),
                filed=_count(rows, filed_statuses),
                requested=_sum(rows, "requested", filed_statuses),
                selected=_count(rows, SELECTED_STATUSES),
                decided=money.decided,
                confirmed=_sum(rows, "confirmed", CONFIRMED_STATUSES),
                paid=money.paid,
                money=money,
                reviewers=reviewers.get(stage.pk, ReviewerProgress()),
            )
        )
    overdue = (
        ValueAddedReport.objects.for_user(user, MANAGE)
        .filter(
            application__stage__call=call,
            status=ValueAddedStatus.REQUESTED,
            due_on__lt=timezone.localdate(),
        )
        .count()
    )
    now = timezone.now()
    return CallDashboard(
        call=call,
        phase=call_phase(call, now),
        stages=cards,
        money=Money(
            budget=call.budget,
            decided=sum(c.money.decided for c in cards),
            committed=sum(c.money.committed for c in cards),
            paid=sum(c.money.paid for c in cards),
            candidates=sum(c.money.candidates for c in cards),
        ),
        stage_budgets=sum(s.budget for s in stages),
        filed=sum(c.filed for c in cards),
        overdue_reports=overdue,
        rules_lock=rules_lock(call, now=now),
    )


# --- the call's applications ---------------------------------------------------------------


def call_applications(
    *, user: User, call: Call, stage_id: int | None = None, status: str = "", text: str = ""
) -> QuerySet[Application]:
    """The call's applications the office screens (drafts are the applicants' own until
    submitted), filtered by stage, status and a part of the company's name; in order of
    submission."""
    applications = (
        office_applications(user)
        .filter(stage__call=call)
        .exclude(status=S.DRAFT)
        .select_related("company", "stage")
    )
    if stage_id is not None:
        applications = applications.filter(stage_id=stage_id)
    if status in S.values and status != S.DRAFT:
        applications = applications.filter(status=status)
    text = text.strip()
    if text:
        applications = applications.filter(company__name__icontains=text)
    return applications.order_by("stage__number", "submitted_at", "pk")


@dataclass(frozen=True)
class ApplicationRow:
    application: Application
    paid: int | None
    bonus: int  # verified bonus points
    rubric_mean: Decimal | None  # mean of the reviewers' totals, once every one scored
    total: Decimal | None  # rubric mean + verified bonus (the ranking's figure)


def _shown(value: Fraction | None) -> Decimal | None:
    """A score as the ranking shows it (one decimal, halves up), as a number."""
    return Decimal(one_decimal(value)) if value is not None else None


def application_rows(*, user: User, applications: Sequence[Application]) -> list[ApplicationRow]:
    """Each application with its payment and its scores as the ranking counts them
    (``selectors.ranking.application_scores``): the verified bonus points and, once every
    reviewer assigned to it (no conflict declared) has submitted, the mean of their totals
    plus the bonus: the figure the stage is ranked by. Four queries, whatever the number
    of rows."""
    ids = [a.pk for a in applications]
    paid = dict(
        Payment.objects.for_user(user, MANAGE)
        .filter(application__in=ids)
        .values_list("application", "amount")
    )
    scores = application_scores(user, ids)
    return [
        ApplicationRow(
            application=application,
            paid=paid.get(application.pk),
            bonus=scores[application.pk].bonus,
            rubric_mean=_shown(scores[application.pk].rubric_mean),
            total=_shown(scores[application.pk].total),
        )
        for application in applications
    ]


def export_table(*, user: User, call: Call) -> tuple[list[str], list[list[Any]]]:
    """The call's applications as the export's header and rows: amounts as numbers, the
    submission time in JST, empty cells where a step has not come."""
    header = [
        _("受付番号"),
        _("申請企業"),
        _("ステージ"),
        _("状態"),
        _("補助対象経費 (円)"),
        _("申請額 (円)"),
        _("交付決定額 (円)"),
        _("確定額 (円)"),
        _("支払額 (円)"),
        _("提出日時 (日本時間)"),
        _("加点"),
        _("合計点"),
    ]
    rows = application_rows(user=user, applications=list(call_applications(user=user, call=call)))
    table = []
    for row in rows:
        a = row.application
        table.append(
            [
                a.reference,
                a.company.name,
                str(a.stage),
                str(S(a.status).label),
                _blank(a.eligible_cost),
                _blank(a.requested_amount),
                _blank(a.decided_amount),
                _blank(a.confirmed_amount),
                _blank(row.paid),
                format_datetime(a.submitted_at) if a.submitted_at else "",
                row.bonus,
                row.total if row.total is not None else "",
            ]
        )
    return header, table


def _blank(amount: int | None) -> int | str:
    return amount if amount is not None else ""
