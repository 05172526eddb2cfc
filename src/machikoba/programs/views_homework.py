"""Pages of homework (worksheet, ROI estimate, DX plan and their comments), graduation
(the officer's run, the certificate, its public verification), the one-year follow-up and
the instructor's list. Views call selectors and services only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.core.access import (
    CHANGE,
    INSTRUCTOR,
    VIEW,
    WARD_OFFICER,
    get_for_user_or_404,
    has_any_ward_role,
)
from machikoba.core.errors import ApplicationError
from machikoba.core.views import client_ip, content_disposition, run_and_flash, save_form
from machikoba.programs.certificate_pdf import certificate_pdf
from machikoba.programs.choices import HomeworkKind
from machikoba.programs.forms_homework import (
    CommentForm,
    FollowUpForm,
    PlanDecisionForm,
    PlanForm,
    RoiForm,
    WorksheetItemForm,
)
from machikoba.programs.models import Application, Cohort, FollowUp, Graduation
from machikoba.programs.models_homework import DxPlan, WorksheetItem
from machikoba.programs.selectors import graduates as graduate_selectors
from machikoba.programs.selectors import homework as selectors
from machikoba.programs.services import follow_up as follow_up_services
from machikoba.programs.services import graduation as graduation_services
from machikoba.programs.services import homework as services

# The public verification page answers at most this many lookups per address a minute
# (a certificate code has 64 random bits; this only keeps scrapers off).
VERIFY_PER_MINUTE = 30

PAGE_OF_KIND = {
    HomeworkKind.WORKSHEET: "programs:worksheet",
    HomeworkKind.ROI: "programs:roi",
    HomeworkKind.PLAN: "programs:plan",
}


class SignedInRequest(HttpRequest):
    user: User


def _application(request: SignedInRequest, pk: int) -> Application:
    return selectors.homework_application(request.user, pk)


def _writable(request: SignedInRequest, pk: int) -> Application:
    """The application whose homework the user writes: 404 when they may not see it,
    403 when they may see but not write it (an instructor, an officer)."""
    application = _application(request, pk)
    if not selectors.may_write_homework(request.user, application):
        raise PermissionDenied
    return application


def _comment_form(kind: str) -> CommentForm:
    return CommentForm(initial={"kind": kind})


# --- worksheet ------------------------------------------------------------------------


def _worksheet(
    request: SignedInRequest, application: Application, form: WorksheetItemForm | None = None
) -> HttpResponse:
    page = selectors.worksheet_page(request.user, application)
    return render(
        request,
        "programs/homework/worksheet.html",
        {
            "application": application,
            "page": page,
            "header": page.header,
            "form": form or WorksheetItemForm(),
            "comment_form": _comment_form(HomeworkKind.WORKSHEET),
        },
    )


@login_required
@require_GET
def worksheet(request: SignedInRequest, pk: int) -> HttpResponse:
    return _worksheet(request, _application(request, pk))


@login_required
@require_POST
def worksheet_item_add(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _writable(request, pk)
    form = WorksheetItemForm(request.POST)
    done = save_form(
        request,
        form,
        lambda data: services.worksheet_item_add(
            actor=request.user, application=application, **data
        ),
        success_message=_("課題を追加しました。"),
        next_url=reverse("programs:worksheet", args=[application.pk]) + "#matrix",
    )
    return done or _worksheet(request, application, form)


def _writable_item(request: SignedInRequest, pk: int) -> WorksheetItem:
    item = get_for_user_or_404(
        WorksheetItem.objects.select_related("worksheet__application__company"),
        request.user,
        VIEW,
        pk=pk,
    )
    if not selectors.may_write_homework(request.user, item.worksheet.application):
        raise PermissionDenied
    return item


@login_required
@require_http_methods(["GET", "POST"])
def worksheet_item_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _writable_item(request, pk)
    application = item.worksheet.application
    form = WorksheetItemForm(
        request.POST or None,
        initial={
            "area": item.area,
            "problem": item.problem,
            "impact": item.impact,
            "effort": item.effort,
        },
    )
    done = save_form(
        request,
        form,
        lambda data: services.worksheet_item_update(actor=request.user, item=item, **data),
        success_message=_("課題を直しました。"),
        next_url=reverse("programs:worksheet", args=[application.pk]) + "#matrix",
    )
    if done:
        return done
    return render(
        request,
        "programs/homework/worksheet_item_edit.html",
        {"application": application, "item": item, "form": form},
    )


@login_required
@require_POST
def worksheet_item_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _writable_item(request, pk)
    application = item.worksheet.application
    run_and_flash(
        request,
        lambda: services.worksheet_item_delete(actor=request.user, item=item),
        _("課題を削除しました。"),
    )
    return redirect("programs:worksheet", pk=application.pk)


# --- ROI estimate ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def roi(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _writable(request, pk) if request.method == "POST" else _application(request, pk)
    page = selectors.roi_page(request.user, application)
    estimate = page.estimate
    initial: dict[str, Any] = {}
    if estimate is not None:
        initial = {name: getattr(estimate, name) for name in services.ROI_FIELDS}
    form = RoiForm(request.POST or None, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.roi_estimate_save(
            actor=request.user,
            application=application,
            tool=data["tool"],
            investment_cost=data["investment_cost"],
            hours_freed_per_year=data["hours_freed_per_year"],
            hourly_wage=data["hourly_wage"],
            yearly_running_cost=data["yearly_running_cost"] or 0,
            other_savings_per_year=data["other_savings_per_year"] or 0,
        ),
        success_message=_("試算を保存しました。"),
        next_url=reverse("programs:roi", args=[application.pk]) + "#figures",
    )
    if done:
        return done
    return render(
        request,
        "programs/homework/roi.html",
        {
            "application": application,
            "page": page,
            "header": page.header,
            "form": form,
            "comment_form": _comment_form(HomeworkKind.ROI),
        },
    )


# --- DX plan --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _writable(request, pk) if request.method == "POST" else _application(request, pk)
    page = selectors.plan_page(request.user, application)
    initial: dict[str, Any] = {}
    if page.plan is not None:
        initial = {name: getattr(page.plan, name) for name in services.PLAN_FIELDS}
    elif page.estimate is not None:
        initial = {"budget": page.estimate.investment_cost}
    form = PlanForm(request.POST or None, initial=initial)
    # The form's two buttons: 保存する (a draft), or 保存して講師に提出する (both at once).
    submitting = "and_submit" in request.POST
    write = services.dx_plan_save_and_submit if submitting else services.dx_plan_save
    done = save_form(
        request,
        form,
        lambda data: write(actor=request.user, application=application, **data),
        success_message=_("DX計画書を提出しました。講師からの返事を待ってください。")
        if submitting
        else _("DX計画書を保存しました。"),
        next_url=reverse("programs:plan", args=[application.pk]),
    )
    if done:
        return done
    return render(
        request,
        "programs/homework/plan.html",
        {
            "application": application,
            "page": page,
            "header": page.header,
            "form": form,
            "decision_form": PlanDecisionForm(),
            "comment_form": _comment_form(HomeworkKind.PLAN),
        },
    )


@login_required
@require_GET
def plan_print(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    page = selectors.plan_page(request.user, application)
    return render(
        request,
        "programs/homework/plan_print.html",
        {"application": application, "page": page},
    )


def _plan_of(request: SignedInRequest, application: Application) -> DxPlan:
    return get_for_user_or_404(DxPlan, request.user, VIEW, application=application)


@login_required
@require_POST
def plan_submit(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _writable(request, pk)
    dx_plan = _plan_of(request, application)
    run_and_flash(
        request,
        lambda: services.dx_plan_submit(actor=request.user, plan=dx_plan),
        _("DX計画書を提出しました。講師からの返事を待ってください。"),
    )
    return redirect("programs:plan", pk=application.pk)


@login_required
@require_POST
def plan_decide(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not selectors.may_review_homework(request.user, application):
        raise PermissionDenied
    dx_plan = _plan_of(request, application)
    form = PlanDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("承認か差し戻しを選んでください。"))
        return redirect("programs:plan", pk=application.pk)
    body = form.cleaned_data["body"]
    if form.cleaned_data["decision"] == "accept":
        run_and_flash(
            request,
            lambda: services.dx_plan_accept(actor=request.user, plan=dx_plan, comment=body),
            _("DX計画書を承認しました。"),
        )
    else:
        run_and_flash(
            request,
            lambda: services.dx_plan_return(actor=request.user, plan=dx_plan, comment=body),
            _("DX計画書を差し戻しました。"),
        )
    return redirect("programs:plan", pk=application.pk)


# --- comments -------------------------------------------------------------------------


@login_required
@require_POST
def homework_comment(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = CommentForm(request.POST)
    kind = request.POST.get("kind", "")
    target = PAGE_OF_KIND.get(kind, "programs:worksheet")  # type: ignore[call-overload]
    if not form.is_valid():
        messages.error(request, _("コメントを書いてください。"))
        return redirect(target, pk=application.pk)
    run_and_flash(
        request,
        lambda: services.homework_comment_add(
            actor=request.user,
            application=application,
            kind=form.cleaned_data["kind"],
            body=form.cleaned_data["body"],
        ),
        _("コメントを送りました。"),
    )
    return redirect(reverse(target, args=[application.pk]) + "#comments")


# --- graduation -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def graduation_run(request: SignedInRequest, pk: int) -> HttpResponse:
    cohort = get_for_user_or_404(
        Cohort.objects.select_related("program"), request.user, VIEW, pk=pk
    )
    if not graduate_selectors.may_run_graduation(request.user, cohort):
        raise PermissionDenied
    if request.method == "POST":
        try:
            result = graduation_services.graduation_run(actor=request.user, cohort=cohort)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if result.created_nothing:
                messages.info(request, result.summary())
            else:
                messages.success(request, result.summary())
        return redirect("programs:graduation_run", pk=cohort.pk)
    preview = graduate_selectors.graduation_preview(request.user, cohort)
    return render(
        request,
        "programs/homework/graduation_run.html",
        {
            "cohort": cohort,
            "preview": preview,
            "graduations": graduate_selectors.graduation_rows(request.user, cohort),
        },
    )


@login_required
@require_GET
def certificate(request: SignedInRequest, pk: int) -> HttpResponse:
    graduation = get_for_user_or_404(Graduation, request.user, VIEW, pk=pk)
    full = graduate_selectors.graduation_for_certificate(graduation)
    content = certificate_pdf(full)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        _("修了証_%(code)s.pdf") % {"code": full.certificate_code}
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _too_many_lookups(request: HttpRequest) -> bool:
    key = f"programs:certificate_verify:{client_ip(request) or 'unknown'}"
    if cache.add(key, 1, timeout=60):
        return False
    try:
        return cache.incr(key) > VERIFY_PER_MINUTE
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=60)
        return False


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: anyone holding a certificate checks it here (the QR code on it opens this
    page). It states only what the certificate states; an unknown code is 見つかりません."""
    if _too_many_lookups(request):
        return render(
            request, "programs/homework/certificate_verify.html", {"too_many": True}, status=429
        )
    found = graduate_selectors.certificate_lookup(code[:64])
    response = render(
        request,
        "programs/homework/certificate_verify.html",
        {"certificate": found, "code": code[:64]},
        status=200 if found else 404,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


# --- follow-up ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request: SignedInRequest, pk: int) -> HttpResponse:
    action = CHANGE if request.method == "POST" else VIEW
    row = get_for_user_or_404(
        FollowUp.objects.select_related("graduation"), request.user, action, pk=pk
    )
    page = graduate_selectors.follow_up_page(request.user, row)
    initial: dict[str, Any] = {}
    if page.answered:
        initial = {
            "invested": "yes" if row.invested else "no",
            "amount": row.amount,
            "investment_kind": row.investment_kind,
            "invested_on": row.invested_on,
            "description": row.description,
            "subsidy_reference": row.subsidy_reference,
        }
    form = FollowUpForm(request.POST or None, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: follow_up_services.follow_up_answer(
            actor=request.user,
            follow_up=row,
            invested=data["invested"],
            invested_on=data["invested_on"],
            amount=data["amount"],
            investment_kind=data["investment_kind"],
            description=data["description"],
            subsidy_reference=data["subsidy_reference"],
        ),
        success_message=_("回答ありがとうございました。"),
        next_url=reverse("programs:follow_up", args=[row.pk]),
    )
    if done:
        return done
    return render(
        request, "programs/homework/follow_up.html", {"page": page, "form": form, "follow_up": row}
    )


# --- the instructor's list ------------------------------------------------------------


@login_required
@require_GET
def teaching(request: SignedInRequest) -> HttpResponse:
    page = selectors.teaching_page(request.user)
    if not page.cohorts and not has_any_ward_role(request.user, (INSTRUCTOR, WARD_OFFICER)):
        raise PermissionDenied
    return render(request, "programs/homework/teaching.html", {"page": page})
