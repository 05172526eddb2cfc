"""The applicant's pages of the DX subsidy: the open calls and one call (with a button per
stage), the wizard (① 会社と代表者 ② 計画 ③ 経費 ④ 書類 ⑤ 確認して提出) with its live
breakdown, "my applications", one application (status, what happens next, its body, the
buttons its state allows) and every document's download.

Views call only ``selectors`` and ``services.applications``; a refusal is
shown on the form or flashed, and nothing changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, VIEW, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import parse_id
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.core.views import content_disposition, run_and_flash
from machikoba.drawings.sniffing import too_large_message
from machikoba.subsidies import selectors, services
from machikoba.subsidies.choices import ApplicationStatus, DocumentKind
from machikoba.subsidies.forms_apply import (
    CompanyStepForm,
    DocumentsStepForm,
    ExpenseForm,
    PlanStepForm,
    QuoteForm,
    StartForm,
    WithdrawForm,
)
from machikoba.subsidies.models import (
    ApplicationDocument,
    Call,
    ExpenseLine,
    Stage,
)
from machikoba.subsidies.services.application_files import (
    document_max_bytes,
    documents_step_save,
)


class SignedInRequest(HttpRequest):
    user: User


def _company(request: HttpRequest) -> Company | None:
    return getattr(request, "active_company", None) or None


def _wizard_url(application_pk: int, step: int, anchor: str = "") -> str:
    url = reverse("subsidies:wizard", args=[application_pk, step])
    return f"{url}#{anchor}" if anchor else url


# --- calls ----------------------------------------------------------------------------------


@login_required
@require_GET
def calls(request: SignedInRequest) -> HttpResponse:
    company = _company(request)
    cards = selectors.open_calls(request.user, company)
    return render(
        request,
        "subsidies/apply/calls.html",
        {
            "cards": cards,
            "company": company,
            "companies": [] if company else selectors.advised_companies(request.user),
            "dojo_graduate": selectors.is_dojo_graduate(company),
        },
    )


@login_required
@require_GET
def call_detail(request: SignedInRequest, call_id: int) -> HttpResponse:
    call = get_for_user_or_404(Call, request.user, VIEW, pk=call_id)
    page = selectors.call_page(request.user, call, _company(request))
    return render(
        request,
        "subsidies/apply/call_detail.html",
        {
            "page": page,
            "card": page.card,
            "company": page.company,
            "start_form": StartForm(companies=page.companies) if page.companies else None,
        },
    )


@login_required
@require_POST
def application_start(request: SignedInRequest, stage_id: int) -> HttpResponse:
    stage = get_for_user_or_404(
        Stage.objects.select_related("call"), request.user, VIEW, pk=stage_id
    )
    company = _company(request)
    if company is None:
        form = StartForm(request.POST, companies=selectors.advised_companies(request.user))
        if not form.is_valid():
            messages.error(request, _("申請する会社を選んでください。"))
            return redirect("subsidies:call_detail", call_id=stage.call_id)
        company = form.cleaned_data["company"]
    try:
        application = services.application_start(actor=request.user, stage=stage, company=company)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("subsidies:call_detail", call_id=stage.call_id)
    messages.success(request, _("申請の下書きを作りました。わかっていることは先に入れてあります。"))
    return redirect(_wizard_url(application.pk, selectors.STEP_COMPANY))


# --- the wizard -------------------------------------------------------------------------------


def _step_form(
    request: SignedInRequest, page: selectors.WizardPage, data: Any = None, files: Any = None
) -> Any:
    application = page.body.application
    initial: dict[str, Any] = {
        name: getattr(application, name) for name in selectors.STEP_FIELDS.get(page.step, ())
    }
    if page.step == selectors.STEP_COMPANY:
        return CompanyStepForm(data, initial=initial)
    if page.step == selectors.STEP_PLAN:
        return PlanStepForm(data, initial=initial, stage=page.body.stage)
    if page.step == selectors.STEP_EXPENSES:
        initial = {}
        if page.expense_prefill is not None:
            initial = {
                "category": page.expense_prefill.category.pk,
                "description": page.expense_prefill.description,
                "amount": page.expense_prefill.amount,
            }
        return ExpenseForm(data, files, initial=initial, stage=page.body.stage, prefix_id="new")
    if page.step == selectors.STEP_DOCUMENTS:
        return DocumentsStepForm(
            data,
            files,
            requirements=[row.requirement for row in page.body.attachments],
            expert=page.body.expert_required,
            expert_name=application.expert_name,
        )
    return None


def _wizard_response(
    request: SignedInRequest, page: selectors.WizardPage, form: Any, status: int = 200
) -> HttpResponse:
    edit_forms = {}
    if page.step == selectors.STEP_EXPENSES:
        for row in page.body.expenses:
            edit_forms[row.line.pk] = ExpenseForm(
                initial={
                    "category": row.line.category_id,
                    "description": row.line.description,
                    "vendor": row.line.vendor,
                    "amount": row.line.amount,
                },
                stage=page.body.stage,
                with_files=False,
                prefix_id=f"line{row.line.pk}",
            )
    return render(
        request,
        "subsidies/apply/wizard.html",
        {
            "page": page,
            "body": page.body,
            "application": page.body.application,
            "form": form,
            "expense_rows": [
                {
                    "row": row,
                    "form": edit_forms.get(row.line.pk),
                    "quote_form": QuoteForm(auto_id=f"id_quote{row.line.pk}_%s"),
                }
                for row in page.body.expenses
            ],
        },
        status=status,
    )


def _save_step(
    request: SignedInRequest, page: selectors.WizardPage, form: Any, action: str
) -> bool:
    """Run what the step's form asks; False (with the refusal on the form) when refused."""
    application = page.body.application
    try:
        if page.step in (selectors.STEP_COMPANY, selectors.STEP_PLAN):
            services.application_save_step(
                actor=request.user,
                application=application,
                step=page.step,
                data=form.cleaned_data,
                advance=action == "next",
            )
            return True
        if page.step == selectors.STEP_EXPENSES:
            if form.filled():
                services.expense_add(
                    actor=request.user,
                    application=application,
                    category=form.cleaned_data["category"],
                    description=form.cleaned_data.get("description") or "",
                    vendor=form.cleaned_data.get("vendor") or "",
                    amount=form.cleaned_data.get("amount"),
                    quotes=form.quotes(),
                )
                messages.success(request, _("経費を追加しました。"))
        elif page.step == selectors.STEP_DOCUMENTS:
            # Every file and the expert's name in one write: one refused file, nothing kept.
            documents_step_save(
                actor=request.user,
                application=application,
                uploads=form.uploads(),
                expert_name=(
                    form.cleaned_data.get("expert_name", "") if page.body.expert_required else None
                ),
                advance=action == "next",
            )
            return True
        if action in ("next", "suspend", "back"):
            services.application_save_step(
                actor=request.user,
                application=application,
                step=page.step,
                data={},
                advance=action == "next",
            )
    except ApplicationError as error:
        form.add_application_error(error)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
@limit_upload_size(document_max_bytes)
def wizard(request: SignedInRequest, application_id: int, step: int) -> HttpResponse:
    if step not in selectors.STEPS:
        raise Http404
    application = selectors.editable_application(request.user, application_id)
    if not application.editable:
        return redirect("subsidies:application_detail", application_id=application.pk)
    page = selectors.wizard_page(request.user, application, step)
    if request.method != "POST":
        return _wizard_response(request, page, _step_form(request, page))
    form = _step_form(request, page, request.POST, request.FILES)
    action = request.POST.get("action", "next")
    if form is not None:
        refuse_oversized(request, form, too_large_message)
        if not form.is_valid():
            return _wizard_response(request, page, form, status=400)
        if not _save_step(request, page, form, action):
            page = selectors.wizard_page(request.user, application, step)
            return _wizard_response(request, page, form, status=400)
    if action == "suspend":
        messages.success(
            request, _("保存しました。続きは「わたしの申請」からいつでも入力できます。")
        )
        return redirect("subsidies:my_applications")
    if action == "back" and page.previous:
        return redirect(_wizard_url(application.pk, page.previous))
    if action == "next" and page.next:
        return redirect(_wizard_url(application.pk, page.next))
    return redirect(_wizard_url(application.pk, step, "expenses" if step == 3 else ""))


def _amount(text: str | None) -> int:
    try:
        value = int((text or "").replace(",", "").strip())
    except ValueError:
        return 0
    return value if 0 < value <= 10_000_000_000 else 0


@login_required
@require_GET
def breakdown_preview(request: SignedInRequest, application_id: int) -> HttpResponse:
    """The live breakdown while the applicant types a line (HTMX): the saved lines, with
    the one being edited (``line``) replaced by, or the new one added as, what is typed."""
    application = selectors.editable_application(request.user, application_id)
    body = selectors.application_body(request.user, application)
    editing = parse_id(request.GET.get("line"))
    category_id = parse_id(request.GET.get("category"))
    categories = {c.pk: c for c in body.stage.categories.all()}
    lines = [
        (row.line.category.code, row.line.amount, len(row.quotes))
        for row in body.expenses
        if row.line.pk != editing
    ]
    amount = _amount(request.GET.get("amount"))
    if amount and category_id in categories:
        category = categories[category_id]
        # A new line's form carries its quotes: they are not missing while it is typed.
        typed_quotes = category.quotes_required
        if editing is not None:
            typed_quotes = next((len(r.quotes) for r in body.expenses if r.line.pk == editing), 0)
        lines.append((category.code, amount, typed_quotes))
    live = selectors.typed_breakdown(body.stage, lines)
    return render(request, "subsidies/apply/_breakdown.html", {"live": live})


def _line(request: SignedInRequest, expense_id: int) -> ExpenseLine:
    return get_for_user_or_404(
        ExpenseLine.objects.select_related("application"), request.user, CHANGE, pk=expense_id
    )


@login_required
@require_POST
def expense_update(request: SignedInRequest, expense_id: int) -> HttpResponse:
    line = _line(request, expense_id)
    application = line.application
    form = ExpenseForm(
        request.POST, stage=application.stage, with_files=False, prefix_id=f"line{line.pk}"
    )
    if form.is_valid():
        run_and_flash(
            request,
            lambda: services.expense_update(
                actor=request.user,
                expense=line,
                category=form.cleaned_data["category"],
                description=form.cleaned_data.get("description") or "",
                vendor=form.cleaned_data.get("vendor") or "",
                amount=form.cleaned_data.get("amount") or 0,
            ),
            _("経費を直しました。"),
        )
    else:
        messages.error(request, _("経費の入力を確認してください: 金額は1円以上の整数です。"))
    return redirect(_wizard_url(application.pk, selectors.STEP_EXPENSES, f"line-{line.pk}"))


@login_required
@require_POST
def expense_remove(request: SignedInRequest, expense_id: int) -> HttpResponse:
    line = _line(request, expense_id)
    run_and_flash(
        request,
        lambda: services.expense_remove(actor=request.user, expense=line),
        _("経費を削除しました。"),
    )
    return redirect(_wizard_url(line.application_id, selectors.STEP_EXPENSES, "expenses"))


@login_required
@require_POST
@limit_upload_size(document_max_bytes)
def quote_add(request: SignedInRequest, expense_id: int) -> HttpResponse:
    line = _line(request, expense_id)
    form = QuoteForm(request.POST, request.FILES)
    refuse_oversized(request, form, too_large_message)
    if form.is_valid():
        run_and_flash(
            request,
            lambda: services.document_add(
                actor=request.user,
                application=line.application,
                kind=DocumentKind.QUOTE,
                upload=form.cleaned_data["file"],
                expense=line,
            ),
            _("見積書を追加しました。"),
        )
    else:
        errors = form.errors.get("file") or [_("ファイルを選んでください。")]
        messages.error(request, str(errors[0]))
    return redirect(_wizard_url(line.application_id, selectors.STEP_EXPENSES, f"line-{line.pk}"))


@login_required
@require_POST
def document_remove(request: SignedInRequest, document_id: int) -> HttpResponse:
    document = get_for_user_or_404(
        ApplicationDocument.objects.select_related("application"),
        request.user,
        CHANGE,
        pk=document_id,
    )
    run_and_flash(
        request,
        lambda: services.document_remove(actor=request.user, document=document),
        _("書類を削除しました。"),
    )
    step = (
        selectors.STEP_EXPENSES if document.kind == DocumentKind.QUOTE else selectors.STEP_DOCUMENTS
    )
    return redirect(_wizard_url(document.application_id, step))


# --- submitting, consent, withdrawal --------------------------------------------------------


def _back_to(application_pk: int) -> HttpResponse:
    return redirect("subsidies:application_detail", application_id=application_pk)


@login_required
@require_POST
def application_submit(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = selectors.editable_application(request.user, application_id)
    resubmission = application.status == ApplicationStatus.RETURNED
    try:
        submitted = services.application_submit(actor=request.user, application=application)
    except ApplicationError as error:
        messages.error(request, error.message)
        if application.editable:
            return redirect(_wizard_url(application.pk, selectors.STEP_CONFIRM))
        return _back_to(application.pk)
    message = (
        _("直した内容を再提出しました (受付番号 %(reference)s)。区が内容を確認します。")
        if resubmission
        else _("提出しました。受付番号は %(reference)s です。区が内容を確認します。")
    )
    messages.success(request, message % {"reference": submitted.reference})
    return _back_to(application.pk)


@login_required
@require_POST
def application_consent(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = selectors.body_application(request.user, application_id)
    run_and_flash(
        request,
        lambda: services.application_consent(actor=request.user, application=application),
        _("申請に同意しました。提出できるようになりました。"),
    )
    return _back_to(application.pk)


@login_required
@require_POST
def consent_request(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = selectors.editable_application(request.user, application_id)
    run_and_flash(
        request,
        lambda: services.application_consent_request(actor=request.user, application=application),
        _("代表者に同意をお願いしました。"),
    )
    return _back_to(application.pk)


@login_required
@require_POST
def application_withdraw(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = selectors.editable_application(request.user, application_id)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if not form.is_valid():
        messages.error(request, _("理由は300文字以内で入力してください。"))
        return _back_to(application.pk)
    run_and_flash(
        request,
        lambda: services.application_withdraw(
            actor=request.user, application=application, reason=reason
        ),
        _("申請を取り下げました。"),
    )
    return _back_to(application.pk)


# --- the company's applications --------------------------------------------------------------


@login_required
@require_GET
def my_applications(request: SignedInRequest) -> HttpResponse:
    company = _company(request)
    return render(
        request,
        "subsidies/apply/my_applications.html",
        {"rows": selectors.my_applications(request.user, company), "company": company},
    )


@login_required
@require_GET
def application_detail(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = selectors.body_application(request.user, application_id)
    page = selectors.detail_page(request.user, application)
    return render(
        request,
        "subsidies/apply/detail.html",
        {
            "page": page,
            "body": page.body,
            "application": page.body.application,
            "withdraw_form": WithdrawForm(),
        },
    )


@login_required
@require_GET
def document_download(request: SignedInRequest, document_id: int) -> FileResponse:
    """Every document of an application (quotes, attachments, the expert's evaluation,
    bonus evidence, receipts, payment proofs), for whoever may read it (document_scope)."""
    document = get_for_user_or_404(ApplicationDocument, request.user, VIEW, pk=document_id)
    if not document.file.name:
        raise Http404
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=document.mime)
    response["Content-Disposition"] = content_disposition(document.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
