"""Reads of the grant steps page, one page for the company and the ward's office: what has
happened, what is next, the amounts, the change requests, the 実績報告 with its lines and
proofs, the 確定検査's recomputed amount and the yearly value-added reports; a change
request the office decides; and the facts of the 交付決定通知書.

Which buttons each reader sees comes from the state machine's table
(``services.internal.may_move``) and the same role checks the services make.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import MANAGE, VIEW, get_for_user_or_404
from machikoba.core.dates import format_date
from machikoba.core.money import format_yen
from machikoba.subsidies import money
from machikoba.subsidies.choices import (
    GRANTED_STATUSES,
    ApplicationStatus,
    ChangeRequestStatus,
    ReportStatus,
    ValueAddedStatus,
)
from machikoba.subsidies.models import Application, ApplicationEvent
from machikoba.subsidies.models_after import (
    ChangeRequest,
    CompletionReport,
    Payment,
    ValueAddedReport,
)
from machikoba.subsidies.selectors.after import is_company_editor, is_office
from machikoba.subsidies.selectors.breakdown import BreakdownView, breakdown_view, rate_label
from machikoba.subsidies.selectors.completion_report import (
    EDITABLE_REPORT,
    ExpenseRow,
    confirmable_amount,
    expense_rows,
    planned_total,
    report_of,
)
from machikoba.subsidies.selectors.value_added import ValueAddedRow, value_added_row
from machikoba.subsidies.transitions import may_move

# --- a change request the office decides -------------------------------------------------


def change_request_for_office(user: User, pk: int) -> ChangeRequest:
    return get_for_user_or_404(
        ChangeRequest.objects.select_related("application__stage__call", "application__company"),
        user,
        MANAGE,
        pk=pk,
    )


# --- the grant steps page -------------------------------------------------------------------

DONE, CURRENT, TODO = "done", "current", "todo"


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # DONE, CURRENT or TODO
    on: dt.datetime | dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class Actions:
    """The buttons ``user`` sees: the state machine's table and the services' role checks."""

    grant_request: bool = False
    grant_decide: bool = False
    change_request_file: bool = False
    change_request_decide: bool = False
    report_edit: bool = False
    inspect: bool = False
    payment_record: bool = False
    notice: bool = False


@dataclass(frozen=True)
class HistoryRow:
    event: ApplicationEvent
    actor_name: str
    to_label: str


@dataclass(frozen=True)
class GrantStepsPage:
    application: Application
    is_company: bool
    is_office: bool
    rate_label: str
    steps: list[Step]
    next_text: str
    requested: int | None
    decided: int | None
    confirmed: int | None
    paid: int | None
    planned_total: int
    decision_reason: str
    change_requests: list[ChangeRequest]
    pending_change: ChangeRequest | None
    report: CompletionReport | None
    expenses: list[ExpenseRow]
    expense_total: int
    actual: BreakdownView | None  # the breakdown of the actual expenses
    recomputed: int | None  # what 額の確定 would fix now (min(decided, actual subsidy))
    payment: Payment | None
    value_added: list[ValueAddedRow]
    history: list[HistoryRow]
    actions: Actions
    today: dt.date = field(default_factory=timezone.localdate)


def _name(user: User | None) -> str:
    if user is None:
        return _("(削除された利用者)")
    return user.get_full_name() or user.email


def _event_on(events: Sequence[ApplicationEvent], status: str) -> dt.datetime | None:
    found = [event.at for event in events if event.to_status == status]
    return found[-1] if found else None


def _steps(
    application: Application,
    events: Sequence[ApplicationEvent],
    report: CompletionReport | None,
    payment: Payment | None,
    value_added: list[ValueAddedRow],
) -> list[Step]:
    order = [
        ApplicationStatus.SELECTED,
        ApplicationStatus.GRANT_REQUESTED,
        ApplicationStatus.GRANTED,
        ApplicationStatus.REPORTED,
        ApplicationStatus.CONFIRMED,
        ApplicationStatus.PAID,
    ]
    reached = order.index(ApplicationStatus(application.status))
    labels = {
        ApplicationStatus.SELECTED: _("採択 (交付候補)"),
        ApplicationStatus.GRANT_REQUESTED: _("交付申請"),
        ApplicationStatus.GRANTED: _("交付決定"),
        ApplicationStatus.REPORTED: _("実績報告"),
        ApplicationStatus.CONFIRMED: _("確定検査・額の確定"),
        ApplicationStatus.PAID: _("支払"),
    }
    notes = {
        ApplicationStatus.GRANT_REQUESTED: format_yen(application.requested_amount)
        if application.requested_amount
        else "",
        ApplicationStatus.GRANTED: format_yen(application.decided_amount)
        if application.decided_amount
        else "",
        ApplicationStatus.CONFIRMED: format_yen(application.confirmed_amount)
        if application.confirmed_amount
        else "",
        ApplicationStatus.PAID: format_yen(payment.amount) if payment else "",
    }
    steps = []
    for index, status in enumerate(order):
        # A status says its step happened; the next one is what everyone waits for.
        if index <= reached:
            state = DONE
        elif index == reached + 1:
            state = CURRENT
        else:
            state = TODO
        on: dt.datetime | dt.date | None = _event_on(events, status)
        if status == ApplicationStatus.PAID and payment is not None:
            on = payment.paid_on
        if status == ApplicationStatus.REPORTED and report is not None and state != TODO:
            on = report.submitted_at
        steps.append(
            Step(labels[status], state, on if state == DONE else None, notes.get(status, ""))
        )
    # A returned report: its step is current again, marked 差戻し.
    if report is not None and report.status == ReportStatus.RETURNED:
        index = order.index(ApplicationStatus.REPORTED)
        steps[index] = Step(labels[ApplicationStatus.REPORTED], CURRENT, None, _("差戻し"))
    submitted = sum(1 for row in value_added if row.report.status == ValueAddedStatus.SUBMITTED)
    steps.append(
        Step(
            _("事業化状況報告 (5年間)"),
            DONE
            if value_added and submitted == len(value_added)
            else (CURRENT if value_added else TODO),
            None,
            _("%(done)s / %(total)s 年") % {"done": submitted, "total": len(value_added)}
            if value_added
            else "",
        )
    )
    return steps


def _next_text(
    application: Application,
    *,
    company: bool,
    office: bool,
    report: CompletionReport | None,
    pending_change: ChangeRequest | None,
    value_added: list[ValueAddedRow],
) -> str:
    status = application.status
    if status == ApplicationStatus.SELECTED:
        return (
            _(
                "採択されました。計画と金額を確かめて、交付申請をしてください。"
                "交付決定より前に発注・契約・支払った経費は補助の対象になりません。"
            )
            if company
            else _("企業の交付申請を待っています。")
        )
    if status == ApplicationStatus.GRANT_REQUESTED:
        return (
            _("交付申請を受け付けました。区が内容を確かめて交付決定をします。")
            if company
            else _("交付申請が届いています。申請額を確かめて交付決定をしてください。")
        )
    if status == ApplicationStatus.GRANTED:
        if office and pending_change is not None:
            return _("計画変更申請が届いています。承認するかどうかを決めてください。")
        if report is not None and report.status == ReportStatus.RETURNED:
            return (
                _(
                    "実績報告が差し戻されました。区のコメントを読んで直し、もう一度提出してください。"
                )
                if company
                else _("実績報告を差し戻しました。企業の再提出を待っています。")
            )
        return (
            _(
                "交付が決定しました。計画どおりに事業を進め、終わったら領収書と支払の証憑を"
                "添えて実績報告を出してください。計画を変えるときは、先に計画変更申請をしてください。"
            )
            if company
            else _("事業の実施中です。企業の実績報告を待っています。")
        )
    if status == ApplicationStatus.REPORTED:
        return (
            _("実績報告を受け付けました。区が確定検査をして、補助金の額を確定します。")
            if company
            else _("実績報告が届いています。経費と証憑を確かめて、確定検査をしてください。")
        )
    if status == ApplicationStatus.CONFIRMED:
        return (
            _("補助金の額が確定しました。区からの支払を待っています。")
            if company
            else _("額が確定しました。支払ったら、支払を記録してください。")
        )
    waiting = [row for row in value_added if row.report.status == ValueAddedStatus.REQUESTED]
    if waiting:
        first = waiting[0]
        return _(
            "補助金を支払いました。%(year)s年目の事業化状況報告 (%(fiscal_year)s) を"
            " %(due)s までにお願いします。"
        ) % {
            "year": first.report.year_index,
            "fiscal_year": first.fiscal_year_label,
            "due": format_date(first.report.due_on),
        }
    return _("補助金を支払いました。事業化状況報告は、毎年度が終わったあとにお願いします。")


def grant_steps_page(user: User, application: Application) -> GrantStepsPage:
    """Everything the grant steps page shows of ``application`` (read through
    ``after_application``), for ``user``. A bounded number of queries."""
    company = is_company_editor(user, application)
    office = is_office(user, application)
    status = application.status
    events = list(
        ApplicationEvent.objects.for_user(user, VIEW)
        .filter(application=application)
        .select_related("actor")
        .order_by("at", "pk")
    )
    changes = list(
        ChangeRequest.objects.for_user(user, VIEW)
        .filter(application=application)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-pk")
    )
    pending = next((c for c in changes if c.status == ChangeRequestStatus.PENDING), None)
    report = report_of(user, application)
    expenses = expense_rows(user, report)
    payment = Payment.objects.for_user(user, VIEW).filter(application=application).first()
    today = timezone.localdate()
    value_added = [
        value_added_row(r, today)
        for r in ValueAddedReport.objects.for_user(user, VIEW)
        .filter(application=application)
        .order_by("year_index")
    ]
    actual = recomputed = None
    if report is not None and expenses:
        breakdown = money.actual_breakdown(report)
        actual = breakdown_view(application.stage, breakdown)
        recomputed = (
            application.confirmed_amount
            if application.confirmed_amount is not None
            else confirmable_amount(application, breakdown)
        )
    granted_event = next(
        (
            e
            for e in reversed(events)
            if e.to_status == ApplicationStatus.GRANTED
            and e.from_status == ApplicationStatus.GRANT_REQUESTED
        ),
        None,
    )
    reason = ""
    if granted_event is not None and "\n" in granted_event.comment:
        reason = granted_event.comment.split("\n", 1)[1]
    report_open = report is None or report.status in EDITABLE_REPORT
    actions = Actions(
        grant_request=company and may_move(application, ApplicationStatus.GRANT_REQUESTED),
        grant_decide=office and status == ApplicationStatus.GRANT_REQUESTED,
        change_request_file=company and status == ApplicationStatus.GRANTED and pending is None,
        change_request_decide=office
        and status == ApplicationStatus.GRANTED
        and pending is not None,
        report_edit=company and status == ApplicationStatus.GRANTED and report_open,
        inspect=office and status == ApplicationStatus.REPORTED,
        payment_record=office and may_move(application, ApplicationStatus.PAID),
        notice=status in GRANTED_STATUSES,
    )
    return GrantStepsPage(
        application=application,
        is_company=company,
        is_office=office,
        rate_label=rate_label(application.stage),
        steps=_steps(application, events, report, payment, value_added),
        next_text=_next_text(
            application,
            company=company,
            office=office,
            report=report,
            pending_change=pending,
            value_added=value_added,
        ),
        requested=application.requested_amount,
        decided=application.decided_amount,
        confirmed=application.confirmed_amount,
        paid=payment.amount if payment else None,
        planned_total=planned_total(application),
        decision_reason=reason,
        change_requests=changes,
        pending_change=pending,
        report=report,
        expenses=expenses,
        expense_total=sum(row.expense.amount for row in expenses),
        actual=actual,
        recomputed=recomputed,
        payment=payment,
        value_added=value_added,
        history=[
            HistoryRow(
                event=event,
                actor_name=_name(event.actor),
                to_label=str(ApplicationStatus(event.to_status).label),
            )
            for event in events
        ],
        actions=actions,
        today=today,
    )


# --- the 交付決定通知書 ---------------------------------------------------------------------


@dataclass(frozen=True)
class GrantNotice:
    """What the 交付決定通知書 states."""

    application: Application
    ward_name: str
    company_name: str
    representative: str
    call_name: str
    fiscal_year: int
    stage_label: str
    rate_label: str
    planned_total: int
    requested: int
    decided: int
    decided_at: dt.datetime
    grant_requested_at: dt.datetime | None
    reason: str


def grant_notice(user: User, application: Application) -> GrantNotice:
    """The notice of ``application`` (read through ``granted_application``): the decided
    amount, and the reason when it is below the requested amount."""
    page = grant_steps_page(user, application)
    call = application.stage.call
    company = application.company
    return GrantNotice(
        application=application,
        ward_name=call.municipality.name,
        company_name=company.name,
        representative=" ".join(
            part for part in (company.representative_title, company.representative_name) if part
        ),
        call_name=call.name,
        fiscal_year=call.fiscal_year,
        stage_label=str(application.stage),
        rate_label=page.rate_label,
        planned_total=page.planned_total,
        requested=application.requested_amount or 0,
        decided=application.decided_amount or 0,
        decided_at=application.decided_at or timezone.now(),
        grant_requested_at=next(
            (
                row.event.at
                for row in reversed(page.history)
                if row.event.to_status == ApplicationStatus.GRANT_REQUESTED
            ),
            None,
        ),
        reason=page.decision_reason,
    )
