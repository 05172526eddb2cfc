"""The 実績報告 and the 確定検査 that fixes the amount (額の確定).

While the grant stands (``GRANTED``) the company writes its report as a draft: the day the
project was completed, the outcome survey (業務効率化 / コスト削減 / 生産性向上 felt or not,
and the plan's indicator measured after), and each expense as actually paid with its
receipt and its payment proof. ``completion_report_submit`` refuses a report that is not
complete, precisely: no expense, a total above the plan, a line without a receipt or a
payment proof, a completion day in the future, the survey unanswered.

The office then inspects it (確定検査): ``inspection_accept`` fixes the amount, recomputed
from the actual expenses with the same functions as the plan (``money.actual_breakdown``)
and never above the decided amount; ``inspection_return`` sends it back with comments.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.dates import format_date
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input
from machikoba.core.money import format_yen
from machikoba.core.notifications import notify_company
from machikoba.drawings.uploads import describe_upload, store_upload
from machikoba.subsidies import money
from machikoba.subsidies.choices import ApplicationStatus, DocumentKind, ReportStatus
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode
from machikoba.subsidies.models import Application, ApplicationDocument, ExpenseCategory
from machikoba.subsidies.models_after import ActualExpense, CompletionReport
from machikoba.subsidies.selectors.completion_report import confirmable_amount, report_problems
from machikoba.subsidies.services._application_checks import (
    atomic_storing_files,
    remember_stored,
)
from machikoba.subsidies.services.application_files import WRONG_TYPE_CODES
from machikoba.subsidies.services.grants import (
    clean_amounts,
    grant_path,
    require_company,
    require_office,
    require_step,
    yen_text,
)
from machikoba.subsidies.services.internal import application_transition, lock_application

# The report is the company's to write in these statuses (and only while GRANTED).
EDITABLE_REPORT = (ReportStatus.DRAFT, ReportStatus.RETURNED)
REPORT_FIELDS = [
    "status",
    "completed_on",
    "felt_efficiency",
    "felt_cost_reduction",
    "felt_productivity",
    "felt_other",
    "effect_actual",
    "comment",
]
EXPENSE_FIELDS = ["category", "description", "vendor", "amount", "paid_on"]
PROOF_KINDS = ("pdf", "png", "jpeg")
PROOF_MAX_PAGES = 50
PROOF_DOCUMENT_KINDS = (DocumentKind.RECEIPT, DocumentKind.PAYMENT_PROOF)
# The largest amount a line may take (a typo guard: 10 billion yen).
MAX_AMOUNT = 10_000_000_000
MAX_EFFECT = Decimal("99999999999.9")


def proof_max_bytes() -> int:
    return int(getattr(settings, "MACHIKOBA_SUBSIDY_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))


def _decided_on(application: Application) -> dt.date | None:
    return timezone.localdate(application.decided_at) if application.decided_at else None


def _report_to_edit(actor: User, application: Application) -> tuple[Application, CompletionReport]:
    """The locked application and its report (created as a draft on first use), refused
    unless the grant stands and the report is a draft or was returned."""
    require_company(actor, application)
    application = lock_application(application.pk)
    if application.status != ApplicationStatus.GRANTED:
        raise ApplicationError(
            AfterSelectionErrorCode.REPORT_NOT_OPEN,
            _("実績報告は、交付決定のあとに書けます (この申請は今「%(status)s」です)。")
            % {"status": application.get_status_display()},
            status_code=409,
        )
    report, _created = CompletionReport.objects.select_for_update().get_or_create(
        application=application
    )
    if report.status not in EDITABLE_REPORT:
        raise ApplicationError(
            AfterSelectionErrorCode.REPORT_NOT_OPEN,
            _("実績報告は「%(status)s」のため、直せません。")
            % {"status": report.get_status_display()},
            status_code=409,
        )
    return application, report


def _expense_to_edit(actor: User, expense: ActualExpense) -> tuple[Application, ActualExpense]:
    application, _report = _report_to_edit(actor, expense.report.application)
    return application, ActualExpense.objects.select_related("report").get(pk=expense.pk)


# --- the draft ------------------------------------------------------------------------------


@transaction.atomic
def completion_report_save(
    *,
    actor: User,
    application: Application,
    completed_on: dt.date | None,
    felt_efficiency: bool,
    felt_cost_reduction: bool,
    felt_productivity: bool,
    felt_other: str = "",
    effect_actual: Decimal | None = None,
    comment: str = "",
) -> CompletionReport:
    """Save the report's draft: the completion day and the outcome survey. Anything may
    still be missing; ``completion_report_submit`` checks that it is complete."""
    application, report = _report_to_edit(actor, application)
    problems: dict[str, str] = {}
    decided_on = _decided_on(application)
    if completed_on is not None and decided_on is not None and completed_on < decided_on:
        problems["completed_on"] = _(
            "事業の完了日は、交付決定の日 (%(day)s) 以降の日付にしてください。"
        ) % {"day": format_date(decided_on)}
    if effect_actual is not None and not Decimal(0) <= effect_actual <= MAX_EFFECT:
        problems["effect_actual"] = _("導入後の実績値は 0 以上の数で入力してください。")
    if problems:
        raise invalid_input(AfterSelectionErrorCode.REPORT_INVALID, **problems)
    before = snapshot(report, REPORT_FIELDS)
    report.completed_on = completed_on
    report.felt_efficiency = bool(felt_efficiency)
    report.felt_cost_reduction = bool(felt_cost_reduction)
    report.felt_productivity = bool(felt_productivity)
    report.felt_other = (felt_other or "").strip()
    report.effect_actual = effect_actual
    report.comment = (comment or "").strip()
    full_clean_or_raise(report, code=AfterSelectionErrorCode.REPORT_INVALID)
    report.save()
    audit_record(
        actor=actor,
        verb="subsidy_report.save",
        target=report,
        company=application.company,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
    )
    return report


def _expense_problems(
    application: Application,
    *,
    category: ExpenseCategory | None,
    description: str,
    vendor: str,
    amount: int | None,
    paid_on: dt.date | None,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if category is None or category.stage_id != application.stage_id:
        problems["category"] = _("経費区分を、このステージの区分から選んでください。")
    if not description:
        problems["description"] = _("何に使ったのかを書いてください。")
    if not vendor:
        problems["vendor"] = _("支払先を書いてください。")
    if amount is None or isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        problems["amount"] = _("金額を 1 円以上 (税抜・円) で入力してください。")
    elif amount > MAX_AMOUNT:
        problems["amount"] = _("金額が大きすぎます。円単位で入力してください。")
    decided_on = _decided_on(application)
    if paid_on is None:
        problems["paid_on"] = _("支払った日を入力してください。")
    elif paid_on > timezone.localdate():
        problems["paid_on"] = _("支払日は今日以前の日付にしてください (支払ってから登録します)。")
    elif decided_on is not None and paid_on < decided_on:
        problems["paid_on"] = _(
            "交付決定の日 (%(day)s) より前に支払った経費は、補助の対象になりません。"
        ) % {"day": format_date(decided_on)}
    return problems


def _describe_proof(
    actor: User, expense: ActualExpense, kind: str, upload: File[bytes], field: str
) -> tuple[ApplicationDocument, str]:
    """A proof document described from its content, not yet stored; a refused file is
    reported on ``field``."""
    label = DocumentKind(kind).label
    document = ApplicationDocument(
        application_id=expense.report.application_id,
        kind=kind,
        actual_expense=expense,
        title=f"{label}: {expense.description}"[:120],
    )
    type_message = _("領収書・支払の証憑は PDF・PNG・JPEG のファイルにしてください。")
    try:
        name = describe_upload(
            document,
            upload,
            actor=actor,
            kinds=PROOF_KINDS,
            max_bytes=proof_max_bytes(),
            max_pages=PROOF_MAX_PAGES,
            code=AfterSelectionErrorCode.PROOF_INVALID,
            type_message=type_message,
        )
    except ApplicationError as error:
        if error.code in WRONG_TYPE_CODES:
            # The sniffer's own wording names the drawing formats; say what fits here.
            raise ApplicationError(
                AfterSelectionErrorCode.PROOF_INVALID, type_message, fields={field: [type_message]}
            ) from None
        messages = [m for found in error.fields.values() for m in found] or [error.message]
        raise ApplicationError(
            AfterSelectionErrorCode.PROOF_INVALID, error.message, fields={field: messages}
        ) from None
    return document, name


def _store_proofs(
    actor: User,
    application: Application,
    prepared: list[tuple[ApplicationDocument, str, File[bytes]]],
) -> list[ApplicationDocument]:
    """Store described proofs (validated first); the caller is an ``atomic_storing_files``
    write, so a failure deletes the files already stored."""
    for document, _name, _upload in prepared:
        full_clean_or_raise(document, code=AfterSelectionErrorCode.PROOF_INVALID, exclude=["file"])
    stored: list[ApplicationDocument] = []
    for document, name, upload in prepared:
        store_upload(
            document,
            upload,
            name,
            record=functools.partial(_record_proof, actor, application, document),
        )
        remember_stored(document.file)
        stored.append(document)
    return stored


def _record_proof(actor: User, application: Application, document: ApplicationDocument) -> None:
    audit_record(
        actor=actor,
        verb="subsidy_proof.add",
        target=document,
        company=application.company,
        after={
            "kind": document.kind,
            "expense": document.actual_expense_id,
            "name": document.original_name,
            "sha256": document.sha256,
        },
    )


def _delete_files_on_commit(documents: list[ApplicationDocument]) -> None:
    for document in documents:
        storage, name = document.file.storage, document.file.name
        if name:
            transaction.on_commit(functools.partial(storage.delete, name))


@atomic_storing_files
def actual_expense_add(
    *,
    actor: User,
    application: Application,
    category: ExpenseCategory | None,
    description: str,
    vendor: str,
    amount: int | None,
    paid_on: dt.date | None,
    receipt: File[bytes] | None = None,
    payment_proof: File[bytes] | None = None,
) -> ActualExpense:
    """One expense as actually paid (tax-exclusive yen), in a category of the stage, paid
    between 交付決定 and today; its receipt and payment proof may come with it or later.
    Everything is checked before any file is written: a refusal stores nothing."""
    application, report = _report_to_edit(actor, application)
    description, vendor = (description or "").strip(), (vendor or "").strip()
    problems = _expense_problems(
        application,
        category=category,
        description=description,
        vendor=vendor,
        amount=amount,
        paid_on=paid_on,
    )
    if problems or amount is None or paid_on is None:  # (the problems name the last two)
        raise invalid_input(AfterSelectionErrorCode.ACTUAL_EXPENSE_INVALID, **problems)
    expense = ActualExpense(
        report=report,
        category=category,
        description=description,
        vendor=vendor,
        amount=amount,
        paid_on=paid_on,
    )
    full_clean_or_raise(expense, code=AfterSelectionErrorCode.ACTUAL_EXPENSE_INVALID)
    uploads = [
        (kind, upload, field)
        for kind, upload, field in (
            (DocumentKind.RECEIPT, receipt, "receipt"),
            (DocumentKind.PAYMENT_PROOF, payment_proof, "payment_proof"),
        )
        if upload
    ]
    prepared = [
        (*_describe_proof(actor, expense, kind, upload, field), upload)
        for kind, upload, field in uploads
    ]
    expense.save()
    audit_record(
        actor=actor,
        verb="subsidy_actual_expense.add",
        target=expense,
        company=application.company,
        after=snapshot(expense, EXPENSE_FIELDS),
    )
    for document, _name, _upload in prepared:
        document.actual_expense = expense
    _store_proofs(actor, application, prepared)
    return expense


@transaction.atomic
def actual_expense_remove(*, actor: User, expense: ActualExpense) -> None:
    """Remove an expense line of the draft, with its proofs (their files go after the
    commit)."""
    application, expense = _expense_to_edit(actor, expense)
    documents = list(expense.proofs.all())
    before = snapshot(expense, EXPENSE_FIELDS)
    audit_record(
        actor=actor,
        verb="subsidy_actual_expense.remove",
        target=expense,
        company=application.company,
        before=before,
    )
    expense.delete()
    _delete_files_on_commit(documents)


@atomic_storing_files
def actual_expense_proof_add(
    *, actor: User, expense: ActualExpense, kind: str, upload: File[bytes] | None
) -> ApplicationDocument:
    """Attach a receipt or a payment proof to an expense line of the draft."""
    application, expense = _expense_to_edit(actor, expense)
    if kind not in PROOF_DOCUMENT_KINDS:
        raise invalid_input(
            AfterSelectionErrorCode.PROOF_INVALID, kind=_("書類の種類を選んでください。")
        )
    if not upload:
        raise invalid_input(
            AfterSelectionErrorCode.PROOF_INVALID, file=_("ファイルを選んでください。")
        )
    document, name = _describe_proof(actor, expense, kind, upload, "file")
    return _store_proofs(actor, application, [(document, name, upload)])[0]


@transaction.atomic
def actual_expense_proof_remove(*, actor: User, document: ApplicationDocument) -> None:
    """Remove a receipt or payment proof of an expense line of the draft."""
    expense = document.actual_expense
    if expense is None or document.kind not in PROOF_DOCUMENT_KINDS:
        raise invalid_input(
            AfterSelectionErrorCode.PROOF_INVALID,
            file=_("実績報告の領収書・支払の証憑だけを、ここから削除できます。"),
        )
    application, _expense = _expense_to_edit(actor, expense)
    audit_record(
        actor=actor,
        verb="subsidy_proof.remove",
        target=document,
        company=application.company,
        before={"kind": document.kind, "expense": document.actual_expense_id},
    )
    document.delete()
    _delete_files_on_commit([document])


# --- submission -------------------------------------------------------------------------------


@transaction.atomic
def completion_report_submit(*, actor: User, application: Application) -> CompletionReport:
    """Submit the 実績報告 for 確定検査 (``GRANTED`` → ``REPORTED``). Refused, with every
    problem named, unless it is complete (``selectors.after.report_problems``)."""
    application, report = _report_to_edit(actor, application)
    require_step(application, ApplicationStatus.REPORTED)
    problems = report_problems(application, report)
    if problems:
        raise ApplicationError(
            problems[0].code,
            " ".join(str(problem.message) for problem in problems),
            fields={"report": [problem.message for problem in problems]},
        )
    before = snapshot(report, REPORT_FIELDS)
    report.status = ReportStatus.SUBMITTED
    report.submitted_by = actor
    report.submitted_at = timezone.now()
    full_clean_or_raise(report, code=AfterSelectionErrorCode.REPORT_INVALID)
    report.save()
    audit_record(
        actor=actor,
        verb="subsidy_report.submit",
        target=report,
        company=application.company,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
    )
    total = report.expenses.aggregate(total=Sum("amount"))["total"] or 0
    application_transition(
        application=application,
        to=ApplicationStatus.REPORTED,
        actor=actor,
        comment=_("実績報告 (経費の合計 %(amount)s)") % {"amount": format_yen(total)},
    )
    return report


@transaction.atomic
def completion_report_save_and_submit(
    *, actor: User, application: Application, **draft: Any
) -> CompletionReport:
    """Save the draft and submit it in one tap: both or neither (a refused submission
    keeps the draft as it was)."""
    completion_report_save(actor=actor, application=application, **draft)
    return completion_report_submit(actor=actor, application=application)


# --- 確定検査 ----------------------------------------------------------------------------------


def _submitted_report(application: Application) -> CompletionReport:
    return (
        CompletionReport.objects.select_for_update(of=("self",))
        .select_related("application__stage")
        .get(application=application, status=ReportStatus.SUBMITTED)
    )


@transaction.atomic
def inspection_accept(*, actor: User, application: Application, comment: str = "") -> Application:
    """確定検査 passed: the amount is fixed (``REPORTED`` → ``CONFIRMED``), recomputed from
    the actual expenses and capped at the decided amount. An amount of 0 (nothing
    eligible, or below the stage's minimum) is refused: return the report instead."""
    require_office(actor, application)
    application = lock_application(application.pk)
    require_step(application, ApplicationStatus.CONFIRMED)
    report = _submitted_report(application)
    amount = confirmable_amount(application, money.actual_breakdown(report))
    if amount <= 0:
        raise ApplicationError(
            AfterSelectionErrorCode.CONFIRMED_AMOUNT_ZERO,
            _(
                "実績の補助対象経費から計算した補助金が 0 円になります (対象外の経費か、"
                "下限に届いていません)。差し戻して確かめてもらってください。"
            ),
        )
    before = snapshot(report, REPORT_FIELDS)
    report.status = ReportStatus.ACCEPTED
    report.inspected_by = actor
    report.inspected_at = timezone.now()
    report.inspection_comment = (comment or "").strip()
    full_clean_or_raise(report, code=AfterSelectionErrorCode.REPORT_INVALID)
    report.save()
    audit_record(
        actor=actor,
        verb="subsidy_report.accept",
        target=report,
        company=application.company,
        before=before,
        after={**snapshot(report, REPORT_FIELDS), "confirmed_amount": amount},
    )
    application.confirmed_amount = amount
    clean_amounts(application, code=AfterSelectionErrorCode.REPORT_INVALID)
    application_transition(
        application=application,
        to=ApplicationStatus.CONFIRMED,
        actor=actor,
        comment=_("確定額 %(amount)s") % {"amount": format_yen(amount)},
    )
    notify_company(
        company=application.company,
        kind="subsidy_amount_confirmed",
        params={"title": application.title, "amount": yen_text(amount)},
        path=grant_path(application),
    )
    return application


@transaction.atomic
def inspection_return(*, actor: User, application: Application, comment: str) -> Application:
    """確定検査 sends the report back for correction (``REPORTED`` → ``GRANTED``), with
    comments saying what to fix; the company edits and submits it again."""
    require_office(actor, application)
    application = lock_application(application.pk)
    require_step(application, ApplicationStatus.GRANTED, source=ApplicationStatus.REPORTED)
    comment = (comment or "").strip()
    if not comment:
        raise invalid_input(
            AfterSelectionErrorCode.INSPECTION_COMMENT_REQUIRED,
            comment=_("差し戻すときは、直してほしいところをコメントに書いてください。"),
        )
    report = _submitted_report(application)
    before = snapshot(report, REPORT_FIELDS)
    report.status = ReportStatus.RETURNED
    report.inspected_by = actor
    report.inspected_at = timezone.now()
    report.inspection_comment = comment
    full_clean_or_raise(report, code=AfterSelectionErrorCode.INSPECTION_COMMENT_REQUIRED)
    report.save()
    audit_record(
        actor=actor,
        verb="subsidy_report.return",
        target=report,
        company=application.company,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
    )
    application_transition(
        application=application, to=ApplicationStatus.GRANTED, actor=actor, comment=comment
    )
    notify_company(
        company=application.company,
        kind="subsidy_report_returned",
        params={"title": application.title, "comment": comment},
        path=grant_path(application),
    )
    return application
