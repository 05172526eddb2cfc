"""Pages of what follows the selection: the grant steps (one page for the company and the
office, with the buttons each may press), the 実績報告 form, the 交付決定通知書 PDF, one
value-added report, and the office's list of value-added reports with the yearly survey.
Views call selectors and services only.

Who reaches what: the company's owner and staff and the officers of the call's ward see
the grant steps (anyone else: 404). A company's button pressed by the office, or the
office's by the company, is a 403; an officer of another ward does not find the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.decorators import officer_required
from machikoba.accounts.models import User
from machikoba.core.errors import ApplicationError
from machikoba.core.fiscal import fiscal_year_label
from machikoba.core.forms import ServiceForm
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.core.views import content_disposition, run_and_flash, save_form
from machikoba.drawings.sniffing import too_large_message
from machikoba.subsidies import selectors
from machikoba.subsidies.forms_after import (
    ActualExpenseForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    GrantDecideForm,
    GrantRequestForm,
    InspectionAcceptForm,
    InspectionReturnForm,
    PaymentForm,
    ProofForm,
    ReportForm,
    SurveySendForm,
    ValueAddedForm,
)
from machikoba.subsidies.grant_notice_pdf import grant_notice_pdf
from machikoba.subsidies.models import Application
from machikoba.subsidies.models_after import ActualExpense
from machikoba.subsidies.services import grants, payments, reports, value_added


class SignedInRequest(HttpRequest):
    user: User


def _steps_url(application: Application, anchor: str = "") -> str:
    return reverse("subsidies:grant_steps", args=[application.pk]) + anchor


def _report_url(application: Application, anchor: str = "") -> str:
    return reverse("subsidies:grant_report", args=[application.pk]) + anchor


def _company(request: SignedInRequest, application_id: int) -> Application:
    """The application for a company's button: 404 unless the user sees its grant steps,
    403 for the office."""
    application = selectors.after_application(request.user, application_id)
    if not selectors.is_company_editor(request.user, application):
        raise PermissionDenied
    return application


def _office(request: SignedInRequest, application_id: int) -> Application:
    """The application for an office's button (the views are ``officer_required``): 404
    for an officer of another ward."""
    application = selectors.after_application(request.user, application_id)
    if not selectors.is_office(request.user, application):
        raise PermissionDenied
    return application


def _proof_too_large(size: int) -> str:
    return too_large_message(reports.proof_max_bytes())


# --- the grant steps page ------------------------------------------------------------------


def _steps_page(
    request: SignedInRequest, application: Application, **forms: ServiceForm
) -> HttpResponse:
    page = selectors.grant_steps_page(request.user, application)
    context: dict[str, Any] = {
        "page": page,
        "application": application,
        "request_form": GrantRequestForm(),
        "decide_form": GrantDecideForm(initial={"amount": application.requested_amount}),
        "change_form": ChangeRequestForm(),
        "change_decision_form": ChangeDecisionForm(),
        "accept_form": InspectionAcceptForm(),
        "return_form": InspectionReturnForm(),
        "payment_form": PaymentForm(),
    }
    context.update(forms)
    return render(request, "subsidies/after/grant_steps.html", context)


@login_required
@require_GET
def grant_steps(request: SignedInRequest, application_id: int) -> HttpResponse:
    return _steps_page(request, selectors.after_application(request.user, application_id))


def _post_form(
    request: SignedInRequest,
    application: Application,
    form_class: type[ServiceForm],
    form_name: str,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    anchor: str = "",
) -> HttpResponse:
    """One button of the grant steps: the posted ``form_class`` saved through ``save`` (a
    service), back to the steps; a refusal shows the page again with the form as
    ``form_name``."""
    form = form_class(request.POST)
    done = save_form(
        request, form, save, success_message=success, next_url=_steps_url(application, anchor)
    )
    return done or _steps_page(request, application, **{form_name: form})


@login_required
@require_POST
def grant_request(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = _company(request, application_id)
    return _post_form(
        request,
        application,
        GrantRequestForm,
        "request_form",
        lambda data: grants.grant_request(actor=request.user, application=application, **data),
        _("交付申請をしました。区の交付決定を待ってください。"),
    )


@officer_required
@require_POST
def grant_decide(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = _office(request, application_id)
    return _post_form(
        request,
        application,
        GrantDecideForm,
        "decide_form",
        lambda data: grants.grant_decide(actor=request.user, application=application, **data),
        _("交付決定をしました。企業に通知しました。"),
    )


@login_required
@require_GET
def grant_notice(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = selectors.granted_application(request.user, application_id)
    notice = selectors.grant_notice(request.user, application)
    response = HttpResponse(grant_notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        _("交付決定通知書_%(reference)s.pdf")
        % {"reference": application.reference or application.pk}
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def change_request_file(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = _company(request, application_id)
    return _post_form(
        request,
        application,
        ChangeRequestForm,
        "change_form",
        lambda data: grants.change_request_file(
            actor=request.user, application=application, **data
        ),
        _("計画変更申請をしました。区の判断を待ってください。"),
        "#changes",
    )


@officer_required
@require_POST
def change_request_decide(request: SignedInRequest, change_id: int) -> HttpResponse:
    change = selectors.change_request_for_office(request.user, change_id)
    application = _office(request, change.application_id)
    return _post_form(
        request,
        application,
        ChangeDecisionForm,
        "change_decision_form",
        lambda data: grants.change_request_decide(
            actor=request.user,
            change_request=change,
            approve=data["decision"] == "approve",
            comment=data["comment"],
            decided_amount=data["decided_amount"],
        ),
        _("計画変更申請に答えました。企業に通知しました。"),
        "#changes",
    )


# --- 確定検査 and payment --------------------------------------------------------------------


@officer_required
@require_POST
def inspection_accept(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = _office(request, application_id)
    return _post_form(
        request,
        application,
        InspectionAcceptForm,
        "accept_form",
        lambda data: reports.inspection_accept(actor=request.user, application=application, **data),
        _("確定検査を終え、補助金の額を確定しました。企業に通知しました。"),
    )


@officer_required
@require_POST
def inspection_return(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = _office(request, application_id)
    return _post_form(
        request,
        application,
        InspectionReturnForm,
        "return_form",
        lambda data: reports.inspection_return(actor=request.user, application=application, **data),
        _("実績報告を差し戻しました。企業に通知しました。"),
    )


@officer_required
@require_POST
def payment_record(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = _office(request, application_id)
    return _post_form(
        request,
        application,
        PaymentForm,
        "payment_form",
        lambda data: payments.payment_record(actor=request.user, application=application, **data),
        _("支払を記録しました。1年目の事業化状況報告を企業にお願いしました。"),
    )


# --- the 実績報告 ---------------------------------------------------------------------------------


def _report_form(application: Application, data: Any = None) -> ReportForm:
    page_report = selectors.report_initial(application)
    return ReportForm(
        data,
        initial=page_report,
        metric=application.effect_metric,
        unit=application.effect_unit,
    )


def _report_page(
    request: SignedInRequest,
    application: Application,
    *,
    form: ReportForm | None = None,
    expense_form: ActualExpenseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.report_page(request.user, application)
    return render(
        request,
        "subsidies/after/report.html",
        {
            "page": page,
            "application": application,
            "form": form or _report_form(application),
            "expense_form": expense_form
            or ActualExpenseForm(stage_id=application.stage_id, prefix="expense"),
            "proof_form": ProofForm(prefix="proof"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant_report(request: SignedInRequest, application_id: int) -> HttpResponse:
    if request.method == "GET":
        return _report_page(request, selectors.after_application(request.user, application_id))
    application = _company(request, application_id)
    form = _report_form(application, request.POST)
    submitting = "and_submit" in request.POST
    write = (
        reports.completion_report_save_and_submit if submitting else reports.completion_report_save
    )
    done = save_form(
        request,
        form,
        lambda _data: write(actor=request.user, application=application, **form.service_values()),
        success_message=_("実績報告を提出しました。区の確定検査を待ってください。")
        if submitting
        else _("実績報告を保存しました。"),
        next_url=_steps_url(application) if submitting else _report_url(application, "#survey"),
    )
    return done or _report_page(request, application, form=form)


@login_required
@require_POST
@limit_upload_size(reports.proof_max_bytes)
def actual_expense_add(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = _company(request, application_id)
    form = ActualExpenseForm(
        request.POST, request.FILES, stage_id=application.stage_id, prefix="expense"
    )
    refuse_oversized(request, form, _proof_too_large)
    done = save_form(
        request,
        form,
        lambda data: reports.actual_expense_add(
            actor=request.user, application=application, **data
        ),
        success_message=_("経費を登録しました。"),
        next_url=_report_url(application, "#expenses"),
    )
    return done or _report_page(request, application, expense_form=form)


def _expense_removed(
    request: SignedInRequest, application: Application, remove: Callable[[], Any], success: str
) -> HttpResponse:
    """A company's delete button on the 実績報告: the outcome flashed, back to the expenses."""
    run_and_flash(request, remove, success)
    return redirect(_report_url(application, "#expenses"))


def _company_expense(
    request: SignedInRequest, expense_id: int
) -> tuple[Application, ActualExpense]:
    expense = selectors.expense_for_company(request.user, expense_id)
    application = _company(request, expense.report.application_id)
    return application, expense


@login_required
@require_POST
def actual_expense_remove(request: SignedInRequest, expense_id: int) -> HttpResponse:
    application, expense = _company_expense(request, expense_id)
    return _expense_removed(
        request,
        application,
        lambda: reports.actual_expense_remove(actor=request.user, expense=expense),
        _("経費を削除しました。"),
    )


@login_required
@require_POST
@limit_upload_size(reports.proof_max_bytes)
def actual_expense_proof_add(request: SignedInRequest, expense_id: int) -> HttpResponse:
    application, expense = _company_expense(request, expense_id)
    form = ProofForm(request.POST, request.FILES, prefix="proof")
    refuse_oversized(request, form, _proof_too_large)
    if form.is_valid():
        run_and_flash(
            request,
            lambda: reports.actual_expense_proof_add(
                actor=request.user,
                expense=expense,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            ),
            _("書類を添付しました。"),
        )
    else:
        # The small form sits inside a line's card: its refusal is flashed above the page.
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(
            request,
            _("書類を添付できませんでした: %(problems)s") % {"problems": " ".join(problems)},
        )
    return redirect(_report_url(application, f"#expense-{expense.pk}"))


@login_required
@require_POST
def proof_remove(request: SignedInRequest, document_id: int) -> HttpResponse:
    document = selectors.proof_document(request.user, document_id)
    application = _company(request, document.application_id)
    return _expense_removed(
        request,
        application,
        lambda: reports.actual_expense_proof_remove(actor=request.user, document=document),
        _("書類を削除しました。"),
    )


# --- value added ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def value_added_report(request: SignedInRequest, report_id: int) -> HttpResponse:
    report = selectors.value_added_report_for(request.user, report_id)
    page = selectors.value_added_page(request.user, report)
    if request.method == "POST" and not page.can_answer:
        raise PermissionDenied
    form = ValueAddedForm(
        request.POST or None,
        initial={
            "sales": report.sales,
            "external_costs": report.external_costs,
            "employees": report.employees,
        },
    )
    done = save_form(
        request,
        form,
        lambda data: value_added.value_added_submit(
            actor=request.user,
            report=report,
            sales=data["sales"],
            external_costs=data["external_costs"],
            employees=data["employees"],
        ),
        success_message=_("ご回答ありがとうございました。"),
        next_url=reverse("subsidies:value_added_report", args=[report.pk]),
    )
    if done:
        return done
    return render(request, "subsidies/after/value_added_report.html", {"page": page, "form": form})


def _office_page(request: SignedInRequest, send_form: SurveySendForm | None = None) -> HttpResponse:
    try:
        fiscal_year = int(request.GET.get("fiscal_year", "") or 0) or None
    except ValueError:
        fiscal_year = None
    years = value_added.survey_years()
    page = selectors.office_value_added_page(
        request.user,
        fiscal_year=fiscal_year,
        kind=request.GET.get("kind", ""),
        survey_years=years,
    )
    return render(
        request,
        "subsidies/after/office_value_added.html",
        {
            "page": page,
            "send_form": send_form or SurveySendForm(years=years, wards=page.wards),
        },
    )


@officer_required
@require_GET
def office_value_added(request: SignedInRequest) -> HttpResponse:
    return _office_page(request)


@officer_required
@require_POST
def value_added_survey_send(request: SignedInRequest) -> HttpResponse:
    years = value_added.survey_years()
    wards = selectors.office_wards(request.user)
    form = SurveySendForm(request.POST, years=years, wards=wards)
    if not form.is_valid():
        return _office_page(request, form)
    year = form.cleaned_data["fiscal_year"]
    try:
        sent = value_added.value_added_survey_send(
            actor=request.user, municipality=form.cleaned_data["municipality"], fiscal_year=year
        )
    except ApplicationError as error:
        form.add_application_error(error)
        return _office_page(request, form)
    if sent:
        messages.success(
            request,
            _("%(fiscal_year)sの年次調査を %(count)s 社に送りました。")
            % {"fiscal_year": fiscal_year_label(year), "count": len(sent)},
        )
    else:
        messages.info(
            request,
            _("新しく送る企業はありませんでした (%(fiscal_year)sの調査は送付済みです)。")
            % {"fiscal_year": fiscal_year_label(year)},
        )
    return redirect(reverse("subsidies:office_value_added") + f"?fiscal_year={year}&kind=survey")
