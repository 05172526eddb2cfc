"""Pages of what IT vendors do at the lab: the vendor portal (its exhibits, demo slots,
bookings, consultations, trial requests), publishing and cancelling demo slots, the
demos page where shops book a seat, consultations (導入相談) and software trials."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, EDITOR_ROLES, VIEW, has_role
from machikoba.core.views import active_company_or_403, run_and_flash, safe_next, save_form
from machikoba.lab.forms_vendors import (
    AnswerForm,
    CancelDemoForm,
    ConsultationForm,
    DemoSlotForm,
    ReasonForm,
    TrialApproveForm,
    TrialRequestForm,
)
from machikoba.lab.selectors import vendors as selectors
from machikoba.lab.services import consultations, demos, trials


class SignedInRequest(HttpRequest):
    user: User


def _vendor(request: SignedInRequest) -> Company:
    """The active company, when it is an IT vendor the person works for."""
    company: Company = active_company_or_403(request)
    if not selectors.is_vendor_member(request.user, company):
        raise PermissionDenied
    return company


def _vendor_editor(request: SignedInRequest) -> Company:
    vendor = _vendor(request)
    if not has_role(request.user, vendor, EDITOR_ROLES):
        raise PermissionDenied
    return vendor


def _shop_editor(request: SignedInRequest) -> Company:
    """The active company, for its owners and staff (they ask vendors and try software)."""
    company: Company = active_company_or_403(request)
    if not has_role(request.user, company, EDITOR_ROLES, VIEW):
        raise PermissionDenied
    return company


def _active_company(request: HttpRequest) -> Company | None:
    return getattr(request, "active_company", None) or None


# --- the vendor portal and its demo slots ----------------------------------------------------


@login_required
@require_GET
def vendor_portal(request: SignedInRequest) -> HttpResponse:
    vendor = _vendor(request)
    page = selectors.vendor_portal_page(user=request.user, vendor=vendor)
    return render(request, "lab/vendors/portal.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def vendor_demo_create(request: SignedInRequest) -> HttpResponse:
    vendor = _vendor_editor(request)
    exhibits = selectors.vendor_exhibits_for_demos(user=request.user, vendor=vendor)
    form = DemoSlotForm(request.POST or None, exhibits=exhibits)

    def publish(data: dict[str, Any]) -> Any:
        starts_at, ends_at = form.times()
        return demos.demo_slot_publish(
            actor=request.user,
            item=data["item"],
            starts_at=starts_at,
            ends_at=ends_at,
            seats=data["seats"],
            note=data["note"],
        )

    done = save_form(
        request,
        form,
        publish,
        success_message=_("デモの枠を公開しました。ラボを使う企業が予約できます。"),
        next_url=lambda slot: reverse("lab:vendor_demo", args=[slot.pk]),
    )
    if done:
        return done
    return render(
        request,
        "lab/vendors/demo_form.html",
        {"form": form, "vendor": vendor, "exhibits": exhibits},
    )


@login_required
@require_GET
def vendor_demo(request: SignedInRequest, pk: int) -> HttpResponse:
    slot = selectors.vendor_demo_slot_or_404(request.user, pk)
    page = selectors.vendor_demo_page(user=request.user, slot=slot)
    return render(request, "lab/vendors/demo.html", {"page": page, "form": CancelDemoForm()})


@login_required
@require_POST
def vendor_demo_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    slot = selectors.vendor_demo_slot_or_404(request.user, pk)
    form = CancelDemoForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
    run_and_flash(
        request,
        lambda: demos.demo_slot_cancel(actor=request.user, slot=slot, reason=reason),
        _("デモを中止しました。予約していた企業にお知らせしました。"),
    )
    return redirect("lab:vendor_demo", pk=slot.pk)


# --- demos as shops see them -----------------------------------------------------------------


@login_required
@require_GET
def demo_list(request: SignedInRequest) -> HttpResponse:
    page = selectors.demos_page(user=request.user, company=_active_company(request))
    return render(request, "lab/vendors/demos.html", {"page": page})


@login_required
@require_POST
def demo_book(request: SignedInRequest, pk: int) -> HttpResponse:
    slot = selectors.demo_slot_or_404(request.user, pk)
    company = active_company_or_403(request)
    run_and_flash(
        request,
        lambda: demos.demo_booking_create(actor=request.user, slot=slot, company=company),
        _("デモを予約しました。当日はラボの受付でお名前をお伝えください。"),
    )
    return redirect(safe_next(request, reverse("lab:demos")))


@login_required
@require_POST
def demo_seat_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    seat = selectors.demo_seat_or_404(request.user, pk)
    run_and_flash(
        request,
        lambda: demos.demo_booking_cancel(actor=request.user, booking=seat),
        _("デモの予約を取り消しました。"),
    )
    return redirect(safe_next(request, reverse("lab:demos")))


# --- consultations -----------------------------------------------------------------------------


@login_required
@require_GET
def consultation_list(request: SignedInRequest) -> HttpResponse:
    company = _shop_editor(request)
    rows = selectors.shop_consultations(user=request.user, company=company)
    return render(request, "lab/vendors/consultations.html", {"rows": rows, "company": company})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request: SignedInRequest, pk: int) -> HttpResponse:
    item = selectors.exhibit_or_404(request.user, pk)
    company = _shop_editor(request)
    form = ConsultationForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: consultations.consultation_create(
            actor=request.user,
            company=company,
            item=item,
            subject=data["subject"],
            message=data["message"],
        ),
        success_message=_("相談を送りました。ベンダーから回答があるとお知らせします。"),
        next_url=lambda consultation: reverse("lab:consultation", args=[consultation.pk]),
    )
    if done:
        return done
    return render(
        request,
        "lab/vendors/consultation_form.html",
        {"form": form, "item": item, "company": company},
    )


def _consultation_page(
    request: SignedInRequest, pk: int, form: AnswerForm | None = None
) -> HttpResponse:
    consultation = selectors.consultation_or_404(request.user, pk)
    page = selectors.consultation_page(user=request.user, consultation=consultation)
    return render(
        request,
        "lab/vendors/consultation.html",
        {"page": page, "form": form or AnswerForm()},
    )


@login_required
@require_GET
def consultation_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _consultation_page(request, pk)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_answer(request: SignedInRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_or_404(request.user, pk, CHANGE)
    page = selectors.consultation_page(user=request.user, consultation=consultation)
    if not page.may_answer:
        raise PermissionDenied
    form = AnswerForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: consultations.consultation_answer(
            actor=request.user, consultation=consultation, answer=data["answer"]
        ),
        success_message=_("回答を送りました。"),
        next_url=reverse("lab:consultation", args=[consultation.pk]),
    )
    if done:
        return done
    return render(request, "lab/vendors/consultation.html", {"page": page, "form": form})


@login_required
@require_POST
def consultation_close(request: SignedInRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_or_404(request.user, pk, CHANGE)
    run_and_flash(
        request,
        lambda: consultations.consultation_close(actor=request.user, consultation=consultation),
        _("相談を終了しました。"),
    )
    return redirect("lab:consultation", pk=consultation.pk)


# --- software trials ---------------------------------------------------------------------------


@login_required
@require_GET
def trial_list(request: SignedInRequest) -> HttpResponse:
    company = _shop_editor(request)
    rows = selectors.shop_trials(user=request.user, company=company)
    return render(request, "lab/vendors/trials.html", {"rows": rows, "company": company})


@login_required
@require_http_methods(["GET", "POST"])
def trial_create(request: SignedInRequest, pk: int) -> HttpResponse:
    item = selectors.exhibit_or_404(request.user, pk)
    company = _shop_editor(request)
    form = TrialRequestForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: trials.trial_request_create(
            actor=request.user, company=company, item=item, message=data["message"]
        ),
        success_message=_("試用を申し込みました。ベンダーが承認するとお知らせします。"),
        next_url=lambda trial: reverse("lab:trial", args=[trial.pk]),
    )
    if done:
        return done
    return render(
        request, "lab/vendors/trial_form.html", {"form": form, "item": item, "company": company}
    )


def _trial_page(
    request: SignedInRequest,
    pk: int,
    *,
    approve: TrialApproveForm | None = None,
    decline: ReasonForm | None = None,
) -> HttpResponse:
    trial = selectors.trial_or_404(request.user, pk)
    page = selectors.trial_page(user=request.user, trial=trial)
    return render(
        request,
        "lab/vendors/trial.html",
        {
            "page": page,
            "approve_form": approve or TrialApproveForm(),
            "decline_form": decline or ReasonForm(),
        },
    )


@login_required
@require_GET
def trial_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _trial_page(request, pk)


def _deciding(request: SignedInRequest, pk: int) -> Any:
    trial = selectors.trial_or_404(request.user, pk, CHANGE)
    if not selectors.trial_page(user=request.user, trial=trial).may_decide:
        raise PermissionDenied
    return trial


@login_required
@require_http_methods(["GET", "POST"])
def trial_approve(request: SignedInRequest, pk: int) -> HttpResponse:
    trial = _deciding(request, pk)
    form = TrialApproveForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: trials.trial_approve(
            actor=request.user,
            trial=trial,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            licence_note=data["licence_note"],
        ),
        success_message=_("試用を承認しました。申し込んだ企業にお知らせしました。"),
        next_url=reverse("lab:trial", args=[trial.pk]),
    )
    return done or _trial_page(request, pk, approve=form)


@login_required
@require_http_methods(["GET", "POST"])
def trial_decline(request: SignedInRequest, pk: int) -> HttpResponse:
    trial = _deciding(request, pk)
    form = ReasonForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: trials.trial_decline(actor=request.user, trial=trial, reason=data["reason"]),
        success_message=_("試用をお断りしました。申し込んだ企業にお知らせしました。"),
        next_url=reverse("lab:trial", args=[trial.pk]),
    )
    return done or _trial_page(request, pk, decline=form)


@login_required
@require_POST
def trial_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    trial = selectors.trial_or_404(request.user, pk, CHANGE)
    run_and_flash(
        request,
        lambda: trials.trial_withdraw(actor=request.user, trial=trial),
        _("試用を取り下げました。"),
    )
    return redirect("lab:trial", pk=trial.pk)


@login_required
@require_POST
def trial_end(request: SignedInRequest, pk: int) -> HttpResponse:
    trial = selectors.trial_or_404(request.user, pk, CHANGE)
    run_and_flash(
        request,
        lambda: trials.trial_end(actor=request.user, trial=trial),
        _("試用を終了にしました。"),
    )
    return redirect("lab:trial", pk=trial.pk)
