"""Reads of the 実績報告 (completion report): the company's report page (its draft, the
actual expenses with their receipts and payment proofs, the stage's categories, the amount
the actual expenses would give), the form's values, the expense and proof a company
changes, and what stops a report from being submitted.

What stops a 実績報告 from being submitted is decided here once (``report_problems``): the
page lists it and ``services.reports`` raises it. So is the amount 額の確定 fixes
(``confirmable_amount``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.dates import format_date
from machikoba.core.money import format_yen
from machikoba.subsidies import money
from machikoba.subsidies.arithmetic import Breakdown
from machikoba.subsidies.choices import (
    ApplicationStatus,
    ChangeRequestStatus,
    DocumentKind,
    ReportStatus,
)
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode
from machikoba.subsidies.models import Application, ApplicationDocument, ExpenseCategory
from machikoba.subsidies.models_after import ActualExpense, CompletionReport
from machikoba.subsidies.selectors.after import is_company_editor
from machikoba.subsidies.selectors.breakdown import BreakdownView, breakdown_view

EDITABLE_REPORT = (ReportStatus.DRAFT, ReportStatus.RETURNED)
PROOF_KINDS = (DocumentKind.RECEIPT, DocumentKind.PAYMENT_PROOF)


# --- the report's expense and proofs, fetched for the company ------------------------------


def expense_for_company(user: User, pk: int) -> ActualExpense:
    """An actual expense the user's company may change (a 404 for anyone else)."""
    return get_for_user_or_404(
        ActualExpense.objects.select_related("report__application__company", "category"),
        user,
        VIEW,
        pk=pk,
    )


def proof_document(user: User, pk: int) -> ApplicationDocument:
    """A receipt or payment proof of a 実績報告 line (404 for anything else)."""
    return get_for_user_or_404(
        ApplicationDocument.objects.filter(
            kind__in=PROOF_KINDS, actual_expense__isnull=False
        ).select_related("actual_expense__report__application__company", "application"),
        user,
        VIEW,
        pk=pk,
    )


# --- the 実績報告's checks ------------------------------------------------------------------


def planned_total(application: Application) -> int:
    """The total cost of the plan the grant was decided on: its expense lines, which no
    one can change after submission."""
    return application.expenses.aggregate(total=Sum("amount"))["total"] or 0


@dataclass(frozen=True)
class ReportProblem:
    code: AfterSelectionErrorCode
    message: str


def report_problems(application: Application, report: CompletionReport) -> list[ReportProblem]:
    """What stops ``report`` from being submitted, in the order the owner fixes them, each
    with its code and a message saying precisely what to do: no expense, a total above
    the plan, a line without a receipt or a payment proof, no completion day or one in
    the future, the outcome survey unanswered, a change of plan still waiting for the
    office's decision (a trusted read: the caller holds the report)."""
    problems: list[ReportProblem] = []
    expenses = list(report.expenses.prefetch_related("proofs").order_by("id"))
    if not expenses:
        problems.append(
            ReportProblem(
                AfterSelectionErrorCode.REPORT_EMPTY,
                _("実際に支払った経費を、1件以上登録してください。"),
            )
        )
    total = sum(expense.amount for expense in expenses)
    plan = planned_total(application)
    if expenses and total > plan:
        problems.append(
            ReportProblem(
                AfterSelectionErrorCode.REPORT_ABOVE_PLAN,
                # An approved 計画変更 does not raise the plan's total: only the actual
                # lines can come back within it.
                _(
                    "実績の経費の合計 (%(actual)s) が計画の合計 (%(plan)s) を %(over)s"
                    " 超えています。計画を超えた分は補助の対象になりません。"
                    "実績を計画の範囲で入力してください。"
                    "分からないときは区の担当者にご相談ください。"
                )
                % {
                    "actual": format_yen(total),
                    "plan": format_yen(plan),
                    "over": format_yen(total - plan),
                },
            )
        )
    for number, expense in enumerate(expenses, start=1):
        kinds = {document.kind for document in expense.proofs.all()}
        missing = [str(DocumentKind(kind).label) for kind in PROOF_KINDS if kind not in kinds]
        if missing:
            problems.append(
                ReportProblem(
                    AfterSelectionErrorCode.REPORT_PROOFS_MISSING,
                    _("%(number)s件目「%(line)s」に %(missing)s を添付してください。")
                    % {
                        "number": number,
                        "line": expense.description,
                        "missing": "・".join(missing),
                    },
                )
            )
    if report.completed_on is None:
        problems.append(
            ReportProblem(
                AfterSelectionErrorCode.REPORT_INVALID, _("事業の完了日を入力してください。")
            )
        )
    elif report.completed_on > timezone.localdate():
        problems.append(
            ReportProblem(
                AfterSelectionErrorCode.REPORT_COMPLETED_IN_FUTURE,
                _("事業の完了日 %(day)s が未来の日付です。事業が終わってから提出してください。")
                % {"day": format_date(report.completed_on)},
            )
        )
    if report.effect_actual is None:
        problems.append(
            ReportProblem(
                AfterSelectionErrorCode.REPORT_SURVEY_UNANSWERED,
                _("成果のアンケートに答えてください (導入後の実績値が未入力です)。"),
            )
        )
    if application.change_requests.filter(status=ChangeRequestStatus.PENDING).exists():
        problems.append(
            ReportProblem(
                AfterSelectionErrorCode.CHANGE_REQUEST_PENDING,
                _("審査待ちの計画変更申請があります。区の判断が出てから提出してください。"),
            )
        )
    return problems


def confirmable_amount(application: Application, breakdown: Breakdown) -> int:
    """額の確定: the subsidy on the actual eligible costs, never above the decided amount."""
    return min(application.decided_amount or 0, breakdown.subsidy)


# --- the report's lines ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExpenseRow:
    expense: ActualExpense
    receipts: list[ApplicationDocument]
    payment_proofs: list[ApplicationDocument]

    @property
    def missing(self) -> list[str]:
        found = [
            (DocumentKind.RECEIPT, self.receipts),
            (DocumentKind.PAYMENT_PROOF, self.payment_proofs),
        ]
        return [str(DocumentKind(kind).label) for kind, documents in found if not documents]


def _documents_by_expense(
    user: User, application: Application
) -> dict[int, dict[str, list[ApplicationDocument]]]:
    documents = (
        ApplicationDocument.objects.for_user(user, VIEW)
        .filter(application=application, kind__in=PROOF_KINDS, actual_expense__isnull=False)
        .order_by("uploaded_at", "pk")
    )
    found: dict[int, dict[str, list[ApplicationDocument]]] = {}
    for document in documents:
        expense_id = document.actual_expense_id or 0  # never 0: the filter above
        found.setdefault(expense_id, {}).setdefault(document.kind, []).append(document)
    return found


def expense_rows(user: User, report: CompletionReport | None) -> list[ExpenseRow]:
    if report is None:
        return []
    by_expense = _documents_by_expense(user, report.application)
    expenses = (
        ActualExpense.objects.for_user(user, VIEW)
        .filter(report=report)
        .select_related("category")
        .order_by("id")
    )
    return [
        ExpenseRow(
            expense=expense,
            receipts=by_expense.get(expense.pk, {}).get(DocumentKind.RECEIPT, []),
            payment_proofs=by_expense.get(expense.pk, {}).get(DocumentKind.PAYMENT_PROOF, []),
        )
        for expense in expenses
    ]


def report_of(user: User, application: Application) -> CompletionReport | None:
    return (
        CompletionReport.objects.for_user(user, VIEW)
        .filter(application=application)
        .select_related("application__stage", "inspected_by")
        .first()
    )


# --- the 実績報告 form's page ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPage:
    application: Application
    report: CompletionReport | None
    expenses: list[ExpenseRow]
    expense_total: int
    planned_total: int
    categories: list[ExpenseCategory]
    problems: list[ReportProblem]
    actual: BreakdownView | None
    editable: bool


def report_page(user: User, application: Application) -> ReportPage:
    """The company's 実績報告 page: its draft (None before the first save), the lines with
    their proofs, the stage's categories, what still stops the submission, and the amount
    the actual expenses would give."""
    report = report_of(user, application)
    expenses = expense_rows(user, report)
    problems = (
        report_problems(application, report)
        if report is not None
        else [
            ReportProblem(
                AfterSelectionErrorCode.REPORT_EMPTY,
                _("実際に支払った経費を、1件以上登録してください。"),
            )
        ]
    )
    actual = None
    if report is not None and expenses:
        actual = breakdown_view(application.stage, money.actual_breakdown(report))
    editable = (
        is_company_editor(user, application)
        and application.status == ApplicationStatus.GRANTED
        and (report is None or report.status in EDITABLE_REPORT)
    )
    return ReportPage(
        application=application,
        report=report,
        expenses=expenses,
        expense_total=sum(row.expense.amount for row in expenses),
        planned_total=planned_total(application),
        categories=list(
            ExpenseCategory.objects.filter(stage=application.stage).order_by("order", "pk")
        ),
        problems=problems,
        actual=actual,
        editable=editable,
    )


def report_initial(application: Application) -> dict[str, Any]:
    """The 実績報告 form's values: the saved draft's, or nothing yet (a trusted read: the
    caller holds the application through ``after_application``)."""
    report = CompletionReport.objects.filter(application=application).first()
    if report is None or report.effect_actual is None:
        # Not answered yet: no radio is pre-selected (the owner chooses each).
        initial: dict[str, Any] = {}
    else:
        initial = {
            name: "yes" if getattr(report, name) else "no"
            for name in ("felt_efficiency", "felt_cost_reduction", "felt_productivity")
        }
    if report is not None:
        initial.update(
            completed_on=report.completed_on,
            felt_other=report.felt_other,
            effect_actual=report.effect_actual,
            comment=report.comment,
        )
    return initial
